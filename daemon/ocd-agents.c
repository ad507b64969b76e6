/* ocd-agents.c — the registry of the official agents: which settings files
 * are followed (given, or found by ocd-agent-search), each read without ever
 * writing and read again when it changes — a re-link rewrites (or replaces)
 * the file and the new token must be seen without a restart — and each
 * agent's log followed.  Signals: "changed" (the list or an agent's
 * settings) and "log-event" (what an agent's log said). */
#include "config.h"

#define G_LOG_DOMAIN "ocd-agents"

#include <string.h>

#include "ocd-agents.h"
#include "ocd-agent-search.h"
#include "ocd-log.h"

#define RELOAD_DELAY_MS   100     /* one reload for the burst of events of one write */
#define SEARCH_DELAY_MS   1000    /* an installer writes a unit, its env file, reloads systemd */

typedef struct {
  OcdAgents    *agents;
  OcdAgentKind  kind;
  char         *path;
  char         *basename;
  char         *target_basename;
  char         *service;         /* the systemd unit that runs it, or NULL */
  OcdAgent     *agent;
  GFileMonitor *dir_monitor;     /* the file's directory: editors replace files */
  GFileMonitor *target_monitor;  /* the directory a symlink points into */
  guint         reload_id;
  OcdAgentLog  *log;
  char         *shared_line;     /* its log's 4321 since its last start, until re-linked */
} Entry;

struct _OcdAgents
{
  GObject    parent_instance;

  GPtrArray *entries;        /* Entry, in search order */
  GPtrArray *agents;         /* OcdAgent of each entry, same order (borrowed) */
  GStrv      search_roots;   /* NULL: only the given files */
  GPtrArray *unit_monitors;  /* GFileMonitor of each root's systemd units */
  GHashTable *place_monitors; /* directory → GFileMonitor: where new settings may appear */
  guint      search_id;
};

enum {
  SIGNAL_CHANGED,
  SIGNAL_LOG_EVENT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_TYPE (OcdAgents, ocd_agents, G_TYPE_OBJECT)

static void
monitor_stop (GFileMonitor **monitor, gpointer data)
{
  if (*monitor == NULL)
    return;
  g_signal_handlers_disconnect_by_data (*monitor, data);
  g_file_monitor_cancel (*monitor);
  g_clear_object (monitor);
}

static void
entry_free (Entry *entry)
{
  g_clear_handle_id (&entry->reload_id, g_source_remove);
  monitor_stop (&entry->dir_monitor, entry);
  monitor_stop (&entry->target_monitor, entry);
  ocd_agent_log_free (entry->log);
  ocd_agent_free (entry->agent);
  g_free (entry->path);
  g_free (entry->basename);
  g_free (entry->target_basename);
  g_free (entry->service);
  g_free (entry->shared_line);
  g_free (entry);
}

static void
on_log_event (OcdAgentLogEvent  event,
              const char       *line,
              gpointer          data)
{
  Entry *entry = data;

  /* The log is read back from the agent's last start before anyone
   * follows: a 4321 there is kept for the watcher that comes. */
  if (event == OCD_AGENT_LOG_SHARED_CREDENTIALS)
    {
      g_free (entry->shared_line);
      entry->shared_line = g_strdup (line);
    }
  g_signal_emit (entry->agents, signals[SIGNAL_LOG_EVENT], 0, entry->path, event, line);
}

static void entry_reload (Entry *entry);

static gboolean
on_reload_due (gpointer data)
{
  Entry *entry = data;

  entry->reload_id = 0;
  entry_reload (entry);
  return G_SOURCE_REMOVE;
}

static void
on_settings_dir_changed (GFileMonitor      *monitor,
                         GFile             *file,
                         GFile             *other,
                         GFileMonitorEvent  event,
                         gpointer           data)
{
  Entry *entry = data;

  if (event == G_FILE_MONITOR_EVENT_ATTRIBUTE_CHANGED ||
      !(ocd_agent_event_is_about (file, other, entry->basename) ||
        ocd_agent_event_is_about (file, other, entry->target_basename)))
    return;
  g_clear_handle_id (&entry->reload_id, g_source_remove);
  entry->reload_id = g_timeout_add (RELOAD_DELAY_MS, on_reload_due, entry);
}

static GFileMonitor *
monitor_directory_of (Entry *entry, const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GFile) dir_file = g_file_new_for_path (dir);
  g_autoptr(GError) error = NULL;
  GFileMonitor *monitor;

