/* test-decide.c — the guide's decision, branch by branch: each row of the
 * table is one situation and the State, Problem and sentence it must give.
 * Rows marked "over" show which of two problems wins when both apply. */
#include "config.h"

#include "ocd-decide.h"

/* Shorthands, so that a row reads as the situation it describes. */
#define UNLINKED      OBICO_ROLE_UNLINKED
#define AGENT         OBICO_ROLE_AGENT
#define WATCH         OBICO_ROLE_WATCH
#define H_UNKNOWN     OBICO_HTTP_UNKNOWN
#define H_OK          OBICO_HTTP_OK
#define H_UNREACHABLE OBICO_HTTP_UNREACHABLE
#define H_INVALID     OBICO_HTTP_INVALID_CREDENTIALS
#define H_UNEXPECTED  OBICO_HTTP_UNEXPECTED
#define H_SERVER_ERR  OBICO_HTTP_SERVER_ERROR
#define W_UNKNOWN     OBICO_WEB_SOCKET_UNKNOWN
#define W_CONNECTING  OBICO_WEB_SOCKET_CONNECTING
#define W_CONNECTED   OBICO_WEB_SOCKET_CONNECTED
#define W_REACHABLE   OBICO_WEB_SOCKET_REACHABLE
#define W_BLOCKED     OBICO_WEB_SOCKET_BLOCKED
#define W_REJECTED    OBICO_WEB_SOCKET_REJECTED
#define W_SHARED      OBICO_WEB_SOCKET_SHARED_CREDENTIALS
#define W_CLOSED      OBICO_WEB_SOCKET_CLOSED

/* The error account's recent window (an outage counted once): quiet, over
 * the alert threshold, nothing at all getting through, a few failures, or
 * three drops among many good exchanges. */
enum { QUIET, UNRELIABLE, TOTAL, LOW_RATE, DROPS, TWO_DROPS };

#define HTTP_DETAIL "HTTP said so."
#define WS_DETAIL "The socket said so."
#define BROKEN "The agent's settings are broken."
#define NOT_LINKED_DETAIL "No printer is linked: link this printer with the 6-digit code shown in the Obico app."
#define STILL_INVALID_DETAIL "The server refuses the credentials again right after a successful re-link: " \
  "something unusual is going on. Make a support report and get help from a person."
#define SHARED_DETAIL "Another device or program connected with this printer's credentials and the " \
  "server closed this connection (code 4321). Re-link this printer and every copy of its SD card."
#define CLOSED_DETAIL "The WebSocket connection to the server is closed; reconnecting."
#define UNRELIABLE_DETAIL "4 of the last 10 exchanges with the server failed (40 %); an outage counts once."
#define TOTAL_DETAIL "10 of the last 10 exchanges with the server failed (100 %); an outage counts once."
#define DROPS_DETAIL "3 of the last 40 exchanges with the server failed (8 %); an outage counts once."

typedef struct {
  const char     *name;
  ObicoRole       role;
  ObicoHttp       http;
  ObicoProblem    unreachable;
  ObicoWebSocket  websocket;
  int             errors;
  gboolean        relinked;
  const char     *broken_agent;
  const char     *websocket_detail;
  ObicoState      state;
  ObicoProblem    problem;
  const char     *detail;   /* NULL: none */
} Row;

