/* test-cause.c — the cause of the recent drops from the host's context at
 * each: a share of the drops, at least two and more than half of them,
 * names it; what the drops do not share names nothing. */
#include "config.h"

#include "ocd-cause.h"

typedef struct {
  const char   *name;
  const char   *drops[10];   /* the context at each drop (GVariant text), NULL ends */
  ObicoProblem  problem;
  const char   *detail;      /* NULL: none */
} Row;

#define WEAK "{'wifi_signal': <@u 18>}"
#define EDGE "{'wifi_signal': <@u 30>}"
#define STRONG "{'wifi_signal': <@u 82>}"
#define EMPTY "@a{sv} {}"
#define SAVE "{'wifi_signal': <@u 60>, 'wifi_power_save': <true>}"
#define NO_SAVE "{'wifi_signal': <@u 60>, 'wifi_power_save': <false>}"
#define LOW_V "{'under_voltage': <true>, 'under_voltage_since_boot': <true>}"
#define WAS_LOW_V "{'under_voltage': <false>, 'under_voltage_since_boot': <true>}"
#define OFF_CLOCK "{'clock_synchronized': <false>, 'clock_skew': <-200.0>}"
#define SYNCED_OFF "{'clock_synchronized': <true>, 'clock_skew': <-200.0>}"
#define CLOSE_CLOCK "{'clock_synchronized': <false>, 'clock_skew': <2.0>}"
#define UNKNOWN_SYNC_OFF "{'clock_skew': <90000.0>}"

static const Row rows[] = {
  { "no drops", { NULL }, OBICO_PROBLEM_NONE, NULL },
  { "one weak drop is not enough", { WEAK }, OBICO_PROBLEM_NONE, NULL },
  { "two weak drops", { WEAK, WEAK }, OBICO_PROBLEM_WEAK_WIFI,
    "2 of the last 2 drops happened while the Wi-Fi signal was under 30 %." },
  { "7 of 9", { WEAK, STRONG, WEAK, WEAK, WEAK, EMPTY, WEAK, WEAK, WEAK }, OBICO_PROBLEM_WEAK_WIFI,
    "7 of the last 9 drops happened while the Wi-Fi signal was under 30 %." },
  { "half is not more than half", { WEAK, WEAK, STRONG, STRONG }, OBICO_PROBLEM_NONE, NULL },
  { "30 % is not under 30 %", { EDGE, EDGE, EDGE }, OBICO_PROBLEM_NONE, NULL },
  { "strong signal", { STRONG, STRONG, STRONG }, OBICO_PROBLEM_NONE, NULL },
  { "no context told", { EMPTY, EMPTY, EMPTY }, OBICO_PROBLEM_NONE, NULL },
  { "power saving on", { SAVE, SAVE, NO_SAVE }, OBICO_PROBLEM_WIFI_POWER_SAVE,
    "2 of the last 3 drops happened while Wi-Fi power saving was on, which lets the Wi-Fi sleep and "
    "drop idle connections." },
  { "power saving off", { NO_SAVE, NO_SAVE, NO_SAVE }, OBICO_PROBLEM_NONE, NULL },
  { "weak-wifi over power saving", { "{'wifi_signal': <@u 10>, 'wifi_power_save': <true>}",
                                     "{'wifi_signal': <@u 10>, 'wifi_power_save': <true>}" },
    OBICO_PROBLEM_WEAK_WIFI, "2 of the last 2 drops happened while the Wi-Fi signal was under 30 %." },
  { "under-voltage now", { LOW_V, LOW_V, STRONG }, OBICO_PROBLEM_UNDER_VOLTAGE,
    "2 of the last 3 drops happened while the Raspberry Pi reported under-voltage: its power supply "
    "gives too little for the Wi-Fi and USB to work reliably." },
  { "under-voltage once since boot is no evidence", { WAS_LOW_V, WAS_LOW_V, WAS_LOW_V },
    OBICO_PROBLEM_NONE, NULL },
  { "a wrong clock", { OFF_CLOCK, OFF_CLOCK, OFF_CLOCK }, OBICO_PROBLEM_CLOCK,
    "3 of the last 3 drops happened while this host's clock was not synchronized and 3 minutes off "
    "the server's." },
  { "a synchronized clock is right", { SYNCED_OFF, SYNCED_OFF, SYNCED_OFF }, OBICO_PROBLEM_NONE, NULL },
  { "unsynchronized but close", { CLOSE_CLOCK, CLOSE_CLOCK, CLOSE_CLOCK }, OBICO_PROBLEM_NONE, NULL },
  { "unsynchronized without a skew", { "{'clock_synchronized': <false>}", "{'clock_synchronized': <false>}" },
    OBICO_PROBLEM_NONE, NULL },
  { "a day off without timedated", { UNKNOWN_SYNC_OFF, UNKNOWN_SYNC_OFF }, OBICO_PROBLEM_CLOCK,
    "2 of the last 2 drops happened while this host's clock was not synchronized and 25 hours off the "
    "server's." },
};

