/* oc-client.c — the app's side of the bus: the daemon's proxy, for as long as it runs
 *
 * The daemon may start and stop at any time: the bus name is watched, a proxy
 * made whenever it appears and dropped when it vanishes; without a proxy the
 * service is not running, and the window says so. The daemon's properties
 * are read here into common/'s enums, once, for everyone in the app.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "oc-client"

#include "config.h"

#include <glib/gi18n.h>

#include "obico-error.h"
#include "obico-names.h"
#include "oc-client.h"

/* Link waits for the server; TEST alone is bounded by the daemon's 10 s */
#define CALL_TIMEOUT_MS 60000
/* a change may wait for a person to answer polkit's password prompt */
#define CHANGE_TIMEOUT_MS (5 * 60 * 1000)

struct _OcClient
{
  GObject       parent_instance;

  GBusType      bus_type;
  guint         watch_id;
  GCancellable *proxy_cancellable;
  OcdConnect1  *proxy;
  GCancellable *report_cancellable;
  OcAgent      *agent;          /* from GetReport's agents */
};

G_DEFINE_FINAL_TYPE (OcClient, oc_client, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PROXY,
  N_PROPS
};

enum {
  CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
emit_changed (OcClient *self)
{
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
get_report_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  OcClient *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) report = NULL;

  if (!ocd_connect1_call_get_report_finish (OCD_CONNECT1 (object), &report, result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_debug ("No report: %s", error->message);
    }

  g_clear_pointer (&self->agent, oc_agent_free);
  self->agent = oc_agent_from_report (report);
  emit_changed (self);
}

/* Which official agent there is: asked when the daemon appears and whenever
 * who holds the credentials may have changed. */
static void
refresh_agent (OcClient *self)
{
  g_cancellable_cancel (self->report_cancellable);
  g_set_object (&self->report_cancellable, g_cancellable_new ());
  if (self->proxy != NULL)
    ocd_connect1_call_get_report (self->proxy, self->report_cancellable, get_report_cb, self);
}

static void
on_properties_changed (OcClient   *self,
                       GVariant   *changed,
                       const char *const *invalidated)
{
  GVariantDict dict;

  g_variant_dict_init (&dict, changed);
  if (g_variant_dict_contains (&dict, "Role") || g_variant_dict_contains (&dict, "CredentialSource") ||
      g_variant_dict_contains (&dict, "State"))
    refresh_agent (self);
  g_variant_dict_clear (&dict);
  emit_changed (self);
}

static void
set_proxy (OcClient    *self,
           OcdConnect1 *proxy)
{
  if (self->proxy == proxy)
    return;

  if (self->proxy != NULL)
    g_signal_handlers_disconnect_by_data (self->proxy, self);
  g_set_object (&self->proxy, proxy);
  g_clear_pointer (&self->agent, oc_agent_free);
  if (proxy != NULL)
    g_signal_connect_swapped (proxy, "g-properties-changed", G_CALLBACK (on_properties_changed), self);
  refresh_agent (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROXY]);
  emit_changed (self);
}

static void
proxy_ready_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  OcClient *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(OcdConnect1) proxy = ocd_connect1_proxy_new_finish (result, &error);

  if (proxy == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Cannot talk to %s: %s", OBICO_BUS_NAME, error->message);
      return;
    }

  g_dbus_proxy_set_default_timeout (G_DBUS_PROXY (proxy), CALL_TIMEOUT_MS);
  set_proxy (self, proxy);
}

static void
daemon_appeared (GDBusConnection *connection,
                 const char      *name,
                 const char      *owner,
                 gpointer         user_data)
{
  OcClient *self = user_data;

  g_cancellable_cancel (self->proxy_cancellable);
  g_set_object (&self->proxy_cancellable, g_cancellable_new ());
  ocd_connect1_proxy_new (connection, G_DBUS_PROXY_FLAGS_NONE, OBICO_BUS_NAME, OBICO_OBJECT_PATH,
                          self->proxy_cancellable, proxy_ready_cb, self);
}

static void
daemon_vanished (GDBusConnection *connection,
                 const char      *name,
                 gpointer         user_data)
{
  OcClient *self = user_data;

  g_cancellable_cancel (self->proxy_cancellable);
  set_proxy (self, NULL);
}

/* Watches the daemon's name; on the system bus D-Bus activation starts the
 * service if it is installed. */
void
oc_client_start (OcClient *self)
{
  g_return_if_fail (OC_IS_CLIENT (self));
  g_return_if_fail (self->watch_id == 0);

  self->watch_id = g_bus_watch_name (self->bus_type, OBICO_BUS_NAME, G_BUS_NAME_WATCHER_FLAGS_AUTO_START,
                                     daemon_appeared, daemon_vanished, self, NULL);
}

void
oc_client_stop (OcClient *self)
{
  g_return_if_fail (OC_IS_CLIENT (self));

  g_clear_handle_id (&self->watch_id, g_bus_unwatch_name);
  g_cancellable_cancel (self->proxy_cancellable);
  set_proxy (self, NULL);
}

GBusType
oc_client_get_bus_type (OcClient *self)
{
  g_return_val_if_fail (OC_IS_CLIENT (self), G_BUS_TYPE_SYSTEM);

  return self->bus_type;
}

/* NULL while the service is not running. */
OcdConnect1 *
oc_client_get_proxy (OcClient *self)
{
  g_return_val_if_fail (OC_IS_CLIENT (self), NULL);

  return self->proxy;
}

/* The daemon answers: a proxy whose name has an owner. Between the owner
 * going and the watch saying so, the proxy has no properties left. */
