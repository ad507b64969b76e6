/* oc-validate.h — checks of what a person types before it goes to the daemon
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean oc_validate_link_code (const char *code);

G_END_DECLS
