/* ocd-probe-route.c — Diagnose()'s route: the name looked up for IPv4 (A)
 * and IPv6 (AAAA) separately, timed, with the resolver that answered, then a
 * connection over each family, so an IPv6 path that is advertised but
 * broken shows, and a name that stopped resolving is told from a server
 * that is gone by its address from before.  Through a proxy, the route is
 * the proxy's, and an https:// server is reached by a CONNECT tunnel. */
#include "config.h"

#define G_LOG_DOMAIN "ocd-probe"

#include <glib/gi18n.h>
#include <string.h>

#include "ocd-api.h"
#include "ocd-probe-route.h"
#include "ocd-proxy.h"

/* A resolution slower than this is told in the resolve step. */
#define SLOW_RESOLVE_MS 1000.0

typedef struct {
  GTask             *task;
  const char        *family;    /* "IPv4", "IPv6" */
  GList             *addresses; /* GInetAddress, owned */
  GList             *next;
  GSocketClient     *client;
  GError            *error;     /* the most telling failure over its addresses */
  GSocketConnection *connection;
  char              *tried;     /* the last address (IP:port) tried */
  double             elapsed_ms;
  gboolean           running;
} Family;

struct _OcdProbeRoute
{
  char     *target;         /* what is resolved and connected to: the server, or the proxy */
  int       target_port;
  gboolean  via_proxy;
  char     *resolver;       /* which resolver answers, in words */
  gint64    started;
  Family    v4;
  Family    v6;
  GError   *v4_error;
  GError   *v6_error;
  double    v4_ms;
  double    v6_ms;
  guint     pending;
  gboolean  from_before;    /* the name did not resolve: its earlier addresses are tried */
  char     *tunnel_from;    /* the proxy's address a tunnel is asked of */
  double    connect_ms;     /* the connection to the proxy, before the tunnel */
  OcdProbeNext then;        /* the step after the connection: TLS */
};

/* The addresses each server name last resolved to, in this daemon's life:
 * the evidence that a name stopped resolving while the server is there. */
static GHashTable *known_addresses;

static void
family_clear (Family *family)
{
  g_list_free_full (family->addresses, g_object_unref);
  g_clear_object (&family->client);
  g_clear_error (&family->error);
  g_clear_object (&family->connection);
  g_free (family->tried);
}

void
ocd_probe_route_free (OcdProbeRoute *route)
{
  family_clear (&route->v4);
  family_clear (&route->v6);
  g_clear_error (&route->v4_error);
  g_clear_error (&route->v6_error);
  g_free (route->target);
  g_free (route->resolver);
  g_free (route->tunnel_from);
  g_free (route);
}

static GVariant *
address_strings (GList *addresses)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE_STRING_ARRAY);
  for (GList *l = addresses; l != NULL; l = l->next)
    g_variant_builder_add_value (&builder, g_variant_new_take_string (g_inet_address_to_string (l->data)));
  return g_variant_builder_end (&builder);
}

/* ---- connect ------------------------------------------------------------ */

static const char *
family_state (const Family *family)
{
  if (family->addresses == NULL)
    return "none";
  return family->connection != NULL ? "ok" : "failed";
}

static char *
failure_detail (Probe *probe, const GError *error)
{
  OcdProbeRoute *route = probe->route;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    return g_strdup_printf (_("%s refused the connection on port %d: is the server running, "
                              "and are the scheme and port of the address right?"),
                            route->target, route->target_port);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return g_strdup_printf (_("%s did not accept a connection on port %d within %g seconds: "
                              "the host is down, or a firewall drops the packets."),
                            route->target, route->target_port, probe->timeout);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE))
    return g_strdup_printf (_("There is no route to %s: check the network cable or Wi-Fi "
                              "and the router."), route->target);
  return g_strdup_printf (_("Could not connect to %s on port %d: %s."),
                          route->target, route->target_port, error->message);
}

/* What went wrong over IPv6 when IPv4 works, in a few words. */
static const char *
short_failure (const GError *error)
{
  /* Cancelled: the step's time ran out. */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return _("no answer");
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    return _("refused");
  return error->message;
}

