/* ocd-agents.c — finds the official agents' settings, reads them without
 * ever writing, and follows them: a re-link rewrites (or replaces) the file
 * and the new token must be seen without a restart.  The agents' logs are
 * followed too, for what only the agent sees (4321, failed handshakes). */
#include "config.h"

#define G_LOG_DOMAIN "ocd-agents"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "ocd-agents.h"
#include "ocd-log.h"
#include "ocd-store.h"
#include "obico-url.h"

#define SETTINGS_MAX_SIZE (1024 * 1024)
#define LOG_MAX_READ      (64 * 1024)
#define LOG_MAX_EVENTS    20      /* per read: a flood is one problem, not a thousand */
#define LOG_LINE_MAX      240
#define YAML_MAX_DEPTH    16      /* aliases can make a mapping contain itself */
#define YAML_MAX_VISITS   64      /* merge lists branch: bound the work, not just the depth */
#define RELOAD_DELAY_MS   100     /* one reload for the burst of events of one write */

/* ---- OcdAgent (pure) ------------------------------------------------- */

void
ocd_agent_free (OcdAgent *agent)
{
  if (agent == NULL)
    return;
  g_free (agent->path);
  g_free (agent->server_url);
  if (agent->token != NULL)
    memset (agent->token, 0, strlen (agent->token));
  g_free (agent->token);
  g_free (agent->error);
  g_free (agent->log_path);
  g_free (agent);
}

const char *
ocd_agent_kind_name (OcdAgentKind kind)
{
  return kind == OCD_AGENT_OCTOPRINT ? "octoprint" : "moonraker";
}

OcdAgentKind
ocd_agent_kind_for_path (const char *path)
{
  if (g_str_has_suffix (path, ".yaml") || g_str_has_suffix (path, ".yml"))
    return OCD_AGENT_OCTOPRINT;
  return OCD_AGENT_MOONRAKER;
}

gboolean
ocd_agent_equal (const OcdAgent *a, const OcdAgent *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return a->kind == b->kind &&
         g_strcmp0 (a->path, b->path) == 0 &&
         g_strcmp0 (a->server_url, b->server_url) == 0 &&
         g_strcmp0 (a->token, b->token) == 0 &&
         g_strcmp0 (a->error, b->error) == 0 &&
         g_strcmp0 (a->log_path, b->log_path) == 0;
}

static OcdAgent *
agent_new (OcdAgentKind kind, const char *path)
{
  OcdAgent *agent = g_new0 (OcdAgent, 1);

  agent->kind = kind;
  agent->path = g_strdup (path);
  return agent;
}

static void
set_error (OcdAgent *agent, char *sentence)
{
  g_free (agent->error);
  agent->error = sentence;
}

/* -- YAML: OctoPrint's config.yaml, through libyaml's document API, which
 *    resolves anchors and aliases for us. */

static gboolean
scalar_is (yaml_node_t *node, const char *text)
{
  return node != NULL && node->type == YAML_SCALAR_NODE &&
         node->data.scalar.length == strlen (text) &&
         memcmp (node->data.scalar.value, text, node->data.scalar.length) == 0;
}

