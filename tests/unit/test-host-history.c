/* test-host-history.c — the host's context over 24 hours: recorded on
 * change, a minute's changes folded with their worst, what the host no
 * longer tells, roams, the window and its bound whatever the Wi-Fi does. */
#include "config.h"

#include "ocd-host-history.h"

#define T0 ((gint64) 1800000000 * G_USEC_PER_SEC)
#define S(seconds) ((gint64) (seconds) * G_USEC_PER_SEC)

/* A Host context: "signal", "rtt" … < 0 leave the key out. */
static GVariant *
context (int signal, double rtt, int under_voltage, int roams)
{
  GVariantDict dict;

  g_variant_dict_init (&dict, NULL);
  if (signal >= 0)
    g_variant_dict_insert (&dict, "wifi_signal", "u", (guint32) signal);
  if (rtt >= 0)
    g_variant_dict_insert (&dict, "rtt_ms", "d", rtt);
  if (under_voltage >= 0)
    g_variant_dict_insert (&dict, "under_voltage", "b", (gboolean) under_voltage);
  if (roams >= 0)
    g_variant_dict_insert (&dict, "wifi_roams", "u", (guint32) roams);
  g_variant_dict_insert (&dict, "proxy", "s", "http://proxy:3128");
  return g_variant_ref_sink (g_variant_dict_end (&dict));
}

static void
record (OcdHostHistory *history, int signal, double rtt, int under_voltage, int roams, gint64 t)
{
  g_autoptr(GVariant) c = context (signal, rtt, under_voltage, roams);

  ocd_host_history_record (history, c, t);
}

static GVariant *
entries (OcdHostHistory *history, gint64 now)
{
  return g_variant_ref_sink (ocd_host_history_to_variant (history, now));
}

static GVariant *
entry (GVariant *list, gsize i)
{
  g_assert_cmpuint (i, <, g_variant_n_children (list));
  return g_variant_get_child_value (list, i);
}

static void
test_on_change (void)
{
  g_autoptr(OcdHostHistory) history = ocd_host_history_new ();
  g_autoptr(GVariant) list = NULL;
  g_autoptr(GVariant) first = NULL;
  g_autoptr(GVariant) second = NULL;
  guint32 signal = 0;
  double rtt = 0;
  gint64 t = 0;

  list = entries (history, T0);
  g_assert_cmpuint (g_variant_n_children (list), ==, 0);
  g_clear_pointer (&list, g_variant_unref);

  record (history, 80, 20, 0, 0, T0);
  /* the same context, however often, is no entry */
  for (int i = 1; i < 100; i++)
    record (history, 80, 20, 0, 0, T0 + S (i * 30));
  g_assert_cmpuint (ocd_host_history_get_length (history), ==, 1);
  record (history, 40, 20, 0, 0, T0 + S (3000));
  g_assert_cmpuint (ocd_host_history_get_length (history), ==, 2);

  list = entries (history, T0 + S (3600));
  g_assert_cmpuint (g_variant_n_children (list), ==, 2);
  first = entry (list, 0);
  g_assert_true (g_variant_lookup (first, "t", "x", &t));
  g_assert_cmpint (t, ==, T0);
  /* the first entry is the whole context that history follows */
  g_assert_true (g_variant_lookup (first, "wifi_signal", "u", &signal));
  g_assert_cmpuint (signal, ==, 80);
  g_assert_true (g_variant_lookup (first, "rtt_ms", "d", &rtt));
  g_assert_cmpfloat (rtt, ==, 20);
  g_assert_true (g_variant_lookup_value (first, "under_voltage", G_VARIANT_TYPE_BOOLEAN) != NULL);
  g_assert_null (g_variant_lookup_value (first, "proxy", NULL));
  g_assert_null (g_variant_lookup_value (first, "roams", NULL));
  /* later entries: only what changed */
  second = entry (list, 1);
  g_assert_true (g_variant_lookup (second, "t", "x", &t));
  g_assert_cmpint (t, ==, T0 + S (3000));
  g_assert_true (g_variant_lookup (second, "wifi_signal", "u", &signal));
  g_assert_cmpuint (signal, ==, 40);
  g_assert_null (g_variant_lookup_value (second, "rtt_ms", NULL));
  g_assert_null (g_variant_lookup_value (second, "wifi_signal_min", NULL));
  g_assert_cmpuint (g_variant_n_children (second), ==, 2);
}

