/* ocd-agents.h — the official Obico agents installed on this host
 * (OctoPrint-Obico, moonraker-obico): their settings files, read-only and
 * followed as they change, and their logs. */
#pragma once

#include <gio/gio.h>

#include "ocd-agent-log.h"
#include "ocd-agent-settings.h"

G_BEGIN_DECLS

#define OCD_TYPE_AGENTS (ocd_agents_get_type ())
G_DECLARE_FINAL_TYPE (OcdAgents, ocd_agents, OCD, AGENTS, GObject)

/* @paths: the settings files to follow; NULL searches the systems under
 * @search_roots ("/" when NULL; see ocd-agent-search.h), follows what it
 * finds and @extra_paths, and searches again when a systemd service is
 * installed or removed, or when settings may have appeared in a home
 * (file monitors on the homes and their settings directories). */
OcdAgents        *ocd_agents_new               (const char * const *paths,
                                                const char * const *extra_paths,
                                                const char * const *search_roots);
GPtrArray        *ocd_agents_get_all           (OcdAgents  *self);
const OcdAgent   *ocd_agents_get_watched       (OcdAgents  *self);
const OcdAgent   *ocd_agents_get_first_broken  (OcdAgents  *self);
/* The official agent's own recent log lines (ocd_agent_log_tail()): the
 * watched agent's, else the first installed one's with a known log; NULL
 * when there is none. */
GStrv             ocd_agents_get_recent_log    (OcdAgents  *self,
                                                guint       max_lines);
/* The same of the agent whose settings are @path (NULL when it has no log). */
GStrv             ocd_agents_get_recent_log_of (OcdAgents  *self,
                                                const char *path,
                                                guint       max_lines);
/* The agent whose settings are @path, NULL when none is followed. */
const OcdAgent   *ocd_agents_find              (OcdAgents  *self,
                                                const char *path);
/* Whether @agent holds a token the watch role can check. */
gboolean          ocd_agents_is_usable         (const OcdAgent *agent);
/* The systemd unit that runs the agent of @path, NULL when none is known. */
const char       *ocd_agents_get_service       (OcdAgents  *self,
                                                const char *path);
/* The line of the agent's log that told of a 4321 since its last start
 * (read back when the daemon started, or seen since), until it is
 * re-linked; NULL: none. */
const char       *ocd_agents_get_shared_line   (OcdAgents  *self,
                                                const char *path);
GVariant         *ocd_agents_to_variant        (OcdAgents  *self);
/* The same, "watched" said of the agent whose settings are @watched_path
 * (a further printer's), of the first with a token when NULL. */
GVariant         *ocd_agents_to_variant_for    (OcdAgents  *self,
                                                const char *watched_path);

G_END_DECLS
