/* ocd-link.c — one printer's link: who holds its credentials (the role),
 * the work of that role (the agent role's session and credential check,
 * the watch role's checks, the credentials closed with 4321), and the
 * methods of the bus that read or retry it (Test, Diagnose, GetReport,
 * Reconnect, ResetErrors, RestartAgent).  What the work observes goes to
 * the link's OcdStatus, which decides and publishes State and Problem;
 * the methods that change link.conf are ocd-link-conf.c's. */
#include "config.h"

#define G_LOG_DOMAIN "ocd-link"

#include <glib/gi18n.h>

#include "obico-error.h"
#include "ocd-link-private.h"
#include "ocd-log.h"
#include "ocd-network.h"
#include "ocd-probe.h"
#include "ocd-proxy.h"
#include "ocd-report.h"
#include "ocd-role.h"
#include "ocd-session.h"
#include "ocd-status.h"
#include "ocd-store.h"
#include "ocd-test.h"
#include "ocd-watch.h"

struct _OcdLink
{
  GObject         parent_instance;

  OcdConfig      *config;           /* the daemon's: outlives its links */
  OcdAgents      *agents;           /* the official agents of this host */
  char           *agent_path;       /* a further printer: only this agent's settings */
  OcdStore       *store;            /* link.conf */
  OcdStatus      *status;           /* what is observed, decided and published */
  SoupSession    *soup;
  GCancellable   *cancellable;      /* the current role's work */
  OcdSession     *session;          /* agent role only */
  gboolean        checking_credentials;
  OcdWatch       *watch;            /* watch role only */
  OcdHost        *host;             /* the host's context */
  OcdNetwork     *network;          /* whether this host has a route to the server */
  OcdTest        *test;             /* Test(): one request answers every caller */
  GVariant       *last_diagnose;    /* (sasaa{sv}) of the last Diagnose() */
  /* Credentials the server closed with 4321 (a digest of the server and
   * the token, never the token): no WebSocket with them again until they
   * change, whatever Reconnect or Test ask. */
  char           *shared_key;
  char           *shared_detail;
};

enum {
  PROP_0,
  PROP_DEBUG_LOGGING,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

G_DEFINE_TYPE (OcdLink, ocd_link, G_TYPE_OBJECT)

static const OcdStoreData *
stored (OcdLink *self)
{
  return ocd_store_get (self->store);
}

static const char *
server_url (OcdLink *self)
{
  return ocd_status_get_server_url (self->status);
}

/* In the watch role the agent's token: for REST checks only, never for a
 * WebSocket. */
static const char *
credentials_token (OcdLink *self)
{
  if (self->watch != NULL)
    return ocd_watch_get_token (self->watch);
  return stored (self)->token;
}

/* A digest that names the current role's credentials, NULL without any. */
static char *
credentials_key (OcdLink *self)
{
  const char *token = credentials_token (self);
  g_autofree char *both = NULL;

  if (token == NULL || *token == '\0')
    return NULL;
  both = g_strconcat (server_url (self), "\n", token, NULL);
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, both, -1);
}

static gboolean
credentials_shared (OcdLink *self)
{
  g_autofree char *key = NULL;

  if (self->shared_key == NULL)
    return FALSE;
  key = credentials_key (self);
  return g_strcmp0 (key, self->shared_key) == 0;
}

/* ---- what the role's work observed (ocd-link-private.h) --------------- */

OcdConfig *ocd_link_get_config (OcdLink *self) { return self->config; }
SoupSession *ocd_link_get_soup (OcdLink *self) { return self->soup; }
OcdStore *ocd_link_get_store (OcdLink *self) { return self->store; }
gboolean ocd_link_has_network (OcdLink *self) { return ocd_network_get_reachable (self->network); }

void
ocd_link_note_http (OcdLink           *self,
                    const OcdApiReply *reply)
{
  ocd_status_note_http (self->status, reply);
}

void
ocd_link_note_websocket (OcdLink        *self,
                         ObicoWebSocket  state,
                         const char     *detail)
{
  if (state == OBICO_WEB_SOCKET_SHARED_CREDENTIALS)
    {
      g_free (self->shared_key);
      self->shared_key = credentials_key (self);
      g_free (self->shared_detail);
      self->shared_detail = g_strdup (detail);
    }
  else if (credentials_shared (self))
    {
      /* What another check saw does not undo a 4321 on these credentials. */
      state = OBICO_WEB_SOCKET_SHARED_CREDENTIALS;
      detail = self->shared_detail;
    }
  ocd_status_note_websocket (self->status, state, detail);
}

void
ocd_link_note_attempt (OcdLink    *self,
                       gboolean    error,
                       const char *kind,
                       const char *cause)
{
  ocd_status_note_attempt (self->status, error, kind, cause);
}