static yaml_node_t *
mapping_lookup (yaml_document_t *doc, yaml_node_t *map, const char *key, guint depth,
                guint *visits)
{
  yaml_node_t *found = NULL;

  /* "<<: [*a, *a]" nested 16 deep would be 2^16 visits: a settings file
   * must not be able to hang the daemon. */
  if (map == NULL || map->type != YAML_MAPPING_NODE || depth > YAML_MAX_DEPTH || *visits == 0)
    return NULL;
  (*visits)--;

  /* The last of duplicate keys wins, as in PyYAML, which OctoPrint uses. */
  for (yaml_node_pair_t *pair = map->data.mapping.pairs.start;
       pair < map->data.mapping.pairs.top; pair++)
    if (scalar_is (yaml_document_get_node (doc, pair->key), key))
      found = yaml_document_get_node (doc, pair->value);
  if (found != NULL)
    return found;

  /* YAML 1.1 merge keys (<<: *defaults), which libyaml leaves to us. */
  for (yaml_node_pair_t *pair = map->data.mapping.pairs.start;
       pair < map->data.mapping.pairs.top; pair++)
    {
      yaml_node_t *merge;

      if (!scalar_is (yaml_document_get_node (doc, pair->key), "<<"))
        continue;
      merge = yaml_document_get_node (doc, pair->value);
      if (merge != NULL && merge->type == YAML_MAPPING_NODE)
        found = mapping_lookup (doc, merge, key, depth + 1, visits);
      else if (merge != NULL && merge->type == YAML_SEQUENCE_NODE)
        for (yaml_node_item_t *item = merge->data.sequence.items.start;
             found == NULL && item < merge->data.sequence.items.top; item++)
          found = mapping_lookup (doc, yaml_document_get_node (doc, *item), key, depth + 1, visits);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static yaml_node_t *
mapping_get (yaml_document_t *doc, yaml_node_t *map, const char *key, guint depth)
{
  guint visits = YAML_MAX_VISITS;

  return mapping_lookup (doc, map, key, depth, &visits);
}

/* A string value, or NULL for a missing, null or non-scalar one. */
static char *
scalar_string (yaml_node_t *node)
{
  const char *value;
  gsize length;

  if (node == NULL || node->type != YAML_SCALAR_NODE)
    return NULL;
  value = (const char *) node->data.scalar.value;
  length = node->data.scalar.length;
  if (memchr (value, '\0', length) != NULL)
    return NULL;
  if (node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
      (length == 0 || g_str_equal (value, "~") || g_ascii_strcasecmp (value, "null") == 0))
    return NULL;
  return g_strndup (value, length);
}

static void
parse_octoprint (OcdAgent *agent, const char *data, gsize length,
                 char **endpoint, char **token, char **logs_dir)
{
  yaml_parser_t parser;
  yaml_document_t doc;
  yaml_node_t *root, *plugins, *section = NULL;
  const char *names[] = { "obico", "thespaghettidetective" };

  if (!yaml_parser_initialize (&parser))
    {
      set_error (agent, g_strdup_printf (_("%s could not be read: out of memory."), agent->path));
      return;
    }
  yaml_parser_set_input_string (&parser, (const unsigned char *) data, length);
  if (!yaml_parser_load (&parser, &doc))
    {
      set_error (agent, g_strdup_printf (_("%s is not valid YAML (line %zu, column %zu: %s), so "
                                           "the Obico plugin's settings in it cannot be read. "
                                           "Restore the file or repair it in OctoPrint."),
                                         agent->path, parser.problem_mark.line + 1,
                                         parser.problem_mark.column + 1,
                                         parser.problem != NULL ? parser.problem : "?"));
      yaml_parser_delete (&parser);
      return;
    }
  yaml_parser_delete (&parser);

  root = yaml_document_get_root_node (&doc);
  plugins = mapping_get (&doc, root, "plugins", 0);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      yaml_node_t *candidate = mapping_get (&doc, plugins, names[i], 0);
      g_autofree char *candidate_token = scalar_string (mapping_get (&doc, candidate, "auth_token", 0));

      if (candidate == NULL || (section != NULL && candidate_token == NULL))
        continue;
      section = candidate;
      if (candidate_token != NULL)
        break;
    }
  *endpoint = scalar_string (mapping_get (&doc, section, "endpoint_prefix", 0));
  *token = scalar_string (mapping_get (&doc, section, "auth_token", 0));
  *logs_dir = scalar_string (mapping_get (&doc, mapping_get (&doc, root, "folder", 0), "logs", 0));

  if (section == NULL)
    set_error (agent, g_strdup_printf (_("%s has no settings of the Obico for OctoPrint plugin "
                                         "(plugins: obico:): the plugin is not installed or "
                                         "was never set up."), agent->path));
  yaml_document_delete (&doc);
}

/* -- INI: moonraker-obico.cfg is read by Python's configparser, which takes
 *    "key = value" and "key: value", comments on their own line, indented
 *    continuation lines and "%%" for "%".  GKeyFile rejects some of that. */

static char *
ini_unescape (const char *value)
{
  GString *out = g_string_new (NULL);

  for (const char *p = value; *p; p++)
    {
      g_string_append_c (out, *p);
      if (p[0] == '%' && p[1] == '%')
        p++;
    }
  return g_string_free (out, FALSE);
}

/* The value of @key in [@section]; the last one when repeated. */
static char *
ini_lookup (const char *data, gsize length, const char *section, const char *key)
{
  g_autofree char *text = g_strndup (data, length);
  g_auto(GStrv) lines = NULL;
  g_autofree char *current = NULL;
  GString *value = NULL;
  gboolean in_value = FALSE;
  char *result = NULL;

  if (g_str_has_prefix (text, "\xef\xbb\xbf"))
    memmove (text, text + 3, strlen (text + 3) + 1);
  lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = lines[i];
      char *stripped;
      char *sep;
      gboolean indented = *line == ' ' || *line == '\t';

      g_strchomp (line);   /* also the \r of CRLF files */
      stripped = line + strspn (line, " \t");
      if (*stripped == '\0' || *stripped == '#' || *stripped == ';')
        {
          in_value = in_value && *stripped != '\0';
          continue;
        }
      if (indented && in_value)
        {
          if (value != NULL)
            g_string_append_printf (value, "\n%s", stripped);
          continue;
        }
      in_value = FALSE;
      if (*stripped == '[' && strchr (stripped, ']') != NULL)
        {
          g_free (current);
          current = g_strndup (stripped + 1, strchr (stripped, ']') - stripped - 1);
          continue;
        }
      sep = stripped + strcspn (stripped, "=:");
      if (*sep == '\0' || current == NULL)
        continue;
      in_value = TRUE;
      *sep = '\0';
      g_strstrip (stripped);
      if (!g_str_equal (current, section) || g_ascii_strcasecmp (stripped, key) != 0)
        {
          in_value = FALSE;
          continue;
        }
      if (value != NULL)
        g_string_free (value, TRUE);
      value = g_string_new (g_strstrip (sep + 1));
    }

  if (value != NULL)
    {
      g_autofree char *raw = g_string_free (value, FALSE);

      if (*raw != '\0')
        result = ini_unescape (raw);
    }
  return result;
}

