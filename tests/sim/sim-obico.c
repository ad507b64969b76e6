/* obico-sim: the Obico endpoints — /hc/, the printer API, verify and the
 * WebSocket upgrade — as obico-server answers them, under the scenario in force.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "sim.h"

#include <string.h>

#define CODE_LIFETIME (2 * G_TIME_SPAN_HOUR)

#define HTML_NOT_FOUND "<!doctype html>\n<html lang=\"en\">\n<head><title>Not Found</title></head>\n" \
  "<body><h1>Not Found</h1><p>The requested resource was not found on this server.</p></body>\n</html>\n"
#define HTML_SERVER_ERROR "<!doctype html>\n<html lang=\"en\">\n<head><title>Server Error (500)</title></head>\n" \
  "<body><h1>Server Error (500)</h1><p></p></body>\n</html>\n"
#define HTML_NOT_OBICO "<!DOCTYPE html>\n<html><head><title>Welcome to nginx!</title></head>\n" \
  "<body><h1>Welcome to nginx!</h1><p>If you see this page, the nginx web server is successfully " \
  "installed and working.</p></body></html>\n"
#define HTML_PORTAL "<!DOCTYPE html>\n<html><head><title>Sign in to Wi-Fi</title></head>\n" \
  "<body><h1>Sign in to Wi-Fi</h1><form method=\"post\"><input name=\"room\">" \
  "<button>Connect</button></form></body></html>\n"

#define HTML_APP "<!doctype html>\n<html lang=\"en\"><head><title>Obico</title></head>\n" \
  "<body><div id=\"app\"></div><script src=\"/static/app.js\"></script></body></html>\n"

/* An error page as nginx writes it (a proxy's 502, a load balancer's 503). */
static void
reply_status_page (Reply *r, guint status)
{
  const char *phrase = soup_status_get_phrase (status);
  g_autofree char *html = g_strdup_printf ("<html>\r\n<head><title>%u %s</title></head>\r\n<body>\r\n"
                                           "<center><h1>%u %s</h1></center>\r\n<hr><center>nginx</center>\r\n"
                                           "</body>\r\n</html>\r\n",
                                           status, phrase, status, phrase);

  reply_text (r, status, "text/html", html);
}

static gboolean
is_websocket_upgrade (SoupMessageHeaders *headers)
{
  const char *upgrade = soup_message_headers_get_one (headers, "Upgrade");
  g_autofree char *value = g_strstrip (g_strdup (upgrade ? upgrade : ""));

  return g_ascii_strcasecmp (value, "websocket") == 0;
}

