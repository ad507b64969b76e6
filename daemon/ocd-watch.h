/* ocd-watch.h — the watch role: safe checks of a link that belongs to an
 * official agent.  It never opens a WebSocket with the agent's token: the
 * server would close the agent's own session (4321) and the agent would
 * shut itself down. */
#pragma once

#include <gio/gio.h>

#include "ocd-agents.h"
#include "ocd-link.h"

G_BEGIN_DECLS

#define OCD_TYPE_WATCH (ocd_watch_get_type ())
G_DECLARE_FINAL_TYPE (OcdWatch, ocd_watch, OCD, WATCH, GObject)

/* Starts checking at once; dropping the last reference stops it.  @link
 * owns the watcher and is not referenced. */
OcdWatch   *ocd_watch_new        (OcdLink        *link,
                                  OcdAgents      *agents,
                                  const OcdAgent *agent);
const char *ocd_watch_get_token  (OcdWatch       *self);
gboolean    ocd_watch_is_for     (OcdWatch       *self,
                                  const OcdAgent *agent);
/* This host has a network again: every check that is not out runs now. */
void        ocd_watch_check_now  (OcdWatch       *self);
/* systemd's restart of the agent's unit; OBICO_ERROR_NOT_SUPPORTED without
 * one, OBICO_ERROR_FAILED when systemd refuses or fails. */
void        ocd_watch_restart_agent_async  (OcdWatch            *self,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gboolean    ocd_watch_restart_agent_finish (GAsyncResult        *result,
                                            GError             **error);

G_END_DECLS
