/* ocd-agent-search.c — finds the official agents where their installers put
 * them, so that obico-connect watches them instead of linking a printer of
 * its own (which would add a printer to the account).
 *
 * Homes: every directory in /home, /root, and the home of every account in
 * /etc/passwd with uid 0 or from 1000 on.  In each home:
 *   moonraker-obico   ~/printer_data/config/, the other ~/<name>_data/config/
 *                     (KIAUH's instances: printer_1_data, voron_data, …) and
 *                     the older ~/klipper_config/: moonraker-obico.cfg, then
 *                     moonraker-obico-<suffix>.cfg
 *   OctoPrint-Obico   ~/.octoprint/config.yaml, then every other ~/.<name>/
 *                     that is an OctoPrint base folder (octoprint_deploy's
 *                     instances): config.yaml beside OctoPrint's users.yaml
 *                     or logs/octoprint.log
 * Services: every .service in /etc/systemd/system whose ExecStart= runs
 * OctoPrint (its --basedir or --config; else ~User/.octoprint) or
 * moonraker-obico (its -c), with Environment= and EnvironmentFile= expanded
 * the way systemd does.  A service also names the unit of a place that was
 * found in a home. */
#include "config.h"

#define G_LOG_DOMAIN "ocd-agents"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ocd-agent-search.h"
#include "ocd-agent-settings.h"

#define TEXT_MAX_SIZE (256 * 1024)    /* /etc/passwd, a unit, an environment file */
#define UNIT_DIR      "/etc/systemd/system"

typedef struct {
  char     *name;
  char     *home;
  gboolean  person;   /* uid 0 or from 1000 on: its home is searched */
} Account;

typedef struct {
  const char *root;
  GPtrArray  *accounts;  /* Account of this root's /etc/passwd */
  GPtrArray  *places;    /* OcdAgentPlace, in the order found */
  GHashTable *seen;      /* canonical path → OcdAgentPlace (borrowed) */
} Search;

void
ocd_agent_place_free (OcdAgentPlace *place)
{
  if (place == NULL)
    return;
  g_free (place->path);
  g_free (place->service);
  g_free (place);
}

static void
account_free (Account *account)
{
  g_free (account->name);
  g_free (account->home);
  g_free (account);
}

/* @path, a path of the searched system, as seen from here. */
static char *
inside (const char *root, const char *path)
{
  g_autofree char *joined = g_build_filename (root, path, NULL);

  return g_canonicalize_filename (joined, NULL);
}

char *
ocd_agent_search_unit_dir (const char *root)
{
  return inside (root, UNIT_DIR);
}

static void
add_place (Search *s, const char *path, const char *service)
{
  OcdAgentPlace *place = g_hash_table_lookup (s->seen, path);

  if (place == NULL)
    {
      if (!g_file_test (path, G_FILE_TEST_EXISTS) || g_file_test (path, G_FILE_TEST_IS_DIR))
        return;
      place = g_new0 (OcdAgentPlace, 1);
      place->path = g_strdup (path);
      g_ptr_array_add (s->places, place);
      g_hash_table_insert (s->seen, place->path, place);
    }
  if (place->service == NULL && service != NULL)
    place->service = g_strdup (service);
}

static char *
read_text (const char *path)
{
  gsize length;
  char *text = ocd_agent_read_file (path, TEXT_MAX_SIZE, &length);

  /* g_utf8_validate() rejects a NUL inside, too. */
  if (text != NULL && !g_utf8_validate (text, length, NULL))
    g_clear_pointer (&text, g_free);
  return text;
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

/* The names in @dir that @want, sorted. */
static GPtrArray *
list_dir (const char *dir, gboolean (*want) (const char *dir, const char *name))
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    if (want (dir, name))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  return names;
}

/* ---- homes ----------------------------------------------------------------- */

static void
read_accounts (Search *s)
{
  g_autofree char *passwd_path = inside (s->root, "/etc/passwd");
  g_autofree char *text = read_text (passwd_path);
  g_auto(GStrv) lines = text != NULL ? g_strsplit (text, "\n", -1) : NULL;

  for (guint i = 0; lines != NULL && lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], ":", 8);
      Account *account;
      char *end;
      guint64 uid;

      if (g_strv_length (fields) != 7 || *fields[0] == '\0' || !g_path_is_absolute (fields[5]))
        continue;
      uid = g_ascii_strtoull (fields[2], &end, 10);
      if (*fields[2] == '\0' || *end != '\0')
        continue;
      account = g_new0 (Account, 1);
      account->name = g_strdup (fields[0]);
      account->home = g_strdup (fields[5]);
      /* System accounts (uid 1–999, nobody) only when a service runs an
       * agent as one of them. */
      account->person = uid == 0 || (uid >= 1000 && uid != 65534);
      g_ptr_array_add (s->accounts, account);
    }
}

