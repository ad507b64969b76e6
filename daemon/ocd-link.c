/* ocd-link.c — the one owner of link state.  Inputs (HTTP answers, WebSocket
 * events, the error account) are stored as they come; State and Problem are
 * always recomputed from them by one function, update_state(), so there is
 * one place that says what the guide's "Connection to server" row means. */
#include "config.h"

#define G_LOG_DOMAIN "ocd-link"

#include <glib/gi18n.h>
#include <string.h>

#include "ocd-agents.h"
#include "ocd-decide.h"
#include "obico-error.h"
#include "ocd-link-private.h"
#include "ocd-log.h"
#include "ocd-probe.h"
#include "ocd-report.h"
#include "ocd-role.h"
#include "ocd-session.h"
#include "ocd-stats.h"
#include "ocd-test.h"
#include "ocd-verify.h"
#include "ocd-store.h"
#include "obico-url.h"
#include "ocd-watch.h"

/* invalid-credentials this soon after a successful Link() is still-invalid */
#define RELINK_GRACE_USEC (15 * 60 * G_USEC_PER_SEC)

struct _OcdLink
{
  GObject         parent_instance;

  OcdConfig      *config;           /* the daemon's: outlives its links */
  SoupSession    *soup;
  OcdStats       *stats;
  GCancellable   *cancellable;
  OcdSession     *session;          /* agent role only */
  gboolean        checking_credentials;
  OcdWatch       *watch;            /* watch role only */
  OcdAgents      *agents;           /* the official agents' settings */

  OcdStore       *store;            /* link.conf */

  /* published */
  char           *server_url;
  ObicoRole       role;
  char           *credential_source;
  gint64          printer_id;
  char           *printer_name;
  ObicoState      state;
  ObicoProblem    problem;
  char           *problem_detail;
  ObicoHttp       http;
  ObicoWebSocket  websocket;
  gint64          last_contact;
  GVariant       *error_stats;

  /* inputs of update_state() */
  OcdApiFailure   http_failure;     /* why the last exchange got no answer */
  char           *http_detail;
  char           *websocket_detail;
  gint64          linked_at;        /* monotonic µs of the last successful Link() */

  OcdTest        *test;             /* Test(): one request answers every caller */
  gboolean        linking;
  GVariant       *last_diagnose;    /* (sasaa{sv}) of the last Diagnose() */
};

enum {
  PROP_0,
  PROP_SERVER_URL,
  PROP_ROLE,
  PROP_CREDENTIAL_SOURCE,
  PROP_PRINTER_ID,
  PROP_PRINTER_NAME,
  PROP_STATE,
  PROP_PROBLEM,
  PROP_PROBLEM_DETAIL,
  PROP_HTTP,
  PROP_WEB_SOCKET,
  PROP_LAST_CONTACT,
  PROP_ERROR_STATS,
  PROP_DEBUG_LOGGING,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

G_DEFINE_TYPE (OcdLink, ocd_link, G_TYPE_OBJECT)

static void
set_string (OcdLink *self, char **field, const char *value, guint prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), props[prop]);
}

/* The enums: one setter each, so a field keeps its type. */
static void
notify_changed (OcdLink *self, gboolean changed, guint prop)
{
  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), props[prop]);
}

static void
set_role (OcdLink *self, ObicoRole role)
{
  gboolean changed = self->role != role;

  self->role = role;
  notify_changed (self, changed, PROP_ROLE);
}

static void
set_http (OcdLink *self, ObicoHttp http)
{
  gboolean changed = self->http != http;

  self->http = http;
  notify_changed (self, changed, PROP_HTTP);
}

static void
set_websocket (OcdLink *self, ObicoWebSocket websocket)
{
  gboolean changed = self->websocket != websocket;

  self->websocket = websocket;
  notify_changed (self, changed, PROP_WEB_SOCKET);
}

static void
set_int64 (OcdLink *self, gint64 *field, gint64 value, guint prop)
{
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), props[prop]);
}

static void
refresh_error_stats (OcdLink *self)
{
  g_autoptr(GVariant) stats = g_variant_ref_sink (ocd_stats_to_variant (self->stats, g_get_real_time ()));

  if (self->error_stats != NULL && g_variant_equal (self->error_stats, stats))
    return;
  g_clear_pointer (&self->error_stats, g_variant_unref);
  self->error_stats = g_steal_pointer (&stats);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_ERROR_STATS]);
}

