/* ocd-api-classify.c — what an Obico server's answer means, by the rules of
 * docs/obico-protocol.md, and how to say it.  A 200 is not enough: the printer
 * endpoint must return JSON with printer.id, /hc/ must say Okay, and only a
 * 403 or a 101 shows that a WebSocket upgrade reached the server.  Pure: no
 * I/O, so unit tests and fuzzers judge crafted replies. */
#include "config.h"

#define G_LOG_DOMAIN "ocd-api"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "ocd-api.h"
#include "ocd-message.h"

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

ObicoProblem
ocd_api_reply_problem (const OcdApiReply *reply)
{
  switch (reply->outcome)
    {
    case OCD_API_OK:
      return OBICO_PROBLEM_NONE;
    case OCD_API_UNREACHABLE:
      return ocd_api_failure_problem (reply->failure);
    case OCD_API_INVALID_CREDENTIALS:
      return OBICO_PROBLEM_INVALID_CREDENTIALS;
    /* Reached, and failing: not the address's fault. */
    case OCD_API_SERVER_ERROR:
      return OBICO_PROBLEM_SERVER_ERROR;
    case OCD_API_REJECTED:
    case OCD_API_UNEXPECTED:
    default:
      return OBICO_PROBLEM_NOT_OBICO_SERVER;
    }
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

const char *
ocd_api_format_tls_version (GTlsProtocolVersion version)
{
  switch (version)
    {
    case G_TLS_PROTOCOL_VERSION_SSL_3_0: return "SSL 3.0";
    case G_TLS_PROTOCOL_VERSION_TLS_1_0: return "TLS 1.0";
    case G_TLS_PROTOCOL_VERSION_TLS_1_1: return "TLS 1.1";
    case G_TLS_PROTOCOL_VERSION_TLS_1_2: return "TLS 1.2";
    case G_TLS_PROTOCOL_VERSION_TLS_1_3: return "TLS 1.3";
    case G_TLS_PROTOCOL_VERSION_DTLS_1_0: return "DTLS 1.0";
    case G_TLS_PROTOCOL_VERSION_DTLS_1_2: return "DTLS 1.2";
    case G_TLS_PROTOCOL_VERSION_UNKNOWN:
    default: return "";
    }
}

char *
ocd_api_format_address (GInetAddress *address,
                        guint         port)
{
  g_autofree char *ip = g_inet_address_to_string (address);

  if (g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6)
    return g_strdup_printf ("[%s]:%u", ip, port);
  return g_strdup_printf ("%s:%u", ip, port);
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

/* A 5xx: the server, or the proxy or load balancer in front of it, was
 * reached and failed.  Whatever answered is broken, not foreign: the address
 * is not to blame, so this is not "not Obico's". */
static gboolean
classify_server_error (OcdApiReply *reply)
{
  if (reply->http_status < 500 || reply->http_status > 599)
    return FALSE;
  reply->outcome = OCD_API_SERVER_ERROR;
  g_free (reply->detail);
  reply->detail = g_strdup_printf (_("The server was reached but failed (HTTP %u): the Obico "
                                     "Cloud may be under maintenance, or a self-hosted server's "
                                     "web service may be down behind its proxy."),
                                   reply->http_status);
  return TRUE;
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

  if (classify_unreachable (reply) || classify_server_error (reply))
    return;

  root = parse_object (reply);
  if (reply->anonymous)
    {
      /* Asked without credentials, an Obico server (DRF) refuses with 401
       * and a JSON body: that is the answer that shows it is Obico's. */
      if ((reply->http_status == 401 || reply->http_status == 403) && root != NULL)
        {
          reply->outcome = OCD_API_INVALID_CREDENTIALS;
          g_free (reply->detail);
          reply->detail = g_strdup (_("The server asks for a printer's credentials, as an Obico "
                                      "server does."));
          return;
        }
    }
  else if (reply->http_status == 401 || (reply->http_status == 403 && root != NULL))
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
  if (reply->http_status == 200 && printer != NULL && !reply->anonymous)
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

  if (classify_unreachable (reply) || classify_server_error (reply))
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
  g_free (reply->detail);
  if (reply->http_status == 200 && data != NULL && size >= 4 && size <= 16 &&
      strncmp (data, "Okay", 4) == 0)
    {
      reply->outcome = OCD_API_OK;
      reply->detail = g_strdup (_("The server is up."));
      return;
    }
  /* "Okay" is known only of the open-source server: any other answer says
   * that the server answers, and no more. */
  reply->outcome = reply->http_status >= 500 && reply->http_status <= 599 ? OCD_API_SERVER_ERROR
                                                                           : OCD_API_UNEXPECTED;
  reply->detail = g_strdup_printf (_("The server answers, but /hc/ answered %u (%s) instead of "
                                     "“Okay”: whether it is an Obico server and works is for "
                                     "the printer endpoint to say."),
                                   reply->http_status,
                                   reply->content_type != NULL && *reply->content_type
                                   ? reply->content_type : _("no content type"));
}

void
ocd_api_classify_websocket (OcdApiReply *reply)
{
  const char *url = reply->url != NULL ? reply->url : "/ws/dev/";
  const char *type = reply->content_type != NULL && *reply->content_type ? reply->content_type
                                                                           : _("no content type");

  reply->websocket = OBICO_WEB_SOCKET_BLOCKED;
  if (classify_unreachable (reply))
    return;   /* no answer: the transport said what failed */

  g_free (reply->detail);
  if (reply->accepted && !reply->anonymous)
    {
      reply->outcome = OCD_API_OK;
      reply->websocket = OBICO_WEB_SOCKET_CONNECTED;
      reply->detail = g_strdup (_("The server accepted the WebSocket."));
    }
  else if (reply->accepted)
    {
      /* Whatever accepted it is a WebSocket endpoint, reached through every
       * proxy on the way: the path is open.  Whether the server is Obico's
       * is for the REST checks to say, not for this one. */
      reply->outcome = OCD_API_OK;
      reply->websocket = OBICO_WEB_SOCKET_REACHABLE;
      reply->detail = g_strdup_printf (_("The WebSocket path at %s answers: the server even "
                                         "accepted an upgrade without credentials, which an Obico "
                                         "server does not do."), url);
    }
  else if (reply->http_status == SOUP_STATUS_FORBIDDEN && reply->anonymous)
    {
      reply->outcome = OCD_API_OK;
      reply->websocket = OBICO_WEB_SOCKET_REACHABLE;
      reply->detail = g_strdup_printf (_("The WebSocket path at %s answers: the server refused an "
                                         "upgrade without credentials with 403, as an Obico server "
                                         "does."), url);
    }
  else if (reply->http_status == SOUP_STATUS_FORBIDDEN)
    {
      reply->outcome = OCD_API_INVALID_CREDENTIALS;
      reply->websocket = OBICO_WEB_SOCKET_REJECTED;
      reply->detail = g_strdup (_("The server refused the WebSocket (403)."));
    }
  else
    {
      reply->outcome = OCD_API_UNEXPECTED;
      reply->detail = g_strdup_printf (_("The WebSocket upgrade at %s was answered with %u (%s) "
                                         "instead of %u: a firewall or reverse proxy on the way "
                                         "does not pass WebSockets (a proxy must pass the Upgrade "
                                         "header on /ws/)."),
                                       url, reply->http_status, type,
                                       reply->anonymous ? SOUP_STATUS_FORBIDDEN
                                                        : SOUP_STATUS_SWITCHING_PROTOCOLS);
    }
}
