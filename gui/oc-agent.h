/* oc-agent.h — the official agent on this host (OctoPrint-Obico,
 * moonraker-obico), as GetReport's agents name it, and where a change is
 * made in it: in the watch role the link is the agent's, and a page gives
 * the agent's own remedy instead of one the daemon would refuse.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* GetReport's agents.kind */
typedef enum {
  OC_AGENT_OCTOPRINT,
  OC_AGENT_MOONRAKER,
} OcAgentKind;

typedef struct {
  OcAgentKind  kind;
  char        *path;       /* its settings file */
  char        *service;    /* the systemd unit that runs it, "" when not known */
  gboolean     watched;    /* the watch role watches it */
} OcAgent;

void         oc_agent_free          (OcAgent        *agent);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OcAgent, oc_agent_free)

/* From GetReport's reply: the watched agent, else the first one installed;
 * NULL when there is none (or @report is NULL). */
OcAgent     *oc_agent_from_report   (GVariant       *report);

const char  *oc_agent_name          (const OcAgent  *agent);
/* What to do in the agent, as sentences with the real paths and unit. */
char        *oc_agent_server_steps  (const OcAgent  *agent);
char        *oc_agent_link_steps    (const OcAgent  *agent);
char        *oc_agent_debug_steps   (const OcAgent  *agent);

G_END_DECLS
