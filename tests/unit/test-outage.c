/* test-outage.c — when a link problem is an outage worth a notification
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "oc-outage.h"

static void
test_outage_told_once (void)
{
  OcOutage outage;

  oc_outage_init (&outage);
  g_assert_cmpint (oc_outage_set_state (&outage, OBICO_STATE_OKAY, OBICO_PROBLEM_NONE), ==, OC_OUTAGE_NOTHING);
  g_assert_cmpint (oc_outage_set_state (&outage, OBICO_STATE_ERROR, OBICO_PROBLEM_NONE), ==, OC_OUTAGE_START_GRACE);
  /* the state wobbles inside one outage: the grace goes on */
  g_assert_cmpint (oc_outage_set_state (&outage, OBICO_STATE_CONNECTING, OBICO_PROBLEM_NONE), ==, OC_OUTAGE_NOTHING);
  g_assert_cmpint (oc_outage_set_state (&outage, OBICO_STATE_DISCONNECTED, OBICO_PROBLEM_NONE), ==, OC_OUTAGE_NOTHING);
  g_assert_cmpint (oc_outage_grace_over (&outage), ==, OC_OUTAGE_SHOW_OFFLINE);
  g_assert_cmpint (outage.phase, ==, OC_OUTAGE_PHASE_NOTIFIED);
  g_assert_cmpint (oc_outage_set_state (&outage, OBICO_STATE_ERROR, OBICO_PROBLEM_NONE), ==, OC_OUTAGE_NOTHING);
  g_assert_cmpint (oc_outage_grace_over (&outage), ==, OC_OUTAGE_NOTHING);
  g_assert_cmpint (oc_outage_set_state (&outage, OBICO_STATE_OKAY, OBICO_PROBLEM_NONE), ==, OC_OUTAGE_SHOW_ONLINE);
  g_assert_cmpint (outage.phase, ==, OC_OUTAGE_PHASE_IDLE);
  g_assert_cmpint (oc_outage_set_state (&outage, OBICO_STATE_OKAY, OBICO_PROBLEM_NONE), ==, OC_OUTAGE_NOTHING);
}

static void
test_outage_blips (void)
{
  OcOutage outage;

  oc_outage_init (&outage);
  for (guint i = 0; i < 5; i++)
    {
      g_assert_cmpint (oc_outage_set_state (&outage, OBICO_STATE_ERROR, OBICO_PROBLEM_NONE), ==, OC_OUTAGE_START_GRACE);
      g_assert_cmpint (oc_outage_set_state (&outage, OBICO_STATE_OKAY, OBICO_PROBLEM_NONE), ==, OC_OUTAGE_STOP_GRACE);
    }
  /* a timer that fired just after the blip ended is stale */
  g_assert_cmpint (oc_outage_grace_over (&outage), ==, OC_OUTAGE_NOTHING);
  g_assert_cmpint (outage.phase, ==, OC_OUTAGE_PHASE_IDLE);
}

static void
test_outage_unlinked (void)
{
  OcOutage outage;

  oc_outage_init (&outage);
  g_assert_cmpint (oc_outage_set_state (&outage, OBICO_STATE_UNLINKED, OBICO_PROBLEM_NONE), ==, OC_OUTAGE_NOTHING);
  g_assert_cmpint (oc_outage_grace_over (&outage), ==, OC_OUTAGE_NOTHING);

  /* unlinking during the grace or after the notification ends the outage quietly */
  g_assert_cmpint (oc_outage_set_state (&outage, OBICO_STATE_CONNECTING, OBICO_PROBLEM_NONE), ==, OC_OUTAGE_START_GRACE);
  g_assert_cmpint (oc_outage_set_state (&outage, OBICO_STATE_UNLINKED, OBICO_PROBLEM_NONE), ==, OC_OUTAGE_STOP_GRACE);
  g_assert_cmpint (oc_outage_set_state (&outage, OBICO_STATE_ERROR, OBICO_PROBLEM_NONE), ==, OC_OUTAGE_START_GRACE);
  g_assert_cmpint (oc_outage_grace_over (&outage), ==, OC_OUTAGE_SHOW_OFFLINE);
  g_assert_cmpint (oc_outage_set_state (&outage, OBICO_STATE_UNLINKED, OBICO_PROBLEM_NONE), ==, OC_OUTAGE_WITHDRAW);
  g_assert_cmpint (outage.phase, ==, OC_OUTAGE_PHASE_IDLE);
}

static void
test_outage_daemon_gone (void)
{
  OcOutage outage;

  oc_outage_init (&outage);
  /* gone during the grace: the next daemon's first state starts a new one */
  g_assert_cmpint (oc_outage_set_state (&outage, OBICO_STATE_ERROR, OBICO_PROBLEM_NONE), ==, OC_OUTAGE_START_GRACE);
  g_assert_cmpint (oc_outage_service_gone (&outage), ==, OC_OUTAGE_STOP_GRACE);
  g_assert_cmpint (oc_outage_service_gone (&outage), ==, OC_OUTAGE_NOTHING);
  g_assert_cmpint (oc_outage_set_state (&outage, OBICO_STATE_CONNECTING, OBICO_PROBLEM_NONE), ==, OC_OUTAGE_START_GRACE);
  g_assert_cmpint (oc_outage_grace_over (&outage), ==, OC_OUTAGE_SHOW_OFFLINE);

  /* gone after the notification: it stays until the next daemon says "okay" */
  g_assert_cmpint (oc_outage_service_gone (&outage), ==, OC_OUTAGE_NOTHING);
  g_assert_cmpint (oc_outage_set_state (&outage, OBICO_STATE_CONNECTING, OBICO_PROBLEM_NONE), ==, OC_OUTAGE_NOTHING);
  g_assert_cmpint (oc_outage_set_state (&outage, OBICO_STATE_OKAY, OBICO_PROBLEM_NONE), ==, OC_OUTAGE_SHOW_ONLINE);
}

