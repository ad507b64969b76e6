/* obico-report.h — reading GetReport's events, for every client that
 * draws them (the app's chart, obicoctl report).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The span of time the events cover: *first is the earliest "t" (unix µs),
 * *last the latest; FALSE when no event has a time. */
gboolean obico_report_events_span (GVariant *events,
                                   gint64   *first,
                                   gint64   *last);

/* Counts the events (aa{sv} with "t" (x, unix µs) and "error" (b)) into
 * n_columns columns of equal width from start to start + span: attempts[i]
 * and errors[i] (both zeroed first).  Events before start are left out;
 * events at or after the end count in the last column, as do events without
 * "error" as attempts.  Returns the largest number of attempts in a column. */
guint    obico_report_bucket_events (GVariant *events,
                                     gint64    start,
                                     gint64    span,
                                     guint     n_columns,
                                     guint    *attempts,
                                     guint    *errors);

/* What GetReport's host_history (aa{sv}, oldest first) tells in a few
 * numbers, for the support report and obicoctl report.  A *_known FALSE:
 * the history never had the value; a *_now NAN: not told at its end. */
typedef struct {
  guint    entries;
  gint64   since;                 /* unix µs of the first entry, 0: none */
  gboolean signal_known;
  double   signal_min, signal_now;                   /* %: the lowest (a minute's worst too) */
  gboolean rtt_known;
  double   rtt_max, rtt_now;                         /* ms */
  gboolean retransmits_known;
  double   retransmits_max, retransmits_now;         /* fraction */
  guint    under_voltage;         /* times the supply went (or was seen) too low */
  guint    roams;
  guint    clock_unsynchronized;  /* times the clock lost (or started without) NTP */
} ObicoHostSummary;

void     obico_report_summarize_host (GVariant         *history,
                                      ObicoHostSummary *summary);

G_END_DECLS
