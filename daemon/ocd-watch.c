/* ocd-watch.c — three safe checks, each on its own schedule like
 * NetworkManager's connectivity check: the normal interval while all is
 * well, 5 s after a failure, then doubling back up to the interval.  The
 * next run is planned from the previous plan, not from when a check ended,
 * so the cadence does not drift. */
#include "config.h"

#define G_LOG_DOMAIN "ocd-watch"

#include <glib/gi18n.h>
#include <sys/stat.h>

#include "obico-error.h"
#include "ocd-agent-unit.h"
#include "ocd-api.h"
#include "ocd-decide.h"
#include "ocd-appview.h"
#include "ocd-link-private.h"
#include "ocd-watch.h"

#define RETRY_FIRST_SECONDS 5.0

/* What /hc/ last gave, unless another HTTP status. */
#define HEALTH_NO_ANSWER 0
#define HEALTH_OKAY      (G_MAXUINT - 2)
#define HEALTH_NOT_HTTP  (G_MAXUINT - 1)
#define HEALTH_NOT_ASKED G_MAXUINT

typedef struct _Check Check;

struct _Check
{
  OcdWatch   *watch;
  const char *name;
  double      interval;        /* s */
  gint64      due;             /* monotonic µs of the next run */
  guint       failures;
  guint       source_id;
  gboolean    running;
  void      (*run) (Check *check);
};

enum {
  CHECK_HEALTH,
  CHECK_CREDENTIALS,
  CHECK_WEBSOCKET,
  N_CHECKS
};

struct _OcdWatch
{
  GObject       parent_instance;

  OcdLink      *link;          /* owns us */
  OcdAgents    *agents;
  gulong        log_event_id;
  GCancellable *cancellable;
  char         *path;
  char         *server_url;
  char         *token;
  double        timeout;
  gboolean      shared;        /* the agent's log said 4321: sticks until re-linked */
  guint         last_health;   /* HTTP status of the last /hc/ answer, or HEALTH_* */
  Check         checks[N_CHECKS];
  OcdAppView   *app_view;      /* what the app shows, from the agent's own connection */
  OcdAgentUnit *unit;          /* whether the agent runs: its service, else its process */
  OcdAgentKind  kind;
  char         *log_path;
  char         *last_line;     /* its last log line about its link */
  OcdAppVerdict verdict;
  gboolean      have_verdict;
};

G_DEFINE_TYPE (OcdWatch, ocd_watch, G_TYPE_OBJECT)

static gboolean on_check_due (gpointer data);
static void publish_agent (OcdWatch *self);

static void
arm (Check *check)
{
  gint64 delay_ms = MAX (0, (check->due - g_get_monotonic_time ()) / 1000);

  g_clear_handle_id (&check->source_id, g_source_remove);
  /* Long waits may be coalesced with other wake-ups, like
   * g_timeout_add_seconds(); short ones (retries, tests) are exact. */
  if (delay_ms >= 10000)
    check->source_id = g_timeout_add_seconds ((guint) ((delay_ms + 500) / 1000), on_check_due, check);
  else
    check->source_id = g_timeout_add ((guint) delay_ms, on_check_due, check);
}

static void
check_done (Check *check, gboolean ok)
{
  gint64 now = g_get_monotonic_time ();
  gint64 interval = (gint64) (check->interval * G_USEC_PER_SEC);

  check->running = FALSE;
  if (ok)
    {
      check->failures = 0;
      check->due += interval;
      if (check->due <= now)
        check->due = now + interval;   /* missed (suspend, slow server): start anew */
    }
  else
    {
      double retry = RETRY_FIRST_SECONDS * (1u << MIN (check->failures, 16u));

      check->failures++;
      check->due = now + (gint64) (MIN (retry, check->interval) * G_USEC_PER_SEC);
    }
  arm (check);
}

static gboolean
on_check_due (gpointer data)
{
  Check *check = data;

  check->source_id = 0;
  if (check->running)
    {
      /* The previous one is still out: its end plans the next. */
      return G_SOURCE_REMOVE;
    }
  check->running = TRUE;
  g_debug ("Check %s", check->name);
  check->run (check);
  return G_SOURCE_REMOVE;
}

/* ---- the checks: /hc/, the credentials, an anonymous upgrade ---------- */

/* A check on its way.  It holds no reference to the watcher: once the
 * watcher is gone (cancelled), answers are dropped unread. */
typedef struct {
  GCancellable *cancellable;
  Check        *check;
} Pending;

static Pending *
pending_new (Check *check)
{
  Pending *pending = g_new0 (Pending, 1);

  pending->cancellable = g_object_ref (check->watch->cancellable);
  pending->check = check;
  return pending;
}

static void
pending_free (Pending *pending)
{
  g_object_unref (pending->cancellable);
  g_free (pending);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Pending, pending_free)