void
ocd_link_note_contact (OcdLink *self)
{
  ocd_status_note_contact (self->status);
}

void
ocd_link_note_agent (OcdLink              *self,
                     const OcdStatusAgent *agent)
{
  ocd_status_note_agent (self->status, agent);
}

void
ocd_link_note_app_status (OcdLink        *self,
                          ObicoAppStatus  app_status)
{
  ocd_status_note_app_status (self->status, app_status);
}

/* ---- role ------------------------------------------------------------ */

static void
on_credentials_checked (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(OcdLink) self = data;
  g_autoptr(OcdApiReply) reply = ocd_api_finish (result);

  /* A check of a role that was replaced meanwhile answers nothing. */
  if (g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    return;
  self->checking_credentials = FALSE;
  ocd_status_note_http (self->status, reply);
}

static void
check_credentials (OcdLink *self)
{
  if (self->checking_credentials)
    return;
  self->checking_credentials = TRUE;
  ocd_api_printer_async (self->soup, server_url (self), stored (self)->token, self->config->timeout,
                         self->cancellable, on_credentials_checked, g_object_ref (self));
}

void
ocd_link_refresh_http (OcdLink *self)
{
  if (ocd_status_get_http (self->status) != OBICO_HTTP_OK)
    check_credentials (self);
}

static OcdRoleInputs
role_inputs (OcdLink *self)
{
  const OcdAgent *broken = ocd_agents_get_first_broken (self->agents);
  const OcdAgent *watched = ocd_agents_get_watched (self->agents);

  if (self->agent_path != NULL)
    {
      /* A further printer: its own agent, never link.conf (never opened). */
      watched = ocd_agents_find (self->agents, self->agent_path);
      broken = watched != NULL && watched->error != NULL ? watched : NULL;
      if (!ocd_agents_is_usable (watched))
        watched = NULL;
    }
  /* Said when nobody holds credentials: more than "not linked". */
  ocd_status_set_broken_agent (self->status, broken != NULL ? broken->error : NULL);
  return (OcdRoleInputs) {
    .stored = stored (self),
    .default_server_url = self->config->server_url,
    .agents = ocd_agents_get_all (self->agents),
    .watched = watched,
  };
}

/* Errors carry the host's context, and it names their cause. */
static void
on_host_context (OcdHost *host, GParamSpec *pspec, gpointer data)
{
  OcdLink *self = data;

  ocd_status_note_host (self->status, ocd_host_get_context (host));
}

void
ocd_link_set_host (OcdLink *self,
                   OcdHost *host)
{
  g_set_object (&self->host, host);
  ocd_host_follow_session (host, self->soup);
  g_signal_connect_object (host, "notify::context", G_CALLBACK (on_host_context), self, 0);
  ocd_status_note_host (self->status, ocd_host_get_context (host));
}

OcdHost *
ocd_link_get_host (OcdLink *self)
{
  return self->host;
}

/* No network on this host: State says so and failures are not counted
 * (ocd-status); when it returns, the role's work starts again at once. */
static void
on_network_changed (OcdNetwork *network, gpointer data)
{
  OcdLink *self = data;
  gboolean reachable = ocd_network_get_reachable (network);

  ocd_status_note_network (self->status, reachable, ocd_network_get_detail (network));
  if (reachable && self->session != NULL)
    ocd_session_network_back (self->session);
  if (reachable && self->watch != NULL)
    ocd_watch_check_now (self->watch);
}

/* Re-reads who holds the credentials and (re)starts the work of that role. */
void
ocd_link_apply_role (OcdLink *self)
{
  OcdRoleInputs in = role_inputs (self);
  OcdRole role;
  g_autofree char *proxy = NULL;
  g_autofree char *shown = NULL;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->checking_credentials = FALSE;
  if (self->session != NULL)
    ocd_session_stop (self->session);
  g_clear_object (&self->session);
  g_clear_object (&self->watch);

  ocd_role_choose (&in, &role);
  proxy = ocd_proxy_for_url (soup_session_get_proxy_resolver (self->soup), role.server_url);
  shown = ocd_proxy_shown (proxy);
  ocd_status_set_proxy (self->status, shown);
  if (role.role == OBICO_ROLE_AGENT)
    ocd_log_add_secret (stored (self)->token);
  if (role.role == OBICO_ROLE_WATCH && role.shared)
    g_warning ("The credentials in %s/link.conf are an official agent's too: only watching, "
               "so that agent keeps its connection", ocd_store_get_dir (self->store));
  ocd_status_start_role (self->status, &role);
  /* The first hop must be reachable: the proxy, when there is one. */
  ocd_network_set_server (self->network, proxy != NULL ? proxy : server_url (self));
  on_network_changed (self->network, self);

  if (role.role == OBICO_ROLE_AGENT)
    {
      g_autofree char *settings = g_build_filename (ocd_store_get_dir (self->store), "link.conf", NULL);
      /* systemd gives each service an INVOCATION_ID */
      gboolean unit = g_getenv ("INVOCATION_ID") != NULL;
      OcdStatusAgent agent = {
        .kind = "obico-connect",
        .settings = settings,
        .unit = unit ? "obico-connectd.service" : NULL,
        .active_state = unit ? "active" : NULL,
        .running = TRUE,
        .version = PACKAGE_VERSION,
      };

      ocd_status_note_agent (self->status, &agent);
      check_credentials (self);
      if (credentials_shared (self))
        {
          /* Opening the socket would knock the other holder off in turn. */
          g_message ("These credentials were closed with 4321: no WebSocket with them until "
                     "the printer is linked again");
          ocd_status_note_websocket (self->status, OBICO_WEB_SOCKET_SHARED_CREDENTIALS,
                                     self->shared_detail);
        }
      else
        {
          self->session = ocd_session_new (self, server_url (self), stored (self)->token);
          ocd_session_start (self->session);
        }
    }
  else if (role.role == OBICO_ROLE_WATCH)
    {
      self->watch = ocd_watch_new (self, self->agents, role.agent);
      if (credentials_shared (self))
        ocd_status_note_websocket (self->status, OBICO_WEB_SOCKET_SHARED_CREDENTIALS,
                                   self->shared_detail);
    }
}

static void
on_agents_changed (OcdAgents *agents, gpointer data)
{
  OcdLink *self = data;
  OcdRoleInputs in = role_inputs (self);
  OcdRole role;

  ocd_role_choose (&in, &role);
  if (role.role == OBICO_ROLE_AGENT && ocd_status_get_role (self->status) == OBICO_ROLE_AGENT)
    return;
  /* Another agent's file changed: the watched one keeps its checks going. */
  if (self->watch != NULL && ocd_watch_is_for (self->watch, in.watched))
    {
      ocd_status_update (self->status);
      return;
    }
  ocd_link_apply_role (self);
}

/* ---- methods --------------------------------------------------------- */

static void
on_test_heard (const OcdApiReply *reply, gpointer data)
{
  ocd_status_note_http (OCD_LINK (data)->status, reply);
}

void
ocd_link_test_async (OcdLink             *self,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, callback, user_data);

  g_task_set_source_tag (task, ocd_link_test_async);
  ocd_test_run (self->test, task, self->soup, server_url (self), credentials_token (self),
                self->config->timeout);
}

