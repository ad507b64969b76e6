/* oc-link-page.h — entering the 6-digit code that links the printer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define OC_TYPE_LINK_PAGE (oc_link_page_get_type ())

G_DECLARE_FINAL_TYPE (OcLinkPage, oc_link_page, OC, LINK_PAGE, AdwBin)

const char *oc_link_page_get_code  (OcLinkPage *self);
gboolean    oc_link_page_get_valid (OcLinkPage *self);
void        oc_link_page_clear     (OcLinkPage *self);

G_END_DECLS
