/* obico-labels.c — what a client of io.obico.Connect1 shows a person
 *
 * One table per enum of obico-enums.h, indexed by value; a value the client
 * does not know (OBICO_*_UNKNOWN) gets the table's "unknown" row.  A unit
 * test checks that every value of every enum has words of its own.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "obico-labels.h"

static int
read_enum (GType       type,
           const char *nick,
           int         unknown)
{
  int value;

  return obico_enum_from_string (type, nick, &value) ? value : unknown;
}

ObicoState
obico_read_state (const char *nick)
{
  return read_enum (OBICO_TYPE_STATE, nick, OBICO_STATE_UNKNOWN);
}

ObicoRole
obico_read_role (const char *nick)
{
  return read_enum (OBICO_TYPE_ROLE, nick, OBICO_ROLE_UNKNOWN);
}

ObicoTestResult
obico_read_test_result (const char *nick)
{
  return read_enum (OBICO_TYPE_TEST_RESULT, nick, OBICO_TEST_RESULT_UNKNOWN);
}

ObicoSeverity
obico_read_severity (const char *nick)
{
  return read_enum (OBICO_TYPE_SEVERITY, nick, OBICO_SEVERITY_UNKNOWN);
}

ObicoWebSocket
obico_read_web_socket (const char *nick)
{
  return read_enum (OBICO_TYPE_WEB_SOCKET, nick, OBICO_WEB_SOCKET_UNKNOWN);
}

ObicoProblem
obico_read_problem (const char *nick)
{
  ObicoProblem problem;

  return obico_problem_from_string (nick, &problem) ? problem : OBICO_PROBLEM_NONE;
}

gboolean
obico_read_fix (const char *nick,
                ObicoFix   *fix)
{
  int value;

  if (!obico_enum_from_string (OBICO_TYPE_FIX, nick, &value))
    return FALSE;
  *fix = value;
  return TRUE;
}

/* a value of the enum, or @unknown for one outside it */
#define ROW(table, value, unknown) \
  ((guint) (value) < G_N_ELEMENTS (table) && (table)[(value)] != NULL ? (table)[(value)] : (unknown))

static const char * const state_labels[] = {
  [OBICO_STATE_UNLINKED] = N_("Not linked"),
  [OBICO_STATE_CONNECTING] = N_("Connecting"),
  [OBICO_STATE_OKAY] = N_("Okay"),
  [OBICO_STATE_DISCONNECTED] = N_("Disconnected"),
  [OBICO_STATE_ERROR] = N_("Error"),
};

static const char * const state_descriptions[] = {
  [OBICO_STATE_UNLINKED] = N_("This printer is not linked to an Obico account."),
  [OBICO_STATE_CONNECTING] = N_("Connecting to the server…"),
  [OBICO_STATE_OKAY] = N_("The printer is connected to its Obico server."),
  [OBICO_STATE_DISCONNECTED] = N_("The server answers, but the live connection is down."),
  [OBICO_STATE_ERROR] = N_("The server cannot be reached reliably."),
};

static const char * const test_results[] = {
  [OBICO_TEST_RESULT_SUCCEEDED] = N_("Succeeded"),
  [OBICO_TEST_RESULT_FAILED_TO_CONTACT] = N_("Failed to contact server"),
  [OBICO_TEST_RESULT_INVALID_CREDENTIALS] = N_("Invalid account credentials"),
  [OBICO_TEST_RESULT_UNEXPECTED_RESPONSE] = N_("Unexpected response from the server"),
  [OBICO_TEST_RESULT_NOT_LINKED] = N_("Not linked"),
};

static const char * const severity_labels[] = {
  [OBICO_SEVERITY_NONE] = N_("No errors"),
  [OBICO_SEVERITY_LOW] = N_("Low error rate"),
  [OBICO_SEVERITY_MODERATE] = N_("Moderate error rate"),
  [OBICO_SEVERITY_HIGH] = N_("High error rate"),
  [OBICO_SEVERITY_TOTAL] = N_("Nothing gets through"),
};

