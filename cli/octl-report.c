/* octl-report.c — obicoctl report: the error account, the outages and a chart
 *
 * Everything comes from GetReport: its counts, and its events (each a time,
 * whether it was an error and why) for the outages and the chart.  An outage
 * is a run of failed attempts with no good one between them; it ends at the
 * next good attempt.  Then what the host's history says (host_history).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "obico-report.h"
#include "octl.h"

#define CHART_COLUMNS 48
#define MAX_OUTAGES   8

typedef struct {
  gint64 start;
  gint64 end;      /* the first good attempt after it; 0 while it lasts */
  guint  errors;
  char  *cause;    /* of its first failed attempt */
} Outage;

static void
outage_clear (gpointer data)
{
  Outage *outage = data;

  g_free (outage->cause);
}

/* events: aa{sv}, oldest first; entries without a time are skipped */
static GArray *
find_outages (GVariant *events)
{
  GArray *outages = g_array_new (FALSE, TRUE, sizeof (Outage));
  Outage *open = NULL;
  GVariantIter iter;
  GVariant *event;

  g_array_set_clear_func (outages, outage_clear);
  if (events == NULL)
    return outages;

  g_variant_iter_init (&iter, events);
  while (g_variant_iter_loop (&iter, "@a{sv}", &event))
    {
      gboolean error = FALSE;
      const char *cause = "";
      gint64 t;

      if (!g_variant_lookup (event, "t", "x", &t))
        continue;
      g_variant_lookup (event, "error", "b", &error);
      g_variant_lookup (event, "cause", "&s", &cause);

      if (error && open == NULL)
        {
          Outage outage = { t, 0, 0, g_strdup (cause) };

          g_array_append_val (outages, outage);
          open = &g_array_index (outages, Outage, outages->len - 1);
        }
      if (error)
        open->errors++;
      else if (open != NULL)
        {
          open->end = t;
          open = NULL;
        }
    }
  return outages;
}

char *
octl_chart_line (const guint *counts,
                 guint        n,
                 guint        max,
                 gboolean     utf8)
{
  static const char *const blocks[] = { " ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };
  static const char *const ascii[] = { " ", ".", ":", "-", "=", "+", "*", "#", "@" };
  GString *line = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    {
      guint level = 0;

      /* rounded up: a single attempt in a busy day still shows */
      if (counts[i] > 0 && max > 0)
        level = MIN ((counts[i] * 8 + max - 1) / max, 8);
      g_string_append (line, utf8 ? blocks[level] : ascii[level]);
    }
  return g_string_free (line, FALSE);
}

static void
print_chart (Octl     *octl,
             GVariant *events,
             double    window_seconds,
             gint64    now)
{
  guint attempts[CHART_COLUMNS];
  guint errors[CHART_COLUMNS];
  gint64 span = (gint64) (MAX (window_seconds, 60.0) * G_USEC_PER_SEC);
  gint64 start = now - span;
  guint max;
  int hours = MAX ((int) (window_seconds / 3600.0 + 0.5), 1);
  g_autofree char *column = obico_format_duration (span / CHART_COLUMNS);
  const char *labels[] = { _("Attempts"), _("Errors") };
  glong width = MAX (g_utf8_strlen (labels[0], -1), g_utf8_strlen (labels[1], -1));
  g_autofree char *attempts_line = NULL;
  g_autofree char *errors_line = NULL;
  g_autofree char *left = g_strdup_printf (_("%d h ago"), hours);
  const char *right = _("now");
  glong gap;

  max = obico_report_bucket_events (events, start, span, CHART_COLUMNS, attempts, errors);

  attempts_line = octl_chart_line (attempts, CHART_COLUMNS, max, octl->utf8);
  errors_line = octl_chart_line (errors, CHART_COLUMNS, max, octl->utf8);

  g_print ("\n");
  g_print (_("One column per %s:\n"), column);
  g_print ("  %s%*s %s│%s%s%s%s│%s\n", labels[0], (int) (width - g_utf8_strlen (labels[0], -1)), "",
           octl_color (octl, OCTL_COLOR_DIM), octl_color (octl, OCTL_COLOR_RESET),
           octl_color (octl, OCTL_COLOR_BLUE), attempts_line, octl_color (octl, OCTL_COLOR_DIM),
           octl_color (octl, OCTL_COLOR_RESET));
  g_print ("  %s%*s %s│%s%s%s%s│%s\n", labels[1], (int) (width - g_utf8_strlen (labels[1], -1)), "",
           octl_color (octl, OCTL_COLOR_DIM), octl_color (octl, OCTL_COLOR_RESET),
           octl_color (octl, OCTL_COLOR_RED), errors_line, octl_color (octl, OCTL_COLOR_DIM),
           octl_color (octl, OCTL_COLOR_RESET));
  /* the time axis under the bars: its two ends */
  gap = CHART_COLUMNS + 2 - g_utf8_strlen (left, -1) - g_utf8_strlen (right, -1);
  g_print ("  %*s %s%s%*s%s%s\n", (int) width, "", octl_color (octl, OCTL_COLOR_DIM), left,
           (int) MAX (gap, 1), "", right, octl_color (octl, OCTL_COLOR_RESET));
}

static void
print_outages (Octl     *octl,
               GVariant *events,
               gint64    now)
{
  g_autoptr(GArray) outages = find_outages (events);
  guint first = outages->len > MAX_OUTAGES ? outages->len - MAX_OUTAGES : 0;

  g_print ("\n");
  if (outages->len == 0)
    {
      g_print (_("Outages: none\n"));
      return;
    }
  g_print (_("Outages: %u\n"), outages->len);
  if (first > 0)
    g_print (g_dngettext (GETTEXT_PACKAGE, "  (%u earlier outage not shown)\n",
                          "  (%u earlier outages not shown)\n", first), first);

  for (guint i = first; i < outages->len; i++)
    {
      const Outage *outage = &g_array_index (outages, Outage, i);
      g_autofree char *start = obico_format_timestamp (outage->start);
      g_autofree char *end = outage->end > 0 ? octl_format_clock (outage->end) : g_strdup (_("now"));
      g_autofree char *duration = obico_format_duration ((outage->end > 0 ? outage->end : now) - outage->start);
      g_autofree char *count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u failed attempt",
                                                             "%u failed attempts", outage->errors),
                                                outage->errors);

      g_print ("  %s%s%s %s %s  %s%s%s  %s", outage->end > 0 ? "" : octl_color (octl, OCTL_COLOR_RED),
               start, octl->utf8 ? " →" : " ->", end,
               outage->end > 0 ? "" : octl_color (octl, OCTL_COLOR_RESET),
               octl_color (octl, OCTL_COLOR_BOLD), duration, octl_color (octl, OCTL_COLOR_RESET), count);
      if (outage->cause != NULL && outage->cause[0] != '\0')
        g_print (": %s", outage->cause);
      g_print ("\n");
    }
}

