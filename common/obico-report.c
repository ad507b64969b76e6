/* obico-report.c — GetReport's events into the columns of a chart
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "obico-report.h"

gboolean
obico_report_events_span (GVariant *events,
                          gint64   *first,
                          gint64   *last)
{
  GVariantIter iter;
  GVariant *event;
  gboolean any = FALSE;

  *first = G_MAXINT64;
  *last = G_MININT64;
  if (events == NULL)
    return FALSE;
  g_variant_iter_init (&iter, events);
  while (g_variant_iter_loop (&iter, "@a{sv}", &event))
    {
      gint64 t;

      if (!g_variant_lookup (event, "t", "x", &t))
        continue;
      *first = MIN (*first, t);
      *last = MAX (*last, t);
      any = TRUE;
    }
  return any;
}

guint
obico_report_bucket_events (GVariant *events,
                            gint64    start,
                            gint64    span,
                            guint     n_columns,
                            guint    *attempts,
                            guint    *errors)
{
  GVariantIter iter;
  GVariant *event;
  guint max = 0;

  g_return_val_if_fail (n_columns > 0 && span > 0, 0);
  memset (attempts, 0, n_columns * sizeof *attempts);
  memset (errors, 0, n_columns * sizeof *errors);
  if (events == NULL)
    return 0;

  g_variant_iter_init (&iter, events);
  while (g_variant_iter_loop (&iter, "@a{sv}", &event))
    {
      gboolean error = FALSE;
      gint64 t;
      guint i;

      if (!g_variant_lookup (event, "t", "x", &t) || t < start)
        continue;
      g_variant_lookup (event, "error", "b", &error);
      /* (t - start) < span here, so the product stays far from overflowing */
      i = t - start >= span ? n_columns - 1 : (guint) ((t - start) * n_columns / span);
      attempts[i]++;
      if (error)
        errors[i]++;
      max = MAX (max, attempts[i]);
    }
  return max;
}
