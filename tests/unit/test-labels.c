/* test-labels.c — what the app and obicoctl show a person (common/obico-labels):
 * the daemon's strings read into the enums, a newer daemon's value read as
 * unknown, and words for every value of every enum.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>

#include "obico-error.h"
#include "obico-labels.h"

static void
test_read (void)
{
  ObicoFix fix = OBICO_FIX_TLS;

  g_assert_cmpint (obico_read_state ("okay"), ==, OBICO_STATE_OKAY);
  g_assert_cmpint (obico_read_state ("a-newer-state"), ==, OBICO_STATE_UNKNOWN);
  g_assert_cmpint (obico_read_state (NULL), ==, OBICO_STATE_UNKNOWN);
  g_assert_cmpint (obico_read_role ("watch"), ==, OBICO_ROLE_WATCH);
  g_assert_cmpint (obico_read_role (""), ==, OBICO_ROLE_UNKNOWN);
  g_assert_cmpint (obico_read_test_result ("not-linked"), ==, OBICO_TEST_RESULT_NOT_LINKED);
  g_assert_cmpint (obico_read_test_result ("a-newer-result"), ==, OBICO_TEST_RESULT_UNKNOWN);
  g_assert_cmpint (obico_read_severity ("total"), ==, OBICO_SEVERITY_TOTAL);
  g_assert_cmpint (obico_read_severity (NULL), ==, OBICO_SEVERITY_UNKNOWN);
  g_assert_cmpint (obico_read_web_socket ("blocked"), ==, OBICO_WEB_SOCKET_BLOCKED);
  g_assert_cmpint (obico_read_web_socket ("a-newer-websocket"), ==, OBICO_WEB_SOCKET_UNKNOWN);
  g_assert_cmpint (obico_read_problem (""), ==, OBICO_PROBLEM_NONE);
  g_assert_cmpint (obico_read_problem ("tls"), ==, OBICO_PROBLEM_TLS);
  g_assert_cmpint (obico_read_problem ("a-newer-problem"), ==, OBICO_PROBLEM_NONE);
  g_assert_true (obico_read_fix ("get-help", &fix));
  g_assert_cmpint (fix, ==, OBICO_FIX_GET_HELP);
  g_assert_false (obico_read_fix ("no-such-fix", &fix));
  g_assert_false (obico_read_fix (NULL, &fix));
  g_assert_cmpint (fix, ==, OBICO_FIX_GET_HELP);
}

static void
test_words (void)
{
  const struct { const char *state, *label; } cases[] = {
    { "okay", "Okay" },
    { "disconnected", "Disconnected" },
    { "error", "Error" },
    { "unlinked", "Not linked" },
    { "connecting", "Connecting" },
    { "something-new", "Unknown" },
    { NULL, "Unknown" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      ObicoState state = obico_read_state (cases[i].state);

      g_assert_cmpstr (obico_state_label (state), ==, cases[i].label);
      g_assert_true (strlen (obico_state_description (state)) > 10);
    }

  g_assert_cmpstr (obico_test_result_label (obico_read_test_result ("failed-to-contact")), ==, "Failed to contact server");
  g_assert_cmpstr (obico_test_result_label (obico_read_test_result ("invalid-credentials")), ==,
                   "Invalid account credentials");
  g_assert_cmpstr (obico_test_result_label (obico_read_test_result ("succeeded")), ==, "Succeeded");
  g_assert_cmpstr (obico_test_result_label (obico_read_test_result ("a-newer-result")), ==, "Unknown result");
  g_assert_cmpstr (obico_severity_label (obico_read_severity ("high")), ==, "High error rate");
  g_assert_cmpstr (obico_severity_label (obico_read_severity (NULL)), ==, "No data yet");
  g_assert_cmpstr (obico_step_label ("resolve"), ==, "Name resolution");
  g_assert_cmpstr (obico_step_label ("a-new-layer"), ==, "a-new-layer");
  g_assert_cmpstr (obico_fix_title (OBICO_FIX_GET_HELP), ==, "Get Help From a Person");
  g_assert_null (obico_fix_title ((ObicoFix) 999));
  g_assert_cmpstr (obico_problem_title (OBICO_PROBLEM_WEBSOCKET_BLOCKED), ==, "The Live Connection Is Blocked");
  g_assert_null (obico_problem_title (OBICO_PROBLEM_NONE));
}

/* Every value of the shared enums has words of its own: a value added to
 * common/obico-enums.h without a row in obico-labels.c would read "Unknown". */
