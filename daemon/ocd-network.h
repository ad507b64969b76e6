/* ocd-network.h — whether this host has a network to reach its server,
 * from GNetworkMonitor's signals (no polling). */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define OCD_TYPE_NETWORK (ocd_network_get_type ())
G_DECLARE_FINAL_TYPE (OcdNetwork, ocd_network, OCD, NETWORK, GObject)

/* Follows g_network_monitor_get_default(); "changed" when the verdict on
 * the server set last changes. */
OcdNetwork *ocd_network_new           (void);
/* The server to reach, or the proxy it is reached through (NULL or "":
 * none, reachable). */
void        ocd_network_set_server    (OcdNetwork *self,
                                       const char *server_url);
/* FALSE when this host has no route to the server: no network at all, or
 * none that leads there.  While the first check with no default route is
 * out, FALSE too (a host that boots before its Wi-Fi is up). */
gboolean    ocd_network_get_reachable (OcdNetwork *self);
/* A translated sentence saying so, "" when reachable. */
const char *ocd_network_get_detail    (OcdNetwork *self);
/* The GNetworkMonitor implementation GIO chose (for the log). */
const char *ocd_network_get_monitor_name (OcdNetwork *self);

G_END_DECLS
