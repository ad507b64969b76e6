/* ocd-status-agent.h — what a link's OcdStatus keeps of the agent that
 * holds the credentials (the official agent as the watch role sees it, or
 * obico-connect itself in the agent role): the Agent property made of it,
 * and the decision's inputs about it. */
#pragma once

#include <glib.h>

#include "ocd-decide.h"

G_BEGIN_DECLS

/* What the role noted about its agent. */
typedef struct {
  const char     *kind;           /* Agent.kind */
  const char     *settings;
  const char     *unit;           /* NULL: none known */
  const char     *active_state;   /* NULL: no systemd */
  gboolean        running;
  gboolean        connected;
  const char     *version;        /* NULL: not known */
  const char     *log;            /* NULL: not known */
  const char     *line;           /* its last log line about its link, or NULL */
  int             health;         /* OcdAgentHealth (ocd-decide.h) */
} OcdStatusAgent;

/* What is kept of it. */
typedef struct {
  GVariant       *noted;          /* a{sv}, before `connected` of the agent role; NULL: nothing */
  char           *unit;           /* the decision's inputs */
  char           *active_state;
  char           *line;
  OcdAgentHealth  health;
} OcdStatusAgentKept;

/* Keeps @agent (NULL: none, unlinked) instead of what was kept. */
void      ocd_status_agent_keep       (OcdStatusAgentKept   *kept,
                                       const OcdStatusAgent *agent);
/* A new role: nothing noted, its health unknown. */
void      ocd_status_agent_forget     (OcdStatusAgentKept   *kept);
void      ocd_status_agent_clear      (OcdStatusAgentKept   *kept);
/* The Agent property (a{sv}, floating): what was noted, with @connected
 * as `connected` when @own (the agent role: our own WebSocket). */
GVariant *ocd_status_agent_to_variant (const OcdStatusAgentKept *kept,
                                       gboolean                  own,
                                       gboolean                  connected);

G_END_DECLS