static void
on_tunnel (GObject *source, GAsyncResult *result, gpointer data)
{
  GTask *task = data;
  Probe *probe = g_task_get_task_data (task);
  OcdProbeRoute *route = probe->route;
  g_autoptr(GError) error = NULL;
  double elapsed = route->connect_ms + ocd_deadline_elapsed_ms (probe->step);
  gboolean timed_out = ocd_deadline_expired (probe->step);
  g_autofree char *detail = NULL;

  ocd_proxy_connect_finish (result, &error);
  ocd_probe_step_end (probe);
  if (ocd_probe_return_if_cancelled (task))
    return;
  if (error == NULL)
    detail = g_strdup_printf (_("Connected to the proxy %s, which opened a connection to %s "
                                "on port %d."), probe->proxy_shown, probe->host, probe->port);
  else if (timed_out)
    detail = g_strdup_printf (_("The proxy %s did not open a connection to %s on port %d within "
                                "%g seconds."), probe->proxy_shown, probe->host, probe->port,
                              probe->timeout);
  else
    detail = g_strdup_printf (_("The proxy %s did not open a connection to %s on port %d (%s): "
                                "check the proxy's address, its credentials and what it allows."),
                              probe->proxy_shown, probe->host, probe->port, error->message);
  ocd_probe_open_step (probe, "connect", error == NULL, elapsed, detail);
  ocd_probe_step_key (probe, "address", g_variant_new_string (route->tunnel_from));
  ocd_probe_close_step (probe);
  if (error == NULL)
    {
      route->then (task);
      return;
    }
  g_clear_object (&probe->stream);
  ocd_probe_finish (task, OBICO_PROBLEM_PROXY);
}

