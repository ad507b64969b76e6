/* oc-report-page.c — the connectivity report: numbers, severity, advice and a chart
 *
 * The report comes from GetReport, fetched while the page is seen and again
 * when the daemon's properties change — at most once every two seconds: with
 * a day of host history the report is a few hundred KiB, and the properties
 * change in bursts. Keys may be missing: the
 * daemon's report grows over time, and an older one must still show.
 * Under the chart, on its time axis, the host's lanes (host_history).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "oc-chart.h"
#include "oc-format.h"
#include "oc-lanes.h"
#include "oc-report-page.h"

struct _OcReportPage
{
  AdwBin        parent_instance;

  OcClient     *client;
  GCancellable *cancellable;
  guint         reload_id;   /* a coalesced reload is due */

  GtkImage     *severity_icon;
  GtkLabel     *severity_label;
  GtkLabel     *advice_label;
  OcChart      *chart;
  OcLanes      *lanes;
  GtkLabel     *attempts_label;
  GtkLabel     *errors_label;
  GtkLabel     *rate_label;
  GtkLabel     *first_label;
  GtkLabel     *last_label;
};

G_DEFINE_FINAL_TYPE (OcReportPage, oc_report_page, ADW_TYPE_BIN)

static const char * const severity_styles[] = { "success", "warning", "error", "dim-label" };

static void
set_time_label (GtkLabel *label,
                GVariant *report,
                const char *key)
{
  gint64 usec = 0;
  g_autofree char *text = NULL;

  g_variant_lookup (report, key, "x", &usec);
  text = obico_format_timestamp (usec);
  gtk_label_set_label (label, text);
}

void
oc_report_page_set_report (OcReportPage *self,
                           GVariant     *report,
                           gint64        now_usec)
{
  const char *severity_nick = NULL;
  ObicoSeverity severity;
  const char *advice = NULL;
  guint32 attempts = 0, errors = 0;
  double rate = 0;
  g_autofree char *attempts_text = NULL;
  g_autofree char *errors_text = NULL;
  g_autofree char *rate_text = NULL;
  g_autoptr(GVariant) events = NULL;
  g_autoptr(GVariant) history = NULL;
  gint64 start, end;

  g_return_if_fail (OC_IS_REPORT_PAGE (self));
  g_return_if_fail (g_variant_is_of_type (report, G_VARIANT_TYPE_VARDICT));

  g_variant_lookup (report, "severity", "&s", &severity_nick);
  severity = obico_read_severity (severity_nick);
  g_variant_lookup (report, "advice", "&s", &advice);
  g_variant_lookup (report, "attempts", "u", &attempts);
  g_variant_lookup (report, "errors", "u", &errors);
  if (!g_variant_lookup (report, "rate", "d", &rate) && attempts > 0)
    rate = (double) errors / attempts;
  events = g_variant_lookup_value (report, "events", G_VARIANT_TYPE ("aa{sv}"));
  history = g_variant_lookup_value (report, "host_history", G_VARIANT_TYPE ("aa{sv}"));

  for (guint i = 0; i < G_N_ELEMENTS (severity_styles); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (self->severity_icon), severity_styles[i]);
  gtk_widget_add_css_class (GTK_WIDGET (self->severity_icon), oc_severity_style_class (severity));
  gtk_image_set_from_icon_name (self->severity_icon, oc_severity_icon_name (severity));
  gtk_label_set_label (self->severity_label, obico_severity_label (severity));
  gtk_label_set_label (self->advice_label, advice != NULL && *advice != '\0' ? advice : obico_severity_advice (severity));

  attempts_text = g_strdup_printf ("%u", attempts);
  gtk_label_set_label (self->attempts_label, attempts_text);
  errors_text = g_strdup_printf ("%u", errors);
  gtk_label_set_label (self->errors_label, errors_text);
  rate_text = obico_format_rate (rate);
  gtk_label_set_label (self->rate_label, rate_text);
  set_time_label (self->first_label, report, "first");
  set_time_label (self->last_label, report, "last");

  oc_chart_set_events (self->chart, events, now_usec);
  /* the host's lanes on the chart's time axis, which they then show */
  oc_chart_get_range (self->chart, &start, &end);
  oc_lanes_set_history (self->lanes, history, events, start, end);
  oc_chart_set_show_times (self->chart, !gtk_widget_get_visible (GTK_WIDGET (self->lanes)));
}

