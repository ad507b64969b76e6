/* ocd-service.h — the io.obico.Connect1 object on the bus */
#pragma once

#include "ocd-dbus-generated.h"
#include "ocd-link.h"

G_BEGIN_DECLS

#define OCD_TYPE_SERVICE (ocd_service_get_type ())
G_DECLARE_FINAL_TYPE (OcdService, ocd_service, OCD, SERVICE, OcdConnect1Skeleton)

/* The root object: @link's (printer 0's) properties and methods, but State,
 * Problem and ProblemDetail from @summary (the same properties as
 * OcdStatus's: every printer's summary), @link's status when NULL. */
OcdService *ocd_service_new         (OcdLink   *link,
                                     GObject   *summary);
/* Binds each property of one printer that @skeleton has to @status, those
 * summarized on the root to @summary. */
void        ocd_service_bind_status (gpointer   skeleton,
                                     OcdStatus *status,
                                     GObject   *summary);
/* Answers the methods every printer has (Test, Diagnose, GetReport,
 * Reconnect; ResetErrors and RestartAgent once polkit allowed them) on
 * @skeleton, the root or a Printer/N, from @link, which @skeleton keeps. */
void        ocd_service_handle_link_methods (gpointer  skeleton,
                                             OcdLink  *link);

G_END_DECLS
