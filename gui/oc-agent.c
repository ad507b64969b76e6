/* oc-agent.c — the official agent on this host, and where a change is made in it
 *
 * The steps are the agents' own (their documentation, and the guide's step
 * 4 for debug logging): OctoPrint-Obico is set up in OctoPrint's settings,
 * moonraker-obico in its .cfg file; either needs a restart to take a change.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>

#include "oc-agent.h"

void
oc_agent_free (OcAgent *agent)
{
  if (agent == NULL)
    return;
  g_free (agent->path);
  g_free (agent->service);
  g_free (agent);
}

static OcAgent *
agent_from_dict (GVariant *dict)
{
  const char *kind = NULL, *path = NULL, *service = NULL;
  OcAgent *agent;

  if (!g_variant_lookup (dict, "kind", "&s", &kind) || !g_variant_lookup (dict, "path", "&s", &path))
    return NULL;
  if (!g_str_equal (kind, "octoprint") && !g_str_equal (kind, "moonraker"))
    return NULL;   /* an agent a newer daemon knows */

  agent = g_new0 (OcAgent, 1);
  agent->kind = g_str_equal (kind, "octoprint") ? OC_AGENT_OCTOPRINT : OC_AGENT_MOONRAKER;
  agent->path = g_strdup (path);
  g_variant_lookup (dict, "service", "&s", &service);
  agent->service = g_strdup (service != NULL ? service : "");
  g_variant_lookup (dict, "watched", "b", &agent->watched);
  return agent;
}

OcAgent *
oc_agent_from_report (GVariant *report)
{
  g_autoptr(GVariant) agents = NULL;
  OcAgent *installed = NULL;

  if (report != NULL)
    agents = g_variant_lookup_value (report, "agents", G_VARIANT_TYPE ("aa{sv}"));
  for (gsize i = 0; agents != NULL && i < g_variant_n_children (agents); i++)
    {
      g_autoptr(GVariant) dict = g_variant_get_child_value (agents, i);
      gboolean watched = FALSE, is_installed = FALSE;

      g_variant_lookup (dict, "watched", "b", &watched);
      g_variant_lookup (dict, "installed", "b", &is_installed);
      if (watched)
        {
          OcAgent *agent = agent_from_dict (dict);

          if (agent != NULL)
            {
              oc_agent_free (installed);
              return agent;
            }
        }
      if (is_installed && installed == NULL)
        installed = agent_from_dict (dict);
    }
  return installed;
}

const char *
oc_agent_name (const OcAgent *agent)
{
  return agent->kind == OC_AGENT_OCTOPRINT ? "OctoPrint-Obico" : "moonraker-obico";
}

/* the unit to restart */
static const char *
service (const OcAgent *agent)
{
  if (*agent->service != '\0')
    return agent->service;
  return agent->kind == OC_AGENT_OCTOPRINT ? "octoprint" : "moonraker-obico";
}

char *
oc_agent_server_steps (const OcAgent *agent)
{
  if (agent->kind == OC_AGENT_OCTOPRINT)
    return g_strdup_printf (_("In OctoPrint, open Settings → Obico for OctoPrint → Settings and correct the "
                              "server address there. Then restart OctoPrint (Settings → Restart OctoPrint, "
                              "or “sudo systemctl restart %s”)."), service (agent));

  return g_strdup_printf (_("Correct “url” in the [server] section of %s, then restart the agent: "
                            "“sudo systemctl restart %s”."), agent->path, service (agent));
}

char *
oc_agent_link_steps (const OcAgent *agent)
{
  if (agent->kind == OC_AGENT_OCTOPRINT)
    return g_strdup_printf (_("In OctoPrint, open Settings → Obico for OctoPrint and choose “Re-run Setup "
                              "Wizard”, then enter the 6-digit code from the Obico app there. Restart "
                              "OctoPrint afterwards (“sudo systemctl restart %s”)."), service (agent));

  return g_strdup_printf (_("On this computer, run “cd ~/moonraker-obico && ./install.sh” and enter the 6-digit "
                            "code from the Obico app when it asks (or run “python -m moonraker_obico.link -c "
                            "%s”). Then restart the agent: “sudo systemctl restart %s”."),
                          agent->path, service (agent));
}

char *
oc_agent_debug_steps (const OcAgent *agent)
{
  if (agent->kind == OC_AGENT_OCTOPRINT)
    return g_strdup (_("In OctoPrint, open Settings → Logging, add the logger “octoprint.plugins.obico” with "
                       "the level DEBUG and save. Make the problem happen again; the plugin’s lines appear "
                       "below, without the token."));

  return g_strdup_printf (_("Set “level = DEBUG” in the [logging] section of %s, then restart the agent: "
                            "“sudo systemctl restart %s”. Make the problem happen again; its lines appear "
                            "below, without the token."), agent->path, service (agent));
}