/* Runs @check now, unless it is on its way. */
static void
bring_forward (Check *check)
{
  if (check->running)
    return;
  check->due = g_get_monotonic_time ();
  arm (check);
}

/* /hc/ says whether the server answers at all.  Whether it is Obico's, and
 * whether it works, is for the printer endpoint to say, as for the official
 * agents: what /hc/ answers is known only of the open-source server.  So an
 * answer other than "Okay" (or one that is not HTTP) is only logged, and
 * when /hc/'s answer changes, the credential check runs at once to decide. */
static gboolean
note_health (OcdWatch *self, const OcdApiReply *reply)
{
  guint last = self->last_health;

  if (reply->outcome == OCD_API_UNREACHABLE)
    {
      self->last_health = HEALTH_NO_ANSWER;
      ocd_link_note_http (self->link, reply);
      return FALSE;
    }
  self->last_health = reply->outcome == OCD_API_OK ? HEALTH_OKAY
                      : reply->http_status != 0 ? reply->http_status : HEALTH_NOT_HTTP;
  if (reply->outcome == OCD_API_OK)
    ocd_link_note_http (self->link, reply);
  else
    {
      if (self->last_health != last)
        g_message ("/hc/: %s The credential check decides.", reply->detail);
      if (reply->http_status != 0)
        ocd_link_note_contact (self->link);
    }
  /* Not on the first answer: the credential check started with /hc/. */
  if (last != HEALTH_NOT_ASKED && self->last_health != last)
    bring_forward (&self->checks[CHECK_CREDENTIALS]);
  return TRUE;
}

static gboolean
note_upgrade (OcdWatch *self, const OcdApiReply *reply)
{
  gboolean reachable = reply->websocket == OBICO_WEB_SOCKET_REACHABLE;

  ocd_link_note_attempt (self->link, !reachable, "websocket", reachable ? "" : reply->detail);
  if (reachable)
    ocd_link_note_contact (self->link);
  if (!self->shared)
    ocd_link_note_websocket (self->link, reply->websocket, reply->detail);
  return reachable;
}

static void
on_answered (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(Pending) pending = data;
  g_autoptr(OcdApiReply) reply = ocd_api_finish (result);
  OcdWatch *self;
  gboolean ok;

  if (g_cancellable_is_cancelled (pending->cancellable))
    return;
  self = pending->check->watch;
  g_debug ("%s: %s", pending->check->name, reply->detail);
  if (reply->endpoint == OCD_API_ENDPOINT_WEBSOCKET)
    ok = note_upgrade (self, reply);
  else if (reply->endpoint == OCD_API_ENDPOINT_HEALTH)
    ok = note_health (self, reply);
  else
    {
      ocd_link_note_http (self->link, reply);
      ok = reply->outcome == OCD_API_OK;
    }
  check_done (pending->check, ok);
}

static void
run_health (Check *check)
{
  OcdWatch *self = check->watch;

  ocd_api_health_async (ocd_link_get_soup (self->link), self->server_url, self->timeout,
                        self->cancellable, on_answered, pending_new (check));
}

static void
run_credentials (Check *check)
{
  OcdWatch *self = check->watch;

  /* REST with "Authorization: Token": the agent's own checks do the same,
   * and the server keeps no session for it. */
  ocd_api_printer_async (ocd_link_get_soup (self->link), self->server_url, self->token,
                         self->timeout, self->cancellable, on_answered, pending_new (check));
}

static void
run_websocket (Check *check)
{
  OcdWatch *self = check->watch;

  /* Without credentials: the whole point. */
  ocd_api_websocket_async (ocd_link_get_soup (self->link), self->server_url, NULL, self->timeout,
                           self->cancellable, on_answered, pending_new (check));
}

/* ---- what the agent's log says ----------------------------------------- */

static void
on_log_event (OcdAgents        *agents,
              const char       *path,
              OcdAgentLogEvent  event,
              const char       *line,
              gpointer          data)
{
  OcdWatch *self = data;

  if (g_strcmp0 (path, self->path) != 0)
    return;
  switch (event)
    {
    case OCD_AGENT_LOG_SHARED_CREDENTIALS:
      self->shared = TRUE;
      ocd_link_note_attempt (self->link, TRUE, "agent", line);
      ocd_link_note_websocket (self->link, OBICO_WEB_SOCKET_SHARED_CREDENTIALS, line);
      break;
    case OCD_AGENT_LOG_HANDSHAKE:
    case OCD_AGENT_LOG_CONNECTION:
      g_free (self->last_line);
      self->last_line = g_strdup (line);
      ocd_link_note_attempt (self->link, TRUE, "agent", line);
      publish_agent (self);
      break;
    case OCD_AGENT_LOG_NONE:
    default:
      break;
    }
}

