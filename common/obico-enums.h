/* obico-enums.h — the vocabulary of io.obico.Connect1.
 *
 * Each enum's nicks *are* the strings on the bus (glib-mkenums makes the
 * GTypes, see obico-enum-types.h): the daemon and the app hold these values
 * and turn them into strings only at the D-Bus boundary.  A test checks that
 * the value lists documented in dbus/io.obico.Connect1.xml equal these nicks.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* State: the guide's "Connection to server" row. */
typedef enum {
  OBICO_STATE_UNLINKED,      /*< nick=unlinked >*/
  OBICO_STATE_CONNECTING,    /*< nick=connecting >*/
  OBICO_STATE_OKAY,          /*< nick=okay >*/
  OBICO_STATE_DISCONNECTED,  /*< nick=disconnected >*/
  OBICO_STATE_ERROR,         /*< nick=error >*/
} ObicoState;

/* Role: who holds the printer's credentials. */
typedef enum {
  OBICO_ROLE_UNLINKED,  /*< nick=unlinked >*/
  OBICO_ROLE_AGENT,     /*< nick=agent >*/
  OBICO_ROLE_WATCH,     /*< nick=watch >*/
} ObicoRole;

/* Problem: "" or the fix id of the first thing a person should fix
 * (docs/guided-fixes.md).  Every problem is also an ObicoFix.  NONE is the
 * empty string on the bus, which glib-mkenums cannot make a nick of: use
 * obico_problem_to_string() and obico_problem_from_string(). */
typedef enum {
  OBICO_PROBLEM_NONE,                 /*< skip >*/
  OBICO_PROBLEM_NOT_LINKED,           /*< nick=not-linked >*/
  OBICO_PROBLEM_SERVER_ADDRESS,       /*< nick=server-address >*/
  OBICO_PROBLEM_INTERNET,             /*< nick=internet >*/
  OBICO_PROBLEM_TLS,                  /*< nick=tls >*/
  OBICO_PROBLEM_NOT_OBICO_SERVER,     /*< nick=not-obico-server >*/
  OBICO_PROBLEM_INVALID_CREDENTIALS,  /*< nick=invalid-credentials >*/
  OBICO_PROBLEM_STILL_INVALID,        /*< nick=still-invalid >*/
  OBICO_PROBLEM_SHARED_CREDENTIALS,   /*< nick=shared-credentials >*/
  OBICO_PROBLEM_WEBSOCKET_BLOCKED,    /*< nick=websocket-blocked >*/
  OBICO_PROBLEM_UNRELIABLE_NETWORK,   /*< nick=unreliable-network >*/
  OBICO_PROBLEM_NO_CONNECTIVITY,      /*< nick=no-connectivity >*/
  OBICO_PROBLEM_SERVER_ERROR,         /*< nick=server-error >*/
  OBICO_PROBLEM_WEAK_WIFI,            /*< nick=weak-wifi >*/
  OBICO_PROBLEM_WIFI_POWER_SAVE,      /*< nick=wifi-power-save >*/
  OBICO_PROBLEM_UNDER_VOLTAGE,        /*< nick=under-voltage >*/
  OBICO_PROBLEM_CLOCK,                /*< nick=clock >*/
  OBICO_PROBLEM_IPV6_BROKEN,          /*< nick=ipv6-broken >*/
  OBICO_PROBLEM_DNS,                  /*< nick=dns >*/
  OBICO_PROBLEM_PROXY,                /*< nick=proxy >*/
  OBICO_PROBLEM_NO_NETWORK,           /*< nick=no-network >*/
  OBICO_PROBLEM_AGENT_NOT_RUNNING,    /*< nick=agent-not-running >*/
  OBICO_PROBLEM_AGENT_NOT_CONNECTED,  /*< nick=agent-not-connected >*/
  OBICO_PROBLEM_AGENT_NOT_REPORTING,  /*< nick=agent-not-reporting >*/
} ObicoProblem;

/* Fix: every page of the decision tree (docs/guided-fixes.md): the
 * problems, and the pages that only a branch leads to. */
typedef enum {
  OBICO_FIX_NOT_LINKED,           /*< nick=not-linked >*/
  OBICO_FIX_SERVER_ADDRESS,       /*< nick=server-address >*/
  OBICO_FIX_INTERNET,             /*< nick=internet >*/
  OBICO_FIX_TLS,                  /*< nick=tls >*/
  OBICO_FIX_NOT_OBICO_SERVER,     /*< nick=not-obico-server >*/
  OBICO_FIX_INVALID_CREDENTIALS,  /*< nick=invalid-credentials >*/
  OBICO_FIX_RELINK,               /*< nick=relink >*/
  OBICO_FIX_UNARCHIVE,            /*< nick=unarchive >*/
  OBICO_FIX_SHARED_CREDENTIALS,   /*< nick=shared-credentials >*/
  OBICO_FIX_STILL_INVALID,        /*< nick=still-invalid >*/
  OBICO_FIX_WEBSOCKET_BLOCKED,    /*< nick=websocket-blocked >*/
  OBICO_FIX_UNRELIABLE_NETWORK,   /*< nick=unreliable-network >*/
  OBICO_FIX_NO_CONNECTIVITY,      /*< nick=no-connectivity >*/
  OBICO_FIX_UNDETECTED,           /*< nick=undetected >*/
  OBICO_FIX_DEBUG_LOGGING,        /*< nick=debug-logging >*/
  OBICO_FIX_GET_HELP,             /*< nick=get-help >*/
  OBICO_FIX_SERVER_ERROR,         /*< nick=server-error >*/
  OBICO_FIX_WEAK_WIFI,            /*< nick=weak-wifi >*/
  OBICO_FIX_WIFI_POWER_SAVE,      /*< nick=wifi-power-save >*/
  OBICO_FIX_UNDER_VOLTAGE,        /*< nick=under-voltage >*/
  OBICO_FIX_CLOCK,                /*< nick=clock >*/
  OBICO_FIX_IPV6_BROKEN,          /*< nick=ipv6-broken >*/
  OBICO_FIX_DNS,                  /*< nick=dns >*/
  OBICO_FIX_PROXY,                /*< nick=proxy >*/
  OBICO_FIX_NO_NETWORK,           /*< nick=no-network >*/
  OBICO_FIX_AGENT_NOT_RUNNING,    /*< nick=agent-not-running >*/
  OBICO_FIX_AGENT_NOT_CONNECTED,  /*< nick=agent-not-connected >*/
  OBICO_FIX_AGENT_NOT_REPORTING,  /*< nick=agent-not-reporting >*/
} ObicoFix;

