/* obico-sim — a simulated Obico server for the tests and the demo.
 *
 * Serves /hc/, /api/v1/octo/printer/ (and /ping/), /api/v1/octo/verify/ and
 * /ws/dev/ as docs obico-protocol.md describes, records what clients send,
 * and is steered at run time through the JSON control API under /_sim/.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "obico-sim"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <glib-unix.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#define CODE_LIFETIME (2 * G_TIME_SPAN_HOUR)
#define DEFAULT_SLOW_LATENCY_MS 2000

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

typedef enum {
  SCENARIO_HEALTHY,
  SCENARIO_DOWN,
  SCENARIO_SLOW,
  SCENARIO_FLAKY,
  SCENARIO_INVALID_TOKEN,
  SCENARIO_ARCHIVED,
  SCENARIO_DELETED,
  SCENARIO_WS_BLOCKED,
  SCENARIO_NOT_OBICO,
  SCENARIO_PRINTER_NO_ID,
  SCENARIO_CAPTIVE_PORTAL,
  SCENARIO_HC_500,
  SCENARIO_SERVER_ERROR,
  SCENARIO_THROTTLED,
  N_SCENARIOS
} Scenario;

static const char * const scenario_names[N_SCENARIOS] = {
  "healthy", "down", "slow", "flaky", "invalid-token", "archived", "deleted", "ws-blocked",
  "not-obico", "printer-no-id", "captive-portal", "hc-500", "server-error", "throttled",
};

typedef enum {
  FAIL_MIXED,
  FAIL_500,
  FAIL_RESET,
} FailMode;

static const char * const fail_mode_names[] = { "mixed", "500", "reset" };

typedef struct {
  gint64 id;
  char *name;
  char *token;
  GPtrArray *old_tokens;  /* tokens replaced by a re-link: still attributed in the records */
  gboolean archived;
  gboolean deleted;
  char *agent_name;
  char *agent_version;
  double last_status_t;
} Printer;

typedef struct {
  char *code;
  gint64 printer_id;      /* 0: the code links a new printer */
  char *name;
  gint64 created;         /* wall clock, µs */
} Code;

typedef struct _Sim Sim;

typedef struct {
  Sim *sim;
  SoupWebsocketConnection *conn;
  gint64 printer_id;
  JsonObject *record;     /* its entry in Sim.ws_connections */
  guint ping_id;
  guint pong_deadline_id;
  gint64 pings;
  gint64 pongs;
} WsClient;

struct _Sim {
  GMainLoop *loop;
  SoupServer *server;
  const char *scheme;
  guint port;
  char *state_file;
  guint ping_interval;
  guint pong_timeout;

  Scenario scenario;
  guint latency_ms;
  guint fail_percent;
  FailMode fail_mode;
  guint fail_acc;
  guint fail_count;
  guint ws_status;
  gint64 scenario_printer_id;  /* 0: every printer */

  GPtrArray *printers;
  GPtrArray *codes;
  GPtrArray *clients;          /* WsClient: open sockets */
  JsonArray *requests;
  JsonArray *ws_messages;
  JsonArray *ws_connections;
};

typedef enum {
  ACTION_RESPOND,
  ACTION_RESET,
  ACTION_WS_ACCEPT,
} Action;

/* What to answer to one (non-control) request, decided when it arrives. */
typedef struct {
  Action action;
  guint status;
  const char *content_type;
  char *body;
  char *location;
  gboolean www_authenticate;
  gboolean retry_after;
  gint64 printer_id;
} Reply;

typedef struct {
  SoupServerMessage *msg;
  Reply reply;
} Pending;

static void
printer_free (Printer *p)
{
  g_free (p->name);
  g_free (p->token);
  g_ptr_array_unref (p->old_tokens);
  g_free (p->agent_name);
  g_free (p->agent_version);
  g_free (p);
}

static void
code_free (Code *c)
{
  g_free (c->code);
  g_free (c->name);
  g_free (c);
}

static void
reply_clear (Reply *r)
{
  g_clear_pointer (&r->body, g_free);
  g_clear_pointer (&r->location, g_free);
}

static double
now_seconds (void)
{
  return g_get_real_time () / (double) G_USEC_PER_SEC;
}

static char *
make_token (void)
{
  GString *s = g_string_sized_new (20);

  for (guint i = 0; i < 10; i++)
    g_string_append_printf (s, "%02x", g_random_int_range (0, 256));
  return g_string_free (s, FALSE);
}

static char *
object_to_text (JsonObject *obj)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), obj);

  return json_to_string (node, FALSE);
}