GVariant *
ocd_link_test_finish (OcdLink       *self,
                      GAsyncResult  *result,
                      GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
ocd_link_reset_errors (OcdLink *self)
{
  g_message ("Error account reset");
  ocd_status_reset_errors (self->status);
}

void
ocd_link_reconnect (OcdLink *self)
{
  g_message ("Reconnect requested");
  ocd_link_apply_role (self);
}

/* the official agent's lines in GetReport: a screen's worth */
#define AGENT_LOG_LINES 60

static void
on_agent_restarted (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GTask) task = data;
  GError *error = NULL;

  if (ocd_watch_restart_agent_finish (result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
ocd_link_restart_agent_async (OcdLink             *self,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, callback, user_data);

  if (self->watch == NULL)
    {
      g_task_return_new_error (task, OBICO_ERROR, OBICO_ERROR_NOT_SUPPORTED, "%s",
                               _("No official Obico agent keeps this printer's link here, so there is "
                                 "none to restart: obico-connect is the printer's agent itself."));
      return;
    }
  ocd_watch_restart_agent_async (self->watch, on_agent_restarted, g_steal_pointer (&task));
}

gboolean
ocd_link_restart_agent_finish (OcdLink *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

GVariant *
ocd_link_get_report (OcdLink *self)
{
  g_auto(GStrv) agent_log = self->agent_path != NULL
    ? ocd_agents_get_recent_log_of (self->agents, self->agent_path, AGENT_LOG_LINES)
    : ocd_agents_get_recent_log (self->agents, AGENT_LOG_LINES);
  OcdReportInputs in = {
    .state = ocd_status_get_state (self->status),
    .problem = ocd_status_get_problem (self->status),
    .problem_detail = ocd_status_get_problem_detail (self->status),
    .role = ocd_status_get_role (self->status),
    .credential_source = ocd_status_get_credential_source (self->status),
    .server_url = ocd_status_get_server_url (self->status),
    .token = credentials_token (self),
    .stats = ocd_status_get_stats (self->status),
    .last_test = ocd_test_get_last (self->test),
    .last_diagnose = self->last_diagnose,
    .agents = ocd_agents_to_variant_for (self->agents, self->agent_path),
    .agent_log = (const char * const *) agent_log,
    .host = self->host != NULL ? ocd_host_get_context (self->host) : NULL,
    .host_history = self->host != NULL ? ocd_host_get_history (self->host) : NULL,
    .config = self->config,
    .state_dir = ocd_store_get_dir (self->store),
    .debug_logging = stored (self)->debug_logging,
  };

  return ocd_report_build (&in, g_get_real_time ());
}

static void
on_diagnosed (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GTask) task = data;
  OcdLink *self = g_task_get_source_object (task);
  GError *error = NULL;
  GVariant *reply = ocd_probe_diagnose_finish (result, &error);

  if (reply == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_clear_pointer (&self->last_diagnose, g_variant_unref);
  self->last_diagnose = g_variant_ref (reply);
  g_task_return_pointer (task, reply, (GDestroyNotify) g_variant_unref);
}

void
ocd_link_diagnose_async (OcdLink             *self,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  GTask *task = g_task_new (self, NULL, callback, user_data);

  ocd_probe_diagnose_async (self->soup, self->host, server_url (self), credentials_token (self),
                            self->config->timeout, NULL, on_diagnosed, task);
}

GVariant *
ocd_link_diagnose_finish (OcdLink       *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- object ---------------------------------------------------------- */

OcdStatus *
ocd_link_get_status (OcdLink *self)
{
  return self->status;
}

const char *
ocd_link_get_agent_path (OcdLink *self)
{
  return self->agent_path;
}

void
ocd_link_start (OcdLink *self)
{
  if (self->agent_path == NULL)
    {
      ocd_store_open (self->store);
      ocd_log_set_debug (stored (self)->debug_logging || ocd_log_get_debug ());
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_DEBUG_LOGGING]);
    }
  g_signal_connect (self->agents, "changed", G_CALLBACK (on_agents_changed), self);
  ocd_link_apply_role (self);
}

OcdLink *
ocd_link_new (OcdConfig  *config,
              const char *state_dir,
              OcdAgents  *agents)
{
  OcdLink *self = g_object_new (OCD_TYPE_LINK, NULL);
  g_autoptr(GProxyResolver) proxy = NULL;

  self->config = config;
  self->agents = g_object_ref (agents);
  self->store = ocd_store_new (state_dir);
  self->status = ocd_status_new ((gint64) (config->window_hours * 3600 * G_USEC_PER_SEC),
                                 (gint64) (config->unreliable_minutes * 60 * G_USEC_PER_SEC),
                                 config->max_events);
  self->test = ocd_test_new (on_test_heard, self);
  self->soup = ocd_api_session_new (config->timeout);
  /* REST and the WebSocket go through the host's proxy, as the official
   * agents' do ([server] proxy, else https_proxy and the like). */
  proxy = ocd_proxy_resolver_new (config->proxy);
  if (proxy != NULL)
    g_object_set (self->soup, "proxy-resolver", proxy, NULL);
  self->network = ocd_network_new ();
  g_signal_connect (self->network, "changed", G_CALLBACK (on_network_changed), self);
  return self;
}

OcdLink *
ocd_link_new_for_agent (OcdConfig  *config,
                        const char *state_dir,
                        OcdAgents  *agents,
                        const char *agent_path)
{
  OcdLink *self = ocd_link_new (config, state_dir, agents);

  self->agent_path = g_strdup (agent_path);
  return self;
}

static void
ocd_link_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  OcdLink *self = OCD_LINK (object);

  switch (prop_id)
    {
    case PROP_DEBUG_LOGGING: g_value_set_boolean (value, stored (self)->debug_logging); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ocd_link_finalize (GObject *object)
{
  OcdLink *self = OCD_LINK (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->session != NULL)
    ocd_session_stop (self->session);
  g_clear_object (&self->session);
  g_clear_pointer (&self->shared_key, g_free);
  g_clear_pointer (&self->shared_detail, g_free);
  g_clear_object (&self->watch);
  g_signal_handlers_disconnect_by_data (self->agents, self);
  g_clear_object (&self->agents);
  g_clear_pointer (&self->agent_path, g_free);
  g_clear_object (&self->host);
  g_signal_handlers_disconnect_by_data (self->network, self);
  g_clear_object (&self->network);
  g_clear_object (&self->soup);
  g_clear_pointer (&self->test, ocd_test_free);
  g_clear_object (&self->status);
  g_clear_pointer (&self->store, ocd_store_free);
  g_clear_pointer (&self->last_diagnose, g_variant_unref);

  G_OBJECT_CLASS (ocd_link_parent_class)->finalize (object);
}

static void
ocd_link_class_init (OcdLinkClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = ocd_link_get_property;
  object_class->finalize = ocd_link_finalize;

  props[PROP_DEBUG_LOGGING] =
    g_param_spec_boolean ("debug-logging", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
ocd_link_init (OcdLink *self)
{
}
