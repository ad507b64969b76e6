/* octl-status.c — obicoctl status (the link at a glance) and monitor (its changes)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <stdio.h>

#include "octl.h"

static const char *
role_text (const char *role)
{
  if (g_strcmp0 (role, "agent") == 0)
    return _("agent — this service keeps the printer’s connection to the server");
  if (g_strcmp0 (role, "watch") == 0)
    return _("watch — an official agent holds the credentials, this service checks the link");
  if (g_strcmp0 (role, "unlinked") == 0)
    return _("none — no printer is linked");
  return role;
}

static char *
printer_text (OcdConnect1 *proxy)
{
  const char *name = ocd_connect1_get_printer_name (proxy);
  gint64 id = ocd_connect1_get_printer_id (proxy);

  if (id < 0 && (name == NULL || name[0] == '\0'))
    return g_strdup (_("Unknown"));
  if (id < 0)
    return g_strdup (name);
  if (name == NULL || name[0] == '\0')
    /* TRANSLATORS: a printer whose name is not known, by its id on the server */
    return g_strdup_printf (_("Printer %lld"), (long long) id);
  /* TRANSLATORS: the printer's name and its id on the server */
  return g_strdup_printf (_("%s (id %lld)"), name, (long long) id);
}

static char *
errors_text (GVariant *stats)
{
  guint32 attempts = 0;
  guint32 errors = 0;
  double rate = 0.0;
  double window = 0.0;
  const char *severity = NULL;
  g_autofree char *rate_text = NULL;
  g_autofree char *counts = NULL;
  int hours;

  if (stats == NULL)
    return g_strdup (_("Unknown"));
  g_variant_lookup (stats, "attempts", "u", &attempts);
  g_variant_lookup (stats, "errors", "u", &errors);
  g_variant_lookup (stats, "rate", "d", &rate);
  g_variant_lookup (stats, "window_seconds", "d", &window);
  g_variant_lookup (stats, "severity", "&s", &severity);
  hours = MAX ((int) (window / 3600.0 + 0.5), 1);

  rate_text = obico_format_rate (rate);
  /* TRANSLATORS: "3 of 120 attempts failed" */
  counts = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u attempt failed", "%u of %u attempts failed",
                                         attempts),
                            errors, attempts);
  /* TRANSLATORS: "3 of 120 attempts failed (2.5 %) in the last 24 hours: Low error rate" */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s (%s) in the last %d hour: %s",
                                       "%s (%s) in the last %d hours: %s", hours),
                          counts, rate_text, hours, obico_severity_label (obico_read_severity (severity)));
}

static void
print_status (Octl        *octl,
              OcdConnect1 *proxy,
              guint        number)
{
  const char *state = ocd_connect1_get_state (proxy);
  const char *problem = ocd_connect1_get_problem (proxy);
  const char *detail = ocd_connect1_get_problem_detail (proxy);
  const char *role = ocd_connect1_get_role (proxy);
  const char *source = ocd_connect1_get_credential_source (proxy);
  gint64 contact = ocd_connect1_get_last_contact (proxy);
  g_autofree char *problem_text = NULL;
  g_autofree char *printer = printer_text (proxy);
  g_autofree char *contact_text = NULL;
  g_autofree char *errors = errors_text (ocd_connect1_get_error_stats (proxy));
  const char *labels[] = {
    _("Problem"), _("Server"), _("Printer"), _("Role"), _("Agent"), _("Last contact"), _("Errors"),
    _("Debug logging"),
  };
  const char *values[G_N_ELEMENTS (labels)];

  if (problem != NULL && problem[0] != '\0')
    problem_text = detail != NULL && detail[0] != '\0'
      ? g_strdup_printf ("%s (%s)\n%s", octl_fix_title (problem), problem, detail)
      : g_strdup_printf ("%s (%s)", octl_fix_title (problem), problem);

  if (contact > 0)
    {
      g_autofree char *ago = obico_format_time_ago (contact, g_get_real_time ());
      g_autofree char *when = obico_format_timestamp (contact);

      contact_text = g_strcmp0 (ago, when) == 0 ? g_strdup (when) : g_strdup_printf ("%s (%s)", ago, when);
    }
  else
    contact_text = obico_format_time_ago (0, 0);

  if (number > 0)
    g_print (_("Printer %u:\n"), number);
  g_print ("%s%s%s %s%s%s  %s\n",
           octl_color (octl, octl_state_color (state)), octl->utf8 ? "●" : "*",
           octl_color (octl, OCTL_COLOR_RESET),
           octl_color (octl, OCTL_COLOR_BOLD), obico_state_label (obico_read_state (state)),
           octl_color (octl, OCTL_COLOR_RESET), obico_state_description (obico_read_state (state)));

  values[0] = problem_text;
  values[1] = ocd_connect1_get_server_url (proxy);
  values[2] = printer;
  values[3] = role_text (role);
  /* in the watch role, the official agent whose credentials are used */
  values[4] = g_strcmp0 (role, "watch") == 0 && source != NULL && source[0] != '\0' ? source : NULL;
  values[5] = contact_text;
  values[6] = errors;
  values[7] = ocd_connect1_get_debug_logging (proxy) ? _("on") : NULL;
  octl_print_rows (octl, "  ", labels, values, G_N_ELEMENTS (labels));
}