static const Row rows[] = {
  /* not-linked */
  { "unlinked", UNLINKED, H_UNKNOWN, 0, W_UNKNOWN, QUIET, FALSE, NULL, NULL,
    OBICO_STATE_UNLINKED, OBICO_PROBLEM_NOT_LINKED, NOT_LINKED_DETAIL },
  { "unlinked, an official agent's settings broken", UNLINKED, H_UNKNOWN, 0, W_UNKNOWN, QUIET, FALSE,
    BROKEN, NULL, OBICO_STATE_UNLINKED, OBICO_PROBLEM_NOT_LINKED, BROKEN },
  { "unlinked over everything else", UNLINKED, H_INVALID, 0, W_SHARED, TOTAL, TRUE, NULL, NULL,
    OBICO_STATE_UNLINKED, OBICO_PROBLEM_NOT_LINKED, NOT_LINKED_DETAIL },

  /* invalid-credentials, still-invalid */
  { "refused credentials", AGENT, H_INVALID, 0, W_REJECTED, QUIET, FALSE, NULL, WS_DETAIL,
    OBICO_STATE_ERROR, OBICO_PROBLEM_INVALID_CREDENTIALS, HTTP_DETAIL },
  { "refused credentials, watch role", WATCH, H_INVALID, 0, W_REACHABLE, QUIET, FALSE, NULL, NULL,
    OBICO_STATE_ERROR, OBICO_PROBLEM_INVALID_CREDENTIALS, HTTP_DETAIL },
  { "refused right after a re-link", AGENT, H_INVALID, 0, W_REJECTED, QUIET, TRUE, NULL, NULL,
    OBICO_STATE_ERROR, OBICO_PROBLEM_STILL_INVALID, STILL_INVALID_DETAIL },
  { "a re-link alone is no problem", AGENT, H_OK, 0, W_CONNECTED, QUIET, TRUE, NULL, NULL,
    OBICO_STATE_OKAY, OBICO_PROBLEM_NONE, NULL },
  { "invalid-credentials over shared-credentials", AGENT, H_INVALID, 0, W_SHARED, QUIET, FALSE, NULL,
    NULL, OBICO_STATE_ERROR, OBICO_PROBLEM_INVALID_CREDENTIALS, HTTP_DETAIL },
  { "invalid-credentials over the error rate", AGENT, H_INVALID, 0, W_CLOSED, TOTAL, FALSE, NULL, NULL,
    OBICO_STATE_ERROR, OBICO_PROBLEM_INVALID_CREDENTIALS, HTTP_DETAIL },

  /* shared-credentials */
  { "closed with 4321", AGENT, H_OK, 0, W_SHARED, QUIET, FALSE, NULL, NULL,
    OBICO_STATE_ERROR, OBICO_PROBLEM_SHARED_CREDENTIALS, SHARED_DETAIL },
  { "the watched agent's log says 4321", WATCH, H_OK, 0, W_SHARED, QUIET, FALSE, NULL, "4321 in the log",
    OBICO_STATE_ERROR, OBICO_PROBLEM_SHARED_CREDENTIALS, SHARED_DETAIL },
  { "shared-credentials over an unreachable server", AGENT, H_UNREACHABLE, OBICO_PROBLEM_INTERNET, W_SHARED,
    QUIET, FALSE, NULL, NULL, OBICO_STATE_ERROR, OBICO_PROBLEM_SHARED_CREDENTIALS, SHARED_DETAIL },

  /* server-address, internet, tls: the failure's problem */
  { "unreachable: the name does not resolve", AGENT, H_UNREACHABLE, OBICO_PROBLEM_SERVER_ADDRESS, W_CLOSED,
    QUIET, FALSE, NULL, NULL, OBICO_STATE_ERROR, OBICO_PROBLEM_SERVER_ADDRESS, HTTP_DETAIL },
  { "unreachable: timeout", AGENT, H_UNREACHABLE, OBICO_PROBLEM_INTERNET, W_CLOSED, QUIET, FALSE, NULL,
    NULL, OBICO_STATE_ERROR, OBICO_PROBLEM_INTERNET, HTTP_DETAIL },
  { "unreachable: TLS", WATCH, H_UNREACHABLE, OBICO_PROBLEM_TLS, W_BLOCKED, QUIET, FALSE, NULL, NULL,
    OBICO_STATE_ERROR, OBICO_PROBLEM_TLS, HTTP_DETAIL },
  { "unreachable without a failure is internet", AGENT, H_UNREACHABLE, OBICO_PROBLEM_NONE, W_CLOSED, QUIET,
    FALSE, NULL, NULL, OBICO_STATE_ERROR, OBICO_PROBLEM_INTERNET, HTTP_DETAIL },
  { "unreachable over a blocked WebSocket", AGENT, H_UNREACHABLE, OBICO_PROBLEM_INTERNET, W_BLOCKED, QUIET,
    FALSE, NULL, WS_DETAIL, OBICO_STATE_ERROR, OBICO_PROBLEM_INTERNET, HTTP_DETAIL },
  { "unreachable over the error rate", AGENT, H_UNREACHABLE, OBICO_PROBLEM_INTERNET, W_CLOSED, TOTAL,
    FALSE, NULL, NULL, OBICO_STATE_ERROR, OBICO_PROBLEM_INTERNET, HTTP_DETAIL },

  /* not-obico-server */
  { "an answer, but not Obico's", AGENT, H_UNEXPECTED, 0, W_CLOSED, QUIET, FALSE, NULL, NULL,
    OBICO_STATE_ERROR, OBICO_PROBLEM_NOT_OBICO_SERVER, HTTP_DETAIL },
  { "not-obico-server over a blocked WebSocket", WATCH, H_UNEXPECTED, 0, W_BLOCKED, QUIET, FALSE, NULL,
    WS_DETAIL, OBICO_STATE_ERROR, OBICO_PROBLEM_NOT_OBICO_SERVER, HTTP_DETAIL },

  /* server-error: reached, and failing (a 5xx) */
  { "the server fails (5xx)", AGENT, H_SERVER_ERR, 0, W_CLOSED, QUIET, FALSE, NULL, NULL,
    OBICO_STATE_ERROR, OBICO_PROBLEM_SERVER_ERROR, HTTP_DETAIL },
  { "the server fails, watch role", WATCH, H_SERVER_ERR, 0, W_REACHABLE, QUIET, FALSE, NULL, NULL,
    OBICO_STATE_ERROR, OBICO_PROBLEM_SERVER_ERROR, HTTP_DETAIL },
  { "server-error over a blocked WebSocket (a 502 there too)", AGENT, H_SERVER_ERR, 0, W_BLOCKED, QUIET,
    FALSE, NULL, WS_DETAIL, OBICO_STATE_ERROR, OBICO_PROBLEM_SERVER_ERROR, HTTP_DETAIL },
  { "server-error over the error rate", AGENT, H_SERVER_ERR, 0, W_CLOSED, TOTAL, FALSE, NULL, NULL,
    OBICO_STATE_ERROR, OBICO_PROBLEM_SERVER_ERROR, HTTP_DETAIL },
  { "shared-credentials over server-error", AGENT, H_SERVER_ERR, 0, W_SHARED, QUIET, FALSE, NULL, NULL,
    OBICO_STATE_ERROR, OBICO_PROBLEM_SHARED_CREDENTIALS, SHARED_DETAIL },

  /* websocket-blocked */
  { "upgrade blocked", AGENT, H_OK, 0, W_BLOCKED, QUIET, FALSE, NULL, WS_DETAIL,
    OBICO_STATE_DISCONNECTED, OBICO_PROBLEM_WEBSOCKET_BLOCKED, WS_DETAIL },
  { "upgrade refused (403) while HTTP is fine", AGENT, H_OK, 0, W_REJECTED, QUIET, FALSE, NULL, WS_DETAIL,
    OBICO_STATE_DISCONNECTED, OBICO_PROBLEM_WEBSOCKET_BLOCKED, WS_DETAIL },
  { "anonymous upgrade blocked, watch role", WATCH, H_OK, 0, W_BLOCKED, QUIET, FALSE, NULL, WS_DETAIL,
    OBICO_STATE_DISCONNECTED, OBICO_PROBLEM_WEBSOCKET_BLOCKED, WS_DETAIL },
  { "websocket-blocked over the error rate", AGENT, H_OK, 0, W_BLOCKED, TOTAL, FALSE, NULL, WS_DETAIL,
    OBICO_STATE_DISCONNECTED, OBICO_PROBLEM_WEBSOCKET_BLOCKED, WS_DETAIL },
  { "websocket-blocked while HTTP is not known yet", AGENT, H_UNKNOWN, 0, W_BLOCKED, QUIET, FALSE, NULL,
    WS_DETAIL, OBICO_STATE_DISCONNECTED, OBICO_PROBLEM_WEBSOCKET_BLOCKED, WS_DETAIL },

  /* unreliable-network, no-connectivity */
  { "over the alert threshold", AGENT, H_OK, 0, W_CONNECTED, UNRELIABLE, FALSE, NULL, NULL,
    OBICO_STATE_ERROR, OBICO_PROBLEM_UNRELIABLE_NETWORK, UNRELIABLE_DETAIL },
  { "every attempt failed", WATCH, H_OK, 0, W_REACHABLE, TOTAL, FALSE, NULL, NULL,
    OBICO_STATE_ERROR, OBICO_PROBLEM_NO_CONNECTIVITY, TOTAL_DETAIL },
  { "the error rate over connecting", AGENT, H_UNKNOWN, 0, W_CONNECTING, UNRELIABLE, FALSE, NULL, NULL,
    OBICO_STATE_ERROR, OBICO_PROBLEM_UNRELIABLE_NETWORK, UNRELIABLE_DETAIL },
  { "the error rate over a closed WebSocket", AGENT, H_OK, 0, W_CLOSED, UNRELIABLE, FALSE, NULL, WS_DETAIL,
    OBICO_STATE_ERROR, OBICO_PROBLEM_UNRELIABLE_NETWORK, UNRELIABLE_DETAIL },
  { "errors under the threshold are no problem", AGENT, H_OK, 0, W_CONNECTED, LOW_RATE, FALSE, NULL, NULL,
    OBICO_STATE_OKAY, OBICO_PROBLEM_NONE, NULL },
  { "three drops in the window, however much worked between", AGENT, H_OK, 0, W_CONNECTED, DROPS, FALSE,
    NULL, NULL, OBICO_STATE_ERROR, OBICO_PROBLEM_UNRELIABLE_NETWORK, DROPS_DETAIL },
  { "two drops are not yet unreliable", AGENT, H_OK, 0, W_CONNECTED, TWO_DROPS, FALSE, NULL, NULL,
    OBICO_STATE_OKAY, OBICO_PROBLEM_NONE, NULL },
  { "an outage that ended is over: okay at once", WATCH, H_OK, 0, W_REACHABLE, LOW_RATE, FALSE, NULL, NULL,
    OBICO_STATE_OKAY, OBICO_PROBLEM_NONE, NULL },

  /* connecting */
  { "HTTP not known yet", AGENT, H_UNKNOWN, 0, W_CONNECTED, QUIET, FALSE, NULL, NULL,
    OBICO_STATE_CONNECTING, OBICO_PROBLEM_NONE, NULL },
  { "HTTP not known yet, watch role", WATCH, H_UNKNOWN, 0, W_REACHABLE, QUIET, FALSE, NULL, NULL,
    OBICO_STATE_CONNECTING, OBICO_PROBLEM_NONE, NULL },
  { "agent: the WebSocket not tried yet", AGENT, H_OK, 0, W_UNKNOWN, QUIET, FALSE, NULL, NULL,
    OBICO_STATE_CONNECTING, OBICO_PROBLEM_NONE, NULL },
  { "agent: the WebSocket handshake on its way", AGENT, H_OK, 0, W_CONNECTING, QUIET, FALSE, NULL, WS_DETAIL,
    OBICO_STATE_CONNECTING, OBICO_PROBLEM_NONE, NULL },

  /* disconnected */
  { "agent: the WebSocket closed", AGENT, H_OK, 0, W_CLOSED, QUIET, FALSE, NULL, WS_DETAIL,
    OBICO_STATE_DISCONNECTED, OBICO_PROBLEM_NONE, WS_DETAIL },
  { "agent: closed without a reason", AGENT, H_OK, 0, W_CLOSED, QUIET, FALSE, NULL, NULL,
    OBICO_STATE_DISCONNECTED, OBICO_PROBLEM_NONE, CLOSED_DETAIL },
  { "agent: closed with an empty reason", AGENT, H_OK, 0, W_CLOSED, QUIET, FALSE, NULL, "",
    OBICO_STATE_DISCONNECTED, OBICO_PROBLEM_NONE, CLOSED_DETAIL },
  { "agent: reachable is not connected", AGENT, H_OK, 0, W_REACHABLE, QUIET, FALSE, NULL, NULL,
    OBICO_STATE_DISCONNECTED, OBICO_PROBLEM_NONE, CLOSED_DETAIL },
  { "watch: the anonymous upgrade failed without a verdict", WATCH, H_OK, 0, W_CLOSED, QUIET, FALSE, NULL,
    WS_DETAIL, OBICO_STATE_DISCONNECTED, OBICO_PROBLEM_NONE, WS_DETAIL },
  { "watch: connecting is not reachable", WATCH, H_OK, 0, W_CONNECTING, QUIET, FALSE, NULL, NULL,
    OBICO_STATE_DISCONNECTED, OBICO_PROBLEM_NONE, CLOSED_DETAIL },

  /* okay */
  { "agent: HTTP fine, WebSocket connected", AGENT, H_OK, 0, W_CONNECTED, QUIET, FALSE, NULL, WS_DETAIL,
    OBICO_STATE_OKAY, OBICO_PROBLEM_NONE, NULL },
  { "watch: HTTP fine, WebSocket path reachable", WATCH, H_OK, 0, W_REACHABLE, QUIET, FALSE, NULL, NULL,
    OBICO_STATE_OKAY, OBICO_PROBLEM_NONE, NULL },
  { "watch: HTTP fine, the upgrade not tried yet", WATCH, H_OK, 0, W_UNKNOWN, QUIET, FALSE, NULL, NULL,
    OBICO_STATE_OKAY, OBICO_PROBLEM_NONE, NULL },
  { "a broken agent elsewhere does not matter once linked", AGENT, H_OK, 0, W_CONNECTED, QUIET, FALSE,
    BROKEN, NULL, OBICO_STATE_OKAY, OBICO_PROBLEM_NONE, NULL },
};