static void
parse_moonraker (OcdAgent *agent, const char *data, gsize length,
                 char **url, char **token, char **log_path)
{
  *url = ini_lookup (data, length, "server", "url");
  *token = ini_lookup (data, length, "server", "auth_token");
  *log_path = ini_lookup (data, length, "logging", "path");
}

static char *
default_log_path (OcdAgentKind kind, const char *settings_path, const char *configured)
{
  g_autofree char *dir = g_path_get_dirname (settings_path);

  if (configured != NULL && g_path_is_absolute (configured))
    {
      if (kind == OCD_AGENT_OCTOPRINT)
        return g_build_filename (configured, "octoprint.log", NULL);
      return g_strdup (configured);
    }
  /* ~/.octoprint/logs/octoprint.log and ~/printer_data/logs/moonraker-obico.log */
  if (kind == OCD_AGENT_OCTOPRINT)
    return g_build_filename (dir, "logs", "octoprint.log", NULL);
  return g_build_filename (dir, "..", "logs", "moonraker-obico.log", NULL);
}

OcdAgent *
ocd_agent_parse (OcdAgentKind  kind,
                 const char   *path,
                 const char   *data,
                 gsize         length)
{
  OcdAgent *agent = agent_new (kind, path);
  g_autofree char *url = NULL;
  g_autofree char *token = NULL;
  g_autofree char *log_setting = NULL;
  g_autoptr(GError) url_error = NULL;

  if (!g_utf8_validate (data, length, NULL))
    {
      set_error (agent, g_strdup_printf (_("%s is not a text file (it is not valid UTF-8)."), path));
      return agent;
    }

  if (kind == OCD_AGENT_OCTOPRINT)
    parse_octoprint (agent, data, length, &url, &token, &log_setting);
  else
    parse_moonraker (agent, data, length, &url, &token, &log_setting);

  /* Read at once so nothing that comes later can log it. */
  if (token != NULL)
    ocd_log_add_secret (token);

  agent->log_path = default_log_path (kind, path, log_setting);
  agent->server_url = obico_url_normalize (url != NULL ? url : OBICO_DEFAULT_SERVER_URL, &url_error);
  if (agent->error != NULL)
    return agent;

  if (agent->server_url == NULL)
    set_error (agent, g_strdup_printf (_("The server address in %s cannot be used: %s Change "
                                         "it in that agent's settings."), path, url_error->message));
  else if (token == NULL)
    set_error (agent, g_strdup_printf (kind == OCD_AGENT_OCTOPRINT
                                       ? _("The Obico for OctoPrint plugin (%s) is not linked to "
                                           "a printer yet: link it in OctoPrint, Settings → Obico "
                                           "for OctoPrint.")
                                       : _("moonraker-obico (%s) is not linked to a printer yet "
                                           "(no auth_token in [server]): link it with "
                                           "moonraker-obico's install.sh."), path));
  else if (!ocd_store_token_valid (token))
    set_error (agent, g_strdup_printf (_("The auth_token in %s cannot be right (it is empty, too "
                                         "long or contains white space): re-link that agent."),
                                       path));
  else
    agent->token = g_steal_pointer (&token);
  return agent;
}

