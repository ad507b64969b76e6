/* ocd-probe-host.h — Diagnose()'s host step: what Host tells, a line each */
#pragma once

#include "ocd-probe-step.h"

G_BEGIN_DECLS

/* Adds the host step, from probe->host_context (none: what cannot be told)
 * and the proxy the server is reached through. */
void ocd_probe_add_host_step (Probe *probe);

G_END_DECLS
