/* octl-commands.c — obicoctl test, diagnose, log and the commands that change things
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <stdio.h>

#include "octl.h"

#define DEFAULT_LOG_LINES   20
#define FOLLOW_INTERVAL_MS  500

static gboolean
no_arguments (const char *command,
              int         argc)
{
  if (argc == 0)
    return TRUE;
  g_printerr (_("“%s” takes no arguments.\n"), command);
  return FALSE;
}

static const char *
mark (Octl     *octl,
      gboolean  ok)
{
  if (octl->utf8)
    return ok ? "✔" : "✘";
  return ok ? "+" : "x";
}

/* test --------------------------------------------------------------------- */

OctlExit
octl_cmd_test (Octl  *octl,
               int    argc,
               char **argv)
{
  g_autoptr(OcdConnect1) proxy = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) facts = NULL;
  const char *result, *detail;
  const char *url = NULL, *address = NULL, *tls = NULL;
  gint32 http_status = 0;
  double elapsed = -1.0;
  g_autofree char *http_text = NULL;
  g_autofree char *elapsed_text = NULL;
  OctlExit status;
  gboolean good;
  const char *labels[] = { _("URL"), _("Address"), _("HTTP status"), _("TLS"), _("Time") };
  const char *values[G_N_ELEMENTS (labels)];

  if (!no_arguments ("test", argc))
    return OCTL_EXIT_USAGE;
  status = octl_one_printer (octl, G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES |
                                   G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS, &proxy);
  if (status == OCTL_EXIT_OK)
    status = octl_call (octl, proxy, "Test", NULL, &reply);
  if (status != OCTL_EXIT_OK)
    return status;

  g_variant_get (reply, "(&s&s@a{sv})", &result, &detail, &facts);
  status = octl_test_result_exit (result);
  if (octl->json)
    {
      octl_print_json (octl_json_reply ("Test", reply));
      return status;
    }

  good = status == OCTL_EXIT_OK;
  g_print ("%s%s%s %s%s%s  %s\n", octl_color (octl, good ? OCTL_COLOR_GREEN : OCTL_COLOR_RED),
           mark (octl, good), octl_color (octl, OCTL_COLOR_RESET), octl_color (octl, OCTL_COLOR_BOLD),
           obico_test_result_label (obico_read_test_result (result)), octl_color (octl, OCTL_COLOR_RESET), detail);

  g_variant_lookup (facts, "url", "&s", &url);
  g_variant_lookup (facts, "address", "&s", &address);
  g_variant_lookup (facts, "tls", "&s", &tls);
  g_variant_lookup (facts, "http_status", "i", &http_status);
  g_variant_lookup (facts, "elapsed_ms", "d", &elapsed);
  http_text = http_status > 0 ? g_strdup_printf ("%d", http_status) : NULL;
  elapsed_text = elapsed > 0.0 ? obico_format_elapsed (elapsed) : NULL;
  values[0] = url != NULL && url[0] != '\0' ? url : NULL;
  values[1] = address != NULL && address[0] != '\0' ? address : NULL;
  values[2] = http_text;
  values[3] = tls != NULL && tls[0] != '\0' ? tls : NULL;
  values[4] = elapsed_text;
  octl_print_rows (octl, "  ", labels, values, G_N_ELEMENTS (labels));
  return status;
}

/* diagnose ----------------------------------------------------------------- */

