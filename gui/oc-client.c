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
#include <string.h>

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
  OcdConnect1  *proxy;          /* the root: the host's, printer 1's */
  GCancellable *report_cancellable;
  GDBusObjectManager *printers; /* the daemon's /io/obico/Connect1/Printer/N */
  OcdConnect1  *selected;       /* one printer of several, NULL: the root */
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
  PRINTERS_CHANGED,
  N_SIGNALS
};

#define PRINTER_INTERFACE OBICO_INTERFACE ".Printer"

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
  if (oc_client_get_proxy (self) != NULL)
    ocd_connect1_call_get_report (oc_client_get_proxy (self), self->report_cancellable, get_report_cb, self);
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
set_selected (OcClient    *self,
              OcdConnect1 *printer)
{
  if (self->selected == printer)
    return;
  if (self->selected != NULL)
    g_signal_handlers_disconnect_by_data (self->selected, self);
  g_set_object (&self->selected, printer);
  if (printer != NULL)
    g_signal_connect_swapped (printer, "g-properties-changed", G_CALLBACK (on_properties_changed), self);
  g_clear_pointer (&self->agent, oc_agent_free);
  refresh_agent (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PROXY]);
  emit_changed (self);
}

static gint
compare_printers (gconstpointer a, gconstpointer b)
{
  const char *x = g_dbus_proxy_get_object_path (*(GDBusProxy * const *) a);
  const char *y = g_dbus_proxy_get_object_path (*(GDBusProxy * const *) b);
  guint64 nx = g_ascii_strtoull (strrchr (x, '/') + 1, NULL, 10);
  guint64 ny = g_ascii_strtoull (strrchr (y, '/') + 1, NULL, 10);

  return nx < ny ? -1 : nx > ny;
}

/* The printers of a host with several, by their number; empty with one. */
GPtrArray *
oc_client_get_printers (OcClient *self)
{
  GPtrArray *printers = g_ptr_array_new_with_free_func (g_object_unref);
  GList *objects;

  g_return_val_if_fail (OC_IS_CLIENT (self), printers);

  if (self->printers == NULL || self->proxy == NULL)
    return printers;
  objects = g_dbus_object_manager_get_objects (self->printers);
  for (GList *l = objects; l != NULL; l = l->next)
    {
      GDBusInterface *iface = g_dbus_object_get_interface (l->data, PRINTER_INTERFACE);

      if (iface != NULL && OCD_IS_CONNECT1 (iface))
        g_ptr_array_add (printers, iface);
      else
        g_clear_object (&iface);
    }
  g_list_free_full (objects, g_object_unref);
  if (printers->len < 2)
    g_ptr_array_set_size (printers, 0);
  g_ptr_array_sort (printers, compare_printers);
  return printers;
}

/* Shows @printer (one of oc_client_get_printers()) everywhere in the app,
 * NULL the host's root object. */
void
oc_client_select_printer (OcClient    *self,
                          OcdConnect1 *printer)
{
  g_return_if_fail (OC_IS_CLIENT (self));

  set_selected (self, printer);
}

/* The selected printer, NULL when the root is shown. */
OcdConnect1 *
oc_client_get_selected (OcClient *self)
{
  g_return_val_if_fail (OC_IS_CLIENT (self), NULL);

  return self->selected;
}

static void
on_printers_changed (OcClient *self)
{
  g_autoptr(GPtrArray) printers = oc_client_get_printers (self);

  /* a printer that went (or a host down to one) shows the root again; on
   * a host with several, the app shows one printer: the first at first */
  if (self->selected != NULL && !g_ptr_array_find (printers, self->selected, NULL))
    set_selected (self, NULL);
  if (self->selected == NULL && printers->len > 1)
    set_selected (self, g_ptr_array_index (printers, 0));
  g_signal_emit (self, signals[PRINTERS_CHANGED], 0);
}

static void
on_printer_properties_changed (GDBusObjectManagerClient *manager,
                               GDBusObjectProxy         *object,
                               GDBusProxy               *interface,
                               GVariant                 *changed,
                               const char *const        *invalidated,
                               OcClient                 *self)
{
  g_signal_emit (self, signals[PRINTERS_CHANGED], 0);
}

static GType
printer_proxy_type (GDBusObjectManagerClient *manager,
                    const char               *object_path,
                    const char               *interface_name,
                    gpointer                  user_data)
{
  if (interface_name == NULL)
    return G_TYPE_DBUS_OBJECT_PROXY;
  /* the same members as the root's: the same proxy, on the other interface */
  if (g_str_equal (interface_name, PRINTER_INTERFACE))
    return OCD_TYPE_CONNECT1_PROXY;
  return G_TYPE_DBUS_PROXY;
}

