/* ocd-status.c — the one owner of a link's published state.  Inputs are
 * stored as they come; State, Problem and ProblemDetail are always
 * recomputed from them by ocd_decide(), so there is one place that says
 * what the guide's "Connection to server" row means.  The properties hold
 * enums (problem as a uint: OBICO_PROBLEM_NONE has no nick); the service
 * turns them into the bus strings.  Whether this host's network excuses a
 * failure (no route, or back and settling) is ocd-status-network's; what
 * is kept of the agent, and the Agent property, ocd-status-agent's. */
#include "config.h"

#define G_LOG_DOMAIN "ocd-status"

#include "ocd-decide.h"
#include "ocd-status.h"
#include "ocd-status-network.h"

/* invalid-credentials this soon after a successful Link() is still-invalid */
#define RELINK_GRACE_USEC (15 * 60 * G_USEC_PER_SEC)

struct _OcdStatus
{
  GObject         parent_instance;

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
  ObicoAppStatus  app_status;

  /* inputs of the decision besides those */
  OcdStats       *stats;
  OcdApiFailure   http_failure;     /* why the last exchange got no answer */
  char           *http_detail;
  char           *websocket_detail;
  gint64          linked_at;        /* monotonic µs of the last successful Link() */
  char           *broken_agent;
  char           *proxy;          /* the proxy the server is reached through (shown), NULL: direct */
  guint           expiry_id;        /* decides again when the recent window moves on */
  ObicoAppStatus  watched_app_status; /* the watch role's inference (ocd-appview) */
  GVariant       *host;             /* the host's context now, NULL: none known */
  GTlsCertificateFlags tls_errors;  /* of the last exchange that got no answer */
  OcdStatusNetwork *network;        /* whether this host's network excuses a failure */
  GVariant       *agent;            /* published: Agent */
  OcdStatusAgentKept agent_kept;    /* what it is made of, and the decision's inputs about it */
  gboolean        app_status_changed;
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
  PROP_APP_STATUS,
  PROP_AGENT,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

G_DEFINE_TYPE (OcdStatus, ocd_status, G_TYPE_OBJECT)

static void
set_string (OcdStatus *self, char **field, const char *value, guint prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), props[prop]);
}

static void
set_int64 (OcdStatus *self, gint64 *field, gint64 value, guint prop)
{
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), props[prop]);
}

/* The enums: a field keeps its type, the notification follows a change. */
static void
notify_if (OcdStatus *self, gboolean changed, guint prop)
{
  if (changed)
    g_object_notify_by_pspec (G_OBJECT (self), props[prop]);
}

static void
set_http (OcdStatus *self, ObicoHttp http)
{
  gboolean changed = self->http != http;

  self->http = http;
  notify_if (self, changed, PROP_HTTP);
}

static void
set_websocket (OcdStatus *self, ObicoWebSocket websocket)
{
  gboolean changed = self->websocket != websocket;

  self->websocket = websocket;
  notify_if (self, changed, PROP_WEB_SOCKET);
}

static void
refresh_error_stats (OcdStatus *self)
{
  g_autoptr(GVariant) stats = g_variant_ref_sink (ocd_stats_to_variant (self->stats, g_get_real_time ()));

  if (self->error_stats != NULL && g_variant_equal (self->error_stats, stats))
    return;
  g_clear_pointer (&self->error_stats, g_variant_unref);
  self->error_stats = g_steal_pointer (&stats);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_ERROR_STATS]);
}

static gboolean
on_recent_expired (gpointer data)
{
  OcdStatus *self = data;

  self->expiry_id = 0;
  ocd_status_update (self);
  return G_SOURCE_REMOVE;
}

/* What the recent window says changes with time alone: decide again when
 * its oldest exchange leaves it. */