static void
test_drops (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autoptr(GPtrArray) drops = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
      OcdCauseInputs in = { 0 };
      g_auto(OcdCause) out = { 0 };

      g_test_message ("%s", rows[i].name);
      for (guint j = 0; rows[i].drops[j] != NULL; j++)
        g_ptr_array_add (drops, g_variant_ref_sink (g_variant_new_parsed (rows[i].drops[j])));
      in.drops = (GVariant * const *) drops->pdata;
      in.n_drops = drops->len;
      ocd_cause_of_drops (&in, &out);
      g_assert_cmpstr (obico_problem_to_string (out.problem), ==, obico_problem_to_string (rows[i].problem));
      g_assert_cmpstr (out.detail, ==, rows[i].detail);
    }
}

static void
check_tls (const char *now, GTlsCertificateFlags errors, ObicoProblem problem, const char *detail)
{
  g_autoptr(GVariant) host = now != NULL ? g_variant_ref_sink (g_variant_new_parsed (now)) : NULL;
  OcdCauseInputs in = { .host = host, .tls_errors = errors };
  g_auto(OcdCause) out = { 0 };

  g_test_message ("%s, errors %x", now, errors);
  ocd_cause_of_tls (&in, &out);
  g_assert_cmpstr (obico_problem_to_string (out.problem), ==, obico_problem_to_string (problem));
  g_assert_cmpstr (out.detail, ==, detail);
}

static void
test_tls (void)
{
  const char *unsynced = "The server's certificate is not valid by this host's clock, which is not "
                         "synchronized with network time.";

  check_tls ("{'clock_synchronized': <false>}", G_TLS_CERTIFICATE_NOT_ACTIVATED, OBICO_PROBLEM_CLOCK,
             unsynced);
  check_tls ("{'clock_synchronized': <false>}", G_TLS_CERTIFICATE_EXPIRED | G_TLS_CERTIFICATE_UNKNOWN_CA,
             OBICO_PROBLEM_CLOCK, unsynced);
  check_tls ("{'clock_synchronized': <false>, 'clock_skew': <259200.0>}", G_TLS_CERTIFICATE_NOT_ACTIVATED,
             OBICO_PROBLEM_CLOCK, "The server's certificate is not valid by this host's clock, which is 3 "
             "days off the server's and not synchronized with network time.");
  check_tls ("{'clock_skew': <7200.0>}", G_TLS_CERTIFICATE_EXPIRED, OBICO_PROBLEM_CLOCK,
             "The server's certificate is not valid by this host's clock, which is 2 hours off the "
             "server's and not synchronized with network time.");
  /* A right clock, or a clock nothing tells about: the certificate. */
  check_tls ("{'clock_synchronized': <true>}", G_TLS_CERTIFICATE_NOT_ACTIVATED, OBICO_PROBLEM_NONE, NULL);
  check_tls ("{'clock_synchronized': <false>, 'clock_skew': <1.0>}", G_TLS_CERTIFICATE_NOT_ACTIVATED,
             OBICO_PROBLEM_NONE, NULL);
  check_tls (NULL, G_TLS_CERTIFICATE_NOT_ACTIVATED, OBICO_PROBLEM_NONE, NULL);
  check_tls ("@a{sv} {}", G_TLS_CERTIFICATE_EXPIRED, OBICO_PROBLEM_NONE, NULL);
  /* A wrong clock does not explain a certificate for another name. */
  check_tls ("{'clock_synchronized': <false>}", G_TLS_CERTIFICATE_BAD_IDENTITY, OBICO_PROBLEM_NONE, NULL);
  check_tls ("{'clock_synchronized': <false>}", 0, OBICO_PROBLEM_NONE, NULL);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cause/drops", test_drops);
  g_test_add_func ("/cause/tls", test_tls);
  return g_test_run ();
}