static void
set_printers (OcClient           *self,
              GDBusObjectManager *printers)
{
  if (self->printers != NULL)
    g_signal_handlers_disconnect_by_data (self->printers, self);
  g_set_object (&self->printers, printers);
  if (printers != NULL)
    {
      g_signal_connect_swapped (printers, "object-added", G_CALLBACK (on_printers_changed), self);
      g_signal_connect_swapped (printers, "object-removed", G_CALLBACK (on_printers_changed), self);
      g_signal_connect (printers, "interface-proxy-properties-changed",
                        G_CALLBACK (on_printer_properties_changed), self);
    }
  on_printers_changed (self);
}

static void
printers_ready_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  OcClient *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDBusObjectManager) printers = g_dbus_object_manager_client_new_finish (result, &error);

  if (printers == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("No printers: %s", error->message);
      return;
    }
  set_printers (self, printers);
}

static void
set_proxy (OcClient    *self,
           OcdConnect1 *proxy)
{
  if (self->proxy == proxy)
    return;

  set_selected (self, NULL);
  if (proxy == NULL)
    set_printers (self, NULL);

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
  g_dbus_object_manager_client_new (g_dbus_proxy_get_connection (G_DBUS_PROXY (proxy)),
                                    G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_DO_NOT_AUTO_START, OBICO_BUS_NAME,
                                    OBICO_OBJECT_PATH, printer_proxy_type, NULL, NULL,
                                    self->proxy_cancellable, printers_ready_cb, self);
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

/* The printer the app shows: the selected one of several, else the root;
 * NULL while the service is not running. */
OcdConnect1 *
oc_client_get_proxy (OcClient *self)
{
  g_return_val_if_fail (OC_IS_CLIENT (self), NULL);

  return self->selected != NULL ? self->selected : self->proxy;
}

/* The root object: the host's members (DebugLogging, GetRecentLog, Host)
 * and printer 1's credentials. NULL while the service is not running. */
OcdConnect1 *
oc_client_get_root (OcClient *self)
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

  OcdConnect1 *proxy = oc_client_get_proxy (self);

  return proxy != NULL ? obico_read_state (ocd_connect1_get_state (proxy)) : OBICO_STATE_UNKNOWN;
}

ObicoRole
oc_client_get_role (OcClient *self)
{
  g_return_val_if_fail (OC_IS_CLIENT (self), OBICO_ROLE_UNKNOWN);

  OcdConnect1 *proxy = oc_client_get_proxy (self);

  return proxy != NULL ? obico_read_role (ocd_connect1_get_role (proxy)) : OBICO_ROLE_UNKNOWN;
}

ObicoProblem
oc_client_get_problem (OcClient *self)
{
  g_return_val_if_fail (OC_IS_CLIENT (self), OBICO_PROBLEM_NONE);

  OcdConnect1 *proxy = oc_client_get_proxy (self);

  return proxy != NULL ? obico_read_problem (ocd_connect1_get_problem (proxy)) : OBICO_PROBLEM_NONE;
}

ObicoWebSocket
oc_client_get_web_socket (OcClient *self)
{
  g_return_val_if_fail (OC_IS_CLIENT (self), OBICO_WEB_SOCKET_UNKNOWN);

  OcdConnect1 *proxy = oc_client_get_proxy (self);

  return proxy != NULL ? obico_read_web_socket (ocd_connect1_get_web_socket (proxy))
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

  stats = oc_client_get_proxy (self) != NULL ? ocd_connect1_get_error_stats (oc_client_get_proxy (self)) : NULL;
  if (stats != NULL)
    g_variant_lookup (stats, "severity", "&s", &severity);

  return obico_read_severity (severity);
}

/* What a call that needs the daemon fails with while it is not running. */
GError *
oc_client_not_running_error (void)
{
  return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED, _("The Obico Connect service is not running."));
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
      g_task_return_error (task, oc_client_not_running_error ());
      g_object_unref (task);
      return;
    }

  /* the selected printer's own (ResetErrors), else the root's (Link, …) */
  g_dbus_proxy_call (G_DBUS_PROXY (g_str_equal (method, "ResetErrors") || g_str_equal (method, "Reconnect")
                                   ? oc_client_get_proxy (self) : self->proxy), method, owned,
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

  /* The printers of a host with several came, went, or changed. */
  signals[PRINTERS_CHANGED] = g_signal_new ("printers-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                            0, NULL, NULL, NULL, G_TYPE_NONE, 0);
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