static void
schedule_expiry (OcdStatus *self, gint64 now)
{
  gint64 expiry = ocd_stats_recent_expiry (self->stats, now);

  g_clear_handle_id (&self->expiry_id, g_source_remove);
  if (expiry == 0)
    return;
  self->expiry_id = g_timeout_add_full (G_PRIORITY_DEFAULT,
                                        (guint) MIN ((expiry - now) / 1000 + 1, G_MAXUINT / 2),
                                        on_recent_expired, self, NULL);
}

/* What the app shows: the agent role knows it (its session sends a status
 * on connecting and every heartbeat, well within the server's 120 s), the
 * watch role infers it from the official agent's connection. */
static ObicoAppStatus
app_status_now (OcdStatus *self)
{
  if (self->role == OBICO_ROLE_AGENT)
    return self->websocket == OBICO_WEB_SOCKET_CONNECTED ? OBICO_APP_STATUS_ONLINE : OBICO_APP_STATUS_OFFLINE;
  if (self->role == OBICO_ROLE_WATCH)
    return self->watched_app_status;
  return OBICO_APP_STATUS_UNKNOWN;
}

/* The decision reads it: set before deciding, notified with the rest. */
static void
refresh_app_status_value (OcdStatus *self)
{
  ObicoAppStatus app = app_status_now (self);

  self->app_status_changed = self->app_status_changed || self->app_status != app;
  self->app_status = app;
}

static void
refresh_app_status (OcdStatus *self)
{
  if (!self->app_status_changed)
    return;
  self->app_status_changed = FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_APP_STATUS]);
}

/* Agent: what was noted, and in the agent role whether our own WebSocket
 * is connected. */
static void
refresh_agent (OcdStatus *self)
{
  g_autoptr(GVariant) agent =
    g_variant_ref_sink (ocd_status_agent_to_variant (&self->agent_kept, self->role == OBICO_ROLE_AGENT,
                                                     self->websocket == OBICO_WEB_SOCKET_CONNECTED));

  if (self->agent != NULL && g_variant_equal (self->agent, agent))
    return;
  g_clear_pointer (&self->agent, g_variant_unref);
  self->agent = g_steal_pointer (&agent);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_AGENT]);
}

void
ocd_status_update (OcdStatus *self)
{
  OcdDecideInputs in = {
    .role = self->role,
    .http = self->http,
    .unreachable = ocd_api_failure_problem (self->http_failure),
    .http_detail = self->http_detail,
    .websocket = self->websocket,
    .websocket_detail = self->websocket_detail,
    .relinked = self->linked_at != 0 &&
                g_get_monotonic_time () - self->linked_at < RELINK_GRACE_USEC,
    .broken_agent = self->broken_agent,
    .proxy = self->proxy,
    .no_network = ocd_status_network_excuses (self->network),
    .network_detail = ocd_status_network_get_detail (self->network),
    .agent = self->role == OBICO_ROLE_WATCH ? self->agent_kept.health : OCD_AGENT_HEALTH_UNKNOWN,
    .agent_unit = self->agent_kept.unit,
    .agent_state = self->agent_kept.active_state,
    .agent_line = self->agent_kept.line,
  };
  g_auto(OcdDecision) out = { 0 };
  gboolean state_changed, problem_changed;
  gint64 now = g_get_real_time ();

  g_autoptr(GPtrArray) drops = ocd_stats_recent_drops (self->stats, now);

  ocd_stats_summarize_recent (self->stats, now, &in.recent);
  in.host.drops = (GVariant * const *) drops->pdata;
  in.host.n_drops = drops->len;
  in.host.host = self->host;
  in.host.tls_errors = self->tls_errors;
  refresh_app_status_value (self);
  in.app_status = self->app_status;
  ocd_decide (&in, &out);
  schedule_expiry (self, now);

  state_changed = self->state != out.state;
  problem_changed = self->problem != out.problem;
  if (state_changed || problem_changed)
    g_message ("State %s%s%s", obico_state_to_string (out.state),
               out.problem != OBICO_PROBLEM_NONE ? ", problem " : "",
               obico_problem_to_string (out.problem));
  self->state = out.state;
  self->problem = out.problem;
  g_object_freeze_notify (G_OBJECT (self));
  notify_if (self, state_changed, PROP_STATE);
  notify_if (self, problem_changed, PROP_PROBLEM);
  set_string (self, &self->problem_detail, out.detail != NULL ? out.detail : "",
              PROP_PROBLEM_DETAIL);
  refresh_error_stats (self);
  refresh_app_status (self);
  refresh_agent (self);
  g_object_thaw_notify (G_OBJECT (self));
}