gboolean
oc_client_get_running (OcClient *self)
{
  g_autofree char *owner = NULL;

  g_return_val_if_fail (OC_IS_CLIENT (self), FALSE);

  if (self->proxy == NULL)
    return FALSE;
  owner = g_dbus_proxy_get_name_owner (G_DBUS_PROXY (self->proxy));

  return owner != NULL;
}

ObicoState
oc_client_get_state (OcClient *self)
{
  g_return_val_if_fail (OC_IS_CLIENT (self), OBICO_STATE_UNKNOWN);

  return self->proxy != NULL ? obico_read_state (ocd_connect1_get_state (self->proxy)) : OBICO_STATE_UNKNOWN;
}

ObicoRole
oc_client_get_role (OcClient *self)
{
  g_return_val_if_fail (OC_IS_CLIENT (self), OBICO_ROLE_UNKNOWN);

  return self->proxy != NULL ? obico_read_role (ocd_connect1_get_role (self->proxy)) : OBICO_ROLE_UNKNOWN;
}

ObicoProblem
oc_client_get_problem (OcClient *self)
{
  g_return_val_if_fail (OC_IS_CLIENT (self), OBICO_PROBLEM_NONE);

  return self->proxy != NULL ? obico_read_problem (ocd_connect1_get_problem (self->proxy)) : OBICO_PROBLEM_NONE;
}

ObicoWebSocket
oc_client_get_web_socket (OcClient *self)
{
  g_return_val_if_fail (OC_IS_CLIENT (self), OBICO_WEB_SOCKET_UNKNOWN);

  return self->proxy != NULL ? obico_read_web_socket (ocd_connect1_get_web_socket (self->proxy))
                             : OBICO_WEB_SOCKET_UNKNOWN;
}

/* The official agent on this host (the watched one, else one installed), or
 * NULL: none, or not known yet. */
const OcAgent *
oc_client_get_agent (OcClient *self)
{
  g_return_val_if_fail (OC_IS_CLIENT (self), NULL);

  return self->agent;
}

/* Whether the app may link this printer itself: not in the watch role (the
 * agent's link), and not where an official agent is installed (linking
 * obico-connect would add a second printer for the same machine). */
gboolean
oc_client_get_can_link (OcClient *self)
{
  g_return_val_if_fail (OC_IS_CLIENT (self), FALSE);

  return oc_client_get_role (self) != OBICO_ROLE_WATCH && self->agent == NULL;
}

/* ErrorStats' band */
ObicoSeverity
oc_client_get_severity (OcClient *self)
{
  GVariant *stats;
  const char *severity = NULL;

  g_return_val_if_fail (OC_IS_CLIENT (self), OBICO_SEVERITY_UNKNOWN);

  stats = self->proxy != NULL ? ocd_connect1_get_error_stats (self->proxy) : NULL;
  if (stats != NULL)
    g_variant_lookup (stats, "severity", "&s", &severity);

  return obico_read_severity (severity);
}

static void
change_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  GVariant *reply = g_dbus_proxy_call_finish (G_DBUS_PROXY (object), result, &error);

  if (reply == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, reply, (GDestroyNotify) g_variant_unref);
}

/* A method that changes something (Link, SetServerUrl, Unlink, ResetErrors,
 * SetDebugLogging): the daemon asks polkit, and the call lets polkit ask the
 * person (a desktop's agent shows its password prompt) instead of refusing
 * outright.  Every change from the app goes through here. */
void
oc_client_change (OcClient            *self,
                  const char          *method,
                  GVariant            *parameters,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  g_autoptr(GVariant) owned = parameters != NULL ? g_variant_ref_sink (parameters) : NULL;
  GTask *task;

  g_return_if_fail (OC_IS_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, oc_client_change);
  if (self->proxy == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                               _("The Obico Connect service is not running."));
      g_object_unref (task);
      return;
    }

  g_dbus_proxy_call (G_DBUS_PROXY (self->proxy), method, owned,
                     G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION, CHANGE_TIMEOUT_MS,
                     cancellable, change_cb, task);
}

/* The method's reply (a tuple of its out arguments), or NULL and @error. */
GVariant *
oc_client_change_finish (OcClient      *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
oc_client_dispose (GObject *object)
{
  OcClient *self = OC_CLIENT (object);

  oc_client_stop (self);
  g_cancellable_cancel (self->report_cancellable);
  g_clear_object (&self->report_cancellable);
  g_clear_object (&self->proxy_cancellable);

  G_OBJECT_CLASS (oc_client_parent_class)->dispose (object);
}

static void
oc_client_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  OcClient *self = OC_CLIENT (object);

  switch (prop_id)
    {
    case PROP_PROXY:
      g_value_set_object (value, self->proxy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
oc_client_class_init (OcClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = oc_client_dispose;
  object_class->get_property = oc_client_get_property;

  /* The daemon's proxy; NULL while the service is not running. */
  properties[PROP_PROXY] =
    g_param_spec_object ("proxy", NULL, NULL,
                         OCD_TYPE_CONNECT1,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The daemon's properties changed, or the daemon came or went. */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /* The daemon's errors arrive as OBICO_ERROR codes only once the domain
   * is registered on this side. */
  obico_error_quark ();
}

static void
oc_client_init (OcClient *self)
{
}

/* Watches nothing until oc_client_start(). */
OcClient *
oc_client_new (GBusType bus_type)
{
  OcClient *self = g_object_new (OC_TYPE_CLIENT, NULL);

  self->bus_type = bus_type;

  return self;
}