static void
get_report_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  OcReportPage *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) report = NULL;

  if (!ocd_connect1_call_get_report_finish (OCD_CONNECT1 (object), &report, result, &error))
    {
      g_autofree char *message = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      message = obico_error_sentence (error);
      gtk_label_set_label (self->advice_label, message);
      return;
    }

  oc_report_page_set_report (self, report, g_get_real_time ());
}

static void
reload (OcReportPage *self)
{
  OcdConnect1 *proxy = self->client != NULL ? oc_client_get_proxy (self->client) : NULL;

  if (proxy == NULL || !gtk_widget_get_mapped (GTK_WIDGET (self)))
    return;

  ocd_connect1_call_get_report (proxy, self->cancellable, get_report_cb, self);
}

static gboolean
reload_due (gpointer user_data)
{
  OcReportPage *self = user_data;

  self->reload_id = 0;
  reload (self);
  return G_SOURCE_REMOVE;
}

/* Many changes in a row (a reconnect, a Wi-Fi roam) make one reload. */
static void
reload_soon (OcReportPage *self)
{
  if (self->reload_id == 0 && gtk_widget_get_mapped (GTK_WIDGET (self)))
    self->reload_id = g_timeout_add_seconds (2, reload_due, self);
}

static void
oc_report_page_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (oc_report_page_parent_class)->map (widget);

  reload (OC_REPORT_PAGE (widget));
}

static void
oc_report_page_unmap (GtkWidget *widget)
{
  OcReportPage *self = OC_REPORT_PAGE (widget);

  g_clear_handle_id (&self->reload_id, g_source_remove);
  GTK_WIDGET_CLASS (oc_report_page_parent_class)->unmap (widget);
}

void
oc_report_page_set_client (OcReportPage *self,
                           OcClient     *client)
{
  g_return_if_fail (OC_IS_REPORT_PAGE (self));

  if (self->client != NULL)
    g_signal_handlers_disconnect_by_data (self->client, self);
  g_set_object (&self->client, client);

  if (client != NULL)
    g_signal_connect_swapped (client, "changed", G_CALLBACK (reload_soon), self);
}

static void
oc_report_page_dispose (GObject *object)
{
  OcReportPage *self = OC_REPORT_PAGE (object);

  g_clear_handle_id (&self->reload_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  oc_report_page_set_client (self, NULL);
  /* AdwBin unparents its child itself: let it, before the template is cleared. */
  adw_bin_set_child (ADW_BIN (object), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), OC_TYPE_REPORT_PAGE);

  G_OBJECT_CLASS (oc_report_page_parent_class)->dispose (object);
}

static void
oc_report_page_class_init (OcReportPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = oc_report_page_dispose;
  widget_class->map = oc_report_page_map;
  widget_class->unmap = oc_report_page_unmap;

  g_type_ensure (OC_TYPE_CHART);
  g_type_ensure (OC_TYPE_LANES);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/obico/Connect/oc-report-page.ui");
  gtk_widget_class_bind_template_child (widget_class, OcReportPage, severity_icon);
  gtk_widget_class_bind_template_child (widget_class, OcReportPage, severity_label);
  gtk_widget_class_bind_template_child (widget_class, OcReportPage, advice_label);
  gtk_widget_class_bind_template_child (widget_class, OcReportPage, chart);
  gtk_widget_class_bind_template_child (widget_class, OcReportPage, lanes);
  gtk_widget_class_bind_template_child (widget_class, OcReportPage, attempts_label);
  gtk_widget_class_bind_template_child (widget_class, OcReportPage, errors_label);
  gtk_widget_class_bind_template_child (widget_class, OcReportPage, rate_label);
  gtk_widget_class_bind_template_child (widget_class, OcReportPage, first_label);
  gtk_widget_class_bind_template_child (widget_class, OcReportPage, last_label);
}

static void
oc_report_page_init (OcReportPage *self)
{
  g_autoptr(GVariant) empty = g_variant_ref_sink (g_variant_new ("a{sv}", NULL));

  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
  oc_report_page_set_report (self, empty, g_get_real_time ());
}
