/* ocd-session.h — the agent role's WebSocket session with the server */
#pragma once

#include "ocd-link.h"

G_BEGIN_DECLS

#define OCD_TYPE_SESSION (ocd_session_get_type ())
G_DECLARE_FINAL_TYPE (OcdSession, ocd_session, OCD, SESSION, GObject)

OcdSession *ocd_session_new           (OcdLink    *link,
                                       const char *server_url,
                                       const char *token);
void        ocd_session_start         (OcdSession *self);
void        ocd_session_stop          (OcdSession *self);
/* This host has a network again: reconnect at once unless connected. */
void        ocd_session_network_back  (OcdSession *self);

G_END_DECLS
