/* ocd-probe-route.h — Diagnose()'s route: the name resolved, a connection
 * over IPv4 and IPv6, through a proxy the proxy's route and its tunnel */
#pragma once

#include "ocd-probe-step.h"

G_BEGIN_DECLS

/* The resolve and connect steps (to the server, or to its proxy and through
 * a CONNECT tunnel); calls @then with probe->stream set, or finishes the
 * task. */
void ocd_probe_run_route  (GTask *task, OcdProbeNext then);
void ocd_probe_route_free (OcdProbeRoute *route);

G_END_DECLS