static const char *
account_home (Search *s, const char *name)
{
  for (guint i = 0; i < s->accounts->len; i++)
    {
      Account *account = g_ptr_array_index (s->accounts, i);

      if (g_str_equal (account->name, name))
        return account->home;
    }
  return NULL;
}

static gboolean
is_dir (const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  return g_file_test (path, G_FILE_TEST_IS_DIR);
}

static GPtrArray *
find_homes (Search *s)
{
  GPtrArray *homes = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *home_dir = inside (s->root, "/home");
  g_autoptr(GPtrArray) names = list_dir (home_dir, is_dir);
  g_autoptr(GPtrArray) candidates = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < names->len; i++)
    g_ptr_array_add (candidates, g_build_filename (home_dir, g_ptr_array_index (names, i), NULL));
  g_ptr_array_add (candidates, inside (s->root, "/root"));
  for (guint i = 0; i < s->accounts->len; i++)
    {
      Account *account = g_ptr_array_index (s->accounts, i);

      if (account->person)
        g_ptr_array_add (candidates, inside (s->root, account->home));
    }

  for (guint i = 0; i < candidates->len; i++)
    {
      char *home = g_ptr_array_index (candidates, i);

      if (g_hash_table_contains (seen, home) || !g_file_test (home, G_FILE_TEST_IS_DIR))
        continue;
      g_hash_table_add (seen, home);
      g_ptr_array_add (homes, g_strdup (home));
    }
  return homes;
}

static gboolean
is_moonraker_obico_cfg (const char *dir, const char *name)
{
  /* moonraker-obico-update.cfg is moonraker's update manager section. */
  return g_str_has_prefix (name, "moonraker-obico-") && g_str_has_suffix (name, ".cfg") &&
         strlen (name) > strlen ("moonraker-obico-.cfg") &&
         !g_str_equal (name, "moonraker-obico-update.cfg");
}

/* moonraker-obico.cfg first, then moonraker-obico-<suffix>.cfg */
static void
search_moonraker_config_dir (Search *s, const char *dir)
{
  g_autofree char *plain = g_build_filename (dir, "moonraker-obico.cfg", NULL);
  g_autoptr(GPtrArray) names = NULL;

  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    return;
  add_place (s, plain, NULL);
  names = list_dir (dir, is_moonraker_obico_cfg);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (dir, g_ptr_array_index (names, i), NULL);

      add_place (s, path, NULL);
    }
}

static gboolean
is_data_dir (const char *dir, const char *name)
{
  return g_str_has_suffix (name, "_data") && !g_str_equal (name, "printer_data") && is_dir (dir, name);
}

static gboolean
is_octoprint_basedir (const char *dir, const char *name)
{
  g_autofree char *base = g_build_filename (dir, name, NULL);
  g_autofree char *config = g_build_filename (base, "config.yaml", NULL);
  g_autofree char *users = g_build_filename (base, "users.yaml", NULL);
  g_autofree char *log = g_build_filename (base, "logs", "octoprint.log", NULL);

  return name[0] == '.' && !g_str_equal (name, ".octoprint") &&
         g_file_test (config, G_FILE_TEST_IS_REGULAR) &&
         (g_file_test (users, G_FILE_TEST_IS_REGULAR) || g_file_test (log, G_FILE_TEST_IS_REGULAR));
}

