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

G_END_DECLS
