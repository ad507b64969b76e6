/* ocd-decide.c — the guide's "Connection to server" row, decided in one
 * place.  The rules are tried in order: the first that applies names the
 * problem a person should fix first. */
#include "config.h"

#include <glib/gi18n.h>

#include "ocd-decide.h"

/* Outages begun in the recent window that make a link unreliable however
 * much worked in between: it keeps dropping. */
#define UNRELIABLE_DROPS 3

static void
decide (ObicoState state, ObicoProblem problem, const char *detail, OcdDecision *out)
{
  out->state = state;
  out->problem = problem;
  out->detail = detail != NULL && *detail != '\0' ? g_strdup (detail) : NULL;
}

static gboolean
host_says (const OcdDecideInputs *in, const char *key, const char *value)
{
  const char *found = NULL;

  return in->host.host != NULL && g_variant_lookup (in->host.host, key, "&s", &found) &&
         g_strcmp0 (found, value) == 0;
}

/* What the last Diagnose() found of the route (Host's ipv4, ipv6, dns)
 * that explains drops: an IPv6 path advertised but broken, a slow name
 * server. */
static ObicoProblem
route_cause (const OcdDecideInputs *in, char **detail)
{
  if (host_says (in, "ipv6", "failed") && host_says (in, "ipv4", "ok"))
    {
      *detail = g_strdup (_("The last diagnosis found IPv6 advertised but broken: connections over "
                            "IPv6 fail while IPv4 works, so each new connection may first wait for "
                            "IPv6 to fail."));
      return OBICO_PROBLEM_IPV6_BROKEN;
    }
  if (host_says (in, "dns", "slow"))
    {
      *detail = g_strdup (_("The last diagnosis found looking up the server's name slow: the name "
                            "server answers late, and a connection can time out waiting for it."));
      return OBICO_PROBLEM_DNS;
    }
  return OBICO_PROBLEM_NONE;
}

static char *
agent_not_running (const OcdDecideInputs *in)
{
  if (in->agent_unit != NULL && in->agent_state != NULL)
    /* TRANSLATORS: the first %s is a systemd unit, the second its state (inactive, failed, …) */
    return g_strdup_printf (_("The official Obico agent is not running: its service %s is %s. The Obico app "
                              "shows this printer offline until it runs again; restart it."),
                            in->agent_unit, in->agent_state);
  return g_strdup (_("The official Obico agent is not running: no service or process of it was found. The "
                     "Obico app shows this printer offline until it runs again; start it."));
}

static char *
agent_not_connected (const OcdDecideInputs *in)
{
  if (in->agent_line != NULL && *in->agent_line != '\0')
    /* TRANSLATORS: %s is a line of the agent's own log */
    return g_strdup_printf (_("The official Obico agent runs, but holds no connection to the server, so the "
                              "Obico app shows this printer offline. Its log says: %s"), in->agent_line);
  return g_strdup (_("The official Obico agent runs, but holds no connection to the server, so the Obico "
                     "app shows this printer offline. Diagnose shows where the connection fails."));
}

