/* obico-sim: WebSocket sessions — the printer's socket as daphne and
 * obico-server keep it, and the record of every frame.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "sim.h"

void
ws_client_free (WsClient *c)
{
  g_clear_handle_id (&c->ping_id, g_source_remove);
  g_clear_handle_id (&c->pong_deadline_id, g_source_remove);
  g_signal_handlers_disconnect_by_data (c->conn, c);
  g_object_unref (c->conn);
  json_object_unref (c->record);
  g_free (c);
}

void
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
  gint64 printer_id;

  json_object_set_double_member (c->record, "t_close", now_seconds ());
  if (json_object_get_null_member (c->record, "close_code"))
    json_object_set_int_member (c->record, "close_code", soup_websocket_connection_get_close_code (conn));
  if (json_object_get_null_member (c->record, "close_reason"))
    json_object_set_string_member (c->record, "close_reason", reason);
  if (json_object_get_null_member (c->record, "closed_by"))
    json_object_set_string_member (c->record, "closed_by", "client");
  g_debug ("WebSocket of printer %" G_GINT64_FORMAT " closed (%u)", c->printer_id,
           soup_websocket_connection_get_close_code (conn));

  printer_id = c->printer_id;
  g_ptr_array_remove (self->clients, c);
  status_socket_closed (self, printer_id);
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
void
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
  JsonObject *status_object = NULL;  /* owned by the parser */

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

              status_object = so;
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
  else if (is_status)
    status_message (self, p, status_object, has_ts);
}

void
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
  json_object_set_string_member (c->record, "user_agent",
                                 soup_message_headers_get_one (headers, "User-Agent"));
  json_array_add_object_element (self->ws_connections, json_object_ref (c->record));

  for (guint i = 0; i < self->clients->len; i++)
    {
      WsClient *other = g_ptr_array_index (self->clients, i);
      /* Anonymous sockets (ws-open) belong to no printer. */
      if (c->printer_id != 0 && other->printer_id == c->printer_id)
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