/* What host_history says: the Wi-Fi signal's lowest, the link's worst RTT
 * and retransmissions, under-voltage, roams (a daemon without one: nothing). */
static void
print_host (Octl     *octl,
            GVariant *report)
{
  g_autoptr(GVariant) history = g_variant_lookup_value (report, "host_history", G_VARIANT_TYPE ("aa{sv}"));
  ObicoHostSummary summary;
  g_autofree char *signal = NULL;
  g_autofree char *rtt = NULL;
  g_autofree char *retransmits = NULL;
  g_autofree char *under_voltage = NULL;
  g_autofree char *roams = NULL;
  const char *labels[] = { _("Wi-Fi signal"), _("Round-trip time"), _("Retransmissions"), _("Under-voltage"),
                           _("Wi-Fi roams") };
  const char *values[G_N_ELEMENTS (labels)] = { NULL };

  if (history == NULL)
    return;
  obico_report_summarize_host (history, &summary);
  g_print ("\n");
  if (summary.entries == 0)
    {
      g_print (_("The host: nothing it can tell (no Wi-Fi, power or clock service, no connection of its own)\n"));
      return;
    }
  {
    g_autofree char *since = obico_format_timestamp (summary.since);

    g_print (_("The host since %s:\n"), since);
  }
  if (summary.signal_known)
    signal = isnan (summary.signal_now)
             ? g_strdup_printf (_("lowest %.0f %%"), summary.signal_min)
             : g_strdup_printf (_("lowest %.0f %%, now %.0f %%"), summary.signal_min, summary.signal_now);
  if (summary.rtt_known)
    rtt = isnan (summary.rtt_now)
          ? g_strdup_printf (_("highest %.0f ms"), summary.rtt_max)
          : g_strdup_printf (_("highest %.0f ms, now %.0f ms"), summary.rtt_max, summary.rtt_now);
  if (summary.retransmits_known)
    retransmits = isnan (summary.retransmits_now)
                  ? g_strdup_printf (_("highest %.1f %%"), summary.retransmits_max * 100)
                  : g_strdup_printf (_("highest %.1f %%, now %.1f %%"), summary.retransmits_max * 100,
                                     summary.retransmits_now * 100);
  if (summary.under_voltage > 0)
    under_voltage = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u time", "%u times", summary.under_voltage),
                                     summary.under_voltage);
  if (summary.roams > 0)
    roams = g_strdup_printf ("%u", summary.roams);
  values[0] = signal;
  values[1] = rtt;
  values[2] = retransmits;
  values[3] = under_voltage;
  values[4] = roams;
  octl_print_rows (octl, "  ", labels, values, G_N_ELEMENTS (labels));
}

