/* obico-sim: the control API under /_sim/ that tests steer the server with.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "sim.h"

#include <string.h>

static const char * const scenario_names[N_SCENARIOS] = {
  "healthy", "down", "slow", "flaky", "invalid-token", "archived", "deleted", "ws-blocked",
  "not-obico", "printer-no-id", "captive-portal", "hc-500", "server-error", "throttled",
  "ws-open", "maintenance", "hc-odd",
};

static const char * const fail_mode_names[] = { "mixed", "500", "reset" };

gboolean
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
  json_object_set_int_member (o, "status", self->status);
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
                                          "ws_status", "status", "printer_id", NULL };
  g_autoptr(JsonObject) out = NULL;
  g_autofree char *error = NULL;
  const char *name = NULL, *mode = "mixed";
  gint64 latency = -1, fail_percent = 30, ws_status = 400, status = 0, printer_id = 0;
  Scenario scenario;
  FailMode fail_mode = FAIL_MIXED;

  if (!only_members (in, allowed, &error) ||
      !member_string (in, "name", &name, &error) ||
      !member_string (in, "fail_mode", &mode, &error) ||
      !member_int (in, "latency_ms", 0, 600000, &latency, &error) ||
      !member_int (in, "fail_percent", 0, 100, &fail_percent, &error) ||
      !member_int (in, "ws_status", 300, 599, &ws_status, &error) ||
      !member_int (in, "status", 500, 599, &status, &error) ||
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
  self->status = status != 0 ? status : scenario == SCENARIO_MAINTENANCE ? 503 : 500;
  self->scenario_printer_id = printer_id;
  g_debug ("Scenario %s", scenario_names[scenario]);

  /* Going down, or into maintenance: the sockets go too. */
  if (scenario == SCENARIO_DOWN || scenario == SCENARIO_MAINTENANCE)
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
respond_clock (Sim *self, SoupServerMessage *msg)
{
  g_autoptr(JsonObject) out = json_object_new ();

  json_object_set_int_member (out, "skew", self->clock_skew);
  respond_object (msg, SOUP_STATUS_OK, out);
}

/* {"skew": S}: the Date of every Obico answer is S seconds off. */
static void
control_clock (Sim *self, SoupServerMessage *msg, JsonObject *in)
{
  static const char * const allowed[] = { "skew", NULL };
  g_autofree char *error = NULL;
  gint64 skew = 0;

  if (!only_members (in, allowed, &error) ||
      !member_int (in, "skew", -100LL * 365 * 86400, 100LL * 365 * 86400, &skew, &error))
    {
      respond_error (msg, SOUP_STATUS_BAD_REQUEST, error);
      return;
    }
  self->clock_skew = skew;
  respond_clock (self, msg);
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

void
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
      else if (g_str_equal (name, "clock"))
        respond_clock (self, msg);
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
      else if (g_str_equal (name, "clock"))
        control_clock (self, msg, in);
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
