/* ocd-host.c — the host's context: the keys its observers set (Wi-Fi,
 * power, clock), the proxy of the configuration, and the kernel's TCP view
 * of the agent role's WebSocket.
 *
 * What the system signals is followed as it changes (NetworkManager,
 * timedated); what it does not (sysfs, /proc) is read at most once a
 * heartbeat: at the agent role's heartbeat while one comes, else on a timer
 * of the same period, which runs only while a part has something to read. */
#include "config.h"

#define G_LOG_DOMAIN "ocd-host"

#include <errno.h>
#include <linux/tcp.h>
#include <math.h>
#include <netinet/in.h>
#include <stddef.h>
#include <sys/socket.h>

#include "ocd-host-history.h"
#include "ocd-host-private.h"

/* Without heartbeats the timer reads; one overdue by half a period means
 * they stopped. */
#define HEARTBEAT_GRACE 1.5
/* What moves less is noise: no PropertiesChanged for it. */
#define NUMBER_JITTER      0.25   /* a quarter of the value */
#define RTT_JITTER_MS      1.0
#define RETRANSMITS_JITTER 0.01

struct _OcdHost
{
  GObject          parent_instance;

  double           period;          /* s, the heartbeat interval */
  char            *proxy;           /* redacted, NULL: none */
  GHashTable      *keys;            /* key → GVariant */
  GVariant        *context;         /* built from keys, NULL: stale */

  GCancellable    *cancellable;
  GDBusConnection *bus;
  OcdHostWifi     *wifi;
  OcdHostPower    *power;
  OcdHostClock    *clock;
  guint            timer_id;
  OcdHostHistory  *history;         /* the context's last 24 h */

  /* TCP_INFO of the WebSocket last sampled (weak) */
  SoupWebsocketConnection *sampled;
  guint32          segs_out;
  guint32          total_retrans;
};

enum {
  PROP_0,
  PROP_CONTEXT,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

G_DEFINE_TYPE (OcdHost, ocd_host, G_TYPE_OBJECT)

static void
notify_context (OcdHost *self)
{
  g_clear_pointer (&self->context, g_variant_unref);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_CONTEXT]);
}

void
ocd_host_set (OcdHost    *self,
              const char *key,
              GVariant   *value)
{
  GVariant *old = g_hash_table_lookup (self->keys, key);

  if (value == NULL)
    {
      if (old != NULL && g_hash_table_remove (self->keys, key))
        notify_context (self);
      return;
    }
  g_variant_ref_sink (value);
  if (old != NULL && g_variant_equal (old, value))
    {
      g_variant_unref (value);
      return;
    }
  g_hash_table_replace (self->keys, g_strdup (key), value);
  notify_context (self);
}

static double
number (GVariant *value)
{
  return g_variant_is_of_type (value, G_VARIANT_TYPE_UINT32) ? g_variant_get_uint32 (value)
                                                             : g_variant_get_double (value);
}

void
ocd_host_set_number (OcdHost    *self,
                     const char *key,
                     GVariant   *value,
                     double      absolute,
                     double      relative)
{
  GVariant *old = g_hash_table_lookup (self->keys, key);
  g_autoptr(GVariant) owned = value != NULL ? g_variant_ref_sink (value) : NULL;

  if (owned != NULL && old != NULL && g_variant_is_of_type (old, g_variant_get_type (owned)) &&
      fabs (number (owned) - number (old)) < MAX (absolute, relative * fabs (number (old))))
    return;
  ocd_host_set (self, key, owned);
}

GVariant *
ocd_host_get_context (OcdHost *self)
{
  g_autoptr(GList) keys = NULL;
  GVariantDict dict;

  g_return_val_if_fail (OCD_IS_HOST (self), NULL);

  if (self->context != NULL)
    return self->context;
  /* Sorted: the same context reads the same in every report. */
  keys = g_list_sort (g_hash_table_get_keys (self->keys), (GCompareFunc) g_strcmp0);
  g_variant_dict_init (&dict, NULL);
  for (GList *l = keys; l != NULL; l = l->next)
    g_variant_dict_insert_value (&dict, l->data, g_hash_table_lookup (self->keys, l->data));
  self->context = g_variant_ref_sink (g_variant_dict_end (&dict));
  return self->context;
}

