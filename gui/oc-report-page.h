/* oc-report-page.h — the connectivity report: numbers, severity, advice and a chart
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "oc-client.h"

G_BEGIN_DECLS

#define OC_TYPE_REPORT_PAGE (oc_report_page_get_type ())

G_DECLARE_FINAL_TYPE (OcReportPage, oc_report_page, OC, REPORT_PAGE, AdwBin)

void oc_report_page_set_client (OcReportPage *self,
                                OcClient     *client);
void oc_report_page_set_report (OcReportPage *self,
                                GVariant     *report,
                                gint64        now_usec);

G_END_DECLS
