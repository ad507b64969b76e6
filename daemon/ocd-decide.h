/* ocd-decide.h — the guide's decision (docs/guided-fixes.md) as a pure
 * function: what the link observed in, State, Problem and a sentence out. */
#pragma once

#include <glib.h>

#include "obico-enums.h"
#include "ocd-cause.h"
#include "ocd-stats.h"

G_BEGIN_DECLS

/* The watch role: the official agent's health, from its service
 * (ocd-agent-unit) and its own connection (ocd-appview). */
typedef enum {
  OCD_AGENT_HEALTH_UNKNOWN,        /* not the watch role, or nothing known yet */
  OCD_AGENT_HEALTH_OKAY,           /* running; connected and reporting, or not seen otherwise */
  OCD_AGENT_HEALTH_NOT_RUNNING,    /* its service is stopped, failed or absent */
  OCD_AGENT_HEALTH_NOT_CONNECTED,  /* running, no connection to the server */
  OCD_AGENT_HEALTH_NOT_REPORTING,  /* connected, only keepalives for the server's 120 s */
} OcdAgentHealth;

typedef struct {
  ObicoRole        role;
  ObicoHttp        http;
  /* With http UNREACHABLE: the problem its failure points at
   * (ocd_api_failure_problem); NONE is read as internet. */
  ObicoProblem     unreachable;
  const char      *http_detail;
  ObicoWebSocket   websocket;
  const char      *websocket_detail;
  OcdStatsRecent   recent;        /* the error account's recent window, an outage counted once */
  gboolean         relinked;      /* a Link() succeeded only moments ago */
  const char      *broken_agent;  /* why an official agent's settings are unusable, or NULL */
  OcdCauseInputs   host;          /* the host's context, now and at the recent drops */
  const char      *proxy;         /* the proxy the server is reached through (shown), or NULL */
  gboolean         no_network;    /* this host has no route to the server (ocd-network) */
  const char      *network_detail;
  /* What the Obico app shows (the watch role: inferred): never okay while offline. */
  ObicoAppStatus   app_status;
  OcdAgentHealth   agent;
  const char      *agent_unit;     /* the agent's systemd unit, or NULL */
  const char      *agent_state;    /* its ActiveState, or NULL */
  const char      *agent_line;     /* the agent's last log line about its link, or NULL */
} OcdDecideInputs;

typedef struct {
  ObicoState    state;
  ObicoProblem  problem;
  char         *detail;   /* a translated sentence, or NULL */
} OcdDecision;

void ocd_decide          (const OcdDecideInputs *in,
                          OcdDecision           *out);
void ocd_decision_clear  (OcdDecision *decision);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (OcdDecision, ocd_decision_clear)

G_END_DECLS
