/* oc-outage.c — when a link problem is an outage worth a notification
 *
 * The daemon's State, as the notifier sees it, in three phases. Leaving
 * "okay" starts a grace period; only a problem that outlasts it is an outage,
 * told once, and only a told outage gets a "back online". "unlinked" is a
 * choice, not an outage; "no-network" (this computer has no network) is not
 * the server's outage either: no "offline" for it, nor "back online" after
 * it. When the daemon stops running, a shown
 * notification stays (the printer is not back), a grace period ends, and the
 * next daemon's first state starts a new one. No clocks here: the
 * caller owns the timer, so this is easy to test.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "oc-outage.h"

typedef enum {
  LINK_UP,
  LINK_DOWN,
  LINK_UNLINKED,
  LINK_GONE,
} LinkClass;

static LinkClass
classify (ObicoState state, ObicoProblem problem)
{
  if (state == OBICO_STATE_OKAY)
    return LINK_UP;
  /* unlinked is a choice; no network on this computer is not the server's
   * outage: both quietly end what was pending or told */
  if (state == OBICO_STATE_UNLINKED || problem == OBICO_PROBLEM_NO_NETWORK)
    return LINK_UNLINKED;
  /* connecting, disconnected, error, and whatever a newer daemon adds */
  return LINK_DOWN;
}

void
oc_outage_init (OcOutage *self)
{
  self->phase = OC_OUTAGE_PHASE_IDLE;
}

static OcOutageStep
step (OcOutage  *self,
      LinkClass  link)
{
  switch (self->phase)
    {
    case OC_OUTAGE_PHASE_IDLE:
      if (link != LINK_DOWN)
        return OC_OUTAGE_NOTHING;
      self->phase = OC_OUTAGE_PHASE_PENDING;
      return OC_OUTAGE_START_GRACE;

    case OC_OUTAGE_PHASE_PENDING:
      if (link == LINK_DOWN)
        return OC_OUTAGE_NOTHING;
      self->phase = OC_OUTAGE_PHASE_IDLE;
      return OC_OUTAGE_STOP_GRACE;

    case OC_OUTAGE_PHASE_NOTIFIED:
      if (link == LINK_DOWN || link == LINK_GONE)
        return OC_OUTAGE_NOTHING;
      self->phase = OC_OUTAGE_PHASE_IDLE;
      return link == LINK_UP ? OC_OUTAGE_SHOW_ONLINE : OC_OUTAGE_WITHDRAW;

    default:
      g_assert_not_reached ();
    }
}

/* The daemon's State (OBICO_STATE_UNKNOWN for one this app does not know)
 * and Problem. */
OcOutageStep
oc_outage_set_state (OcOutage     *self,
                     ObicoState    state,
                     ObicoProblem  problem)
{
  return step (self, classify (state, problem));
}

/* The daemon is not running. */
OcOutageStep
oc_outage_service_gone (OcOutage *self)
{
  return step (self, LINK_GONE);
}

OcOutageStep
oc_outage_grace_over (OcOutage *self)
{
  /* a timer that fired after the state changed is stale */
  if (self->phase != OC_OUTAGE_PHASE_PENDING)
    return OC_OUTAGE_NOTHING;

  self->phase = OC_OUTAGE_PHASE_NOTIFIED;
  return OC_OUTAGE_SHOW_OFFLINE;
}

/* Notifications were turned off: forget the outage, quietly. */
OcOutageStep
oc_outage_reset (OcOutage *self)
{
  OcOutagePhase phase = self->phase;

  self->phase = OC_OUTAGE_PHASE_IDLE;
  switch (phase)
    {
    case OC_OUTAGE_PHASE_PENDING:
      return OC_OUTAGE_STOP_GRACE;
    case OC_OUTAGE_PHASE_NOTIFIED:
      return OC_OUTAGE_WITHDRAW;
    case OC_OUTAGE_PHASE_IDLE:
    default:
      return OC_OUTAGE_NOTHING;
    }
}
