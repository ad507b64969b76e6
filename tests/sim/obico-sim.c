/* obico-sim — a simulated Obico server for the tests and the demo.
 *
 * Serves /hc/, /api/v1/octo/printer/ (and /ping/), /api/v1/octo/verify/ and
 * /ws/dev/ as docs/obico-protocol.md describes, records what clients send,
 * and is steered at run time through the JSON control API under /_sim/.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "sim.h"

#include <stdio.h>

#include <glib-unix.h>

/* ---- small helpers every part uses ---- */

double
now_seconds (void)
{
  return g_get_real_time () / (double) G_USEC_PER_SEC;
}

char *
object_to_text (JsonObject *obj)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), obj);

  return json_to_string (node, FALSE);
}

/* Lenient getters: NULL unless the member exists with that type. */
const char *
get_string (JsonObject *o, const char *name)
{
  JsonNode *node = o != NULL ? json_object_get_member (o, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

JsonObject *
get_object (JsonObject *o, const char *name)
{
  JsonNode *node = o != NULL ? json_object_get_member (o, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

JsonArray *
get_array (JsonObject *o, const char *name)
{
  JsonNode *node = o != NULL ? json_object_get_member (o, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

/* ---- main ---- */

/* Network-fault tests run the sim in a namespace of its own and reach it on a veth address;
 * an IPv6 one (:: listens on both families) for the route tests. */
static gboolean
parse_address (const char *host, int port, GSocketAddress **address)
{
  *address = g_inet_socket_address_new_from_string (host, port);
  return *address != NULL;
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
  int port = 0, ping_interval = 20, pong_timeout = 30, status_ttl = 120;
  g_autoptr(GSocketAddress) address = NULL;
  SoupServerListenOptions options = 0;
  guint sigterm_id, sigint_id;
  const GOptionEntry entries[] = {
    { "port", 0, 0, G_OPTION_ARG_INT, &port, "Port to listen on (0: any free one)", "N" },
    { "host", 0, 0, G_OPTION_ARG_STRING, &host, "Listen on this address instead of 127.0.0.1 (0.0.0.0: all IPv4, ::: all)", "ADDR" },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &tls_cert, "Serve HTTPS/WSS with this certificate", "FILE" },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &tls_key, "Private key of --tls-cert", "FILE" },
    { "state", 0, 0, G_OPTION_ARG_FILENAME, &self->state_file, "Keep printers and codes in this file", "FILE" },
    { "ws-ping-interval", 0, 0, G_OPTION_ARG_INT, &ping_interval, "Ping after S idle seconds (0: never)", "S" },
    { "ws-pong-timeout", 0, 0, G_OPTION_ARG_INT, &pong_timeout, "Drop a socket whose Pong is S seconds late (0: never)", "S" },
    { "status-ttl", 0, 0, G_OPTION_ARG_INT, &status_ttl, "A status with _ts stays cached S seconds (the server's 120)", "S" },
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
  if (port < 0 || port > 65535 || ping_interval < 0 || pong_timeout < 0 || status_ttl < 1 ||
      (tls_cert == NULL) != (tls_key == NULL) ||
      !parse_address (host, port, &address) ||
      (scenario != NULL && !parse_scenario (scenario, &self->scenario)))
    {
      g_printerr ("obico-sim: bad arguments (see --help)\n");
      sim_clear (self);
      return 2;
    }

  self->ping_interval = ping_interval;
  self->pong_timeout = pong_timeout;
  self->status_ttl = status_ttl;
  self->ws_status = 400;
  self->status = self->scenario == SCENARIO_MAINTENANCE ? 503 : 500;
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

  /* "::": both families, on one port (libsoup's own IPv6 socket is IPv6 only). */
  if (g_strcmp0 (host, "::") == 0 ? !soup_server_listen_all (self->server, port, options, &error)
                                  : !soup_server_listen (self->server, address, options, &error))
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

  if (strchr (host, ':') != NULL)
    printf ("obico-sim listening on %s://[%s]:%u\n", self->scheme, host, self->port);
  else
    printf ("obico-sim listening on %s://%s:%u\n", self->scheme, host, self->port);
  fflush (stdout);
  g_main_loop_run (self->loop);

  g_source_remove (sigterm_id);
  g_source_remove (sigint_id);
  sim_clear (self);
  return 0;
}