static void
print_report (Octl     *octl,
              GVariant *report)
{
  guint32 attempts = 0, errors = 0, total_attempts = 0, total_errors = 0;
  double rate = 0.0, window = 86400.0;
  gint64 first = 0, last = 0;
  const char *severity = NULL;
  const char *advice = NULL;
  g_autoptr(GVariant) events = g_variant_lookup_value (report, "events", G_VARIANT_TYPE ("aa{sv}"));
  g_autofree char *rate_text = NULL;
  g_autofree char *errors_text = NULL;
  g_autofree char *total_text = NULL;
  g_autofree char *first_text = NULL;
  g_autofree char *last_text = NULL;
  g_autofree char *attempts_text = NULL;
  gint64 now = g_get_real_time ();
  int hours;
  const char *labels[] = {
    _("Attempts"), _("Errors"), _("Severity"), _("First error"), _("Last error"), _("Since start"),
    _("Advice"),
  };
  const char *values[G_N_ELEMENTS (labels)];

  g_variant_lookup (report, "attempts", "u", &attempts);
  g_variant_lookup (report, "errors", "u", &errors);
  g_variant_lookup (report, "rate", "d", &rate);
  g_variant_lookup (report, "window_seconds", "d", &window);
  g_variant_lookup (report, "first", "x", &first);
  g_variant_lookup (report, "last", "x", &last);
  g_variant_lookup (report, "severity", "&s", &severity);
  g_variant_lookup (report, "advice", "&s", &advice);
  g_variant_lookup (report, "total_attempts", "u", &total_attempts);
  g_variant_lookup (report, "total_errors", "u", &total_errors);
  hours = MAX ((int) (window / 3600.0 + 0.5), 1);

  rate_text = obico_format_rate (rate);
  attempts_text = g_strdup_printf ("%u", attempts);
  errors_text = g_strdup_printf ("%u (%s)", errors, rate_text);
  total_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u attempt failed",
                                             "%u of %u attempts failed", total_attempts),
                                total_errors, total_attempts);
  first_text = first > 0 ? obico_format_timestamp (first) : NULL;
  last_text = last > 0 ? obico_format_timestamp (last) : NULL;

  g_print ("%s", octl_color (octl, OCTL_COLOR_BOLD));
  g_print (g_dngettext (GETTEXT_PACKAGE, "Connectivity report, last %d hour\n",
                        "Connectivity report, last %d hours\n", hours), hours);
  g_print ("%s", octl_color (octl, OCTL_COLOR_RESET));
  values[0] = attempts_text;
  values[1] = errors_text;
  values[2] = obico_severity_label (obico_read_severity (severity));
  values[3] = first_text;
  values[4] = last_text;
  values[5] = total_text;
  values[6] = advice != NULL && advice[0] != '\0' ? advice : NULL;
  octl_print_rows (octl, "  ", labels, values, G_N_ELEMENTS (labels));

  print_outages (octl, events, now);
  print_chart (octl, events, window, now);
  print_host (octl, report);
}

OctlExit
octl_cmd_report (Octl  *octl,
                 int    argc,
                 char **argv)
{
  g_autoptr(OcdConnect1) proxy = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) report = NULL;
  OctlExit status;

  if (argc > 0)
    {
      g_printerr (_("“%s” takes no arguments.\n"), "report");
      return OCTL_EXIT_USAGE;
    }
  status = octl_one_printer (octl, G_DBUS_PROXY_FLAGS_DO_NOT_CONNECT_SIGNALS, &proxy);
  if (status == OCTL_EXIT_OK)
    status = octl_call (octl, proxy, "GetReport", NULL, &reply);
  if (status != OCTL_EXIT_OK)
    return status;

  if (octl->json)
    {
      octl_print_json (octl_json_reply ("GetReport", reply));
      return OCTL_EXIT_OK;
    }
  g_variant_get (reply, "(@a{sv})", &report);
  print_report (octl, report);
  return OCTL_EXIT_OK;
}
