/* test-backoff.c — the agent role's reconnect delays: the official agents'
 * min(2^(n-3), 300) s × jitter after the n-th failure in a row, and the
 * count starting again after a session of 30 s or more (docs/obico-protocol.md) */
#include "config.h"

#include "ocd-backoff.h"

#define SECOND ((gint64) G_USEC_PER_SEC)

static void
test_delay_table (void)
{
  static const struct {
    guint failures;
    double jitter;
    double seconds;
  } cases[] = {
    /* the first failure waits a quarter second, then each one doubles */
    { 1, 1.0, 0.25 },
    { 2, 1.0, 0.5 },
    { 3, 1.0, 1.0 },
    { 4, 1.0, 2.0 },
    { 5, 1.0, 4.0 },
    { 8, 1.0, 32.0 },
    { 11, 1.0, 256.0 },
    /* five minutes at most, however long it lasts */
    { 12, 1.0, 300.0 },
    { 13, 1.0, 300.0 },
    { 64, 1.0, 300.0 },
    { 2000, 1.0, 300.0 },
    { G_MAXUINT, 1.0, 300.0 },
    /* before any failure (not used by the session, but defined) */
    { 0, 1.0, 0.125 },
    /* the jitter spreads the wait from half to one and a half times */
    { 1, 0.5, 0.125 },
    { 1, 1.5, 0.375 },
    { 4, 0.5, 1.0 },
    { 4, 1.5, 3.0 },
    { 4, 0.75, 1.5 },
    { 12, 0.5, 150.0 },
    { 12, 1.5, 450.0 },      /* the cap applies before the jitter, as in the agents */
    /* a jitter out of range is clamped, never a zero or negative wait */
    { 4, 0.0, 1.0 },
    { 4, -3.0, 1.0 },
    { 4, 1.6, 3.0 },
    { 4, 100.0, 3.0 },
    { 12, 10.0, 450.0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      double delay = ocd_backoff_delay (cases[i].failures, cases[i].jitter);

      if (!G_APPROX_VALUE (delay, cases[i].seconds, 1e-9))
        g_error ("failure %u, jitter %g: %g s, expected %g s",
                 cases[i].failures, cases[i].jitter, delay, cases[i].seconds);
    }
}

/* Every wait lies in [base/2, base×3/2] and grows with the failures. */
static void
test_delay_bounds (void)
{
  double previous = 0;

  for (guint n = 1; n < 40; n++)
    {
      double base = ocd_backoff_delay (n, 1.0);
      double low = ocd_backoff_delay (n, 0.5);
      double high = ocd_backoff_delay (n, 1.5);

      g_assert_cmpfloat (base, >=, previous);
      g_assert_cmpfloat (base, <=, OCD_BACKOFF_MAX_SECONDS);
      g_assert_cmpfloat (low, >, 0);
      g_assert_cmpfloat_with_epsilon (low, base / 2, 1e-9);
      g_assert_cmpfloat_with_epsilon (high, base * 1.5, 1e-9);
      previous = base;
    }
}

typedef enum {
  FAIL,           /* a failure: the next delay */
  SESSION_ENDED,  /* a session that was open for arg µs closed */
  RESET,          /* the session (re)started */
} Step;

/* A life of the session: what it waits after each failure. */
static void
test_sequence (void)
{
  static const struct {
    Step step;
    gint64 arg;
    guint failures;    /* after the step */
    double seconds;    /* FAIL: the delay with jitter 1 */
  } steps[] = {
    { FAIL, 0, 1, 0.25 },
    { FAIL, 0, 2, 0.5 },
    { FAIL, 0, 3, 1.0 },
    /* a session that was short-lived does not count as healthy */
    { SESSION_ENDED, 0, 3, 0 },
    { SESSION_ENDED, 1 * SECOND, 3, 0 },
    { SESSION_ENDED, 30 * SECOND - 1, 3, 0 },
    { SESSION_ENDED, -5 * SECOND, 3, 0 },
    { FAIL, 0, 4, 2.0 },
    { FAIL, 0, 5, 4.0 },
    /* 30 s or more: the count starts again */
    { SESSION_ENDED, 30 * SECOND, 0, 0 },
    { FAIL, 0, 1, 0.25 },
    { FAIL, 0, 2, 0.5 },
    { SESSION_ENDED, 24 * 3600 * SECOND, 0, 0 },   /* the server's daily close */
    { FAIL, 0, 1, 0.25 },
    /* a long outage reaches the cap and stays there */
    { FAIL, 0, 2, 0.5 },
    { FAIL, 0, 3, 1.0 },
    { FAIL, 0, 4, 2.0 },
    { FAIL, 0, 5, 4.0 },
    { FAIL, 0, 6, 8.0 },
    { FAIL, 0, 7, 16.0 },
    { FAIL, 0, 8, 32.0 },
    { FAIL, 0, 9, 64.0 },
    { FAIL, 0, 10, 128.0 },
    { FAIL, 0, 11, 256.0 },
    { FAIL, 0, 12, 300.0 },
    { FAIL, 0, 13, 300.0 },
    /* a restart (new credentials, Reconnect) starts from the beginning */
    { RESET, 0, 0, 0 },
    { FAIL, 0, 1, 0.25 },
    { RESET, 0, 0, 0 },
    { RESET, 0, 0, 0 },
    { SESSION_ENDED, 60 * SECOND, 0, 0 },
    { FAIL, 0, 1, 0.25 },
  };
  OcdBackoff backoff = { 0 };

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      double delay = 0;

      switch (steps[i].step)
        {
        case FAIL:
          delay = ocd_backoff_next (&backoff, 1.0);
          break;
        case SESSION_ENDED:
          ocd_backoff_session_ended (&backoff, steps[i].arg);
          break;
        case RESET:
          ocd_backoff_reset (&backoff);
          break;
        default:
          g_assert_not_reached ();
        }
      if (backoff.failures != steps[i].failures)
        g_error ("step %u: %u failures, expected %u", i, backoff.failures, steps[i].failures);
      if (steps[i].step == FAIL && !G_APPROX_VALUE (delay, steps[i].seconds, 1e-9))
        g_error ("step %u: %g s, expected %g s", i, delay, steps[i].seconds);
    }
}

