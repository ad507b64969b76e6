/* octl-output.c — the words, colours, numbers and JSON obicoctl prints
 *
 * The words are the app's (gui/oc-format.c, gui/oc-fix.c): a person sees the
 * same label for the same state in both, and one translation serves both.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "obico-enums.h"
#include "octl.h"

const char *
octl_color (Octl      *octl,
            OctlColor  color)
{
  static const char *const sequences[] = {
    [OCTL_COLOR_RESET] = "\033[0m",
    [OCTL_COLOR_BOLD] = "\033[1m",
    [OCTL_COLOR_DIM] = "\033[2m",
    [OCTL_COLOR_GREEN] = "\033[1;32m",
    [OCTL_COLOR_YELLOW] = "\033[1;33m",
    [OCTL_COLOR_RED] = "\033[1;31m",
    [OCTL_COLOR_BLUE] = "\033[1;34m",
  };

  return octl->color ? sequences[color] : "";
}

static gboolean
state_of (const char *nick,
          ObicoState *state)
{
  int value;

  if (!obico_enum_from_string (OBICO_TYPE_STATE, nick, &value))
    return FALSE;
  *state = value;
  return TRUE;
}

const char *
octl_state_label (const char *nick)
{
  ObicoState state;

  if (!state_of (nick, &state))
    return _("Unknown");
  switch (state)
    {
    case OBICO_STATE_OKAY:
      return _("Okay");
    case OBICO_STATE_DISCONNECTED:
      return _("Disconnected");
    case OBICO_STATE_ERROR:
      return _("Error");
    case OBICO_STATE_UNLINKED:
      return _("Not linked");
    case OBICO_STATE_CONNECTING:
    default:
      return _("Connecting");
    }
}

const char *
octl_state_description (const char *nick)
{
  ObicoState state;

  if (!state_of (nick, &state))
    return _("The state of the connection is not known yet.");
  switch (state)
    {
    case OBICO_STATE_OKAY:
      return _("The printer is connected to its Obico server.");
    case OBICO_STATE_DISCONNECTED:
      return _("The server answers, but the live connection is down.");
    case OBICO_STATE_ERROR:
      return _("The server cannot be reached reliably.");
    case OBICO_STATE_UNLINKED:
      return _("This printer is not linked to an Obico account.");
    case OBICO_STATE_CONNECTING:
    default:
      return _("Connecting to the server…");
    }
}

OctlColor
octl_state_color (const char *nick)
{
  ObicoState state;

  if (!state_of (nick, &state))
    return OCTL_COLOR_BLUE;
  switch (state)
    {
    case OBICO_STATE_OKAY:
      return OCTL_COLOR_GREEN;
    case OBICO_STATE_DISCONNECTED:
    case OBICO_STATE_UNLINKED:
      return OCTL_COLOR_YELLOW;
    case OBICO_STATE_ERROR:
      return OCTL_COLOR_RED;
    case OBICO_STATE_CONNECTING:
    default:
      return OCTL_COLOR_BLUE;
    }
}

const char *
octl_test_result_label (const char *nick)
{
  int result;

  if (!obico_enum_from_string (OBICO_TYPE_TEST_RESULT, nick, &result))
    return _("Unknown result");
  switch ((ObicoTestResult) result)
    {
    case OBICO_TEST_RESULT_SUCCEEDED:
      return _("Succeeded");
    case OBICO_TEST_RESULT_FAILED_TO_CONTACT:
      return _("Failed to contact server");
    case OBICO_TEST_RESULT_INVALID_CREDENTIALS:
      return _("Invalid account credentials");
    case OBICO_TEST_RESULT_UNEXPECTED_RESPONSE:
      return _("Unexpected response from the server");
    case OBICO_TEST_RESULT_NOT_LINKED:
    default:
      return _("Not linked");
    }
}

OctlExit
octl_test_result_exit (const char *nick)
{
  int result;

  if (!obico_enum_from_string (OBICO_TYPE_TEST_RESULT, nick, &result))
    return OCTL_EXIT_FAILED;
  switch ((ObicoTestResult) result)
    {
    case OBICO_TEST_RESULT_SUCCEEDED:
      return OCTL_EXIT_OK;
    case OBICO_TEST_RESULT_FAILED_TO_CONTACT:
      return OCTL_EXIT_FAILED_TO_CONTACT;
    case OBICO_TEST_RESULT_INVALID_CREDENTIALS:
      return OCTL_EXIT_INVALID_CREDENTIALS;
    case OBICO_TEST_RESULT_UNEXPECTED_RESPONSE:
      return OCTL_EXIT_UNEXPECTED_RESPONSE;
    case OBICO_TEST_RESULT_NOT_LINKED:
    default:
      return OCTL_EXIT_NOT_LINKED;
    }
}

/* A problem in the words of Test(): what a script already branches on. */
OctlExit
octl_problem_exit (const char *nick)
{
  ObicoProblem problem;

  if (!obico_problem_from_string (nick, &problem))
    return OCTL_EXIT_FAILED;
  switch (problem)
    {
    case OBICO_PROBLEM_NONE:
      return OCTL_EXIT_OK;
    case OBICO_PROBLEM_NOT_LINKED:
      return OCTL_EXIT_NOT_LINKED;
    case OBICO_PROBLEM_SERVER_ADDRESS:
    case OBICO_PROBLEM_INTERNET:
    case OBICO_PROBLEM_TLS:
    case OBICO_PROBLEM_NO_CONNECTIVITY:
      return OCTL_EXIT_FAILED_TO_CONTACT;
    case OBICO_PROBLEM_INVALID_CREDENTIALS:
    case OBICO_PROBLEM_STILL_INVALID:
      return OCTL_EXIT_INVALID_CREDENTIALS;
    case OBICO_PROBLEM_NOT_OBICO_SERVER:
      return OCTL_EXIT_UNEXPECTED_RESPONSE;
    case OBICO_PROBLEM_SHARED_CREDENTIALS:
    case OBICO_PROBLEM_WEBSOCKET_BLOCKED:
    case OBICO_PROBLEM_UNRELIABLE_NETWORK:
    default:
      return OCTL_EXIT_FAILED;
    }
}

