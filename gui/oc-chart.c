/* oc-chart.c — attempts and errors over time, for the connectivity report
 *
 * The report's events (each a time and whether it was an error) are counted into
 * a fixed number of equal time slots from the first event to now; each slot is a
 * bar of attempts with the errors drawn over it from the bottom.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "obico-report.h"
#include "oc-chart.h"
#include "oc-format.h"
#include "oc-lanes.h"

#define N_BUCKETS     24
#define MIN_SPAN_USEC (60 * G_USEC_PER_SEC)
#define AXIS_WIDTH    OC_LANES_AXIS_WIDTH   /* the lanes under it line up */
#define LEGEND_HEIGHT 24.f
#define TIME_HEIGHT   22.f
#define BAR_GAP       2.f

struct _OcChart
{
  GtkWidget parent_instance;

  guint     attempts[N_BUCKETS];
  guint     errors[N_BUCKETS];
  guint     max_attempts;
  gint64    start_usec;
  gint64    end_usec;
  gboolean  show_times;
};

G_DEFINE_FINAL_TYPE (OcChart, oc_chart, GTK_TYPE_WIDGET)

static const GdkRGBA attempts_color = { 0.208f, 0.518f, 0.894f, 1.f }; /* Adwaita blue 3 */
static const GdkRGBA errors_color = { 0.878f, 0.106f, 0.141f, 1.f };   /* Adwaita red 3 */

static void
update_accessible_label (OcChart *self)
{
  g_autofree char *text = NULL;
  guint attempts = 0;
  guint errors = 0;

  for (guint i = 0; i < N_BUCKETS; i++)
    {
      attempts += self->attempts[i];
      errors += self->errors[i];
    }

  text = g_strdup_printf (_("Chart of %u attempts and %u errors over time"), attempts, errors);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, text, -1);
}