OcdAgent *
ocd_agent_load (OcdAgentKind kind, const char *path)
{
  g_autofree char *data = NULL;
  struct stat st = { 0 };
  gssize n = 0;
  gsize length = 0;
  int fd;

  /* O_NONBLOCK: a FIFO put in the file's place must not hang the daemon. */
  fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0);
  if (fd < 0)
    {
      int saved = errno;
      OcdAgent *agent = agent_new (kind, path);

      if (saved == ENOENT && g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        set_error (agent, g_strdup_printf (_("%s is a link to a file that does not exist."), path));
      else if (saved == ENOENT)
        set_error (agent, g_strdup_printf (_("%s does not exist."), path));
      else
        set_error (agent, g_strdup_printf (_("%s cannot be read: %s."), path, g_strerror (saved)));
      return agent;
    }
  if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode) || st.st_size > SETTINGS_MAX_SIZE)
    {
      OcdAgent *agent = agent_new (kind, path);

      close (fd);
      if (S_ISDIR (st.st_mode))
        set_error (agent, g_strdup_printf (_("%s is a directory, not an agent's settings file."), path));
      else if (S_ISREG (st.st_mode))
        set_error (agent, g_strdup_printf (_("%s is larger than 1 MiB: it is not an agent's "
                                             "settings file."), path));
      else
        set_error (agent, g_strdup_printf (_("%s is not a regular file."), path));
      return agent;
    }

  data = g_malloc (SETTINGS_MAX_SIZE + 1);
  while (length <= SETTINGS_MAX_SIZE &&
         (n = read (fd, data + length, SETTINGS_MAX_SIZE + 1 - length)) != 0)
    {
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        break;
      length += n;
    }
  close (fd);
  if (n < 0 || length > SETTINGS_MAX_SIZE)
    {
      OcdAgent *agent = agent_new (kind, path);

      set_error (agent, g_strdup_printf (_("%s cannot be read: %s."), path,
                                         n < 0 ? g_strerror (errno) : _("it keeps growing")));
      return agent;
    }
  return ocd_agent_parse (kind, path, data, length);
}

/* -- logs ------------------------------------------------------------- */

static gboolean
contains_nocase (const char *haystack, const char *needle)
{
  g_autofree char *lower = g_ascii_strdown (haystack, -1);

  return strstr (lower, needle) != NULL;
}