/* What changed is kept for the report's lanes (once per notification: a
 * tick's changes come together). */
static void
ocd_host_notify (GObject *object, GParamSpec *pspec)
{
  OcdHost *self = OCD_HOST (object);

  if (pspec == props[PROP_CONTEXT])
    ocd_host_history_record (self->history, ocd_host_get_context (self), g_get_real_time ());
  if (G_OBJECT_CLASS (ocd_host_parent_class)->notify != NULL)
    G_OBJECT_CLASS (ocd_host_parent_class)->notify (object, pspec);
}

GVariant *
ocd_host_get_history (OcdHost *self)
{
  g_return_val_if_fail (OCD_IS_HOST (self), NULL);

  return ocd_host_history_to_variant (self->history, g_get_real_time ());
}

/* ---- the clock of the server ------------------------------------------ */

static void
on_reply_headers (SoupMessage *message, gpointer data)
{
  OcdHost *self = data;
  const char *date = soup_message_headers_get_one (soup_message_get_response_headers (message),
                                                   "Date");

  if (date != NULL)
    ocd_host_clock_note_date (self->clock, date, g_get_real_time ());
}

static void
on_request_queued (SoupSession *session, SoupMessage *message, gpointer data)
{
  /* A WebSocket's 101 is informational; every other answer has headers. */
  g_signal_connect_object (message, "got-headers", G_CALLBACK (on_reply_headers), data, 0);
  g_signal_connect_object (message, "got-informational", G_CALLBACK (on_reply_headers), data, 0);
}

void
ocd_host_follow_session (OcdHost     *self,
                         SoupSession *session)
{
  g_return_if_fail (OCD_IS_HOST (self));
  g_signal_connect_object (session, "request-queued", G_CALLBACK (on_request_queued), self, 0);
}

/* ---- the WebSocket as the kernel sees it ------------------------------- */

static void
forget_sampled (OcdHost *self)
{
  g_object_freeze_notify (G_OBJECT (self));
  ocd_host_set (self, "rtt_ms", NULL);
  ocd_host_set (self, "rtt_var_ms", NULL);
  ocd_host_set (self, "retransmits", NULL);
  g_object_thaw_notify (G_OBJECT (self));
}

static void
on_sampled_gone (gpointer data, GObject *where_it_was)
{
  OcdHost *self = data;

  self->sampled = NULL;
  forget_sampled (self);
}

static void
stop_sampling (OcdHost *self)
{
  if (self->sampled == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->sampled, self);
  g_object_weak_unref (G_OBJECT (self->sampled), on_sampled_gone, self);
  self->sampled = NULL;
}

static void
on_sampled_closed (SoupWebsocketConnection *connection, gpointer data)
{
  OcdHost *self = data;

  stop_sampling (self);
  forget_sampled (self);
}

/* The TCP connection under a WebSocket: libsoup's stream, then TLS (if
 * any), then the socket. */
static GSocket *
socket_of (SoupWebsocketConnection *connection)
{
  GIOStream *stream = soup_websocket_connection_get_io_stream (connection);

  for (guint depth = 0; stream != NULL && depth < 4; depth++)
    {
      GParamSpec *base;
      g_autoptr(GIOStream) next = NULL;

      if (G_IS_SOCKET_CONNECTION (stream))
        return g_socket_connection_get_socket (G_SOCKET_CONNECTION (stream));
      base = g_object_class_find_property (G_OBJECT_GET_CLASS (stream), "base-io-stream");
      if (base == NULL)
        base = g_object_class_find_property (G_OBJECT_GET_CLASS (stream), "base-iostream");
      if (base == NULL || !g_type_is_a (base->value_type, G_TYPE_IO_STREAM))
        return NULL;
      g_object_get (stream, base->name, &next, NULL);
      stream = next;    /* the parent holds it */
    }
  return NULL;
}