const char *
octl_severity_label (const char *nick)
{
  int severity;

  if (!obico_enum_from_string (OBICO_TYPE_SEVERITY, nick, &severity))
    return _("No data yet");
  switch ((ObicoSeverity) severity)
    {
    case OBICO_SEVERITY_NONE:
      return _("No errors");
    case OBICO_SEVERITY_LOW:
      return _("Low error rate");
    case OBICO_SEVERITY_MODERATE:
      return _("Moderate error rate");
    case OBICO_SEVERITY_HIGH:
      return _("High error rate");
    case OBICO_SEVERITY_TOTAL:
    default:
      return _("Nothing gets through");
    }
}

const char *
octl_step_label (const char *name)
{
  static const struct { const char *name; const char *label; } steps[] = {
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

const char *
octl_fix_title (const char *nick)
{
  static const char *const titles[] = {
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
  };
  int fix;

  if (!obico_enum_from_string (OBICO_TYPE_FIX, nick, &fix) ||
      fix < 0 || (guint) fix >= G_N_ELEMENTS (titles) || titles[fix] == NULL)
    return nick;
  return _(titles[fix]);
}

char *
octl_format_time_ago (gint64 usec,
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

  return octl_format_timestamp (usec);
}

static GDateTime *
local_time (gint64 usec)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);

  return utc != NULL ? g_date_time_to_local (utc) : NULL;
}

char *
octl_format_timestamp (gint64 usec)
{
  g_autoptr(GDateTime) local = NULL;

  if (usec <= 0)
    return g_strdup (_("Never"));
  local = local_time (usec);
  if (local == NULL)
    return g_strdup (_("Unknown"));

  /* TRANSLATORS: date and time of an event, see strftime(3) */
  return g_date_time_format (local, _("%Y-%m-%d %H:%M:%S"));
}

