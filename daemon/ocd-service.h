/* ocd-service.h — the io.obico.Connect1 object on the bus */
#pragma once

#include "ocd-dbus-generated.h"
#include "ocd-link.h"

G_BEGIN_DECLS

#define OCD_TYPE_SERVICE (ocd_service_get_type ())
G_DECLARE_FINAL_TYPE (OcdService, ocd_service, OCD, SERVICE, OcdConnect1Skeleton)

OcdService *ocd_service_new (OcdLink *link);

G_END_DECLS