static void
connected (GTask *task)
{
  Probe *probe = g_task_get_task_data (task);
  OcdProbeRoute *route = probe->route;
  Family *v4 = &route->v4, *v6 = &route->v6;
  /* The family getaddrinfo would prefer, IPv6, when both work. */
  Family *used = v6->connection != NULL ? v6 : v4->connection != NULL ? v4 : NULL;
  double elapsed = ocd_deadline_elapsed_ms (probe->step);
  g_autofree char *detail = NULL;
  g_autofree char *more = NULL;
  const GError *error;
  ObicoProblem problem = OBICO_PROBLEM_INTERNET;

  ocd_probe_step_end (probe);
  if (ocd_probe_return_if_cancelled (task))
    return;

  /* Through a proxy the route to the server itself is not known. */
  if (probe->host_context != NULL && route->via_proxy)
    ocd_host_note_route (probe->host_context, NULL, NULL, NULL);
  else if (probe->host_context != NULL && route->from_before)
    ocd_host_note_route (probe->host_context, NULL, NULL, used != NULL ? "failed" : NULL);
  else if (probe->host_context != NULL)
    ocd_host_note_route (probe->host_context, family_state (v4), family_state (v6),
                         route->resolver == NULL ? NULL   /* an IP address: no name */
                         : MAX (route->v4_ms, route->v6_ms) >= SLOW_RESOLVE_MS ? "slow" : "ok");

  if (used != NULL)
    {
      if (route->via_proxy)
        detail = g_strdup_printf (_("Connected to the proxy %s (%s)."), probe->proxy_shown, used->tried);
      else if (route->from_before)
        detail = g_strdup_printf (_("Connected to %s, an address the name had before: the server is "
                                    "there, only looking up its name fails."), used->tried);
      else
        detail = g_strdup_printf (_("Connected to %s."), used->tried);
      if (v6->connection == NULL && v6->addresses != NULL && v4->connection != NULL)
        {
          more = g_strdup_printf (_("Over IPv6, %s could not be reached (%s): only IPv4 works."),
                                  v6->tried, short_failure (v6->error));
          if (!route->via_proxy && probe->route_problem == OBICO_PROBLEM_NONE)
            probe->route_problem = OBICO_PROBLEM_IPV6_BROKEN;
        }
      else if (v4->connection == NULL && v4->addresses != NULL)
        more = g_strdup_printf (_("Over IPv4, %s could not be reached (%s): only IPv6 works."),
                                v4->tried, short_failure (v4->error));
      else if (v4->connection != NULL && v6->connection != NULL)
        more = g_strdup (_("IPv4 and IPv6 both work."));
      if (more != NULL)
        {
          char *both = g_strconcat (detail, " ", more, NULL);

          g_free (detail);
          detail = both;
        }
      const char *v4_state = family_state (v4), *v6_state = family_state (v6);

      probe->stream = G_IO_STREAM (g_steal_pointer (&used->connection));
      g_clear_object (&v4->connection);
      g_clear_object (&v6->connection);
      /* An https:// server through an HTTP proxy: the step is the tunnel's. */
      if (route->via_proxy && probe->use_tls && g_str_has_prefix (probe->proxy_uri, "http"))
        {
          GCancellable *cancellable = ocd_probe_step_begin (probe, task);

          route->tunnel_from = g_strdup (used->tried);
          route->connect_ms = elapsed;
          ocd_proxy_connect_async (probe->stream, probe->proxy_uri, probe->host, probe->port,
                                   cancellable, on_tunnel, task);
          return;
        }
      ocd_probe_open_step (probe, "connect", TRUE, elapsed, detail);
      ocd_probe_step_key (probe, "address", g_variant_new_string (used->tried));
      ocd_probe_step_key (probe, "ipv4", g_variant_new_string (v4_state));
      ocd_probe_step_key (probe, "ipv6", g_variant_new_string (v6_state));
      ocd_probe_close_step (probe);

      if (route->from_before)
        ocd_probe_finish (task, OBICO_PROBLEM_DNS);
      else
        {
          if (route->via_proxy && probe->use_tls)
            probe->tls_note = _("Not checked here through a SOCKS proxy: the requests below go "
                                "through it.");
          route->then (task);
        }
      return;
    }

  /* Neither: a refusal is the most telling answer, then IPv4's. */
  if (v6->error != NULL && g_error_matches (v6->error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    used = v6;
  else
    used = v4->addresses != NULL ? v4 : v6;
  error = used->error;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    problem = OBICO_PROBLEM_SERVER_ADDRESS;
  if (route->via_proxy)
    {
      g_autofree char *why = failure_detail (probe, error);

      problem = OBICO_PROBLEM_PROXY;
      detail = g_strdup_printf (_("The proxy %s cannot be reached: %s"), probe->proxy_shown, why);
    }
  else
    detail = failure_detail (probe, error);
  ocd_probe_open_step (probe, "connect", FALSE, elapsed, detail);
  ocd_probe_step_key (probe, "address", g_variant_new_string (used->tried != NULL ? used->tried : ""));
  ocd_probe_step_key (probe, "ipv4", g_variant_new_string (family_state (v4)));
  ocd_probe_step_key (probe, "ipv6", g_variant_new_string (family_state (v6)));
  ocd_probe_close_step (probe);
  ocd_probe_finish (task, route->from_before ? OBICO_PROBLEM_INTERNET : problem);
}

static void connect_next (Family *family, Probe *probe);

static void
on_family_connected (GObject *source, GAsyncResult *result, gpointer data)
{
  Family *family = data;
  GTask *task = family->task;
  Probe *probe = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  GSocketConnection *conn = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, &error);

  if (conn == NULL)
    {
      if (ocd_deadline_expired (probe->step))
        g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "timed out");
      /* A refusal is the most telling answer; keep it over later ones. */
      if (family->error == NULL ||
          !g_error_matches (family->error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
        {
          g_clear_error (&family->error);
          family->error = g_error_copy (error);
        }
      g_debug ("%s: connect to %s failed (%s)", family->family, family->tried, error->message);
      if (!ocd_deadline_expired (probe->step) &&
          !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
          family->next->next != NULL)
        {
          family->next = family->next->next;
          connect_next (family, probe);
          return;
        }
    }
  family->connection = conn;
  family->running = FALSE;
  if (!probe->route->v4.running && !probe->route->v6.running)
    connected (task);
}

static void
connect_next (Family *family, Probe *probe)
{
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (family->next->data,
                                                                 (guint16) probe->route->target_port);

  g_free (family->tried);
  family->tried = ocd_api_format_address (family->next->data, (guint) probe->route->target_port);
  g_socket_client_connect_async (family->client, G_SOCKET_CONNECTABLE (address),
                                 ocd_deadline_get_cancellable (probe->step), on_family_connected, family);
}

static void
run_connect (GTask *task)
{
  Probe *probe = g_task_get_task_data (task);
  OcdProbeRoute *route = probe->route;
  Family *families[] = { &route->v4, &route->v6 };

  /* Each family tries its addresses in turn, both within one timeout. */
  ocd_probe_step_begin (probe, task);
  for (guint i = 0; i < G_N_ELEMENTS (families); i++)
    {
      Family *family = families[i];

      family->task = task;
      if (family->addresses == NULL)
        continue;
      family->client = g_socket_client_new ();
      /* The route itself: a proxy, if any, is the target already. */
      g_socket_client_set_enable_proxy (family->client, FALSE);
      family->next = family->addresses;
      family->running = TRUE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (families); i++)
    if (families[i]->running)
      connect_next (families[i], probe);
}

/* ---- resolve ------------------------------------------------------------ */

/* Whether @hosts (an /etc/hosts) names @name. */
static gboolean
hosts_names (const char *hosts, const char *name)
{
  g_auto(GStrv) lines = NULL;

  if (hosts == NULL)
    return FALSE;
  lines = g_strsplit (hosts, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) words = NULL;
      char *hash = strchr (lines[i], '#');

      if (hash != NULL)
        *hash = '\0';
      words = g_strsplit_set (lines[i], " \t", -1);
      for (guint j = 1; words[0] != NULL && words[j] != NULL; j++)
        if (g_ascii_strcasecmp (words[j], name) == 0)
          return TRUE;
    }
  return FALSE;
}

char *
ocd_probe_describe_resolver (const char *hosts, const char *resolv_conf, const char *name)
{
  g_auto(GStrv) lines = NULL;
  g_autoptr(GPtrArray) servers = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *list = NULL;

  if (hosts_names (hosts, name))
    return g_strdup ("/etc/hosts");
  if (resolv_conf != NULL)
    {
      lines = g_strsplit (resolv_conf, "\n", -1);
      for (guint i = 0; lines[i] != NULL; i++)
        {
          g_auto(GStrv) words = g_strsplit_set (g_strstrip (lines[i]), " \t", -1);

          if (g_strcmp0 (words[0], "nameserver") == 0 && words[1] != NULL && *words[1] != '\0')
            g_ptr_array_add (servers, g_strdup (words[1]));
        }
    }
  if (servers->len == 0)
    return g_strdup (_("no name server (/etc/resolv.conf names none)"));
  if (g_str_has_prefix (servers->pdata[0], "127.0.0.53") || g_str_has_prefix (servers->pdata[0], "127.0.0.54"))
    return g_strdup_printf ("systemd-resolved (%s)", (char *) servers->pdata[0]);
  g_ptr_array_add (servers, NULL);
  list = g_strjoinv (", ", (char **) servers->pdata);
  return g_strdup_printf ("%s (/etc/resolv.conf)", list);
}

/* Which resolver answers for @name, as getaddrinfo() asks them: /etc/hosts
 * first, then the name servers of /etc/resolv.conf (systemd-resolved when
 * that is its stub, 127.0.0.53). */
static char *
describe_resolver (const char *name)
{
  g_autofree char *hosts = NULL;
  g_autofree char *resolv_conf = NULL;

  if (!g_file_get_contents ("/etc/hosts", &hosts, NULL, NULL))
    g_clear_pointer (&hosts, g_free);
  if (!g_file_get_contents ("/etc/resolv.conf", &resolv_conf, NULL, NULL))
    g_clear_pointer (&resolv_conf, g_free);
  return ocd_probe_describe_resolver (hosts, resolv_conf, name);
}

static void
remember (const char *name, GList *v4, GList *v6)
{
  GPtrArray *strings = g_ptr_array_new_with_free_func (g_free);

  if (known_addresses == NULL)
    known_addresses = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) g_ptr_array_unref);
  for (GList *l = v4; l != NULL; l = l->next)
    g_ptr_array_add (strings, g_inet_address_to_string (l->data));
  for (GList *l = v6; l != NULL; l = l->next)
    g_ptr_array_add (strings, g_inet_address_to_string (l->data));
  g_hash_table_replace (known_addresses, g_ascii_strdown (name, -1), strings);
}

