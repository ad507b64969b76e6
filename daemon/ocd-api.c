/* ocd-api.c — one HTTP exchange with bounded time and bounded memory, and the
 * rules of obico-protocol.md for what an answer means.  A 200 is not enough:
 * the printer endpoint must return JSON with printer.id, /hc/ must say Okay. */
#include "config.h"

#define G_LOG_DOMAIN "ocd-api"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "ocd-api.h"
#include "ocd-message.h"

void
ocd_api_reply_free (OcdApiReply *reply)
{
  if (reply == NULL)
    return;
  g_free (reply->detail);
  g_free (reply->content_type);
  g_free (reply->address);
  g_free (reply->tls);
  g_clear_pointer (&reply->body, g_bytes_unref);
  g_free (reply->printer_name);
  if (reply->token != NULL)
    memset (reply->token, 0, strlen (reply->token));
  g_free (reply->token);
  g_free (reply);
}

const char *
ocd_api_failure_to_string (OcdApiFailure failure)
{
  static const char * const names[] = {
    [OCD_API_FAILURE_NONE] = "",
    [OCD_API_FAILURE_RESOLVE] = "resolve",
    [OCD_API_FAILURE_REFUSED] = "refused",
    [OCD_API_FAILURE_NETWORK] = "network",
    [OCD_API_FAILURE_TLS] = "tls",
    [OCD_API_FAILURE_TIMEOUT] = "timeout",
    [OCD_API_FAILURE_CLOSED] = "closed",
    [OCD_API_FAILURE_PROTOCOL] = "protocol",
    [OCD_API_FAILURE_INVALID] = "invalid",
  };

  g_return_val_if_fail ((guint) failure < G_N_ELEMENTS (names), "");
  return names[failure];
}

ObicoProblem
ocd_api_failure_problem (OcdApiFailure failure)
{
  switch (failure)
    {
    case OCD_API_FAILURE_NONE:
      return OBICO_PROBLEM_NONE;
    /* The address names nothing that answers: fix the address first.  An
     * address no request can be made of is the same mistake. */
    case OCD_API_FAILURE_RESOLVE:
    case OCD_API_FAILURE_REFUSED:
    case OCD_API_FAILURE_INVALID:
      return OBICO_PROBLEM_SERVER_ADDRESS;
    case OCD_API_FAILURE_TLS:
      return OBICO_PROBLEM_TLS;
    /* Something answered there, but not in HTTP. */
    case OCD_API_FAILURE_PROTOCOL:
      return OBICO_PROBLEM_NOT_OBICO_SERVER;
    case OCD_API_FAILURE_NETWORK:
    case OCD_API_FAILURE_TIMEOUT:
    case OCD_API_FAILURE_CLOSED:
    default:
      return OBICO_PROBLEM_INTERNET;
    }
}

SoupSession *
ocd_api_session_new (double timeout)
{
  g_autofree char *user_agent = g_strdup_printf ("obico-connect/%s", PACKAGE_VERSION);

  /* No proxy resolver from the environment: the daemon runs as a system
   * service and reaches the server the way the printer's agent does. */
  return soup_session_new_with_options ("user-agent", user_agent,
                                        "proxy-resolver", NULL,
                                        "timeout", (guint) MAX (1, timeout + 0.999),
                                        "idle-timeout", 60,
                                        "max-conns-per-host", 4,
                                        NULL);
}

typedef struct {
  SoupSession   *session;
  SoupMessage   *message;
  GCancellable  *cancellable;   /* ours: the caller's plus our timeout */
  gulong         cancelled_id;
  GCancellable  *caller_cancellable;
  GSource       *timeout_source;
  gboolean       timed_out;
  double         timeout;
  gint64         started;
  GInputStream  *stream;
  GByteArray    *body;
  gboolean       truncated;
  char          *host;
} Request;

