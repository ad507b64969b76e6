/* ocd-cause.h — what the host's context says about why a link fails
 * (pure, unit-tested): the evidence of weak Wi-Fi, Wi-Fi power saving,
 * under-voltage and a wrong clock in the contexts of the recent drops. */
#pragma once

#include <gio/gio.h>

#include "obico-enums.h"

G_BEGIN_DECLS

/* The thresholds of docs/design.md ("Naming the cause"). */
#define OCD_CAUSE_WEAK_SIGNAL   30     /* %: a drop under this signal is a weak-signal drop */
#define OCD_CAUSE_MIN_DROPS     2      /* a cause needs at least this many drops … */
                                       /* … and more than half of the recent ones */
#define OCD_CAUSE_CLOCK_SKEW    60.0   /* s: a clock this far off the server's is wrong */

typedef struct {
  /* The host's context (a{sv}, Host's keys) at the start of each outage of
   * the recent window, oldest first; an empty a{sv} where none was known. */
  GVariant * const     *drops;
  guint                 n_drops;
  /* The host's context now, NULL: none known. */
  GVariant             *host;
  /* The certificate problems of the last failed secure connection. */
  GTlsCertificateFlags  tls_errors;
} OcdCauseInputs;

typedef struct {
  ObicoProblem  problem;   /* NONE: the evidence points to no cause */
  char         *detail;    /* the evidence, a translated sentence */
} OcdCause;

/* The cause of the recent drops (weak-wifi, wifi-power-save,
 * under-voltage, clock), or none. */
void ocd_cause_of_drops (const OcdCauseInputs *in,
                         OcdCause             *out);
/* A failed secure connection whose certificate is not valid yet or any more
 * by a clock that is wrong: clock, or none. */
void ocd_cause_of_tls   (const OcdCauseInputs *in,
                         OcdCause             *out);
void ocd_cause_clear    (OcdCause *cause);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (OcdCause, ocd_cause_clear)

G_END_DECLS