static void
print_steps (Octl     *octl,
             GVariant *steps)
{
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();
  GVariantIter iter;
  GVariant *step;
  glong width = 0;
  guint i = 0;

  g_variant_iter_init (&iter, steps);
  while (g_variant_iter_loop (&iter, "@a{sv}", &step))
    {
      const char *name = "";

      g_variant_lookup (step, "name", "&s", &name);
      g_ptr_array_add (labels, (gpointer) obico_step_label (name));
      width = MAX (width, g_utf8_strlen (obico_step_label (name), -1));
    }

  g_variant_iter_init (&iter, steps);
  while (g_variant_iter_loop (&iter, "@a{sv}", &step))
    {
      gboolean ok = FALSE;
      double elapsed = 0.0;
      const char *detail = "";
      const char *label = g_ptr_array_index (labels, i++);
      g_autofree char *elapsed_text = NULL;
      g_autofree char *indent = NULL;
      g_auto(GStrv) lines = NULL;
      g_autofree char *text = NULL;

      g_variant_lookup (step, "ok", "b", &ok);
      g_variant_lookup (step, "elapsed_ms", "d", &elapsed);
      g_variant_lookup (step, "detail", "&s", &detail);
      elapsed_text = obico_format_elapsed (elapsed);
      /* A detail of several lines (the host step's) stays in its column. */
      indent = g_strdup_printf ("\n%*s", (int) (2 + width + 2 + 7 + 2), "");
      lines = g_strsplit (detail, "\n", -1);
      text = g_strjoinv (indent, lines);
      detail = text;
      g_print ("%s%s%s %s%s%*s%s  %7s  %s\n", octl_color (octl, ok ? OCTL_COLOR_GREEN : OCTL_COLOR_RED),
               mark (octl, ok), octl_color (octl, OCTL_COLOR_RESET),
               ok ? "" : octl_color (octl, OCTL_COLOR_BOLD), label,
               (int) (width - g_utf8_strlen (label, -1)), "", octl_color (octl, OCTL_COLOR_RESET),
               elapsed_text, detail);
    }
}

OctlExit
octl_cmd_diagnose (Octl  *octl,
                   int    argc,
                   char **argv)
{
  g_autoptr(OcdConnect1) proxy = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) steps = NULL;
  g_autofree const char **fixes = NULL;
  const char *problem;
  OctlExit status;

  if (!no_arguments ("diagnose", argc))
    return OCTL_EXIT_USAGE;
  status = octl_one_printer (octl, G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES |
                                   G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS, &proxy);
  if (status == OCTL_EXIT_OK)
    status = octl_call (octl, proxy, "Diagnose", NULL, &reply);
  if (status != OCTL_EXIT_OK)
    return status;

  g_variant_get (reply, "(&s^a&s@aa{sv})", &problem, &fixes, &steps);
  status = octl_problem_exit (problem);
  if (octl->json)
    {
      octl_print_json (octl_json_reply ("Diagnose", reply));
      return status;
    }

  print_steps (octl, steps);
  g_print ("\n");
  if (problem[0] == '\0')
    g_print (_("No problem found.\n"));
  else
    /* TRANSLATORS: the second %s is the fix's title (the others switch bold on and off), then its id */
    g_print (_("Problem: %s%s%s (%s)\n"), octl_color (octl, OCTL_COLOR_BOLD), octl_fix_title (problem),
             octl_color (octl, OCTL_COLOR_RESET), problem);
  for (guint i = 0; fixes[i] != NULL; i++)
    /* TRANSLATORS: a guided fix: its id (what scripts and the app use), then its title */
    g_print (_("Fix: %-20s %s\n"), fixes[i], octl_fix_title (fixes[i]));
  return status;
}

/* log ---------------------------------------------------------------------- */

typedef struct {
  Octl         *octl;
  OcdConnect1  *proxy;
  GMainLoop    *loop;
  char        **previous;
  OctlExit      status;
} Follow;

static void
print_lines (Octl               *octl,
             const char *const  *lines,
             guint               first)
{
  guint n = g_strv_length ((char **) lines);

  if (octl->json)
    {
      g_autoptr(GVariant) tail = g_variant_ref_sink (g_variant_new_strv (lines + MIN (first, n), -1));
      g_autoptr(GVariant) reply = g_variant_ref_sink (g_variant_new_tuple (&tail, 1));

      octl_print_json (octl_json_reply ("GetRecentLog", reply));
      return;
    }
  for (guint i = first; i < n; i++)
    g_print ("%s\n", lines[i]);
  fflush (stdout);
}

/* The lines of @current that came after @previous: the ring of recent lines
 * may have dropped old lines at its front since. */
static guint
first_new_line (const char *const *previous,
                const char *const *current)
{
  guint p = g_strv_length ((char **) previous);
  guint c = g_strv_length ((char **) current);

  for (guint m = 0; m < p; m++)
    {
      guint overlap = p - m;
      gboolean same = overlap <= c;

      for (guint j = 0; same && j < overlap; j++)
        same = g_str_equal (previous[m + j], current[j]);
      if (same)
        return overlap;
    }
  return 0;
}

