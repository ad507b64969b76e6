/* ocd-status-network.h — whether this host's network excuses a failure,
 * for a link's OcdStatus: while the host has no route to the server
 * (ocd-network), and after the route comes back until the server answers
 * or the host had time to settle (DHCP, the resolver's configuration),
 * a failure is not the server's. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _OcdStatusNetwork OcdStatusNetwork;

/* Called when the settling time ran out without an answer of the server. */
typedef void (*OcdStatusNetworkSettled) (gpointer data);

OcdStatusNetwork *ocd_status_network_new        (OcdStatusNetworkSettled  settled,
                                                 gpointer                 data);
void              ocd_status_network_free       (OcdStatusNetwork *self);
/* Whether the host has a route to the server now, and why not (@detail). */
void              ocd_status_network_note       (OcdStatusNetwork *self,
                                                 gboolean          reachable,
                                                 const char       *detail);
/* The server answered: the network is settled. */
void              ocd_status_network_answered   (OcdStatusNetwork *self);
/* No route, or back and settling: a failure now is this host's. */
gboolean          ocd_status_network_excuses    (OcdStatusNetwork *self);
gboolean          ocd_status_network_is_down    (OcdStatusNetwork *self);
/* What State's sentence says while it excuses, NULL otherwise. */
const char       *ocd_status_network_get_detail (OcdStatusNetwork *self);

G_END_DECLS
