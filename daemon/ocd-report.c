/* ocd-report.c — GetReport()'s dictionary.  It is what a support report
 * shows of the daemon, so it says how the daemon runs (its configuration as
 * it uses it, not as a file says) and never holds the token, at most its
 * last four characters. */
#include "config.h"

#include "ocd-log.h"
#include "ocd-report.h"

static GVariant *
strv_or_empty (const char * const *strv)
{
  return g_variant_new_strv (strv != NULL ? strv : (const char * const[]) { NULL }, -1);
}

/* --agent-settings without the empty ones ("" means: follow none). */
static GVariant *
given_paths (const char * const *paths)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) given = NULL;

  for (guint i = 0; paths != NULL && paths[i] != NULL; i++)
    if (*paths[i] != '\0')
      g_strv_builder_add (builder, paths[i]);
  given = g_strv_builder_end (builder);
  return g_variant_new_strv ((const char * const *) given, -1);
}

/* The effective configuration: the file's, the command line's and
 * link.conf's, the token redacted. */
static GVariant *
configuration (const OcdReportInputs *in)
{
  const OcdConfig *config = in->config;
  GVariantDict dict;

  g_variant_dict_init (&dict, NULL);
  g_variant_dict_insert (&dict, "config_file", "s", config->path != NULL ? config->path : "");
  g_variant_dict_insert (&dict, "config_file_read", "b", config->loaded);
  g_variant_dict_insert (&dict, "state_dir", "s", in->state_dir);
  g_variant_dict_insert (&dict, "server_url", "s", in->server_url);
  g_variant_dict_insert (&dict, "default_server_url", "s", config->server_url);
  g_variant_dict_insert (&dict, "role", "s", obico_role_to_string (in->role));
  g_variant_dict_insert (&dict, "credential_source", "s", in->credential_source);
  if (in->token != NULL)
    {
      g_autofree char *hint = ocd_log_token_hint (in->token);

      g_variant_dict_insert (&dict, "token", "s", hint);
    }
  g_variant_dict_insert (&dict, "debug_logging", "b", in->debug_logging);
  g_variant_dict_insert (&dict, "timeout", "d", config->timeout);
  g_variant_dict_insert (&dict, "heartbeat_interval", "d", config->heartbeat_interval);
  g_variant_dict_insert (&dict, "dead_peer_timeout", "d", config->dead_peer_timeout);
  g_variant_dict_insert (&dict, "window_hours", "d", config->window_hours);
  g_variant_dict_insert (&dict, "unreliable_minutes", "d", config->unreliable_minutes);
  g_variant_dict_insert (&dict, "max_events", "u", config->max_events);
  g_variant_dict_insert (&dict, "hc_interval", "d", config->hc_interval);
  g_variant_dict_insert (&dict, "credentials_interval", "d", config->credentials_interval);
  g_variant_dict_insert (&dict, "websocket_interval", "d", config->websocket_interval);
  g_variant_dict_insert_value (&dict, "settings_files",
                               strv_or_empty ((const char * const *) config->settings_files));
  g_variant_dict_insert (&dict, "usual_places", "b", config->agent_settings == NULL);
  g_variant_dict_insert_value (&dict, "search_roots",
                               strv_or_empty ((const char * const *) config->search_roots));
  g_variant_dict_insert_value (&dict, "agent_settings",
                               given_paths ((const char * const *) config->agent_settings));
  return g_variant_dict_end (&dict);
}

GVariant *
ocd_report_build (const OcdReportInputs *in,
                  gint64                 now)
{
  OcdStatsSummary window;
  GVariantDict dict;

  ocd_stats_summarize (in->stats, now, &window, NULL);
  g_variant_dict_init (&dict, NULL);
  ocd_stats_add_to_dict (in->stats, now, &dict);
  g_variant_dict_insert (&dict, "advice", "s", ocd_stats_advice (window.severity));
  g_variant_dict_insert (&dict, "state", "s", obico_state_to_string (in->state));
  g_variant_dict_insert (&dict, "problem", "s", obico_problem_to_string (in->problem));
  g_variant_dict_insert (&dict, "problem_detail", "s", in->problem_detail);
  g_variant_dict_insert (&dict, "server_url", "s", in->server_url);
  g_variant_dict_insert (&dict, "role", "s", obico_role_to_string (in->role));
  if (in->last_test != NULL)
    g_variant_dict_insert_value (&dict, "last_test", in->last_test);
  if (in->last_diagnose != NULL)
    g_variant_dict_insert_value (&dict, "last_diagnose", in->last_diagnose);
  g_variant_dict_insert_value (&dict, "events", ocd_stats_events (in->stats));
  ocd_stats_add_outages_to_dict (in->stats, now, &dict);
  g_variant_dict_insert_value (&dict, "agents", in->agents);
  if (in->agent_log != NULL)
    g_variant_dict_insert_value (&dict, "agent_log", g_variant_new_strv (in->agent_log, -1));
  if (in->host != NULL)
    g_variant_dict_insert_value (&dict, "host", in->host);
  if (in->host_history != NULL)
    g_variant_dict_insert_value (&dict, "host_history", in->host_history);
  g_variant_dict_insert_value (&dict, "configuration", configuration (in));
  return g_variant_dict_end (&dict);
}
