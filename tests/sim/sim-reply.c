/* obico-sim: answers — a Reply decided now and applied now or later, the
 * control API's JSON answers, and a connection reset instead of an answer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "sim.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

void
reply_clear (Reply *r)
{
  g_clear_pointer (&r->body, g_free);
  g_clear_pointer (&r->location, g_free);
}

void
reply_text (Reply *r, guint status, const char *content_type, const char *body)
{
  r->action = ACTION_RESPOND;
  r->status = status;
  r->content_type = content_type;
  g_free (r->body);
  r->body = g_strdup (body);
}

void
reply_object (Reply *r, guint status, JsonObject *obj)
{
  r->action = ACTION_RESPOND;
  r->status = status;
  r->content_type = "application/json";
  g_free (r->body);
  r->body = object_to_text (obj);
}

void
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

void
respond_object (SoupServerMessage *msg, guint status, JsonObject *obj)
{
  g_autofree char *text = object_to_text (obj);

  respond (msg, status, "application/json", text);
}

void
respond_array (SoupServerMessage *msg, JsonArray *array)
{
  g_autoptr(JsonNode) node = json_node_init_array (json_node_alloc (), array);
  g_autofree char *text = json_to_string (node, FALSE);

  respond (msg, SOUP_STATUS_OK, "application/json", text);
}

void
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

/* libsoup dates every answer when the request arrives; a skewed clock
 * dates it off by that much. */
void
reply_date (Sim *self, SoupServerMessage *msg)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) date = g_date_time_add_seconds (now, (double) self->clock_skew);
  g_autofree char *text = soup_date_time_to_string (date, SOUP_DATE_HTTP);

  if (self->clock_skew != 0)
    soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Date", text);
}

void
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

gboolean
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

void
pending_free (gpointer data)
{
  Pending *pending = data;

  g_object_unref (pending->msg);
  reply_clear (&pending->reply);
  g_free (pending);
}