static void
request_free (Request *req)
{
  if (req->timeout_source != NULL)
    {
      g_source_destroy (req->timeout_source);
      g_source_unref (req->timeout_source);
    }
  if (req->caller_cancellable != NULL && req->cancelled_id != 0)
    g_cancellable_disconnect (req->caller_cancellable, req->cancelled_id);
  g_clear_object (&req->caller_cancellable);
  g_clear_object (&req->cancellable);
  g_clear_object (&req->stream);
  g_clear_object (&req->message);
  g_clear_object (&req->session);
  g_clear_pointer (&req->body, g_byte_array_unref);
  g_free (req->host);
  g_free (req);
}

static gboolean
on_timeout (gpointer data)
{
  Request *req = data;

  req->timed_out = TRUE;
  g_cancellable_cancel (req->cancellable);
  g_clear_pointer (&req->timeout_source, g_source_unref);
  return G_SOURCE_REMOVE;
}

static void
on_caller_cancelled (GCancellable *cancellable, gpointer data)
{
  g_cancellable_cancel (G_CANCELLABLE (data));
}

static char *
address_string (SoupMessage *message)
{
  GSocketAddress *address = soup_message_get_remote_address (message);

  if (G_IS_INET_SOCKET_ADDRESS (address))
    {
      GInetSocketAddress *inet = G_INET_SOCKET_ADDRESS (address);
      g_autofree char *ip = g_inet_address_to_string (g_inet_socket_address_get_address (inet));
      guint16 port = g_inet_socket_address_get_port (inet);

      if (strchr (ip, ':') != NULL)
        return g_strdup_printf ("[%s]:%u", ip, port);
      return g_strdup_printf ("%s:%u", ip, port);
    }
  return g_strdup ("");
}

const char *
ocd_api_describe_tls_errors (GTlsCertificateFlags flags)
{
  if (flags & G_TLS_CERTIFICATE_NOT_ACTIVATED)
    return _("the certificate is not valid yet — check that the system clock is right");
  if (flags & G_TLS_CERTIFICATE_EXPIRED)
    return _("the certificate has expired — or the system clock is wrong");
  if (flags & G_TLS_CERTIFICATE_BAD_IDENTITY)
    return _("the certificate was issued for another host name");
  if (flags & G_TLS_CERTIFICATE_UNKNOWN_CA)
    return _("the certificate is self-signed or from an unknown authority");
  if (flags & G_TLS_CERTIFICATE_REVOKED)
    return _("the certificate has been revoked");
  if (flags & G_TLS_CERTIFICATE_INSECURE)
    return _("the certificate uses an insecure algorithm");
  return _("the certificate could not be verified");
}

static const char *
tls_version_name (GTlsProtocolVersion version)
{
  switch (version)
    {
    case G_TLS_PROTOCOL_VERSION_TLS_1_0: return "TLS 1.0";
    case G_TLS_PROTOCOL_VERSION_TLS_1_1: return "TLS 1.1";
    case G_TLS_PROTOCOL_VERSION_TLS_1_2: return "TLS 1.2";
    case G_TLS_PROTOCOL_VERSION_TLS_1_3: return "TLS 1.3";
    default: return "TLS";
    }
}

static void
describe_failure (Request *req, OcdApiReply *reply, const GError *error)
{
  const char *host = req->host != NULL ? req->host : "?";

  if (req->timed_out || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    {
      reply->failure = OCD_API_FAILURE_TIMEOUT;
      reply->detail = g_strdup_printf (_("%s did not answer within %g seconds."), host, req->timeout);
    }
  else if (error->domain == G_RESOLVER_ERROR)
    {
      reply->failure = OCD_API_FAILURE_RESOLVE;
      reply->detail = g_strdup_printf (_("The name %s does not resolve: check the spelling of the "
                                         "server address and the DNS settings."), host);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    {
      reply->failure = OCD_API_FAILURE_REFUSED;
      reply->detail = g_strdup_printf (_("%s refused the connection: is the server running, "
                                         "and are the scheme and port right?"), host);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE) ||
           g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE))
    {
      reply->failure = OCD_API_FAILURE_NETWORK;
      reply->detail = g_strdup_printf (_("There is no route to %s: check the network cable "
                                         "or Wi-Fi and the router."), host);
    }
  else if (error->domain == G_TLS_ERROR || reply->tls_errors != 0)
    {
      reply->failure = OCD_API_FAILURE_TLS;
      g_free (reply->tls);
      reply->tls = g_strdup (ocd_api_describe_tls_errors (reply->tls_errors));
      reply->detail = g_strdup_printf (_("The secure connection to %s failed: %s."), host,
                                       reply->tls_errors != 0
                                       ? ocd_api_describe_tls_errors (reply->tls_errors)
                                       : error->message);
    }
  else
    {
      reply->failure = OCD_API_FAILURE_CLOSED;
      reply->detail = g_strdup_printf (_("The connection to %s was closed before an answer "
                                         "came (%s)."), host, error->message);
    }
}

