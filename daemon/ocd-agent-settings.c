/* ocd-agent-settings.c — what an official agent's settings file says.
 * OctoPrint's config.yaml is read with libyaml (anchors, aliases and YAML 1.1
 * merge keys included), moonraker-obico's .cfg with a reader that accepts
 * what Python's configparser accepts.  Files are read within bounds and
 * never written. */
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

#include "ocd-agent-settings.h"
#include "ocd-log.h"
#include "ocd-store.h"
#include "obico-enums.h"
#include "obico-url.h"

#define SETTINGS_MAX_SIZE (1024 * 1024)
#define YAML_MAX_DEPTH    16      /* aliases can make a mapping contain itself */
#define YAML_MAX_VISITS   64      /* merge lists branch: bound the work, not just the depth */

G_DEFINE_ENUM_TYPE (OcdAgentKind, ocd_agent_kind,
                    G_DEFINE_ENUM_VALUE (OCD_AGENT_OCTOPRINT, "octoprint"),
                    G_DEFINE_ENUM_VALUE (OCD_AGENT_MOONRAKER, "moonraker"))

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

/* The nick: the word GetReport's agents use. */
const char *
ocd_agent_kind_name (OcdAgentKind kind)
{
  const char *nick = obico_enum_to_string (OCD_TYPE_AGENT_KIND, kind);

  return nick != NULL ? nick : "";
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
         a->installed == b->installed &&
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
  agent->installed = TRUE;
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

  /* OctoPrint, but without the plugin: no official agent here. */
  if (section == NULL)
    {
      agent->installed = FALSE;
      set_error (agent, g_strdup_printf (_("%s has no settings of the Obico for OctoPrint plugin "
                                           "(plugins: obico:): the plugin is not installed or "
                                           "was never set up."), agent->path));
    }
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

/* ---- bounded reading ------------------------------------------------------ */

char *
ocd_agent_read_file (const char *path,
                     gsize       max,
                     gsize      *length)
{
  g_autofree char *data = NULL;
  struct stat st = { 0 };
  gssize n = 0;
  gsize used = 0;
  int fd, saved;

  /* O_NONBLOCK: a FIFO put in the file's place must not hang the daemon. */
  fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0);
  if (fd < 0)
    return NULL;
  if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode) || st.st_size > (goffset) max)
    {
      saved = S_ISDIR (st.st_mode) ? EISDIR : S_ISREG (st.st_mode) ? EFBIG : EINVAL;
      close (fd);
      errno = saved;
      return NULL;
    }

  data = g_malloc (max + 1);
  while (used <= max && (n = read (fd, data + used, max + 1 - used)) != 0)
    {
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        break;
      used += n;
    }
  saved = errno;
  close (fd);
  if (n < 0 || used > max)
    {
      errno = n < 0 ? saved : EOVERFLOW;
      return NULL;
    }
  data[used] = '\0';
  *length = used;
  return g_steal_pointer (&data);
}

OcdAgent *
ocd_agent_load (OcdAgentKind kind, const char *path)
{
  gsize length = 0;
  g_autofree char *data = ocd_agent_read_file (path, SETTINGS_MAX_SIZE, &length);
  int saved = errno;
  OcdAgent *agent;

  if (data != NULL)
    return ocd_agent_parse (kind, path, data, length);

  agent = agent_new (kind, path);
  agent->installed = !(saved == ENOENT || saved == ENOTDIR || saved == ELOOP || saved == EISDIR ||
                       saved == EINVAL || saved == EFBIG);
  if (saved == ENOENT && g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    set_error (agent, g_strdup_printf (_("%s is a link to a file that does not exist."), path));
  else if (saved == ENOENT)
    set_error (agent, g_strdup_printf (_("%s does not exist."), path));
  else if (saved == EISDIR)
    set_error (agent, g_strdup_printf (_("%s is a directory, not an agent's settings file."), path));
  else if (saved == EFBIG)
    set_error (agent, g_strdup_printf (_("%s is larger than 1 MiB: it is not an agent's "
                                         "settings file."), path));
  else if (saved == EINVAL)
    set_error (agent, g_strdup_printf (_("%s is not a regular file."), path));
  else
    set_error (agent, g_strdup_printf (_("%s cannot be read: %s."), path,
                                       saved == EOVERFLOW ? _("it keeps growing") : g_strerror (saved)));
  return agent;
}