/* The addresses @name had before, into the families; FALSE: none known. */
static gboolean
recall (const char *name, OcdProbeRoute *route)
{
  g_autofree char *key = g_ascii_strdown (name, -1);
  GPtrArray *strings = known_addresses != NULL ? g_hash_table_lookup (known_addresses, key) : NULL;

  for (guint i = 0; strings != NULL && i < strings->len; i++)
    {
      GInetAddress *address = g_inet_address_new_from_string (strings->pdata[i]);
      Family *family = g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6 ? &route->v6
                                                                                    : &route->v4;

      family->addresses = g_list_append (family->addresses, address);
    }
  return strings != NULL && strings->len > 0;
}

static char *
family_line (const char *record, GList *addresses, double ms, const GError *error, gboolean timed_out)
{
  g_autofree char *first = NULL;

  if (addresses == NULL && timed_out)
    return g_strdup_printf (_("%s: no answer within the timeout"), record);
  if (addresses == NULL)
    return g_strdup_printf (_("%s: none"), record);
  first = g_inet_address_to_string (addresses->data);
  return g_strdup_printf (_("%s: %s in %.0f ms"), record, first, ms);
}

static void
resolved (GTask *task)
{
  Probe *probe = g_task_get_task_data (task);
  OcdProbeRoute *route = probe->route;
  double elapsed = ocd_deadline_elapsed_ms (probe->step);
  gboolean timed_out = ocd_deadline_expired (probe->step);
  g_autofree char *a = NULL;
  g_autofree char *aaaa = NULL;
  g_autofree char *detail = NULL;
  g_autoptr(GList) all = NULL;
  const GError *error = route->v4_error != NULL ? route->v4_error : route->v6_error;
  gboolean ok = route->v4.addresses != NULL || route->v6.addresses != NULL;

  ocd_probe_step_end (probe);
  if (ocd_probe_return_if_cancelled (task))
    return;

  a = family_line ("A (IPv4)", route->v4.addresses, route->v4_ms, route->v4_error, timed_out);
  aaaa = family_line ("AAAA (IPv6)", route->v6.addresses, route->v6_ms, route->v6_error, timed_out);
  if (ok)
    {
      detail = g_strdup_printf (_("%s resolves, as %s answers: %s; %s."), route->target,
                                route->resolver, a, aaaa);
      if (MAX (route->v4_ms, route->v6_ms) >= SLOW_RESOLVE_MS)
        {
          char *slow = g_strdup_printf (_("%s Looking it up is slow."), detail);

          g_free (detail);
          detail = slow;
        }
      if (!route->via_proxy)
        remember (route->target, route->v4.addresses, route->v6.addresses);
    }
  else if (timed_out)
    detail = g_strdup_printf (_("Looking up the name %s took longer than %g seconds: the DNS "
                                "server does not answer (%s). Check the network connection and the "
                                "DNS settings."), route->target, probe->timeout, route->resolver);
  else if (g_error_matches (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND))
    detail = g_strdup_printf (_("The name %s does not resolve (%s answers): check the spelling of "
                                "the server address and the DNS settings."),
                              route->target, route->resolver);
  else
    detail = g_strdup_printf (_("The name %s could not be looked up (%s; asked: %s): check the "
                                "network connection and the DNS settings."),
                              route->target, error != NULL ? error->message : "?", route->resolver);

  all = g_list_concat (g_list_copy (route->v4.addresses), g_list_copy (route->v6.addresses));
  ocd_probe_open_step (probe, "resolve", ok, elapsed, detail);
  ocd_probe_step_key (probe, "addresses", address_strings (all));
  ocd_probe_step_key (probe, "ipv4_addresses", address_strings (route->v4.addresses));
  ocd_probe_step_key (probe, "ipv6_addresses", address_strings (route->v6.addresses));
  ocd_probe_step_key (probe, "ipv4_ms", g_variant_new_double (route->v4_ms));
  ocd_probe_step_key (probe, "ipv6_ms", g_variant_new_double (route->v6_ms));
  ocd_probe_step_key (probe, "resolver", g_variant_new_string (route->resolver));
  ocd_probe_close_step (probe);

  if (!ok && probe->host_context != NULL)
    ocd_host_note_route (probe->host_context, NULL, NULL, NULL);
  if (ok)
    run_connect (task);
  else if (route->via_proxy)
    ocd_probe_finish (task, OBICO_PROBLEM_PROXY);
  /* Not a single answer, but the name had addresses before: whether the
   * server is there tells a name server's failure from a server gone. */
  else if ((route->from_before = recall (route->target, route)))
    run_connect (task);
  else
    ocd_probe_finish (task, OBICO_PROBLEM_SERVER_ADDRESS);
}

