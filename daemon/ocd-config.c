/* ocd-config.c — the admin's configuration.  A missing file means defaults;
 * a bad value is warned about and replaced by its default, never fatal. */
#include "config.h"

#define G_LOG_DOMAIN "ocd-config"

#include "ocd-config.h"
#include "obico-url.h"

OcdConfig *
ocd_config_new_defaults (void)
{
  OcdConfig *config = g_new0 (OcdConfig, 1);

  config->server_url = g_strdup (OBICO_DEFAULT_SERVER_URL);
  config->timeout = 10;
  config->heartbeat_interval = 30;
  config->dead_peer_timeout = 45;
  config->window_hours = 24;
  config->unreliable_minutes = 15;
  config->max_events = 500;
  config->hc_interval = 60;
  config->credentials_interval = 600;
  config->websocket_interval = 600;
  config->settings_files = g_new0 (char *, 1);
  config->search_roots = g_strsplit ("/", ";", -1);
  return config;
}

void
ocd_config_free (OcdConfig *config)
{
  if (config == NULL)
    return;
  g_free (config->path);
  g_strfreev (config->agent_settings);
  g_free (config->server_url);
  g_free (config->proxy);
  g_strfreev (config->settings_files);
  g_strfreev (config->search_roots);
  g_free (config);
}

static void
read_double (GKeyFile   *file,
             const char *path,
             const char *group,
             const char *key,
             double      min,
             double      max,
             double     *value)
{
  g_autoptr(GError) error = NULL;
  double v;

  if (!g_key_file_has_key (file, group, key, NULL))
    return;
  v = g_key_file_get_double (file, group, key, &error);
  if (error != NULL || v < min || v > max)
    {
      g_warning ("%s: [%s] %s must be a number from %g to %g; using %g",
                 path, group, key, min, max, *value);
      return;
    }
  *value = v;
}

static void
read_list (GKeyFile   *file,
           const char *group,
           const char *key,
           char     ***value)
{
  g_auto(GStrv) list = NULL;

  if (!g_key_file_has_key (file, group, key, NULL))
    return;
  list = g_key_file_get_string_list (file, group, key, NULL, NULL);
  if (list != NULL)
    {
      g_strfreev (*value);
      *value = g_steal_pointer (&list);
    }
}

OcdConfig *
ocd_config_load (const char *path)
{
  g_autoptr(OcdConfig) config = ocd_config_new_defaults ();
  g_autoptr(GKeyFile) file = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  double max_events = config->max_events;

  config->path = g_strdup (path);
  if (!g_key_file_load_from_file (file, path, G_KEY_FILE_NONE, &error))
    {
      if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_warning ("Could not read %s (%s); using the default settings", path, error->message);
      return g_steal_pointer (&config);
    }
  config->loaded = TRUE;

  if (g_key_file_has_key (file, "server", "url", NULL))
    {
      g_autofree char *url = g_key_file_get_string (file, "server", "url", NULL);
      g_autoptr(GError) url_error = NULL;
      g_autofree char *normalized = obico_url_normalize (url, &url_error);

      if (normalized == NULL)
        g_warning ("%s: [server] url: %s Using %s", path, url_error->message, config->server_url);
      else
        {
          g_free (config->server_url);
          config->server_url = g_steal_pointer (&normalized);
        }
    }

  if (g_key_file_has_key (file, "server", "proxy", NULL))
    {
      g_free (config->proxy);
      config->proxy = g_key_file_get_string (file, "server", "proxy", NULL);
    }
  read_double (file, path, "server", "timeout", 0.1, 300, &config->timeout);
  read_double (file, path, "session", "heartbeat-interval", 0.1, 3600, &config->heartbeat_interval);
  read_double (file, path, "session", "dead-peer-timeout", 0.2, 3600, &config->dead_peer_timeout);
  read_double (file, path, "report", "window-hours", 0.0001, 24 * 365, &config->window_hours);
  read_double (file, path, "report", "unreliable-minutes", 0.001, 24 * 60,
               &config->unreliable_minutes);
  read_double (file, path, "report", "max-events", 10, 100000, &max_events);
  config->max_events = (guint) max_events;
  read_double (file, path, "watch", "hc-interval", 0.1, 86400, &config->hc_interval);
  read_double (file, path, "watch", "credentials-interval", 0.1, 86400, &config->credentials_interval);
  read_double (file, path, "watch", "websocket-interval", 0.1, 86400, &config->websocket_interval);

  read_list (file, "watch", "settings-files", &config->settings_files);
  read_list (file, "watch", "search-roots", &config->search_roots);
  for (guint i = 0; config->search_roots[i] != NULL; i++)
    if (!g_path_is_absolute (g_strstrip (config->search_roots[i])))
      {
        g_warning ("%s: [watch] search-roots: %s is not an absolute path; ignored",
                   path, config->search_roots[i]);
        *config->search_roots[i] = '\0';
      }

  return g_steal_pointer (&config);
}