static void
test_fold_minute (void)
{
  g_autoptr(OcdHostHistory) history = ocd_host_history_new ();
  g_autoptr(GVariant) list = NULL;
  g_autoptr(GVariant) folded = NULL;
  guint32 signal = 0;
  double rtt = 0;
  gboolean flag = FALSE;

  record (history, 80, 20, 0, 0, T0);
  /* a dip and an RTT peak within a minute: one entry, its last values and
   * its worst */
  record (history, 20, 20, 0, 0, T0 + S (600));
  record (history, 20, 400, 1, 0, T0 + S (610));
  record (history, 75, 30, 0, 0, T0 + S (659));
  g_assert_cmpuint (ocd_host_history_get_length (history), ==, 2);
  list = entries (history, T0 + S (700));
  folded = entry (list, 1);
  g_assert_true (g_variant_lookup (folded, "wifi_signal", "u", &signal));
  g_assert_cmpuint (signal, ==, 75);
  g_assert_true (g_variant_lookup (folded, "wifi_signal_min", "u", &signal));
  g_assert_cmpuint (signal, ==, 20);
  g_assert_true (g_variant_lookup (folded, "rtt_ms", "d", &rtt));
  g_assert_cmpfloat (rtt, ==, 30);
  g_assert_true (g_variant_lookup (folded, "rtt_ms_max", "d", &rtt));
  g_assert_cmpfloat (rtt, ==, 400);
  g_assert_true (g_variant_lookup (folded, "under_voltage", "b", &flag));
  g_assert_false (flag);
  g_assert_true (g_variant_lookup (folded, "under_voltage_seen", "b", &flag));
  g_assert_true (flag);

  /* a minute after the entry began: a new one */
  record (history, 60, 30, 0, 0, T0 + S (660));
  g_assert_cmpuint (ocd_host_history_get_length (history), ==, 3);
  /* the clock went back: folded into the last, never before it */
  record (history, 50, 30, 0, 0, T0 + S (100));
  g_assert_cmpuint (ocd_host_history_get_length (history), ==, 3);
}

static void
test_gone_and_roams (void)
{
  g_autoptr(OcdHostHistory) history = ocd_host_history_new ();
  g_autoptr(GVariant) list = NULL;
  g_autoptr(GVariant) gone_entry = NULL;
  g_autoptr(GVariant) back = NULL;
  g_autoptr(GVariant) roamed = NULL;
  g_autofree const char **gone = NULL;
  guint32 roams = 0;
  double rtt = 0;

  record (history, 80, 20, -1, 0, T0);
  /* the WebSocket closed: the RTT is no longer told */
  record (history, 80, -1, -1, 0, T0 + S (120));
  record (history, 80, 25, -1, 0, T0 + S (240));
  /* two roams, then Wi-Fi gone (its count with it) and back */
  record (history, 80, 25, -1, 2, T0 + S (360));
  record (history, -1, 25, -1, -1, T0 + S (480));
  record (history, 70, 25, -1, 2, T0 + S (600));
  list = entries (history, T0 + S (700));
  g_assert_cmpuint (g_variant_n_children (list), ==, 6);

  gone_entry = entry (list, 1);
  g_assert_true (g_variant_lookup (gone_entry, "gone", "^a&s", &gone));
  g_assert_cmpuint (g_strv_length ((char **) gone), ==, 1);
  g_assert_cmpstr (gone[0], ==, "rtt_ms");
  g_assert_null (g_variant_lookup_value (gone_entry, "rtt_ms", NULL));
  back = entry (list, 2);
  g_assert_true (g_variant_lookup (back, "rtt_ms", "d", &rtt));
  g_assert_cmpfloat (rtt, ==, 25);
  g_assert_null (g_variant_lookup_value (back, "gone", NULL));
  roamed = entry (list, 3);
  g_assert_true (g_variant_lookup (roamed, "roams", "u", &roams));
  g_assert_cmpuint (roams, ==, 2);
  /* back on Wi-Fi with the same count: no roam */
  for (gsize i = 4; i < 6; i++)
    {
      g_autoptr(GVariant) e = entry (list, i);

      g_assert_null (g_variant_lookup_value (e, "roams", NULL));
    }
}