/* Http: the last HTTP exchange with the server. */
typedef enum {
  OBICO_HTTP_UNKNOWN,              /*< nick=unknown >*/
  OBICO_HTTP_OK,                   /*< nick=ok >*/
  OBICO_HTTP_UNREACHABLE,          /*< nick=unreachable >*/
  OBICO_HTTP_INVALID_CREDENTIALS,  /*< nick=invalid-credentials >*/
  OBICO_HTTP_UNEXPECTED,           /*< nick=unexpected >*/
  OBICO_HTTP_SERVER_ERROR,         /*< nick=server-error >*/
} ObicoHttp;

/* WebSocket: the live connection (agent role) or what a tokenless upgrade
 * found (watch role). */
typedef enum {
  OBICO_WEB_SOCKET_UNKNOWN,             /*< nick=unknown >*/
  OBICO_WEB_SOCKET_CONNECTING,          /*< nick=connecting >*/
  OBICO_WEB_SOCKET_CONNECTED,           /*< nick=connected >*/
  OBICO_WEB_SOCKET_REACHABLE,           /*< nick=reachable >*/
  OBICO_WEB_SOCKET_BLOCKED,             /*< nick=blocked >*/
  OBICO_WEB_SOCKET_REJECTED,            /*< nick=rejected >*/
  OBICO_WEB_SOCKET_SHARED_CREDENTIALS,  /*< nick=shared-credentials >*/
  OBICO_WEB_SOCKET_CLOSED,              /*< nick=closed >*/
} ObicoWebSocket;

/* Test(): the guide's TEST button. */
typedef enum {
  OBICO_TEST_RESULT_SUCCEEDED,            /*< nick=succeeded >*/
  OBICO_TEST_RESULT_FAILED_TO_CONTACT,    /*< nick=failed-to-contact >*/
  OBICO_TEST_RESULT_INVALID_CREDENTIALS,  /*< nick=invalid-credentials >*/
  OBICO_TEST_RESULT_UNEXPECTED_RESPONSE,  /*< nick=unexpected-response >*/
  OBICO_TEST_RESULT_NOT_LINKED,           /*< nick=not-linked >*/
} ObicoTestResult;

/* ErrorStats' severity: how bad the error rate is. */
typedef enum {
  OBICO_SEVERITY_NONE,      /*< nick=none >*/
  OBICO_SEVERITY_LOW,       /*< nick=low >*/
  OBICO_SEVERITY_MODERATE,  /*< nick=moderate >*/
  OBICO_SEVERITY_HIGH,      /*< nick=high >*/
  OBICO_SEVERITY_TOTAL,     /*< nick=total >*/
} ObicoSeverity;

/* AppStatus: whether the Obico app shows the printer online — in the watch
 * role an inference from the official agent's connection (ocd-appstatus). */
typedef enum {
  OBICO_APP_STATUS_UNKNOWN,  /*< nick=unknown >*/
  OBICO_APP_STATUS_ONLINE,   /*< nick=online >*/
  OBICO_APP_STATUS_OFFLINE,  /*< nick=offline >*/
} ObicoAppStatus;

/* The nick of @value of the enum @type ("" for none is a nick too); NULL
 * for a value the enum does not have.  The string is static. */
const char *obico_enum_to_string   (GType       type,
                                    int         value);
/* Reads a nick; FALSE (and *value untouched) for a string that is none. */
gboolean    obico_enum_from_string (GType       type,
                                    const char *nick,
                                    int        *value);

#define obico_state_to_string(v)       obico_enum_to_string (OBICO_TYPE_STATE, (v))
#define obico_role_to_string(v)        obico_enum_to_string (OBICO_TYPE_ROLE, (v))
#define obico_fix_to_string(v)         obico_enum_to_string (OBICO_TYPE_FIX, (v))
#define obico_http_to_string(v)        obico_enum_to_string (OBICO_TYPE_HTTP, (v))
#define obico_web_socket_to_string(v)  obico_enum_to_string (OBICO_TYPE_WEB_SOCKET, (v))
#define obico_test_result_to_string(v) obico_enum_to_string (OBICO_TYPE_TEST_RESULT, (v))
#define obico_severity_to_string(v)    obico_enum_to_string (OBICO_TYPE_SEVERITY, (v))
#define obico_app_status_to_string(v)  obico_enum_to_string (OBICO_TYPE_APP_STATUS, (v))

/* "" for OBICO_PROBLEM_NONE, else the fix id. */
const char *obico_problem_to_string   (ObicoProblem  problem);
gboolean    obico_problem_from_string (const char   *nick,
                                       ObicoProblem *problem);

/* The fix page of a problem (every problem has one). */
ObicoFix    obico_problem_to_fix   (ObicoProblem problem);

G_END_DECLS

#include "obico-enum-types.h"
