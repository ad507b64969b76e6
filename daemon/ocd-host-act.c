/* ocd-host-act.c — the remedies the host's services offer for a cause the
 * daemon named: Wi-Fi power saving off (NetworkManager) for wifi-power-save,
 * network time on (timedated) for clock.  The service's caller is
 * authorized first (ocd-service.c, our polkit actions); the daemon then asks
 * as its own user, which data/obico-connect.rules lets do these two things. */
#include "config.h"

#define G_LOG_DOMAIN "ocd-host"

#include <glib/gi18n.h>

#include "obico-error.h"
#include "ocd-host-private.h"

#define NM_SETTINGS      "org.freedesktop.NetworkManager.Settings.Connection"
#define NM_DEVICE        "org.freedesktop.NetworkManager.Device"
#define NM_POWERSAVE_DISABLE 2
#define TIMEDATED_NAME   "org.freedesktop.timedate1"
#define TIMEDATED_PATH   "/org/freedesktop/timedate1"
#define CALL_TIMEOUT_MS  25000

typedef struct {
  char *owner;
  char *settings;
  char *device;
} WifiLink;

static void
wifi_link_free (WifiLink *link)
{
  g_free (link->owner);
  g_free (link->settings);
  g_free (link->device);
  g_free (link);
}

static void
fail (GTask *task, const char *what, const GError *error)
{
  g_autofree char *message = NULL;

  /* The service's own sentence, without the D-Bus error name. */
  if (error != NULL)
    {
      g_autoptr(GError) copy = g_error_copy (error);

      g_dbus_error_strip_remote_error (copy);
      message = g_strdup (copy->message);
    }
  g_message ("%s%s%s", what, message != NULL ? ": " : "", message != NULL ? message : "");
  g_task_return_new_error (task, OBICO_ERROR, OBICO_ERROR_HOST_SERVICE_FAILED, "%s%s%s.", what,
                           message != NULL ? ": " : "", message != NULL ? message : "");
}

/* ---- Wi-Fi power saving ---------------------------------------------- */

static void
on_reapplied (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GTask) task = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);

  if (reply == NULL)
    {
      fail (task, _("Wi-Fi power saving is off in the connection's settings, but NetworkManager "
                    "could not apply them now; they apply when the Wi-Fi connects again"), error);
      return;
    }
  g_message ("Wi-Fi power saving turned off");
  g_task_return_boolean (task, TRUE);
}

static void
on_updated (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GTask) task = data;
  WifiLink *link = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);

  if (reply == NULL)
    {
      fail (task, _("NetworkManager did not save the Wi-Fi connection without power saving"), error);
      return;
    }
  /* Reapply: the device takes the saved settings without reconnecting. */
  g_dbus_connection_call (G_DBUS_CONNECTION (source), link->owner, link->device, NM_DEVICE, "Reapply",
                          g_variant_new ("(@a{sa{sv}}tu)", g_variant_new ("a{sa{sv}}", NULL),
                                         (guint64) 0, (guint32) 0),
                          G_VARIANT_TYPE ("()"), G_DBUS_CALL_FLAGS_NO_AUTO_START, CALL_TIMEOUT_MS,
                          NULL, on_reapplied, g_steal_pointer (&task));
}

/* The settings with 802-11-wireless.powersave = disable, everything else
 * as it was (NetworkManager keeps the secrets Update does not give). */
static GVariant *
without_power_save (GVariant *settings)
{
  GVariantBuilder builder;
  GVariantIter iter;
  const char *group;
  GVariant *values;
  gboolean wireless = FALSE;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a{sa{sv}}"));
  g_variant_iter_init (&iter, settings);
  while (g_variant_iter_next (&iter, "{&s@a{sv}}", &group, &values))
    {
      if (g_str_equal (group, "802-11-wireless"))
        {
          GVariantDict dict;

          g_variant_dict_init (&dict, values);
          g_variant_dict_insert (&dict, "powersave", "u", (guint32) NM_POWERSAVE_DISABLE);
          g_variant_builder_add (&builder, "{s@a{sv}}", group, g_variant_dict_end (&dict));
          wireless = TRUE;
        }
      else
        g_variant_builder_add (&builder, "{s@a{sv}}", group, values);
      g_variant_unref (values);
    }
  if (!wireless)
    {
      GVariantDict dict;

      g_variant_dict_init (&dict, NULL);
      g_variant_dict_insert (&dict, "powersave", "u", (guint32) NM_POWERSAVE_DISABLE);
      g_variant_builder_add (&builder, "{s@a{sv}}", "802-11-wireless", g_variant_dict_end (&dict));
    }
  return g_variant_builder_end (&builder);
}

