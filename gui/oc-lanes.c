/* oc-lanes.c — the host's history in lanes under the error chart
 *
 * One lane each for the Wi-Fi signal, the WebSocket's round-trip time, its
 * retransmissions, and the marks of under-voltage and Wi-Fi roams, drawn on
 * the chart's time axis (the same left margin, the same span), with the
 * chart's failed attempts as thin red lines across them: a drop that lines
 * up with a dip of the signal shows as one.  Each lane has a real label
 * above it (what it is, its worst and its value now) that names it for
 * screen readers, and a tooltip with the value under the pointer.
 *
 * The history (GetReport's host_history) is a list of changes: each entry a
 * time and the keys that changed then, their worst within that minute
 * (wifi_signal_min, rtt_ms_max, …) and the keys no longer told ("gone").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "oc-format.h"
#include "oc-lanes.h"

#define LANE_HEIGHT  36
#define TIME_HEIGHT  22
#define WEAK_SIGNAL  30.0     /* % under which the guide calls the Wi-Fi weak */
/* An entry's worst is of the minute from its time (the daemon folds a
 * minute's changes): it counts when that minute reaches into the span. */
#define WORST_USEC   G_TIME_SPAN_MINUTE
#define IN_SPAN(self, step) ((step)->t + WORST_USEC > (self)->start_usec)

typedef struct {
  gint64   t;
  double   value;
  double   worst;
  gboolean known;
} Step;

typedef struct {
  gint64 t;
  guint  count;
} Mark;

typedef struct {
  OcLanes      *lanes;
  OcLane        lane;
  GtkWidget    *label;
  GtkWidget    *area;
  GArray       *steps;        /* Step; the marks lane: under-voltage (1/0) */
  GArray       *roams;        /* Mark, the marks lane only */
  double        scale;        /* the value at the top of the lane */
} Lane;

struct _OcLanes
{
  GtkWidget  parent_instance;

  Lane       lanes[OC_N_LANES];
  GtkWidget *time_axis;
  GArray    *errors;          /* gint64: failed attempts' times */
  gint64     start_usec;
  gint64     end_usec;
};

G_DEFINE_FINAL_TYPE (OcLanes, oc_lanes, GTK_TYPE_WIDGET)

/* Adwaita's palette: green 5, purple 3, orange 5, yellow 5, red 3 */
static const GdkRGBA lane_colors[OC_N_LANES] = {
  [OC_LANE_SIGNAL]      = { 0.149f, 0.635f, 0.412f, 1.f },
  [OC_LANE_RTT]         = { 0.569f, 0.255f, 0.675f, 1.f },
  [OC_LANE_RETRANSMITS] = { 0.902f, 0.380f, 0.000f, 1.f },
  [OC_LANE_MARKS]       = { 0.898f, 0.647f, 0.039f, 1.f },
};
static const GdkRGBA error_color = { 0.878f, 0.106f, 0.141f, 0.45f };

/* the history's keys of each lane: its value, its worst, how it reads */
static const struct {
  const char *key;
  const char *worst_key;
  double      factor;        /* to the lane's unit */
} lane_keys[OC_N_LANES] = {
  [OC_LANE_SIGNAL]      = { "wifi_signal", "wifi_signal_min", 1.0 },
  [OC_LANE_RTT]         = { "rtt_ms", "rtt_ms_max", 1.0 },
  [OC_LANE_RETRANSMITS] = { "retransmits", "retransmits_max", 100.0 },
  [OC_LANE_MARKS]       = { "under_voltage", "under_voltage_seen", 1.0 },
};

static gboolean
lookup_number (GVariant *dict, const char *key, double *value)
{
  g_autoptr(GVariant) v = key != NULL ? g_variant_lookup_value (dict, key, NULL) : NULL;

  if (v == NULL)
    return FALSE;
  if (g_variant_is_of_type (v, G_VARIANT_TYPE_UINT32))
    *value = g_variant_get_uint32 (v);
  else if (g_variant_is_of_type (v, G_VARIANT_TYPE_DOUBLE))
    *value = g_variant_get_double (v);
  else if (g_variant_is_of_type (v, G_VARIANT_TYPE_BOOLEAN))
    *value = g_variant_get_boolean (v) ? 1.0 : 0.0;
  else
    return FALSE;
  return TRUE;
}

