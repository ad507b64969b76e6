/* ocd-api.c — the Obico server's endpoints.  Each call joins its path to the
 * server address, makes one exchange with bounded time (ocd-deadline) and
 * bounded memory, and hands back the reply judged by ocd-api-classify.c.
 * The endpoint paths are written here and nowhere else. */
#include "config.h"

#define G_LOG_DOMAIN "ocd-api"

#include <glib/gi18n.h>
#include <string.h>

#include "ocd-api.h"
#include "ocd-deadline.h"
#include "obico-url.h"

#define PATH_PRINTER "/api/v1/octo/printer/"
#define PATH_HEALTH  "/hc/"
#define PATH_VERIFY  "/api/v1/octo/verify/"

/* Holds an accepted socket until its close handshake is over. */
static void
on_let_go_closed (SoupWebsocketConnection *connection, gpointer data)
{
  g_object_unref (connection);
}

static void
let_go (SoupWebsocketConnection *connection)
{
  if (soup_websocket_connection_get_state (connection) != SOUP_WEBSOCKET_STATE_OPEN)
    {
      g_object_unref (connection);
      return;
    }
  g_signal_connect (connection, "closed", G_CALLBACK (on_let_go_closed), NULL);
  soup_websocket_connection_close (connection, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
}

void
ocd_api_reply_free (OcdApiReply *reply)
{
  if (reply == NULL)
    return;
  g_free (reply->detail);
  g_free (reply->url);
  g_free (reply->content_type);
  g_free (reply->address);
  g_free (reply->tls);
  g_clear_pointer (&reply->body, g_bytes_unref);
  g_free (reply->printer_name);
  if (reply->token != NULL)
    memset (reply->token, 0, strlen (reply->token));
  g_free (reply->token);
  if (reply->connection != NULL)
    let_go (reply->connection);
  g_free (reply);
}

SoupSession *
ocd_api_session_new (double timeout)
{
  g_autofree char *user_agent = g_strdup_printf ("obico-connect/%s", PACKAGE_VERSION);

  /* Not GLib's default proxy resolver (GSettings, libproxy): the link sets
   * the host's proxy the way the official agents read it (ocd-proxy.c). */
  return soup_session_new_with_options ("user-agent", user_agent,
                                        "proxy-resolver", NULL,
                                        "timeout", (guint) MAX (1, timeout + 0.999),
                                        "idle-timeout", 60,
                                        "max-conns-per-host", 4,
                                        NULL);
}

typedef struct {
  OcdApiEndpoint endpoint;
  gboolean       anonymous;
  SoupSession   *session;
  SoupMessage   *message;
  OcdDeadline   *deadline;      /* the caller's cancellable plus our timeout */
  char          *url;           /* for the reply: without a code */
  char          *host;
  GInputStream  *stream;
  GByteArray    *body;
  gboolean       truncated;
} Request;

static void
request_free (Request *req)
{
  g_clear_pointer (&req->deadline, ocd_deadline_free);
  g_clear_object (&req->stream);
  g_clear_object (&req->message);
  g_clear_object (&req->session);
  g_clear_pointer (&req->body, g_byte_array_unref);
  g_free (req->url);
  g_free (req->host);
  g_free (req);
}

static void
judge (OcdApiReply *reply)
{
  switch (reply->endpoint)
    {
    case OCD_API_ENDPOINT_PRINTER: ocd_api_classify_printer (reply); break;
    case OCD_API_ENDPOINT_HEALTH: ocd_api_classify_health (reply); break;
    case OCD_API_ENDPOINT_VERIFY: ocd_api_classify_verify (reply); break;
    case OCD_API_ENDPOINT_WEBSOCKET:
    default: ocd_api_classify_websocket (reply); break;
    }
}

static char *
peer_address (SoupMessage *message)
{
  GSocketAddress *address = soup_message_get_remote_address (message);

  if (!G_IS_INET_SOCKET_ADDRESS (address))
    return g_strdup ("");
  return ocd_api_format_address (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address)),
                                 g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address)));
}