/* ---- inputs ---------------------------------------------------------- */

void
ocd_status_start_role (OcdStatus     *self,
                       const OcdRole *role)
{
  g_object_freeze_notify (G_OBJECT (self));
  set_string (self, &self->server_url, role->server_url, PROP_SERVER_URL);
  if (self->role != role->role)
    {
      self->role = role->role;
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_ROLE]);
    }
  set_string (self, &self->credential_source, role->credential_source, PROP_CREDENTIAL_SOURCE);
  set_int64 (self, &self->printer_id, role->printer_id, PROP_PRINTER_ID);
  set_string (self, &self->printer_name, role->printer_name, PROP_PRINTER_NAME);
  set_http (self, OBICO_HTTP_UNKNOWN);
  set_websocket (self, OBICO_WEB_SOCKET_UNKNOWN);
  self->http_failure = OCD_API_FAILURE_NONE;
  self->tls_errors = 0;
  self->watched_app_status = OBICO_APP_STATUS_UNKNOWN;
  ocd_status_agent_forget (&self->agent_kept);
  g_clear_pointer (&self->http_detail, g_free);
  g_clear_pointer (&self->websocket_detail, g_free);
  ocd_status_update (self);
  g_object_thaw_notify (G_OBJECT (self));
}

void
ocd_status_note_contact (OcdStatus *self)
{
  set_int64 (self, &self->last_contact, g_get_real_time (), PROP_LAST_CONTACT);
}

void
ocd_status_note_attempt (OcdStatus  *self,
                         gboolean    error,
                         const char *kind,
                         const char *cause)
{
  if (!error)
    ocd_status_network_answered (self->network);
  if (error && ocd_status_network_excuses (self->network))
    g_debug ("Not counted (no network on this host): %s", cause != NULL ? cause : kind);
  else
    ocd_stats_record (self->stats, g_get_real_time (), error, kind, cause);
  ocd_status_update (self);
}

static ObicoHttp
http_of (OcdApiOutcome outcome)
{
  switch (outcome)
    {
    case OCD_API_OK: return OBICO_HTTP_OK;
    case OCD_API_INVALID_CREDENTIALS: return OBICO_HTTP_INVALID_CREDENTIALS;
    case OCD_API_UNREACHABLE: return OBICO_HTTP_UNREACHABLE;
    case OCD_API_SERVER_ERROR: return OBICO_HTTP_SERVER_ERROR;
    case OCD_API_REJECTED:
    case OCD_API_UNEXPECTED:
    default: return OBICO_HTTP_UNEXPECTED;
    }
}