/* Gathers what the link observed and publishes the decision. */
static void
update_state (OcdLink *self)
{
  const OcdAgent *broken = ocd_agents_get_first_broken (self->agents);
  OcdDecideInputs in = {
    .role = self->role,
    .http = self->http,
    .unreachable = ocd_api_failure_problem (self->http_failure),
    .http_detail = self->http_detail,
    .websocket = self->websocket,
    .websocket_detail = self->websocket_detail,
    .relinked = self->linked_at != 0 &&
                g_get_monotonic_time () - self->linked_at < RELINK_GRACE_USEC,
    .broken_agent = broken != NULL ? broken->error : NULL,
  };
  g_auto(OcdDecision) out = { 0 };

  ocd_stats_summarize (self->stats, g_get_real_time (), &in.window, NULL);
  ocd_decide (&in, &out);

  g_object_freeze_notify (G_OBJECT (self));
  if (self->state != out.state || self->problem != out.problem)
    g_message ("State %s%s%s", obico_state_to_string (out.state),
               out.problem != OBICO_PROBLEM_NONE ? ", problem " : "",
               obico_problem_to_string (out.problem));
  notify_changed (self, self->state != out.state, PROP_STATE);
  notify_changed (self, self->problem != out.problem, PROP_PROBLEM);
  self->state = out.state;
  self->problem = out.problem;
  set_string (self, &self->problem_detail, out.detail != NULL ? out.detail : "",
              PROP_PROBLEM_DETAIL);
  refresh_error_stats (self);
  g_object_thaw_notify (G_OBJECT (self));
}

/* ---- inputs ---------------------------------------------------------- */

void
ocd_link_note_contact (OcdLink *self)
{
  set_int64 (self, &self->last_contact, g_get_real_time (), PROP_LAST_CONTACT);
}

void
ocd_link_note_attempt (OcdLink    *self,
                       gboolean    error,
                       const char *kind,
                       const char *cause)
{
  ocd_stats_record (self->stats, g_get_real_time (), error, kind, cause);
  update_state (self);
}

void
ocd_link_note_http (OcdLink           *self,
                    const OcdApiReply *reply)
{
  gboolean health = reply->endpoint == OCD_API_ENDPOINT_HEALTH;
  ObicoHttp http;

  switch (reply->outcome)
    {
    case OCD_API_OK:
      http = OBICO_HTTP_OK;
      break;
    case OCD_API_INVALID_CREDENTIALS:
      http = OBICO_HTTP_INVALID_CREDENTIALS;
      break;
    case OCD_API_UNREACHABLE:
      http = OBICO_HTTP_UNREACHABLE;
      break;
    case OCD_API_REJECTED:
    case OCD_API_UNEXPECTED:
    default:
      http = OBICO_HTTP_UNEXPECTED;
      break;
    }

  self->http_failure = reply->failure;
  g_free (self->http_detail);
  self->http_detail = g_strdup (reply->detail);

  g_object_freeze_notify (G_OBJECT (self));
  if (reply->outcome == OCD_API_OK || reply->outcome == OCD_API_INVALID_CREDENTIALS)
    ocd_link_note_contact (self);
  /* The official account: 401 is an answer, not a server error. */
  ocd_stats_record (self->stats, g_get_real_time (),
                    reply->outcome == OCD_API_UNREACHABLE || reply->outcome == OCD_API_UNEXPECTED,
                    health ? "health" : "credentials",
                    reply->outcome == OCD_API_OK ? "" : reply->detail);
  if (reply->outcome == OCD_API_OK && reply->printer_name != NULL && !health)
    {
      set_int64 (self, &self->printer_id, reply->printer_id, PROP_PRINTER_ID);
      set_string (self, &self->printer_name, reply->printer_name, PROP_PRINTER_NAME);
    }
  /* /hc/ says nothing about credentials: keep what the last check found. */
  if (!(health && reply->outcome == OCD_API_OK &&
        self->http == OBICO_HTTP_INVALID_CREDENTIALS))
    set_http (self, http);
  update_state (self);
  g_object_thaw_notify (G_OBJECT (self));
}