/* Lenient getters: NULL unless the member exists with that type. */
static const char *
get_string (JsonObject *o, const char *name)
{
  JsonNode *node = o != NULL ? json_object_get_member (o, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static JsonObject *
get_object (JsonObject *o, const char *name)
{
  JsonNode *node = o != NULL ? json_object_get_member (o, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static JsonArray *
get_array (JsonObject *o, const char *name)
{
  JsonNode *node = o != NULL ? json_object_get_member (o, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

/* ---- printers, codes and the state file ---- */

static Printer *
printer_by_id (Sim *self, gint64 id)
{
  for (guint i = 0; i < self->printers->len; i++)
    {
      Printer *p = g_ptr_array_index (self->printers, i);
      if (p->id == id)
        return p;
    }
  return NULL;
}

/* Any printer that ever had @token, for attributing records. */
static Printer *
printer_by_any_token (Sim *self, const char *token)
{
  if (token == NULL)
    return NULL;
  for (guint i = 0; i < self->printers->len; i++)
    {
      Printer *p = g_ptr_array_index (self->printers, i);
      if (g_strcmp0 (p->token, token) == 0)
        return p;
      for (guint j = 0; j < p->old_tokens->len; j++)
        if (g_str_equal (g_ptr_array_index (p->old_tokens, j), token))
          return p;
    }
  return NULL;
}

static gboolean
scenario_rejects (Sim *self, Printer *p)
{
  if (self->scenario != SCENARIO_INVALID_TOKEN &&
      self->scenario != SCENARIO_ARCHIVED &&
      self->scenario != SCENARIO_DELETED)
    return FALSE;
  return self->scenario_printer_id == 0 || self->scenario_printer_id == p->id;
}

static gboolean
printer_is_deleted (Sim *self, Printer *p)
{
  return p->deleted ||
         (self->scenario == SCENARIO_DELETED &&
          (self->scenario_printer_id == 0 || self->scenario_printer_id == p->id));
}

/* The printer whose current token is @token, if that token is accepted now. */
static Printer *
printer_for_live_token (Sim *self, const char *token)
{
  for (guint i = 0; i < self->printers->len; i++)
    {
      Printer *p = g_ptr_array_index (self->printers, i);
      if (g_strcmp0 (p->token, token) == 0)
        {
          if (p->archived || p->deleted || scenario_rejects (self, p))
            return NULL;
          return p;
        }
    }
  return NULL;
}

static Printer *
printer_add (Sim *self, const char *name)
{
  Printer *p = g_new0 (Printer, 1);
  gint64 id = 1;

  for (guint i = 0; i < self->printers->len; i++)
    id = MAX (id, ((Printer *) g_ptr_array_index (self->printers, i))->id + 1);
  p->id = id;
  p->name = g_strdup (name);
  p->token = make_token ();
  p->old_tokens = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->printers, p);
  return p;
}

static JsonObject *
printer_to_json (Sim *self, Printer *p)
{
  JsonObject *o = json_object_new ();
  gboolean connected = FALSE;

  for (guint i = 0; i < self->clients->len; i++)
    if (((WsClient *) g_ptr_array_index (self->clients, i))->printer_id == p->id)
      connected = TRUE;

  json_object_set_int_member (o, "id", p->id);
  json_object_set_string_member (o, "name", p->name);
  json_object_set_string_member (o, "token", p->token);
  json_object_set_boolean_member (o, "archived", p->archived);
  json_object_set_boolean_member (o, "deleted", p->deleted);
  json_object_set_boolean_member (o, "connected", connected);
  json_object_set_string_member (o, "agent_name", p->agent_name);
  json_object_set_string_member (o, "agent_version", p->agent_version);
  if (p->last_status_t > 0)
    json_object_set_double_member (o, "last_status_t", p->last_status_t);
  else
    json_object_set_null_member (o, "last_status_t");
  return o;
}

static void
state_save (Sim *self)
{
  g_autoptr(JsonObject) root = json_object_new ();
  g_autoptr(JsonArray) printers = json_array_new ();
  g_autoptr(JsonArray) codes = json_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  if (self->state_file == NULL)
    return;

  for (guint i = 0; i < self->printers->len; i++)
    {
      Printer *p = g_ptr_array_index (self->printers, i);
      JsonObject *o = json_object_new ();
      JsonArray *old = json_array_new ();

      for (guint j = 0; j < p->old_tokens->len; j++)
        json_array_add_string_element (old, g_ptr_array_index (p->old_tokens, j));
      json_object_set_int_member (o, "id", p->id);
      json_object_set_string_member (o, "name", p->name);
      json_object_set_string_member (o, "token", p->token);
      json_object_set_array_member (o, "old_tokens", old);
      json_object_set_boolean_member (o, "archived", p->archived);
      json_object_set_boolean_member (o, "deleted", p->deleted);
      json_array_add_object_element (printers, o);
    }
  for (guint i = 0; i < self->codes->len; i++)
    {
      Code *c = g_ptr_array_index (self->codes, i);
      JsonObject *o = json_object_new ();

      json_object_set_string_member (o, "code", c->code);
      json_object_set_int_member (o, "printer_id", c->printer_id);
      json_object_set_string_member (o, "name", c->name);
      json_object_set_int_member (o, "created", c->created);
      json_array_add_object_element (codes, o);
    }
  json_object_set_array_member (root, "printers", g_steal_pointer (&printers));
  json_object_set_array_member (root, "codes", g_steal_pointer (&codes));

  text = object_to_text (root);
  if (!g_file_set_contents (self->state_file, text, -1, &error))
    g_warning ("Could not save state to %s: %s", self->state_file, error->message);
}

static gboolean
state_load (Sim *self, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root;
  JsonArray *printers, *codes;

  if (!g_file_test (self->state_file, G_FILE_TEST_EXISTS))
    return TRUE;
  if (!json_parser_load_from_file (parser, self->state_file, error))
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: not a JSON object", self->state_file);
      return FALSE;
    }
  root = json_node_get_object (json_parser_get_root (parser));

  printers = get_array (root, "printers");
  for (guint i = 0; printers && i < json_array_get_length (printers); i++)
    {
      JsonObject *o = json_array_get_object_element (printers, i);
      JsonArray *old = get_array (o, "old_tokens");
      Printer *p = g_new0 (Printer, 1);

      p->id = json_object_get_int_member_with_default (o, "id", 0);
      p->name = g_strdup (get_string (o, "name"));
      p->token = g_strdup (get_string (o, "token"));
      p->old_tokens = g_ptr_array_new_with_free_func (g_free);
      for (guint j = 0; old && j < json_array_get_length (old); j++)
        g_ptr_array_add (p->old_tokens, g_strdup (json_array_get_string_element (old, j)));
      p->archived = json_object_get_boolean_member_with_default (o, "archived", FALSE);
      p->deleted = json_object_get_boolean_member_with_default (o, "deleted", FALSE);
      g_ptr_array_add (self->printers, p);
    }

  codes = get_array (root, "codes");
  for (guint i = 0; codes && i < json_array_get_length (codes); i++)
    {
      JsonObject *o = json_array_get_object_element (codes, i);
      Code *c = g_new0 (Code, 1);

      c->code = g_strdup (get_string (o, "code"));
      c->printer_id = json_object_get_int_member_with_default (o, "printer_id", 0);
      c->name = g_strdup (get_string (o, "name"));
      c->created = json_object_get_int_member_with_default (o, "created", 0);
      g_ptr_array_add (self->codes, c);
    }
  return TRUE;
}

static Code *
code_add (Sim *self, const char *name, gint64 printer_id)
{
  Code *c = g_new0 (Code, 1);
  gboolean unique;

  do
    {
      g_free (c->code);
      c->code = g_strdup_printf ("%06d", g_random_int_range (0, 1000000));
      unique = TRUE;
      for (guint i = 0; i < self->codes->len; i++)
        if (g_str_equal (((Code *) g_ptr_array_index (self->codes, i))->code, c->code))
          unique = FALSE;
    }
  while (!unique);

  c->name = g_strdup (name);
  c->printer_id = printer_id;
  c->created = g_get_real_time ();
  g_ptr_array_add (self->codes, c);
  return c;
}

/* ---- helpers for answers ---- */

static void
reply_text (Reply *r, guint status, const char *content_type, const char *body)
{
  r->action = ACTION_RESPOND;
  r->status = status;
  r->content_type = content_type;
  g_free (r->body);
  r->body = g_strdup (body);
}

static void
reply_object (Reply *r, guint status, JsonObject *obj)
{
  r->action = ACTION_RESPOND;
  r->status = status;
  r->content_type = "application/json";
  g_free (r->body);
  r->body = object_to_text (obj);
}

static void
reply_detail (Reply *r, guint status, const char *detail)
{
  g_autoptr(JsonObject) o = json_object_new ();

  json_object_set_string_member (o, "detail", detail);
  reply_object (r, status, o);
}

static void
respond (SoupServerMessage *msg, guint status, const char *content_type, const char *body)
{
  soup_server_message_set_status (msg, status, NULL);
  if (body != NULL)
    soup_server_message_set_response (msg, content_type, SOUP_MEMORY_COPY, body, strlen (body));
}

static void
respond_object (SoupServerMessage *msg, guint status, JsonObject *obj)
{
  g_autofree char *text = object_to_text (obj);

  respond (msg, status, "application/json", text);
}

static void
respond_array (SoupServerMessage *msg, JsonArray *array)
{
  g_autoptr(JsonNode) node = json_node_init_array (json_node_alloc (), array);
  g_autofree char *text = json_to_string (node, FALSE);

  respond (msg, SOUP_STATUS_OK, "application/json", text);
}

static void
respond_error (SoupServerMessage *msg, guint status, const char *error)
{
  g_autoptr(JsonObject) o = json_object_new ();

  json_object_set_string_member (o, "error", error);
  respond_object (msg, status, o);
}

/* The connection goes away without an answer: RST, as from a crashed host or a middlebox. */
static void
reset_connection (SoupServerMessage *msg)
{
  GSocket *borrowed = soup_server_message_get_socket (msg);
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GIOStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  struct linger linger = { .l_onoff = 1, .l_linger = 0 };

  if (borrowed == NULL)  /* the client is already gone */
    return;
  socket = g_object_ref (borrowed);
  if (setsockopt (g_socket_get_fd (socket), SOL_SOCKET, SO_LINGER, &linger, sizeof linger) < 0)
    g_debug ("SO_LINGER: %s", g_strerror (errno));
  stream = soup_server_message_steal_connection (msg);
  if (!g_socket_close (socket, &error))
    g_debug ("Closing a socket: %s", error->message);
}

static gboolean
reset_connection_cb (gpointer data)
{
  SoupServerMessage *msg = data;

  reset_connection (msg);
  g_object_unref (msg);
  return G_SOURCE_REMOVE;
}

static void
reply_apply (SoupServerMessage *msg, Reply *r)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  switch (r->action)
    {
    case ACTION_RESET:
      /* Stealing the connection from inside a handler would free the message under libsoup's feet. */
      soup_server_message_pause (msg);
      g_idle_add (reset_connection_cb, g_object_ref (msg));
      break;

    case ACTION_WS_ACCEPT:
      /* libsoup completes the handshake after the handler returns */
      break;

    case ACTION_RESPOND:
      if (r->www_authenticate)
        soup_message_headers_replace (headers, "WWW-Authenticate", "Token");
      if (r->retry_after)
        soup_message_headers_replace (headers, "Retry-After", "60");
      if (r->location != NULL)
        soup_message_headers_replace (headers, "Location", r->location);
      respond (msg, r->status, r->content_type, r->body);
      break;

    default:
      g_assert_not_reached ();
    }
}

static gboolean
pending_done_cb (gpointer data)
{
  Pending *pending = data;

  if (pending->reply.action == ACTION_RESET)
    {
      reset_connection (pending->msg);
    }
  else
    {
      reply_apply (pending->msg, &pending->reply);
      soup_server_message_unpause (pending->msg);
    }
  return G_SOURCE_REMOVE;
}

static void
pending_free (gpointer data)
{
  Pending *pending = data;

  g_object_unref (pending->msg);
  reply_clear (&pending->reply);
  g_free (pending);
}

/* ---- the Obico endpoints ---- */

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
      g_autofree char *html = NULL;
      const char *phrase = soup_status_get_phrase (self->ws_status);

      html = g_strdup_printf ("<html>\r\n<head><title>%u %s</title></head>\r\n<body>\r\n"
                              "<center><h1>%u %s</h1></center>\r\n<hr><center>nginx</center>\r\n"
                              "</body>\r\n</html>\r\n",
                              self->ws_status, phrase, self->ws_status, phrase);
      reply_text (r, self->ws_status, "text/html", html);
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
  if (p == NULL)
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
  r->printer_id = p->id;
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
      if (api)
        {
          reply_text (r, SOUP_STATUS_INTERNAL_SERVER_ERROR, "text/html", HTML_SERVER_ERROR);
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

static void
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

/* ---- WebSocket sessions ---- */

static void
ws_client_free (WsClient *c)
{
  g_clear_handle_id (&c->ping_id, g_source_remove);
  g_clear_handle_id (&c->pong_deadline_id, g_source_remove);
  g_signal_handlers_disconnect_by_data (c->conn, c);
  g_object_unref (c->conn);
  json_object_unref (c->record);
  g_free (c);
}

static void
ws_client_close (WsClient *c, gushort code, const char *reason)
{
  if (soup_websocket_connection_get_state (c->conn) != SOUP_WEBSOCKET_STATE_OPEN)
    return;
  json_object_set_string_member (c->record, "closed_by", "server");
  soup_websocket_connection_close (c->conn, code, reason);
}

static void
on_ws_closed (SoupWebsocketConnection *conn, WsClient *c)
{
  Sim *self = c->sim;
  const char *reason = soup_websocket_connection_get_close_data (conn);

  json_object_set_double_member (c->record, "t_close", now_seconds ());
  if (json_object_get_null_member (c->record, "close_code"))
    json_object_set_int_member (c->record, "close_code", soup_websocket_connection_get_close_code (conn));
  if (json_object_get_null_member (c->record, "close_reason"))
    json_object_set_string_member (c->record, "close_reason", reason);
  if (json_object_get_null_member (c->record, "closed_by"))
    json_object_set_string_member (c->record, "closed_by", "client");
  g_debug ("WebSocket of printer %" G_GINT64_FORMAT " closed (%u)", c->printer_id,
           soup_websocket_connection_get_close_code (conn));

  g_ptr_array_remove (self->clients, c);
}

static void
on_ws_error (SoupWebsocketConnection *conn, GError *error, WsClient *c)
{
  g_debug ("WebSocket of printer %" G_GINT64_FORMAT ": %s", c->printer_id, error->message);
}

static void
on_ws_pong (SoupWebsocketConnection *conn, GBytes *message, WsClient *c)
{
  g_clear_handle_id (&c->pong_deadline_id, g_source_remove);
  json_object_set_int_member (c->record, "pongs", ++c->pongs);
}

/* Ends the connection without a close frame, as a dying server or autobahn's dropConnection does. */
static void
ws_client_drop (WsClient *c, const char *why)
{
  g_autoptr(GError) error = NULL;

  g_debug ("Dropping the socket of printer %" G_GINT64_FORMAT ": %s", c->printer_id, why);
  json_object_set_int_member (c->record, "close_code", SOUP_WEBSOCKET_CLOSE_ABNORMAL);
  json_object_set_string_member (c->record, "close_reason", why);
  json_object_set_string_member (c->record, "closed_by", "server");
  if (!g_io_stream_close (soup_websocket_connection_get_io_stream (c->conn), NULL, &error))
    g_debug ("Closing a WebSocket stream: %s", error->message);
}

static gboolean
on_pong_overdue (gpointer data)
{
  WsClient *c = data;

  c->pong_deadline_id = 0;
  ws_client_drop (c, "pong timeout");
  return G_SOURCE_REMOVE;
}

/* Runs alongside libsoup's keepalive timer, which sends the actual ping. */
static gboolean
on_ping_sent (gpointer data)
{
  WsClient *c = data;

  json_object_set_int_member (c->record, "pings", ++c->pings);
  if (c->pong_deadline_id == 0 && c->sim->pong_timeout > 0)
    c->pong_deadline_id = g_timeout_add_seconds (c->sim->pong_timeout, on_pong_overdue, c);
  return G_SOURCE_CONTINUE;
}

/* Like daphne: a ping after ping_interval seconds without a message from the client. */
static void
ws_client_arm_ping (WsClient *c)
{
  guint interval = c->sim->ping_interval;

  g_clear_handle_id (&c->ping_id, g_source_remove);
  if (interval == 0)
    return;
  soup_websocket_connection_set_keepalive_interval (c->conn, 0);
  soup_websocket_connection_set_keepalive_interval (c->conn, interval);
  c->ping_id = g_timeout_add_seconds (interval, on_ping_sent, c);
}

static void
on_ws_message (SoupWebsocketConnection *conn, gint type, GBytes *message, WsClient *c)
{
  Sim *self = c->sim;
  JsonObject *rec = json_object_new ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize size;
  const char *data = g_bytes_get_data (message, &size);
  gboolean is_status = FALSE, has_ts = FALSE, empty_status = FALSE, valid = FALSE, empty = FALSE;
  const char *violation = NULL;
  Printer *p = printer_by_id (self, c->printer_id);

  ws_client_arm_ping (c);

  json_object_set_double_member (rec, "t", now_seconds ());
  json_object_set_int_member (rec, "printer_id", c->printer_id);
  json_object_set_boolean_member (rec, "binary", type == SOUP_WEBSOCKET_DATA_BINARY);

  if (type == SOUP_WEBSOCKET_DATA_TEXT)
    {
      g_autofree char *text = g_strndup (data, size);

      json_object_set_string_member (rec, "text", text);
      if (json_parser_load_from_data (parser, text, -1, NULL) &&
          JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        {
          JsonObject *o = json_node_get_object (json_parser_get_root (parser));
          JsonNode *status = json_object_get_member (o, "status");

          valid = TRUE;
          empty = json_object_get_size (o) == 0;
          is_status = !json_object_has_member (o, "janus") &&
                      !json_object_has_member (o, "http.tunnelv2") &&
                      !json_object_has_member (o, "ws.tunnel") &&
                      !json_object_has_member (o, "passthru");
          if (is_status)
            {
              JsonObject *so = status != NULL && JSON_NODE_HOLDS_OBJECT (status)
                               ? json_node_get_object (status) : NULL;
              JsonNode *ts = so != NULL ? json_object_get_member (so, "_ts") : NULL;
              JsonObject *agent = get_object (get_object (o, "settings"), "agent");

              empty_status = so == NULL || json_object_get_size (so) == 0;
              has_ts = ts != NULL && JSON_NODE_HOLDS_VALUE (ts) &&
                       (json_node_get_value_type (ts) == G_TYPE_DOUBLE ||
                        json_node_get_value_type (ts) == G_TYPE_INT64);
              if (p != NULL && has_ts)
                p->last_status_t = now_seconds ();
              if (p != NULL && get_string (agent, "name") != NULL)
                {
                  g_free (p->agent_name);
                  p->agent_name = g_strdup (get_string (agent, "name"));
                }
              if (p != NULL && get_string (agent, "version") != NULL)
                {
                  g_free (p->agent_version);
                  p->agent_version = g_strdup (get_string (agent, "version"));
                }
            }
        }
    }
  else
    {
      json_object_set_null_member (rec, "text");
    }

  json_object_set_boolean_member (rec, "valid_json", valid);
  json_object_set_boolean_member (rec, "is_status", is_status);
  json_object_set_boolean_member (rec, "has_ts", has_ts);
  json_object_set_boolean_member (rec, "empty_status", empty_status);
  json_object_set_boolean_member (rec, "empty_message", empty);
  if (empty_status)
    violation = "missing or empty status: the server deletes the printer's cached status";
  else if (is_status && !has_ts)
    violation = "status without _ts: the server ignores it";
  json_object_set_string_member (rec, "violation", violation);
  json_array_add_object_element (self->ws_messages, rec);

  if (violation != NULL)
    g_message ("Printer %" G_GINT64_FORMAT ": %s", c->printer_id, violation);

  /* obico-server refreshes the printer from the database on a status message only */
  if (is_status && (p == NULL || printer_is_deleted (self, p)))
    ws_client_close (c, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
}

static void
websocket_handler (SoupServer              *server,
                   SoupServerMessage       *msg,
                   const char              *path,
                   SoupWebsocketConnection *conn,
                   gpointer                 user_data)
{
  Sim *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  WsClient *c = g_new0 (WsClient, 1);
  g_autoptr(GPtrArray) older = g_ptr_array_new ();
  g_autoptr(JsonObject) hello = json_object_new ();
  JsonObject *remote = json_object_new ();
  g_autofree char *text = NULL;

  c->sim = self;
  c->conn = g_object_ref (conn);
  c->printer_id = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (msg), "sim-printer-id"));
  c->record = json_object_new ();
  json_object_set_double_member (c->record, "t_open", now_seconds ());
  json_object_set_null_member (c->record, "t_close");
  json_object_set_int_member (c->record, "printer_id", c->printer_id);
  json_object_set_null_member (c->record, "close_code");
  json_object_set_null_member (c->record, "close_reason");
  json_object_set_null_member (c->record, "closed_by");
  json_object_set_int_member (c->record, "pings", 0);
  json_object_set_int_member (c->record, "pongs", 0);
  json_object_set_string_member (c->record, "authorization",
                                 soup_message_headers_get_one (headers, "Authorization"));
  json_array_add_object_element (self->ws_connections, json_object_ref (c->record));

  for (guint i = 0; i < self->clients->len; i++)
    {
      WsClient *other = g_ptr_array_index (self->clients, i);
      if (other->printer_id == c->printer_id)
        g_ptr_array_add (older, other);
    }
  g_ptr_array_add (self->clients, c);

  g_signal_connect (conn, "message", G_CALLBACK (on_ws_message), c);
  g_signal_connect (conn, "closed", G_CALLBACK (on_ws_closed), c);
  g_signal_connect (conn, "error", G_CALLBACK (on_ws_error), c);
  g_signal_connect (conn, "pong", G_CALLBACK (on_ws_pong), c);
  ws_client_arm_ping (c);

  json_object_set_boolean_member (remote, "viewing", FALSE);
  json_object_set_boolean_member (remote, "should_watch", FALSE);
  json_object_set_object_member (hello, "remote_status", remote);
  text = object_to_text (hello);
  soup_websocket_connection_send_text (conn, text);
  g_debug ("WebSocket of printer %" G_GINT64_FORMAT " open", c->printer_id);

  for (guint i = 0; i < older->len; i++)
    ws_client_close (g_ptr_array_index (older, i), 4321, NULL);
}

/* ---- the control API ---- */

static gboolean
parse_scenario (const char *name, Scenario *out)
{
  for (guint i = 0; i < N_SCENARIOS; i++)
    if (g_strcmp0 (scenario_names[i], name) == 0)
      {
        *out = i;
        return TRUE;
      }
  return FALSE;
}

static JsonObject *
scenario_to_json (Sim *self)
{
  JsonObject *o = json_object_new ();

  json_object_set_string_member (o, "name", scenario_names[self->scenario]);
  json_object_set_int_member (o, "latency_ms", self->latency_ms);
  json_object_set_int_member (o, "fail_percent", self->fail_percent);
  json_object_set_string_member (o, "fail_mode", fail_mode_names[self->fail_mode]);
  json_object_set_int_member (o, "ws_status", self->ws_status);
  if (self->scenario_printer_id != 0)
    json_object_set_int_member (o, "printer_id", self->scenario_printer_id);
  else
    json_object_set_null_member (o, "printer_id");
  return o;
}

static gboolean
member_int (JsonObject *o, const char *name, gint64 min, gint64 max, gint64 *out, char **error)
{
  JsonNode *node = json_object_get_member (o, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64 ||
      json_node_get_int (node) < min || json_node_get_int (node) > max)
    {
      *error = g_strdup_printf ("%s: an integer from %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT
                                " is expected", name, min, max);
      return FALSE;
    }
  *out = json_node_get_int (node);
  return TRUE;
}

static gboolean
member_string (JsonObject *o, const char *name, const char **out, char **error)
{
  JsonNode *node = json_object_get_member (o, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      *error = g_strdup_printf ("%s: a string is expected", name);
      return FALSE;
    }
  *out = json_node_get_string (node);
  return TRUE;
}

static gboolean
member_boolean (JsonObject *o, const char *name, gboolean *out, char **error)
{
  JsonNode *node = json_object_get_member (o, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    {
      *error = g_strdup_printf ("%s: true or false is expected", name);
      return FALSE;
    }
  *out = json_node_get_boolean (node);
  return TRUE;
}

static gboolean
only_members (JsonObject *o, const char * const *allowed, char **error)
{
  g_autoptr(GList) names = json_object_get_members (o);

  for (GList *l = names; l != NULL; l = l->next)
    if (!g_strv_contains (allowed, l->data))
      {
        *error = g_strdup_printf ("unknown member \"%s\"", (const char *) l->data);
        return FALSE;
      }
  return TRUE;
}

static void
control_scenario (Sim *self, SoupServerMessage *msg, JsonObject *in)
{
  static const char * const allowed[] = { "name", "latency_ms", "fail_percent", "fail_mode",
                                          "ws_status", "printer_id", NULL };
  g_autoptr(JsonObject) out = NULL;
  g_autofree char *error = NULL;
  const char *name = NULL, *mode = "mixed";
  gint64 latency = -1, fail_percent = 30, ws_status = 400, printer_id = 0;
  Scenario scenario;
  FailMode fail_mode = FAIL_MIXED;

  if (!only_members (in, allowed, &error) ||
      !member_string (in, "name", &name, &error) ||
      !member_string (in, "fail_mode", &mode, &error) ||
      !member_int (in, "latency_ms", 0, 600000, &latency, &error) ||
      !member_int (in, "fail_percent", 0, 100, &fail_percent, &error) ||
      !member_int (in, "ws_status", 300, 599, &ws_status, &error) ||
      !member_int (in, "printer_id", 1, G_MAXINT, &printer_id, &error))
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, error);
      return;
    }
  if (!parse_scenario (name, &scenario))
    {
      g_autofree char *e = g_strdup_printf ("unknown scenario \"%s\"", name ? name : "");
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, e);
      return;
    }
  for (fail_mode = 0; fail_mode < G_N_ELEMENTS (fail_mode_names); fail_mode++)
    if (g_str_equal (fail_mode_names[fail_mode], mode))
      break;
  if (fail_mode == G_N_ELEMENTS (fail_mode_names))
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, "fail_mode: mixed, 500 or reset");
      return;
    }

  self->scenario = scenario;
  self->latency_ms = latency >= 0 ? latency : scenario == SCENARIO_SLOW ? DEFAULT_SLOW_LATENCY_MS : 0;
  self->fail_percent = scenario == SCENARIO_FLAKY ? fail_percent : 0;
  self->fail_mode = fail_mode;
  self->fail_acc = 0;
  self->fail_count = 0;
  self->ws_status = ws_status;
  self->scenario_printer_id = printer_id;
  g_debug ("Scenario %s", scenario_names[scenario]);

  if (scenario == SCENARIO_DOWN)
    {
      /* a copy without free function: dropping one removes it from self->clients */
      g_autoptr(GPtrArray) open = g_ptr_array_new ();

      for (guint i = 0; i < self->clients->len; i++)
        g_ptr_array_add (open, g_ptr_array_index (self->clients, i));
      for (guint i = 0; i < open->len; i++)
        ws_client_drop (g_ptr_array_index (open, i), "server down");
    }

  out = scenario_to_json (self);
  respond_object (msg, SOUP_STATUS_OK, out);
}