/* ---- what the app shows, whether the agent runs ------------------------ */

static gboolean
verdict_connected (const OcdAppVerdict *v)
{
  return v->why == OCD_APPSTATUS_WHY_REPORTING || v->why == OCD_APPSTATUS_WHY_NOT_REPORTING ||
         v->why == OCD_APPSTATUS_WHY_NOT_YET_KNOWN;
}

/* The agent's health from its service (or process) and its connection. */
static void
publish_agent (OcdWatch *self)
{
  gboolean known = FALSE;
  gboolean running = self->unit != NULL && ocd_agent_unit_is_running (self->unit, &known);
  const char *unit = self->unit != NULL ? ocd_agent_unit_get_unit (self->unit) : NULL;
  const char *active = self->unit != NULL ? ocd_agent_unit_get_active_state (self->unit) : NULL;
  gboolean connected = self->have_verdict && verdict_connected (&self->verdict);
  OcdAgentHealth health = OCD_AGENT_HEALTH_UNKNOWN;

  /* Without a unit that says otherwise, a connection is the agent running. */
  if (connected && (unit == NULL || active == NULL))
    running = known = TRUE;
  if (known && !running)
    health = OCD_AGENT_HEALTH_NOT_RUNNING;
  else if (self->have_verdict)
    switch (self->verdict.why)
      {
      case OCD_APPSTATUS_WHY_NO_CONNECTION:
        health = known ? OCD_AGENT_HEALTH_NOT_CONNECTED : OCD_AGENT_HEALTH_UNKNOWN;
        break;
      case OCD_APPSTATUS_WHY_NOT_REPORTING:
        health = OCD_AGENT_HEALTH_NOT_REPORTING;
        break;
      case OCD_APPSTATUS_WHY_REPORTING:
      case OCD_APPSTATUS_WHY_NOT_YET_KNOWN:
        health = OCD_AGENT_HEALTH_OKAY;
        break;
      case OCD_APPSTATUS_WHY_NO_SAMPLE:
      case OCD_APPSTATUS_WHY_QUERY_FAILED:
      case OCD_APPSTATUS_WHY_OTHER_NETNS:
      default:
        health = running ? OCD_AGENT_HEALTH_OKAY : OCD_AGENT_HEALTH_UNKNOWN;
        break;
      }
  {
    OcdStatusAgent agent = {
      .kind = self->kind == OCD_AGENT_OCTOPRINT ? "octoprint-obico" : "moonraker-obico",
      .settings = self->path,
      .unit = unit,
      .active_state = active,
      .running = running,
      .connected = connected,
      .version = self->unit != NULL ? ocd_agent_unit_get_version (self->unit) : NULL,
      .log = self->log_path,
      .line = self->last_line,
      .health = health,
    };

    ocd_link_note_agent (self->link, &agent);
  }
}

static void
on_app_status (const OcdAppVerdict *verdict, gpointer data)
{
  OcdWatch *self = data;
  gboolean was_connected = self->have_verdict && verdict_connected (&self->verdict);

  self->verdict = *verdict;
  self->have_verdict = TRUE;
  /* without systemd, a connection gone may be the process gone */
  if (was_connected && !verdict_connected (verdict) && self->unit != NULL)
    ocd_agent_unit_rescan (self->unit);
  publish_agent (self);
  ocd_link_note_app_status (self->link, verdict->status);
}

static void
on_unit_changed (OcdAgentUnit *unit, gpointer data)
{
  publish_agent (data);
}

static void
on_restarted (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GTask) task = data;
  g_autoptr(GError) error = NULL;
  OcdWatch *self = g_task_get_source_object (task);
  const char *unit = self->unit != NULL ? ocd_agent_unit_get_unit (self->unit) : NULL;

  if (ocd_agent_unit_restart_finish (result, &error))
    g_task_return_boolean (task, TRUE);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED))
    g_task_return_new_error (task, OBICO_ERROR, OBICO_ERROR_NOT_SUPPORTED, "%s",
                             _("No systemd service of the official Obico agent is known, so it cannot be "
                               "restarted from here: start it the way it was installed, or restart the "
                               "printer's computer."));
  else
    g_task_return_new_error (task, OBICO_ERROR, OBICO_ERROR_FAILED,
                             /* TRANSLATORS: %s is a systemd unit, then systemd's own message */
                             _("systemd did not restart %s: %s"), unit != NULL ? unit : "?", error->message);
}

void
ocd_watch_restart_agent_async (OcdWatch            *self,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *task = g_task_new (self, NULL, callback, user_data);

  ocd_agent_unit_restart_async (self->unit, on_restarted, task);
}

