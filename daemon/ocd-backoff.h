/* ocd-backoff.h — when the agent role reconnects after a failure (pure) */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The official agents' backoff: after the n-th failure in a row wait
 * min(2^(n-3), 300) s × a jitter from 0.5 to 1.5 (docs/obico-protocol.md).
 * A session that stayed up 30 s or more starts the count again. */
#define OCD_BACKOFF_MAX_SECONDS 300.0
#define OCD_BACKOFF_HEALTHY_USEC (30 * G_USEC_PER_SEC)

typedef struct {
  guint failures;   /* in a row, since a start or a healthy session */
} OcdBackoff;

double ocd_backoff_delay         (guint failures, double jitter);
double ocd_backoff_next          (OcdBackoff *backoff, double jitter);
void   ocd_backoff_session_ended (OcdBackoff *backoff, gint64 lasted_usec);
void   ocd_backoff_reset         (OcdBackoff *backoff);

G_END_DECLS
