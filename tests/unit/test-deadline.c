/* test-deadline.c — one operation's time limit: fires on time or on the
 * caller's cancel, and tells which */
#include "config.h"

#include "ocd-deadline.h"

static void
run_until_cancelled (GCancellable *cancellable, guint limit_ms)
{
  gint64 end = g_get_monotonic_time () + limit_ms * 1000;

  while (!g_cancellable_is_cancelled (cancellable) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
}

static void
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (1000);
    }
}

static void
test_expires (void)
{
  g_autoptr(GCancellable) caller = g_cancellable_new ();
  g_autoptr(OcdDeadline) deadline = ocd_deadline_new (caller, 0.05);
  GCancellable *cancellable = ocd_deadline_get_cancellable (deadline);

  g_assert_false (g_cancellable_is_cancelled (cancellable));
  g_assert_false (ocd_deadline_expired (deadline));
  g_assert_cmpfloat (ocd_deadline_get_seconds (deadline), ==, 0.05);
  run_until_cancelled (cancellable, 5000);
  g_assert_true (g_cancellable_is_cancelled (cancellable));
  g_assert_true (ocd_deadline_expired (deadline));
  g_assert_cmpfloat (ocd_deadline_elapsed_ms (deadline), >=, 50);
  /* The caller's own cancellable is not ours to cancel. */
  g_assert_false (g_cancellable_is_cancelled (caller));
  /* A cancel after the time ran out does not change why it ended. */
  g_cancellable_cancel (caller);
  g_assert_true (ocd_deadline_expired (deadline));
}

static void
test_caller_cancels (void)
{
  g_autoptr(GCancellable) caller = g_cancellable_new ();
  g_autoptr(OcdDeadline) deadline = ocd_deadline_new (caller, 0.05);

  g_cancellable_cancel (caller);
  g_assert_true (g_cancellable_is_cancelled (ocd_deadline_get_cancellable (deadline)));
  /* The timer firing later does not turn a cancel into a timeout. */
  spin (100);
  g_assert_false (ocd_deadline_expired (deadline));
}

static void
test_caller_cancelled_before (void)
{
  g_autoptr(GCancellable) caller = g_cancellable_new ();
  g_autoptr(OcdDeadline) deadline = NULL;

  g_cancellable_cancel (caller);
  deadline = ocd_deadline_new (caller, 10);
  g_assert_true (g_cancellable_is_cancelled (ocd_deadline_get_cancellable (deadline)));
  g_assert_false (ocd_deadline_expired (deadline));
}

static void
test_without_caller (void)
{
  g_autoptr(OcdDeadline) deadline = ocd_deadline_new (NULL, 0.01);

  run_until_cancelled (ocd_deadline_get_cancellable (deadline), 5000);
  g_assert_true (ocd_deadline_expired (deadline));
}

static void
test_freed_early (void)
{
  g_autoptr(GCancellable) caller = g_cancellable_new ();
  OcdDeadline *deadline = ocd_deadline_new (caller, 0.01);
  g_autoptr(GCancellable) kept = g_object_ref (ocd_deadline_get_cancellable (deadline));

  /* Once freed, neither the clock nor the caller reaches it. */
  ocd_deadline_free (deadline);
  spin (50);
  g_cancellable_cancel (caller);
  g_assert_false (g_cancellable_is_cancelled (kept));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/deadline/expires", test_expires);
  g_test_add_func ("/deadline/caller-cancels", test_caller_cancels);
  g_test_add_func ("/deadline/caller-cancelled-before", test_caller_cancelled_before);
  g_test_add_func ("/deadline/without-caller", test_without_caller);
  g_test_add_func ("/deadline/freed-early", test_freed_early);
  return g_test_run ();
}