static const char * const severity_advice[] = {
  [OBICO_SEVERITY_NONE] = N_("No contact with the server has failed."),
  [OBICO_SEVERITY_LOW] = N_("An occasional failed contact is normal and does not affect the Obico app."),
  [OBICO_SEVERITY_MODERATE] = N_("Some contacts fail. The Obico app may be slow to update. A stronger Wi-Fi "
                                 "signal or a network cable helps."),
  [OBICO_SEVERITY_HIGH] = N_("Many contacts fail and the Obico app will often show the printer as offline. "
                             "Use a network cable, move the printer closer to the router or add a repeater."),
  [OBICO_SEVERITY_TOTAL] = N_("No contact gets through. Check name resolution (DNS), routing, the firewall "
                              "and the network adapter."),
};

/* The page titles of docs/guided-fixes.md: a problem is named by its page. */
static const char * const fix_titles[] = {
  [OBICO_FIX_NOT_LINKED] = N_("Link This Printer"),
  [OBICO_FIX_SERVER_ADDRESS] = N_("Check the Server Address"),
  [OBICO_FIX_INTERNET] = N_("Check the Internet Connection"),
  [OBICO_FIX_TLS] = N_("Secure Connection Failed"),
  [OBICO_FIX_NOT_OBICO_SERVER] = N_("This Is Not an Obico Server"),
  [OBICO_FIX_INVALID_CREDENTIALS] = N_("Credentials Refused"),
  [OBICO_FIX_RELINK] = N_("Link the Printer Again"),
  [OBICO_FIX_UNARCHIVE] = N_("Unarchive the Printer"),
  [OBICO_FIX_SHARED_CREDENTIALS] = N_("Credentials Used Twice"),
  [OBICO_FIX_STILL_INVALID] = N_("Still Refused After Linking Again"),
  [OBICO_FIX_WEBSOCKET_BLOCKED] = N_("The Live Connection Is Blocked"),
  [OBICO_FIX_UNRELIABLE_NETWORK] = N_("The Network Is Unreliable"),
  [OBICO_FIX_NO_CONNECTIVITY] = N_("Nothing Gets Through"),
  [OBICO_FIX_UNDETECTED] = N_("No Problem Found"),
  [OBICO_FIX_DEBUG_LOGGING] = N_("Debug Logging"),
  [OBICO_FIX_GET_HELP] = N_("Get Help From a Person"),
  [OBICO_FIX_SERVER_ERROR] = N_("The Server Is Failing"),
  [OBICO_FIX_WEAK_WIFI] = N_("The Wi-Fi Signal Is Weak"),
  [OBICO_FIX_WIFI_POWER_SAVE] = N_("Wi-Fi Power Saving Drops the Connection"),
  [OBICO_FIX_UNDER_VOLTAGE] = N_("The Power Supply Is Too Weak"),
  [OBICO_FIX_CLOCK] = N_("The Clock Is Wrong"),
  [OBICO_FIX_IPV6_BROKEN] = N_("IPv6 Does Not Work"),
  [OBICO_FIX_DNS] = N_("Name Lookup (DNS) Fails"),
  [OBICO_FIX_PROXY] = N_("The Proxy Blocks the Live Connection"),
  [OBICO_FIX_NO_NETWORK] = N_("This Computer Has No Network"),
  [OBICO_FIX_AGENT_NOT_RUNNING] = N_("The Obico Agent Is Not Running"),
  [OBICO_FIX_AGENT_NOT_CONNECTED] = N_("The Obico Agent Is Not Connected"),
  [OBICO_FIX_AGENT_NOT_REPORTING] = N_("The Obico Agent Sends No Status"),
};

const char *
obico_state_label (ObicoState state)
{
  return _(ROW (state_labels, state, N_("Unknown")));
}

const char *
obico_state_description (ObicoState state)
{
  return _(ROW (state_descriptions, state, N_("The state of the connection is not known yet.")));
}

const char *
obico_test_result_label (ObicoTestResult result)
{
  return _(ROW (test_results, result, N_("Unknown result")));
}

