/* ocd-host.h — what the host tells about the link's conditions: Wi-Fi,
 * power, the clock, a proxy and the kernel's view of the WebSocket.
 *
 * One object per host (every printer on it shares it).  It observes, event
 * driven where the system signals changes, and publishes what it can tell
 * as an a{sv} (the Host property, documented in io.obico.Connect1.xml); a
 * key it cannot tell is absent, never guessed. */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "ocd-config.h"

G_BEGIN_DECLS

#define OCD_TYPE_HOST (ocd_host_get_type ())
G_DECLARE_FINAL_TYPE (OcdHost, ocd_host, OCD, HOST, GObject)

OcdHost  *ocd_host_new            (const OcdConfig *config);
/* Looks for NetworkManager and timedated on @bus_type (the session bus for
 * tests and demos), reads the power state, starts the periodic reads. */
void      ocd_host_start          (OcdHost  *self,
                                   GBusType  bus_type);
/* The context now, a{sv} (owned by the host: ref it to keep it), for Host,
 * reports, and the snapshot every error event can carry. */
GVariant *ocd_host_get_context    (OcdHost *self);
/* The context's changes in the last 24 h (GetReport's host_history), a
 * floating aa{sv}. */
GVariant *ocd_host_get_history    (OcdHost *self);
/* Every reply @session receives tells the server's clock (Date). */
void      ocd_host_follow_session (OcdHost     *self,
                                   SoupSession *session);
/* The agent role's heartbeat on @connection: the kernel's TCP view of it,
 * and the periodic reads are due (they wait for heartbeats while they come,
 * so the host adds no wake-ups of its own then). */
void      ocd_host_note_heartbeat (OcdHost                 *self,
                                   SoupWebsocketConnection *connection);
/* Diagnose()'s last connect to the server over each family: "ok",
 * "failed", "none" (no address of that family); and its name lookup:
 * "ok", "slow", "failed" (while an address from before connects).  NULL:
 * not known (the key goes). */
void      ocd_host_note_route     (OcdHost    *self,
                                   const char *ipv4,
                                   const char *ipv6,
                                   const char *dns);

/* The remedies of wifi-power-save and clock, as the daemon's own user
 * (polkit lets it: data/obico-connect.rules): Wi-Fi power saving off for the
 * link's Wi-Fi connection (NetworkManager: 802-11-wireless.powersave = 2,
 * saved and reapplied), network time on (timedated's SetNTP).  Errors are
 * OBICO_ERROR_HOST_SERVICE_FAILED with a sentence. */
void      ocd_host_turn_off_wifi_power_save (OcdHost             *self,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
void      ocd_host_turn_on_network_time     (OcdHost             *self,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean  ocd_host_act_finish               (OcdHost             *self,
                                             GAsyncResult        *result,
                                             GError             **error);

G_END_DECLS