static void
test_window (void)
{
  g_autoptr(OcdHostHistory) history = ocd_host_history_new ();
  g_autoptr(GVariant) list = NULL;
  g_autoptr(GVariant) first = NULL;
  gint64 now = T0 + OCD_HOST_HISTORY_WINDOW_USEC + S (7200);
  guint32 signal = 0;
  double rtt = 0;
  gint64 t = 0;

  record (history, 80, 20, 0, 0, T0);
  record (history, 30, 20, 0, 0, T0 + S (60));       /* a dip, out of the window */
  record (history, 50, 20, 0, 0, T0 + S (3600));     /* the value at the window's start */
  record (history, 60, 20, 0, 0, now - S (3600));
  list = entries (history, now);
  g_assert_cmpuint (g_variant_n_children (list), ==, 2);
  first = entry (list, 0);
  /* what held when the window begins, with all of it */
  g_assert_true (g_variant_lookup (first, "t", "x", &t));
  g_assert_cmpint (t, ==, now - OCD_HOST_HISTORY_WINDOW_USEC);
  g_assert_true (g_variant_lookup (first, "wifi_signal", "u", &signal));
  g_assert_cmpuint (signal, ==, 50);
  g_assert_true (g_variant_lookup (first, "rtt_ms", "d", &rtt));
  g_assert_cmpfloat (rtt, ==, 20);
  g_assert_null (g_variant_lookup_value (first, "wifi_signal_min", NULL));
}

/* A signal that moves every 5 s for two days (as a flaky access point
 * does), with the RTT every heartbeat: at most one entry a minute for 24 h. */
static void
test_bounded (void)
{
  g_autoptr(OcdHostHistory) history = ocd_host_history_new ();
  g_autoptr(GVariant) list = NULL;
  gint64 end = T0 + 2 * OCD_HOST_HISTORY_WINDOW_USEC;
  gint64 t;
  guint max_length = 0;
  guint n = 0;
  gint64 previous = 0;

  for (t = T0; t < end; t += S (5), n++)
    {
      record (history, 20 + (n * 7) % 70, 10 + (n % 6) * 30, (n % 1000) == 0, n / 500, t);
      max_length = MAX (max_length, ocd_host_history_get_length (history));
    }
  g_test_message ("%u changes in 48 h: at most %u entries, %" G_GSIZE_FORMAT " bytes",
                  n, max_length, ocd_host_history_get_size (history));
  g_assert_cmpuint (max_length, <=, 24 * 60 + 1);
  g_assert_cmpuint (max_length, >=, 24 * 60 - 1);
  g_assert_cmpuint (ocd_host_history_get_size (history), <=, 128 * 1024);
  list = entries (history, t);
  g_assert_cmpuint (g_variant_n_children (list), <=, 24 * 60 + 1);
  /* oldest first, inside the window */
  for (gsize i = 0; i < g_variant_n_children (list); i++)
    {
      g_autoptr(GVariant) e = entry (list, i);
      gint64 when = 0;

      g_assert_true (g_variant_lookup (e, "t", "x", &when));
      g_assert_cmpint (when, >=, t - OCD_HOST_HISTORY_WINDOW_USEC);
      /* after the first, which holds what was true at the window's start */
      if (i > 1)
        g_assert_cmpint (when, >=, previous + OCD_HOST_HISTORY_FOLD_USEC);
      previous = when;
    }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/host-history/on-change", test_on_change);
  g_test_add_func ("/host-history/fold-minute", test_fold_minute);
  g_test_add_func ("/host-history/gone-and-roams", test_gone_and_roams);
  g_test_add_func ("/host-history/window", test_window);
  g_test_add_func ("/host-history/bounded", test_bounded);
  return g_test_run ();
}