static void
control_add_printer (Sim *self, SoupServerMessage *msg, JsonObject *in)
{
  g_autofree char *error = NULL;
  g_autoptr(JsonObject) out = NULL;
  const char *name = "Test Printer";
  Printer *p;

  if (!member_string (in, "name", &name, &error))
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, error);
      return;
    }
  p = printer_add (self, name);
  state_save (self);
  out = printer_to_json (self, p);
  respond_object (msg, SOUP_STATUS_OK, out);
}

static void
control_list_printers (Sim *self, SoupServerMessage *msg)
{
  g_autoptr(JsonArray) out = json_array_new ();

  for (guint i = 0; i < self->printers->len; i++)
    json_array_add_object_element (out, printer_to_json (self, g_ptr_array_index (self->printers, i)));
  respond_array (msg, out);
}

static void
control_codes (Sim *self, SoupServerMessage *msg, JsonObject *in)
{
  g_autofree char *error = NULL;
  g_autoptr(JsonObject) out = json_object_new ();
  const char *name = "Test Printer";
  gint64 printer_id = 0;
  Code *code;

  if (!member_string (in, "name", &name, &error) ||
      !member_int (in, "printer_id", 1, G_MAXINT, &printer_id, &error))
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, error);
      return;
    }
  if (printer_id != 0 && printer_by_id (self, printer_id) == NULL)
    {
      respond_error (msg, SOUP_STATUS_NOT_FOUND, "no such printer");
      return;
    }
  code = code_add (self, name, printer_id);
  state_save (self);
  json_object_set_string_member (out, "code", code->code);
  respond_object (msg, SOUP_STATUS_OK, out);
}