static void
describe_failure (Request *req, OcdApiReply *reply, const GError *error)
{
  const char *host = req->host != NULL ? req->host : "?";
  double timeout = ocd_deadline_get_seconds (req->deadline);
  gboolean timed_out = ocd_deadline_expired (req->deadline) ||
                       g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);

  if (timed_out)
    reply->failure = OCD_API_FAILURE_TIMEOUT;
  else if (error->domain == G_RESOLVER_ERROR)
    reply->failure = OCD_API_FAILURE_RESOLVE;
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    reply->failure = OCD_API_FAILURE_REFUSED;
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE) ||
           g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE))
    reply->failure = OCD_API_FAILURE_NETWORK;
  else if (error->domain == G_TLS_ERROR || reply->tls_errors != 0)
    reply->failure = OCD_API_FAILURE_TLS;
  else
    reply->failure = OCD_API_FAILURE_CLOSED;

  if (reply->failure == OCD_API_FAILURE_TLS)
    {
      g_free (reply->tls);
      reply->tls = g_strdup (ocd_api_describe_tls_errors (reply->tls_errors));
    }

  /* HTTP works when an upgrade is tried (Diagnose, and the session asks
   * /hc/ afterwards): what fails is the WebSocket itself. */
  if (req->endpoint == OCD_API_ENDPOINT_WEBSOCKET && timed_out)
    reply->detail = g_strdup_printf (_("No answer to the WebSocket upgrade at %s within %g seconds: "
                                       "a firewall or reverse proxy may hold WebSockets back."),
                                     req->url, timeout);
  else if (req->endpoint == OCD_API_ENDPOINT_WEBSOCKET)
    reply->detail = g_strdup_printf (_("The WebSocket upgrade at %s failed without an answer (%s): "
                                       "a firewall or reverse proxy may block WebSockets."),
                                     req->url, error->message);
  else if (timed_out)
    reply->detail = g_strdup_printf (_("%s did not answer within %g seconds."), host, timeout);
  else if (reply->failure == OCD_API_FAILURE_RESOLVE)
    reply->detail = g_strdup_printf (_("The name %s does not resolve: check the spelling of the "
                                       "server address and the DNS settings."), host);
  else if (reply->failure == OCD_API_FAILURE_REFUSED)
    reply->detail = g_strdup_printf (_("%s refused the connection: is the server running, "
                                       "and are the scheme and port right?"), host);
  else if (reply->failure == OCD_API_FAILURE_NETWORK)
    reply->detail = g_strdup_printf (_("There is no route to %s: check the network cable "
                                       "or Wi-Fi and the router."), host);
  else if (reply->failure == OCD_API_FAILURE_TLS)
    reply->detail = g_strdup_printf (_("The secure connection to %s failed: %s."), host,
                                     reply->tls_errors != 0
                                     ? ocd_api_describe_tls_errors (reply->tls_errors)
                                     : error->message);
  else
    reply->detail = g_strdup_printf (_("The connection to %s was closed before an answer "
                                       "came (%s)."), host, error->message);
}

static OcdApiReply *
reply_new (Request *req)
{
  OcdApiReply *reply = g_new0 (OcdApiReply, 1);

  reply->endpoint = req->endpoint;
  reply->anonymous = req->anonymous;
  reply->printer_id = -1;
  reply->url = g_strdup (req->url);
  reply->elapsed_ms = ocd_deadline_elapsed_ms (req->deadline);
  reply->websocket = OBICO_WEB_SOCKET_UNKNOWN;
  if (req->message == NULL)
    {
      reply->address = g_strdup ("");
      reply->tls = g_strdup ("");
      return reply;
    }
  reply->address = peer_address (req->message);
  reply->tls_errors = soup_message_get_tls_peer_certificate_errors (req->message);
  if (soup_message_get_tls_peer_certificate (req->message) != NULL && reply->tls_errors == 0)
    {
      const char *version = ocd_api_format_tls_version (soup_message_get_tls_protocol_version (req->message));
      reply->tls = g_strdup (*version ? version : "TLS");
    }
  else
    reply->tls = g_strdup ("");
  return reply;
}

/* Judges what came back and finishes the task.  @connection: an accepted
 * upgrade (transfer full). */