/* 0 only while the link is okay, else what its problem means to a script. */
static OctlExit
status_exit (OcdConnect1 *proxy)
{
  OctlExit status;

  if (g_strcmp0 (ocd_connect1_get_state (proxy), "okay") == 0)
    return OCTL_EXIT_OK;
  status = octl_problem_exit (ocd_connect1_get_problem (proxy));
  return status == OCTL_EXIT_OK ? OCTL_EXIT_FAILED : status;
}

OctlExit
octl_cmd_status (Octl  *octl,
                 int    argc,
                 char **argv)
{
  g_autoptr(GPtrArray) paths = NULL;
  OctlExit status;
  OctlExit result = OCTL_EXIT_OK;

  if (argc > 0)
    {
      g_printerr (_("“%s” takes no arguments.\n"), "status");
      return OCTL_EXIT_USAGE;
    }
  status = octl_printer_paths (octl, &paths);
  if (status != OCTL_EXIT_OK)
    return status;

  for (guint i = 0; i < paths->len; i++)
    {
      g_autoptr(OcdConnect1) proxy = NULL;

      /* one GetAll: no match rules for signals this command does not wait for */
      status = octl_printer_proxy (octl, g_ptr_array_index (paths, i),
                                   G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS, &proxy);
      if (status != OCTL_EXIT_OK)
        return status;

      if (octl->json)
        octl_print_json (octl_json_properties (proxy));
      else
        {
          if (i > 0)
            g_print ("\n");
          print_status (octl, proxy, paths->len > 1 ? i + 1 : 0);
        }
      status = status_exit (proxy);
      if (result == OCTL_EXIT_OK)
        result = status;
    }
  return result;
}

/* monitor ------------------------------------------------------------------ */

typedef struct {
  Octl      *octl;
  GMainLoop *loop;
  gboolean   running;
} Monitor;

static char *
value_text (Octl       *octl,
            const char *name,
            GVariant   *value)
{
  if (g_str_equal (name, "LastContact") && g_variant_is_of_type (value, G_VARIANT_TYPE_INT64))
    return obico_format_timestamp (g_variant_get_int64 (value));
  if (g_str_equal (name, "ErrorStats") && g_variant_is_of_type (value, G_VARIANT_TYPE_VARDICT))
    {
      guint32 attempts = 0, errors = 0;
      double rate = 0.0;
      g_autofree char *rate_text = NULL;

      g_variant_lookup (value, "attempts", "u", &attempts);
      g_variant_lookup (value, "errors", "u", &errors);
      g_variant_lookup (value, "rate", "d", &rate);
      rate_text = obico_format_rate (rate);
      return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u attempt failed (%s)",
                                           "%u of %u attempts failed (%s)", attempts),
                              errors, attempts, rate_text);
    }
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
    {
      const char *text = g_variant_get_string (value, NULL);

      if (text[0] == '\0')
        return g_strdup (octl->utf8 ? "—" : "-");
      if (g_str_equal (name, "State"))
        return g_strdup_printf ("%s%s%s", octl_color (octl, octl_state_color (text)), text,
                                octl_color (octl, OCTL_COLOR_RESET));
      return g_strdup (text);
    }
  return g_variant_print (value, FALSE);
}