static gboolean
is_gone (GVariant *entry, const char *key)
{
  g_autofree const char **gone = NULL;

  return g_variant_lookup (entry, "gone", "^a&s", &gone) && g_strv_contains (gone, key);
}

/* 1, 2 or 5 × 10^n, at least @value */
static double
round_up (double value)
{
  double step = 1.0;

  while (step < value)
    {
      if (step * 2 >= value)
        return step * 2;
      if (step * 5 >= value)
        return step * 5;
      step *= 10;
    }
  return step;
}

static float
x_of (OcLanes *self, gint64 t, float plot_x, float plot_w)
{
  double span = MAX (self->end_usec - self->start_usec, 1);
  double where = CLAMP ((t - self->start_usec) / span, 0.0, 1.0);

  return plot_x + where * plot_w;
}

static gint64
t_of (OcLanes *self, double x, double plot_x, double plot_w)
{
  double where = plot_w > 0 ? CLAMP ((x - plot_x) / plot_w, 0.0, 1.0) : 1.0;

  return self->start_usec + (gint64) (where * (self->end_usec - self->start_usec));
}

static void
set_source (cairo_t *cr, const GdkRGBA *color, float alpha)
{
  cairo_set_source_rgba (cr, color->red, color->green, color->blue, color->alpha * alpha);
}

static void
draw_text (GtkWidget *widget, cairo_t *cr, const char *text, double x, double y, double x_align,
           const GdkRGBA *color)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, text);
  int width, height;

  pango_layout_get_pixel_size (layout, &width, &height);
  cairo_move_to (cr, x - x_align * width, y - height / 2.0);
  set_source (cr, color, 1.f);
  pango_cairo_show_layout (cr, layout);
}