static void
on_settings (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GTask) task = data;
  WifiLink *link = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  g_autoptr(GVariant) settings = NULL;

  if (reply == NULL)
    {
      fail (task, _("NetworkManager did not give the Wi-Fi connection's settings"), error);
      return;
    }
  settings = g_variant_get_child_value (reply, 0);
  g_dbus_connection_call (G_DBUS_CONNECTION (source), link->owner, link->settings, NM_SETTINGS, "Update",
                          g_variant_new ("(@a{sa{sv}})", without_power_save (settings)),
                          G_VARIANT_TYPE ("()"), G_DBUS_CALL_FLAGS_NO_AUTO_START, CALL_TIMEOUT_MS,
                          NULL, on_updated, g_steal_pointer (&task));
}

void
ocd_host_turn_off_wifi_power_save (OcdHost             *self,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, callback, user_data);
  GDBusConnection *bus = ocd_host_get_bus (self);
  const char *owner, *settings, *device;
  WifiLink *link;

  g_task_set_source_tag (task, ocd_host_turn_off_wifi_power_save);
  if (bus == NULL || !ocd_host_wifi_get_link (ocd_host_get_wifi (self), &owner, &settings, &device))
    {
      fail (task, _("This host has no Wi-Fi connection that NetworkManager manages, so there is no "
                    "power saving to turn off here; on another network manager, turn it off "
                    "there (e.g. “iw dev wlan0 set power_save off”)"), NULL);
      return;
    }
  link = g_new0 (WifiLink, 1);
  link->owner = g_strdup (owner);
  link->settings = g_strdup (settings);
  link->device = g_strdup (device);
  g_task_set_task_data (task, link, (GDestroyNotify) wifi_link_free);
  g_message ("Turning Wi-Fi power saving off (%s)", settings);
  g_dbus_connection_call (bus, owner, settings, NM_SETTINGS, "GetSettings", NULL,
                          G_VARIANT_TYPE ("(a{sa{sv}})"), G_DBUS_CALL_FLAGS_NO_AUTO_START,
                          CALL_TIMEOUT_MS, NULL, on_settings, g_steal_pointer (&task));
}

/* ---- network time ---------------------------------------------------- */

static void
on_ntp_set (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GTask) task = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);

  if (reply == NULL)
    {
      fail (task, _("timedated did not turn on network time"), error);
      return;
    }
  g_message ("Network time turned on");
  g_task_return_boolean (task, TRUE);
}

void
ocd_host_turn_on_network_time (OcdHost             *self,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, callback, user_data);
  GDBusConnection *bus = ocd_host_get_bus (self);

  g_task_set_source_tag (task, ocd_host_turn_on_network_time);
  if (bus == NULL)
    {
      fail (task, _("There is no system bus to ask timedated on"), NULL);
      return;
    }
  g_message ("Turning network time on");
  /* timedated is started on demand; no prompt: the caller was authorized. */
  g_dbus_connection_call (bus, TIMEDATED_NAME, TIMEDATED_PATH, TIMEDATED_NAME, "SetNTP",
                          g_variant_new ("(bb)", TRUE, FALSE), G_VARIANT_TYPE ("()"),
                          G_DBUS_CALL_FLAGS_NONE, CALL_TIMEOUT_MS, NULL, on_ntp_set,
                          g_steal_pointer (&task));
}

gboolean
ocd_host_act_finish (OcdHost       *self,
                     GAsyncResult  *result,
                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
