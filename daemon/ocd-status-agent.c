/* ocd-status-agent.c — what a link's OcdStatus keeps of the agent that
 * holds the credentials, and the Agent property made of it. */
#include "config.h"

#include "ocd-status-agent.h"

void
ocd_status_agent_forget (OcdStatusAgentKept *kept)
{
  g_clear_pointer (&kept->noted, g_variant_unref);
  kept->health = OCD_AGENT_HEALTH_UNKNOWN;
}

void
ocd_status_agent_clear (OcdStatusAgentKept *kept)
{
  ocd_status_agent_forget (kept);
  g_clear_pointer (&kept->unit, g_free);
  g_clear_pointer (&kept->active_state, g_free);
  g_clear_pointer (&kept->line, g_free);
}

void
ocd_status_agent_keep (OcdStatusAgentKept   *kept,
                       const OcdStatusAgent *agent)
{
  GVariantDict dict;

  ocd_status_agent_clear (kept);
  if (agent == NULL)
    return;
  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "kind", "s", agent->kind);
  g_variant_dict_insert (&dict, "settings", "s", agent->settings != NULL ? agent->settings : "");
  if (agent->unit != NULL)
    g_variant_dict_insert (&dict, "unit", "s", agent->unit);
  if (agent->active_state != NULL)
    g_variant_dict_insert (&dict, "active_state", "s", agent->active_state);
  g_variant_dict_insert (&dict, "running", "b", agent->running);
  g_variant_dict_insert (&dict, "connected", "b", agent->connected);
  if (agent->version != NULL)
    g_variant_dict_insert (&dict, "version", "s", agent->version);
  if (agent->log != NULL)
    g_variant_dict_insert (&dict, "log", "s", agent->log);
  kept->noted = g_variant_ref_sink (g_variant_dict_end (&dict));
  kept->unit = g_strdup (agent->unit);
  kept->active_state = g_strdup (agent->active_state);
  kept->line = g_strdup (agent->line);
  kept->health = agent->health;
}

GVariant *
ocd_status_agent_to_variant (const OcdStatusAgentKept *kept,
                             gboolean                  own,
                             gboolean                  connected)
{
  GVariantDict dict;

  g_variant_dict_init (&dict, kept->noted);
  if (kept->noted != NULL && own)
    g_variant_dict_insert (&dict, "connected", "b", connected);
  return g_variant_dict_end (&dict);
}
