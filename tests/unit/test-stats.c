/* test-stats.c — the error account: severity bands, the official alert rule,
 * the sliding window and the capped event list */
#include "config.h"

#include <string.h>

#include "ocd-stats.h"

#define SECOND ((gint64) G_USEC_PER_SEC)
/* A realistic "now": unix µs in 2024, so no bucket starts at 0. */
#define T0 ((gint64) 1700000000 * SECOND)

static void
test_severity_bands (void)
{
  static const struct {
    guint attempts, errors;
    ObicoSeverity severity;
  } cases[] = {
    { 0, 0, OBICO_SEVERITY_NONE },
    { 100, 0, OBICO_SEVERITY_NONE },
    { 1, 1, OBICO_SEVERITY_TOTAL },
    { 100, 100, OBICO_SEVERITY_TOTAL },
    { 100, 1, OBICO_SEVERITY_LOW },
    { 100, 4, OBICO_SEVERITY_LOW },
    { 1000, 49, OBICO_SEVERITY_LOW },
    { 100, 5, OBICO_SEVERITY_MODERATE },      /* 5 % is moderate: low is < 5 % */
    { 20, 1, OBICO_SEVERITY_MODERATE },
    { 1000, 50, OBICO_SEVERITY_MODERATE },
    { 100, 20, OBICO_SEVERITY_MODERATE },     /* 20 % is still moderate: high is > 20 % */
    { 5, 1, OBICO_SEVERITY_MODERATE },
    { 15, 3, OBICO_SEVERITY_MODERATE },
    { 1000, 201, OBICO_SEVERITY_HIGH },
    { 100, 21, OBICO_SEVERITY_HIGH },
    { 100, 99, OBICO_SEVERITY_HIGH },
    { 2, 1, OBICO_SEVERITY_HIGH },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("%u errors of %u attempts", cases[i].errors, cases[i].attempts);
      g_assert_cmpint (ocd_stats_severity_for (cases[i].attempts, cases[i].errors), ==,
                       cases[i].severity);
    }
}

