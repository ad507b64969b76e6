/* ocd-service.c — turns D-Bus calls into link requests, nothing more.
 * Properties are bound to the link's, so the skeleton batches every change
 * of one main-loop iteration into a single PropertiesChanged.  This is the
 * boundary where the link's enums become the strings of the bus. */
#include "config.h"

#define G_LOG_DOMAIN "ocd-service"

#include <glib/gi18n.h>

#include "ocd-auth.h"
#include "obico-enums.h"
#include "obico-error.h"
#include "ocd-link-conf.h"
#include "ocd-log.h"
#include "ocd-service.h"

struct _OcdService
{
  OcdConnect1Skeleton parent_instance;
  OcdLink            *link;
};

G_DEFINE_TYPE (OcdService, ocd_service, OCD_TYPE_CONNECT1_SKELETON)

/* The link's status: same type on both sides. */
static const char * const bound_properties[] = {
  "server-url", "credential-source", "printer-id", "printer-name", "problem-detail",
  "last-contact", "error-stats", "agent",
};

/* The link's status: an enum there, its nick on the bus. */
static const char * const enum_properties[] = {
  "role", "state", "http", "web-socket", "app-status",
};

static gboolean
enum_to_nick (GBinding     *binding,
              const GValue *from,
              GValue       *to,
              gpointer      data)
{
  const char *nick = obico_enum_to_string (G_VALUE_TYPE (from), g_value_get_enum (from));

  g_return_val_if_fail (nick != NULL, FALSE);
  g_value_set_string (to, nick);
  return TRUE;
}

static gboolean
problem_to_string (GBinding     *binding,
                   const GValue *from,
                   GValue       *to,
                   gpointer      data)
{
  const char *id = obico_problem_to_string (g_value_get_uint (from));

  g_return_val_if_fail (id != NULL, FALSE);
  g_value_set_string (to, id);
  return TRUE;
}

/* A changing call: authorize first, then run @apply on the link with the
 * invocation. */
typedef void (*ApplyFunc) (OcdLink *link, GDBusMethodInvocation *invocation);

typedef struct {
  OcdLink               *link;
  GDBusMethodInvocation *invocation;
  ApplyFunc              apply;
} AuthCall;

static void
on_authorized (GObject *source, GAsyncResult *result, gpointer data)
{
  AuthCall *call = data;
  g_autoptr(GError) error = NULL;

  if (!ocd_auth_check_finish (result, &error))
    {
      g_message ("%s from %s refused: not authorized",
                 g_dbus_method_invocation_get_method_name (call->invocation),
                 g_dbus_method_invocation_get_sender (call->invocation));
      g_dbus_method_invocation_return_gerror (call->invocation, error);
    }
  else
    call->apply (call->link, call->invocation);
  g_object_unref (call->link);
  g_free (call);
}