  monitor = g_file_monitor_directory (dir_file, G_FILE_MONITOR_WATCH_MOVES, NULL, &error);
  if (monitor == NULL)
    {
      g_warning ("Changes of %s will not be noticed until obico-connectd is restarted: %s",
                 path, error->message);
      return NULL;
    }
  g_file_monitor_set_rate_limit (monitor, 100);
  g_signal_connect (monitor, "changed", G_CALLBACK (on_settings_dir_changed), entry);
  return monitor;
}

/* Follows where a symlinked settings file points, too. */
static void
entry_follow_target (Entry *entry)
{
  g_autofree char *link = g_file_read_link (entry->path, NULL);
  g_autofree char *target = NULL;
  g_autofree char *target_dir = NULL;
  g_autofree char *own_dir = g_path_get_dirname (entry->path);

  if (link == NULL)
    return;
  target = g_path_is_absolute (link) ? g_strdup (link) : g_build_filename (own_dir, link, NULL);
  target_dir = g_path_get_dirname (target);
  entry->target_basename = g_path_get_basename (target);
  if (!g_str_equal (target_dir, own_dir) && g_file_test (target_dir, G_FILE_TEST_IS_DIR))
    entry->target_monitor = monitor_directory_of (entry, target);
}

static void
entry_set_log (Entry *entry)
{
  const char *wanted = entry->agent->log_path;

  if (entry->log != NULL && g_strcmp0 (ocd_agent_log_get_path (entry->log), wanted) == 0)
    return;
  g_clear_pointer (&entry->log, ocd_agent_log_free);
  if (wanted != NULL)
    entry->log = ocd_agent_log_new (entry->kind, wanted, on_log_event, entry);
}

static void
entry_reload (Entry *entry)
{
  OcdAgents *self = entry->agents;
  OcdAgent *agent = ocd_agent_load (entry->kind, entry->path);

  if (ocd_agent_equal (agent, entry->agent))
    {
      ocd_agent_free (agent);
      return;
    }

  if (agent->error != NULL)
    g_warning ("%s", agent->error);
  else if (entry->agent != NULL && g_strcmp0 (agent->token, entry->agent->token) != 0)
    {
      g_autofree char *hint = ocd_log_token_hint (agent->token);

      g_clear_pointer (&entry->shared_line, g_free);

      g_message ("%s: the %s agent was re-linked (credentials %s)", entry->path,
                 ocd_agent_kind_name (entry->kind), hint);
    }
  else
    g_message ("%s: %s agent for %s", entry->path, ocd_agent_kind_name (entry->kind),
               agent->server_url);

  ocd_agent_free (entry->agent);
  entry->agent = agent;
  g_ptr_array_set_size (self->agents, 0);
  for (guint i = 0; i < self->entries->len; i++)
    g_ptr_array_add (self->agents, ((Entry *) g_ptr_array_index (self->entries, i))->agent);

  entry_set_log (entry);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static Entry *
entry_new (OcdAgents *self, const char *path, const char *service)
{
  Entry *entry = g_new0 (Entry, 1);

  entry->agents = self;
  entry->kind = ocd_agent_kind_for_path (path);
  entry->path = g_strdup (path);
  entry->basename = g_path_get_basename (path);
  entry->service = g_strdup (service);
  entry->agent = ocd_agent_load (entry->kind, path);
  if (entry->agent->error != NULL)
    g_warning ("%s", entry->agent->error);
  else
    g_message ("%s: %s agent for %s", path, ocd_agent_kind_name (entry->kind),
               entry->agent->server_url);
  entry->dir_monitor = monitor_directory_of (entry, path);
  entry_follow_target (entry);
  entry_set_log (entry);
  return entry;
}

static Entry *
find_entry (OcdAgents *self, const char *path)
{
  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (self->entries, i);

      if (g_str_equal (entry->path, path))
        return entry;
    }
  return NULL;
}

