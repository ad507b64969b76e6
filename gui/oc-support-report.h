/* oc-support-report.h — one text file to attach to a request for help
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "oc-doctor.h"

G_BEGIN_DECLS

char     *oc_support_report_build         (OcDoctor            *doctor,
                                           GVariant            *report,
                                           const char * const  *log_lines);
void      oc_support_report_save          (OcDoctor            *doctor,
                                           GFile               *file,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
gboolean  oc_support_report_save_finish   (GAsyncResult        *result,
                                           GError             **error);

G_END_DECLS
