/* oc-fix-page.h — one guided fix: the explanation and the action right there
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "oc-doctor.h"

G_BEGIN_DECLS

#define OC_TYPE_FIX_PAGE (oc_fix_page_get_type ())

G_DECLARE_FINAL_TYPE (OcFixPage, oc_fix_page, OC, FIX_PAGE, AdwBin)

ObicoFix oc_fix_page_get_fix           (OcFixPage *self);
void     oc_fix_page_set_fix           (OcFixPage *self,
                                        ObicoFix   fix);
void     oc_fix_page_code_rejected     (OcFixPage *self);
void     oc_fix_page_set_doctor        (OcFixPage *self,
                                        OcDoctor  *doctor);

G_END_DECLS
