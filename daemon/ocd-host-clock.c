/* ocd-host-clock.c — is this host's clock right?  Two witnesses:
 *
 * - timedated's NTPSynchronized (clock_synchronized).  timedated signals it
 *   where it can, but systemd's computes it on each read and never signals
 *   it, and it is started on demand and exits when idle.  So it is asked at
 *   start and whenever it appears on the bus, again at each tick while it
 *   says "not synchronized" (after boot, until the first sync), and when the
 *   server's clock suddenly reads differently (the clock was stepped).
 * - the server's Date header (clock_skew): every reply the daemon gets
 *   carries one.  It counts whole seconds, so changes smaller than
 *   SKEW_RESOLUTION are not followed (no PropertiesChanged for jitter). */
#include "config.h"

#define G_LOG_DOMAIN "ocd-host"

#include <math.h>

#include "ocd-host-private.h"

#define TIMEDATED_NAME  "org.freedesktop.timedate1"
#define TIMEDATED_PATH  "/org/freedesktop/timedate1"
#define SKEW_RESOLUTION 1.5    /* s */

struct _OcdHostClock
{
  OcdHost         *host;       /* owns us */
  GDBusConnection *bus;
  GCancellable    *cancellable;
  guint            watch_id;
  guint            signal_id;
  gboolean         asking;
  int              synchronized;   /* -1: timedated did not say */
  gboolean         have_skew;
  double           skew;
};

static void
set_synchronized (OcdHostClock *self, int synchronized)
{
  if (self->synchronized != synchronized)
    g_debug ("timedated: NTPSynchronized %s", synchronized < 0 ? "unknown"
             : synchronized ? "true" : "false");
  self->synchronized = synchronized;
  if (synchronized == FALSE)
    ocd_host_want_ticks (self->host);
  ocd_host_set (self->host, "clock_synchronized",
                synchronized < 0 ? NULL : g_variant_new_boolean (synchronized));
}

static void
on_answer (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result,
                                                             &error);
  g_autoptr(GVariant) value = NULL;
  OcdHostClock *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = data;
  self->asking = FALSE;
  if (reply == NULL)
    {
      g_debug ("timedated: %s", error->message);
      set_synchronized (self, -1);
      return;
    }
  g_variant_get (reply, "(v)", &value);
  if (!g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN))
    {
      set_synchronized (self, -1);
      return;
    }
  set_synchronized (self, g_variant_get_boolean (value));
}

/* timedated is started on demand: asking may start it. */
static void
ask (OcdHostClock *self)
{
  if (self->bus == NULL || self->asking)
    return;
  self->asking = TRUE;
  g_dbus_connection_call (self->bus, TIMEDATED_NAME, TIMEDATED_PATH,
                          "org.freedesktop.DBus.Properties", "Get",
                          g_variant_new ("(ss)", TIMEDATED_NAME, "NTPSynchronized"),
                          G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NONE, 10000,
                          self->cancellable, on_answer, self);
}

static void
on_properties_changed (GDBusConnection *bus,
                       const char      *sender,
                       const char      *path,
                       const char      *interface,
                       const char      *signal,
                       GVariant        *parameters,
                       gpointer         data)
{
  OcdHostClock *self = data;
  g_autoptr(GVariant) changed = NULL;
  g_autofree const char **invalidated = NULL;
  gboolean synchronized;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(sa{sv}as)")))
    return;
  g_variant_get (parameters, "(&s@a{sv}^a&s)", NULL, &changed, &invalidated);
  if (g_variant_lookup (changed, "NTPSynchronized", "b", &synchronized))
    set_synchronized (self, synchronized);
  else if (g_strv_contains (invalidated, "NTPSynchronized"))
    ask (self);
}

static void
on_appeared (GDBusConnection *bus, const char *name, const char *owner, gpointer data)
{
  ask (data);
}

void
ocd_host_clock_start (OcdHostClock    *self,
                      GDBusConnection *bus)
{
  self->bus = g_object_ref (bus);
  self->signal_id = g_dbus_connection_signal_subscribe (bus, TIMEDATED_NAME,
                                                        "org.freedesktop.DBus.Properties",
                                                        "PropertiesChanged", TIMEDATED_PATH,
                                                        TIMEDATED_NAME, G_DBUS_SIGNAL_FLAGS_NONE,
                                                        on_properties_changed, self, NULL);
  self->watch_id = g_bus_watch_name_on_connection (bus, TIMEDATED_NAME,
                                                   G_BUS_NAME_WATCHER_FLAGS_NONE,
                                                   on_appeared, NULL, self, NULL);
  ask (self);
}

void
ocd_host_clock_note_date (OcdHostClock *self,
                          const char   *date,
                          gint64        now)
{
  double skew;

  if (!ocd_host_date_skew (date, now, &skew))
    return;
  if (self->have_skew && fabs (skew - self->skew) < SKEW_RESOLUTION)
    return;
  if (self->have_skew)
    {
      g_message ("The server's clock reads %+.0f s from this host's (was %+.0f s)", skew, self->skew);
      ask (self);
    }
  else if (fabs (skew) >= 60)
    g_message ("The server's clock reads %+.0f s from this host's", skew);
  self->have_skew = TRUE;
  self->skew = skew;
  ocd_host_set (self->host, "clock_skew", g_variant_new_double (skew));
}

gboolean
ocd_host_clock_tick (OcdHostClock *self)
{
  if (self->synchronized != FALSE)
    return FALSE;
  ask (self);
  return TRUE;
}

OcdHostClock *
ocd_host_clock_new (OcdHost *host)
{
  OcdHostClock *self = g_new0 (OcdHostClock, 1);

  self->host = host;
  self->cancellable = g_cancellable_new ();
  self->synchronized = -1;
  return self;
}

void
ocd_host_clock_free (OcdHostClock *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->watch_id, g_bus_unwatch_name);
  if (self->signal_id != 0)
    g_dbus_connection_signal_unsubscribe (self->bus, self->signal_id);
  g_clear_object (&self->bus);
  g_free (self);
}