static void
search_home (Search *s, const char *home)
{
  g_autofree char *printer_data = g_build_filename (home, "printer_data", "config", NULL);
  g_autofree char *klipper_config = g_build_filename (home, "klipper_config", NULL);
  g_autofree char *octoprint = g_build_filename (home, ".octoprint", "config.yaml", NULL);
  g_autoptr(GPtrArray) data_dirs = list_dir (home, is_data_dir);
  g_autoptr(GPtrArray) basedirs = NULL;

  search_moonraker_config_dir (s, printer_data);
  for (guint i = 0; i < data_dirs->len; i++)
    {
      g_autofree char *dir = g_build_filename (home, g_ptr_array_index (data_dirs, i), "config", NULL);

      search_moonraker_config_dir (s, dir);
    }
  search_moonraker_config_dir (s, klipper_config);

  add_place (s, octoprint, NULL);
  basedirs = list_dir (home, is_octoprint_basedir);
  for (guint i = 0; i < basedirs->len; i++)
    {
      g_autofree char *path = g_build_filename (home, g_ptr_array_index (basedirs, i), "config.yaml", NULL);

      add_place (s, path, NULL);
    }
}

/* ---- systemd services ------------------------------------------------------ */

typedef struct {
  GHashTable *env;        /* name → value */
  GPtrArray  *env_files;  /* EnvironmentFile= values */
  GPtrArray  *exec;       /* ExecStart= values */
  char       *user;
} Unit;

static void
unit_clear (Unit *unit)
{
  g_hash_table_unref (unit->env);
  g_ptr_array_unref (unit->env_files);
  g_ptr_array_unref (unit->exec);
  g_free (unit->user);
}

static gboolean
is_name (const char *text, gsize length)
{
  if (length == 0 || !(g_ascii_isalpha (*text) || *text == '_'))
    return FALSE;
  for (gsize i = 1; i < length; i++)
    if (!(g_ascii_isalnum (text[i]) || text[i] == '_'))
      return FALSE;
  return TRUE;
}

static void
set_env (Unit *unit, const char *assignment)
{
  const char *eq = strchr (assignment, '=');

  if (eq != NULL && is_name (assignment, eq - assignment))
    g_hash_table_insert (unit->env, g_strndup (assignment, eq - assignment), g_strdup (eq + 1));
}

/* KEY=VALUE lines; values may be quoted. */
static void
read_env_file (Search *s, Unit *unit, const char *setting)
{
  const char *file = setting + (*setting == '-');
  g_autofree char *path = g_path_is_absolute (file) ? inside (s->root, file) : NULL;
  g_autofree char *text = path != NULL ? read_text (path) : NULL;
  g_auto(GStrv) lines = text != NULL ? g_strsplit (text, "\n", -1) : NULL;

  for (guint i = 0; lines != NULL && lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);
      char *eq = strchr (line, '=');
      g_autofree char *value = NULL;
      g_autofree char *assignment = NULL;

      if (*line == '#' || *line == ';' || eq == NULL)
        continue;
      *eq = '\0';
      value = g_shell_unquote (g_strstrip (eq + 1), NULL);
      assignment = g_strconcat (g_strstrip (line), "=", value != NULL ? value : eq + 1, NULL);
      set_env (unit, assignment);
    }
}

static void
unit_setting (Search *s, Unit *unit, const char *key, const char *value)
{
  if (g_str_equal (key, "ExecStart"))
    {
      if (*value == '\0')
        g_ptr_array_set_size (unit->exec, 0);   /* an empty assignment resets the list */
      else
        g_ptr_array_add (unit->exec, g_strdup (value));
    }
  else if (g_str_equal (key, "Environment"))
    {
      g_auto(GStrv) words = NULL;

      if (g_shell_parse_argv (value, NULL, &words, NULL))
        for (guint i = 0; words[i] != NULL; i++)
          set_env (unit, words[i]);
    }
  else if (g_str_equal (key, "EnvironmentFile") && *value != '\0')
    g_ptr_array_add (unit->env_files, g_strdup (value));
  else if (g_str_equal (key, "User"))
    {
      g_free (unit->user);
      unit->user = g_strdup (value);
    }
}

static void
unit_parse (Search *s, Unit *unit, const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autoptr(GString) line = g_string_new (NULL);
  gboolean in_service = FALSE;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *part = g_strstrip (lines[i]);
      gsize length = strlen (part);
      char *eq;

      if (*part == '#' || *part == ';')
        continue;
      /* A line ending in a backslash goes on in the next one. */
      if (length > 0 && part[length - 1] == '\\' && lines[i + 1] != NULL)
        {
          part[length - 1] = ' ';
          g_string_append (line, part);
          continue;
        }
      g_string_append (line, part);
      if (line->str[0] == '[')
        in_service = g_str_has_prefix (line->str, "[Service]");
      else if (in_service && (eq = strchr (line->str, '=')) != NULL)
        {
          *eq = '\0';
          unit_setting (s, unit, g_strstrip (line->str), g_strstrip (eq + 1));
        }
      g_string_truncate (line, 0);
    }
  /* Files override Environment=, as in systemd. */
  for (guint i = 0; i < unit->env_files->len; i++)
    read_env_file (s, unit, g_ptr_array_index (unit->env_files, i));
}