/* The white-space separated words of the Authorization header, NULL without one. */
static GStrv
authorization_words (SoupMessageHeaders *headers)
{
  const char *value = soup_message_headers_get_one (headers, "Authorization");
  g_autoptr(GStrvBuilder) builder = NULL;
  g_auto(GStrv) parts = NULL;

  if (value == NULL)
    return NULL;
  builder = g_strv_builder_new ();
  parts = g_strsplit_set (value, " \t", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    if (*parts[i] != '\0')
      g_strv_builder_add (builder, parts[i]);
  return g_strv_builder_end (builder);
}

/* The key when the header is "<scheme> <key>"; *n_parts says what else came (0: no such scheme). */
static char *
authorization_key (SoupMessageHeaders *headers, const char *scheme, gboolean case_sensitive,
                   guint *n_parts)
{
  g_auto(GStrv) words = authorization_words (headers);

  *n_parts = words != NULL ? g_strv_length (words) : 0;
  if (*n_parts == 0)
    return NULL;
  if (case_sensitive ? strcmp (words[0], scheme) != 0 : g_ascii_strcasecmp (words[0], scheme) != 0)
    {
      *n_parts = 0;
      return NULL;
    }
  return *n_parts == 2 ? g_strdup (words[1]) : NULL;
}

static void
serve_printer (Sim *self, SoupServerMessage *msg, Reply *r)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  g_autoptr(JsonObject) o = json_object_new ();
  JsonObject *user = json_object_new ();
  JsonObject *printer = json_object_new ();
  g_autofree char *key = NULL;
  Printer *p;
  guint n_parts;

  json_object_set_boolean_member (user, "is_pro", FALSE);
  json_object_set_object_member (o, "user", user);
  json_object_set_object_member (o, "printer", printer);
  json_object_set_boolean_member (printer, "is_pro", FALSE);

  if (self->scenario == SCENARIO_PRINTER_NO_ID)
    {
      json_object_set_string_member (printer, "name", "Printer");
      reply_object (r, SOUP_STATUS_OK, o);
      return;
    }

  /* DRF's TokenAuthentication: the scheme word is case-insensitive here */
  key = authorization_key (headers, "Token", FALSE, &n_parts);
  if (key == NULL)
    {
      r->www_authenticate = TRUE;
      if (n_parts == 0)
        reply_detail (r, SOUP_STATUS_UNAUTHORIZED, "Authentication credentials were not provided.");
      else if (n_parts == 1)
        reply_detail (r, SOUP_STATUS_UNAUTHORIZED, "Invalid token header. No credentials provided.");
      else
        reply_detail (r, SOUP_STATUS_UNAUTHORIZED,
                      "Invalid token header. Token string should not contain spaces.");
      return;
    }

  p = printer_for_live_token (self, key);
  if (p == NULL)
    {
      g_autoptr(JsonObject) e = json_object_new ();

      json_object_set_string_member (e, "error", "Invalid or Inactive Token");
      json_object_set_string_member (e, "is_authenticated", "False");
      r->www_authenticate = TRUE;
      reply_object (r, SOUP_STATUS_UNAUTHORIZED, e);
      return;
    }

  if (strcmp (soup_server_message_get_method (msg), "GET") != 0)
    {
      g_autofree char *detail = g_strdup_printf ("Method \"%s\" not allowed.",
                                                 soup_server_message_get_method (msg));
      reply_detail (r, SOUP_STATUS_METHOD_NOT_ALLOWED, detail);
      return;
    }

  json_object_set_int_member (printer, "id", p->id);
  json_object_set_string_member (printer, "name", p->name);
  json_object_set_double_member (printer, "retract_on_pause", 6.5);
  reply_object (r, SOUP_STATUS_OK, o);
}

static void
serve_verify (Sim *self, SoupServerMessage *msg, GHashTable *query, Reply *r)
{
  g_autoptr(JsonObject) o = json_object_new ();
  JsonObject *user = json_object_new ();
  JsonObject *printer = json_object_new ();
  g_autofree char *wanted = NULL;
  Code *code = NULL;
  Printer *p;

  json_object_set_boolean_member (user, "is_pro", FALSE);
  json_object_set_object_member (o, "user", user);
  json_object_set_object_member (o, "printer", printer);
  json_object_set_boolean_member (printer, "is_pro", FALSE);

  if (self->scenario == SCENARIO_PRINTER_NO_ID)
    {
      json_object_set_string_member (printer, "name", "Printer");
      reply_object (r, SOUP_STATUS_OK, o);
      return;
    }

  if (strcmp (soup_server_message_get_method (msg), "POST") != 0)
    {
      g_autofree char *detail = g_strdup_printf ("Method \"%s\" not allowed.",
                                                 soup_server_message_get_method (msg));
      reply_detail (r, SOUP_STATUS_METHOD_NOT_ALLOWED, detail);
      return;
    }

  if (query != NULL && g_hash_table_lookup (query, "code") != NULL)
    wanted = g_strstrip (g_strdup (g_hash_table_lookup (query, "code")));
  for (guint i = 0; wanted != NULL && i < self->codes->len; i++)
    {
      Code *c = g_ptr_array_index (self->codes, i);
      if (g_str_equal (c->code, wanted) && g_get_real_time () - c->created < CODE_LIFETIME)
        code = c;
    }
  p = code != NULL && code->printer_id != 0 ? printer_by_id (self, code->printer_id) : NULL;
  if (code == NULL || (code->printer_id != 0 && (p == NULL || p->deleted)))
    {
      reply_detail (r, SOUP_STATUS_NOT_FOUND, "Requested resource does not exist");
      return;
    }

  if (p != NULL)
    {
      g_ptr_array_add (p->old_tokens, g_steal_pointer (&p->token));
      p->token = make_token ();
    }
  else
    {
      p = printer_add (self, code->name);
    }
  g_ptr_array_remove (self->codes, code);
  state_save (self);

  r->printer_id = p->id;
  json_object_set_int_member (printer, "id", p->id);
  json_object_set_string_member (printer, "name", p->name);
  json_object_set_string_member (printer, "auth_token", p->token);
  reply_object (r, SOUP_STATUS_OK, o);
}

