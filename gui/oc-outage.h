/* oc-outage.h — when a link problem is an outage worth a notification
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "obico-labels.h"

G_BEGIN_DECLS

typedef enum {
  OC_OUTAGE_PHASE_IDLE,      /* okay, or nothing to watch */
  OC_OUTAGE_PHASE_PENDING,   /* not okay, within the grace period */
  OC_OUTAGE_PHASE_NOTIFIED,  /* the "offline" notification is shown */
} OcOutagePhase;

/* What the caller has to do after a step. */
typedef enum {
  OC_OUTAGE_NOTHING,
  OC_OUTAGE_START_GRACE,     /* start the grace timer */
  OC_OUTAGE_STOP_GRACE,      /* a blip: stop the grace timer, say nothing */
  OC_OUTAGE_SHOW_OFFLINE,
  OC_OUTAGE_SHOW_ONLINE,     /* withdraw "offline", show "back online" */
  OC_OUTAGE_WITHDRAW,        /* withdraw "offline" without a word */
} OcOutageStep;

typedef struct {
  OcOutagePhase phase;
} OcOutage;

void         oc_outage_init         (OcOutage   *self);
OcOutageStep oc_outage_set_state    (OcOutage     *self,
                                     ObicoState    state,
                                     ObicoProblem  problem);
OcOutageStep oc_outage_service_gone (OcOutage   *self);
OcOutageStep oc_outage_grace_over   (OcOutage   *self);
OcOutageStep oc_outage_reset        (OcOutage   *self);

G_END_DECLS