static gboolean
follow_poll (gpointer user_data)
{
  Follow *follow = user_data;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree const char **lines = NULL;

  reply = g_dbus_proxy_call_sync (G_DBUS_PROXY (follow->proxy), "GetRecentLog", g_variant_new ("(u)", 0),
                                  G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  if (reply == NULL)
    {
      /* a service that restarts: wait for it, as monitor does */
      if (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) ||
          g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER) ||
          g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NO_REPLY))
        return G_SOURCE_CONTINUE;
      follow->status = octl_fail (error);
      g_main_loop_quit (follow->loop);
      return G_SOURCE_REMOVE;
    }
  g_variant_get (reply, "(^a&s)", &lines);
  if (follow->previous != NULL)
    {
      guint first = first_new_line ((const char *const *) follow->previous, lines);

      if (first < g_strv_length ((char **) lines))
        print_lines (follow->octl, lines, first);
    }
  g_strfreev (follow->previous);
  follow->previous = g_strdupv ((char **) lines);
  return G_SOURCE_CONTINUE;
}

static gboolean
follow_interrupted (gpointer user_data)
{
  Follow *follow = user_data;

  g_main_loop_quit (follow->loop);
  return G_SOURCE_CONTINUE;
}

OctlExit
octl_cmd_log (Octl  *octl,
              int    argc,
              char **argv)
{
  g_autoptr(OcdConnect1) proxy = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree const char **lines = NULL;
  guint wanted = octl_log_lines >= 0 ? (guint) octl_log_lines : DEFAULT_LOG_LINES;
  Follow follow = { 0 };
  OctlExit status;
  guint n, timer, sigint, sigterm;

  if (!no_arguments ("log", argc))
    return OCTL_EXIT_USAGE;
  /* the service's log: one for every printer */
  status = octl_root (octl, FALSE, G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES |
                                   G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS, &proxy);
  if (status == OCTL_EXIT_OK)
    /* following needs every kept line, to find where the new ones start */
    status = octl_call (octl, proxy, "GetRecentLog", g_variant_new ("(u)", octl_log_follow ? 0 : wanted), &reply);
  if (status != OCTL_EXIT_OK)
    return status;

  g_variant_get (reply, "(^a&s)", &lines);
  n = g_strv_length ((char **) lines);
  print_lines (octl, lines, wanted > 0 && n > wanted ? n - wanted : 0);
  if (!octl_log_follow)
    return OCTL_EXIT_OK;

  /* The interface has no signal per line: ask again twice a second. */
  loop = g_main_loop_new (NULL, FALSE);
  follow = (Follow) { octl, proxy, loop, g_strdupv ((char **) lines), OCTL_EXIT_OK };
  timer = g_timeout_add (FOLLOW_INTERVAL_MS, follow_poll, &follow);
  sigint = g_unix_signal_add (SIGINT, follow_interrupted, &follow);
  sigterm = g_unix_signal_add (SIGTERM, follow_interrupted, &follow);
  g_main_loop_run (loop);
  if (follow.status == OCTL_EXIT_OK)
    g_source_remove (timer);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_strfreev (follow.previous);
  return follow.status;
}

/* the commands that change things ----------------------------------------- */

static OctlExit
change (Octl       *octl,
        const char *method,
        GVariant   *parameters,
        const char *done)
{
  g_autoptr(OcdConnect1) proxy = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) owned = parameters != NULL ? g_variant_ref_sink (parameters) : NULL;
  GDBusProxyFlags flags = G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES |
                          G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS;
  OctlExit status;

  /* ResetErrors and Reconnect are each printer's; the rest the root's. */
  if (g_str_equal (method, "ResetErrors") || g_str_equal (method, "Reconnect"))
    status = octl_one_printer (octl, flags, &proxy);
  else
    status = octl_root (octl, !g_str_equal (method, "SetDebugLogging") &&
                              !g_str_equal (method, "TurnOffWifiPowerSave") &&
                              !g_str_equal (method, "TurnOnNetworkTime"), flags, &proxy);
  if (status == OCTL_EXIT_OK)
    status = octl_call (octl, proxy, method, owned, &reply);
  if (status != OCTL_EXIT_OK)
    return status;

  if (octl->json)
    octl_print_json (octl_json_reply (method, reply));
  else if (done != NULL)
    g_print ("%s\n", done);
  return OCTL_EXIT_OK;
}