static void
test_alert_rule (void)
{
  static const struct {
    guint attempts, errors;
    gboolean alert;
  } cases[] = {
    /* No alert while attempts < 8, whatever the rate. */
    { 0, 0, FALSE },
    { 7, 7, FALSE },
    { 7, 4, FALSE },
    /* 8 and 9 attempts: an alert only from 50 %. */
    { 8, 3, FALSE },
    { 8, 4, TRUE },
    { 8, 8, TRUE },
    { 9, 4, FALSE },
    { 9, 5, TRUE },
    /* 10 and more: an alert from 25 %. */
    { 10, 2, FALSE },
    { 10, 3, TRUE },
    { 100, 24, FALSE },
    { 100, 25, TRUE },
    { 100, 26, TRUE },
    { 1000, 249, FALSE },
    { 1000, 250, TRUE },
    { 12, 3, TRUE },
    { 12, 2, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("%u errors of %u attempts", cases[i].errors, cases[i].attempts);
      g_assert_cmpint (ocd_stats_alert_for (cases[i].attempts, cases[i].errors), ==, cases[i].alert);
    }
}

static void
test_summary (void)
{
  g_autoptr(OcdStats) stats = ocd_stats_new (3600 * SECOND, 100);
  OcdStatsSummary window, total;

  ocd_stats_summarize (stats, T0, &window, &total);
  g_assert_cmpuint (window.attempts, ==, 0);
  g_assert_cmpfloat (window.rate, ==, 0);
  g_assert_cmpint (window.severity, ==, OBICO_SEVERITY_NONE);
  g_assert_false (window.alert);
  g_assert_cmpint (window.first, ==, 0);

  for (guint i = 0; i < 10; i++)
    ocd_stats_record (stats, T0 + i * SECOND, i % 2 == 1, "http", i % 2 ? "timeout" : NULL);
  ocd_stats_summarize (stats, T0 + 10 * SECOND, &window, &total);
  g_assert_cmpuint (window.attempts, ==, 10);
  g_assert_cmpuint (window.errors, ==, 5);
  g_assert_cmpfloat_with_epsilon (window.rate, 0.5, 1e-9);
  g_assert_cmpint (window.first, ==, T0 + 1 * SECOND);
  g_assert_cmpint (window.last, ==, T0 + 9 * SECOND);
  g_assert_cmpint (window.severity, ==, OBICO_SEVERITY_HIGH);
  g_assert_true (window.alert);
  g_assert_cmpuint (total.attempts, ==, 10);
  g_assert_cmpuint (total.errors, ==, 5);

  ocd_stats_reset (stats);
  ocd_stats_summarize (stats, T0 + 10 * SECOND, &window, &total);
  g_assert_cmpuint (window.attempts, ==, 0);
  g_assert_cmpuint (total.attempts, ==, 0);
  g_assert_cmpint (total.first, ==, 0);
}

static void
test_window_forgets (void)
{
  /* 96 s window: the ring's buckets are one second each. */
  gint64 window = 96 * SECOND;
  g_autoptr(OcdStats) stats = ocd_stats_new (window, 100);
  OcdStatsSummary summary, total;

  ocd_stats_record (stats, T0, TRUE, "http", "reset");
  ocd_stats_record (stats, T0 + 10 * SECOND, FALSE, "http", NULL);

  ocd_stats_summarize (stats, T0 + 95 * SECOND, &summary, NULL);
  g_assert_cmpuint (summary.attempts, ==, 2);
  g_assert_cmpuint (summary.errors, ==, 1);
  g_assert_cmpint (summary.first, ==, T0);

  /* The error's bucket has left the window; the later success has not. */
  ocd_stats_summarize (stats, T0 + window + 2 * SECOND, &summary, &total);
  g_assert_cmpuint (summary.attempts, ==, 1);
  g_assert_cmpuint (summary.errors, ==, 0);
  g_assert_cmpint (summary.first, ==, 0);
  g_assert_cmpint (summary.severity, ==, OBICO_SEVERITY_NONE);
  /* Since start nothing is forgotten. */
  g_assert_cmpuint (total.attempts, ==, 2);
  g_assert_cmpuint (total.errors, ==, 1);
  g_assert_cmpint (total.first, ==, T0);

  /* A record that lands in a reused ring slot starts it afresh. */
  ocd_stats_record (stats, T0 + window, FALSE, "http", NULL);
  ocd_stats_summarize (stats, T0 + window + SECOND / 2, &summary, NULL);
  g_assert_cmpuint (summary.attempts, ==, 2);
  g_assert_cmpuint (summary.errors, ==, 0);

  /* Long after, everything is gone from the window. */
  ocd_stats_summarize (stats, T0 + 10 * window, &summary, &total);
  g_assert_cmpuint (summary.attempts, ==, 0);
  g_assert_cmpuint (total.attempts, ==, 3);
}

static void
test_window_clock_back (void)
{
  g_autoptr(OcdStats) stats = ocd_stats_new (96 * SECOND, 100);
  OcdStatsSummary summary;

  /* Buckets "from the future" (the clock was set back) do not count. */
  ocd_stats_record (stats, T0 + 50 * SECOND, TRUE, "http", "reset");
  ocd_stats_summarize (stats, T0, &summary, NULL);
  g_assert_cmpuint (summary.attempts, ==, 0);
}

static void
test_event_cap (void)
{
  g_autoptr(OcdStats) stats = ocd_stats_new (3600 * SECOND, 5);
  g_autoptr(GVariant) events = NULL;
  gint64 t;
  gboolean error;
  const char *kind, *cause;

  for (guint i = 0; i < 8; i++)
    ocd_stats_record (stats, T0 + i * SECOND, i == 7, i == 7 ? "websocket" : "http",
                      i == 7 ? "closed 1006" : NULL);
  events = ocd_stats_events (stats);
  g_assert_cmpstr (g_variant_get_type_string (events), ==, "aa{sv}");
  g_assert_cmpuint (g_variant_n_children (events), ==, 5);

  /* The oldest went first; the newest is last. */
  {
    g_autoptr(GVariant) first = g_variant_get_child_value (events, 0);
    g_autoptr(GVariant) last = g_variant_get_child_value (events, 4);
    GVariantDict dict;

    g_variant_dict_init (&dict, first);
    g_assert_true (g_variant_dict_lookup (&dict, "t", "x", &t));
    g_assert_cmpint (t, ==, T0 + 3 * SECOND);
    g_variant_dict_clear (&dict);

    g_variant_dict_init (&dict, last);
    g_assert_true (g_variant_dict_lookup (&dict, "t", "x", &t));
    g_assert_true (g_variant_dict_lookup (&dict, "error", "b", &error));
    g_assert_true (g_variant_dict_lookup (&dict, "kind", "&s", &kind));
    g_assert_true (g_variant_dict_lookup (&dict, "cause", "&s", &cause));
    g_assert_cmpint (t, ==, T0 + 7 * SECOND);
    g_assert_true (error);
    g_assert_cmpstr (kind, ==, "websocket");
    g_assert_cmpstr (cause, ==, "closed 1006");
    g_variant_dict_clear (&dict);
  }

  /* The counts are not capped with the events. */
  {
    OcdStatsSummary total;
    ocd_stats_summarize (stats, T0 + 8 * SECOND, NULL, &total);
    g_assert_cmpuint (total.attempts, ==, 8);
  }

  /* Zero events asked for still keeps the newest one. */
  {
    g_autoptr(OcdStats) one = ocd_stats_new (3600 * SECOND, 0);
    g_autoptr(GVariant) kept = NULL;

    ocd_stats_record (one, T0, FALSE, NULL, NULL);
    ocd_stats_record (one, T0 + SECOND, FALSE, NULL, NULL);
    kept = ocd_stats_events (one);
    g_assert_cmpuint (g_variant_n_children (kept), ==, 1);
  }
}

static void
test_variant (void)
{
  g_autoptr(OcdStats) stats = ocd_stats_new (3600 * SECOND, 10);
  g_autoptr(GVariant) v = NULL;
  GVariantDict dict;
  guint attempts, errors;
  double rate, window;
  const char *severity;
  gboolean alert;

  ocd_stats_record (stats, T0, TRUE, "http", "timeout");
  ocd_stats_record (stats, T0 + SECOND, FALSE, "http", NULL);
  v = g_variant_ref_sink (ocd_stats_to_variant (stats, T0 + 2 * SECOND));
  g_assert_cmpstr (g_variant_get_type_string (v), ==, "a{sv}");
  g_variant_dict_init (&dict, v);
  g_assert_true (g_variant_dict_lookup (&dict, "attempts", "u", &attempts));
  g_assert_true (g_variant_dict_lookup (&dict, "errors", "u", &errors));
  g_assert_true (g_variant_dict_lookup (&dict, "rate", "d", &rate));
  g_assert_true (g_variant_dict_lookup (&dict, "severity", "&s", &severity));
  g_assert_true (g_variant_dict_lookup (&dict, "alert", "b", &alert));
  g_assert_true (g_variant_dict_lookup (&dict, "window_seconds", "d", &window));
  g_assert_true (g_variant_dict_contains (&dict, "first"));
  g_assert_true (g_variant_dict_contains (&dict, "last"));
  g_assert_cmpuint (attempts, ==, 2);
  g_assert_cmpuint (errors, ==, 1);
  g_assert_cmpfloat_with_epsilon (rate, 0.5, 1e-9);
  g_assert_cmpstr (severity, ==, "high");
  g_assert_false (alert);
  g_assert_cmpfloat_with_epsilon (window, 3600, 1e-6);
  g_variant_dict_clear (&dict);
}

/* Errors in a row are one outage (start, end, cause), however many
 * retries; the recent window counts it once and forgets it when it is
 * older than the window. */
static void
test_outages (void)
{
  g_autoptr(OcdStats) stats = ocd_stats_new (3600 * SECOND, 500);
  g_autoptr(GVariant) outages = NULL;
  GVariant *child;
  OcdStatsRecent recent;
  GVariantDict dict;
  gint64 start, end;
  double duration;
  const char *cause;

  ocd_stats_set_recent (stats, 900 * SECOND);
  ocd_stats_record (stats, T0, FALSE, "websocket", NULL);
  for (guint i = 0; i < 12; i++)
    {
      ocd_stats_record (stats, T0 + (1 + i * 4) * SECOND, TRUE, "websocket", i == 0 ? "lost" : "again");
      /* The server answers /hc/ and the credential check: the WebSocket
       * still fails, the outage goes on. */
      if (i == 5)
        ocd_stats_record (stats, T0 + (2 + i * 4) * SECOND, FALSE, "health", NULL);
      if (i == 6)
        ocd_stats_record (stats, T0 + (2 + i * 4) * SECOND, FALSE, "credentials", NULL);
    }
  ocd_stats_summarize_recent (stats, T0 + 46 * SECOND, &recent);
  g_assert_true (recent.ongoing);
  g_assert_cmpuint (recent.exchanges.attempts, ==, 2);
  g_assert_cmpuint (recent.exchanges.errors, ==, 1);
  g_assert_cmpfloat_with_epsilon (recent.exchanges.window_seconds, 900, 1e-6);

  outages = g_variant_ref_sink (ocd_stats_outages (stats, T0 + 46 * SECOND));
  g_assert_cmpuint (g_variant_n_children (outages), ==, 1);
  child = g_variant_get_child_value (outages, 0);
  g_variant_dict_init (&dict, child);
  g_clear_pointer (&child, g_variant_unref);
  g_assert_true (g_variant_dict_lookup (&dict, "end", "x", &end));
  g_assert_cmpint (end, ==, 0);
  g_assert_true (g_variant_dict_lookup (&dict, "duration", "d", &duration));
  g_assert_cmpfloat_with_epsilon (duration, 45, 1e-6);
  g_variant_dict_clear (&dict);
  g_clear_pointer (&outages, g_variant_unref);

  ocd_stats_record (stats, T0 + 46 * SECOND, FALSE, "websocket-send", NULL);
  ocd_stats_summarize_recent (stats, T0 + 47 * SECOND, &recent);
  g_assert_false (recent.ongoing);
  g_assert_cmpuint (recent.exchanges.attempts, ==, 3);
  g_assert_cmpuint (recent.exchanges.errors, ==, 1);
  g_assert_false (recent.exchanges.alert);

  outages = g_variant_ref_sink (ocd_stats_outages (stats, T0 + 100 * SECOND));
  g_assert_cmpuint (g_variant_n_children (outages), ==, 1);
  child = g_variant_get_child_value (outages, 0);
  g_variant_dict_init (&dict, child);
  g_clear_pointer (&child, g_variant_unref);
  g_assert_true (g_variant_dict_lookup (&dict, "start", "x", &start));
  g_assert_true (g_variant_dict_lookup (&dict, "end", "x", &end));
  g_assert_true (g_variant_dict_lookup (&dict, "duration", "d", &duration));
  g_assert_true (g_variant_dict_lookup (&dict, "cause", "&s", &cause));
  g_assert_cmpint (start, ==, T0 + SECOND);
  g_assert_cmpint (end, ==, T0 + 46 * SECOND);
  g_assert_cmpfloat_with_epsilon (duration, 45, 1e-6);
  g_assert_cmpstr (cause, ==, "lost");
  g_variant_dict_clear (&dict);

  /* The window moves on: the outage leaves it at start + 900 s. */
  g_assert_cmpint (ocd_stats_recent_expiry (stats, T0 + 47 * SECOND), ==, T0 + 900 * SECOND);
  ocd_stats_summarize_recent (stats, T0 + 902 * SECOND, &recent);
  g_assert_cmpuint (recent.exchanges.errors, ==, 0);
  g_assert_cmpuint (recent.exchanges.attempts, ==, 1);
  ocd_stats_summarize_recent (stats, T0 + 2000 * SECOND, &recent);
  g_assert_cmpuint (recent.exchanges.attempts, ==, 0);
  g_assert_cmpint (ocd_stats_recent_expiry (stats, T0 + 2000 * SECOND), ==, 0);

  ocd_stats_reset (stats);
  g_clear_pointer (&outages, g_variant_unref);
  outages = g_variant_ref_sink (ocd_stats_outages (stats, T0));
  g_assert_cmpuint (g_variant_n_children (outages), ==, 0);
}

/* Each error and each outage carries the host's context when it happened;
 * successes carry none; the recent drops give theirs, oldest first. */
static void
test_host_context (void)
{
  g_autoptr(OcdStats) stats = ocd_stats_new (3600 * SECOND, 500);
  g_autoptr(GVariant) events = NULL;
  g_autoptr(GVariant) outages = NULL;
  g_autoptr(GPtrArray) drops = NULL;
  g_autoptr(GVariant) host = NULL;
  guint32 signal;

  ocd_stats_set_recent (stats, 900 * SECOND);
  ocd_stats_record (stats, T0, TRUE, "websocket", "no context yet");
  ocd_stats_record (stats, T0 + SECOND, FALSE, "websocket", NULL);
  ocd_stats_set_context (stats, g_variant_new_parsed ("{'wifi_signal': <@u 18>}"));
  ocd_stats_record (stats, T0 + 2 * SECOND, FALSE, "websocket", NULL);
  ocd_stats_record (stats, T0 + 3 * SECOND, TRUE, "websocket", "lost");
  ocd_stats_set_context (stats, g_variant_new_parsed ("{'wifi_signal': <@u 82>}"));
  ocd_stats_record (stats, T0 + 4 * SECOND, TRUE, "websocket", "again");   /* the same outage */
  ocd_stats_record (stats, T0 + 5 * SECOND, FALSE, "websocket", NULL);

  events = g_variant_ref_sink (ocd_stats_events (stats));
  g_assert_cmpuint (g_variant_n_children (events), ==, 6);
  for (guint i = 0; i < 6; i++)
    {
      g_autoptr(GVariant) event = g_variant_get_child_value (events, i);

      host = g_variant_lookup_value (event, "host", G_VARIANT_TYPE_VARDICT);
      if (i == 3 || i == 4)
        {
          g_assert_nonnull (host);
          g_assert_true (g_variant_lookup (host, "wifi_signal", "u", &signal));
          g_assert_cmpuint (signal, ==, i == 3 ? 18 : 82);
        }
      else
        g_assert_null (host);
      g_clear_pointer (&host, g_variant_unref);
    }

  outages = g_variant_ref_sink (ocd_stats_outages (stats, T0 + 6 * SECOND));
  g_assert_cmpuint (g_variant_n_children (outages), ==, 2);
  {
    g_autoptr(GVariant) first = g_variant_get_child_value (outages, 0);
    g_autoptr(GVariant) second = g_variant_get_child_value (outages, 1);

    g_assert_null (g_variant_lookup_value (first, "host", NULL));
    host = g_variant_lookup_value (second, "host", G_VARIANT_TYPE_VARDICT);
    g_assert_true (g_variant_lookup (host, "wifi_signal", "u", &signal));
    g_assert_cmpuint (signal, ==, 18);    /* at its start */
    g_clear_pointer (&host, g_variant_unref);
  }

  drops = ocd_stats_recent_drops (stats, T0 + 6 * SECOND);
  g_assert_cmpuint (drops->len, ==, 2);
  g_assert_cmpuint (g_variant_n_children (drops->pdata[0]), ==, 0);
  g_assert_true (g_variant_lookup (drops->pdata[1], "wifi_signal", "u", &signal));
  g_assert_cmpuint (signal, ==, 18);
  g_clear_pointer (&drops, g_ptr_array_unref);
  /* They leave with the window. */
  drops = ocd_stats_recent_drops (stats, T0 + 902 * SECOND);
  g_assert_cmpuint (drops->len, ==, 1);
  g_clear_pointer (&drops, g_ptr_array_unref);
  drops = ocd_stats_recent_drops (stats, T0 + 904 * SECOND);
  g_assert_cmpuint (drops->len, ==, 0);
  ocd_stats_set_context (stats, NULL);
}

static void
test_advice (void)
{
  const ObicoSeverity bands[] = {
    OBICO_SEVERITY_NONE, OBICO_SEVERITY_LOW, OBICO_SEVERITY_MODERATE, OBICO_SEVERITY_HIGH,
    OBICO_SEVERITY_TOTAL,
  };

  for (guint i = 0; i < G_N_ELEMENTS (bands); i++)
    {
      const char *advice = ocd_stats_advice (bands[i]);

      g_assert_nonnull (advice);
      g_assert_cmpuint (strlen (advice), >, 20);
      for (guint j = 0; j < i; j++)
        g_assert_cmpstr (advice, !=, ocd_stats_advice (bands[j]));
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/stats/severity-bands", test_severity_bands);
  g_test_add_func ("/stats/alert-rule", test_alert_rule);
  g_test_add_func ("/stats/summary", test_summary);
  g_test_add_func ("/stats/window-forgets", test_window_forgets);
  g_test_add_func ("/stats/window-clock-back", test_window_clock_back);
  g_test_add_func ("/stats/event-cap", test_event_cap);
  g_test_add_func ("/stats/variant", test_variant);
  g_test_add_func ("/stats/outages", test_outages);
  g_test_add_func ("/stats/host-context", test_host_context);
  g_test_add_func ("/stats/advice", test_advice);
  return g_test_run ();
}