static void
serve_websocket (Sim *self, SoupServerMessage *msg, Reply *r)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  g_autofree char *key = NULL;
  g_autoptr(GError) error = NULL;
  Printer *p;
  guint n_parts;

  if (self->scenario == SCENARIO_WS_BLOCKED)
    {
      reply_status_page (r, self->ws_status);
      return;
    }

  if (!is_websocket_upgrade (headers))
    {
      reply_text (r, SOUP_STATUS_NOT_FOUND, "text/html", HTML_NOT_FOUND);
      return;
    }

  /* obico-server's TokenAuthMiddleware: exactly "bearer", lowercase */
  key = authorization_key (headers, "bearer", TRUE, &n_parts);
  p = key != NULL ? printer_for_live_token (self, key) : NULL;
  /* ws-open: a WebSocket endpoint that takes anyone (not obico-server's). */
  if (p == NULL && self->scenario != SCENARIO_WS_OPEN)
    {
      reply_text (r, SOUP_STATUS_FORBIDDEN, "text/plain", "Access denied");
      return;
    }

  if (!soup_websocket_server_check_handshake (msg, NULL, NULL, NULL, &error))
    {
      g_debug ("Bad WebSocket handshake: %s", error->message);
      reply_text (r, SOUP_STATUS_BAD_REQUEST, "text/plain", "Bad Request");
      return;
    }

  r->action = ACTION_WS_ACCEPT;
  r->status = SOUP_STATUS_SWITCHING_PROTOCOLS;
  r->printer_id = p != NULL ? p->id : 0;
}

/* Error diffusion rather than dice: exactly fail_percent of the requests fail. */
static gboolean
flaky_tick (Sim *self)
{
  self->fail_acc += self->fail_percent;
  if (self->fail_acc < 100)
    return FALSE;
  self->fail_acc -= 100;
  self->fail_count++;
  return TRUE;
}

static void
decide (Sim *self, SoupServerMessage *msg, const char *path, GHashTable *query, Reply *r)
{
  gboolean api = g_str_equal (path, "/api/v1/octo/printer/") ||
                 g_str_equal (path, "/api/v1/octo/ping/") ||
                 g_str_equal (path, "/api/v1/octo/verify/");

  switch (self->scenario)
    {
    case SCENARIO_DOWN:
      r->action = ACTION_RESET;
      return;

    case SCENARIO_FLAKY:
      if (flaky_tick (self))
        {
          if (self->fail_mode == FAIL_RESET ||
              (self->fail_mode == FAIL_MIXED && self->fail_count % 2 == 0))
            r->action = ACTION_RESET;
          else
            reply_text (r, SOUP_STATUS_INTERNAL_SERVER_ERROR, "text/html", HTML_SERVER_ERROR);
          return;
        }
      break;

    case SCENARIO_THROTTLED:
      r->retry_after = TRUE;
      reply_detail (r, 429 /* Too Many Requests */,
                    "Request was throttled. Expected available in 60 seconds.");
      return;

    case SCENARIO_NOT_OBICO:
      reply_text (r, SOUP_STATUS_OK, "text/html", HTML_NOT_OBICO);
      return;

    case SCENARIO_CAPTIVE_PORTAL:
      if (g_str_equal (path, "/portal/"))
        {
          reply_text (r, SOUP_STATUS_OK, "text/html", HTML_PORTAL);
        }
      else
        {
          r->location = g_strdup_printf ("%s://%s:%u/portal/", self->scheme,
                                         g_uri_get_host (soup_server_message_get_uri (msg)), self->port);
          reply_text (r, SOUP_STATUS_FOUND, "text/html", "<html><body>Redirecting</body></html>\n");
        }
      return;

    case SCENARIO_SERVER_ERROR:
      if (api && self->status == SOUP_STATUS_INTERNAL_SERVER_ERROR)
        {
          /* Django's own 500 page */
          reply_text (r, SOUP_STATUS_INTERNAL_SERVER_ERROR, "text/html", HTML_SERVER_ERROR);
          return;
        }
      if (api)
        {
          reply_status_page (r, self->status);
          return;
        }
      break;

    case SCENARIO_MAINTENANCE:
      reply_status_page (r, self->status);
      return;

    case SCENARIO_HC_ODD:
      if (g_str_equal (path, "/hc/"))
        {
          reply_text (r, SOUP_STATUS_OK, "text/html", HTML_APP);
          return;
        }
      break;

    case SCENARIO_HC_500:
      if (g_str_equal (path, "/hc/"))
        {
          reply_text (r, SOUP_STATUS_INTERNAL_SERVER_ERROR, "text/html", HTML_SERVER_ERROR);
          return;
        }
      break;

    case SCENARIO_HEALTHY:
    case SCENARIO_SLOW:
    case SCENARIO_INVALID_TOKEN:
    case SCENARIO_ARCHIVED:
    case SCENARIO_DELETED:
    case SCENARIO_WS_BLOCKED:
    case SCENARIO_WS_OPEN:
    case SCENARIO_PRINTER_NO_ID:
    case N_SCENARIOS:
    default:
      break;
    }

  if (g_str_equal (path, "/hc/"))
    reply_text (r, SOUP_STATUS_OK, "text/plain", "Okay");
  else if (g_str_equal (path, "/api/v1/octo/printer/") || g_str_equal (path, "/api/v1/octo/ping/"))
    serve_printer (self, msg, r);
  else if (g_str_equal (path, "/api/v1/octo/verify/"))
    serve_verify (self, msg, query, r);
  else if (g_str_equal (path, "/ws/dev/"))
    serve_websocket (self, msg, r);
  else if (g_str_has_prefix (path, "/ws/") || g_str_equal (path, "/ws"))
    /* Channels' URLRouter raises for an unknown WebSocket path; daphne answers 500 */
    reply_text (r, SOUP_STATUS_INTERNAL_SERVER_ERROR, "text/html", HTML_SERVER_ERROR);
  else
    reply_text (r, SOUP_STATUS_NOT_FOUND, "text/html", HTML_NOT_FOUND);
}