static void
sample_tcp (OcdHost *self, SoupWebsocketConnection *connection)
{
  GSocket *socket = socket_of (connection);
  struct tcp_info info = { 0 };
  socklen_t len = sizeof info;
  guint32 segs, retrans;

  if (socket == NULL || soup_websocket_connection_get_state (connection) != SOUP_WEBSOCKET_STATE_OPEN)
    return;
  if (getsockopt (g_socket_get_fd (socket), IPPROTO_TCP, TCP_INFO, &info, &len) < 0)
    {
      g_debug ("TCP_INFO: %s", g_strerror (errno));
      return;
    }

  if (self->sampled != connection)
    {
      stop_sampling (self);
      self->sampled = connection;
      self->segs_out = self->total_retrans = 0;
      g_object_weak_ref (G_OBJECT (connection), on_sampled_gone, self);
      g_signal_connect (connection, "closed", G_CALLBACK (on_sampled_closed), self);
    }

  g_object_freeze_notify (G_OBJECT (self));
  ocd_host_set_number (self, "rtt_ms", g_variant_new_double (info.tcpi_rtt / 1000.0),
                       RTT_JITTER_MS, NUMBER_JITTER);
  ocd_host_set_number (self, "rtt_var_ms", g_variant_new_double (info.tcpi_rttvar / 1000.0),
                       RTT_JITTER_MS, NUMBER_JITTER);
  /* Segments sent since the last heartbeat, and how many of them were sent
   * again (kernels before 4.2 do not count segments). */
  if (len >= offsetof (struct tcp_info, tcpi_segs_out) + sizeof info.tcpi_segs_out)
    {
      segs = info.tcpi_segs_out - self->segs_out;
      retrans = info.tcpi_total_retrans - self->total_retrans;
      if (segs > 0)
        ocd_host_set_number (self, "retransmits",
                             g_variant_new_double (MIN (1.0, retrans / (double) segs)),
                             RETRANSMITS_JITTER, 0);
      self->segs_out = info.tcpi_segs_out;
      self->total_retrans = info.tcpi_total_retrans;
    }
  g_object_thaw_notify (G_OBJECT (self));
}

/* ---- periodic reads -------------------------------------------------- */

static void arm_timer (OcdHost *self, double seconds);

/* TRUE: the next tick has something to read too. */
static gboolean
tick (OcdHost *self)
{
  gboolean again = self->power != NULL;

  g_object_freeze_notify (G_OBJECT (self));
  if (self->wifi != NULL)
    again |= ocd_host_wifi_tick (self->wifi);
  if (self->power != NULL)
    ocd_host_power_tick (self->power);
  again |= ocd_host_clock_tick (self->clock);
  g_object_thaw_notify (G_OBJECT (self));
  return again;
}

static gboolean
on_timer (gpointer data)
{
  OcdHost *self = data;

  self->timer_id = 0;
  if (tick (self))
    arm_timer (self, self->period);
  return G_SOURCE_REMOVE;
}

static void
arm_timer (OcdHost *self, double seconds)
{
  g_clear_handle_id (&self->timer_id, g_source_remove);
  if (self->cancellable == NULL)
    return;   /* not started */
  self->timer_id = g_timeout_add_full (G_PRIORITY_LOW, (guint) MAX (100, seconds * 1000),
                                       on_timer, self, NULL);
}

void
ocd_host_want_ticks (OcdHost *self)
{
  if (self->timer_id == 0)
    arm_timer (self, self->period);
}

void
ocd_host_note_heartbeat (OcdHost                 *self,
                         SoupWebsocketConnection *connection)
{
  gboolean again;

  g_return_if_fail (OCD_IS_HOST (self));

  g_object_freeze_notify (G_OBJECT (self));
  if (connection != NULL)
    sample_tcp (self, connection);
  again = tick (self);
  g_object_thaw_notify (G_OBJECT (self));
  if (again)
    arm_timer (self, self->period * HEARTBEAT_GRACE);
  else
    g_clear_handle_id (&self->timer_id, g_source_remove);
}

/* ---- the route, as Diagnose() found it ---------------------------- */