const char *
obico_severity_label (ObicoSeverity severity)
{
  return _(ROW (severity_labels, severity, N_("No data yet")));
}

const char *
obico_severity_advice (ObicoSeverity severity)
{
  return _(ROW (severity_advice, severity, N_("The service has not contacted the server yet.")));
}

const char *
obico_fix_title (ObicoFix fix)
{
  const char *title = ROW (fix_titles, fix, NULL);

  return title != NULL ? _(title) : NULL;
}

const char *
obico_problem_title (ObicoProblem problem)
{
  if (problem == OBICO_PROBLEM_NONE)
    return NULL;
  return obico_fix_title (obico_problem_to_fix (problem));
}

const char *
obico_step_label (const char *name)
{
  static const struct { const char *name; const char *label; } steps[] = {
    { "host", N_("This computer (Wi-Fi, power, clock)") },
    { "resolve", N_("Name resolution") },
    { "connect", N_("Connection") },
    { "tls", N_("Secure connection (TLS)") },
    { "server", N_("Server health check") },
    { "credentials", N_("Printer credentials") },
    { "websocket", N_("Live connection (WebSocket)") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    if (g_strcmp0 (steps[i].name, name) == 0)
      return _(steps[i].label);

  /* a layer added to the daemon later: its own name is better than nothing */
  return name;
}

char *
obico_format_time_ago (gint64 usec,
                       gint64 now_usec)
{
  gint64 seconds;

  if (usec <= 0)
    return g_strdup (_("Never"));

  seconds = MAX (now_usec - usec, 0) / G_USEC_PER_SEC;
  if (seconds < 60)
    return g_strdup (_("Just now"));
  if (seconds < 60 * 60)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d minute ago", "%d minutes ago", seconds / 60),
                            (int) (seconds / 60));
  if (seconds < 24 * 60 * 60)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d hour ago", "%d hours ago", seconds / 3600),
                            (int) (seconds / 3600));

  return obico_format_timestamp (usec);
}

char *
obico_format_timestamp (gint64 usec)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (usec <= 0)
    return g_strdup (_("Never"));

  utc = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
  if (utc == NULL)
    return g_strdup (_("Unknown"));
  local = g_date_time_to_local (utc);

  /* TRANSLATORS: date and time of an event, see strftime(3) */
  return g_date_time_format (local, _("%Y-%m-%d %H:%M:%S"));
}

char *
obico_format_duration (gint64 usec)
{
  gint64 seconds = MAX (usec, 0) / G_USEC_PER_SEC;

  if (seconds < 60)
    /* TRANSLATORS: a duration in seconds */
    return g_strdup_printf (_("%d s"), (int) seconds);
  if (seconds < 60 * 60)
    /* TRANSLATORS: a duration in minutes */
    return g_strdup_printf (_("%d min"), (int) (seconds / 60));
  /* TRANSLATORS: a duration in hours and minutes */
  return g_strdup_printf (_("%d h %02d min"), (int) (seconds / 3600), (int) (seconds / 60 % 60));
}

char *
obico_format_rate (double rate)
{
  /* TRANSLATORS: an error rate in percent */
  return g_strdup_printf (_("%.1f %%"), CLAMP (rate, 0.0, 1.0) * 100.0);
}

char *
obico_format_elapsed (double ms)
{
  if (ms < 1000.0)
    /* TRANSLATORS: a duration in milliseconds */
    return g_strdup_printf (_("%.0f ms"), MAX (ms, 0.0));

  /* TRANSLATORS: a duration in seconds */
  return g_strdup_printf (_("%.1f s"), ms / 1000.0);
}

gboolean
obico_error_service_gone (const GError *error)
{
  return g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) ||
         g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER) ||
         g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NO_REPLY);
}

char *
obico_error_sentence (const GError *error)
{
  g_autoptr(GError) copy = NULL;

  if (obico_error_service_gone (error))
    return g_strdup (_("The Obico Connect service is not running."));

  copy = g_error_copy (error);
  g_dbus_error_strip_remote_error (copy);
  return g_strdup (copy->message);
}