static OcdStatsRecent
window_of (int errors)
{
  OcdStatsRecent recent = { 0 };
  OcdStatsSummary *window = &recent.exchanges;
  guint failed[] = { [QUIET] = 0, [UNRELIABLE] = 4, [TOTAL] = 10, [LOW_RATE] = 1, [DROPS] = 3,
                     [TWO_DROPS] = 2 };

  window->attempts = errors == DROPS || errors == TWO_DROPS ? 40 : 10;
  window->errors = failed[errors];
  window->rate = window->errors / (double) window->attempts;
  window->severity = ocd_stats_severity_for (window->attempts, window->errors);
  window->alert = ocd_stats_alert_for (window->attempts, window->errors);
  window->window_seconds = 900;
  return recent;
}

static void
test_table (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      const Row *row = &rows[i];
      OcdDecideInputs in = {
        .role = row->role,
        .http = row->http,
        .unreachable = row->unreachable,
        .http_detail = HTTP_DETAIL,
        .websocket = row->websocket,
        .websocket_detail = row->websocket_detail,
        .recent = window_of (row->errors),
        .relinked = row->relinked,
        .broken_agent = row->broken_agent,
      };
      g_auto(OcdDecision) out = { 0 };

      g_test_message ("%s", row->name);
      ocd_decide (&in, &out);
      g_assert_cmpstr (obico_state_to_string (out.state), ==, obico_state_to_string (row->state));
      g_assert_cmpstr (obico_problem_to_string (out.problem), ==, obico_problem_to_string (row->problem));
      g_assert_cmpstr (out.detail, ==, row->detail);
    }
}