/* ${NAME} anywhere in a word is replaced by its value; $NAME as a whole word
 * by its value split at white space. */
static GPtrArray *
unit_argv (Unit *unit, const char *exec)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) words = NULL;

  if (!g_shell_parse_argv (exec + strspn (exec, "@-:+!|"), NULL, &words, NULL))
    return argv;
  for (guint i = 0; words[i] != NULL; i++)
    {
      const char *word = words[i];
      GString *out;

      if (word[0] == '$' && is_name (word + 1, strlen (word + 1)))
        {
          const char *value = g_hash_table_lookup (unit->env, word + 1);
          g_auto(GStrv) split = g_strsplit_set (value != NULL ? value : "", " \t\n", -1);

          for (guint j = 0; split[j] != NULL; j++)
            if (*split[j] != '\0')
              g_ptr_array_add (argv, g_strdup (split[j]));
          continue;
        }
      out = g_string_new (NULL);
      for (const char *p = word; *p != '\0'; p++)
        {
          const char *close = p[0] == '$' && p[1] == '{' ? strchr (p + 2, '}') : NULL;

          if (close != NULL && is_name (p + 2, close - p - 2))
            {
              g_autofree char *name = g_strndup (p + 2, close - p - 2);
              const char *value = g_hash_table_lookup (unit->env, name);

              g_string_append (out, value != NULL ? value : "");
              p = close;
            }
          else
            g_string_append_c (out, *p);
        }
      g_ptr_array_add (argv, g_string_free (out, FALSE));
    }
  return argv;
}

/* The value of --@long / --@long=… / -@short, the last one given. */
static const char *
option_value (GPtrArray *argv, const char *long_name, const char *short_name)
{
  const char *value = NULL;

  for (guint i = 1; i < argv->len; i++)
    {
      const char *arg = g_ptr_array_index (argv, i);
      gsize length = strlen (long_name);

      if ((g_str_equal (arg, long_name) || g_str_equal (arg, short_name)) && i + 1 < argv->len)
        value = g_ptr_array_index (argv, ++i);
      else if (strncmp (arg, long_name, length) == 0 && arg[length] == '=')
        value = arg + length + 1;
    }
  return value;
}

/* Relative paths and systemd's specifiers (%h, %i) are not followed. */
static gboolean
usable_path (const char *path)
{
  return path != NULL && g_path_is_absolute (path) && strchr (path, '%') == NULL;
}

static void
unit_find_agents (Search *s, Unit *unit, const char *service)
{
  for (guint i = 0; i < unit->exec->len; i++)
    {
      g_autoptr(GPtrArray) argv = unit_argv (unit, g_ptr_array_index (unit->exec, i));
      gboolean octoprint = FALSE, moonraker = FALSE;
      const char *config, *basedir;
      g_autofree char *path = NULL;

      for (guint j = 0; j < argv->len; j++)
        {
          const char *arg = g_ptr_array_index (argv, j);
          const char *module = j + 1 < argv->len && g_str_equal (arg, "-m") ? g_ptr_array_index (argv, j + 1) : "";
          g_autofree char *base = g_path_get_basename (arg);

          octoprint |= g_str_equal (base, "octoprint") || g_str_equal (module, "octoprint");
          moonraker |= g_str_equal (module, "moonraker_obico.app") || g_str_equal (module, "moonraker_obico");
        }
      config = option_value (argv, "--config", "-c");
      basedir = option_value (argv, "--basedir", "-b");

      if ((config != NULL && !usable_path (config)) || (basedir != NULL && !usable_path (basedir)))
        continue;
      if (moonraker && config != NULL)
        path = inside (s->root, config);
      else if (octoprint && config != NULL)
        path = inside (s->root, config);
      else if (octoprint && basedir != NULL)
        {
          g_autofree char *file = g_build_filename (basedir, "config.yaml", NULL);

          path = inside (s->root, file);
        }
      else if (octoprint)
        {
          /* OctoPrint's default base folder, in the home of the service's user. */
          const char *home = account_home (s, unit->user != NULL ? unit->user : "root");
          g_autofree char *file = g_build_filename (home != NULL ? home : "/root", ".octoprint",
                                                    "config.yaml", NULL);

          path = inside (s->root, file);
        }
      if (path != NULL)
        add_place (s, path, service);
    }
}