static void
complete (GTask *task, const GError *error, SoupWebsocketConnection *connection)
{
  Request *req = g_task_get_task_data (task);
  OcdApiReply *reply = reply_new (req);
  guint status = soup_message_get_status (req->message);

  if (connection != NULL)
    {
      reply->accepted = TRUE;
      reply->http_status = SOUP_STATUS_SWITCHING_PROTOCOLS;
      /* Obico never accepts an anonymous socket; whatever did, we leave at once. */
      if (req->anonymous)
        let_go (connection);
      else
        reply->connection = connection;
    }
  else if (error != NULL && status == 0 && error->domain == SOUP_SESSION_ERROR)
    {
      /* Something answered, but not in HTTP (a wrong port, another kind of
       * server): that is not a network problem. */
      reply->outcome = OCD_API_UNEXPECTED;
      reply->failure = OCD_API_FAILURE_PROTOCOL;
      reply->detail = g_strdup_printf (_("%s answered, but not in HTTP that can be read (%s): the "
                                         "address or port may point at something other than an "
                                         "Obico server."),
                                       req->host != NULL ? req->host : "?", error->message);
    }
  else if (error != NULL && status == 0)
    {
      reply->outcome = OCD_API_UNREACHABLE;
      describe_failure (req, reply, error);
    }
  else if (error != NULL && req->body != NULL && req->endpoint != OCD_API_ENDPOINT_WEBSOCKET)
    {
      /* The head came, the body did not: reading it timed out or the
       * connection broke (packets lost on a bad link, or a server that
       * stalls).  That says nothing of what the body would have been: it is
       * no answer, not an answer that is not Obico's. */
      reply->outcome = OCD_API_UNREACHABLE;
      reply->http_status = status;
      describe_failure (req, reply, error);
      g_free (reply->detail);
      reply->detail = g_strdup_printf (_("%s began to answer (HTTP %u), but the answer stopped before "
                                         "its end (%s): packets are being lost on the way, or the "
                                         "server stalled."),
                                       req->host != NULL ? req->host : "?", status,
                                       reply->failure == OCD_API_FAILURE_TIMEOUT ? _("timed out")
                                                                                 : error->message);
    }
  else
    {
      SoupMessageHeaders *headers = soup_message_get_response_headers (req->message);
      const char *retry = soup_message_headers_get_one (headers, "Retry-After");

      reply->http_status = status;
      reply->content_type = g_strdup (soup_message_headers_get_content_type (headers, NULL));
      if (req->body != NULL)
        reply->body = g_byte_array_free_to_bytes (g_steal_pointer (&req->body));
      reply->truncated = req->truncated;
      reply->retry_after = retry != NULL ? (gint) g_ascii_strtoll (retry, NULL, 10) : 0;
    }
  if (reply->body == NULL)
    reply->body = g_bytes_new (NULL, 0);

  judge (reply);
  g_debug ("%s %s → %u in %.1f ms%s%s", soup_message_get_method (req->message), req->url,
           reply->http_status, reply->elapsed_ms,
           reply->failure != OCD_API_FAILURE_NONE ? ", " : "",
           ocd_api_failure_to_string (reply->failure));
  g_task_return_pointer (task, reply, (GDestroyNotify) ocd_api_reply_free);
}

static void on_read (GObject *source, GAsyncResult *result, gpointer data);

static void
read_more (GTask *task)
{
  Request *req = g_task_get_task_data (task);

  g_input_stream_read_bytes_async (req->stream, 16 * 1024, G_PRIORITY_DEFAULT,
                                   ocd_deadline_get_cancellable (req->deadline), on_read, task);
}

static void
on_read (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GTask) task = data;
  Request *req = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  gsize size;

  if (chunk == NULL)
    {
      complete (task, error, NULL);
      return;
    }
  size = g_bytes_get_size (chunk);
  if (size == 0)
    {
      complete (task, NULL, NULL);
      return;
    }
  if (req->body->len + size > OCD_API_MAX_BODY)
    {
      /* A hostile or misdirected server does not get to fill our memory. */
      g_byte_array_append (req->body, g_bytes_get_data (chunk, NULL),
                           OCD_API_MAX_BODY - req->body->len);
      req->truncated = TRUE;
      g_input_stream_close_async (req->stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
      complete (task, NULL, NULL);
      return;
    }
  g_byte_array_append (req->body, g_bytes_get_data (chunk, NULL), size);
  read_more (g_steal_pointer (&task));
}

static void
on_sent (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GTask) task = data;
  Request *req = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  req->stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (req->stream == NULL)
    {
      complete (task, error, NULL);
      return;
    }
  req->body = g_byte_array_new ();
  read_more (g_steal_pointer (&task));
}

static void
on_upgraded (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GTask) task = data;
  g_autoptr(GError) error = NULL;
  SoupWebsocketConnection *connection = soup_session_websocket_connect_finish (SOUP_SESSION (source),
                                                                               result, &error);

  complete (task, error, connection);
}

/* The one place that makes a request: @authorization is the whole header
 * value or NULL. */