OcdAgentLogEvent
ocd_agent_classify_log_line (OcdAgentKind kind, const char *line)
{
  const char *shared[] = { "shared auth_token", "ws closed - 4321", "close code 4321", "4321 -" };
  const char *handshake[] = { "handshake status", "handshake", "websocketbadstatus",
                              "not connected to websocket server" };
  const char *connection[] = { "max retries exceeded", "failed to establish a new connection",
                               "connection refused", "connection reset", "connection aborted",
                               "name or service not known", "temporary failure in name resolution",
                               "nameresolutionerror", "read timed out", "connect timeout",
                               "connecttimeout", "network is unreachable", "no route to host",
                               "ssl: certificate_verify_failed", "sslerror", "connectionerror",
                               "connection to remote host was lost", "server ws error" };

  /* Records start with their time; traceback lines repeat what the record said. */
  if (line == NULL || !g_ascii_isdigit (*line))
    return OCD_AGENT_LOG_NONE;
  if (kind == OCD_AGENT_OCTOPRINT &&
      strstr (line, "octoprint.plugins.obico") == NULL &&
      strstr (line, "octoprint.plugins.thespaghettidetective") == NULL)
    return OCD_AGENT_LOG_NONE;
  /* Debug records hold whole requests (moonraker-obico logs curl lines). */
  if (strstr (line, "DEBUG") != NULL)
    return OCD_AGENT_LOG_NONE;

  for (guint i = 0; i < G_N_ELEMENTS (shared); i++)
    if (contains_nocase (line, shared[i]))
      return OCD_AGENT_LOG_SHARED_CREDENTIALS;
  for (guint i = 0; i < G_N_ELEMENTS (handshake); i++)
    if (contains_nocase (line, handshake[i]))
      return OCD_AGENT_LOG_HANDSHAKE;
  for (guint i = 0; i < G_N_ELEMENTS (connection); i++)
    if (contains_nocase (line, connection[i]))
      return OCD_AGENT_LOG_CONNECTION;
  return OCD_AGENT_LOG_NONE;
}

/* ---- OcdAgents ------------------------------------------------------- */

typedef struct _Entry Entry;

typedef struct {
  Entry        *entry;
  char         *path;
  GFileMonitor *monitor;    /* on its directory: logs are rotated by rename */
  gboolean      known;
  dev_t         dev;
  ino_t         ino;
  goffset       offset;
} LogFollower;

struct _Entry {
  OcdAgents    *agents;
  OcdAgentKind  kind;
  char         *path;
  char         *basename;
  char         *target_basename;
  OcdAgent     *agent;
  GFileMonitor *dir_monitor;     /* the file's directory: editors replace files */
  GFileMonitor *target_monitor;  /* the directory a symlink points into */
  guint         reload_id;
  LogFollower  *log;
};

struct _OcdAgents
{
  GObject    parent_instance;

  GPtrArray *entries;   /* Entry, in search order */
  GPtrArray *agents;    /* OcdAgent of each entry, same order (borrowed) */
};