static void
draw_lane (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer data)
{
  Lane *lane = data;
  OcLanes *self = lane->lanes;
  const GdkRGBA *color = &lane_colors[lane->lane];
  float plot_x = OC_LANES_AXIS_WIDTH, plot_w = width - OC_LANES_AXIS_WIDTH;
  float top = 2.f, bottom = height - 1.f;
  GdkRGBA fg;

  if (plot_w <= 0)
    return;
  gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (area)), &fg);

  /* the lane's frame: its baseline and top */
  set_source (cr, &fg, 0.15f);
  cairo_rectangle (cr, plot_x, bottom - 1, plot_w, 1);
  cairo_rectangle (cr, plot_x, top, plot_w, 1);
  cairo_fill (cr);

  /* the failed attempts, across every lane */
  cairo_set_source_rgba (cr, error_color.red, error_color.green, error_color.blue, error_color.alpha);
  for (guint i = 0; i < self->errors->len; i++)
    {
      gint64 t = g_array_index (self->errors, gint64, i);

      if (t >= self->start_usec && t <= self->end_usec)
        cairo_rectangle (cr, x_of (self, t, plot_x, plot_w) - 0.5, top, 1, bottom - top);
    }
  cairo_fill (cr);

  if (lane->lane == OC_LANE_SIGNAL)
    {
      double y = bottom - (bottom - top) * WEAK_SIGNAL / lane->scale;
      const double dashes[] = { 3, 3 };

      set_source (cr, &fg, 0.35f);
      cairo_set_line_width (cr, 1);
      cairo_set_dash (cr, dashes, G_N_ELEMENTS (dashes), 0);
      cairo_move_to (cr, plot_x, y + 0.5);
      cairo_line_to (cr, plot_x + plot_w, y + 0.5);
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
    }

  for (guint i = 0; i < lane->steps->len; i++)
    {
      const Step *step = &g_array_index (lane->steps, Step, i);
      gint64 next = i + 1 < lane->steps->len ? g_array_index (lane->steps, Step, i + 1).t : self->end_usec;
      float x0, x1;

      if (!step->known || next < self->start_usec || step->t > self->end_usec)
        continue;
      x0 = x_of (self, step->t, plot_x, plot_w);
      x1 = MAX (x_of (self, next, plot_x, plot_w), x0 + 1);
      if (lane->lane == OC_LANE_MARKS)
        {
          /* under-voltage: a band while it lasts, a tick where it came and went */
          set_source (cr, color, 1.f);
          if (step->value > 0)
            cairo_rectangle (cr, x0, top + 4, MAX (x1 - x0, 3), (bottom - top) / 2 - 4);
          else if (step->worst > 0 && IN_SPAN (self, step))
            cairo_rectangle (cr, x0 - 1, top + 4, 3, (bottom - top) / 2 - 4);
          cairo_fill (cr);
          continue;
        }
      {
        float y = bottom - (bottom - top) * MIN (step->value / lane->scale, 1.0);
        float y_worst = bottom - (bottom - top) * MIN (step->worst / lane->scale, 1.0);

        set_source (cr, color, 0.25f);
        cairo_rectangle (cr, x0, y, x1 - x0, bottom - y);
        cairo_fill (cr);
        set_source (cr, color, 1.f);
        cairo_rectangle (cr, x0, y - 1, x1 - x0, 2);
        /* the worst of its minute: a dip down (or a peak up) from the line */
        if (step->worst != step->value && IN_SPAN (self, step))
          cairo_rectangle (cr, x0 - 1.5, MIN (y, y_worst), 3, ABS (y_worst - y) + 1);
        cairo_fill (cr);
      }
    }

  if (lane->roams != NULL)
    {
      set_source (cr, &fg, 0.8f);
      for (guint i = 0; i < lane->roams->len; i++)
        {
          const Mark *mark = &g_array_index (lane->roams, Mark, i);
          float x;

          if (mark->t + WORST_USEC <= self->start_usec || mark->t > self->end_usec)
            continue;
          /* a triangle on the lower half */
          x = x_of (self, mark->t, plot_x, plot_w);
          cairo_move_to (cr, x, (top + bottom) / 2 + 2);
          cairo_line_to (cr, x + 5, bottom - 2);
          cairo_line_to (cr, x - 5, bottom - 2);
          cairo_close_path (cr);
        }
      cairo_fill (cr);
    }
  else
    {
      g_autofree char *scale = g_strdup_printf ("%g", lane->scale);

      draw_text (GTK_WIDGET (area), cr, scale, plot_x - 6, top + 6, 1.0, &fg);
    }
}

static void
draw_time_axis (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer data)
{
  OcLanes *self = data;
  g_autofree char *start = oc_format_clock (self->start_usec);
  g_autofree char *middle = oc_format_clock (self->start_usec + (self->end_usec - self->start_usec) / 2);
  g_autofree char *end = oc_format_clock (self->end_usec);
  GdkRGBA fg;

  gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (area)), &fg);
  draw_text (GTK_WIDGET (area), cr, start, OC_LANES_AXIS_WIDTH, height / 2.0, 0.0, &fg);
  draw_text (GTK_WIDGET (area), cr, middle, OC_LANES_AXIS_WIDTH + (width - OC_LANES_AXIS_WIDTH) / 2.0,
             height / 2.0, 0.5, &fg);
  draw_text (GTK_WIDGET (area), cr, end, width, height / 2.0, 1.0, &fg);
}

static const Step *
step_at (Lane *lane, gint64 t)
{
  const Step *found = NULL;

  for (guint i = 0; i < lane->steps->len && g_array_index (lane->steps, Step, i).t <= t; i++)
    found = &g_array_index (lane->steps, Step, i);
  return found != NULL && found->known ? found : NULL;
}

