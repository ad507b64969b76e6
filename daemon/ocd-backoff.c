/* ocd-backoff.c — the reconnect delays of the agent role, as the official
 * agents (OctoPrint-Obico, moonraker-obico) space theirs: doubling from 1/4 s,
 * at most 5 minutes, jittered so that printers cut off together by one outage
 * do not all come back in the same second. */
#include "config.h"

#include <math.h>

#include "ocd-backoff.h"

/* Seconds to wait after the @failures-th failure in a row; @jitter is drawn
 * by the caller from 0.5 to 1.5 (a value outside is clamped). */
double
ocd_backoff_delay (guint failures, double jitter)
{
  double base = MIN (pow (2.0, (double) failures - 3.0), OCD_BACKOFF_MAX_SECONDS);

  return base * CLAMP (jitter, 0.5, 1.5);
}

/* One more failure: the delay before the next try, in seconds. */
double
ocd_backoff_next (OcdBackoff *backoff, double jitter)
{
  if (backoff->failures < G_MAXUINT)
    backoff->failures++;
  return ocd_backoff_delay (backoff->failures, jitter);
}

/* A session that was open for @lasted_usec ended: one that stayed up long
 * enough counts as healthy and starts the count again. */
void
ocd_backoff_session_ended (OcdBackoff *backoff, gint64 lasted_usec)
{
  if (lasted_usec >= OCD_BACKOFF_HEALTHY_USEC)
    backoff->failures = 0;
}

void
ocd_backoff_reset (OcdBackoff *backoff)
{
  backoff->failures = 0;
}