enum {
  SIGNAL_CHANGED,
  SIGNAL_LOG_EVENT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_TYPE (OcdAgents, ocd_agents, G_TYPE_OBJECT)

static void
log_follower_free (LogFollower *log)
{
  if (log == NULL)
    return;
  if (log->monitor != NULL)
    {
      g_signal_handlers_disconnect_by_data (log->monitor, log);
      g_file_monitor_cancel (log->monitor);
      g_object_unref (log->monitor);
    }
  g_free (log->path);
  g_free (log);
}

static void
entry_free (Entry *entry)
{
  g_clear_handle_id (&entry->reload_id, g_source_remove);
  if (entry->dir_monitor != NULL)
    {
      g_signal_handlers_disconnect_by_data (entry->dir_monitor, entry);
      g_file_monitor_cancel (entry->dir_monitor);
      g_object_unref (entry->dir_monitor);
    }
  if (entry->target_monitor != NULL)
    {
      g_signal_handlers_disconnect_by_data (entry->target_monitor, entry);
      g_file_monitor_cancel (entry->target_monitor);
      g_object_unref (entry->target_monitor);
    }
  log_follower_free (entry->log);
  ocd_agent_free (entry->agent);
  g_free (entry->path);
  g_free (entry->basename);
  g_free (entry->target_basename);
  g_free (entry);
}

static char *
printable_line (const char *line)
{
  g_autofree char *valid = g_utf8_make_valid (line, -1);
  g_autofree char *redacted = ocd_log_redact (valid);

  if (g_utf8_strlen (redacted, -1) > LOG_LINE_MAX)
    {
      g_autofree char *cut = g_utf8_substring (redacted, 0, LOG_LINE_MAX);
      return g_strconcat (cut, "…", NULL);
    }
  return g_steal_pointer (&redacted);
}

static void
log_follower_handle_line (LogFollower *log, const char *line, guint *events)
{
  OcdAgentLogEvent event = ocd_agent_classify_log_line (log->entry->kind, line);
  g_autofree char *text = NULL;

  if (event == OCD_AGENT_LOG_NONE || *events >= LOG_MAX_EVENTS)
    return;
  (*events)++;
  text = printable_line (line);
  g_message ("%s says: %s", log->path, text);
  g_signal_emit (log->entry->agents, signals[SIGNAL_LOG_EVENT], 0,
                 log->entry->path, (int) event, text);
}

/* Reads what was appended since the last read, at most LOG_MAX_READ bytes;
 * an incomplete last line waits for the rest of it. */
static void
log_follower_read (LogFollower *log, gboolean from_start)
{
  g_autofree char *buffer = NULL;
  struct stat st;
  gssize n;
  gsize used = 0;
  guint events = 0;
  int fd;

  fd = g_open (log->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0);
  if (fd < 0)
    {
      log->known = FALSE;
      return;
    }
  if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode))
    {
      close (fd);
      return;
    }

  if (!log->known || st.st_dev != log->dev || st.st_ino != log->ino)
    {
      /* A new file (rotated, or the agent just started): its lines are new,
       * unless this is the first look, which only marks where we are. */
      log->offset = from_start ? 0 : st.st_size;
      log->dev = st.st_dev;
      log->ino = st.st_ino;
      log->known = TRUE;
    }
  if (st.st_size < log->offset)
    log->offset = 0;   /* truncated */
  if (st.st_size - log->offset > LOG_MAX_READ)
    log->offset = st.st_size - LOG_MAX_READ;

  buffer = g_malloc (LOG_MAX_READ + 1);
  do
    n = pread (fd, buffer, LOG_MAX_READ, log->offset);
  while (n < 0 && errno == EINTR);
  close (fd);
  if (n <= 0)
    return;
  buffer[n] = '\0';

  while (used < (gsize) n)
    {
      char *line = buffer + used;
      char *end = memchr (line, '\n', n - used);

      if (end == NULL)
        {
          /* A line longer than the whole read is dropped, not waited for. */
          if (used == 0 && n == LOG_MAX_READ)
            used = n;
          break;
        }
      *end = '\0';
      if (end > line && end[-1] == '\r')
        end[-1] = '\0';
      used = end + 1 - buffer;
      log_follower_handle_line (log, line, &events);
    }
  log->offset += used;
}

static gboolean
event_is_about (GFile *file, GFile *other, const char *basename)
{
  g_autofree char *name = file != NULL ? g_file_get_basename (file) : NULL;
  g_autofree char *other_name = other != NULL ? g_file_get_basename (other) : NULL;

  return basename != NULL && (g_strcmp0 (name, basename) == 0 || g_strcmp0 (other_name, basename) == 0);
}

static void
on_log_dir_changed (GFileMonitor      *monitor,
                    GFile             *file,
                    GFile             *other,
                    GFileMonitorEvent  event,
                    gpointer           data)
{
  LogFollower *log = data;
  g_autofree char *basename = g_path_get_basename (log->path);

  if (!event_is_about (file, other, basename))
    return;
  if (event == G_FILE_MONITOR_EVENT_CHANGED || event == G_FILE_MONITOR_EVENT_CREATED ||
      event == G_FILE_MONITOR_EVENT_MOVED_IN || event == G_FILE_MONITOR_EVENT_RENAMED ||
      event == G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT)
    log_follower_read (log, TRUE);
}

