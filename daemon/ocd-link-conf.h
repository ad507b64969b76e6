/* ocd-link-conf.h — the bus's changes of a link's link.conf: Link(),
 * SetServerUrl, Unlink, SetDebugLogging.  Each is refused in the watch
 * role (OBICO_ERROR_READ_ONLY_CREDENTIALS): there the credentials and the
 * server address are the official agent's. */
#pragma once

#include "ocd-link.h"

G_BEGIN_DECLS

gboolean     ocd_link_check_not_watching (OcdLink  *self,
                                          GError  **error);
/* Verifies @code with the server and stores the credentials it gives. */
void         ocd_link_link_async        (OcdLink             *self,
                                         const char          *code,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
/* (xs): the printer's id and name. */
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

G_END_DECLS