static gboolean
is_service (const char *dir, const char *name)
{
  return g_str_has_suffix (name, ".service");
}

static void
search_services (Search *s)
{
  g_autofree char *dir = ocd_agent_search_unit_dir (s->root);
  g_autoptr(GPtrArray) names = list_dir (dir, is_service);

  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *text = read_text (path);
      Unit unit = {
        .env = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free),
        .env_files = g_ptr_array_new_with_free_func (g_free),
        .exec = g_ptr_array_new_with_free_func (g_free),
      };

      if (text != NULL)
        {
          unit_parse (s, &unit, text);
          unit_find_agents (s, &unit, name);
        }
      unit_clear (&unit);
    }
}

/* ---- the search ---------------------------------------------------------------- */

static void
add_dir (GPtrArray *dirs, const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_ptr_array_find_with_equal_func (dirs, path, g_str_equal, NULL))
    g_ptr_array_add (dirs, g_strdup (path));
}

GPtrArray *
ocd_agent_search_dirs (const char * const *roots)
{
  GPtrArray *dirs = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; roots != NULL && roots[i] != NULL; i++)
    {
      g_autofree char *root = g_strstrip (g_strdup (roots[i]));
      g_autofree char *home_dir = NULL;
      g_autoptr(GPtrArray) homes = NULL;
      g_autoptr(GPtrArray) accounts = NULL;
      Search s = { .root = root };

      if (!g_path_is_absolute (root) || !g_file_test (root, G_FILE_TEST_IS_DIR))
        continue;
      accounts = g_ptr_array_new_with_free_func ((GDestroyNotify) account_free);
      s.accounts = accounts;
      read_accounts (&s);
      home_dir = inside (root, "/home");
      add_dir (dirs, home_dir);
      homes = find_homes (&s);
      for (guint j = 0; j < homes->len; j++)
        {
          const char *home = g_ptr_array_index (homes, j);
          g_autoptr(GPtrArray) data_dirs = list_dir (home, is_data_dir);
          const char * const inner[] = { "printer_data", "printer_data/config", "klipper_config", ".octoprint" };

          add_dir (dirs, home);
          for (guint k = 0; k < G_N_ELEMENTS (inner); k++)
            {
              g_autofree char *path = g_build_filename (home, inner[k], NULL);

              add_dir (dirs, path);
            }
          for (guint k = 0; k < data_dirs->len; k++)
            {
              g_autofree char *data = g_build_filename (home, g_ptr_array_index (data_dirs, k), NULL);
              g_autofree char *config = g_build_filename (data, "config", NULL);

              add_dir (dirs, data);
              add_dir (dirs, config);
            }
        }
    }
  return dirs;
}

gboolean
ocd_agent_search_may_be_agent (const char *name)
{
  return g_str_has_suffix (name, "_data") || g_str_equal (name, "config") ||
         g_str_equal (name, "klipper_config") || g_str_equal (name, ".octoprint") ||
         g_str_equal (name, "config.yaml") ||
         (g_str_has_prefix (name, "moonraker-obico") && g_str_has_suffix (name, ".cfg"));
}

GPtrArray *
ocd_agent_search (const char * const *roots)
{
  GPtrArray *places = g_ptr_array_new_with_free_func ((GDestroyNotify) ocd_agent_place_free);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; roots != NULL && roots[i] != NULL; i++)
    {
      g_autofree char *root = g_strstrip (g_strdup (roots[i]));
      g_autoptr(GPtrArray) homes = NULL;
      g_autoptr(GPtrArray) accounts = NULL;
      Search s = { .root = root, .places = places, .seen = seen };

      if (!g_path_is_absolute (root) || !g_file_test (root, G_FILE_TEST_IS_DIR))
        continue;
      accounts = g_ptr_array_new_with_free_func ((GDestroyNotify) account_free);
      s.accounts = accounts;
      read_accounts (&s);
      homes = find_homes (&s);
      for (guint j = 0; j < homes->len; j++)
        search_home (&s, g_ptr_array_index (homes, j));
      search_services (&s);
    }
  return places;
}
