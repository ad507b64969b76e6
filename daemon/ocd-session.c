/* ocd-session.c — the printer's WebSocket session (agent role).
 *
 * Opens <ws-base>/ws/dev/ with "authorization: bearer <token>", sends a status
 * with _ts at once and then every heartbeat interval, answers passthru
 * requests with an error, and declares the peer lost when nothing (frame or
 * pong) came for dead-peer-timeout seconds.  When the socket fails it asks
 * the server over HTTP why, so the link can tell a blocked WebSocket from a
 * dead server or refused credentials, and reconnects with the official
 * jittered backoff.  Close code 4321 is final: reconnecting would knock the
 * other holder of the credentials off in turn. */
#include "config.h"

#define G_LOG_DOMAIN "ocd-session"

#include <glib/gi18n.h>

#include "ocd-api.h"
#include "ocd-backoff.h"
#include "ocd-link-private.h"
#include "ocd-message.h"
#include "ocd-session.h"

#define CLOSE_SHARED_CREDENTIALS 4321
#define MAX_INCOMING_FRAME (1024 * 1024)

struct _OcdSession
{
  GObject                  parent_instance;

  OcdLink                 *link;      /* not owned: the link owns us */
  char                    *server_url;
  char                    *token;
  GCancellable            *cancellable;
  SoupWebsocketConnection *connection;
  guint                    heartbeat_id;
  guint                    watchdog_id;
  guint                    reconnect_id;
  OcdBackoff               backoff;
  gint64                   opened_at;      /* monotonic */
  gint64                   last_heard;     /* monotonic */
  guint                    handshake_timeouts;     /* in a row */
  gboolean                 stopped;        /* no more reconnects */
  gint64                   lost_unclean_at;  /* monotonic: our last socket died without a close */
  gboolean                 shared_retried;   /* the one 4321 retry below was used */
};

/* A 4321 this soon after our own socket died without a close may be the
 * server settling our own connections on a lossy link (seen with 30 % loss
 * both ways: the daemon's newest socket got 4321 with no other device
 * around), not another device: one reconnect, never more, tells which — a
 * second 4321 is final.  A connection that lasted this long makes the next
 * 4321 final again only after a retry is earned anew. */
#define SHARED_RETRY_WINDOW_USEC (60 * G_USEC_PER_SEC)

G_DEFINE_TYPE (OcdSession, ocd_session, G_TYPE_OBJECT)

static void connect_now (OcdSession *self);

static OcdConfig *
config (OcdSession *self)
{
  return ocd_link_get_config (self->link);
}

static void
clear_timers (OcdSession *self)
{
  g_clear_handle_id (&self->heartbeat_id, g_source_remove);
  g_clear_handle_id (&self->watchdog_id, g_source_remove);
  g_clear_handle_id (&self->reconnect_id, g_source_remove);
}

