/* oc-vocab.h — the daemon's strings, read once into common/'s enums
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "obico-enums.h"

G_BEGIN_DECLS

/* What the app holds for a value the daemon did not send (no daemon, a key
 * missing from an older one) or sent but this app does not know (a newer
 * daemon's): every label shows it as "Unknown". Outside the enums' range, so
 * it is never a case of a switch: test it with ==. */
#define OC_STATE_UNKNOWN       ((ObicoState) -1)
#define OC_ROLE_UNKNOWN        ((ObicoRole) -1)
#define OC_TEST_RESULT_UNKNOWN ((ObicoTestResult) -1)
#define OC_SEVERITY_UNKNOWN    ((ObicoSeverity) -1)

ObicoState      oc_read_state       (const char *nick);
ObicoRole       oc_read_role        (const char *nick);
ObicoTestResult oc_read_test_result (const char *nick);
ObicoSeverity   oc_read_severity    (const char *nick);
/* a WebSocket the app cannot name is OBICO_WEB_SOCKET_UNKNOWN */
ObicoWebSocket  oc_read_web_socket  (const char *nick);
/* a problem the app has no fix for is no problem it can help with: NONE */
ObicoProblem    oc_read_problem     (const char *nick);
gboolean        oc_read_fix         (const char *nick,
                                     ObicoFix   *fix);

G_END_DECLS
