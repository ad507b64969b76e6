/* ocd-agents.h — the official Obico agents installed on this host
 * (OctoPrint-Obico, moonraker-obico): their settings files, read-only and
 * followed as they change, and their logs. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum {
  OCD_AGENT_OCTOPRINT,
  OCD_AGENT_MOONRAKER,
} OcdAgentKind;

/* What a line of an agent's log says about its link. */
typedef enum {
  OCD_AGENT_LOG_NONE,
  OCD_AGENT_LOG_SHARED_CREDENTIALS,  /* the server closed it with 4321 */
  OCD_AGENT_LOG_HANDSHAKE,           /* its WebSocket upgrade failed */
  OCD_AGENT_LOG_CONNECTION,          /* it could not reach the server */
} OcdAgentLogEvent;

typedef struct {
  OcdAgentKind  kind;
  char         *path;
  char         *server_url;  /* normalized; the agent's default when unset */
  char         *token;       /* NULL when the agent holds none */
  char         *error;       /* one translated sentence, NULL when usable */
  char         *log_path;    /* where the agent logs, NULL when unknown */
} OcdAgent;

void              ocd_agent_free               (OcdAgent *agent);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OcdAgent, ocd_agent_free)

/* Pure: what the contents of a settings file say.  Never NULL. */
OcdAgent         *ocd_agent_parse              (OcdAgentKind  kind,
                                                const char   *path,
                                                const char   *data,
                                                gsize         length);
OcdAgent         *ocd_agent_load               (OcdAgentKind  kind,
                                                const char   *path);
OcdAgentKind      ocd_agent_kind_for_path      (const char   *path);
const char       *ocd_agent_kind_name          (OcdAgentKind  kind);
gboolean          ocd_agent_equal              (const OcdAgent *a,
                                                const OcdAgent *b);
OcdAgentLogEvent  ocd_agent_classify_log_line  (OcdAgentKind  kind,
                                                const char   *line);

#define OCD_TYPE_AGENTS (ocd_agents_get_type ())
G_DECLARE_FINAL_TYPE (OcdAgents, ocd_agents, OCD, AGENTS, GObject)

/* @paths: the settings files to follow; NULL searches the usual places
 * and adds @extra_paths. */
OcdAgents        *ocd_agents_new               (const char * const *paths,
                                                const char * const *extra_paths);
GPtrArray        *ocd_agents_get_all           (OcdAgents  *self);
const OcdAgent   *ocd_agents_get_watched       (OcdAgents  *self);
const OcdAgent   *ocd_agents_get_first_broken  (OcdAgents  *self);
GVariant         *ocd_agents_to_variant        (OcdAgents  *self);

G_END_DECLS
