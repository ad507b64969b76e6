/* oc-chart.h — attempts and errors over time, for the connectivity report
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define OC_TYPE_CHART (oc_chart_get_type ())

G_DECLARE_FINAL_TYPE (OcChart, oc_chart, OC, CHART, GtkWidget)

GtkWidget *oc_chart_new           (void);
void       oc_chart_set_events    (OcChart  *self,
                                   GVariant *events,
                                   gint64    now_usec);
guint      oc_chart_get_n_buckets (OcChart  *self);
/* The time axis the bars are drawn on (unix µs), for lanes under them. */
void       oc_chart_get_range     (OcChart  *self,
                                   gint64   *start_usec,
                                   gint64   *end_usec);
/* FALSE: the times under the bars are left out (lanes below show them). */
void       oc_chart_set_show_times (OcChart *self,
                                    gboolean show_times);
void       oc_chart_get_bucket    (OcChart  *self,
                                   guint     index,
                                   guint    *attempts,
                                   guint    *errors);

G_END_DECLS