void
ocd_link_note_websocket (OcdLink        *self,
                         ObicoWebSocket  state,
                         const char     *detail)
{
  g_free (self->websocket_detail);
  self->websocket_detail = g_strdup (detail);
  g_object_freeze_notify (G_OBJECT (self));
  set_websocket (self, state);
  update_state (self);
  g_object_thaw_notify (G_OBJECT (self));
}

/* ---- role ------------------------------------------------------------ */

static const OcdStoreData *
stored (OcdLink *self)
{
  return ocd_store_get (self->store);
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

static void check_credentials (OcdLink *self);
static void apply_role (OcdLink *self);

static OcdRoleInputs
role_inputs (OcdLink *self)
{
  return (OcdRoleInputs) {
    .stored = stored (self),
    .default_server_url = self->config->server_url,
    .agents = ocd_agents_get_all (self->agents),
    .watched = ocd_agents_get_watched (self->agents),
  };
}

static void
on_agents_changed (OcdAgents *agents, gpointer data)
{
  OcdLink *self = data;
  OcdRoleInputs in = role_inputs (self);
  OcdRole role;

  ocd_role_choose (&in, &role);
  if (role.role == OBICO_ROLE_AGENT && self->role == OBICO_ROLE_AGENT)
    return;
  /* Another agent's file changed: the watched one keeps its checks going. */
  if (self->watch != NULL && ocd_watch_is_for (self->watch, in.watched))
    {
      update_state (self);
      return;
    }
  apply_role (self);
}

/* Re-reads who holds the credentials and (re)starts the work of that role. */
static void
apply_role (OcdLink *self)
{
  OcdRoleInputs in = role_inputs (self);
  OcdRole role;

  g_object_freeze_notify (G_OBJECT (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->checking_credentials = FALSE;
  if (self->session != NULL)
    ocd_session_stop (self->session);
  g_clear_object (&self->session);
  g_clear_object (&self->watch);

  ocd_role_choose (&in, &role);
  if (role.role == OBICO_ROLE_AGENT)
    ocd_log_add_secret (stored (self)->token);
  if (role.role == OBICO_ROLE_WATCH && role.shared)
    g_warning ("The credentials in %s/link.conf are an official agent's too: only watching, "
               "so that agent keeps its connection", ocd_store_get_dir (self->store));
  set_string (self, &self->server_url, role.server_url, PROP_SERVER_URL);
  set_role (self, role.role);
  set_string (self, &self->credential_source, role.credential_source, PROP_CREDENTIAL_SOURCE);
  set_int64 (self, &self->printer_id, role.printer_id, PROP_PRINTER_ID);
  set_string (self, &self->printer_name, role.printer_name, PROP_PRINTER_NAME);
  set_http (self, OBICO_HTTP_UNKNOWN);
  set_websocket (self, OBICO_WEB_SOCKET_UNKNOWN);
  self->http_failure = OCD_API_FAILURE_NONE;
  g_clear_pointer (&self->http_detail, g_free);
  g_clear_pointer (&self->websocket_detail, g_free);
  update_state (self);
  g_object_thaw_notify (G_OBJECT (self));

  if (role.role == OBICO_ROLE_AGENT)
    {
      check_credentials (self);
      self->session = ocd_session_new (self, self->server_url, stored (self)->token);
      ocd_session_start (self->session);
    }
  else if (role.role == OBICO_ROLE_WATCH)
    self->watch = ocd_watch_new (self, self->agents, role.agent);
}

static void
on_credentials_checked (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(OcdLink) self = data;
  g_autoptr(OcdApiReply) reply = ocd_api_finish (result);

  /* A check of a role that was replaced meanwhile answers nothing. */
  if (g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    return;
  self->checking_credentials = FALSE;
  ocd_link_note_http (self, reply);
}

void
ocd_link_refresh_http (OcdLink *self)
{
  if (self->http != OBICO_HTTP_OK)
    check_credentials (self);
}

static void
check_credentials (OcdLink *self)
{
  if (self->checking_credentials)
    return;
  self->checking_credentials = TRUE;
  ocd_api_printer_async (self->soup, self->server_url, stored (self)->token, self->config->timeout,
                         self->cancellable, on_credentials_checked, g_object_ref (self));
}

/* ---- methods --------------------------------------------------------- */

static void
on_test_heard (const OcdApiReply *reply, gpointer data)
{
  ocd_link_note_http (OCD_LINK (data), reply);
}

void
ocd_link_test_async (OcdLink             *self,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, callback, user_data);

  g_task_set_source_tag (task, ocd_link_test_async);
  ocd_test_run (self->test, task, self->soup, self->server_url, credentials_token (self),
                self->config->timeout);
}

GVariant *
ocd_link_test_finish (OcdLink       *self,
                      GAsyncResult  *result,
                      GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static gboolean
check_not_watching (OcdLink *self, GError **error)
{
  if (self->role != OBICO_ROLE_WATCH)
    return TRUE;
  g_set_error (error, OBICO_ERROR, OBICO_ERROR_READ_ONLY_CREDENTIALS,
               _("This printer's link belongs to the Obico agent configured in %s. Re-link it "
                 "or change its server address in that agent (OctoPrint: Settings → Obico for "
                 "OctoPrint; Klipper: moonraker-obico.cfg), not here."),
               self->credential_source);
  return FALSE;
}

static void
on_verified (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GTask) task = data;
  OcdLink *self = g_task_get_source_object (task);
  g_autoptr(OcdApiReply) reply = ocd_api_finish (result);
  g_auto(OcdStoreData) changed = ocd_store_begin (self->store);
  GError *error = NULL;

  self->linking = FALSE;
  /* A rejected code says nothing about the connection. */
  if (reply->outcome != OCD_API_REJECTED)
    ocd_link_note_attempt (self, reply->outcome != OCD_API_OK, "link",
                           reply->outcome == OCD_API_OK ? "" : reply->detail);
  if (!ocd_verify_judge (reply, &error))
    {
      g_message ("Link failed: %s", error->message);
      g_task_return_error (task, error);
      return;
    }

  ocd_log_add_secret (reply->token);
  g_free (changed.server_url);
  changed.server_url = g_strdup (self->server_url);
  g_free (changed.token);
  changed.token = g_strdup (reply->token);
  changed.printer_id = reply->printer_id;
  g_free (changed.printer_name);
  changed.printer_name = g_strdup (reply->printer_name != NULL ? reply->printer_name : "");
  if (!ocd_store_commit (self->store, &changed, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  g_message ("Linked to printer %" G_GINT64_FORMAT " (%s)", reply->printer_id, reply->printer_name);
  self->linked_at = g_get_monotonic_time ();
  apply_role (self);
  g_task_return_pointer (task, g_variant_ref_sink (g_variant_new ("(xs)", reply->printer_id,
                                                                  stored (self)->printer_name)),
                         (GDestroyNotify) g_variant_unref);
}

void
ocd_link_link_async (OcdLink             *self,
                     const char          *code,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, callback, user_data);
  GError *error = NULL;
  g_autofree char *trimmed = ocd_verify_check_code (code, &error);

  g_task_set_source_tag (task, ocd_link_link_async);
  if (trimmed == NULL || !check_not_watching (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (self->linking)
    {
      g_task_return_new_error (task, OBICO_ERROR, OBICO_ERROR_BUSY,
                               _("The printer is being linked already; wait for that to finish."));
      return;
    }

  self->linking = TRUE;
  g_message ("Linking with a code at %s", self->server_url);
  ocd_api_verify_async (self->soup, self->server_url, trimmed, self->config->timeout, NULL,
                        on_verified, g_steal_pointer (&task));
}

GVariant *
ocd_link_link_finish (OcdLink       *self,
                      GAsyncResult  *result,
                      GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
ocd_link_set_server_url (OcdLink     *self,
                         const char  *url,
                         GError     **error)
{
  g_autofree char *normalized = obico_url_normalize (url, error);
  g_auto(OcdStoreData) changed = { .printer_id = -1 };

  if (normalized == NULL || !check_not_watching (self, error))
    return FALSE;
  if (g_strcmp0 (normalized, self->server_url) == 0 && stored (self)->server_url != NULL)
    return TRUE;

  changed = ocd_store_begin (self->store);
  g_free (changed.server_url);
  changed.server_url = g_strdup (normalized);
  if (!ocd_store_commit (self->store, &changed, error))
    return FALSE;
  g_message ("Server address set to %s", normalized);
  apply_role (self);
  return TRUE;
}

gboolean
ocd_link_unlink (OcdLink  *self,
                 GError  **error)
{
  g_auto(OcdStoreData) changed = { .printer_id = -1 };

  if (!check_not_watching (self, error))
    return FALSE;
  if (stored (self)->token == NULL)
    {
      g_set_error_literal (error, OBICO_ERROR, OBICO_ERROR_NOT_LINKED,
                           _("No printer is linked, so there is nothing to unlink."));
      return FALSE;
    }
  changed = ocd_store_begin (self->store);
  g_clear_pointer (&changed.token, g_free);
  g_clear_pointer (&changed.printer_name, g_free);
  changed.printer_id = -1;
  if (!ocd_store_commit (self->store, &changed, error))
    return FALSE;
  g_message ("Unlinked: the printer's credentials were forgotten");
  self->linked_at = 0;
  apply_role (self);
  return TRUE;
}

gboolean
ocd_link_set_debug_logging (OcdLink   *self,
                            gboolean   enabled,
                            GError   **error)
{
  g_auto(OcdStoreData) changed = { .printer_id = -1 };

  enabled = !!enabled;
  if (stored (self)->debug_logging == enabled)
    return TRUE;
  changed = ocd_store_begin (self->store);
  changed.debug_logging = enabled;
  if (!ocd_store_commit (self->store, &changed, error))
    return FALSE;
  ocd_log_set_debug (enabled);
  g_message ("Debug logging %s", enabled ? "on" : "off");
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_DEBUG_LOGGING]);
  return TRUE;
}

void
ocd_link_reset_errors (OcdLink *self)
{
  ocd_stats_reset (self->stats);
  g_message ("Error account reset");
  update_state (self);
}

void
ocd_link_reconnect (OcdLink *self)
{
  g_message ("Reconnect requested");
  apply_role (self);
}

GVariant *
ocd_link_get_report (OcdLink *self)
{
  OcdReportInputs in = {
    .state = self->state,
    .problem = self->problem,
    .problem_detail = self->problem_detail,
    .role = self->role,
    .credential_source = self->credential_source,
    .server_url = self->server_url,
    .token = credentials_token (self),
    .stats = self->stats,
    .last_test = ocd_test_get_last (self->test),
    .last_diagnose = self->last_diagnose,
    .agents = ocd_agents_to_variant (self->agents),
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

  ocd_probe_diagnose_async (self->soup, self->server_url, credentials_token (self),
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

OcdConfig *ocd_link_get_config (OcdLink *self) { return self->config; }
SoupSession *ocd_link_get_soup (OcdLink *self) { return self->soup; }

void
ocd_link_start (OcdLink *self)
{
  ocd_store_open (self->store);
  ocd_log_set_debug (stored (self)->debug_logging || ocd_log_get_debug ());
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_DEBUG_LOGGING]);
  g_signal_connect (self->agents, "changed", G_CALLBACK (on_agents_changed), self);
  apply_role (self);
}

OcdLink *
ocd_link_new (OcdConfig  *config,
              const char *state_dir,
              OcdAgents  *agents)
{
  OcdLink *self = g_object_new (OCD_TYPE_LINK, NULL);

  self->config = config;
  self->agents = g_object_ref (agents);
  self->store = ocd_store_new (state_dir);
  self->test = ocd_test_new (on_test_heard, self);
  self->soup = ocd_api_session_new (config->timeout);
  self->stats = ocd_stats_new ((gint64) (config->window_hours * 3600 * G_USEC_PER_SEC),
                               config->max_events);
  refresh_error_stats (self);
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
    case PROP_SERVER_URL: g_value_set_string (value, self->server_url); break;
    case PROP_ROLE: g_value_set_enum (value, self->role); break;
    case PROP_CREDENTIAL_SOURCE: g_value_set_string (value, self->credential_source); break;
    case PROP_PRINTER_ID: g_value_set_int64 (value, self->printer_id); break;
    case PROP_PRINTER_NAME: g_value_set_string (value, self->printer_name); break;
    case PROP_STATE: g_value_set_enum (value, self->state); break;
    case PROP_PROBLEM: g_value_set_uint (value, self->problem); break;
    case PROP_PROBLEM_DETAIL: g_value_set_string (value, self->problem_detail); break;
    case PROP_HTTP: g_value_set_enum (value, self->http); break;
    case PROP_WEB_SOCKET: g_value_set_enum (value, self->websocket); break;
    case PROP_LAST_CONTACT: g_value_set_int64 (value, self->last_contact); break;
    case PROP_ERROR_STATS: g_value_set_variant (value, self->error_stats); break;
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
  g_clear_object (&self->watch);
  g_signal_handlers_disconnect_by_data (self->agents, self);
  g_clear_object (&self->agents);
  g_clear_object (&self->soup);
  g_clear_pointer (&self->stats, ocd_stats_free);
  g_clear_pointer (&self->store, ocd_store_free);
  g_free (self->server_url);
  g_free (self->credential_source);
  g_free (self->printer_name);
  g_free (self->problem_detail);
  g_clear_pointer (&self->error_stats, g_variant_unref);
  g_free (self->http_detail);
  g_free (self->websocket_detail);
  g_clear_pointer (&self->test, ocd_test_free);
  g_clear_pointer (&self->last_diagnose, g_variant_unref);

  G_OBJECT_CLASS (ocd_link_parent_class)->finalize (object);
}

static void
ocd_link_class_init (OcdLinkClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->get_property = ocd_link_get_property;
  object_class->finalize = ocd_link_finalize;

  props[PROP_SERVER_URL] = g_param_spec_string ("server-url", NULL, NULL, "", flags);
  props[PROP_ROLE] = g_param_spec_enum ("role", NULL, NULL, OBICO_TYPE_ROLE, OBICO_ROLE_UNLINKED,
                                        flags);
  props[PROP_CREDENTIAL_SOURCE] = g_param_spec_string ("credential-source", NULL, NULL, "", flags);
  props[PROP_PRINTER_ID] = g_param_spec_int64 ("printer-id", NULL, NULL, -1, G_MAXINT64, -1, flags);
  props[PROP_PRINTER_NAME] = g_param_spec_string ("printer-name", NULL, NULL, "", flags);
  props[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, OBICO_TYPE_STATE, OBICO_STATE_UNLINKED,
                                         flags);
  /* An ObicoProblem: NONE is no value of OBICO_TYPE_PROBLEM. */
  props[PROP_PROBLEM] = g_param_spec_uint ("problem", NULL, NULL, 0, G_MAXUINT, OBICO_PROBLEM_NONE,
                                           flags);
  props[PROP_PROBLEM_DETAIL] = g_param_spec_string ("problem-detail", NULL, NULL, "", flags);
  props[PROP_HTTP] = g_param_spec_enum ("http", NULL, NULL, OBICO_TYPE_HTTP, OBICO_HTTP_UNKNOWN, flags);
  props[PROP_WEB_SOCKET] = g_param_spec_enum ("web-socket", NULL, NULL, OBICO_TYPE_WEB_SOCKET,
                                              OBICO_WEB_SOCKET_UNKNOWN, flags);
  props[PROP_LAST_CONTACT] = g_param_spec_int64 ("last-contact", NULL, NULL, 0, G_MAXINT64, 0, flags);
  props[PROP_ERROR_STATS] = g_param_spec_variant ("error-stats", NULL, NULL, G_VARIANT_TYPE_VARDICT,
                                                  NULL, flags);
  props[PROP_DEBUG_LOGGING] = g_param_spec_boolean ("debug-logging", NULL, NULL, FALSE, flags);
  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
ocd_link_init (OcdLink *self)
{
  self->server_url = g_strdup ("");
  self->role = OBICO_ROLE_UNLINKED;
  self->credential_source = g_strdup ("");
  self->printer_id = -1;
  self->printer_name = g_strdup ("");
  self->state = OBICO_STATE_UNLINKED;
  self->problem = OBICO_PROBLEM_NONE;
  self->problem_detail = g_strdup ("");
  self->http = OBICO_HTTP_UNKNOWN;
  self->websocket = OBICO_WEB_SOCKET_UNKNOWN;
}