static void
add_header_cb (const char *name, const char *value, gpointer data)
{
  JsonObject *o = data;
  g_autofree char *lower = g_ascii_strdown (name, -1);

  if (json_object_has_member (o, lower))
    {
      g_autofree char *joined = g_strdup_printf ("%s, %s",
                                                 json_object_get_string_member (o, lower), value);
      json_object_set_string_member (o, lower, joined);
    }
  else
    {
      json_object_set_string_member (o, lower, value);
    }
}

static void
record_request (Sim *self, SoupServerMessage *msg, const char *path, const Reply *r)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  JsonObject *o = json_object_new ();
  JsonObject *h = json_object_new ();
  const char *query = g_uri_get_query (soup_server_message_get_uri (msg));
  gint64 printer_id = r->printer_id;

  if (printer_id == 0)
    {
      g_auto(GStrv) words = authorization_words (headers);
      Printer *p = words != NULL && g_strv_length (words) == 2
                   ? printer_by_any_token (self, words[1]) : NULL;

      if (p != NULL)
        printer_id = p->id;
    }

  soup_message_headers_foreach (headers, add_header_cb, h);
  json_object_set_double_member (o, "t", now_seconds ());
  json_object_set_string_member (o, "method", soup_server_message_get_method (msg));
  json_object_set_string_member (o, "path", path);
  json_object_set_string_member (o, "query", query);
  json_object_set_object_member (o, "headers", h);
  json_object_set_boolean_member (o, "websocket", is_websocket_upgrade (headers));
  json_object_set_int_member (o, "status", r->action == ACTION_RESET ? 0 : r->status);
  if (printer_id != 0)
    json_object_set_int_member (o, "printer_id", printer_id);
  else
    json_object_set_null_member (o, "printer_id");
  json_array_add_object_element (self->requests, o);
}

void
obico_handler (SoupServer        *server,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  Sim *self = user_data;
  Reply reply = { 0, };
  guint latency = self->latency_ms;

  decide (self, msg, path, query, &reply);
  record_request (self, msg, path, &reply);
  reply_date (self, msg);
  g_debug ("%s %s → %u", soup_server_message_get_method (msg), path,
           reply.action == ACTION_RESET ? 0 : reply.status);

  if (reply.action == ACTION_WS_ACCEPT)
    g_object_set_data (G_OBJECT (msg), "sim-printer-id", GINT_TO_POINTER ((int) reply.printer_id));

  if (latency > 0)
    {
      Pending *pending = g_new0 (Pending, 1);

      pending->msg = g_object_ref (msg);
      pending->reply = reply;
      soup_server_message_pause (msg);
      g_timeout_add_full (G_PRIORITY_DEFAULT, latency, pending_done_cb, pending, pending_free);
      return;
    }

  reply_apply (msg, &reply);
  reply_clear (&reply);
}