/* The lane's value as a person reads it; NULL when the host did not tell it. */
static char *
format_value (OcLane lane, double value)
{
  switch (lane)
    {
    case OC_LANE_SIGNAL:      return g_strdup_printf (_("%.0f %%"), value);
    case OC_LANE_RTT:         return g_strdup_printf (_("%.0f ms"), value);
    case OC_LANE_RETRANSMITS: return g_strdup_printf (_("%.1f %%"), value);
    case OC_LANE_MARKS:
    case OC_N_LANES:
    default:                  return g_strdup (value > 0 ? _("Under-voltage") : _("Supply fine"));
    }
}

static gboolean
query_tooltip (GtkWidget  *area,
               int         x,
               int         y,
               gboolean    keyboard,
               GtkTooltip *tooltip,
               gpointer    data)
{
  Lane *lane = data;
  gint64 t = t_of (lane->lanes, x, OC_LANES_AXIS_WIDTH, gtk_widget_get_width (area) - OC_LANES_AXIS_WIDTH);
  const Step *step = step_at (lane, t);
  g_autofree char *clock = oc_format_clock (t);
  g_autofree char *value = step != NULL ? format_value (lane->lane, step->value) : g_strdup (_("not known"));
  g_autofree char *text = g_strdup_printf ("%s: %s", clock, value);

  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

/* The label above the lane: what it is, its worst in the span, and now. */
static void
update_label (OcLanes *self, Lane *lane)
{
  g_autofree char *text = NULL;
  const Step *now = step_at (lane, self->end_usec);
  gboolean lower_worse = lane->lane == OC_LANE_SIGNAL;
  gboolean any = FALSE;
  double worst = 0;
  guint marks = 0, roams = 0;

  for (guint i = 0; i < lane->steps->len; i++)
    {
      const Step *step = &g_array_index (lane->steps, Step, i);
      gint64 next = i + 1 < lane->steps->len ? g_array_index (lane->steps, Step, i + 1).t : G_MAXINT64;
      /* in the span: its worst counts only when the minute is */
      double w = !IN_SPAN (self, step) ? step->value
                 : lower_worse ? MIN (step->worst, step->value) : MAX (step->worst, step->value);

      if (!step->known || next <= self->start_usec || step->t > self->end_usec)
        continue;
      worst = !any ? w : lower_worse ? MIN (worst, w) : MAX (worst, w);
      any = TRUE;
      if (step->value > 0 || (step->worst > 0 && IN_SPAN (self, step)))
        marks++;
    }

  switch (lane->lane)
    {
    case OC_LANE_MARKS:
      for (guint i = 0; i < lane->roams->len; i++)
        if (g_array_index (lane->roams, Mark, i).t + WORST_USEC > self->start_usec)
          roams += g_array_index (lane->roams, Mark, i).count;
      text = g_strdup_printf (_("Under-voltage: %u · Wi-Fi roams: %u"), marks, roams);
      break;
    case OC_LANE_SIGNAL:
      text = now != NULL ? g_strdup_printf (_("Wi-Fi signal: lowest %.0f %%, now %.0f %%"), worst, now->value)
                         : g_strdup_printf (_("Wi-Fi signal: lowest %.0f %%"), worst);
      break;
    case OC_LANE_RTT:
      text = now != NULL ? g_strdup_printf (_("Round-trip time: highest %.0f ms, now %.0f ms"), worst, now->value)
                         : g_strdup_printf (_("Round-trip time: highest %.0f ms"), worst);
      break;
    case OC_LANE_RETRANSMITS:
    case OC_N_LANES:
    default:
      text = now != NULL ? g_strdup_printf (_("Retransmissions: highest %.1f %%, now %.1f %%"), worst, now->value)
                         : g_strdup_printf (_("Retransmissions: highest %.1f %%"), worst);
      break;
    }
  gtk_label_set_label (GTK_LABEL (lane->label), text);
  if (lane->lane != OC_LANE_MARKS)
    lane->scale = lane->lane == OC_LANE_SIGNAL ? 100.0 : round_up (MAX (worst, lane->lane == OC_LANE_RTT ? 10.0 : 1.0));
}

static void
read_history (OcLanes *self, GVariant *history)
{
  GVariantIter iter;
  GVariant *entry;
  gboolean wifi = FALSE;

  for (OcLane l = 0; l < OC_N_LANES; l++)
    g_array_set_size (self->lanes[l].steps, 0);
  g_array_set_size (self->lanes[OC_LANE_MARKS].roams, 0);
  if (history == NULL)
    return;

  g_variant_iter_init (&iter, history);
  while (g_variant_iter_loop (&iter, "@a{sv}", &entry))
    {
      gint64 t;
      guint32 roams = 0;

      if (!g_variant_lookup (entry, "t", "x", &t))
        continue;
      for (OcLane l = 0; l < OC_N_LANES; l++)
        {
          Step step = { .t = t };

          if (lookup_number (entry, lane_keys[l].key, &step.value))
            {
              step.known = TRUE;
              step.value *= lane_keys[l].factor;
              if (lookup_number (entry, lane_keys[l].worst_key, &step.worst))
                step.worst *= lane_keys[l].factor;
              else
                step.worst = step.value;
            }
          else if (!is_gone (entry, lane_keys[l].key))
            continue;
          g_array_append_val (self->lanes[l].steps, step);
        }
      wifi |= g_variant_lookup_value (entry, "wifi_signal", NULL) != NULL;
      if (g_variant_lookup (entry, "roams", "u", &roams) && roams > 0)
        {
          Mark mark = { t, roams };

          g_array_append_val (self->lanes[OC_LANE_MARKS].roams, mark);
        }
    }
  /* roams belong to Wi-Fi: the marks lane shows with either */
  if (wifi && self->lanes[OC_LANE_MARKS].steps->len == 0)
    {
      Step none = { .t = G_MININT64, .known = FALSE };

      g_array_append_val (self->lanes[OC_LANE_MARKS].steps, none);
    }
}

void
oc_lanes_set_history (OcLanes  *self,
                      GVariant *history,
                      GVariant *events,
                      gint64    start_usec,
                      gint64    end_usec)
{
  gboolean any = FALSE;

  g_return_if_fail (OC_IS_LANES (self));
  g_return_if_fail (history == NULL || g_variant_is_of_type (history, G_VARIANT_TYPE ("aa{sv}")));
  g_return_if_fail (events == NULL || g_variant_is_of_type (events, G_VARIANT_TYPE ("aa{sv}")));

  self->start_usec = start_usec;
  self->end_usec = MAX (end_usec, start_usec + 1);
  read_history (self, history);

  g_array_set_size (self->errors, 0);
  for (gsize i = 0; events != NULL && i < g_variant_n_children (events); i++)
    {
      g_autoptr(GVariant) event = g_variant_get_child_value (events, i);
      gboolean error = FALSE;
      gint64 t;

      if (g_variant_lookup (event, "t", "x", &t) && g_variant_lookup (event, "error", "b", &error) && error)
        g_array_append_val (self->errors, t);
    }

  for (OcLane l = 0; l < OC_N_LANES; l++)
    {
      Lane *lane = &self->lanes[l];
      gboolean shown = lane->steps->len > 0;

      gtk_widget_set_visible (lane->label, shown);
      gtk_widget_set_visible (lane->area, shown);
      if (shown)
        update_label (self, lane);
      gtk_widget_queue_draw (lane->area);
      any |= shown;
    }
  gtk_widget_queue_draw (self->time_axis);
  gtk_widget_set_visible (GTK_WIDGET (self), any);
}

gboolean
oc_lanes_has_lane (OcLanes *self,
                   OcLane   lane)
{
  g_return_val_if_fail (OC_IS_LANES (self), FALSE);
  g_return_val_if_fail (lane < OC_N_LANES, FALSE);

  return gtk_widget_get_visible (GTK_WIDGET (self)) && gtk_widget_get_visible (self->lanes[lane].area);
}

gboolean
oc_lanes_value_at (OcLanes *self,
                   OcLane   lane,
                   gint64   t,
                   double  *value)
{
  const Step *step;

  g_return_val_if_fail (OC_IS_LANES (self), FALSE);
  g_return_val_if_fail (lane < OC_N_LANES, FALSE);

  step = step_at (&self->lanes[lane], t);
  if (step == NULL)
    return FALSE;
  *value = step->value;
  return TRUE;
}

static void
oc_lanes_dispose (GObject *object)
{
  OcLanes *self = OC_LANES (object);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (oc_lanes_parent_class)->dispose (object);
}

static void
oc_lanes_finalize (GObject *object)
{
  OcLanes *self = OC_LANES (object);

  for (OcLane l = 0; l < OC_N_LANES; l++)
    {
      g_array_unref (self->lanes[l].steps);
      g_clear_pointer (&self->lanes[l].roams, g_array_unref);
    }
  g_array_unref (self->errors);

  G_OBJECT_CLASS (oc_lanes_parent_class)->finalize (object);
}

static void
oc_lanes_class_init (OcLanesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = oc_lanes_dispose;
  object_class->finalize = oc_lanes_finalize;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "lanes");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
oc_lanes_init (OcLanes *self)
{
  GtkLayoutManager *layout = gtk_widget_get_layout_manager (GTK_WIDGET (self));

  gtk_orientable_set_orientation (GTK_ORIENTABLE (layout), GTK_ORIENTATION_VERTICAL);
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (layout), 2);
  self->errors = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->end_usec = g_get_real_time ();
  self->start_usec = self->end_usec - G_TIME_SPAN_MINUTE;

  for (OcLane l = 0; l < OC_N_LANES; l++)
    {
      Lane *lane = &self->lanes[l];

      lane->lanes = self;
      lane->lane = l;
      lane->scale = l == OC_LANE_SIGNAL ? 100.0 : 1.0;
      lane->steps = g_array_new (FALSE, FALSE, sizeof (Step));
      if (l == OC_LANE_MARKS)
        lane->roams = g_array_new (FALSE, FALSE, sizeof (Mark));

      lane->label = gtk_label_new (NULL);
      gtk_label_set_xalign (GTK_LABEL (lane->label), 0);
      gtk_label_set_wrap (GTK_LABEL (lane->label), TRUE);
      gtk_widget_set_margin_start (lane->label, OC_LANES_AXIS_WIDTH);
      gtk_widget_set_margin_top (lane->label, 4);
      gtk_widget_add_css_class (lane->label, "caption");
      gtk_widget_set_parent (lane->label, GTK_WIDGET (self));

      lane->area = gtk_drawing_area_new ();
      gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (lane->area), LANE_HEIGHT);
      gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (lane->area), draw_lane, lane, NULL);
      gtk_widget_set_has_tooltip (lane->area, TRUE);
      g_signal_connect (lane->area, "query-tooltip", G_CALLBACK (query_tooltip), lane);
      gtk_accessible_update_property (GTK_ACCESSIBLE (lane->area), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                      _("A lane of the host's conditions on the chart's time axis"), -1);
      gtk_accessible_update_relation (GTK_ACCESSIBLE (lane->area), GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                      lane->label, NULL, -1);
      gtk_widget_set_parent (lane->area, GTK_WIDGET (self));
    }

  self->time_axis = gtk_drawing_area_new ();
  gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (self->time_axis), TIME_HEIGHT);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (self->time_axis), draw_time_axis, self, NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->time_axis), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Time axis"), -1);
  gtk_widget_set_parent (self->time_axis, GTK_WIDGET (self));

  oc_lanes_set_history (self, NULL, NULL, self->start_usec, self->end_usec);
}

GtkWidget *
oc_lanes_new (void)
{
  return g_object_new (OC_TYPE_LANES, NULL);
}
