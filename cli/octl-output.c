/* octl-output.c — the words, colours, numbers and JSON obicoctl prints
 *
 * The words are the app's (common/obico-labels.c): a person sees the same
 * label for the same state in both, and one translation serves both.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <stdio.h>

#include "obico-labels.h"
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

OctlColor
octl_state_color (const char *nick)
{
  switch (obico_read_state (nick))
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
    case OBICO_PROBLEM_DNS:
    case OBICO_PROBLEM_NO_NETWORK:
      return OCTL_EXIT_FAILED_TO_CONTACT;
    case OBICO_PROBLEM_INVALID_CREDENTIALS:
    case OBICO_PROBLEM_STILL_INVALID:
      return OCTL_EXIT_INVALID_CREDENTIALS;
    case OBICO_PROBLEM_NOT_OBICO_SERVER:
    case OBICO_PROBLEM_SERVER_ERROR:   /* what `test` says for a 5xx */
      return OCTL_EXIT_UNEXPECTED_RESPONSE;
    case OBICO_PROBLEM_SHARED_CREDENTIALS:
    case OBICO_PROBLEM_WEBSOCKET_BLOCKED:
    case OBICO_PROBLEM_UNRELIABLE_NETWORK:
    default:
      return OCTL_EXIT_FAILED;
    }
}

/* A fix's title, or its id for a fix this obicoctl does not know. */
const char *
octl_fix_title (const char *nick)
{
  ObicoFix fix;

  if (!obico_read_fix (nick, &fix) || obico_fix_title (fix) == NULL)
    return nick;
  return obico_fix_title (fix);
}

static GDateTime *
local_time (gint64 usec)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);

  return utc != NULL ? g_date_time_to_local (utc) : NULL;
}

/* The time of day, for monitor's lines and the end of an outage. */
char *
octl_format_clock (gint64 usec)
{
  g_autoptr(GDateTime) local = local_time (usec);

  return local != NULL ? g_date_time_format (local, "%H:%M:%S") : g_strdup ("--:--:--");
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