/* Every State and every Problem is reached by some row. */
static void
test_coverage (void)
{
  g_autoptr(GEnumClass) states = g_type_class_ref (OBICO_TYPE_STATE);
  g_autoptr(GEnumClass) problems = g_type_class_ref (OBICO_TYPE_PROBLEM);

  for (guint v = 0; v < states->n_values; v++)
    {
      gboolean seen = FALSE;

      for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
        seen = seen || (int) rows[i].state == states->values[v].value;
      g_assert_true (seen);
    }
  for (guint v = 0; v < problems->n_values; v++)
    {
      gboolean seen = FALSE;

      for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
        seen = seen || (int) rows[i].problem == problems->values[v].value;
      if (!seen)
        g_test_message ("no row gives %s", problems->values[v].value_nick);
      g_assert_true (seen);
    }
}

/* Pure: the same inputs give the same decision, and the inputs' strings
 * are copied, not kept. */
static void
test_pure (void)
{
  g_autofree char *detail = g_strdup (WS_DETAIL);
  OcdDecideInputs in = {
    .role = AGENT, .http = H_OK, .websocket = W_BLOCKED, .websocket_detail = detail,
    .recent = window_of (QUIET),
  };
  g_auto(OcdDecision) first = { 0 };
  g_auto(OcdDecision) second = { 0 };

  ocd_decide (&in, &first);
  ocd_decide (&in, &second);
  g_assert_true (first.detail != detail);
  g_clear_pointer (&detail, g_free);
  g_assert_cmpint (first.state, ==, second.state);
  g_assert_cmpint (first.problem, ==, second.problem);
  g_assert_cmpstr (first.detail, ==, WS_DETAIL);
  g_assert_cmpstr (first.detail, ==, second.detail);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/decide/table", test_table);
  g_test_add_func ("/decide/coverage", test_coverage);
  g_test_add_func ("/decide/pure", test_pure);
  return g_test_run ();
}