static void
on_lookup (GObject *source, GAsyncResult *result, gpointer data)
{
  Family *family = data;
  GTask *task = family->task;
  Probe *probe = g_task_get_task_data (task);
  OcdProbeRoute *route = probe->route;
  GError *error = NULL;
  GList *addresses = g_resolver_lookup_by_name_with_flags_finish (G_RESOLVER (source), result, &error);
  double ms = (g_get_monotonic_time () - route->started) / 1000.0;

  family->addresses = addresses;
  if (family == &route->v4)
    {
      route->v4_error = error;
      route->v4_ms = ms;
    }
  else
    {
      route->v6_error = error;
      route->v6_ms = ms;
    }
  if (--route->pending == 0)
    resolved (task);
}

static void
run_resolve (GTask *task)
{
  Probe *probe = g_task_get_task_data (task);
  OcdProbeRoute *route = probe->route;
  g_autoptr(GResolver) resolver = NULL;
  g_autoptr(GInetAddress) literal = g_inet_address_new_from_string (route->target);
  GCancellable *cancellable;

  route->v4.family = "IPv4";
  route->v6.family = "IPv6";
  route->v4.task = route->v6.task = task;
  if (literal != NULL)
    {
      g_autofree char *detail = g_strdup_printf (_("%s is an IP address: there is no name to look up."),
                                                 route->target);
      Family *family = g_inet_address_get_family (literal) == G_SOCKET_FAMILY_IPV6 ? &route->v6
                                                                                    : &route->v4;

      family->addresses = g_list_prepend (NULL, g_steal_pointer (&literal));
      ocd_probe_open_step (probe, "resolve", TRUE, 0, detail);
      ocd_probe_step_key (probe, "addresses", address_strings (family->addresses));
      ocd_probe_close_step (probe);
      run_connect (task);
      return;
    }

  route->resolver = describe_resolver (route->target);
  resolver = g_resolver_get_default ();
  cancellable = ocd_probe_step_begin (probe, task);
  route->started = g_get_monotonic_time ();
  route->pending = 2;
  g_resolver_lookup_by_name_with_flags_async (resolver, route->target,
                                              G_RESOLVER_NAME_LOOKUP_FLAGS_IPV4_ONLY, cancellable,
                                              on_lookup, &route->v4);
  g_resolver_lookup_by_name_with_flags_async (resolver, route->target,
                                              G_RESOLVER_NAME_LOOKUP_FLAGS_IPV6_ONLY, cancellable,
                                              on_lookup, &route->v6);
}

void
ocd_probe_run_route (GTask *task, OcdProbeNext then)
{
  Probe *probe = g_task_get_task_data (task);
  OcdProbeRoute *route = g_new0 (OcdProbeRoute, 1);

  probe->route = route;
  route->then = then;
  if (probe->proxy_uri != NULL)
    {
      g_autoptr(GUri) uri = g_uri_parse (probe->proxy_uri, G_URI_FLAGS_HAS_PASSWORD, NULL);
      const char *scheme = uri != NULL ? g_uri_get_scheme (uri) : "";

      route->via_proxy = TRUE;
      route->target = g_strdup (uri != NULL && g_uri_get_host (uri) != NULL ? g_uri_get_host (uri) : "");
      route->target_port = uri != NULL && g_uri_get_port (uri) > 0
                           ? g_uri_get_port (uri)
                           : g_str_has_prefix (scheme, "socks") ? 1080
                           : g_strcmp0 (scheme, "https") == 0 ? 443 : 80;
    }
  else
    {
      route->target = g_strdup (probe->host);
      route->target_port = probe->port;
    }
  run_resolve (task);
}
