/* oc-lanes.h — the host's history in lanes under the error chart
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define OC_TYPE_LANES (oc_lanes_get_type ())

G_DECLARE_FINAL_TYPE (OcLanes, oc_lanes, OC, LANES, GtkWidget)

typedef enum {
  OC_LANE_SIGNAL,          /* Wi-Fi signal, % */
  OC_LANE_RTT,             /* the WebSocket's round-trip time, ms */
  OC_LANE_RETRANSMITS,     /* its retransmissions, % */
  OC_LANE_MARKS,           /* under-voltage and roams */
  OC_N_LANES
} OcLane;

/* The left margin the lanes' plots start at: the chart's axis. */
#define OC_LANES_AXIS_WIDTH 36.f

GtkWidget *oc_lanes_new           (void);
/* @history: GetReport's host_history (aa{sv}, NULL: none); @events its
 * events (their errors are marked across the lanes); drawn from @start_usec
 * to @end_usec, the chart's time axis.  Lanes the history has nothing for
 * are hidden, and the whole widget when it has nothing at all. */
void       oc_lanes_set_history   (OcLanes  *self,
                                   GVariant *history,
                                   GVariant *events,
                                   gint64    start_usec,
                                   gint64    end_usec);
/* Whether @lane is shown, and its value at @t (unix µs): FALSE when the
 * host did not tell it then. */
gboolean   oc_lanes_has_lane      (OcLanes  *self,
                                   OcLane    lane);
gboolean   oc_lanes_value_at      (OcLanes  *self,
                                   OcLane    lane,
                                   gint64    t,
                                   double   *value);

G_END_DECLS