/* A state only a newer daemon knows is not "okay": it counts as down. */
static void
test_outage_unknown_state (void)
{
  OcOutage outage;

  oc_outage_init (&outage);
  g_assert_cmpint (oc_outage_set_state (&outage, OBICO_STATE_UNKNOWN, OBICO_PROBLEM_NONE), ==, OC_OUTAGE_START_GRACE);
  g_assert_cmpint (oc_outage_grace_over (&outage), ==, OC_OUTAGE_SHOW_OFFLINE);
  g_assert_cmpint (oc_outage_set_state (&outage, OBICO_STATE_UNKNOWN, OBICO_PROBLEM_NONE), ==, OC_OUTAGE_NOTHING);
  g_assert_cmpint (oc_outage_set_state (&outage, OBICO_STATE_OKAY, OBICO_PROBLEM_NONE), ==, OC_OUTAGE_SHOW_ONLINE);
}

static void
test_outage_reset (void)
{
  OcOutage outage;

  oc_outage_init (&outage);
  g_assert_cmpint (oc_outage_reset (&outage), ==, OC_OUTAGE_NOTHING);
  g_assert_cmpint (oc_outage_set_state (&outage, OBICO_STATE_ERROR, OBICO_PROBLEM_NONE), ==, OC_OUTAGE_START_GRACE);
  g_assert_cmpint (oc_outage_reset (&outage), ==, OC_OUTAGE_STOP_GRACE);
  g_assert_cmpint (oc_outage_set_state (&outage, OBICO_STATE_ERROR, OBICO_PROBLEM_NONE), ==, OC_OUTAGE_START_GRACE);
  g_assert_cmpint (oc_outage_grace_over (&outage), ==, OC_OUTAGE_SHOW_OFFLINE);
  g_assert_cmpint (oc_outage_reset (&outage), ==, OC_OUTAGE_WITHDRAW);
  /* no "back online" for an outage that was forgotten */
  g_assert_cmpint (oc_outage_set_state (&outage, OBICO_STATE_OKAY, OBICO_PROBLEM_NONE), ==, OC_OUTAGE_NOTHING);
}

/* No network on this computer: not the server's outage, so no "offline"
 * for it, nor a "back online" when it ends; a told outage the host's
 * network then took over is withdrawn quietly. */
static void
test_outage_no_network (void)
{
  OcOutage outage;

  oc_outage_init (&outage);
  /* the daemon starts before the Wi-Fi is up */
  g_assert_cmpint (oc_outage_set_state (&outage, OBICO_STATE_ERROR, OBICO_PROBLEM_NO_NETWORK), ==,
                   OC_OUTAGE_NOTHING);
  g_assert_cmpint (oc_outage_grace_over (&outage), ==, OC_OUTAGE_NOTHING);
  g_assert_cmpint (oc_outage_set_state (&outage, OBICO_STATE_OKAY, OBICO_PROBLEM_NONE), ==,
                   OC_OUTAGE_NOTHING);

  /* a server problem turns out to be this computer's network */
  g_assert_cmpint (oc_outage_set_state (&outage, OBICO_STATE_ERROR, OBICO_PROBLEM_INTERNET), ==,
                   OC_OUTAGE_START_GRACE);
  g_assert_cmpint (oc_outage_set_state (&outage, OBICO_STATE_ERROR, OBICO_PROBLEM_NO_NETWORK), ==,
                   OC_OUTAGE_STOP_GRACE);
  g_assert_cmpint (oc_outage_grace_over (&outage), ==, OC_OUTAGE_NOTHING);
  g_assert_cmpint (oc_outage_set_state (&outage, OBICO_STATE_OKAY, OBICO_PROBLEM_NONE), ==,
                   OC_OUTAGE_NOTHING);

  /* told, then the network went: withdrawn, and no "back online" */
  g_assert_cmpint (oc_outage_set_state (&outage, OBICO_STATE_ERROR, OBICO_PROBLEM_SERVER_ERROR), ==,
                   OC_OUTAGE_START_GRACE);
  g_assert_cmpint (oc_outage_grace_over (&outage), ==, OC_OUTAGE_SHOW_OFFLINE);
  g_assert_cmpint (oc_outage_set_state (&outage, OBICO_STATE_ERROR, OBICO_PROBLEM_NO_NETWORK), ==,
                   OC_OUTAGE_WITHDRAW);
  g_assert_cmpint (oc_outage_set_state (&outage, OBICO_STATE_OKAY, OBICO_PROBLEM_NONE), ==,
                   OC_OUTAGE_NOTHING);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/outage/told-once", test_outage_told_once);
  g_test_add_func ("/outage/blips", test_outage_blips);
  g_test_add_func ("/outage/unlinked", test_outage_unlinked);
  g_test_add_func ("/outage/daemon-gone", test_outage_daemon_gone);
  g_test_add_func ("/outage/unknown-state", test_outage_unknown_state);
  g_test_add_func ("/outage/reset", test_outage_reset);
  g_test_add_func ("/outage/no-network", test_outage_no_network);

  return g_test_run ();
}
