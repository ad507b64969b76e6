/* ocd-agent-search.h — where the official agents are installed: the
 * settings files of OctoPrint-Obico and moonraker-obico in home directories
 * (single and multi-instance layouts) and those named by systemd services. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  char *path;      /* the settings file, absolute and canonical */
  char *service;   /* the systemd unit that runs this agent, NULL when none is known */
} OcdAgentPlace;

void        ocd_agent_place_free  (OcdAgentPlace *place);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (OcdAgentPlace, ocd_agent_place_free)

/* @roots: the root directories of the systems to search, "/" for this host
 * (another one, e.g. a container's, is searched as if it were "/": paths
 * in its files are taken inside it).  Returns the places that exist, each
 * once, in a stable order: home by home, then those only services name. */
GPtrArray  *ocd_agent_search      (const char * const *roots);

/* The systemd unit directory of @root, whose changes can mean an agent was
 * installed or removed. */
char       *ocd_agent_search_unit_dir (const char *root);

/* The directories of @roots whose new entries can be an agent installed
 * without a service of its own: /home, each home (a new ~/<name>_data,
 * ~/printer_data, ~/klipper_config, ~/.octoprint), and the directories in
 * it that hold moonraker-obico's settings.  Those that exist. */
GPtrArray  *ocd_agent_search_dirs     (const char * const *roots);
/* Whether a new entry named @name in one of them can be (the way to) an
 * agent's settings. */
gboolean    ocd_agent_search_may_be_agent (const char *name);

G_END_DECLS