void
ocd_status_note_http (OcdStatus         *self,
                      const OcdApiReply *reply)
{
  gboolean health = reply->endpoint == OCD_API_ENDPOINT_HEALTH;
  /* /hc/ says only that the server answers, nothing about credentials nor
   * about the printer endpoint's answers: keep what the last check found. */
  gboolean keep = health && reply->outcome == OCD_API_OK &&
                  (self->http == OBICO_HTTP_INVALID_CREDENTIALS || self->http == OBICO_HTTP_UNEXPECTED ||
                   self->http == OBICO_HTTP_SERVER_ERROR);
  /* No answer while this host has no network says nothing of the server. */
  gboolean excused = reply->outcome == OCD_API_UNREACHABLE &&
                     ocd_status_network_excuses (self->network);

  if (!keep)
    {
      self->http_failure = excused ? OCD_API_FAILURE_NONE : reply->failure;
      self->tls_errors = !excused && reply->failure == OCD_API_FAILURE_TLS ? reply->tls_errors : 0;
      g_free (self->http_detail);
      self->http_detail = excused ? NULL : g_strdup (reply->detail);
    }

  g_object_freeze_notify (G_OBJECT (self));
  if (reply->outcome == OCD_API_OK || reply->outcome == OCD_API_INVALID_CREDENTIALS)
    ocd_status_note_contact (self);
  /* The server answered: what it says counts again. */
  if (reply->outcome != OCD_API_UNREACHABLE)
    ocd_status_network_answered (self->network);
  /* The official account: 401 is an answer, not a server error; no answer
   * while this host has no network is not the server's failure. */
  if (excused)
    g_debug ("Not counted (no network on this host): %s", reply->detail);
  else
    ocd_stats_record (self->stats, g_get_real_time (),
                      reply->outcome == OCD_API_UNREACHABLE || reply->outcome == OCD_API_UNEXPECTED ||
                      reply->outcome == OCD_API_SERVER_ERROR,
                      health ? "health" : "credentials",
                      reply->outcome == OCD_API_OK ? "" : reply->detail);
  if (reply->outcome == OCD_API_OK && reply->printer_name != NULL && !health)
    {
      set_int64 (self, &self->printer_id, reply->printer_id, PROP_PRINTER_ID);
      set_string (self, &self->printer_name, reply->printer_name, PROP_PRINTER_NAME);
    }
  if (!keep)
    set_http (self, excused ? OBICO_HTTP_UNKNOWN : http_of (reply->outcome));
  ocd_status_update (self);
  g_object_thaw_notify (G_OBJECT (self));
}

void
ocd_status_note_websocket (OcdStatus      *self,
                           ObicoWebSocket  state,
                           const char     *detail)
{
  /* An upgrade without an answer while this host has no network (or is
   * still settling) says nothing of the server's WebSockets: left unknown,
   * the next check decides, and no websocket-blocked flashes when the
   * network returns and /hc/ answers first. */
  if (state == OBICO_WEB_SOCKET_BLOCKED && ocd_status_network_excuses (self->network))
    {
      g_debug ("Not counted (no network on this host): %s", detail != NULL ? detail : "websocket");
      state = OBICO_WEB_SOCKET_UNKNOWN;
      detail = NULL;
    }
  g_free (self->websocket_detail);
  self->websocket_detail = g_strdup (detail);
  g_object_freeze_notify (G_OBJECT (self));
  set_websocket (self, state);
  ocd_status_update (self);
  g_object_thaw_notify (G_OBJECT (self));
}

void
ocd_status_note_app_status (OcdStatus      *self,
                            ObicoAppStatus  app_status)
{
  self->watched_app_status = app_status;
  ocd_status_update (self);
}

void
ocd_status_note_linked (OcdStatus *self,
                        gboolean   linked)
{
  self->linked_at = linked ? g_get_monotonic_time () : 0;
}

void
ocd_status_note_agent (OcdStatus            *self,
                       const OcdStatusAgent *agent)
{
  ocd_status_agent_keep (&self->agent_kept, agent);
  ocd_status_update (self);
}

void
ocd_status_set_broken_agent (OcdStatus  *self,
                             const char *error)
{
  g_free (self->broken_agent);
  self->broken_agent = g_strdup (error);
}

/* The network is back long enough: what fails now counts again. */
static void
on_settled (gpointer data)
{
  ocd_status_update (data);
}

void
ocd_status_note_network (OcdStatus  *self,
                         gboolean    reachable,
                         const char *detail)
{
  ocd_status_network_note (self->network, reachable, detail);
  ocd_status_update (self);
}

gboolean
ocd_status_get_no_network (OcdStatus *self)
{
  return ocd_status_network_is_down (self->network);
}

