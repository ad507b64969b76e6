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

G_END_DECLS
