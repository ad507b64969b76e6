/* ocd-link.h — one printer's link: the role (who holds the credentials),
 * its work, and the methods of io.obico.Connect1.  What it observes and
 * publishes (State, Problem, Role, …) is its OcdStatus; the session (agent
 * role) and the watcher (watch role) report through ocd-link-private.h.
 * The methods that change link.conf (Link, SetServerUrl, …) are in
 * ocd-link-conf.h. */
#pragma once

#include <gio/gio.h>

#include "ocd-agents.h"
#include "ocd-config.h"
#include "ocd-host.h"
#include "ocd-status.h"

G_BEGIN_DECLS

#define OCD_TYPE_LINK (ocd_link_get_type ())
G_DECLARE_FINAL_TYPE (OcdLink, ocd_link, OCD, LINK, GObject)

/* One printer's link.  @config (not referenced) must outlive it; @agents,
 * the official agents of this host, may be shared by several links. */
OcdLink     *ocd_link_new               (OcdConfig  *config,
                                         const char *state_dir,
                                         OcdAgents  *agents);
/* A further printer of the host: the official agent whose settings are
 * @agent_path, in the watch role; its link.conf is never read or written. */
OcdLink     *ocd_link_new_for_agent     (OcdConfig  *config,
                                         const char *state_dir,
                                         OcdAgents  *agents,
                                         const char *agent_path);
/* NULL for the daemon's own link (printer 0). */
const char  *ocd_link_get_agent_path    (OcdLink *self);
void         ocd_link_start             (OcdLink *self);
/* The published state, for the service to bind. */
OcdStatus   *ocd_link_get_status        (OcdLink *self);
/* Before start: the host's context, for reports; the link's HTTP replies
 * tell it the server's clock. */
void         ocd_link_set_host          (OcdLink *self,
                                         OcdHost *host);
OcdHost     *ocd_link_get_host          (OcdLink *self);

void         ocd_link_test_async        (OcdLink             *self,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
GVariant    *ocd_link_test_finish       (OcdLink       *self,
                                         GAsyncResult  *result,
                                         GError       **error);
void         ocd_link_reset_errors      (OcdLink *self);
void         ocd_link_reconnect         (OcdLink *self);
GVariant    *ocd_link_get_report        (OcdLink *self);
/* RestartAgent: systemd's restart of the official agent's unit. */
void         ocd_link_restart_agent_async  (OcdLink             *self,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gboolean     ocd_link_restart_agent_finish (OcdLink       *self,
                                            GAsyncResult  *result,
                                            GError       **error);
void         ocd_link_diagnose_async    (OcdLink             *self,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
GVariant    *ocd_link_diagnose_finish   (OcdLink       *self,
                                         GAsyncResult  *result,
                                         GError       **error);

G_END_DECLS
