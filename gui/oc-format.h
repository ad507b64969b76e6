/* oc-format.h — the words and numbers the app shows for the daemon's values
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "oc-vocab.h"

G_BEGIN_DECLS

/* Each takes a value of its enum or the enum's OC_*_UNKNOWN (oc-vocab.h). */
const char *oc_state_label          (ObicoState       state);
const char *oc_state_description    (ObicoState       state);
const char *oc_state_icon_name      (ObicoState       state);
const char *oc_state_style_class    (ObicoState       state);
const char *oc_test_result_label    (ObicoTestResult  result);
const char *oc_severity_label       (ObicoSeverity    severity);
const char *oc_severity_advice      (ObicoSeverity    severity);
const char *oc_severity_icon_name   (ObicoSeverity    severity);
const char *oc_severity_style_class (ObicoSeverity    severity);
const char *oc_step_label           (const char      *name);

char       *oc_format_time_ago      (gint64           usec,
                                     gint64           now_usec);
char       *oc_format_timestamp     (gint64           usec);
char       *oc_format_rate          (double           rate);
char       *oc_format_elapsed       (double           ms);

const char *oc_error_title          (const GError    *error);
char       *oc_error_message        (const GError    *error);

G_END_DECLS