static void
complete (GTask *task, const GError *error)
{
  Request *req = g_task_get_task_data (task);
  OcdApiReply *reply = g_new0 (OcdApiReply, 1);

  reply->printer_id = -1;
  reply->elapsed_ms = (g_get_monotonic_time () - req->started) / 1000.0;
  reply->address = address_string (req->message);
  reply->tls_errors = soup_message_get_tls_peer_certificate_errors (req->message);
  if (soup_message_get_tls_peer_certificate (req->message) != NULL && reply->tls_errors == 0)
    reply->tls = g_strdup (tls_version_name (soup_message_get_tls_protocol_version (req->message)));
  else
    reply->tls = g_strdup ("");

  if (error != NULL && soup_message_get_status (req->message) == 0 &&
      error->domain == SOUP_SESSION_ERROR)
    {
      /* Something answered, but not in HTTP (a wrong port, another kind of
       * server): that is not a network problem. */
      reply->outcome = OCD_API_UNEXPECTED;
      reply->failure = OCD_API_FAILURE_PROTOCOL;
      reply->detail = g_strdup_printf (_("%s answered, but not in HTTP that can be read (%s): the "
                                         "address or port may point at something other than an "
                                         "Obico server."),
                                       req->host != NULL ? req->host : "?", error->message);
      reply->body = g_bytes_new (NULL, 0);
    }
  else if (error != NULL && soup_message_get_status (req->message) == 0)
    {
      reply->outcome = OCD_API_UNREACHABLE;
      describe_failure (req, reply, error);
    }
  else
    {
      const char *retry = soup_message_headers_get_one (soup_message_get_response_headers (req->message),
                                                         "Retry-After");

      reply->http_status = soup_message_get_status (req->message);
      reply->content_type = g_strdup (soup_message_headers_get_content_type (
                                        soup_message_get_response_headers (req->message), NULL));
      if (req->body != NULL)
        reply->body = g_byte_array_free_to_bytes (g_steal_pointer (&req->body));
      else
        reply->body = g_bytes_new (NULL, 0);
      reply->truncated = req->truncated || error != NULL;
      reply->retry_after = retry != NULL ? (gint) g_ascii_strtoll (retry, NULL, 10) : 0;
      reply->outcome = OCD_API_OK;  /* judged by a classify function */
    }

  g_debug ("%s %s → %u in %.1f ms%s%s",
           soup_message_get_method (req->message),
           g_uri_get_path (soup_message_get_uri (req->message)),
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
                                   req->cancellable, on_read, task);
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
      complete (task, error);
      return;
    }
  size = g_bytes_get_size (chunk);
  if (size == 0)
    {
      complete (task, NULL);
      return;
    }
  if (req->body->len + size > OCD_API_MAX_BODY)
    {
      /* A hostile or misdirected server does not get to fill our memory. */
      g_byte_array_append (req->body, g_bytes_get_data (chunk, NULL),
                           OCD_API_MAX_BODY - req->body->len);
      req->truncated = TRUE;
      g_input_stream_close_async (req->stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
      complete (task, NULL);
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
      complete (task, error);
      return;
    }
  req->body = g_byte_array_new ();
  read_more (g_steal_pointer (&task));
}

