/* oc-outage.c — when a link problem is an outage worth a notification
 *
 * The daemon's State, as the notifier sees it, in three phases. Leaving
 * "okay" starts a grace period; only a problem that outlasts it is an outage,
 * told once, and only a told outage gets a "back online". "unlinked" is a
 * choice, not an outage. A NULL state means the daemon is not running: a
 * shown notification stays (the printer is not back), a grace period ends,
 * and the next daemon's first state starts a new one. No clocks here: the
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
  LINK_UNKNOWN,
} LinkClass;

static LinkClass
classify (const char *state)
{
  if (state == NULL)
    return LINK_UNKNOWN;
  if (g_str_equal (state, "okay"))
    return LINK_UP;
  if (g_str_equal (state, "unlinked"))
    return LINK_UNLINKED;
  /* connecting, disconnected, error, and whatever a newer daemon adds */
  return LINK_DOWN;
}

void
oc_outage_init (OcOutage *self)
{
  self->phase = OC_OUTAGE_PHASE_IDLE;
}

OcOutageStep
oc_outage_set_state (OcOutage   *self,
                     const char *state)
{
  LinkClass link = classify (state);

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
      if (link == LINK_DOWN || link == LINK_UNKNOWN)
        return OC_OUTAGE_NOTHING;
      self->phase = OC_OUTAGE_PHASE_IDLE;
      return link == LINK_UP ? OC_OUTAGE_SHOW_ONLINE : OC_OUTAGE_WITHDRAW;

    default:
      g_assert_not_reached ();
    }
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