static void
properties_changed (GDBusProxy *proxy,
                    GVariant   *changed,
                    GStrv       invalidated,
                    gpointer    user_data)
{
  Monitor *monitor = user_data;
  Octl *octl = monitor->octl;
  g_autoptr(GString) line = NULL;
  g_autofree char *clock = NULL;
  GVariantIter iter;
  const char *name;
  GVariant *value;

  if (g_variant_n_children (changed) == 0)
    return;
  if (octl->json)
    {
      octl_print_json (octl_json_from_variant (g_variant_ref (changed)));
      return;
    }

  clock = octl_format_clock (g_get_real_time ());
  line = g_string_new (NULL);
  g_string_append_printf (line, "%s%s%s", octl_color (octl, OCTL_COLOR_DIM), clock,
                          octl_color (octl, OCTL_COLOR_RESET));
  g_variant_iter_init (&iter, changed);
  while (g_variant_iter_loop (&iter, "{&sv}", &name, &value))
    {
      g_autofree char *text = value_text (octl, name, value);

      g_string_append_printf (line, "  %s%s:%s %s", octl_color (octl, OCTL_COLOR_BOLD), name,
                              octl_color (octl, OCTL_COLOR_RESET), text);
    }
  g_print ("%s\n", line->str);
  fflush (stdout);
}

static void
owner_changed (GObject    *object,
               GParamSpec *pspec,
               gpointer    user_data)
{
  Monitor *monitor = user_data;
  g_autofree char *owner = g_dbus_proxy_get_name_owner (G_DBUS_PROXY (object));
  g_autofree char *clock = NULL;

  if ((owner != NULL) == monitor->running)
    return;
  monitor->running = owner != NULL;
  if (monitor->octl->json)
    return;
  clock = octl_format_clock (g_get_real_time ());
  if (monitor->running)
    g_print (_("%s  The service is running again.\n"), clock);
  else
    g_print (_("%s  The service stopped; waiting for it to come back.\n"), clock);
  fflush (stdout);
}

static gboolean
interrupted (gpointer user_data)
{
  Monitor *monitor = user_data;

  g_main_loop_quit (monitor->loop);
  return G_SOURCE_CONTINUE;
}

OctlExit
octl_cmd_monitor (Octl  *octl,
                  int    argc,
                  char **argv)
{
  g_autoptr(OcdConnect1) proxy = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  Monitor monitor = { octl, NULL, TRUE };
  OctlExit status;
  guint sigint, sigterm;

  if (argc > 0)
    {
      g_printerr (_("“%s” takes no arguments.\n"), "monitor");
      return OCTL_EXIT_USAGE;
    }
  status = octl_one_printer (octl, G_DBUS_PROXY_FLAGS_NONE, &proxy);
  if (status != OCTL_EXIT_OK)
    return status;

  loop = g_main_loop_new (NULL, FALSE);
  monitor.loop = loop;
  g_signal_connect (proxy, "g-properties-changed", G_CALLBACK (properties_changed), &monitor);
  g_signal_connect (proxy, "notify::g-name-owner", G_CALLBACK (owner_changed), &monitor);
  sigint = g_unix_signal_add (SIGINT, interrupted, &monitor);
  sigterm = g_unix_signal_add (SIGTERM, interrupted, &monitor);

  if (!octl->json)
    {
      g_print (_("Watching %s for changes; Ctrl+C stops.\n"), g_dbus_proxy_get_object_path (G_DBUS_PROXY (proxy)));
      fflush (stdout);
    }
  g_main_loop_run (loop);

  g_source_remove (sigint);
  g_source_remove (sigterm);
  g_signal_handlers_disconnect_by_data (proxy, &monitor);
  return OCTL_EXIT_OK;
}
