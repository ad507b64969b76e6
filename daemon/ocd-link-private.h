/* ocd-link-private.h — how the work of a role (the agent role's session,
 * the watch role's checks) reports what it observes to its link, and how
 * ocd-link-conf.c changes link.conf under it.  Only ocd-session.c,
 * ocd-watch.c and ocd-link-conf.c include this; the service sees
 * ocd-link.h. */
#pragma once

#include <libsoup/soup.h>

#include "obico-enums.h"
#include "ocd-api.h"
#include "ocd-config.h"
#include "ocd-link.h"
#include "ocd-store.h"

G_BEGIN_DECLS

/* What the link runs on: not owned by the caller. */
OcdConfig   *ocd_link_get_config     (OcdLink *self);
SoupSession *ocd_link_get_soup       (OcdLink *self);

/* A judged answer of the printer endpoint (the credentials) or of the
 * health endpoint. */
void         ocd_link_note_http      (OcdLink           *self,
                                      const OcdApiReply *reply);
void         ocd_link_note_websocket (OcdLink        *self,
                                      ObicoWebSocket  state,
                                      const char     *detail);
/* One attempt for the error account: @kind "websocket", "agent", … */
void         ocd_link_note_attempt   (OcdLink    *self,
                                      gboolean    error,
                                      const char *kind,
                                      const char *cause);
/* The server answered something: LastContact. */
void         ocd_link_note_contact   (OcdLink *self);
/* What the app shows, as the watch role infers it. */
void         ocd_link_note_app_status (OcdLink        *self,
                                       ObicoAppStatus  app_status);
/* Whether this host has a route to the server now (ocd-network). */
gboolean     ocd_link_has_network    (OcdLink *self);
/* The official agent's service and connection (the watch role). */
void         ocd_link_note_agent     (OcdLink              *self,
                                      const OcdStatusAgent *agent);
/* What HTTP said may be stale: check the credentials again unless OK. */
void         ocd_link_refresh_http   (OcdLink *self);

/* link.conf (ocd-link-conf.c): the store, and after a change of it the
 * role read again and its work restarted. */
OcdStore    *ocd_link_get_store      (OcdLink *self);
void         ocd_link_apply_role     (OcdLink *self);

G_END_DECLS