static Printer *
control_printer (Sim *self, SoupServerMessage *msg, JsonObject *in)
{
  g_autofree char *error = NULL;
  gint64 id = 0;
  Printer *p;

  if (!member_int (in, "printer_id", 1, G_MAXINT, &id, &error))
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, error);
      return NULL;
    }
  p = printer_by_id (self, id);
  if (p == NULL)
    respond_error (msg, SOUP_STATUS_NOT_FOUND, "no such printer");
  return p;
}

static void
control_revoke (Sim *self, SoupServerMessage *msg, JsonObject *in)
{
  g_autofree char *error = NULL;
  g_autoptr(JsonObject) out = NULL;
  const char *how = "deleted";
  Printer *p;

  if (!member_string (in, "how", &how, &error))
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, error);
      return;
    }
  if (!g_str_equal (how, "deleted") && !g_str_equal (how, "archived"))
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, "how: deleted or archived");
      return;
    }
  p = control_printer (self, msg, in);
  if (p == NULL)
    return;
  if (g_str_equal (how, "deleted"))
    p->deleted = TRUE;
  else
    p->archived = TRUE;
  state_save (self);
  out = printer_to_json (self, p);
  respond_object (msg, SOUP_STATUS_OK, out);
}

static void
control_unarchive (Sim *self, SoupServerMessage *msg, JsonObject *in)
{
  g_autoptr(JsonObject) out = NULL;
  Printer *p = control_printer (self, msg, in);

  if (p == NULL)
    return;
  p->archived = FALSE;
  state_save (self);
  out = printer_to_json (self, p);
  respond_object (msg, SOUP_STATUS_OK, out);
}