void
ocd_api_request_async (SoupSession         *session,
                       const char          *method,
                       const char          *url,
                       const char          *token,
                       double               timeout,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  Request *req = g_new0 (Request, 1);
  g_autoptr(GUri) uri = NULL;

  g_task_set_source_tag (task, ocd_api_request_async);
  g_task_set_task_data (task, req, (GDestroyNotify) request_free);

  req->session = g_object_ref (session);
  req->timeout = timeout;
  req->started = g_get_monotonic_time ();
  req->cancellable = g_cancellable_new ();
  if (cancellable != NULL)
    {
      req->caller_cancellable = g_object_ref (cancellable);
      req->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (on_caller_cancelled),
                                                 req->cancellable, NULL);
    }

  uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, NULL);
  req->message = uri != NULL ? soup_message_new_from_uri (method, uri) : NULL;
  if (req->message == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               "Invalid URL");
      return;
    }
  req->host = g_strdup (g_uri_get_host (uri));

  /* A captive portal's redirect is an answer to report, not to follow. */
  soup_message_add_flags (req->message, SOUP_MESSAGE_NO_REDIRECT);
  if (token != NULL)
    {
      g_autofree char *value = g_strconcat ("Token ", token, NULL);
      soup_message_headers_replace (soup_message_get_request_headers (req->message),
                                    "Authorization", value);
    }

  req->timeout_source = g_timeout_source_new ((guint) (timeout * 1000));
  g_source_set_callback (req->timeout_source, on_timeout, req, NULL);
  g_source_attach (req->timeout_source, g_main_context_get_thread_default ());

  soup_session_send_async (session, req->message, G_PRIORITY_DEFAULT, req->cancellable,
                           on_sent, g_steal_pointer (&task));
}

OcdApiReply *
ocd_api_request_finish (GAsyncResult *result)
{
  g_autoptr(GError) error = NULL;
  OcdApiReply *reply = g_task_propagate_pointer (G_TASK (result), &error);

  if (reply == NULL)
    {
      reply = g_new0 (OcdApiReply, 1);
      reply->printer_id = -1;
      reply->outcome = OCD_API_UNREACHABLE;
      reply->failure = OCD_API_FAILURE_INVALID;
      reply->detail = g_strdup_printf (_("The request could not be made: %s"), error->message);
      reply->address = g_strdup ("");
      reply->tls = g_strdup ("");
    }
  return reply;
}

