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
#define NET_DETAIL "This host has no route to the server."
#define NET_DEFAULT_DETAIL "This computer has no network connection: check its Wi-Fi or network cable. " \
  "The link resumes by itself when the network is back."

/* The host's context: told nothing; at each recent drop a weak signal, a
 * strong one, power saving on, under-voltage with a weak signal, a wrong
 * clock; now a wrong clock (with a certificate not valid by it), a right
 * one; a weak signal now without drops. */
enum { HOST_NONE, HOST_WEAK, HOST_STRONG, HOST_POWER_SAVE, HOST_UNDER_VOLTAGE, HOST_CLOCK,
       HOST_CLOCK_TLS, HOST_SYNCED_TLS,
       /* the last Diagnose(): IPv6 broken, both families fine, the name not
        * resolving while the server is there, resolving slowly; a proxy */
       HOST_IPV6_BROKEN, HOST_IPV6_OK, HOST_DNS_FAILED, HOST_DNS_SLOW, HOST_PROXY };

#define IPV6_DETAIL "The last diagnosis found IPv6 advertised but broken: connections over IPv6 fail " \
  "while IPv4 works, so each new connection may first wait for IPv6 to fail."
#define DNS_SLOW_DETAIL "The last diagnosis found looking up the server's name slow: the name server " \
  "answers late, and a connection can time out waiting for it."
#define DNS_FAILED_DETAIL "The last diagnosis found that the server's name does not resolve while the " \
  "server answers at an address it had before: the name server fails. " HTTP_DETAIL
#define DNS_FAILED_WS_DETAIL "The last diagnosis found that the server's name does not resolve while the " \
  "server answers at an address it had before: the name server fails. " WS_DETAIL
#define PROXY "http://proxy.lan:3128"
#define PROXY_DETAIL "Through the proxy " PROXY ", ordinary requests reach the server but the WebSocket " \
  "does not: " WS_DETAIL

#define WEAK_DETAIL "3 of the last 3 drops happened while the Wi-Fi signal was under 30 %."
#define POWER_SAVE_DETAIL "3 of the last 3 drops happened while Wi-Fi power saving was on, which lets "   "the Wi-Fi sleep and drop idle connections."
#define UNDER_VOLTAGE_DETAIL "3 of the last 3 drops happened while the Raspberry Pi reported "   "under-voltage: its power supply gives too little for the Wi-Fi and USB to work reliably."
#define CLOCK_DETAIL "3 of the last 3 drops happened while this host's clock was not synchronized and "   "3 hours off the server's."
#define CLOCK_TLS_DETAIL "The server's certificate is not valid by this host's clock, which is not "   "synchronized with network time."

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
  int             host;     /* the host's context at the drops and now (HOST_*) */
  gboolean        no_network;      /* this host has no route to the server */
  const char     *network_detail;
} Row;