/* Follows @path unless it already is; TRUE when something changed. */
static gboolean
add (OcdAgents *self, const char *path, const char *service)
{
  g_autofree char *absolute = NULL;
  Entry *entry;

  if (!g_path_is_absolute (path))
    {
      g_warning ("Agent settings file %s: not an absolute path; ignored", path);
      return FALSE;
    }
  absolute = g_canonicalize_filename (path, NULL);
  entry = find_entry (self, absolute);
  if (entry != NULL)
    {
      if (entry->service != NULL || service == NULL)
        return FALSE;
      entry->service = g_strdup (service);
      return TRUE;
    }
  entry = entry_new (self, absolute, service);
  g_ptr_array_add (self->entries, entry);
  g_ptr_array_add (self->agents, entry->agent);
  return TRUE;
}

static gboolean
search (OcdAgents *self)
{
  g_autoptr(GPtrArray) places = ocd_agent_search ((const char * const *) self->search_roots);
  gboolean changed = FALSE;

  for (guint i = 0; i < places->len; i++)
    {
      OcdAgentPlace *place = g_ptr_array_index (places, i);

      changed |= add (self, place->path, place->service);
    }
  return changed;
}

static void monitor_places (OcdAgents *self);

static gboolean
on_search_due (gpointer data)
{
  OcdAgents *self = data;

  self->search_id = 0;
  g_debug ("Systemd services changed: looking for official agents again");
  monitor_places (self);
  if (search (self))
    g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
  return G_SOURCE_REMOVE;
}

static void
on_units_changed (GFileMonitor      *monitor,
                  GFile             *file,
                  GFile             *other,
                  GFileMonitorEvent  event,
                  gpointer           data)
{
  OcdAgents *self = data;

  if (event == G_FILE_MONITOR_EVENT_ATTRIBUTE_CHANGED)
    return;
  g_clear_handle_id (&self->search_id, g_source_remove);
  self->search_id = g_timeout_add (SEARCH_DELAY_MS, on_search_due, self);
}

static void
schedule_search (OcdAgents *self)
{
  g_clear_handle_id (&self->search_id, g_source_remove);
  self->search_id = g_timeout_add (SEARCH_DELAY_MS, on_search_due, self);
}

static void
on_place_changed (GFileMonitor      *monitor,
                  GFile             *file,
                  GFile             *other,
                  GFileMonitorEvent  event,
                  gpointer           data)
{
  g_autofree char *name = NULL;

  if (event != G_FILE_MONITOR_EVENT_CREATED && event != G_FILE_MONITOR_EVENT_MOVED_IN &&
      event != G_FILE_MONITOR_EVENT_RENAMED)
    return;
  name = g_file_get_basename (event == G_FILE_MONITOR_EVENT_RENAMED && other != NULL ? other : file);
  if (ocd_agent_search_may_be_agent (name))
    schedule_search (data);
}

static void
stop_monitor (gpointer data)
{
  GFileMonitor *monitor = data;

  g_signal_handlers_disconnect_matched (monitor, G_SIGNAL_MATCH_FUNC, 0, 0, NULL, on_place_changed, NULL);
  g_file_monitor_cancel (monitor);
  g_object_unref (monitor);
}

/* An agent whose settings appear in a home (a new KIAUH instance, a
 * moonraker-obico installed by hand) is followed at once, not only when a
 * service comes with it: the homes and their settings directories are
 * followed, and searched again when something that may be one appears. */
static void
monitor_places (OcdAgents *self)
{
  g_autoptr(GPtrArray) dirs = ocd_agent_search_dirs ((const char * const *) self->search_roots);
  GHashTable *old = self->place_monitors;

  self->place_monitors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, stop_monitor);
  for (guint i = 0; i < dirs->len; i++)
    {
      const char *dir = g_ptr_array_index (dirs, i);
      gpointer key, monitor = NULL;

      if (old != NULL && g_hash_table_steal_extended (old, dir, &key, &monitor))
        g_free (key);
      else
        {
          g_autoptr(GFile) file = g_file_new_for_path (dir);

          monitor = g_file_monitor_directory (file, G_FILE_MONITOR_WATCH_MOVES, NULL, NULL);
          if (monitor == NULL)
            continue;
          g_signal_connect (monitor, "changed", G_CALLBACK (on_place_changed), self);
        }
      g_hash_table_insert (self->place_monitors, g_strdup (dir), monitor);
    }
  if (old != NULL)
    g_hash_table_unref (old);
}