void
ocd_host_note_route (OcdHost    *self,
                     const char *ipv4,
                     const char *ipv6,
                     const char *dns)
{
  g_return_if_fail (OCD_IS_HOST (self));

  g_object_freeze_notify (G_OBJECT (self));
  ocd_host_set (self, "ipv4", ipv4 != NULL ? g_variant_new_string (ipv4) : NULL);
  ocd_host_set (self, "ipv6", ipv6 != NULL ? g_variant_new_string (ipv6) : NULL);
  ocd_host_set (self, "dns", dns != NULL ? g_variant_new_string (dns) : NULL);
  g_object_thaw_notify (G_OBJECT (self));
}

GDBusConnection *
ocd_host_get_bus (OcdHost *self)
{
  return self->bus;
}

OcdHostWifi *
ocd_host_get_wifi (OcdHost *self)
{
  return self->wifi;
}

/* ---- start ----------------------------------------------------------- */

static void
on_bus (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GError) error = NULL;
  GDBusConnection *bus = g_bus_get_finish (result, &error);
  OcdHost *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = data;
  if (bus == NULL)
    g_message ("No bus to ask NetworkManager and timedated on (%s)", error->message);
  self->bus = bus;
  g_object_freeze_notify (G_OBJECT (self));
  self->wifi = ocd_host_wifi_new (self, bus);
  if (bus != NULL)
    ocd_host_clock_start (self->clock, bus);
  g_object_thaw_notify (G_OBJECT (self));
}

void
ocd_host_start (OcdHost  *self,
                GBusType  bus_type)
{
  g_return_if_fail (OCD_IS_HOST (self));
  g_return_if_fail (self->cancellable == NULL);

  self->cancellable = g_cancellable_new ();
  self->power = ocd_host_power_new (self);
  if (!ocd_host_power_found (self->power))
    g_clear_pointer (&self->power, ocd_host_power_free);
  else
    arm_timer (self, self->period);
  g_bus_get (bus_type, self->cancellable, on_bus, self);
}

OcdHost *
ocd_host_new (const OcdConfig *config)
{
  OcdHost *self = g_object_new (OCD_TYPE_HOST, NULL);
  /* As the official agents, and libcurl, read them. */
  static const char * const proxy_variables[] = {
    "https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY",
  };
  const char *proxy = config->proxy;

  self->period = config->heartbeat_interval;
  for (guint i = 0; (proxy == NULL || *proxy == '\0') && i < G_N_ELEMENTS (proxy_variables); i++)
    proxy = g_getenv (proxy_variables[i]);
  self->proxy = ocd_host_redact_proxy (proxy);
  if (self->proxy != NULL)
    ocd_host_set (self, "proxy", g_variant_new_string (self->proxy));
  return self;
}

static void
ocd_host_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  OcdHost *self = OCD_HOST (object);

  switch (prop_id)
    {
    case PROP_CONTEXT: g_value_set_variant (value, ocd_host_get_context (self)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ocd_host_finalize (GObject *object)
{
  OcdHost *self = OCD_HOST (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->timer_id, g_source_remove);
  stop_sampling (self);
  g_clear_pointer (&self->wifi, ocd_host_wifi_free);
  g_clear_pointer (&self->power, ocd_host_power_free);
  g_clear_pointer (&self->clock, ocd_host_clock_free);
  g_clear_object (&self->bus);
  g_hash_table_destroy (self->keys);
  g_clear_pointer (&self->context, g_variant_unref);
  g_clear_pointer (&self->history, ocd_host_history_free);
  g_free (self->proxy);
  G_OBJECT_CLASS (ocd_host_parent_class)->finalize (object);
}

static void
ocd_host_class_init (OcdHostClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = ocd_host_get_property;
  object_class->finalize = ocd_host_finalize;
  object_class->notify = ocd_host_notify;

  props[PROP_CONTEXT] = g_param_spec_variant ("context", NULL, NULL, G_VARIANT_TYPE_VARDICT, NULL,
                                              G_PARAM_READABLE | G_PARAM_STATIC_STRINGS |
                                              G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
ocd_host_init (OcdHost *self)
{
  self->keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                      (GDestroyNotify) g_variant_unref);
  self->clock = ocd_host_clock_new (self);
  self->history = ocd_host_history_new ();
}
