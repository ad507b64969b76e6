/* obico-report.c — GetReport's events into the columns of a chart
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>
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

/* @key's value in @entry, as a double; @worst_key's where the minute had a
 * worse one; NAN for a key that went. */
static gboolean
history_value (GVariant   *entry,
               const char *key,
               const char *worst_key,
               double     *value,
               double     *worst)
{
  g_autoptr(GVariant) v = g_variant_lookup_value (entry, key, NULL);
  g_autoptr(GVariant) w = g_variant_lookup_value (entry, worst_key, NULL);
  g_autofree const char **gone = NULL;

  if (v == NULL)
    {
      if (g_variant_lookup (entry, "gone", "^a&s", &gone) && g_strv_contains (gone, key))
        {
          *value = *worst = NAN;
          return TRUE;
        }
      return FALSE;
    }
  *value = g_variant_is_of_type (v, G_VARIANT_TYPE_UINT32) ? g_variant_get_uint32 (v)
           : g_variant_is_of_type (v, G_VARIANT_TYPE_DOUBLE) ? g_variant_get_double (v) : NAN;
  *worst = *value;
  if (w != NULL && g_variant_is_of_type (w, g_variant_get_type (v)))
    *worst = g_variant_is_of_type (w, G_VARIANT_TYPE_UINT32) ? g_variant_get_uint32 (w) : g_variant_get_double (w);
  return TRUE;
}

void
obico_report_summarize_host (GVariant         *history,
                             ObicoHostSummary *summary)
{
  GVariantIter iter;
  GVariant *entry;

  memset (summary, 0, sizeof *summary);
  summary->signal_now = summary->rtt_now = summary->retransmits_now = NAN;
  if (history == NULL || !g_variant_is_of_type (history, G_VARIANT_TYPE ("aa{sv}")))
    return;

  g_variant_iter_init (&iter, history);
  while (g_variant_iter_loop (&iter, "@a{sv}", &entry))
    {
      double value, worst;
      gboolean flag = FALSE;
      guint32 roams = 0;
      gint64 t;

      if (!g_variant_lookup (entry, "t", "x", &t))
        continue;
      if (summary->entries++ == 0)
        summary->since = t;
      if (history_value (entry, "wifi_signal", "wifi_signal_min", &value, &worst))
        {
          summary->signal_now = value;
          if (!isnan (value))
            {
              summary->signal_min = summary->signal_known ? MIN (summary->signal_min, worst) : worst;
              summary->signal_known = TRUE;
            }
        }
      if (history_value (entry, "rtt_ms", "rtt_ms_max", &value, &worst))
        {
          summary->rtt_now = value;
          if (!isnan (value))
            {
              summary->rtt_max = summary->rtt_known ? MAX (summary->rtt_max, worst) : worst;
              summary->rtt_known = TRUE;
            }
        }
      if (history_value (entry, "retransmits", "retransmits_max", &value, &worst))
        {
          summary->retransmits_now = value;
          if (!isnan (value))
            {
              summary->retransmits_max = summary->retransmits_known ? MAX (summary->retransmits_max, worst)
                                                                    : worst;
              summary->retransmits_known = TRUE;
            }
        }
      if ((g_variant_lookup (entry, "under_voltage", "b", &flag) && flag) ||
          (g_variant_lookup (entry, "under_voltage_seen", "b", &flag) && flag))
        summary->under_voltage++;
      if (g_variant_lookup (entry, "clock_synchronized", "b", &flag) && !flag)
        summary->clock_unsynchronized++;
      if (g_variant_lookup (entry, "roams", "u", &roams))
        summary->roams += roams;
    }
}