/* events: aa{sv} with "t" (x, unix µs) and "error" (b); entries without a time are skipped */
void
oc_chart_set_events (OcChart  *self,
                     GVariant *events,
                     gint64    now_usec)
{
  gint64 first;
  gint64 last;
  gint64 span;

  g_return_if_fail (OC_IS_CHART (self));
  g_return_if_fail (events == NULL || g_variant_is_of_type (events, G_VARIANT_TYPE ("aa{sv}")));

  /* from the first event to now (or the last event, if the clock went back) */
  self->end_usec = now_usec;
  if (obico_report_events_span (events, &first, &last))
    self->end_usec = MAX (self->end_usec, last);
  else
    first = self->end_usec;
  span = MAX (self->end_usec - first, MIN_SPAN_USEC);
  self->start_usec = self->end_usec - span;
  self->max_attempts = obico_report_bucket_events (events, self->start_usec, span, N_BUCKETS,
                                                   self->attempts, self->errors);

  update_accessible_label (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
oc_chart_get_n_buckets (OcChart *self)
{
  return N_BUCKETS;
}

void
oc_chart_get_range (OcChart *self,
                    gint64  *start_usec,
                    gint64  *end_usec)
{
  g_return_if_fail (OC_IS_CHART (self));

  *start_usec = self->start_usec;
  *end_usec = self->end_usec;
}

void
oc_chart_set_show_times (OcChart  *self,
                         gboolean  show_times)
{
  g_return_if_fail (OC_IS_CHART (self));

  if (self->show_times == !!show_times)
    return;
  self->show_times = !!show_times;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
oc_chart_get_bucket (OcChart *self,
                     guint    index,
                     guint   *attempts,
                     guint   *errors)
{
  g_return_if_fail (OC_IS_CHART (self));
  g_return_if_fail (index < N_BUCKETS);

  *attempts = self->attempts[index];
  *errors = self->errors[index];
}

static void
append_text (GtkSnapshot   *snapshot,
             PangoLayout   *layout,
             const char    *text,
             float          x,
             float          y,
             float          x_align,
             const GdkRGBA *color)
{
  int width, height;

  pango_layout_set_text (layout, text, -1);
  pango_layout_get_pixel_size (layout, &width, &height);

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x - x_align * width, y - height / 2.f));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

static void
append_legend_entry (GtkSnapshot   *snapshot,
                     PangoLayout   *layout,
                     const char    *text,
                     float         *x,
                     const GdkRGBA *swatch,
                     const GdkRGBA *fg)
{
  int width, height;

  pango_layout_set_text (layout, text, -1);
  pango_layout_get_pixel_size (layout, &width, &height);
  *x -= width;
  append_text (snapshot, layout, text, *x, LEGEND_HEIGHT / 2.f, 0.f, fg);
  *x -= 16.f;
  gtk_snapshot_append_color (snapshot, swatch, &GRAPHENE_RECT_INIT (*x, LEGEND_HEIGHT / 2.f - 5.f, 10.f, 10.f));
  *x -= 18.f;
}

static void
oc_chart_snapshot (GtkWidget   *widget,
                   GtkSnapshot *snapshot)
{
  OcChart *self = OC_CHART (widget);
  float width = gtk_widget_get_width (widget);
  float height = gtk_widget_get_height (widget);
  float plot_x = AXIS_WIDTH;
  float plot_y = LEGEND_HEIGHT;
  float plot_w = width - AXIS_WIDTH;
  float plot_h = height - LEGEND_HEIGHT - (self->show_times ? TIME_HEIGHT : 4.f);
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, NULL);
  g_autofree char *max_text = NULL;
  g_autofree char *start_text = NULL;
  g_autofree char *end_text = NULL;
  GdkRGBA fg, grid;
  float slot_w, legend_x;

  if (plot_w <= 0 || plot_h <= 0)
    return;

  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  grid = fg;
  grid.alpha *= 0.15f;

  legend_x = width;
  append_legend_entry (snapshot, layout, _("Errors"), &legend_x, &errors_color, &fg);
  append_legend_entry (snapshot, layout, _("Attempts"), &legend_x, &attempts_color, &fg);

  /* grid: baseline and the top of the scale */
  gtk_snapshot_append_color (snapshot, &grid, &GRAPHENE_RECT_INIT (plot_x, plot_y + plot_h - 1.f, plot_w, 1.f));
  gtk_snapshot_append_color (snapshot, &grid, &GRAPHENE_RECT_INIT (plot_x, plot_y, plot_w, 1.f));

  if (self->max_attempts == 0)
    {
      append_text (snapshot, layout, _("No contacts recorded yet"),
                   plot_x + plot_w / 2.f, plot_y + plot_h / 2.f, 0.5f, &fg);
      return;
    }

  max_text = g_strdup_printf ("%u", self->max_attempts);
  append_text (snapshot, layout, max_text, plot_x - 6.f, plot_y, 1.f, &fg);
  append_text (snapshot, layout, "0", plot_x - 6.f, plot_y + plot_h, 1.f, &fg);

  slot_w = plot_w / N_BUCKETS;
  for (guint i = 0; i < N_BUCKETS; i++)
    {
      float x = plot_x + i * slot_w + BAR_GAP / 2.f;
      float w = MAX (slot_w - BAR_GAP, 1.f);
      float h_attempts = plot_h * self->attempts[i] / self->max_attempts;
      float h_errors = plot_h * self->errors[i] / self->max_attempts;

      gtk_snapshot_append_color (snapshot, &attempts_color,
                                 &GRAPHENE_RECT_INIT (x, plot_y + plot_h - h_attempts, w, h_attempts));
      gtk_snapshot_append_color (snapshot, &errors_color,
                                 &GRAPHENE_RECT_INIT (x, plot_y + plot_h - h_errors, w, h_errors));
    }

  if (!self->show_times)
    return;
  start_text = oc_format_clock (self->start_usec);
  end_text = oc_format_clock (self->end_usec);
  append_text (snapshot, layout, start_text, plot_x, height - TIME_HEIGHT / 2.f, 0.f, &fg);
  append_text (snapshot, layout, end_text, width, height - TIME_HEIGHT / 2.f, 1.f, &fg);
}

static void
oc_chart_measure (GtkWidget      *widget,
                  GtkOrientation  orientation,
                  int             for_size,
                  int            *minimum,
                  int            *natural,
                  int            *minimum_baseline,
                  int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 200;
      *natural = 480;
    }
  else
    {
      *minimum = 120;
      *natural = 180;
    }
}

static void
oc_chart_class_init (OcChartClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  widget_class->snapshot = oc_chart_snapshot;
  widget_class->measure = oc_chart_measure;

  gtk_widget_class_set_css_name (widget_class, "chart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
oc_chart_init (OcChart *self)
{
  self->end_usec = g_get_real_time ();
  self->start_usec = self->end_usec - MIN_SPAN_USEC;
  self->show_times = TRUE;
  update_accessible_label (self);
}

GtkWidget *
oc_chart_new (void)
{
  return g_object_new (OC_TYPE_CHART, NULL);
}
