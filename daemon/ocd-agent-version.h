/* ocd-agent-version.h — an official agent's version as its installed files
 * tell it, read without running anything. */
#pragma once

#include <glib.h>

#include "ocd-agent-settings.h"

G_BEGIN_DECLS

/* Pure: the version a Python module assigns at its top level
 * (moonraker-obico's moonraker_obico/version.py: VERSION = '1.7.0', or
 * __version__ = "…"), or NULL. */
char *ocd_agent_version_from_python   (const char *text, gsize len);

/* Pure: the Version: header of a Python distribution's core metadata
 * (a dist-info's METADATA, an egg-info's PKG-INFO), or NULL. */
char *ocd_agent_version_from_metadata (const char *text, gsize len);

/* Whether @version looks like a version: 1 to 64 of [A-Za-z0-9.+!_-],
 * beginning with a letter or digit. */
gboolean ocd_agent_version_is_valid   (const char *version, gsize len);

/* The version of the agent whose settings file is @settings, from its
 * installed files near the home directory that holds the settings:
 * moonraker-obico's checkout (~/moonraker-obico/moonraker_obico/version.py),
 * OctoPrint-Obico's distribution in OctoPrint's virtual environment
 * (~/oprint, ~/OctoPrint/venv, ~/octoprint/venv, ~/.local:
 * lib/python3.* /site-packages/OctoPrint_Obico-*.dist-info/METADATA or
 * *.egg-info/PKG-INFO).  Files are read only if they are regular files and
 * not symbolic links, at most 64 KiB of each.  NULL when none tells it. */
char *ocd_agent_version_read          (OcdAgentKind kind, const char *settings);

G_END_DECLS
