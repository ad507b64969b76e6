/* ocd-printer.h — one printer's object on the bus: the
 * io.obico.Connect1.Printer interface of /io/obico/Connect1/Printer/N,
 * its properties bound to the printer's link, its methods turned into the
 * link's requests. */
#pragma once

#include "ocd-dbus-generated.h"
#include "ocd-link.h"

G_BEGIN_DECLS

#define OCD_TYPE_PRINTER (ocd_printer_get_type ())
G_DECLARE_FINAL_TYPE (OcdPrinter, ocd_printer, OCD, PRINTER, OcdConnect1PrinterSkeleton)

OcdPrinter *ocd_printer_new      (OcdLink    *link);
OcdLink    *ocd_printer_get_link (OcdPrinter *self);

G_END_DECLS