static void
control_clear (Sim *self, SoupServerMessage *msg)
{
  g_autoptr(JsonObject) out = json_object_new ();

  json_array_unref (self->requests);
  json_array_unref (self->ws_messages);
  json_array_unref (self->ws_connections);
  self->requests = json_array_new ();
  self->ws_messages = json_array_new ();
  self->ws_connections = json_array_new ();
  /* open sockets stay listed: their closing is still to be recorded */
  for (guint i = 0; i < self->clients->len; i++)
    json_array_add_object_element (self->ws_connections,
                                   json_object_ref (((WsClient *) g_ptr_array_index (self->clients, i))->record));
  respond_object (msg, SOUP_STATUS_OK, out);
}

/* The open sockets selected by an optional "printer_id"; NULL after answering an error. */
static GPtrArray *
control_sockets (Sim *self, SoupServerMessage *msg, JsonObject *in, gboolean required)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new ();
  g_autofree char *error = NULL;
  gint64 id = 0;

  if (!member_int (in, "printer_id", 1, G_MAXINT, &id, &error))
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, error);
      return NULL;
    }
  if (required && id == 0)
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, "printer_id is required");
      return NULL;
    }
  for (guint i = 0; i < self->clients->len; i++)
    {
      WsClient *c = g_ptr_array_index (self->clients, i);
      if ((id == 0 || c->printer_id == id) &&
          soup_websocket_connection_get_state (c->conn) == SOUP_WEBSOCKET_STATE_OPEN)
        g_ptr_array_add (found, c);
    }
  if (found->len == 0)
    {
      respond_error (msg, SOUP_STATUS_NOT_FOUND, "no open WebSocket");
      return NULL;
    }
  return g_steal_pointer (&found);
}