gboolean
ocd_watch_restart_agent_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* The agent runs as the user its settings belong to. */
static gint64
agent_uid (const char *path)
{
  struct stat st;

  return stat (path, &st) == 0 ? (gint64) st.st_uid : -1;
}

/* ---- object -------------------------------------------------------------- */

void
ocd_watch_check_now (OcdWatch *self)
{
  gint64 now = g_get_monotonic_time ();

  for (guint i = 0; i < N_CHECKS; i++)
    {
      Check *check = &self->checks[i];

      if (check->running)
        continue;
      check->failures = 0;
      check->due = now;
      arm (check);
    }
}

const char *
ocd_watch_get_token (OcdWatch *self)
{
  return self->token;
}

gboolean
ocd_watch_is_for (OcdWatch *self, const OcdAgent *agent)
{
  return agent != NULL &&
         g_strcmp0 (self->path, agent->path) == 0 &&
         g_strcmp0 (self->server_url, agent->server_url) == 0 &&
         g_strcmp0 (self->token, agent->token) == 0;
}

OcdWatch *
ocd_watch_new (OcdLink        *link,
               OcdAgents      *agents,
               const OcdAgent *agent)
{
  OcdWatch *self = g_object_new (OCD_TYPE_WATCH, NULL);
  OcdConfig *config = ocd_link_get_config (link);
  const double intervals[N_CHECKS] = {
    config->hc_interval, config->credentials_interval, config->websocket_interval
  };
  const char *names[N_CHECKS] = { "health", "credentials", "websocket" };
  void (*runs[N_CHECKS]) (Check *) = { run_health, run_credentials, run_websocket };
  gint64 now = g_get_monotonic_time ();

  self->link = link;
  self->agents = g_object_ref (agents);
  self->path = g_strdup (agent->path);
  self->server_url = g_strdup (agent->server_url);
  self->token = g_strdup (agent->token);
  self->timeout = config->timeout;
  self->log_event_id = g_signal_connect (agents, "log-event", G_CALLBACK (on_log_event), self);
  self->kind = agent->kind;
  self->log_path = g_strdup (agent->log_path);
  self->unit = ocd_agent_unit_new (config->session_bus ? G_BUS_TYPE_SESSION : G_BUS_TYPE_SYSTEM,
                                   agent->kind, agent->path, ocd_agents_get_service (agents, agent->path),
                                   agent_uid (agent->path), config->heartbeat_interval,
                                   on_unit_changed, self);
  self->app_view = ocd_app_view_new (agent->server_url, agent_uid (agent->path), on_app_status, self);
  if (ocd_agents_get_shared_line (agents, agent->path) != NULL)
    {
      g_autofree char *line = g_strdup (ocd_agents_get_shared_line (agents, agent->path));

      on_log_event (agents, agent->path, OCD_AGENT_LOG_SHARED_CREDENTIALS, line, self);
    }

  g_message ("Watching the %s agent of %s (%s): checks only, its WebSocket is left alone",
             ocd_agent_kind_name (agent->kind), agent->path, agent->server_url);
  /* Credentials first: they decide more of the state than /hc/ does. */
  for (guint i = 0; i < N_CHECKS; i++)
    {
      guint order[N_CHECKS] = { CHECK_CREDENTIALS, CHECK_HEALTH, CHECK_WEBSOCKET };
      Check *check = &self->checks[order[i]];

      check->watch = self;
      check->name = names[order[i]];
      check->interval = intervals[order[i]];
      check->run = runs[order[i]];
      check->due = now;
      check->running = TRUE;
      check->run (check);
    }
  return self;
}

static void
ocd_watch_dispose (GObject *object)
{
  OcdWatch *self = OCD_WATCH (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_pointer (&self->app_view, ocd_app_view_free);
  g_clear_pointer (&self->unit, ocd_agent_unit_free);
  for (guint i = 0; i < N_CHECKS; i++)
    g_clear_handle_id (&self->checks[i].source_id, g_source_remove);
  if (self->agents != NULL)
    g_clear_signal_handler (&self->log_event_id, self->agents);
  g_clear_object (&self->agents);
  G_OBJECT_CLASS (ocd_watch_parent_class)->dispose (object);
}

static void
ocd_watch_finalize (GObject *object)
{
  OcdWatch *self = OCD_WATCH (object);

  g_clear_object (&self->cancellable);
  g_free (self->path);
  g_free (self->server_url);
  g_free (self->token);
  g_free (self->log_path);
  g_free (self->last_line);
  G_OBJECT_CLASS (ocd_watch_parent_class)->finalize (object);
}

static void
ocd_watch_class_init (OcdWatchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ocd_watch_dispose;
  object_class->finalize = ocd_watch_finalize;
}

static void
ocd_watch_init (OcdWatch *self)
{
  self->last_health = HEALTH_NOT_ASKED;
  self->cancellable = g_cancellable_new ();
}
