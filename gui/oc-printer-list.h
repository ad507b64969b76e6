/* oc-printer-list.h — every printer of a host with several, at a glance
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "oc-client.h"

G_BEGIN_DECLS

#define OC_TYPE_PRINTER_LIST (oc_printer_list_get_type ())

G_DECLARE_FINAL_TYPE (OcPrinterList, oc_printer_list, OC, PRINTER_LIST, AdwBin)

GtkWidget *oc_printer_list_new        (void);
void       oc_printer_list_set_client (OcPrinterList *self,
                                       OcClient      *client);

G_END_DECLS
