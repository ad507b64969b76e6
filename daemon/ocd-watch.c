/* ocd-watch.c — three safe checks, each on its own schedule like
 * NetworkManager's connectivity check: the normal interval while all is
 * well, 5 s after a failure, then doubling back up to the interval.  The
 * next run is planned from the previous plan, not from when a check ended,
 * so the cadence does not drift. */
#include "config.h"

#define G_LOG_DOMAIN "ocd-watch"

#include <glib/gi18n.h>

#include "ocd-api.h"
#include "ocd-link-private.h"
#include "obico-url.h"
#include "ocd-watch.h"

#define RETRY_FIRST_SECONDS 5.0

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
  Check         checks[N_CHECKS];
};

G_DEFINE_TYPE (OcdWatch, ocd_watch, G_TYPE_OBJECT)

static gboolean on_check_due (gpointer data);

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

/* ---- GET /hc/ and GET /api/v1/octo/printer/ -------------------------- */

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

static void
on_http_answered (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(Pending) pending = data;
  g_autoptr(OcdApiReply) reply = ocd_api_request_finish (result);
  OcdWatch *self;
  gboolean health;

  if (g_cancellable_is_cancelled (pending->cancellable))
    return;
  self = pending->check->watch;
  health = pending->check == &self->checks[CHECK_HEALTH];
  if (health)
    ocd_api_classify_health (reply);
  else
    ocd_api_classify_printer (reply);
  g_debug ("%s: %s", pending->check->name, reply->detail);
  ocd_link_note_http (self->link, reply, health ? "health" : "credentials");
  check_done (pending->check, reply->outcome == OCD_API_OK);
}

static void
run_health (Check *check)
{
  OcdWatch *self = check->watch;
  g_autofree char *url = obico_url_join (self->server_url, "/hc/");

  ocd_api_request_async (ocd_link_get_soup (self->link), "GET", url, NULL, self->timeout,
                         self->cancellable, on_http_answered, pending_new (check));
}

static void
run_credentials (Check *check)
{
  OcdWatch *self = check->watch;
  g_autofree char *url = obico_url_join (self->server_url, "/api/v1/octo/printer/");

  /* REST with "Authorization: Token": the agent's own checks do the same,
   * and the server keeps no session for it. */
  ocd_api_request_async (ocd_link_get_soup (self->link), "GET", url, self->token, self->timeout,
                         self->cancellable, on_http_answered, pending_new (check));
}

/* ---- the anonymous WebSocket upgrade ---------------------------------- */

typedef struct {
  Pending      *pending;
  SoupMessage  *message;
  GCancellable *cancellable;   /* the watcher's, plus our time limit */
  gulong        cancelled_id;
  guint         timeout_id;
  gboolean      timed_out;
} Upgrade;

static void
upgrade_free (Upgrade *upgrade)
{
  g_clear_handle_id (&upgrade->timeout_id, g_source_remove);
  g_cancellable_disconnect (upgrade->pending->cancellable, upgrade->cancelled_id);
  g_clear_object (&upgrade->cancellable);
  g_clear_object (&upgrade->message);
  pending_free (upgrade->pending);
  g_free (upgrade);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Upgrade, upgrade_free)

static gboolean
on_upgrade_timeout (gpointer data)
{
  Upgrade *upgrade = data;

  upgrade->timeout_id = 0;
  upgrade->timed_out = TRUE;
  g_cancellable_cancel (upgrade->cancellable);
  return G_SOURCE_REMOVE;
}

static void
on_watch_cancelled (GCancellable *cancellable, gpointer data)
{
  g_cancellable_cancel (G_CANCELLABLE (data));
}

