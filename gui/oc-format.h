/* oc-format.h — the words and numbers the app shows for the daemon's values
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

const char *oc_state_label          (const char   *state);
const char *oc_state_description    (const char   *state);
const char *oc_state_icon_name      (const char   *state);
const char *oc_state_style_class    (const char   *state);
const char *oc_test_result_label    (const char   *result);
gboolean    oc_test_result_is_good  (const char   *result);
const char *oc_step_label           (const char   *name);
const char *oc_severity_label       (const char   *severity);
const char *oc_severity_style_class (const char   *severity);

char       *oc_format_time_ago      (gint64        usec,
                                     gint64        now_usec);
char       *oc_format_timestamp     (gint64        usec);
char       *oc_format_rate          (double        rate);
char       *oc_format_elapsed       (double        ms);
char       *oc_error_message        (const GError *error);

G_END_DECLS
