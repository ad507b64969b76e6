/* oc-format.h — what only the app shows for the daemon's values: icons,
 * style classes, the error dialog's heading and the charts' clock times.  The words themselves are
 * common/obico-labels.h, shared with obicoctl.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "obico-labels.h"

G_BEGIN_DECLS

/* Each takes a value of its enum or the enum's OBICO_*_UNKNOWN (obico-labels.h). */
const char *oc_state_icon_name      (ObicoState       state);
const char *oc_state_style_class    (ObicoState       state);
const char *oc_severity_icon_name   (ObicoSeverity    severity);
const char *oc_severity_style_class (ObicoSeverity    severity);

const char *oc_error_title          (const GError    *error);

char       *oc_format_clock         (gint64           usec);

G_END_DECLS