/* An agent installed later comes with a service. */
static void
monitor_units (OcdAgents *self)
{
  for (guint i = 0; self->search_roots[i] != NULL; i++)
    {
      const char *root = g_strstrip (self->search_roots[i]);
      g_autofree char *dir = NULL;
      g_autoptr(GFile) file = NULL;
      GFileMonitor *monitor;

      if (!g_path_is_absolute (root))
        continue;
      /* GIO notices a directory that is created later, too. */
      dir = ocd_agent_search_unit_dir (root);
      file = g_file_new_for_path (dir);
      monitor = g_file_monitor_directory (file, G_FILE_MONITOR_WATCH_MOVES, NULL, NULL);
      if (monitor == NULL)
        continue;
      g_signal_connect (monitor, "changed", G_CALLBACK (on_units_changed), self);
      g_ptr_array_add (self->unit_monitors, monitor);
    }
}

OcdAgents *
ocd_agents_new (const char * const *paths,
                const char * const *extra_paths,
                const char * const *search_roots)
{
  OcdAgents *self = g_object_new (OCD_TYPE_AGENTS, NULL);
  const char * const this_host[] = { "/", NULL };

  if (paths == NULL)
    {
      self->search_roots = g_strdupv ((char **) (search_roots != NULL ? search_roots : this_host));
      search (self);
      monitor_units (self);
      monitor_places (self);
    }
  for (guint i = 0; paths == NULL && extra_paths != NULL && extra_paths[i] != NULL; i++)
    {
      g_autofree char *path = g_strstrip (g_strdup (extra_paths[i]));

      if (*path != '\0')
        add (self, path, NULL);
    }
  for (guint i = 0; paths != NULL && paths[i] != NULL; i++)
    {
      g_autofree char *path = g_strstrip (g_strdup (paths[i]));

      if (*path != '\0')
        add (self, path, NULL);
    }
  if (self->entries->len == 0)
    g_debug ("No official Obico agent found");
  return self;
}

GPtrArray *
ocd_agents_get_all (OcdAgents *self)
{
  return self->agents;
}

gboolean
ocd_agents_is_usable (const OcdAgent *agent)
{
  return agent != NULL && agent->token != NULL && agent->error == NULL;
}

const OcdAgent *
ocd_agents_get_watched (OcdAgents *self)
{
  for (guint i = 0; i < self->agents->len; i++)
    {
      const OcdAgent *agent = g_ptr_array_index (self->agents, i);

      if (ocd_agents_is_usable (agent))
        return agent;
    }
  return NULL;
}

const OcdAgent *
ocd_agents_find (OcdAgents *self, const char *path)
{
  for (guint i = 0; path != NULL && i < self->agents->len; i++)
    {
      const OcdAgent *agent = g_ptr_array_index (self->agents, i);

      if (g_strcmp0 (agent->path, path) == 0)
        return agent;
    }
  return NULL;
}

GStrv
ocd_agents_get_recent_log_of (OcdAgents *self, const char *path, guint max_lines)
{
  const OcdAgent *agent = ocd_agents_find (self, path);

  if (agent == NULL || agent->log_path == NULL)
    return NULL;
  return ocd_agent_log_tail (agent->kind, agent->log_path, max_lines);
}

GStrv
ocd_agents_get_recent_log (OcdAgents *self, guint max_lines)
{
  const OcdAgent *chosen = ocd_agents_get_watched (self);

  for (guint i = 0; chosen == NULL && i < self->agents->len; i++)
    {
      const OcdAgent *agent = g_ptr_array_index (self->agents, i);

      if (agent->installed && agent->log_path != NULL)
        chosen = agent;
    }
  if (chosen == NULL || chosen->log_path == NULL)
    return NULL;
  return ocd_agent_log_tail (chosen->kind, chosen->log_path, max_lines);
}