void
ocd_decide (const OcdDecideInputs *in,
            OcdDecision           *out)
{
  gboolean agent = in->role == OBICO_ROLE_AGENT;
  gboolean watch = in->role == OBICO_ROLE_WATCH;

  if (in->role == OBICO_ROLE_UNLINKED)
    {
      /* An official agent's broken settings say more than "not linked". */
      decide (OBICO_STATE_UNLINKED, OBICO_PROBLEM_NOT_LINKED,
              in->broken_agent != NULL ? in->broken_agent
                                       : _("No printer is linked: link this printer with the "
                                           "6-digit code shown in the Obico app."),
              out);
    }
  /* This host has no network: nothing the server said can be checked now,
   * and the fix is this host's Wi-Fi or cable, not the server. */
  else if (in->no_network)
    {
      decide (OBICO_STATE_ERROR, OBICO_PROBLEM_NO_NETWORK,
              in->network_detail != NULL && *in->network_detail != '\0'
                ? in->network_detail
                : _("This computer has no network connection: check its Wi-Fi or network cable. "
                    "The link resumes by itself when the network is back."),
              out);
    }
  else if (in->http == OBICO_HTTP_INVALID_CREDENTIALS && in->relinked)
    {
      decide (OBICO_STATE_ERROR, OBICO_PROBLEM_STILL_INVALID,
              _("The server refuses the credentials again right after a successful re-link: "
                "something unusual is going on. Make a support report and get help from a "
                "person."),
              out);
    }
  else if (in->http == OBICO_HTTP_INVALID_CREDENTIALS)
    {
      decide (OBICO_STATE_ERROR, OBICO_PROBLEM_INVALID_CREDENTIALS, in->http_detail, out);
    }
  else if (in->websocket == OBICO_WEB_SOCKET_SHARED_CREDENTIALS)
    {
      decide (OBICO_STATE_ERROR, OBICO_PROBLEM_SHARED_CREDENTIALS,
              _("Another device or program connected with this printer's credentials and the "
                "server closed this connection (code 4321). Re-link this printer and every copy "
                "of its SD card."),
              out);
    }
  /* Whatever else is wrong, the app shows the printer offline while its
   * agent's service is stopped, and restarting it is the first step. */
  else if (watch && in->agent == OCD_AGENT_HEALTH_NOT_RUNNING && in->agent_unit != NULL)
    {
      decide (OBICO_STATE_ERROR, OBICO_PROBLEM_AGENT_NOT_RUNNING, NULL, out);
      out->detail = agent_not_running (in);
    }
  else if (in->http == OBICO_HTTP_UNREACHABLE)
    {
      g_auto(OcdCause) cause = { 0 };

      /* A certificate not valid by a clock that is wrong: the clock. */
      if (in->unreachable == OBICO_PROBLEM_TLS)
        ocd_cause_of_tls (&in->host, &cause);
      if (cause.problem != OBICO_PROBLEM_NONE)
        decide (OBICO_STATE_ERROR, cause.problem, cause.detail, out);
      /* The name did not resolve at the last diagnosis while the server
       * answered at an address it had before: the name server. */
      else if (in->unreachable != OBICO_PROBLEM_TLS && host_says (in, "dns", "failed"))
        {
          decide (OBICO_STATE_ERROR, OBICO_PROBLEM_DNS, NULL, out);
          out->detail = g_strdup_printf (_("The last diagnosis found that the server's name does not "
                                           "resolve while the server answers at an address it had "
                                           "before: the name server fails. %s"),
                                         in->http_detail != NULL ? in->http_detail : "");
          g_strchomp (out->detail);
        }
      else
        decide (OBICO_STATE_ERROR,
                in->unreachable != OBICO_PROBLEM_NONE ? in->unreachable : OBICO_PROBLEM_INTERNET,
                in->http_detail, out);
    }
  /* Reached, and failing: not the address's fault. */
  else if (in->http == OBICO_HTTP_SERVER_ERROR)
    {
      decide (OBICO_STATE_ERROR, OBICO_PROBLEM_SERVER_ERROR, in->http_detail, out);
    }
  else if (in->http == OBICO_HTTP_UNEXPECTED)
    {
      decide (OBICO_STATE_ERROR, OBICO_PROBLEM_NOT_OBICO_SERVER, in->http_detail, out);
    }
  /* Before the error rate: every refused upgrade counts as an error, and
   * the rate must not hide the one cause a person can fix. */
  /* An upgrade that failed to look the name up, which the last diagnosis
   * found failing while the server is there: the name server. */
  else if ((in->websocket == OBICO_WEB_SOCKET_BLOCKED || in->websocket == OBICO_WEB_SOCKET_REJECTED) &&
           host_says (in, "dns", "failed"))
    {
      decide (OBICO_STATE_ERROR, OBICO_PROBLEM_DNS, NULL, out);
      out->detail = g_strdup_printf (_("The last diagnosis found that the server's name does not "
                                       "resolve while the server answers at an address it had "
                                       "before: the name server fails. %s"),
                                     in->websocket_detail != NULL ? in->websocket_detail : "");
      g_strchomp (out->detail);
    }
  /* Through a proxy, HTTP passing and the upgrade not points at the proxy. */
  else if ((in->websocket == OBICO_WEB_SOCKET_BLOCKED || in->websocket == OBICO_WEB_SOCKET_REJECTED) &&
           in->proxy != NULL)
    {
      decide (OBICO_STATE_DISCONNECTED, OBICO_PROBLEM_PROXY, NULL, out);
      out->detail = g_strdup_printf (_("Through the proxy %s, ordinary requests reach the server but "
                                       "the WebSocket does not: %s"),
                                     in->proxy, in->websocket_detail != NULL ? in->websocket_detail : "");
    }
  else if (in->websocket == OBICO_WEB_SOCKET_BLOCKED || in->websocket == OBICO_WEB_SOCKET_REJECTED)
    {
      decide (OBICO_STATE_DISCONNECTED, OBICO_PROBLEM_WEBSOCKET_BLOCKED, in->websocket_detail, out);
    }
  /* The link keeps failing while otherwise up: repeated drops or a high
   * share of failed exchanges over the recent window.  An outage that has
   * ended is over: its retries were one failure. */
  else if (in->recent.exchanges.alert || in->recent.exchanges.errors >= UNRELIABLE_DROPS)
    {
      const OcdStatsSummary *recent = &in->recent.exchanges;
      g_auto(OcdCause) cause = { 0 };

      /* Unreliable: the cause the host's context at the drops points to. */
      if (recent->severity != OBICO_SEVERITY_TOTAL)
        ocd_cause_of_drops (&in->host, &cause);
      if (cause.problem != OBICO_PROBLEM_NONE)
        {
          decide (OBICO_STATE_ERROR, cause.problem, cause.detail, out);
          return;
        }
      if (recent->severity != OBICO_SEVERITY_TOTAL &&
          (cause.problem = route_cause (in, &cause.detail)) != OBICO_PROBLEM_NONE)
        {
          decide (OBICO_STATE_ERROR, cause.problem, cause.detail, out);
          return;
        }
      decide (OBICO_STATE_ERROR,
              recent->severity == OBICO_SEVERITY_TOTAL ? OBICO_PROBLEM_NO_CONNECTIVITY
                                                       : OBICO_PROBLEM_UNRELIABLE_NETWORK,
              NULL, out);
      out->detail = g_strdup_printf (_("%u of the last %u exchanges with the server failed "
                                       "(%.0f %%); an outage counts once."),
                                     recent->errors, recent->attempts, recent->rate * 100);
    }
  /* The watch role's anonymous upgrade may not have run yet: HTTP decides. */
  else if (in->http == OBICO_HTTP_UNKNOWN ||
           (agent && (in->websocket == OBICO_WEB_SOCKET_UNKNOWN ||
                      in->websocket == OBICO_WEB_SOCKET_CONNECTING)))
    {
      decide (OBICO_STATE_CONNECTING, OBICO_PROBLEM_NONE, NULL, out);
    }
  /* The network is fine as far as the checks see, yet the agent's own
   * connection is gone, or carries no status: the app shows it offline.
   * No process of an agent without a unit is weaker evidence than its
   * unit's state: the network's problems come first. */
  else if (watch && in->agent == OCD_AGENT_HEALTH_NOT_RUNNING)
    {
      decide (OBICO_STATE_ERROR, OBICO_PROBLEM_AGENT_NOT_RUNNING, NULL, out);
      out->detail = agent_not_running (in);
    }
  else if (watch && in->agent == OCD_AGENT_HEALTH_NOT_CONNECTED)
    {
      decide (OBICO_STATE_DISCONNECTED, OBICO_PROBLEM_AGENT_NOT_CONNECTED, NULL, out);
      out->detail = agent_not_connected (in);
    }
  else if (watch && in->agent == OCD_AGENT_HEALTH_NOT_REPORTING)
    {
      decide (OBICO_STATE_ERROR, OBICO_PROBLEM_AGENT_NOT_REPORTING,
              _("The official Obico agent is connected, but has sent no status for over two minutes, so "
                "the Obico app shows this printer offline (its status loop may have stopped). Restart it."),
              out);
    }
  else if (agent ? in->websocket != OBICO_WEB_SOCKET_CONNECTED
                 : in->websocket != OBICO_WEB_SOCKET_REACHABLE &&
                   in->websocket != OBICO_WEB_SOCKET_UNKNOWN)
    {
      decide (OBICO_STATE_DISCONNECTED, OBICO_PROBLEM_NONE,
              in->websocket_detail != NULL && *in->websocket_detail != '\0'
                ? in->websocket_detail
                : _("The WebSocket connection to the server is closed; reconnecting."),
              out);
    }
  /* The guide's row is the printer as the app sees it: never okay while
   * the app shows it offline. */
  else if (in->app_status == OBICO_APP_STATUS_OFFLINE)
    {
      decide (OBICO_STATE_DISCONNECTED, watch ? OBICO_PROBLEM_AGENT_NOT_CONNECTED : OBICO_PROBLEM_NONE,
              NULL, out);
      out->detail = watch ? agent_not_connected (in)
                          : g_strdup (_("The Obico app shows this printer offline."));
    }
  else
    {
      decide (OBICO_STATE_OKAY, OBICO_PROBLEM_NONE, NULL, out);
    }
}

void
ocd_decision_clear (OcdDecision *decision)
{
  g_clear_pointer (&decision->detail, g_free);
}