/* Parses the body as a JSON object; NULL when it is not one. */
static JsonNode *
parse_object (OcdApiReply *reply)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  gsize size = 0;
  const char *data = reply->body != NULL ? g_bytes_get_data (reply->body, &size) : NULL;
  JsonNode *root;

  /* json-glib recurses once per level: a hostile body must not get to
   * overflow our stack. */
  if (data == NULL || size == 0 || reply->truncated || ocd_json_too_deep (data, size))
    return NULL;
  if (!json_parser_load_from_data (parser, data, size, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  return json_node_ref (root);
}

static void
take_printer (OcdApiReply *reply, JsonObject *printer)
{
  JsonNode *id = json_object_get_member (printer, "id");
  JsonNode *name = json_object_get_member (printer, "name");

  if (id != NULL && JSON_NODE_HOLDS_VALUE (id) && json_node_get_value_type (id) == G_TYPE_INT64)
    reply->printer_id = json_node_get_int (id);
  if (name != NULL && JSON_NODE_HOLDS_VALUE (name) && json_node_get_value_type (name) == G_TYPE_STRING)
    {
      const char *s = json_node_get_string (name);
      /* At most 256 characters: cutting bytes could split one, and a name
       * that is not UTF-8 cannot be a D-Bus string nor saved in link.conf. */
      if (g_utf8_validate (s, -1, NULL))
        reply->printer_name = g_utf8_substring (s, 0, MIN (g_utf8_strlen (s, -1), 256));
    }
}

static JsonObject *
printer_object (JsonNode *root)
{
  JsonNode *printer;

  if (root == NULL)
    return NULL;
  printer = json_object_get_member (json_node_get_object (root), "printer");
  if (printer == NULL || !JSON_NODE_HOLDS_OBJECT (printer))
    return NULL;
  return json_node_get_object (printer);
}

static void
set_unexpected (OcdApiReply *reply, const char *what)
{
  const char *type = reply->content_type != NULL && *reply->content_type ? reply->content_type
                                                                           : _("no content type");

  reply->outcome = OCD_API_UNEXPECTED;
  g_free (reply->detail);
  if (reply->http_status >= 300 && reply->http_status < 400)
    reply->detail = g_strdup_printf (_("The server answered %u (%s), a redirect, instead of %s: "
                                       "a captive portal or a proxy may be in the way."),
                                     reply->http_status, type, what);
  else
    reply->detail = g_strdup_printf (_("The server answered %u (%s) instead of %s: the address "
                                       "may point at something other than an Obico server."),
                                     reply->http_status, type, what);
}

/* No HTTP answer to judge: unreachable, or an answer that was not HTTP. */
static gboolean
classify_unreachable (OcdApiReply *reply)
{
  return reply->outcome == OCD_API_UNREACHABLE ||
         (reply->outcome == OCD_API_UNEXPECTED && reply->http_status == 0);
}

void
ocd_api_classify_printer (OcdApiReply *reply)
{
  g_autoptr(JsonNode) root = NULL;
  JsonObject *printer;

  if (classify_unreachable (reply))
    return;

  root = parse_object (reply);
  if (reply->http_status == 401 || (reply->http_status == 403 && root != NULL))
    {
      reply->outcome = OCD_API_INVALID_CREDENTIALS;
      g_free (reply->detail);
      reply->detail = g_strdup (_("The server does not accept this printer's credentials: "
                                  "the printer was deleted or archived, or its credentials "
                                  "were copied to another device."));
      return;
    }
  if (reply->http_status == 429)
    {
      reply->outcome = OCD_API_UNEXPECTED;
      g_free (reply->detail);
      reply->detail = g_strdup_printf (_("The server is limiting requests from this address "
                                         "(429); try again in %d seconds."),
                                       MAX (reply->retry_after, 1));
      return;
    }
  printer = printer_object (root);
  if (reply->http_status == 200 && printer != NULL)
    {
      take_printer (reply, printer);
      if (reply->printer_id >= 0)
        {
          reply->outcome = OCD_API_OK;
          g_free (reply->detail);
          reply->detail = g_strdup_printf (_("The server knows this printer (%s)."),
                                           reply->printer_name != NULL ? reply->printer_name : "?");
          return;
        }
    }
  set_unexpected (reply, _("the printer's details"));
}

void
ocd_api_classify_verify (OcdApiReply *reply)
{
  g_autoptr(JsonNode) root = NULL;
  JsonObject *printer;

  if (classify_unreachable (reply))
    return;

  root = parse_object (reply);
  if (reply->http_status == 404 && root != NULL)
    {
      reply->outcome = OCD_API_REJECTED;
      g_free (reply->detail);
      reply->detail = g_strdup (_("The server did not accept this code: it is wrong, was "
                                  "already used or has expired (codes are valid for 2 hours). "
                                  "Get a new code in the Obico app and try again."));
      return;
    }
  printer = printer_object (root);
  if (reply->http_status == 200 && printer != NULL)
    {
      JsonNode *token = json_object_get_member (printer, "auth_token");

      take_printer (reply, printer);
      if (token != NULL && JSON_NODE_HOLDS_VALUE (token) &&
          json_node_get_value_type (token) == G_TYPE_STRING &&
          reply->printer_id >= 0)
        {
          reply->token = g_strdup (json_node_get_string (token));
          reply->outcome = OCD_API_OK;
          g_free (reply->detail);
          reply->detail = g_strdup_printf (_("Linked to printer %s."),
                                           reply->printer_name != NULL ? reply->printer_name : "?");
          return;
        }
    }
  set_unexpected (reply, _("the new printer's credentials"));
}

void
ocd_api_classify_health (OcdApiReply *reply)
{
  gsize size = 0;
  const char *data;

  if (classify_unreachable (reply))
    return;
  data = reply->body != NULL ? g_bytes_get_data (reply->body, &size) : NULL;
  if (reply->http_status == 200 && data != NULL && size >= 4 && size <= 16 &&
      strncmp (data, "Okay", 4) == 0)
    {
      reply->outcome = OCD_API_OK;
      g_free (reply->detail);
      reply->detail = g_strdup (_("The server is up."));
      return;
    }
  set_unexpected (reply, _("“Okay” from /hc/"));
}
