/* oc-validate.c — checks of what a person types before it goes to the daemon
 *
 * A server address is checked by common/obico-url.h, with the daemon's rules.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "oc-validate.h"

/* The code the Obico app shows for linking: exactly six ASCII digits. */
gboolean
oc_validate_link_code (const char *code)
{
  if (code == NULL || strlen (code) != 6)
    return FALSE;

  for (guint i = 0; i < 6; i++)
    if (!g_ascii_isdigit (code[i]))
      return FALSE;

  return TRUE;
}
