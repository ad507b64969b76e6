/* ocd-printer.c — io.obico.Connect1.Printer: the per-printer members of
 * io.obico.Connect1, the same requests of the same kind of link, for one
 * printer of several.  Its methods and its properties are the root's,
 * through the same code (ocd_service_handle_link_methods,
 * ocd_service_bind_status): bindings, so one main-loop iteration's
 * changes go out in one PropertiesChanged. */
#include "config.h"

#define G_LOG_DOMAIN "ocd-printer"

#include "ocd-printer.h"
#include "ocd-service.h"

struct _OcdPrinter
{
  OcdConnect1PrinterSkeleton parent_instance;
  OcdLink                   *link;
};

G_DEFINE_TYPE (OcdPrinter, ocd_printer, OCD_TYPE_CONNECT1_PRINTER_SKELETON)

OcdPrinter *
ocd_printer_new (OcdLink *link)
{
  OcdPrinter *self = g_object_new (OCD_TYPE_PRINTER, NULL);
  OcdStatus *status = ocd_link_get_status (link);

  self->link = g_object_ref (link);
  ocd_service_handle_link_methods (self, link);
  ocd_service_bind_status (self, status, G_OBJECT (status));
  return self;
}

OcdLink *
ocd_printer_get_link (OcdPrinter *self)
{
  return self->link;
}

static void
ocd_printer_finalize (GObject *object)
{
  OcdPrinter *self = OCD_PRINTER (object);

  g_clear_object (&self->link);
  G_OBJECT_CLASS (ocd_printer_parent_class)->finalize (object);
}

static void
ocd_printer_class_init (OcdPrinterClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ocd_printer_finalize;
}

static void
ocd_printer_init (OcdPrinter *self)
{
}