static void
test_tables (void)
{
  GEnumClass *klass;

  klass = g_type_class_ref (OBICO_TYPE_STATE);
  for (guint i = 0; i < klass->n_values; i++)
    {
      g_assert_cmpstr (obico_state_label (klass->values[i].value), !=, obico_state_label (OBICO_STATE_UNKNOWN));
      g_assert_cmpstr (obico_state_description (klass->values[i].value), !=,
                       obico_state_description (OBICO_STATE_UNKNOWN));
    }
  g_type_class_unref (klass);

  klass = g_type_class_ref (OBICO_TYPE_TEST_RESULT);
  for (guint i = 0; i < klass->n_values; i++)
    g_assert_cmpstr (obico_test_result_label (klass->values[i].value), !=,
                     obico_test_result_label (OBICO_TEST_RESULT_UNKNOWN));
  g_type_class_unref (klass);

  klass = g_type_class_ref (OBICO_TYPE_SEVERITY);
  for (guint i = 0; i < klass->n_values; i++)
    {
      g_assert_cmpstr (obico_severity_label (klass->values[i].value), !=, obico_severity_label (OBICO_SEVERITY_UNKNOWN));
      g_assert_cmpstr (obico_severity_advice (klass->values[i].value), !=,
                       obico_severity_advice (OBICO_SEVERITY_UNKNOWN));
    }
  g_type_class_unref (klass);

  klass = g_type_class_ref (OBICO_TYPE_FIX);
  for (guint i = 0; i < klass->n_values; i++)
    {
      const char *title = obico_fix_title (klass->values[i].value);

      g_test_message ("fix %s", klass->values[i].value_nick);
      g_assert_nonnull (title);
      g_assert_cmpuint (strlen (title), >, 5);
    }
  g_type_class_unref (klass);

  klass = g_type_class_ref (OBICO_TYPE_PROBLEM);
  for (guint i = 0; i < klass->n_values; i++)
    g_assert_nonnull (obico_problem_title (klass->values[i].value));
  g_type_class_unref (klass);
}

static void
test_values (void)
{
  gint64 now = (gint64) 1800000000 * G_USEC_PER_SEC;
  g_autofree char *never = obico_format_time_ago (0, now);
  g_autofree char *just_now = obico_format_time_ago (now - 5 * G_USEC_PER_SEC, now);
  g_autofree char *minutes = obico_format_time_ago (now - (gint64) 5 * 60 * G_USEC_PER_SEC, now);
  g_autofree char *hour = obico_format_time_ago (now - (gint64) 61 * 60 * G_USEC_PER_SEC, now);
  g_autofree char *rate = obico_format_rate (0.125);
  g_autofree char *full = obico_format_rate (1.0);
  g_autofree char *fast = obico_format_elapsed (12.4);
  g_autofree char *slow = obico_format_elapsed (2500);
  g_autofree char *seconds = obico_format_duration (45 * G_USEC_PER_SEC);
  g_autofree char *mins = obico_format_duration ((gint64) 41 * 60 * G_USEC_PER_SEC);
  g_autofree char *hours = obico_format_duration ((gint64) (2 * 3600 + 5 * 60) * G_USEC_PER_SEC);

  g_assert_cmpstr (never, ==, "Never");
  g_assert_cmpstr (just_now, ==, "Just now");
  g_assert_cmpstr (minutes, ==, "5 minutes ago");
  g_assert_cmpstr (hour, ==, "1 hour ago");
  g_assert_cmpstr (rate, ==, "12.5 %");
  g_assert_cmpstr (full, ==, "100.0 %");
  g_assert_cmpstr (fast, ==, "12 ms");
  g_assert_cmpstr (slow, ==, "2.5 s");
  g_assert_cmpstr (seconds, ==, "45 s");
  g_assert_cmpstr (mins, ==, "41 min");
  g_assert_cmpstr (hours, ==, "2 h 05 min");
}

/* A daemon error reaches the person as its sentence, never as a D-Bus name. */
static void
test_error_sentence (void)
{
  g_autoptr(GError) remote = g_dbus_error_new_for_dbus_error ("io.obico.Connect1.Error.CodeRejected",
                                                              "The server did not accept this code.");
  g_autoptr(GError) gone = g_dbus_error_new_for_dbus_error ("org.freedesktop.DBus.Error.ServiceUnknown",
                                                            "The name io.obico.Connect1 was not provided");
  g_autoptr(GError) crashed = g_dbus_error_new_for_dbus_error ("org.freedesktop.DBus.Error.NoReply",
                                                               "Message recipient disconnected");
  g_autoptr(GError) local = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "Disk full");
  g_autofree char *remote_text = obico_error_sentence (remote);
  g_autofree char *gone_text = obico_error_sentence (gone);
  g_autofree char *crashed_text = obico_error_sentence (crashed);
  g_autofree char *local_text = obico_error_sentence (local);

  g_assert_cmpstr (remote_text, ==, "The server did not accept this code.");
  g_assert_cmpstr (gone_text, ==, "The Obico Connect service is not running.");
  g_assert_cmpstr (crashed_text, ==, "The Obico Connect service is not running.");
  g_assert_cmpstr (local_text, ==, "Disk full");
  g_assert_false (obico_error_service_gone (remote));
  g_assert_false (obico_error_service_gone (local));
  /* the original is left alone, and keeps its code */
  g_assert_true (g_dbus_error_is_remote_error (remote));
  g_assert_error (remote, OBICO_ERROR, OBICO_ERROR_CODE_REJECTED);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* registers io.obico.Connect1.Error, as a client does at start */
  obico_error_quark ();

  g_test_add_func ("/labels/read", test_read);
  g_test_add_func ("/labels/words", test_words);
  g_test_add_func ("/labels/tables", test_tables);
  g_test_add_func ("/labels/values", test_values);
  g_test_add_func ("/labels/error-sentence", test_error_sentence);
  return g_test_run ();
}
