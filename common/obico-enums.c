/* obico-enums.c — enum values ⇄ the strings on the bus
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "obico-enums.h"

const char *
obico_enum_to_string (GType type,
                      int   value)
{
  /* Enum classes are static types: a reference held for the process's life. */
  GEnumClass *klass = g_type_class_ref (type);
  GEnumValue *ev = g_enum_get_value (klass, value);

  g_type_class_unref (klass);
  return ev != NULL ? ev->value_nick : NULL;
}

gboolean
obico_enum_from_string (GType       type,
                        const char *nick,
                        int        *value)
{
  GEnumClass *klass;
  GEnumValue *ev;

  if (nick == NULL)
    return FALSE;
  klass = g_type_class_ref (type);
  ev = g_enum_get_value_by_nick (klass, nick);
  g_type_class_unref (klass);
  if (ev == NULL)
    return FALSE;
  *value = ev->value;
  return TRUE;
}

const char *
obico_problem_to_string (ObicoProblem problem)
{
  if (problem == OBICO_PROBLEM_NONE)
    return "";
  return obico_enum_to_string (OBICO_TYPE_PROBLEM, problem);
}

gboolean
obico_problem_from_string (const char   *nick,
                           ObicoProblem *problem)
{
  int value;

  if (nick != NULL && *nick == '\0')
    {
      *problem = OBICO_PROBLEM_NONE;
      return TRUE;
    }
  if (!obico_enum_from_string (OBICO_TYPE_PROBLEM, nick, &value))
    return FALSE;
  *problem = value;
  return TRUE;
}

ObicoFix
obico_problem_to_fix (ObicoProblem problem)
{
  int fix;

  /* The nicks are shared by design; a unit test checks every problem has its page. */
  if (problem == OBICO_PROBLEM_NONE ||
      !obico_enum_from_string (OBICO_TYPE_FIX, obico_problem_to_string (problem), &fix))
    return OBICO_FIX_UNDETECTED;
  return fix;
}
