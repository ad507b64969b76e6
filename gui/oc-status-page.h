/* oc-status-page.h — state, TEST and Diagnose
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "oc-doctor.h"

G_BEGIN_DECLS

#define OC_TYPE_STATUS_PAGE (oc_status_page_get_type ())

G_DECLARE_FINAL_TYPE (OcStatusPage, oc_status_page, OC, STATUS_PAGE, AdwBin)

void oc_status_page_set_doctor (OcStatusPage *self,
                                OcDoctor     *doctor);

G_END_DECLS