static void
respond_count (SoupServerMessage *msg, guint n)
{
  g_autoptr(JsonObject) out = json_object_new ();

  json_object_set_int_member (out, "count", n);
  respond_object (msg, SOUP_STATUS_OK, out);
}

static void
control_ws_close (Sim *self, SoupServerMessage *msg, JsonObject *in)
{
  g_autoptr(GPtrArray) sockets = NULL;
  g_autofree char *error = NULL;
  gint64 code = SOUP_WEBSOCKET_CLOSE_NORMAL;
  const char *reason = NULL;

  if (!member_int (in, "code", 1000, 4999, &code, &error) ||
      !member_string (in, "reason", &reason, &error))
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, error);
      return;
    }
  sockets = control_sockets (self, msg, in, FALSE);
  if (sockets == NULL)
    return;
  for (guint i = 0; i < sockets->len; i++)
    ws_client_close (g_ptr_array_index (sockets, i), code,
                     reason != NULL && *reason != '\0' ? reason : NULL);
  respond_count (msg, sockets->len);
}

/* A JSON object (what the real server sends), or for robustness tests any text or binary frame. */
static void
control_ws_send (Sim *self, SoupServerMessage *msg, JsonObject *in)
{
  g_autoptr(GPtrArray) sockets = NULL;
  g_autoptr(GBytes) binary = NULL;
  g_autofree char *error = NULL;
  g_autofree char *text = NULL;
  JsonNode *node = json_object_get_member (in, "message");
  const char *raw_text = NULL, *base64 = NULL;
  gboolean raw = FALSE;

  if (!member_string (in, "text", &raw_text, &error) ||
      !member_string (in, "binary_base64", &base64, &error) ||
      !member_boolean (in, "raw", &raw, &error))
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, error);
      return;
    }
  if ((node != NULL) + (raw_text != NULL) + (base64 != NULL) != 1 ||
      (node != NULL && !JSON_NODE_HOLDS_OBJECT (node)))
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST,
                     "one of message (an object), text or binary_base64 is expected");
      return;
    }
  sockets = control_sockets (self, msg, in, FALSE);
  if (sockets == NULL)
    return;

  if (base64 != NULL)
    {
      gsize length;
      guchar *data = g_base64_decode (base64, &length);

      binary = g_bytes_new_take (data, length);
    }
  else if (raw_text != NULL)
    {
      text = g_strdup (raw_text);
    }
  else
    {
      g_autoptr(JsonObject) message = json_object_ref (json_node_get_object (node));

      /* what obico-server relays from its channel layer carries the event type */
      if (!raw && !json_object_has_member (message, "type"))
        json_object_set_string_member (message, "type", "printer.message");
      text = object_to_text (message);
    }

  for (guint i = 0; i < sockets->len; i++)
    {
      SoupWebsocketConnection *conn = ((WsClient *) g_ptr_array_index (sockets, i))->conn;

      if (binary != NULL)
        soup_websocket_connection_send_binary (conn, g_bytes_get_data (binary, NULL),
                                               g_bytes_get_size (binary));
      else
        soup_websocket_connection_send_text (conn, text);
    }
  respond_count (msg, sockets->len);
}