const char *
ocd_agents_get_service (OcdAgents *self, const char *path)
{
  Entry *entry = find_entry (self, path);

  return entry != NULL ? entry->service : NULL;
}

const char *
ocd_agents_get_shared_line (OcdAgents *self, const char *path)
{
  Entry *entry = find_entry (self, path);

  return entry != NULL ? entry->shared_line : NULL;
}

const OcdAgent *
ocd_agents_get_first_broken (OcdAgents *self)
{
  for (guint i = 0; i < self->agents->len; i++)
    {
      const OcdAgent *agent = g_ptr_array_index (self->agents, i);

      if (agent->error != NULL)
        return agent;
    }
  return NULL;
}

GVariant *
ocd_agents_to_variant (OcdAgents *self)
{
  return ocd_agents_to_variant_for (self, NULL);
}

GVariant *
ocd_agents_to_variant_for (OcdAgents *self, const char *watched_path)
{
  GVariantBuilder builder;
  const OcdAgent *watched = watched_path != NULL ? ocd_agents_find (self, watched_path)
                                                 : ocd_agents_get_watched (self);

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *entry = g_ptr_array_index (self->entries, i);
      const OcdAgent *agent = entry->agent;
      g_autofree char *hint = ocd_log_token_hint (agent->token);

      g_variant_builder_open (&builder, G_VARIANT_TYPE ("a{sv}"));
      g_variant_builder_add (&builder, "{sv}", "path", g_variant_new_string (agent->path));
      g_variant_builder_add (&builder, "{sv}", "kind",
                             g_variant_new_string (ocd_agent_kind_name (agent->kind)));
      g_variant_builder_add (&builder, "{sv}", "server_url",
                             g_variant_new_string (agent->server_url != NULL ? agent->server_url : ""));
      g_variant_builder_add (&builder, "{sv}", "has_token", g_variant_new_boolean (agent->token != NULL));
      g_variant_builder_add (&builder, "{sv}", "token_hint", g_variant_new_string (hint));
      g_variant_builder_add (&builder, "{sv}", "error",
                             g_variant_new_string (agent->error != NULL ? agent->error : ""));
      g_variant_builder_add (&builder, "{sv}", "log_path",
                             g_variant_new_string (agent->log_path != NULL ? agent->log_path : ""));
      g_variant_builder_add (&builder, "{sv}", "watched", g_variant_new_boolean (agent == watched));
      g_variant_builder_add (&builder, "{sv}", "installed", g_variant_new_boolean (agent->installed));
      g_variant_builder_add (&builder, "{sv}", "service",
                             g_variant_new_string (entry->service != NULL ? entry->service : ""));
      g_variant_builder_close (&builder);
    }
  return g_variant_builder_end (&builder);
}

static void
ocd_agents_finalize (GObject *object)
{
  OcdAgents *self = OCD_AGENTS (object);

  g_clear_handle_id (&self->search_id, g_source_remove);
  for (guint i = 0; i < self->unit_monitors->len; i++)
    {
      GFileMonitor *monitor = g_ptr_array_index (self->unit_monitors, i);

      g_signal_handlers_disconnect_by_data (monitor, self);
      g_file_monitor_cancel (monitor);
    }
  g_ptr_array_unref (self->unit_monitors);
  g_clear_pointer (&self->place_monitors, g_hash_table_unref);
  g_strfreev (self->search_roots);
  g_ptr_array_unref (self->agents);
  g_ptr_array_unref (self->entries);
  G_OBJECT_CLASS (ocd_agents_parent_class)->finalize (object);
}

static void
ocd_agents_class_init (OcdAgentsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ocd_agents_finalize;

  /* The list or one agent's settings changed. */
  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* (settings path, what the line says, the line: redacted, shortened) */
  signals[SIGNAL_LOG_EVENT] = g_signal_new ("log-event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                            0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                                            G_TYPE_STRING, OCD_TYPE_AGENT_LOG_EVENT, G_TYPE_STRING);
}

static void
ocd_agents_init (OcdAgents *self)
{
  self->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
  self->agents = g_ptr_array_new ();
  self->unit_monitors = g_ptr_array_new_with_free_func (g_object_unref);
}
