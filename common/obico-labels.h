/* obico-labels.h — what a client of io.obico.Connect1 shows a person
 *
 * The app and obicoctl read the daemon's strings into common/'s enums here,
 * where they come in, and show each value in the same words: one table per
 * enum, one translation for both.  The daemon does not use this.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "obico-enums.h"

G_BEGIN_DECLS

/* What a client holds for a value the daemon did not send (no daemon, a key
 * missing from an older one) or sent but this client does not know (a newer
 * daemon's): every label shows it as "Unknown".  Outside the enums' range,
 * so it is never a case of a switch: test it with ==. */
#define OBICO_STATE_UNKNOWN       ((ObicoState) -1)
#define OBICO_ROLE_UNKNOWN        ((ObicoRole) -1)
#define OBICO_TEST_RESULT_UNKNOWN ((ObicoTestResult) -1)
#define OBICO_SEVERITY_UNKNOWN    ((ObicoSeverity) -1)

ObicoState      obico_read_state       (const char *nick);
ObicoRole       obico_read_role        (const char *nick);
ObicoTestResult obico_read_test_result (const char *nick);
ObicoSeverity   obico_read_severity    (const char *nick);
/* a WebSocket a client cannot name is OBICO_WEB_SOCKET_UNKNOWN */
ObicoWebSocket  obico_read_web_socket  (const char *nick);
/* a problem a client has no page for is no problem it can help with: NONE */
ObicoProblem    obico_read_problem     (const char *nick);
gboolean        obico_read_fix         (const char *nick,
                                        ObicoFix   *fix);

/* Each takes a value of its enum or the enum's OBICO_*_UNKNOWN; the words
 * are translated, the strings static. */
const char *obico_state_label          (ObicoState       state);
const char *obico_state_description    (ObicoState       state);
const char *obico_test_result_label    (ObicoTestResult  result);
const char *obico_severity_label       (ObicoSeverity    severity);
const char *obico_severity_advice      (ObicoSeverity    severity);
/* the title of a fix's page; NULL for a value outside the enum */
const char *obico_fix_title            (ObicoFix         fix);
/* the title of a problem's page; NULL for none */
const char *obico_problem_title        (ObicoProblem     problem);
/* Diagnose()'s layers are named by the daemon, not by an enum: a layer a
 * client does not know keeps its own name. */
const char *obico_step_label           (const char      *name);

char       *obico_format_time_ago      (gint64           usec,
                                        gint64           now_usec);
char       *obico_format_timestamp     (gint64           usec);
char       *obico_format_duration      (gint64           usec);
char       *obico_format_rate          (double           rate);
char       *obico_format_elapsed       (double           ms);

/* The daemon is not on the bus (not running, not installed, gone). */
gboolean    obico_error_service_gone   (const GError    *error);
/* The sentence for a person: the daemon's own (its errors carry one; the
 * D-Bus error name in front of it is for programs), or that the service is
 * not running. */
char       *obico_error_sentence       (const GError    *error);

G_END_DECLS