static void
control_ws_duplicate (Sim *self, SoupServerMessage *msg, JsonObject *in)
{
  g_autoptr(GPtrArray) sockets = control_sockets (self, msg, in, TRUE);

  if (sockets == NULL)
    return;
  for (guint i = 0; i < sockets->len; i++)
    ws_client_close (g_ptr_array_index (sockets, i), 4321, NULL);
  respond_count (msg, sockets->len);
}

static void
control_handler (SoupServer        *server,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  Sim *self = user_data;
  const char *method = soup_server_message_get_method (msg);
  gboolean post = g_str_equal (method, "POST");
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonObject) in = NULL;
  const char *name = path + strlen ("/_sim/");

  if (post && body->length > 0)
    {
      g_autoptr(GError) error = NULL;

      if (!json_parser_load_from_data (parser, body->data, body->length, &error))
        {
          respond_error (msg, SOUP_STATUS_BAD_REQUEST, error->message);
          return;
        }
      if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        {
          respond_error (msg, SOUP_STATUS_BAD_REQUEST, "a JSON object is expected");
          return;
        }
      in = json_object_ref (json_node_get_object (json_parser_get_root (parser)));
    }
  else
    {
      in = json_object_new ();
    }

  if (g_str_equal (method, "GET"))
    {
      if (g_str_equal (name, "scenario"))
        {
          g_autoptr(JsonObject) out = scenario_to_json (self);
          respond_object (msg, SOUP_STATUS_OK, out);
        }
      else if (g_str_equal (name, "printers"))
        control_list_printers (self, msg);
      else if (g_str_equal (name, "requests"))
        respond_array (msg, self->requests);
      else if (g_str_equal (name, "ws-messages"))
        respond_array (msg, self->ws_messages);
      else if (g_str_equal (name, "ws-connections"))
        respond_array (msg, self->ws_connections);
      else
        respond_error (msg, SOUP_STATUS_NOT_FOUND, "no such control endpoint");
    }
  else if (post)
    {
      if (g_str_equal (name, "scenario"))
        control_scenario (self, msg, in);
      else if (g_str_equal (name, "printers"))
        control_add_printer (self, msg, in);
      else if (g_str_equal (name, "codes"))
        control_codes (self, msg, in);
      else if (g_str_equal (name, "revoke"))
        control_revoke (self, msg, in);
      else if (g_str_equal (name, "unarchive"))
        control_unarchive (self, msg, in);
      else if (g_str_equal (name, "clear"))
        control_clear (self, msg);
      else if (g_str_equal (name, "ws/close"))
        control_ws_close (self, msg, in);
      else if (g_str_equal (name, "ws/send"))
        control_ws_send (self, msg, in);
      else if (g_str_equal (name, "ws/duplicate"))
        control_ws_duplicate (self, msg, in);
      else
        respond_error (msg, SOUP_STATUS_NOT_FOUND, "no such control endpoint");
    }
  else
    {
      respond_error (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "GET or POST");
    }
}

/* ---- main ---- */

/* Network-fault tests run the sim in a namespace of its own and reach it on a veth address. */
static gboolean
parse_ipv4 (const char *host, int port, GSocketAddress **address)
{
  *address = g_inet_socket_address_new_from_string (host, port);
  return *address != NULL &&
         g_socket_address_get_family (*address) == G_SOCKET_FAMILY_IPV4;
}