/* The time of day, for monitor's lines and the end of an outage. */
char *
octl_format_clock (gint64 usec)
{
  g_autoptr(GDateTime) local = local_time (usec);

  return local != NULL ? g_date_time_format (local, "%H:%M:%S") : g_strdup ("--:--:--");
}

char *
octl_format_duration (gint64 usec)
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
octl_format_rate (double rate)
{
  /* TRANSLATORS: an error rate in percent */
  return g_strdup_printf (_("%.1f %%"), CLAMP (rate, 0.0, 1.0) * 100.0);
}

char *
octl_format_elapsed (double ms)
{
  if (ms < 1000.0)
    /* TRANSLATORS: a duration in milliseconds */
    return g_strdup_printf (_("%.0f ms"), MAX (ms, 0.0));

  /* TRANSLATORS: a duration in seconds */
  return g_strdup_printf (_("%.1f s"), ms / 1000.0);
}

/* "Label:  value" rows, the values aligned whatever the translation's label
 * widths; a value may span lines, later lines are aligned with the first. */
void
octl_print_rows (Octl              *octl,
                 const char        *indent,
                 const char *const *labels,
                 const char *const *values,
                 guint              n_rows)
{
  glong width = 0;

  for (guint i = 0; i < n_rows; i++)
    if (values[i] != NULL)
      width = MAX (width, g_utf8_strlen (labels[i], -1));

  for (guint i = 0; i < n_rows; i++)
    {
      g_auto(GStrv) lines = NULL;

      if (values[i] == NULL)
        continue;
      lines = g_strsplit (values[i], "\n", -1);
      g_print ("%s%s%s:%s%*s  %s\n", indent, octl_color (octl, OCTL_COLOR_BOLD), labels[i],
               octl_color (octl, OCTL_COLOR_RESET),
               (int) (width - g_utf8_strlen (labels[i], -1)), "", lines[0]);
      for (guint j = 1; lines[j] != NULL; j++)
        g_print ("%s%*s   %s\n", indent, (int) width, "", lines[j]);
    }
}

/* JSON goes out as UTF-8 whatever the locale: g_print() would convert it. */
void
octl_print_json (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_root (generator, node);
  text = json_generator_to_data (generator, NULL);
  fputs (text, stdout);
  fputc ('\n', stdout);
  fflush (stdout);
}

/* Takes @value (floating or not). */
JsonNode *
octl_json_from_variant (GVariant *value)
{
  g_autoptr(GVariant) owned = g_variant_take_ref (value);

  return json_gvariant_serialize (owned);
}

/* A method's reply as an object keyed by the names of its out arguments in
 * the interface (dbus/io.obico.Connect1.xml): {"result": …, "detail": …}. */
JsonNode *
octl_json_reply (const char *method,
                 GVariant   *reply)
{
  GDBusMethodInfo *info = g_dbus_interface_info_lookup_method (ocd_connect1_interface_info (), method);
  g_autoptr(JsonObject) object = json_object_new ();
  JsonNode *node;

  for (guint i = 0; info != NULL && info->out_args != NULL && info->out_args[i] != NULL; i++)
    {
      if (i >= g_variant_n_children (reply))
        break;
      json_object_set_member (object, info->out_args[i]->name,
                              octl_json_from_variant (g_variant_get_child_value (reply, i)));
    }

  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, object);
  return node;
}

/* The properties, keyed and ordered as in the interface. */
JsonNode *
octl_json_properties (OcdConnect1 *proxy)
{
  GDBusInterfaceInfo *info = ocd_connect1_interface_info ();
  g_autoptr(JsonObject) object = json_object_new ();
  JsonNode *node;

  for (guint i = 0; info->properties[i] != NULL; i++)
    {
      const char *name = info->properties[i]->name;
      GVariant *value = g_dbus_proxy_get_cached_property (G_DBUS_PROXY (proxy), name);

      if (value != NULL)
        json_object_set_member (object, name, octl_json_from_variant (value));
    }

  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, object);
  return node;
}