void
ocd_status_note_host (OcdStatus *self,
                      GVariant  *context)
{
  if (self->host == context || (self->host != NULL && context != NULL &&
                                g_variant_equal (self->host, context)))
    return;
  g_clear_pointer (&self->host, g_variant_unref);
  self->host = context != NULL ? g_variant_ref_sink (context) : NULL;
  ocd_stats_set_context (self->stats, self->host);
  ocd_status_update (self);
}

void
ocd_status_set_proxy (OcdStatus  *self,
                      const char *proxy)
{
  g_free (self->proxy);
  self->proxy = g_strdup (proxy);
}

void
ocd_status_reset_errors (OcdStatus *self)
{
  ocd_stats_reset (self->stats);
  ocd_status_update (self);
}

/* ---- object ---------------------------------------------------------- */

ObicoRole ocd_status_get_role (OcdStatus *self) { return self->role; }
ObicoState ocd_status_get_state (OcdStatus *self) { return self->state; }
ObicoProblem ocd_status_get_problem (OcdStatus *self) { return self->problem; }
const char *ocd_status_get_problem_detail (OcdStatus *self) { return self->problem_detail; }
ObicoHttp ocd_status_get_http (OcdStatus *self) { return self->http; }
const char *ocd_status_get_server_url (OcdStatus *self) { return self->server_url; }
const char *ocd_status_get_credential_source (OcdStatus *self) { return self->credential_source; }
OcdStats *ocd_status_get_stats (OcdStatus *self) { return self->stats; }
ObicoAppStatus ocd_status_get_app_status (OcdStatus *self) { return self->app_status; }
GVariant *ocd_status_get_agent (OcdStatus *self) { return self->agent; }

OcdStatus *
ocd_status_new (gint64 window_usec,
                gint64 recent_usec,
                guint  max_events)
{
  OcdStatus *self = g_object_new (OCD_TYPE_STATUS, NULL);

  self->stats = ocd_stats_new (window_usec, max_events);
  ocd_stats_set_recent (self->stats, recent_usec);
  self->network = ocd_status_network_new (on_settled, self);
  refresh_error_stats (self);
  return self;
}

static void
ocd_status_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  OcdStatus *self = OCD_STATUS (object);

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
    case PROP_APP_STATUS: g_value_set_enum (value, self->app_status); break;
    case PROP_AGENT: g_value_set_variant (value, self->agent); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ocd_status_finalize (GObject *object)
{
  OcdStatus *self = OCD_STATUS (object);

  g_clear_handle_id (&self->expiry_id, g_source_remove);
  g_clear_pointer (&self->network, ocd_status_network_free);
  g_free (self->server_url);
  g_free (self->credential_source);
  g_free (self->printer_name);
  g_free (self->problem_detail);
  g_clear_pointer (&self->error_stats, g_variant_unref);
  g_clear_pointer (&self->stats, ocd_stats_free);
  g_free (self->http_detail);
  g_free (self->websocket_detail);
  g_free (self->broken_agent);
  g_clear_pointer (&self->host, g_variant_unref);
  g_free (self->proxy);
  g_clear_pointer (&self->agent, g_variant_unref);
  ocd_status_agent_clear (&self->agent_kept);

  G_OBJECT_CLASS (ocd_status_parent_class)->finalize (object);
}

static void
ocd_status_class_init (OcdStatusClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->get_property = ocd_status_get_property;
  object_class->finalize = ocd_status_finalize;

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
  props[PROP_APP_STATUS] = g_param_spec_enum ("app-status", NULL, NULL, OBICO_TYPE_APP_STATUS,
                                              OBICO_APP_STATUS_UNKNOWN, flags);
  props[PROP_AGENT] = g_param_spec_variant ("agent", NULL, NULL, G_VARIANT_TYPE_VARDICT, NULL, flags);
  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
ocd_status_init (OcdStatus *self)
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
  self->app_status = OBICO_APP_STATUS_UNKNOWN;
  self->watched_app_status = OBICO_APP_STATUS_UNKNOWN;
  self->agent = g_variant_ref_sink (g_variant_new ("a{sv}", NULL));
}
