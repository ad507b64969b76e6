/* test-report-columns.c — GetReport's events counted into a chart's columns,
 * as the app's chart and obicoctl report both draw them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib.h>
#include <math.h>

#include "obico-report.h"

static GVariant *
events_new (const gint64 *t, const gboolean *error, guint n)
{
  GVariantBuilder b;

  g_variant_builder_init (&b, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; i < n; i++)
    {
      g_variant_builder_open (&b, G_VARIANT_TYPE_VARDICT);
      if (t[i] >= 0)
        g_variant_builder_add (&b, "{sv}", "t", g_variant_new_int64 (t[i]));
      g_variant_builder_add (&b, "{sv}", "error", g_variant_new_boolean (error[i]));
      g_variant_builder_close (&b);
    }
  return g_variant_ref_sink (g_variant_builder_end (&b));
}

static void
test_columns (void)
{
  /* start 1000, span 400, 4 columns of 100 */
  const gint64 t[] = { 999, 1000, 1099, 1100, 1250, 1399, 1400, 5000000, -1 };
  const gboolean e[] = { TRUE, FALSE, TRUE, FALSE, TRUE, TRUE, FALSE, TRUE, TRUE };
  g_autoptr(GVariant) events = events_new (t, e, G_N_ELEMENTS (t));
  guint attempts[4] = { 9, 9, 9, 9 };
  guint errors[4] = { 9, 9, 9, 9 };
  guint max = obico_report_bucket_events (events, 1000, 400, 4, attempts, errors);

  /* before start: out; no time: out; at or after the end: the last column */
  g_assert_cmpuint (attempts[0], ==, 2);
  g_assert_cmpuint (errors[0], ==, 1);
  g_assert_cmpuint (attempts[1], ==, 1);
  g_assert_cmpuint (errors[1], ==, 0);
  g_assert_cmpuint (attempts[2], ==, 1);
  g_assert_cmpuint (errors[2], ==, 1);
  g_assert_cmpuint (attempts[3], ==, 3);
  g_assert_cmpuint (errors[3], ==, 2);
  g_assert_cmpuint (max, ==, 3);
}

static void
test_span_and_empty (void)
{
  const gint64 t[] = { 50, -1, 20, 90 };
  const gboolean e[] = { FALSE, FALSE, FALSE, FALSE };
  g_autoptr(GVariant) events = events_new (t, e, G_N_ELEMENTS (t));
  g_autoptr(GVariant) none = events_new (NULL, NULL, 0);
  guint attempts[2] = { 7, 7 };
  guint errors[2] = { 7, 7 };
  gint64 first, last;

  g_assert_true (obico_report_events_span (events, &first, &last));
  g_assert_cmpint (first, ==, 20);
  g_assert_cmpint (last, ==, 90);
  g_assert_false (obico_report_events_span (none, &first, &last));
  g_assert_false (obico_report_events_span (NULL, &first, &last));
  g_assert_cmpuint (obico_report_bucket_events (NULL, 0, 10, 2, attempts, errors), ==, 0);
  g_assert_cmpuint (attempts[0] + attempts[1] + errors[0] + errors[1], ==, 0);
}

static void
test_host_summary (void)
{
  g_autoptr(GVariant) history = g_variant_ref_sink (g_variant_new_parsed (
    "[{'t': <int64 1000>, 'wifi_signal': <uint32 80>, 'rtt_ms': <20.0>, 'retransmits': <0.0>,"
    "  'under_voltage': <false>, 'clock_synchronized': <false>},"
    " {'t': <int64 2000>, 'wifi_signal': <uint32 70>, 'wifi_signal_min': <uint32 15>, 'rtt_ms': <30.0>,"
    "  'rtt_ms_max': <300.0>, 'retransmits': <0.05>, 'retransmits_max': <0.1>, 'clock_synchronized': <true>},"
    " {'t': <int64 3000>, 'under_voltage': <true>, 'roams': <uint32 2>},"
    " {'t': <int64 4000>, 'under_voltage': <false>, 'under_voltage_seen': <true>, 'roams': <uint32 1>},"
    " {'t': <int64 5000>, 'gone': <['rtt_ms', 'retransmits']>}]"));
  ObicoHostSummary s;

  obico_report_summarize_host (history, &s);
  g_assert_cmpuint (s.entries, ==, 5);
  g_assert_cmpint (s.since, ==, 1000);
  g_assert_true (s.signal_known);
  g_assert_cmpfloat (s.signal_min, ==, 15);
  g_assert_cmpfloat (s.signal_now, ==, 70);
  g_assert_true (s.rtt_known);
  g_assert_cmpfloat (s.rtt_max, ==, 300);
  g_assert_true (isnan (s.rtt_now));
  g_assert_cmpfloat (s.retransmits_max, ==, 0.1);
  g_assert_true (isnan (s.retransmits_now));
  g_assert_cmpuint (s.under_voltage, ==, 2);
  g_assert_cmpuint (s.roams, ==, 3);
  g_assert_cmpuint (s.clock_unsynchronized, ==, 1);

  /* none, or not a history */
  obico_report_summarize_host (NULL, &s);
  g_assert_cmpuint (s.entries, ==, 0);
  g_assert_false (s.signal_known || s.rtt_known || s.retransmits_known);
  g_assert_true (isnan (s.signal_now));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/report/columns", test_columns);
  g_test_add_func ("/report/span-and-empty", test_span_and_empty);
  g_test_add_func ("/report/host-summary", test_host_summary);
  return g_test_run ();
}