static void
drop_connection (OcdSession *self)
{
  if (self->connection == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->connection, self);
  if (soup_websocket_connection_get_state (self->connection) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (self->connection, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
  g_clear_object (&self->connection);
}

static gboolean
on_reconnect_timer (gpointer data)
{
  OcdSession *self = data;

  self->reconnect_id = 0;
  connect_now (self);
  return G_SOURCE_REMOVE;
}

/* Without a network on this host a retry can only fail: the backoff
 * pauses, and ocd_session_network_back() reconnects when it returns. */
static gboolean
wait_for_network (OcdSession *self)
{
  if (ocd_link_has_network (self->link))
    return FALSE;
  g_clear_handle_id (&self->reconnect_id, g_source_remove);
  g_message ("No network on this host: reconnecting when it is back");
  return TRUE;
}

static void
schedule_reconnect (OcdSession *self)
{
  double delay;

  if (self->stopped || wait_for_network (self))
    return;
  delay = ocd_backoff_next (&self->backoff, g_random_double_range (0.5, 1.5));
  g_info ("Reconnecting in %.1f s (failure %u)", delay, self->backoff.failures);
  g_clear_handle_id (&self->reconnect_id, g_source_remove);
  self->reconnect_id = g_timeout_add_full (G_PRIORITY_DEFAULT, (guint) (delay * 1000),
                                           on_reconnect_timer, self, NULL);
}

/* ---- asking HTTP why the socket failed ------------------------------- */

typedef struct {
  OcdSession     *self;
  ObicoWebSocket  websocket_state;   /* what to report if HTTP is fine */
  char           *websocket_detail;
} Why;

static void
why_free (Why *why)
{
  g_object_unref (why->self);
  g_free (why->websocket_detail);
  g_free (why);
}

static void
on_why_answered (GObject *source, GAsyncResult *result, gpointer data)
{
  Why *why = data;
  OcdSession *self = why->self;
  g_autoptr(OcdApiReply) reply = ocd_api_finish (result);

  if (g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    {
      why_free (why);
      return;
    }

  ocd_link_note_http (self->link, reply);

  if (reply->outcome == OCD_API_INVALID_CREDENTIALS)
    {
      /* Retrying with refused credentials is pointless until a person acts
       * (Link, SetServerUrl, Reconnect). */
      g_message ("The server refuses the printer's credentials; not reconnecting");
      self->stopped = TRUE;
      ocd_link_note_websocket (self->link, OBICO_WEB_SOCKET_REJECTED, reply->detail);
    }
  else if (reply->outcome == OCD_API_OK)
    ocd_link_note_websocket (self->link, why->websocket_state, why->websocket_detail);
  else
    ocd_link_note_websocket (self->link, OBICO_WEB_SOCKET_CLOSED, reply->detail);

  schedule_reconnect (self);
  why_free (why);
}

static void
ask_why (OcdSession *self, ObicoWebSocket websocket_state, const char *detail)
{
  Why *why = g_new0 (Why, 1);

  why->self = g_object_ref (self);
  why->websocket_state = websocket_state;
  why->websocket_detail = g_strdup (detail);
  /* The printer endpoint, as the official agents ask it: are the
   * credentials refused, is the server there at all, is it failing (5xx) or
   * not Obico's?  Not /hc/: what it answers is known only of the
   * open-source server, and it says nothing of the credentials. */
  ocd_api_printer_async (ocd_link_get_soup (self->link), self->server_url, self->token,
                         config (self)->timeout, self->cancellable, on_why_answered, why);
}

/* ---- an open session ------------------------------------------------- */

static void
send_text (OcdSession *self, const char *text)
{
  gboolean open = self->connection != NULL &&
    soup_websocket_connection_get_state (self->connection) == SOUP_WEBSOCKET_STATE_OPEN;

  ocd_link_note_attempt (self->link, !open, "websocket-send",
                         open ? "" : _("The WebSocket was not open when a message was due."));
  if (open)
    soup_websocket_connection_send_text (self->connection, text);
}

static void
send_status (OcdSession *self, gboolean with_settings)
{
  g_autofree char *status = ocd_message_status (g_get_real_time () / (double) G_USEC_PER_SEC,
                                                with_settings);

  g_debug ("Sending status");
  send_text (self, status);
  ocd_host_note_heartbeat (ocd_link_get_host (self->link), self->connection);
}

static gboolean
on_heartbeat (gpointer data)
{
  OcdSession *self = data;

  send_status (self, FALSE);
  return G_SOURCE_CONTINUE;
}

static void
note_unclean_end (OcdSession *self)
{
  gint64 now = g_get_monotonic_time ();

  if (self->opened_at != 0 && now - self->opened_at >= SHARED_RETRY_WINDOW_USEC)
    self->shared_retried = FALSE;
  self->lost_unclean_at = now;
}

static void
lost (OcdSession *self, const char *detail)
{
  note_unclean_end (self);
  drop_connection (self);
  clear_timers (self);
  ocd_link_note_attempt (self->link, TRUE, "websocket", detail);
  ocd_link_note_websocket (self->link, OBICO_WEB_SOCKET_CLOSED, detail);
  ask_why (self, OBICO_WEB_SOCKET_CLOSED, detail);
}

static gboolean
on_watchdog (gpointer data)
{
  OcdSession *self = data;
  double silent = (g_get_monotonic_time () - self->last_heard) / (double) G_USEC_PER_SEC;
  g_autofree char *detail = NULL;

  if (silent < config (self)->dead_peer_timeout)
    return G_SOURCE_CONTINUE;

  self->watchdog_id = 0;
  detail = g_strdup_printf (_("The server stopped answering: nothing came back for %.0f seconds."),
                            silent);
  g_message ("%s", detail);
  lost (self, detail);
  return G_SOURCE_REMOVE;
}

static void
heard (OcdSession *self)
{
  self->last_heard = g_get_monotonic_time ();
  ocd_link_note_contact (self->link);
}

static void
on_pong (SoupWebsocketConnection *connection, GBytes *data, gpointer user_data)
{
  heard (user_data);
}

static void
on_message (SoupWebsocketConnection *connection,
            gint                     type,
            GBytes                  *message,
            gpointer                 user_data)
{
  OcdSession *self = user_data;
  g_auto(OcdMessage) parsed = { 0 };
  gsize size = 0;
  const char *data = g_bytes_get_data (message, &size);

  heard (self);
  if (type != SOUP_WEBSOCKET_DATA_TEXT)
    return;   /* BSON streaming frames: not ours to handle */

  ocd_message_parse (data, size, &parsed);
  switch (parsed.kind)
    {
    case OCD_MESSAGE_REMOTE_STATUS:
      g_debug ("Remote status %s", parsed.summary);
      break;
    case OCD_MESSAGE_COMMANDS:
      g_message ("The server sent commands %s; obico-connect does not control the printer",
                 parsed.summary);
      break;
    case OCD_MESSAGE_PASSTHRU:
      {
        g_autofree char *answer = ocd_message_passthru_error (
          parsed.passthru_ref, "obico-connect only watches the link; it cannot run this request");
        g_message ("Answering a passthru request with an error");
        send_text (self, answer);
      }
      break;
    case OCD_MESSAGE_OTHER:
      break;
    case OCD_MESSAGE_INVALID:
    default:
      g_debug ("Ignoring a message that is not a JSON object (%" G_GSIZE_FORMAT " bytes)", size);
      break;
    }
}

static void
on_closed (SoupWebsocketConnection *connection, gpointer user_data)
{
  OcdSession *self = user_data;
  gushort code = soup_websocket_connection_get_close_code (connection);
  g_autofree char *detail = NULL;

  g_message ("WebSocket closed with code %u", code);
  g_object_ref (self);
  g_signal_handlers_disconnect_by_data (connection, self);
  g_clear_object (&self->connection);
  clear_timers (self);
  if (self->opened_at != 0)
    ocd_backoff_session_ended (&self->backoff, g_get_monotonic_time () - self->opened_at);

  switch (code)
    {
    case CLOSE_SHARED_CREDENTIALS:
      if (!self->shared_retried && self->lost_unclean_at != 0 &&
          g_get_monotonic_time () - self->lost_unclean_at < SHARED_RETRY_WINDOW_USEC)
        {
          self->shared_retried = TRUE;
          g_message ("Closed with 4321 right after our own connection was lost without a close: "
                     "reconnecting once to tell our own late connection from another device's");
          detail = g_strdup (_("Closed by the server (code 4321) right after a connection was "
                               "lost; reconnecting once to see whether another device uses these "
                               "credentials."));
          ocd_link_note_attempt (self->link, TRUE, "websocket", detail);
          ocd_link_note_websocket (self->link, OBICO_WEB_SOCKET_CLOSED, detail);
          schedule_reconnect (self);
          break;
        }
      self->stopped = TRUE;
      ocd_link_note_attempt (self->link, TRUE, "websocket",
                             _("Closed by the server: another device uses these credentials (4321)."));
      ocd_link_note_websocket (self->link, OBICO_WEB_SOCKET_SHARED_CREDENTIALS, NULL);
      break;
    case SOUP_WEBSOCKET_CLOSE_NORMAL:
      /* The server's daily close, or the printer was deleted: the reconnect
       * tells which (a deleted printer's handshake gets 403). */
      ocd_link_note_websocket (self->link, OBICO_WEB_SOCKET_CLOSED,
                               _("The server closed the WebSocket (code 1000); reconnecting."));
      schedule_reconnect (self);
      break;
    default:
      note_unclean_end (self);
      detail = g_strdup_printf (_("The WebSocket connection was lost (code %u)."), code);
      ocd_link_note_attempt (self->link, TRUE, "websocket", detail);
      ocd_link_note_websocket (self->link, OBICO_WEB_SOCKET_CLOSED, detail);
      ask_why (self, OBICO_WEB_SOCKET_CLOSED, detail);
      break;
    }
  g_object_unref (self);
}

/* ---- opening --------------------------------------------------------- */

static void
on_connected (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(OcdSession) self = data;
  g_autoptr(OcdApiReply) reply = ocd_api_finish (result);
  SoupWebsocketConnection *connection;
  OcdConfig *cfg = config (self);

  /* Stopped, or a newer attempt replaced this one. */
  if (g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    return;

  if (reply->failure == OCD_API_FAILURE_INVALID)
    {
      ocd_link_note_websocket (self->link, OBICO_WEB_SOCKET_BLOCKED, reply->detail);
      return;
    }
  if (reply->websocket != OBICO_WEB_SOCKET_CONNECTED)
    {
      ObicoWebSocket state = reply->websocket;
      g_autofree char *detail = NULL;

      if (reply->failure == OCD_API_FAILURE_TIMEOUT)
        {
          /* One slow handshake is a slow network; a proxy that swallows
           * upgrades does it every time. */
          if (++self->handshake_timeouts < 3)
            state = OBICO_WEB_SOCKET_CLOSED;
          detail = g_strdup_printf (_("HTTP works, but the WebSocket upgrade got no answer within "
                                      "%g seconds (%u times in a row)."),
                                    cfg->timeout, self->handshake_timeouts);
        }
      else
        {
          self->handshake_timeouts = 0;
          detail = g_strdup (reply->detail);
        }

      g_message ("WebSocket handshake failed: status %u, %s", reply->http_status, reply->detail);
      ocd_link_note_attempt (self->link, reply->websocket != OBICO_WEB_SOCKET_REJECTED,
                             "websocket", detail);
      ask_why (self, state, detail);
      return;
    }

  g_message ("WebSocket connected");
  connection = self->connection = g_steal_pointer (&reply->connection);
  self->handshake_timeouts = 0;
  self->opened_at = self->last_heard = g_get_monotonic_time ();
  soup_websocket_connection_set_max_incoming_payload_size (connection, MAX_INCOMING_FRAME);
  /* Pings make a silent peer visible: a live server pongs. */
  soup_websocket_connection_set_keepalive_interval (connection,
                                                    MAX (1, (guint) (cfg->dead_peer_timeout / 3)));
  g_signal_connect (connection, "message", G_CALLBACK (on_message), self);
  g_signal_connect (connection, "pong", G_CALLBACK (on_pong), self);
  g_signal_connect (connection, "closed", G_CALLBACK (on_closed), self);

  ocd_link_note_attempt (self->link, FALSE, "websocket", NULL);
  ocd_link_note_contact (self->link);
  ocd_link_note_websocket (self->link, OBICO_WEB_SOCKET_CONNECTED, NULL);
  /* The socket is back: what HTTP said while it was down is stale. */
  ocd_link_refresh_http (self->link);
  send_status (self, TRUE);
  self->heartbeat_id = g_timeout_add_full (G_PRIORITY_DEFAULT,
                                           (guint) (cfg->heartbeat_interval * 1000),
                                           on_heartbeat, self, NULL);
  self->watchdog_id = g_timeout_add_full (G_PRIORITY_DEFAULT,
                                          (guint) MAX (100, cfg->dead_peer_timeout * 1000 / 4),
                                          on_watchdog, self, NULL);
}

static void
connect_now (OcdSession *self)
{
  drop_connection (self);
  clear_timers (self);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  if (wait_for_network (self))
    return;
  g_debug ("Connecting the WebSocket of %s", self->server_url);
  ocd_link_note_websocket (self->link, OBICO_WEB_SOCKET_CONNECTING, NULL);
  ocd_api_websocket_async (ocd_link_get_soup (self->link), self->server_url, self->token,
                           config (self)->timeout, self->cancellable, on_connected,
                           g_object_ref (self));
}

void
ocd_session_start (OcdSession *self)
{
  self->stopped = FALSE;
  ocd_backoff_reset (&self->backoff);
  connect_now (self);
}

void
ocd_session_network_back (OcdSession *self)
{
  if (self->stopped || self->connection != NULL)
    return;
  g_message ("The network is back: reconnecting now");
  connect_now (self);
}

void
ocd_session_stop (OcdSession *self)
{
  self->stopped = TRUE;
  clear_timers (self);
  g_cancellable_cancel (self->cancellable);
  drop_connection (self);
}

OcdSession *
ocd_session_new (OcdLink    *link,
                 const char *server_url,
                 const char *token)
{
  OcdSession *self = g_object_new (OCD_TYPE_SESSION, NULL);

  self->link = link;
  self->server_url = g_strdup (server_url);
  self->token = g_strdup (token);
  self->cancellable = g_cancellable_new ();
  return self;
}

static void
ocd_session_finalize (GObject *object)
{
  OcdSession *self = OCD_SESSION (object);

  ocd_session_stop (self);
  g_clear_object (&self->cancellable);
  g_free (self->server_url);
  g_free (self->token);
  G_OBJECT_CLASS (ocd_session_parent_class)->finalize (object);
}

static void
ocd_session_class_init (OcdSessionClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ocd_session_finalize;
}

static void
ocd_session_init (OcdSession *self)
{
}
