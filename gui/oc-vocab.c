/* oc-vocab.c — the daemon's strings, read once into common/'s enums
 *
 * The app talks in enums; the strings on the bus are read here, where they
 * come in (the proxy's properties, the replies of Test, Diagnose and
 * GetReport, an action's parameter), and nowhere else.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "oc-vocab.h"

static int
read_enum (GType       type,
           const char *nick,
           int         unknown)
{
  int value;

  return obico_enum_from_string (type, nick, &value) ? value : unknown;
}

ObicoState
oc_read_state (const char *nick)
{
  return read_enum (OBICO_TYPE_STATE, nick, OC_STATE_UNKNOWN);
}

ObicoRole
oc_read_role (const char *nick)
{
  return read_enum (OBICO_TYPE_ROLE, nick, OC_ROLE_UNKNOWN);
}

ObicoTestResult
oc_read_test_result (const char *nick)
{
  return read_enum (OBICO_TYPE_TEST_RESULT, nick, OC_TEST_RESULT_UNKNOWN);
}

ObicoSeverity
oc_read_severity (const char *nick)
{
  return read_enum (OBICO_TYPE_SEVERITY, nick, OC_SEVERITY_UNKNOWN);
}

ObicoWebSocket
oc_read_web_socket (const char *nick)
{
  return read_enum (OBICO_TYPE_WEB_SOCKET, nick, OBICO_WEB_SOCKET_UNKNOWN);
}

ObicoProblem
oc_read_problem (const char *nick)
{
  ObicoProblem problem;

  return obico_problem_from_string (nick, &problem) ? problem : OBICO_PROBLEM_NONE;
}

gboolean
oc_read_fix (const char *nick,
             ObicoFix   *fix)
{
  int value;

  if (!obico_enum_from_string (OBICO_TYPE_FIX, nick, &value))
    return FALSE;
  *fix = value;
  return TRUE;
}