static void
on_upgrade_answered (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(Upgrade) upgrade = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupWebsocketConnection) connection = NULL;
  g_autofree char *url = NULL;
  g_autofree char *detail = NULL;
  guint status = soup_message_get_status (upgrade->message);
  gboolean reachable = FALSE;
  OcdWatch *self;

  connection = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  if (g_cancellable_is_cancelled (upgrade->pending->cancellable))
    {
      if (connection != NULL)
        soup_websocket_connection_close (connection, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
      return;
    }
  self = upgrade->pending->check->watch;
  url = obico_url_websocket (self->server_url);

  if (connection != NULL)
    {
      /* No Obico server accepts a socket without credentials. */
      soup_websocket_connection_close (connection, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      detail = g_strdup_printf (_("%s accepted a WebSocket without credentials, which an Obico "
                                  "server never does: the address may point at something else."),
                                url);
    }
  else if (status == SOUP_STATUS_FORBIDDEN)
    {
      reachable = TRUE;
      detail = g_strdup (_("The WebSocket path answers: the server refused an upgrade without "
                           "credentials (403), as it should."));
    }
  else if (status != 0)
    {
      const char *type = soup_message_headers_get_content_type (
        soup_message_get_response_headers (upgrade->message), NULL);

      detail = g_strdup_printf (_("The WebSocket upgrade at %s was answered with %u (%s) instead "
                                  "of the server's 403: a proxy or firewall on the way does not "
                                  "pass WebSockets (it must pass Upgrade on /ws/)."),
                                url, status, type != NULL ? type : _("no content type"));
    }
  else if (upgrade->timed_out)
    {
      detail = g_strdup_printf (_("The WebSocket upgrade at %s got no answer within %g seconds."),
                                url, self->timeout);
    }
  else
    {
      detail = g_strdup_printf (_("The WebSocket upgrade at %s failed without an answer (%s)."),
                                url, error != NULL ? error->message : "?");
    }

  g_debug ("websocket: %s", detail);
  ocd_link_note_attempt (self->link, !reachable, "websocket", reachable ? "" : detail);
  if (reachable)
    ocd_link_note_contact (self->link);
  if (!self->shared)
    ocd_link_note_websocket (self->link,
                             reachable ? OBICO_WEB_SOCKET_REACHABLE : OBICO_WEB_SOCKET_BLOCKED,
                             detail);
  check_done (upgrade->pending->check, reachable);
}

static void
run_websocket (Check *check)
{
  OcdWatch *self = check->watch;
  Upgrade *upgrade = g_new0 (Upgrade, 1);
  g_autofree char *url = obico_url_join (self->server_url, "/ws/dev/");

  upgrade->pending = pending_new (check);
  upgrade->cancellable = g_cancellable_new ();
  upgrade->cancelled_id = g_cancellable_connect (self->cancellable, G_CALLBACK (on_watch_cancelled),
                                                 upgrade->cancellable, NULL);
  upgrade->timeout_id = g_timeout_add ((guint) (self->timeout * 1000), on_upgrade_timeout, upgrade);

  /* A fresh message, no Authorization header: the whole point.  Redirects
   * are answers to judge, not to follow. */
  upgrade->message = soup_message_new (SOUP_METHOD_GET, url);
  soup_message_add_flags (upgrade->message, SOUP_MESSAGE_NO_REDIRECT);
  soup_message_disable_feature (upgrade->message, SOUP_TYPE_AUTH_MANAGER);
  soup_message_disable_feature (upgrade->message, SOUP_TYPE_COOKIE_JAR);
  soup_session_websocket_connect_async (ocd_link_get_soup (self->link), upgrade->message, NULL, NULL,
                                        G_PRIORITY_DEFAULT, upgrade->cancellable,
                                        on_upgrade_answered, upgrade);
}

/* ---- what the agent's log says ----------------------------------------- */

static void
on_log_event (OcdAgents  *agents,
              const char *path,
              int         event,
              const char *line,
              gpointer    data)
{
  OcdWatch *self = data;

  if (g_strcmp0 (path, self->path) != 0)
    return;
  switch ((OcdAgentLogEvent) event)
    {
    case OCD_AGENT_LOG_SHARED_CREDENTIALS:
      self->shared = TRUE;
      ocd_link_note_attempt (self->link, TRUE, "agent", line);
      ocd_link_note_websocket (self->link, OBICO_WEB_SOCKET_SHARED_CREDENTIALS, line);
      break;
    case OCD_AGENT_LOG_HANDSHAKE:
    case OCD_AGENT_LOG_CONNECTION:
      ocd_link_note_attempt (self->link, TRUE, "agent", line);
      break;
    case OCD_AGENT_LOG_NONE:
    default:
      break;
    }
}

/* ---- object -------------------------------------------------------------- */

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
  self->cancellable = g_cancellable_new ();
}