static gboolean
on_quit_signal (gpointer data)
{
  Sim *self = data;

  g_main_loop_quit (self->loop);
  return G_SOURCE_CONTINUE;
}

/* Everything main() made, on every way out: sanitizer runs see no leaks. */
static void
sim_clear (Sim *self)
{
  if (self->server != NULL)
    soup_server_disconnect (self->server);
  g_clear_pointer (&self->clients, g_ptr_array_unref);
  g_clear_object (&self->server);
  g_clear_pointer (&self->loop, g_main_loop_unref);
  g_clear_pointer (&self->printers, g_ptr_array_unref);
  g_clear_pointer (&self->codes, g_ptr_array_unref);
  g_clear_pointer (&self->requests, json_array_unref);
  g_clear_pointer (&self->ws_messages, json_array_unref);
  g_clear_pointer (&self->ws_connections, json_array_unref);
  g_clear_pointer (&self->state_file, g_free);
}

int
main (int argc, char **argv)
{
  Sim sim = { 0, };
  Sim *self = &sim;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GTlsCertificate) cert = NULL;
  g_autofree char *tls_cert = NULL;
  g_autofree char *tls_key = NULL;
  g_autofree char *scenario = NULL;
  g_autofree char *host = NULL;
  g_autoptr(GSList) listeners = NULL;
  g_autoptr(GSocketAddress) local = NULL;
  int port = 0, ping_interval = 20, pong_timeout = 30;
  g_autoptr(GSocketAddress) address = NULL;
  SoupServerListenOptions options = 0;
  guint sigterm_id, sigint_id;
  const GOptionEntry entries[] = {
    { "port", 0, 0, G_OPTION_ARG_INT, &port, "Port to listen on (0: any free one)", "N" },
    { "host", 0, 0, G_OPTION_ARG_STRING, &host, "Listen on this IPv4 address instead of 127.0.0.1 (0.0.0.0: all)", "ADDR" },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &tls_cert, "Serve HTTPS/WSS with this certificate", "FILE" },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &tls_key, "Private key of --tls-cert", "FILE" },
    { "state", 0, 0, G_OPTION_ARG_FILENAME, &self->state_file, "Keep printers and codes in this file", "FILE" },
    { "ws-ping-interval", 0, 0, G_OPTION_ARG_INT, &ping_interval, "Ping after S idle seconds (0: never)", "S" },
    { "ws-pong-timeout", 0, 0, G_OPTION_ARG_INT, &pong_timeout, "Drop a socket whose Pong is S seconds late (0: never)", "S" },
    { "scenario", 0, 0, G_OPTION_ARG_STRING, &scenario, "Initial scenario", "NAME" },
    { NULL }
  };

  context = g_option_context_new ("— a simulated Obico server");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("obico-sim: %s\n", error->message);
      sim_clear (self);
      return 2;
    }
  if (host == NULL)
    host = g_strdup ("127.0.0.1");
  if (port < 0 || port > 65535 || ping_interval < 0 || pong_timeout < 0 ||
      (tls_cert == NULL) != (tls_key == NULL) ||
      !parse_ipv4 (host, port, &address) ||
      (scenario != NULL && !parse_scenario (scenario, &self->scenario)))
    {
      g_printerr ("obico-sim: bad arguments (see --help)\n");
      sim_clear (self);
      return 2;
    }

  self->ping_interval = ping_interval;
  self->pong_timeout = pong_timeout;
  self->ws_status = 400;
  if (self->scenario == SCENARIO_SLOW)
    self->latency_ms = DEFAULT_SLOW_LATENCY_MS;
  if (self->scenario == SCENARIO_FLAKY)
    self->fail_percent = 30;
  self->printers = g_ptr_array_new_with_free_func ((GDestroyNotify) printer_free);
  self->codes = g_ptr_array_new_with_free_func ((GDestroyNotify) code_free);
  self->clients = g_ptr_array_new_with_free_func ((GDestroyNotify) ws_client_free);
  self->requests = json_array_new ();
  self->ws_messages = json_array_new ();
  self->ws_connections = json_array_new ();

  if (self->state_file != NULL && !state_load (self, &error))
    {
      g_printerr ("obico-sim: %s\n", error->message);
      sim_clear (self);
      return 1;
    }

  if (tls_cert != NULL)
    {
      cert = g_tls_certificate_new_from_files (tls_cert, tls_key, &error);
      if (cert == NULL)
        {
          g_printerr ("obico-sim: %s\n", error->message);
          sim_clear (self);
          return 1;
        }
      options |= SOUP_SERVER_LISTEN_HTTPS;
    }
  self->scheme = cert != NULL ? "https" : "http";

  self->server = soup_server_new ("server-header", "obico-sim ", "tls-certificate", cert, NULL);
  /* daphne does not negotiate permessage-deflate */
  soup_server_remove_websocket_extension (self->server, SOUP_TYPE_WEBSOCKET_EXTENSION_DEFLATE);
  soup_server_add_handler (self->server, "/", obico_handler, self, NULL);
  soup_server_add_handler (self->server, "/ws/dev/", obico_handler, self, NULL);
  soup_server_add_websocket_handler (self->server, "/ws/dev/", NULL, NULL, websocket_handler, self, NULL);
  soup_server_add_handler (self->server, "/_sim/", control_handler, self, NULL);

  if (!soup_server_listen (self->server, address, options, &error))
    {
      g_printerr ("obico-sim: cannot listen on %s:%d: %s\n", host, port, error->message);
      sim_clear (self);
      return 3;
    }
  /* not soup_server_get_uris (): libsoup 3.2 leaks an address in it */
  listeners = soup_server_get_listeners (self->server);
  local = g_socket_get_local_address (listeners->data, &error);
  if (local == NULL)
    {
      g_printerr ("obico-sim: %s\n", error->message);
      sim_clear (self);
      return 1;
    }
  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));

  /* before the line that tells a test it may start sending signals */
  self->loop = g_main_loop_new (NULL, FALSE);
  sigterm_id = g_unix_signal_add (SIGTERM, on_quit_signal, self);
  sigint_id = g_unix_signal_add (SIGINT, on_quit_signal, self);

  printf ("obico-sim listening on %s://%s:%u\n", self->scheme, host, self->port);
  fflush (stdout);
  g_main_loop_run (self->loop);

  g_source_remove (sigterm_id);
  g_source_remove (sigint_id);
  sim_clear (self);
  return 0;
}