static void
call_async (SoupSession         *session,
            OcdApiEndpoint       endpoint,
            const char          *method,
            const char          *url,
            const char          *shown_url,
            const char          *authorization,
            double               timeout,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  Request *req = g_new0 (Request, 1);
  g_autoptr(GUri) uri = url != NULL ? g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL) : NULL;

  g_task_set_source_tag (task, call_async);
  /* The reply even when the caller cancelled: never NULL. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, req, (GDestroyNotify) request_free);
  req->endpoint = endpoint;
  req->anonymous = authorization == NULL;
  req->session = g_object_ref (session);
  req->url = g_strdup (shown_url != NULL ? shown_url : url != NULL ? url : "");
  req->deadline = ocd_deadline_new (cancellable, timeout);

  req->message = uri != NULL ? soup_message_new_from_uri (method, uri) : NULL;
  if (req->message == NULL)
    {
      OcdApiReply *reply = reply_new (req);

      reply->outcome = OCD_API_UNREACHABLE;
      reply->failure = OCD_API_FAILURE_INVALID;
      reply->detail = g_strdup_printf (_("No request can be made of the server address %s: check "
                                         "that it is right."), req->url);
      reply->websocket = OBICO_WEB_SOCKET_BLOCKED;
      g_task_return_pointer (task, reply, (GDestroyNotify) ocd_api_reply_free);
      return;
    }
  req->host = g_strdup (g_uri_get_host (uri));

  /* A captive portal's redirect is an answer to report, not to follow. */
  soup_message_add_flags (req->message, SOUP_MESSAGE_NO_REDIRECT);
  if (authorization != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (req->message),
                                  "Authorization", authorization);

  if (endpoint == OCD_API_ENDPOINT_WEBSOCKET)
    {
      /* Nothing but the header above: no stored credentials, no cookies. */
      soup_message_disable_feature (req->message, SOUP_TYPE_AUTH_MANAGER);
      soup_message_disable_feature (req->message, SOUP_TYPE_COOKIE_JAR);
      soup_session_websocket_connect_async (session, req->message, NULL, NULL, G_PRIORITY_DEFAULT,
                                            ocd_deadline_get_cancellable (req->deadline),
                                            on_upgraded, g_steal_pointer (&task));
      return;
    }
  soup_session_send_async (session, req->message, G_PRIORITY_DEFAULT,
                           ocd_deadline_get_cancellable (req->deadline),
                           on_sent, g_steal_pointer (&task));
}

void
ocd_api_printer_async (SoupSession         *session,
                       const char          *server_url,
                       const char          *token,
                       double               timeout,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autofree char *url = obico_url_join (server_url, PATH_PRINTER);
  /* REST wants "Token"; the socket wants "bearer". */
  g_autofree char *authorization = token != NULL ? g_strconcat ("Token ", token, NULL) : NULL;

  call_async (session, OCD_API_ENDPOINT_PRINTER, SOUP_METHOD_GET, url, NULL, authorization,
              timeout, cancellable, callback, user_data);
}

void
ocd_api_health_async (SoupSession         *session,
                      const char          *server_url,
                      double               timeout,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autofree char *url = obico_url_join (server_url, PATH_HEALTH);

  call_async (session, OCD_API_ENDPOINT_HEALTH, SOUP_METHOD_GET, url, NULL, NULL,
              timeout, cancellable, callback, user_data);
}

void
ocd_api_verify_async (SoupSession         *session,
                      const char          *server_url,
                      const char          *code,
                      double               timeout,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autofree char *base = obico_url_join (server_url, PATH_VERIFY);
  g_autofree char *escaped = g_uri_escape_string (code, NULL, FALSE);
  g_autofree char *url = g_strconcat (base, "?code=", escaped, NULL);

  /* The code is single use, but still not for the log. */
  call_async (session, OCD_API_ENDPOINT_VERIFY, SOUP_METHOD_POST, url, base, NULL,
              timeout, cancellable, callback, user_data);
}

void
ocd_api_websocket_async (SoupSession         *session,
                         const char          *server_url,
                         const char          *token,
                         double               timeout,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autofree char *url = obico_url_websocket (server_url);
  /* Exactly this lowercase scheme word. */
  g_autofree char *authorization = token != NULL ? g_strconcat ("bearer ", token, NULL) : NULL;

  call_async (session, OCD_API_ENDPOINT_WEBSOCKET, SOUP_METHOD_GET, url, NULL, authorization,
              timeout, cancellable, callback, user_data);
}

OcdApiReply *
ocd_api_finish (GAsyncResult *result)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), NULL);
}