static LogFollower *
log_follower_new (Entry *entry, const char *path)
{
  LogFollower *log = g_new0 (LogFollower, 1);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GFile) dir_file = g_file_new_for_path (dir);
  g_autoptr(GError) error = NULL;

  log->entry = entry;
  log->path = g_strdup (path);
  log_follower_read (log, FALSE);

  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    return log;
  log->monitor = g_file_monitor_directory (dir_file, G_FILE_MONITOR_WATCH_MOVES, NULL, &error);
  if (log->monitor == NULL)
    {
      g_debug ("Not following %s: %s", path, error->message);
      return log;
    }
  g_file_monitor_set_rate_limit (log->monitor, 200);
  g_signal_connect (log->monitor, "changed", G_CALLBACK (on_log_dir_changed), log);
  g_debug ("Following %s", path);
  return log;
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
      !(event_is_about (file, other, entry->basename) ||
        event_is_about (file, other, entry->target_basename)))
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

  if (entry->log != NULL && g_strcmp0 (entry->log->path, wanted) == 0)
    return;
  g_clear_pointer (&entry->log, log_follower_free);
  if (wanted != NULL)
    entry->log = log_follower_new (entry, wanted);
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
entry_new (OcdAgents *self, const char *path)
{
  Entry *entry = g_new0 (Entry, 1);

  entry->agents = self;
  entry->kind = ocd_agent_kind_for_path (path);
  entry->path = g_strdup (path);
  entry->basename = g_path_get_basename (path);
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

static void
add_if_present (GPtrArray *paths, const char *home, const char *relative)
{
  g_autofree char *path = g_build_filename (home, relative, NULL);

  if (g_file_test (path, G_FILE_TEST_EXISTS))
    g_ptr_array_add (paths, g_steal_pointer (&path));
}

static GPtrArray *
search_usual_places (void)
{
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) homes = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) dir = g_dir_open ("/home", 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (homes, g_build_filename ("/home", name, NULL));
  g_ptr_array_sort (homes, (GCompareFunc) g_strcmp0);
  g_ptr_array_add (homes, g_strdup ("/root"));

  for (guint i = 0; i < homes->len; i++)
    {
      const char *home = g_ptr_array_index (homes, i);

      add_if_present (paths, home, "printer_data/config/moonraker-obico.cfg");
      add_if_present (paths, home, ".octoprint/config.yaml");
    }
  return paths;
}

static gboolean
has_entry (OcdAgents *self, const char *path)
{
  for (guint i = 0; i < self->entries->len; i++)
    if (g_str_equal (((Entry *) g_ptr_array_index (self->entries, i))->path, path))
      return TRUE;
  return FALSE;
}

OcdAgents *
ocd_agents_new (const char * const *paths,
                const char * const *extra_paths)
{
  OcdAgents *self = g_object_new (OCD_TYPE_AGENTS, NULL);
  g_autoptr(GPtrArray) found = NULL;

  if (paths != NULL)
    {
      found = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; paths[i] != NULL; i++)
        g_ptr_array_add (found, g_strdup (paths[i]));
    }
  else
    {
      found = search_usual_places ();
      for (guint i = 0; extra_paths != NULL && extra_paths[i] != NULL; i++)
        g_ptr_array_add (found, g_strdup (extra_paths[i]));
    }

  for (guint i = 0; i < found->len; i++)
    {
      const char *path = g_strstrip ((char *) g_ptr_array_index (found, i));
      g_autofree char *absolute = NULL;
      Entry *entry;

      if (*path == '\0')
        continue;
      if (!g_path_is_absolute (path))
        {
          g_warning ("Agent settings file %s: not an absolute path; ignored", path);
          continue;
        }
      absolute = g_canonicalize_filename (path, NULL);
      if (has_entry (self, absolute))
        continue;
      entry = entry_new (self, absolute);
      g_ptr_array_add (self->entries, entry);
      g_ptr_array_add (self->agents, entry->agent);
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

const OcdAgent *
ocd_agents_get_watched (OcdAgents *self)
{
  for (guint i = 0; i < self->agents->len; i++)
    {
      const OcdAgent *agent = g_ptr_array_index (self->agents, i);

      if (agent->token != NULL && agent->error == NULL)
        return agent;
    }
  return NULL;
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
  GVariantBuilder builder;
  const OcdAgent *watched = ocd_agents_get_watched (self);

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; i < self->agents->len; i++)
    {
      const OcdAgent *agent = g_ptr_array_index (self->agents, i);
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
      g_variant_builder_close (&builder);
    }
  return g_variant_builder_end (&builder);
}

static void
ocd_agents_finalize (GObject *object)
{
  OcdAgents *self = OCD_AGENTS (object);

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
  /* (settings path, OcdAgentLogEvent, the line, redacted) */
  signals[SIGNAL_LOG_EVENT] = g_signal_new ("log-event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                            0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                                            G_TYPE_STRING, G_TYPE_INT, G_TYPE_STRING);
}

static void
ocd_agents_init (OcdAgents *self)
{
  self->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
  self->agents = g_ptr_array_new ();
}
