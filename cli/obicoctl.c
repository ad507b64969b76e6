/* obicoctl.c — the command line of obico-connectd: options, commands, exit status
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <unistd.h>

#include "obico-error.h"
#include "octl.h"

#define NOT_GIVEN G_MININT

int      octl_log_lines = NOT_GIVEN;
gboolean octl_log_follow = FALSE;

typedef struct {
  const char *name;
  const char *arguments;  /* for the help; not translated: what is typed */
  const char *summary;
  OctlExit  (*run) (Octl *octl, int argc, char **argv);
} Command;

static const Command commands[] = {
  { "status", "", N_("The link at a glance (the default)"), octl_cmd_status },
  { "test", "", N_("Contact the server with the printer’s credentials (the TEST button)"), octl_cmd_test },
  { "diagnose", "", N_("Check the link layer by layer and name the fix"), octl_cmd_diagnose },
  { "report", "", N_("The connectivity report: counts, outages and a chart of the last day"), octl_cmd_report },
  { "log", "[-n N] [-f]", N_("The service’s recent log lines; -f follows new ones"), octl_cmd_log },
  { "monitor", "", N_("Print one line per change until interrupted"), octl_cmd_monitor },
  { "link", "CODE", N_("Link the printer with the 6-digit code from the Obico app"), octl_cmd_link },
  { "unlink", "", N_("Forget the printer’s credentials"), octl_cmd_unlink },
  { "server", "URL", N_("Set the Obico server’s address"), octl_cmd_server },
  { "debug", "on|off", N_("Turn debug logging on or off"), octl_cmd_debug },
  { "reset-errors", "", N_("Clear the error account"), octl_cmd_reset_errors },
  { "reconnect", "", N_("Retry the connection to the server now"), octl_cmd_reconnect },
  { "wifi-power-save", "off", N_("Turn Wi-Fi power saving off for the link’s Wi-Fi connection"),
    octl_cmd_wifi_power_save },
  { "network-time", "on", N_("Turn network time (NTP) on"), octl_cmd_network_time },
};

static char *
commands_summary (void)
{
  GString *text = g_string_new (_("Commands:"));

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autofree char *left = g_strdup_printf ("%s %s", commands[i].name, commands[i].arguments);

      g_string_append_printf (text, "\n  %-22s %s", left, _(commands[i].summary));
    }
  return g_string_free (text, FALSE);
}

static char *
exit_status_description (void)
{
  return g_strjoin ("\n",
                    _("Exit status:"),
                    _("  0  done; for status, test and diagnose: the link is okay"),
                    _("  1  failed, or the link is not okay for another reason"),
                    _("  2  bad command line or argument, or no such printer"),
                    _("  3  the server could not be contacted"),
                    _("  4  the server refused the printer’s credentials"),
                    _("  5  the server answered, but not as an Obico server does"),
                    _("  6  no printer is linked"),
                    _("  7  the service is not running"),
                    _("  8  the change needs an administrator"),
                    "",
                    _("See obicoctl(1) for more."),
                    NULL);
}

static gboolean
color_wanted (void)
{
  const char *no_color = g_getenv ("NO_COLOR");

  /* https://no-color.org: set and not empty turns colour off */
  if (no_color != NULL && no_color[0] != '\0')
    return FALSE;
  if (g_strcmp0 (g_getenv ("TERM"), "dumb") == 0)
    return FALSE;
  return isatty (STDOUT_FILENO);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *description = NULL;
  gboolean session = FALSE;
  gboolean json = FALSE;
  gboolean version = FALSE;
  int printer = NOT_GIVEN;
  const char *name;
  Octl octl = { 0 };
  OctlExit status;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      N_("Print JSON (one object per line) with the keys of the D-Bus interface"), NULL },
    { "session", 0, 0, G_OPTION_ARG_NONE, &session,
      N_("Talk to the service on the session bus instead of the system bus"), NULL },
    { "printer", 'p', 0, G_OPTION_ARG_INT, &printer,
      N_("Only printer N of this host (counted from 1)"), "N" },
    { "lines", 'n', 0, G_OPTION_ARG_INT, &octl_log_lines,
      N_("log: show the last N lines (all that are kept: 0)"), "N" },
    { "follow", 'f', 0, G_OPTION_ARG_NONE, &octl_log_follow,
      N_("log: keep printing new lines until interrupted"), NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version,
      N_("Print the version of obicoctl"), NULL },
    { NULL }
  };

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  /* the daemon's errors arrive as OBICO_ERROR codes, not as strings */
  g_type_ensure (G_TYPE_DBUS_ERROR);
  (void) OBICO_ERROR;

  context = g_option_context_new (_("[COMMAND [ARGUMENT]] — control obico-connectd, the Obico link service"));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  summary = commands_summary ();
  g_option_context_set_summary (context, summary);
  description = exit_status_description ();
  g_option_context_set_description (context, description);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      g_printerr (_("See “%s --help”.\n"), g_get_prgname ());
      return OCTL_EXIT_USAGE;
    }
  if (version)
    {
      g_print ("obicoctl %s\n", PACKAGE_VERSION);
      return OCTL_EXIT_OK;
    }

  name = argc > 1 ? argv[1] : "status";
  if (printer != NOT_GIVEN && printer < 1)
    {
      g_printerr (_("--printer counts from 1.\n"));
      return OCTL_EXIT_USAGE;
    }
  if ((octl_log_lines != NOT_GIVEN || octl_log_follow) && g_strcmp0 (name, "log") != 0)
    {
      g_printerr (_("-n and -f are options of “log”.\n"));
      return OCTL_EXIT_USAGE;
    }
  if (octl_log_lines != NOT_GIVEN && octl_log_lines < 0)
    {
      g_printerr (_("-n takes a number of lines, 0 for all.\n"));
      return OCTL_EXIT_USAGE;
    }

  octl.bus_type = session ? G_BUS_TYPE_SESSION : G_BUS_TYPE_SYSTEM;
  octl.printer = printer == NOT_GIVEN ? 0 : (guint) printer;
  octl.json = json;
  octl.color = !json && color_wanted ();
  octl.utf8 = g_get_charset (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (commands[i].name, name))
      {
        /* the command's own arguments follow its name */
        char **args = argc > 1 ? argv + 2 : argv + argc;
        int n_args = argc > 1 ? argc - 2 : 0;

        status = commands[i].run (&octl, n_args, args);
        g_clear_object (&octl.bus);
        return status;
      }

  g_printerr (_("Unknown command “%s”. See “%s --help”.\n"), name, g_get_prgname ());
  return OCTL_EXIT_USAGE;
}
