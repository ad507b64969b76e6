/* ocd-status.h — what one link observed and what it publishes: the
 * inputs (HTTP answers, WebSocket events, the error account), the guide's
 * decision on them, and the properties the service puts on the bus. */
#pragma once

#include <glib-object.h>

#include "obico-enums.h"
#include "ocd-api.h"
#include "ocd-role.h"
#include "ocd-stats.h"
#include "ocd-status-agent.h"

G_BEGIN_DECLS

#define OCD_TYPE_STATUS (ocd_status_get_type ())
G_DECLARE_FINAL_TYPE (OcdStatus, ocd_status, OCD, STATUS, GObject)

/* The error account keeps @window_usec of attempts and @max_events events;
 * State reads its last @recent_usec, an outage counted once. */
OcdStatus    *ocd_status_new               (gint64          window_usec,
                                            gint64          recent_usec,
                                            guint           max_events);

/* A (new) role: who holds the credentials, nothing observed yet. */
void          ocd_status_start_role        (OcdStatus      *self,
                                            const OcdRole  *role);
void          ocd_status_note_http         (OcdStatus      *self,
                                            const OcdApiReply *reply);
void          ocd_status_note_websocket    (OcdStatus      *self,
                                            ObicoWebSocket  state,
                                            const char     *detail);
void          ocd_status_note_attempt      (OcdStatus      *self,
                                            gboolean        error,
                                            const char     *kind,
                                            const char     *cause);
void          ocd_status_note_contact      (OcdStatus      *self);
/* A Link() succeeded (TRUE) or the link was forgotten (FALSE). */
void          ocd_status_note_linked       (OcdStatus      *self,
                                            gboolean        linked);
/* Why an official agent's settings are unusable (NULL: none are); read at
 * the next update. */
void          ocd_status_set_broken_agent  (OcdStatus      *self,
                                            const char     *error);
/* The proxy the server is reached through, as it may be shown (NULL:
 * none); read at the next update. */
void          ocd_status_set_proxy         (OcdStatus      *self,
                                            const char     *proxy);
/* The watch role's inference of what the app shows (ocd-appview). */
void          ocd_status_note_app_status   (OcdStatus      *self,
                                            ObicoAppStatus  app_status);
/* The host's context now (Host, a{sv}; NULL: none known): what errors
 * carry from now on, and the evidence of a cause. */
void          ocd_status_note_host         (OcdStatus      *self,
                                            GVariant       *context);
/* Whether this host has a network to the server (ocd-network): failures
 * while it has none, or while it comes back, are not the server's. */
void          ocd_status_note_network      (OcdStatus      *self,
                                            gboolean        reachable,
                                            const char     *detail);
gboolean      ocd_status_get_no_network    (OcdStatus      *self);
/* The official agent as the watch role sees it, or obico-connect itself in
 * the agent role (OcdStatusAgent, ocd-status-agent.h): the Agent property
 * and the decision's agent rows.  @agent NULL: none (unlinked). */
void          ocd_status_note_agent        (OcdStatus      *self,
                                            const OcdStatusAgent *agent);
void          ocd_status_reset_errors      (OcdStatus      *self);
/* Decides again (the error window moves on, an agent changed). */
void          ocd_status_update            (OcdStatus      *self);

ObicoRole     ocd_status_get_role              (OcdStatus *self);
ObicoState    ocd_status_get_state             (OcdStatus *self);
ObicoProblem  ocd_status_get_problem           (OcdStatus *self);
const char   *ocd_status_get_problem_detail    (OcdStatus *self);
ObicoHttp     ocd_status_get_http              (OcdStatus *self);
const char   *ocd_status_get_server_url        (OcdStatus *self);
const char   *ocd_status_get_credential_source (OcdStatus *self);
OcdStats     *ocd_status_get_stats             (OcdStatus *self);
ObicoAppStatus ocd_status_get_app_status       (OcdStatus *self);
/* The Agent property (a{sv}). */
GVariant     *ocd_status_get_agent             (OcdStatus *self);

G_END_DECLS