static gboolean
authorize_action_then (OcdLink               *link,
                       GDBusMethodInvocation *invocation,
                       const char            *action_id,
                       ApplyFunc              apply)
{
  AuthCall *call = g_new0 (AuthCall, 1);

  call->link = g_object_ref (link);
  call->invocation = invocation;
  call->apply = apply;
  ocd_auth_check_async (invocation, action_id, on_authorized, call);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
authorize_then (OcdLink               *link,
                GDBusMethodInvocation *invocation,
                ApplyFunc              apply)
{
  return authorize_action_then (link, invocation, OCD_AUTH_ACTION_CONFIGURE, apply);
}

/* A change of the credentials or the server address: in the watch role it
 * belongs in the official agent, and the person learns that before polkit
 * asks for a password that could not help. */
static gboolean
authorize_credentials_then (OcdService            *self,
                            GDBusMethodInvocation *invocation,
                            ApplyFunc              apply)
{
  GError *error = NULL;

  if (!ocd_link_check_not_watching (self->link, &error))
    {
      g_dbus_method_invocation_take_error (invocation, error);
      return G_DBUS_METHOD_INVOCATION_HANDLED;
    }
  return authorize_then (self->link, invocation, apply);
}

static void
return_result (GDBusMethodInvocation *invocation, gboolean ok, GError *error)
{
  if (ok)
    g_dbus_method_invocation_return_value (invocation, NULL);
  else
    g_dbus_method_invocation_take_error (invocation, error);
}

static void
return_reply (GDBusMethodInvocation *invocation, GVariant *reply, GError *error)
{
  if (reply == NULL)
    g_dbus_method_invocation_take_error (invocation, error);
  else
    g_dbus_method_invocation_return_value (invocation, reply);
}

/* ---- Link ------------------------------------------------------------ */

static void
on_link_done (GObject *source, GAsyncResult *result, gpointer data)
{
  GDBusMethodInvocation *invocation = data;
  GError *error = NULL;
  g_autoptr(GVariant) reply = ocd_link_link_finish (OCD_LINK (source), result, &error);

  return_reply (invocation, reply, error);
}

static void
apply_link (OcdLink *link, GDBusMethodInvocation *invocation)
{
  const char *code;

  g_variant_get (g_dbus_method_invocation_get_parameters (invocation), "(&s)", &code);
  ocd_link_link_async (link, code, on_link_done, invocation);
}

static gboolean
handle_link (OcdConnect1 *object, GDBusMethodInvocation *invocation, const char *code)
{
  return authorize_credentials_then (OCD_SERVICE (object), invocation, apply_link);
}

/* ---- SetServerUrl, Unlink, SetDebugLogging --------------------------- */

static void
apply_set_server_url (OcdLink *link, GDBusMethodInvocation *invocation)
{
  const char *url;
  GError *error = NULL;

  g_variant_get (g_dbus_method_invocation_get_parameters (invocation), "(&s)", &url);
  gboolean ok = ocd_link_set_server_url (link, url, &error);

  return_result (invocation, ok, error);
}

static gboolean
handle_set_server_url (OcdConnect1 *object, GDBusMethodInvocation *invocation, const char *url)
{
  return authorize_credentials_then (OCD_SERVICE (object), invocation, apply_set_server_url);
}

static void
apply_unlink (OcdLink *link, GDBusMethodInvocation *invocation)
{
  GError *error = NULL;
  gboolean ok = ocd_link_unlink (link, &error);

  return_result (invocation, ok, error);
}

static gboolean
handle_unlink (OcdConnect1 *object, GDBusMethodInvocation *invocation)
{
  return authorize_credentials_then (OCD_SERVICE (object), invocation, apply_unlink);
}

static void
apply_set_debug_logging (OcdLink *link, GDBusMethodInvocation *invocation)
{
  gboolean enabled;
  gboolean ok;
  GError *error = NULL;

  g_variant_get (g_dbus_method_invocation_get_parameters (invocation), "(b)", &enabled);
  ok = ocd_link_set_debug_logging (link, enabled, &error);
  return_result (invocation, ok, error);
}

static gboolean
handle_set_debug_logging (OcdConnect1 *object, GDBusMethodInvocation *invocation, gboolean enabled)
{
  return authorize_then (OCD_SERVICE (object)->link, invocation, apply_set_debug_logging);
}

/* ---- the host's remedies: TurnOffWifiPowerSave, TurnOnNetworkTime ---- */

static void
on_host_act_done (GObject *source, GAsyncResult *result, gpointer data)
{
  GDBusMethodInvocation *invocation = data;
  GError *error = NULL;
  gboolean ok = ocd_host_act_finish (OCD_HOST (source), result, &error);

  return_result (invocation, ok, error);
}

static gboolean
no_host (OcdLink *link, GDBusMethodInvocation *invocation)
{
  if (ocd_link_get_host (link) != NULL)
    return FALSE;
  g_dbus_method_invocation_return_error_literal (invocation, OBICO_ERROR, OBICO_ERROR_HOST_SERVICE_FAILED,
                                                 _("This service does not observe the host."));
  return TRUE;
}

static void
apply_turn_off_wifi_power_save (OcdLink *link, GDBusMethodInvocation *invocation)
{
  if (!no_host (link, invocation))
    ocd_host_turn_off_wifi_power_save (ocd_link_get_host (link), on_host_act_done, invocation);
}

static gboolean
handle_turn_off_wifi_power_save (OcdConnect1 *object, GDBusMethodInvocation *invocation)
{
  return authorize_action_then (OCD_SERVICE (object)->link, invocation, OCD_AUTH_ACTION_WIFI_POWER_SAVE,
                                apply_turn_off_wifi_power_save);
}

static void
apply_turn_on_network_time (OcdLink *link, GDBusMethodInvocation *invocation)
{
  if (!no_host (link, invocation))
    ocd_host_turn_on_network_time (ocd_link_get_host (link), on_host_act_done, invocation);
}

static gboolean
handle_turn_on_network_time (OcdConnect1 *object, GDBusMethodInvocation *invocation)
{
  return authorize_action_then (OCD_SERVICE (object)->link, invocation, OCD_AUTH_ACTION_NETWORK_TIME,
                                apply_turn_on_network_time);
}

/* ---- the methods of every printer: the root's and Printer/N's -------- */

static void
on_test_done (GObject *source, GAsyncResult *result, gpointer data)
{
  GError *error = NULL;
  g_autoptr(GVariant) reply = ocd_link_test_finish (OCD_LINK (source), result, &error);

  return_reply (data, reply, error);
}

static gboolean
handle_test (gpointer object, GDBusMethodInvocation *invocation, OcdLink *link)
{
  ocd_link_test_async (link, on_test_done, invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static void
on_diagnose_done (GObject *source, GAsyncResult *result, gpointer data)
{
  GError *error = NULL;
  g_autoptr(GVariant) reply = ocd_link_diagnose_finish (OCD_LINK (source), result, &error);

  return_reply (data, reply, error);
}

static gboolean
handle_diagnose (gpointer object, GDBusMethodInvocation *invocation, OcdLink *link)
{
  ocd_link_diagnose_async (link, on_diagnose_done, invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_get_report (gpointer object, GDBusMethodInvocation *invocation, OcdLink *link)
{
  g_dbus_method_invocation_return_value (invocation,
                                         g_variant_new ("(@a{sv})", ocd_link_get_report (link)));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_reconnect (gpointer object, GDBusMethodInvocation *invocation, OcdLink *link)
{
  ocd_link_reconnect (link);
  g_dbus_method_invocation_return_value (invocation, NULL);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static void
apply_reset_errors (OcdLink *link, GDBusMethodInvocation *invocation)
{
  ocd_link_reset_errors (link);
  g_dbus_method_invocation_return_value (invocation, NULL);
}

static gboolean
handle_reset_errors (gpointer object, GDBusMethodInvocation *invocation, OcdLink *link)
{
  return authorize_then (link, invocation, apply_reset_errors);
}

static void
on_agent_restarted (GObject *source, GAsyncResult *result, gpointer data)
{
  GDBusMethodInvocation *invocation = data;
  GError *error = NULL;
  gboolean ok = ocd_link_restart_agent_finish (OCD_LINK (source), result, &error);

  return_result (invocation, ok, error);
}

static void
apply_restart_agent (OcdLink *link, GDBusMethodInvocation *invocation)
{
  g_message ("RestartAgent from %s", g_dbus_method_invocation_get_sender (invocation));
  ocd_link_restart_agent_async (link, on_agent_restarted, invocation);
}

static gboolean
handle_restart_agent (gpointer object, GDBusMethodInvocation *invocation, OcdLink *link)
{
  return authorize_action_then (link, invocation, OCD_AUTH_ACTION_RESTART_AGENT, apply_restart_agent);
}

static const struct {
  const char *signal;
  GCallback   handler;
} link_handlers[] = {
  { "handle-test", G_CALLBACK (handle_test) },
  { "handle-diagnose", G_CALLBACK (handle_diagnose) },
  { "handle-get-report", G_CALLBACK (handle_get_report) },
  { "handle-reset-errors", G_CALLBACK (handle_reset_errors) },
  { "handle-reconnect", G_CALLBACK (handle_reconnect) },
  { "handle-restart-agent", G_CALLBACK (handle_restart_agent) },
};

void
ocd_service_handle_link_methods (gpointer  skeleton,
                                 OcdLink  *link)
{
  for (guint i = 0; i < G_N_ELEMENTS (link_handlers); i++)
    g_signal_connect (skeleton, link_handlers[i].signal, link_handlers[i].handler, link);
}

/* ---- the root's own -------------------------------------------------- */

static gboolean
handle_get_recent_log (OcdConnect1 *object, GDBusMethodInvocation *invocation, guint max_lines)
{
  g_auto(GStrv) lines = ocd_log_get_recent (max_lines);

  ocd_connect1_complete_get_recent_log (object, invocation, (const char * const *) lines);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static const struct {
  const char *signal;
  GCallback   handler;
} method_handlers[] = {
  { "handle-get-recent-log", G_CALLBACK (handle_get_recent_log) },
  { "handle-set-server-url", G_CALLBACK (handle_set_server_url) },
  { "handle-link", G_CALLBACK (handle_link) },
  { "handle-unlink", G_CALLBACK (handle_unlink) },
  { "handle-set-debug-logging", G_CALLBACK (handle_set_debug_logging) },
  { "handle-turn-off-wifi-power-save", G_CALLBACK (handle_turn_off_wifi_power_save) },
  { "handle-turn-on-network-time", G_CALLBACK (handle_turn_on_network_time) },
};

/* The properties of one printer that the printer's own interface has too
 * (io.obico.Connect1.Printer): whatever is added to the tables above is
 * bound on both where both have it. */
static const char * const summarized_properties[] = { "state", "problem", "problem-detail" };

static GObject *
source_of (const char *property, OcdStatus *status, GObject *summary)
{
  for (guint i = 0; i < G_N_ELEMENTS (summarized_properties); i++)
    if (g_str_equal (property, summarized_properties[i]))
      return summary;
  return G_OBJECT (status);
}

void
ocd_service_bind_status (gpointer   skeleton,
                         OcdStatus *status,
                         GObject   *summary)
{
  GObjectClass *klass = G_OBJECT_GET_CLASS (skeleton);

  for (guint i = 0; i < G_N_ELEMENTS (bound_properties); i++)
    if (g_object_class_find_property (klass, bound_properties[i]) != NULL)
      g_object_bind_property (source_of (bound_properties[i], status, summary), bound_properties[i],
                              skeleton, bound_properties[i], G_BINDING_SYNC_CREATE);
  for (guint i = 0; i < G_N_ELEMENTS (enum_properties); i++)
    if (g_object_class_find_property (klass, enum_properties[i]) != NULL)
      g_object_bind_property_full (source_of (enum_properties[i], status, summary), enum_properties[i],
                                   skeleton, enum_properties[i], G_BINDING_SYNC_CREATE,
                                   enum_to_nick, NULL, NULL, NULL);
  g_object_bind_property_full (source_of ("problem", status, summary), "problem", skeleton, "problem",
                               G_BINDING_SYNC_CREATE, problem_to_string, NULL, NULL, NULL);
}

OcdService *
ocd_service_new (OcdLink *link,
                 GObject *summary)
{
  OcdService *self = g_object_new (OCD_TYPE_SERVICE, NULL);
  OcdStatus *status = ocd_link_get_status (link);

  self->link = g_object_ref (link);
  ocd_connect1_set_version (OCD_CONNECT1 (self), PACKAGE_VERSION);
  for (guint i = 0; i < G_N_ELEMENTS (method_handlers); i++)
    g_signal_connect (self, method_handlers[i].signal, method_handlers[i].handler, NULL);
  ocd_service_handle_link_methods (self, link);
  ocd_service_bind_status (self, status, summary != NULL ? summary : G_OBJECT (status));
  g_object_bind_property (link, "debug-logging", self, "debug-logging", G_BINDING_SYNC_CREATE);
  if (ocd_link_get_host (link) != NULL)
    g_object_bind_property (ocd_link_get_host (link), "context", self, "host", G_BINDING_SYNC_CREATE);
  return self;
}

static void
ocd_service_finalize (GObject *object)
{
  OcdService *self = OCD_SERVICE (object);

  g_clear_object (&self->link);
  G_OBJECT_CLASS (ocd_service_parent_class)->finalize (object);
}

static void
ocd_service_class_init (OcdServiceClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ocd_service_finalize;
}

static void
ocd_service_init (OcdService *self)
{
}