static const Row rows[] = {
  /* not-linked */
  { "unlinked", UNLINKED, H_UNKNOWN, 0, W_UNKNOWN, QUIET, FALSE, NULL, NULL,
    OBICO_STATE_UNLINKED, OBICO_PROBLEM_NOT_LINKED, NOT_LINKED_DETAIL },
  { "unlinked, an official agent's settings broken", UNLINKED, H_UNKNOWN, 0, W_UNKNOWN, QUIET, FALSE,
    BROKEN, NULL, OBICO_STATE_UNLINKED, OBICO_PROBLEM_NOT_LINKED, BROKEN },
  { "unlinked over everything else", UNLINKED, H_INVALID, 0, W_SHARED, TOTAL, TRUE, NULL, NULL,
    OBICO_STATE_UNLINKED, OBICO_PROBLEM_NOT_LINKED, NOT_LINKED_DETAIL },

  /* no-network: this host has no route to the server (before anything the
   * server said, which cannot be checked now) */
  { "no network on this host", AGENT, H_UNREACHABLE, OBICO_PROBLEM_INTERNET, W_CLOSED, QUIET, FALSE, NULL,
    WS_DETAIL, OBICO_STATE_ERROR, OBICO_PROBLEM_NO_NETWORK, NET_DETAIL, HOST_NONE, TRUE, NET_DETAIL },
  { "no network at boot: nothing heard yet", AGENT, H_UNKNOWN, 0, W_UNKNOWN, QUIET, FALSE, NULL, NULL,
    OBICO_STATE_ERROR, OBICO_PROBLEM_NO_NETWORK, NET_DETAIL, HOST_NONE, TRUE, NET_DETAIL },
  { "no network, watch role", WATCH, H_UNREACHABLE, OBICO_PROBLEM_SERVER_ADDRESS, W_REACHABLE, QUIET, FALSE,
    NULL, NULL, OBICO_STATE_ERROR, OBICO_PROBLEM_NO_NETWORK, NET_DETAIL, HOST_NONE, TRUE, NET_DETAIL },
  { "no network without a sentence", AGENT, H_OK, 0, W_CONNECTED, QUIET, FALSE, NULL, NULL,
    OBICO_STATE_ERROR, OBICO_PROBLEM_NO_NETWORK, NET_DEFAULT_DETAIL, HOST_NONE, TRUE, "" },
  { "no network over refused credentials", AGENT, H_INVALID, 0, W_REJECTED, QUIET, TRUE, NULL, NULL,
    OBICO_STATE_ERROR, OBICO_PROBLEM_NO_NETWORK, NET_DETAIL, HOST_NONE, TRUE, NET_DETAIL },
  { "no network over shared-credentials", AGENT, H_OK, 0, W_SHARED, QUIET, FALSE, NULL, NULL,
    OBICO_STATE_ERROR, OBICO_PROBLEM_NO_NETWORK, NET_DETAIL, HOST_NONE, TRUE, NET_DETAIL },
  { "no network over the error rate", AGENT, H_UNREACHABLE, OBICO_PROBLEM_INTERNET, W_CLOSED, TOTAL, FALSE,
    NULL, NULL, OBICO_STATE_ERROR, OBICO_PROBLEM_NO_NETWORK, NET_DETAIL, HOST_NONE, TRUE, NET_DETAIL },
  { "unlinked over no network", UNLINKED, H_UNKNOWN, 0, W_UNKNOWN, QUIET, FALSE, NULL, NULL,
    OBICO_STATE_UNLINKED, OBICO_PROBLEM_NOT_LINKED, NOT_LINKED_DETAIL, HOST_NONE, TRUE, NET_DETAIL },

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

  /* the cause of the drops: weak-wifi, wifi-power-save, under-voltage, clock */
  { "three drops with a weak signal", AGENT, H_OK, 0, W_CONNECTED, DROPS, FALSE, NULL, NULL,
    OBICO_STATE_ERROR, OBICO_PROBLEM_WEAK_WIFI, WEAK_DETAIL, HOST_WEAK },
  { "the same drops with a strong signal", AGENT, H_OK, 0, W_CONNECTED, DROPS, FALSE, NULL, NULL,
    OBICO_STATE_ERROR, OBICO_PROBLEM_UNRELIABLE_NETWORK, DROPS_DETAIL, HOST_STRONG },
  { "a weak signal without drops is no problem", AGENT, H_OK, 0, W_CONNECTED, QUIET, FALSE, NULL, NULL,
    OBICO_STATE_OKAY, OBICO_PROBLEM_NONE, NULL, HOST_WEAK },
  { "two drops with a weak signal are not yet unreliable", AGENT, H_OK, 0, W_CONNECTED, TWO_DROPS, FALSE,
    NULL, NULL, OBICO_STATE_OKAY, OBICO_PROBLEM_NONE, NULL, HOST_WEAK },
  { "drops without the host's context", AGENT, H_OK, 0, W_CONNECTED, DROPS, FALSE, NULL, NULL,
    OBICO_STATE_ERROR, OBICO_PROBLEM_UNRELIABLE_NETWORK, DROPS_DETAIL, HOST_NONE },
  { "weak-wifi, watch role", WATCH, H_OK, 0, W_REACHABLE, DROPS, FALSE, NULL, NULL,
    OBICO_STATE_ERROR, OBICO_PROBLEM_WEAK_WIFI, WEAK_DETAIL, HOST_WEAK },
  { "drops with power saving on", AGENT, H_OK, 0, W_CONNECTED, DROPS, FALSE, NULL, NULL,
    OBICO_STATE_ERROR, OBICO_PROBLEM_WIFI_POWER_SAVE, POWER_SAVE_DETAIL, HOST_POWER_SAVE },
  { "under-voltage over a weak signal", AGENT, H_OK, 0, W_CONNECTED, DROPS, FALSE, NULL, NULL,
    OBICO_STATE_ERROR, OBICO_PROBLEM_UNDER_VOLTAGE, UNDER_VOLTAGE_DETAIL, HOST_UNDER_VOLTAGE },
  { "drops with a wrong clock", AGENT, H_OK, 0, W_CONNECTED, DROPS, FALSE, NULL, NULL,
    OBICO_STATE_ERROR, OBICO_PROBLEM_CLOCK, CLOCK_DETAIL, HOST_CLOCK },
  { "nothing gets through: no-connectivity, whatever the signal", AGENT, H_OK, 0, W_CONNECTED, TOTAL, FALSE,
    NULL, NULL, OBICO_STATE_ERROR, OBICO_PROBLEM_NO_CONNECTIVITY, TOTAL_DETAIL, HOST_WEAK },
  { "a certificate not valid yet by a wrong clock", AGENT, H_UNREACHABLE, OBICO_PROBLEM_TLS, W_CLOSED, QUIET,
    FALSE, NULL, NULL, OBICO_STATE_ERROR, OBICO_PROBLEM_CLOCK, CLOCK_TLS_DETAIL, HOST_CLOCK_TLS },
  { "a certificate not valid yet by a synchronized clock", AGENT, H_UNREACHABLE, OBICO_PROBLEM_TLS, W_CLOSED,
    QUIET, FALSE, NULL, NULL, OBICO_STATE_ERROR, OBICO_PROBLEM_TLS, HTTP_DETAIL, HOST_SYNCED_TLS },
  { "invalid-credentials over the drops' cause", AGENT, H_INVALID, 0, W_CLOSED, DROPS, FALSE, NULL, NULL,
    OBICO_STATE_ERROR, OBICO_PROBLEM_INVALID_CREDENTIALS, HTTP_DETAIL, HOST_WEAK },

  /* the route's causes, from the last Diagnose(): ipv6-broken, dns, proxy */
  { "drops with IPv6 advertised but broken", AGENT, H_OK, 0, W_CONNECTED, DROPS, FALSE, NULL, NULL,
    OBICO_STATE_ERROR, OBICO_PROBLEM_IPV6_BROKEN, IPV6_DETAIL, HOST_IPV6_BROKEN },
  { "IPv6 broken without drops is no problem", AGENT, H_OK, 0, W_CONNECTED, QUIET, FALSE, NULL, NULL,
    OBICO_STATE_OKAY, OBICO_PROBLEM_NONE, NULL, HOST_IPV6_BROKEN },
  { "drops with IPv4 and IPv6 both working", AGENT, H_OK, 0, W_CONNECTED, DROPS, FALSE, NULL, NULL,
    OBICO_STATE_ERROR, OBICO_PROBLEM_UNRELIABLE_NETWORK, DROPS_DETAIL, HOST_IPV6_OK },
  { "nothing gets through: no-connectivity, whatever IPv6 does", AGENT, H_OK, 0, W_CONNECTED, TOTAL, FALSE,
    NULL, NULL, OBICO_STATE_ERROR, OBICO_PROBLEM_NO_CONNECTIVITY, TOTAL_DETAIL, HOST_IPV6_BROKEN },
  { "drops with a slow name server", AGENT, H_OK, 0, W_CONNECTED, DROPS, FALSE, NULL, NULL,
    OBICO_STATE_ERROR, OBICO_PROBLEM_DNS, DNS_SLOW_DETAIL, HOST_DNS_SLOW },
  { "unreachable, the name failing while the server is there", AGENT, H_UNREACHABLE,
    OBICO_PROBLEM_SERVER_ADDRESS, W_CLOSED, QUIET, FALSE, NULL, NULL, OBICO_STATE_ERROR, OBICO_PROBLEM_DNS,
    DNS_FAILED_DETAIL, HOST_DNS_FAILED },
  { "the upgrade failing, the name failing while the server is there", AGENT, H_OK, 0, W_BLOCKED, QUIET,
    FALSE, NULL, WS_DETAIL, OBICO_STATE_ERROR, OBICO_PROBLEM_DNS, DNS_FAILED_WS_DETAIL, HOST_DNS_FAILED },
  { "unreachable without that evidence stays server-address", AGENT, H_UNREACHABLE,
    OBICO_PROBLEM_SERVER_ADDRESS, W_CLOSED, QUIET, FALSE, NULL, NULL, OBICO_STATE_ERROR,
    OBICO_PROBLEM_SERVER_ADDRESS, HTTP_DETAIL, HOST_IPV6_OK },
  { "the upgrade refused through a proxy", AGENT, H_OK, 0, W_BLOCKED, QUIET, FALSE, NULL, WS_DETAIL,
    OBICO_STATE_DISCONNECTED, OBICO_PROBLEM_PROXY, PROXY_DETAIL, HOST_PROXY },
  { "the upgrade refused through a proxy, watch role", WATCH, H_OK, 0, W_REJECTED, QUIET, FALSE, NULL,
    WS_DETAIL, OBICO_STATE_DISCONNECTED, OBICO_PROBLEM_PROXY, PROXY_DETAIL, HOST_PROXY },
  { "a proxy does not matter while the WebSocket is up", AGENT, H_OK, 0, W_CONNECTED, QUIET, FALSE, NULL,
    NULL, OBICO_STATE_OKAY, OBICO_PROBLEM_NONE, NULL, HOST_PROXY },

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

/* The watch role and the official agent's health (issue 13): the app's
 * view decides where the checks see nothing wrong. */
#define NOT_RUNNING_DETAIL "The official Obico agent is not running: its service moonraker-obico.service is " \
  "failed. The Obico app shows this printer offline until it runs again; restart it."
#define ABSENT_DETAIL "The official Obico agent is not running: no service or process of it was found. The " \
  "Obico app shows this printer offline until it runs again; start it."
#define NOT_CONNECTED_DETAIL "The official Obico agent runs, but holds no connection to the server, so the " \
  "Obico app shows this printer offline. Diagnose shows where the connection fails."
#define NOT_CONNECTED_LINE "The official Obico agent runs, but holds no connection to the server, so the " \
  "Obico app shows this printer offline. Its log says: 2024-05-02 ERROR connection refused"
#define NOT_REPORTING_DETAIL "The official Obico agent is connected, but has sent no status for over two " \
  "minutes, so the Obico app shows this printer offline (its status loop may have stopped). Restart it."

typedef struct {
  const char     *name;
  ObicoRole       role;
  ObicoHttp       http;
  ObicoWebSocket  websocket;
  ObicoAppStatus  app;
  OcdAgentHealth  agent;
  const char     *unit;
  const char     *line;
  ObicoState      state;
  ObicoProblem    problem;
  const char     *detail;
} AgentRow;

static const AgentRow agent_rows[] = {
  { "the agent's service failed", WATCH, H_OK, W_REACHABLE, OBICO_APP_STATUS_OFFLINE,
    OCD_AGENT_HEALTH_NOT_RUNNING, "moonraker-obico.service", NULL,
    OBICO_STATE_ERROR, OBICO_PROBLEM_AGENT_NOT_RUNNING, NOT_RUNNING_DETAIL },
  { "no service, no process", WATCH, H_OK, W_REACHABLE, OBICO_APP_STATUS_OFFLINE,
    OCD_AGENT_HEALTH_NOT_RUNNING, NULL, NULL, OBICO_STATE_ERROR, OBICO_PROBLEM_AGENT_NOT_RUNNING, ABSENT_DETAIL },
  { "not running over an unreachable server", WATCH, H_UNREACHABLE, W_CLOSED, OBICO_APP_STATUS_OFFLINE,
    OCD_AGENT_HEALTH_NOT_RUNNING, "moonraker-obico.service", NULL,
    OBICO_STATE_ERROR, OBICO_PROBLEM_AGENT_NOT_RUNNING, NOT_RUNNING_DETAIL },
  { "invalid-credentials over not running", WATCH, H_INVALID, W_REACHABLE, OBICO_APP_STATUS_OFFLINE,
    OCD_AGENT_HEALTH_NOT_RUNNING, "moonraker-obico.service", NULL,
    OBICO_STATE_ERROR, OBICO_PROBLEM_INVALID_CREDENTIALS, HTTP_DETAIL },
  { "shared-credentials over not running (the plugin shut itself down)", WATCH, H_OK, W_SHARED,
    OBICO_APP_STATUS_OFFLINE, OCD_AGENT_HEALTH_NOT_RUNNING, "octoprint.service", NULL,
    OBICO_STATE_ERROR, OBICO_PROBLEM_SHARED_CREDENTIALS, SHARED_DETAIL },
  { "no process: the server's failure first", WATCH, H_SERVER_ERR, W_REACHABLE, OBICO_APP_STATUS_OFFLINE,
    OCD_AGENT_HEALTH_NOT_RUNNING, NULL, NULL, OBICO_STATE_ERROR, OBICO_PROBLEM_SERVER_ERROR, HTTP_DETAIL },
  { "running, no connection", WATCH, H_OK, W_REACHABLE, OBICO_APP_STATUS_OFFLINE,
    OCD_AGENT_HEALTH_NOT_CONNECTED, "moonraker-obico.service", NULL,
    OBICO_STATE_DISCONNECTED, OBICO_PROBLEM_AGENT_NOT_CONNECTED, NOT_CONNECTED_DETAIL },
  { "running, no connection, its log says why", WATCH, H_OK, W_REACHABLE, OBICO_APP_STATUS_OFFLINE,
    OCD_AGENT_HEALTH_NOT_CONNECTED, NULL, "2024-05-02 ERROR connection refused",
    OBICO_STATE_DISCONNECTED, OBICO_PROBLEM_AGENT_NOT_CONNECTED, NOT_CONNECTED_LINE },
  { "the server unreachable over not connected", WATCH, H_UNREACHABLE, W_CLOSED, OBICO_APP_STATUS_OFFLINE,
    OCD_AGENT_HEALTH_NOT_CONNECTED, NULL, NULL, OBICO_STATE_ERROR, OBICO_PROBLEM_INTERNET, HTTP_DETAIL },
  { "websocket-blocked over not connected", WATCH, H_OK, W_BLOCKED, OBICO_APP_STATUS_OFFLINE,
    OCD_AGENT_HEALTH_NOT_CONNECTED, NULL, NULL,
    OBICO_STATE_DISCONNECTED, OBICO_PROBLEM_WEBSOCKET_BLOCKED, WS_DETAIL },
  { "connected, only keepalives", WATCH, H_OK, W_REACHABLE, OBICO_APP_STATUS_OFFLINE,
    OCD_AGENT_HEALTH_NOT_REPORTING, NULL, NULL,
    OBICO_STATE_ERROR, OBICO_PROBLEM_AGENT_NOT_REPORTING, NOT_REPORTING_DETAIL },
  { "the app shows it offline: never okay", WATCH, H_OK, W_REACHABLE, OBICO_APP_STATUS_OFFLINE,
    OCD_AGENT_HEALTH_UNKNOWN, NULL, NULL,
    OBICO_STATE_DISCONNECTED, OBICO_PROBLEM_AGENT_NOT_CONNECTED, NOT_CONNECTED_DETAIL },
  { "agent role: offline is never okay either", AGENT, H_OK, W_CONNECTED, OBICO_APP_STATUS_OFFLINE,
    OCD_AGENT_HEALTH_UNKNOWN, NULL, NULL,
    OBICO_STATE_DISCONNECTED, OBICO_PROBLEM_NONE, "The Obico app shows this printer offline." },
  { "online and well", WATCH, H_OK, W_REACHABLE, OBICO_APP_STATUS_ONLINE, OCD_AGENT_HEALTH_OKAY,
    "moonraker-obico.service", NULL, OBICO_STATE_OKAY, OBICO_PROBLEM_NONE, NULL },
  { "unknown (a container) is not offline", WATCH, H_OK, W_REACHABLE, OBICO_APP_STATUS_UNKNOWN,
    OCD_AGENT_HEALTH_OKAY, NULL, NULL, OBICO_STATE_OKAY, OBICO_PROBLEM_NONE, NULL },
  { "the agent role ignores the watch role's health", AGENT, H_OK, W_CONNECTED, OBICO_APP_STATUS_ONLINE,
    OCD_AGENT_HEALTH_NOT_RUNNING, NULL, NULL, OBICO_STATE_OKAY, OBICO_PROBLEM_NONE, NULL },
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

static GVariant *
context (const char *text)
{
  return g_variant_ref_sink (g_variant_new_parsed (text));
}

/* The host's context at each of the window's drops, and now. */
static void
host_of (int host, guint n_drops, GPtrArray *drops, OcdCauseInputs *out)
{
  const char *at_drop = "@a{sv} {}";
  const char *now = NULL;

  switch (host)
    {
    case HOST_WEAK: at_drop = "{'wifi_signal': <@u 18>}"; now = at_drop; break;
    case HOST_STRONG: at_drop = "{'wifi_signal': <@u 82>}"; break;
    case HOST_POWER_SAVE: at_drop = "{'wifi_signal': <@u 70>, 'wifi_power_save': <true>}"; break;
    case HOST_UNDER_VOLTAGE: at_drop = "{'wifi_signal': <@u 18>, 'under_voltage': <true>}"; break;
    case HOST_CLOCK: at_drop = "{'clock_synchronized': <false>, 'clock_skew': <10800.0>}"; break;
    case HOST_CLOCK_TLS: now = "{'clock_synchronized': <false>}"; break;
    case HOST_SYNCED_TLS: now = "{'clock_synchronized': <true>}"; break;
    case HOST_IPV6_BROKEN: now = "{'ipv4': <'ok'>, 'ipv6': <'failed'>}"; break;
    case HOST_IPV6_OK: now = "{'ipv4': <'ok'>, 'ipv6': <'ok'>, 'dns': <'ok'>}"; break;
    case HOST_DNS_FAILED: now = "{'dns': <'failed'>}"; break;
    case HOST_DNS_SLOW: now = "{'ipv4': <'ok'>, 'ipv6': <'none'>, 'dns': <'slow'>}"; break;
    default: break;
    }
  for (guint i = 0; i < n_drops; i++)
    g_ptr_array_add (drops, context (at_drop));
  out->drops = (GVariant * const *) drops->pdata;
  out->n_drops = drops->len;
  out->host = now != NULL ? context (now) : NULL;
  out->tls_errors = host == HOST_CLOCK_TLS || host == HOST_SYNCED_TLS ? G_TLS_CERTIFICATE_NOT_ACTIVATED : 0;
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
        .proxy = row->host == HOST_PROXY ? PROXY : NULL,
        .no_network = row->no_network,
        .network_detail = row->network_detail,
      };
      g_auto(OcdDecision) out = { 0 };
      g_autoptr(GPtrArray) drops = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);

      g_test_message ("%s", row->name);
      host_of (row->host, in.recent.exchanges.errors, drops, &in.host);
      ocd_decide (&in, &out);
      g_clear_pointer (&in.host.host, g_variant_unref);
      g_assert_cmpstr (obico_state_to_string (out.state), ==, obico_state_to_string (row->state));
      g_assert_cmpstr (obico_problem_to_string (out.problem), ==, obico_problem_to_string (row->problem));
      g_assert_cmpstr (out.detail, ==, row->detail);
    }
}

static void
test_agent (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (agent_rows); i++)
    {
      const AgentRow *row = &agent_rows[i];
      OcdDecideInputs in = {
        .role = row->role,
        .http = row->http,
        .unreachable = OBICO_PROBLEM_INTERNET,
        .http_detail = HTTP_DETAIL,
        .websocket = row->websocket,
        .websocket_detail = WS_DETAIL,
        .recent = window_of (QUIET),
        .app_status = row->app,
        .agent = row->agent,
        .agent_unit = row->unit,
        .agent_state = row->unit != NULL ? "failed" : NULL,
        .agent_line = row->line,
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
      for (guint i = 0; i < G_N_ELEMENTS (agent_rows); i++)
        seen = seen || (int) agent_rows[i].problem == problems->values[v].value;
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
  g_test_add_func ("/decide/agent", test_agent);
  g_test_add_func ("/decide/pure", test_pure);
  return g_test_run ();
}
