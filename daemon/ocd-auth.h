/* ocd-auth.h — may this caller change things? (polkit on the system bus) */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define OCD_AUTH_ACTION_CONFIGURE "io.obico.connect.configure"
/* The host's remedies: Wi-Fi power saving off, network time on. */
#define OCD_AUTH_ACTION_WIFI_POWER_SAVE "io.obico.connect.wifi-power-save"
#define OCD_AUTH_ACTION_NETWORK_TIME "io.obico.connect.network-time"
#define OCD_AUTH_ACTION_RESTART_AGENT "io.obico.connect.restart-agent"

void     ocd_auth_init         (gboolean system_bus);
void     ocd_auth_check_async  (GDBusMethodInvocation *invocation,
                                const char            *action_id,
                                GAsyncReadyCallback    callback,
                                gpointer               user_data);
gboolean ocd_auth_check_finish (GAsyncResult          *result,
                                GError               **error);

G_END_DECLS
