/* interface-vocabulary.c — prints the vocabulary of io.obico.Connect1 as the
 * compiled code has it, for tests/test-interface.py to compare with the
 * documentation in dbus/io.obico.Connect1.xml:
 *
 *   enum NAME NICK NICK …      the nicks of each enum GType of common/obico-enums.h
 *   error NAME                 each D-Bus error name of the OBICO_ERROR domain
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>

#include "obico-enums.h"
#include "obico-error.h"

static void
print_enum (const char *name, GType type)
{
  GEnumClass *klass = g_type_class_ref (type);

  g_print ("enum %s", name);
  for (guint i = 0; i < klass->n_values; i++)
    g_print (" %s", klass->values[i].value_nick);
  g_print ("\n");
  g_type_class_unref (klass);
}

int
main (void)
{
  print_enum ("State", OBICO_TYPE_STATE);
  print_enum ("Role", OBICO_TYPE_ROLE);
  print_enum ("Problem", OBICO_TYPE_PROBLEM);
  print_enum ("Fix", OBICO_TYPE_FIX);
  print_enum ("Http", OBICO_TYPE_HTTP);
  print_enum ("WebSocket", OBICO_TYPE_WEB_SOCKET);
  print_enum ("TestResult", OBICO_TYPE_TEST_RESULT);
  print_enum ("Severity", OBICO_TYPE_SEVERITY);
  print_enum ("AppStatus", OBICO_TYPE_APP_STATUS);

  /* The codes are consecutive from 0; the first one without a name of the
   * domain is past the last. */
  for (int code = 0; ; code++)
    {
      g_autoptr(GError) error = g_error_new_literal (OBICO_ERROR, code, "");
      g_autofree char *name = g_dbus_error_encode_gerror (error);

      if (!g_str_has_prefix (name, "io.obico.Connect1.Error."))
        break;
      g_print ("error %s\n", name);
    }
  return 0;
}