static gboolean
one_argument (const char *command,
              const char *what,
              int         argc)
{
  if (argc == 1)
    return TRUE;
  /* TRANSLATORS: the second %s is what the command takes, e.g. "CODE" */
  g_printerr (_("“%s” takes one argument: %s.\n"), command, what);
  return FALSE;
}

OctlExit
octl_cmd_link (Octl  *octl,
               int    argc,
               char **argv)
{
  g_autoptr(OcdConnect1) proxy = NULL;
  g_autoptr(GVariant) reply = NULL;
  const char *name;
  gint64 id;
  OctlExit status;

  if (!one_argument ("link", "CODE", argc))
    return OCTL_EXIT_USAGE;
  status = octl_root (octl, TRUE, G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES |
                                  G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS, &proxy);
  if (status == OCTL_EXIT_OK)
    status = octl_call (octl, proxy, "Link", g_variant_new ("(s)", argv[0]), &reply);
  if (status != OCTL_EXIT_OK)
    return status;

  if (octl->json)
    {
      octl_print_json (octl_json_reply ("Link", reply));
      return OCTL_EXIT_OK;
    }
  g_variant_get (reply, "(x&s)", &id, &name);
  g_print (_("Linked: this host is now the printer “%s” (id %lld).\n"), name, (long long) id);
  return OCTL_EXIT_OK;
}

OctlExit
octl_cmd_unlink (Octl  *octl,
                 int    argc,
                 char **argv)
{
  if (!no_arguments ("unlink", argc))
    return OCTL_EXIT_USAGE;
  return change (octl, "Unlink", NULL, _("Unlinked: the printer’s credentials are forgotten."));
}

OctlExit
octl_cmd_server (Octl  *octl,
                 int    argc,
                 char **argv)
{
  if (!one_argument ("server", "URL", argc))
    return OCTL_EXIT_USAGE;
  return change (octl, "SetServerUrl", g_variant_new ("(s)", argv[0]), _("The server address is set."));
}

OctlExit
octl_cmd_debug (Octl  *octl,
                int    argc,
                char **argv)
{
  gboolean on;

  if (!one_argument ("debug", "on|off", argc))
    return OCTL_EXIT_USAGE;
  if (g_str_equal (argv[0], "on"))
    on = TRUE;
  else if (g_str_equal (argv[0], "off"))
    on = FALSE;
  else
    {
      g_printerr (_("“debug” takes “on” or “off”, not “%s”.\n"), argv[0]);
      return OCTL_EXIT_USAGE;
    }
  return change (octl, "SetDebugLogging", g_variant_new ("(b)", on),
                 on ? _("Debug logging is on.") : _("Debug logging is off."));
}

OctlExit
octl_cmd_reset_errors (Octl  *octl,
                       int    argc,
                       char **argv)
{
  if (!no_arguments ("reset-errors", argc))
    return OCTL_EXIT_USAGE;
  return change (octl, "ResetErrors", NULL, _("The error account is cleared."));
}

OctlExit
octl_cmd_reconnect (Octl  *octl,
                    int    argc,
                    char **argv)
{
  if (!no_arguments ("reconnect", argc))
    return OCTL_EXIT_USAGE;
  return change (octl, "Reconnect", NULL, _("Reconnecting to the server."));
}

/* The remedies of the causes wifi-power-save and clock: the host's, so the
 * root's.  Only the direction that fixes is offered. */
static gboolean
only_value (const char *command,
            const char *value,
            int         argc,
            char      **argv)
{
  if (argc == 1 && g_str_equal (argv[0], value))
    return TRUE;
  /* TRANSLATORS: e.g. "“wifi-power-save” takes only “off”." */
  g_printerr (_("“%s” takes only “%s”.\n"), command, value);
  return FALSE;
}

OctlExit
octl_cmd_wifi_power_save (Octl  *octl,
                          int    argc,
                          char **argv)
{
  if (!only_value ("wifi-power-save", "off", argc, argv))
    return OCTL_EXIT_USAGE;
  return change (octl, "TurnOffWifiPowerSave", NULL,
                 _("Wi-Fi power saving is off for the link’s Wi-Fi connection."));
}

OctlExit
octl_cmd_network_time (Octl  *octl,
                       int    argc,
                       char **argv)
{
  if (!only_value ("network-time", "on", argc, argv))
    return OCTL_EXIT_USAGE;
  return change (octl, "TurnOnNetworkTime", NULL, _("Network time is on."));
}