/* The jitter the caller draws reaches the delay of that failure. */
static void
test_next_jitter (void)
{
  OcdBackoff backoff = { 0 };

  g_assert_cmpfloat_with_epsilon (ocd_backoff_next (&backoff, 0.5), 0.125, 1e-9);
  g_assert_cmpfloat_with_epsilon (ocd_backoff_next (&backoff, 1.5), 0.75, 1e-9);
  g_assert_cmpfloat_with_epsilon (ocd_backoff_next (&backoff, 7.0), 1.5, 1e-9);
  g_assert_cmpuint (backoff.failures, ==, 3);
}

/* The count saturates instead of wrapping to a short wait. */
static void
test_no_wrap (void)
{
  OcdBackoff backoff = { .failures = G_MAXUINT - 1 };

  g_assert_cmpfloat_with_epsilon (ocd_backoff_next (&backoff, 1.0), 300.0, 1e-9);
  g_assert_cmpfloat_with_epsilon (ocd_backoff_next (&backoff, 1.0), 300.0, 1e-9);
  g_assert_cmpuint (backoff.failures, ==, G_MAXUINT);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/backoff/delay-table", test_delay_table);
  g_test_add_func ("/backoff/delay-bounds", test_delay_bounds);
  g_test_add_func ("/backoff/sequence", test_sequence);
  g_test_add_func ("/backoff/next-jitter", test_next_jitter);
  g_test_add_func ("/backoff/no-wrap", test_no_wrap);
  return g_test_run ();
}
