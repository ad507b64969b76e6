/* ocd-link.h — THE link state machine: role, State, Problem, the error
 * account.  The one owner of link state; the session (agent role) and the
 * watcher (watch role) feed it what they observe through
 * ocd-link-private.h.  Its properties hold the enums of obico-enums.h
 * (problem as a uint: OBICO_PROBLEM_NONE has no nick); the service turns
 * them into the bus strings. */
#pragma once

#include <gio/gio.h>

#include "ocd-agents.h"
#include "ocd-config.h"

G_BEGIN_DECLS

#define OCD_TYPE_LINK (ocd_link_get_type ())
G_DECLARE_FINAL_TYPE (OcdLink, ocd_link, OCD, LINK, GObject)

/* One printer's link.  @config (not referenced) must outlive it; @agents,
 * the official agents of this host, may be shared by several links. */
OcdLink     *ocd_link_new               (OcdConfig  *config,
                                         const char *state_dir,
                                         OcdAgents  *agents);
void         ocd_link_start             (OcdLink *self);

void         ocd_link_test_async        (OcdLink             *self,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
GVariant    *ocd_link_test_finish       (OcdLink       *self,
                                         GAsyncResult  *result,
                                         GError       **error);
void         ocd_link_link_async        (OcdLink             *self,
                                         const char          *code,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
GVariant    *ocd_link_link_finish       (OcdLink       *self,
                                         GAsyncResult  *result,
                                         GError       **error);
gboolean     ocd_link_set_server_url    (OcdLink     *self,
                                         const char  *url,
                                         GError     **error);
gboolean     ocd_link_unlink            (OcdLink  *self,
                                         GError  **error);
gboolean     ocd_link_set_debug_logging (OcdLink   *self,
                                         gboolean   enabled,
                                         GError   **error);
void         ocd_link_reset_errors      (OcdLink *self);
void         ocd_link_reconnect         (OcdLink *self);
GVariant    *ocd_link_get_report        (OcdLink *self);
void         ocd_link_diagnose_async    (OcdLink             *self,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
GVariant    *ocd_link_diagnose_finish   (OcdLink       *self,
                                         GAsyncResult  *result,
                                         GError       **error);

G_END_DECLS
