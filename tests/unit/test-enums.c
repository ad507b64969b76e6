/* test-enums.c — the shared vocabulary: nicks are the bus strings, every
 * problem has its fix page, and strings turn back into the same values.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>

#include "obico-enums.h"
#include "obico-error.h"

static void
test_round_trip (void)
{
  GType types[] = { OBICO_TYPE_STATE, OBICO_TYPE_ROLE, OBICO_TYPE_PROBLEM, OBICO_TYPE_FIX,
                    OBICO_TYPE_HTTP, OBICO_TYPE_WEB_SOCKET, OBICO_TYPE_TEST_RESULT,
                    OBICO_TYPE_SEVERITY, OBICO_TYPE_APP_STATUS };

  for (guint t = 0; t < G_N_ELEMENTS (types); t++)
    {
      GEnumClass *klass = g_type_class_ref (types[t]);

      for (guint i = 0; i < klass->n_values; i++)
        {
          int back = -1;
          const char *nick = obico_enum_to_string (types[t], klass->values[i].value);

          g_assert_cmpstr (nick, ==, klass->values[i].value_nick);
          g_assert_true (obico_enum_from_string (types[t], nick, &back));
          g_assert_cmpint (back, ==, klass->values[i].value);
        }
      g_type_class_unref (klass);
    }
}

static void
test_known_strings (void)
{
  int v = -1;
  ObicoProblem p = OBICO_PROBLEM_TLS;

  g_assert_cmpstr (obico_state_to_string (OBICO_STATE_OKAY), ==, "okay");
  g_assert_cmpstr (obico_web_socket_to_string (OBICO_WEB_SOCKET_SHARED_CREDENTIALS), ==, "shared-credentials");
  g_assert_cmpstr (obico_test_result_to_string (OBICO_TEST_RESULT_FAILED_TO_CONTACT), ==, "failed-to-contact");
  g_assert_cmpstr (obico_app_status_to_string (OBICO_APP_STATUS_OFFLINE), ==, "offline");
  g_assert_cmpstr (obico_problem_to_string (OBICO_PROBLEM_NONE), ==, "");
  g_assert_cmpstr (obico_problem_to_string (OBICO_PROBLEM_NOT_OBICO_SERVER), ==, "not-obico-server");
  g_assert_true (obico_problem_from_string ("", &p));
  g_assert_cmpint (p, ==, OBICO_PROBLEM_NONE);
  g_assert_false (obico_problem_from_string ("server-unreachable", &p));
  g_assert_false (obico_enum_from_string (OBICO_TYPE_STATE, "Okay", &v));
  g_assert_false (obico_enum_from_string (OBICO_TYPE_STATE, NULL, &v));
  g_assert_cmpint (v, ==, -1);
  g_assert_null (obico_enum_to_string (OBICO_TYPE_STATE, 999));
}

/* Every problem a person can be shown leads to exactly one page. */
static void
test_problem_has_page (void)
{
  GEnumClass *klass = g_type_class_ref (OBICO_TYPE_PROBLEM);

  for (guint i = 0; i < klass->n_values; i++)
    {
      ObicoFix fix = obico_problem_to_fix (klass->values[i].value);

      g_assert_cmpstr (obico_fix_to_string (fix), ==, klass->values[i].value_nick);
    }
  g_assert_cmpint (obico_problem_to_fix (OBICO_PROBLEM_NONE), ==, OBICO_FIX_UNDETECTED);
  g_type_class_unref (klass);
}

static void
test_error_names (void)
{
  g_autoptr(GError) error = g_error_new_literal (OBICO_ERROR, OBICO_ERROR_STORAGE_FAILED, "x");
  g_autofree char *name = g_dbus_error_encode_gerror (error);
  g_autoptr(GError) back = g_dbus_error_new_for_dbus_error ("io.obico.Connect1.Error.CodeRejected", "no");

  g_assert_cmpstr (name, ==, "io.obico.Connect1.Error.StorageFailed");
  g_assert_error (back, OBICO_ERROR, OBICO_ERROR_CODE_REJECTED);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/enums/round-trip", test_round_trip);
  g_test_add_func ("/enums/known-strings", test_known_strings);
  g_test_add_func ("/enums/problem-has-page", test_problem_has_page);
  g_test_add_func ("/enums/error-names", test_error_names);
  return g_test_run ();
}
