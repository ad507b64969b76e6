/* ocd-agent-version.c — an official agent's version as its installed files
 * tell it.
 *
 * moonraker-obico is a git checkout (~/moonraker-obico by its installer)
 * whose moonraker_obico/version.py assigns VERSION; the agent logs it at
 * its start.  OctoPrint-Obico is a Python distribution installed with pip
 * into OctoPrint's virtual environment, whose dist-info (or, from older
 * setuptools, egg-info) holds the core metadata with its Version: header.
 * Nothing is run and nothing is imported: the files are read as text.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "ocd-agent-version"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ocd-agent-version.h"

#define VERSION_MAX 64
#define FILE_MAX (64 * 1024)
#define UP_MAX 3          /* directories above the settings' own */
#define ENTRIES_MAX 4096  /* entries of a directory looked at */

/* ---- pure -------------------------------------------------------------------- */

gboolean
ocd_agent_version_is_valid (const char *version, gsize len)
{
  if (version == NULL || len == 0 || len > VERSION_MAX || !g_ascii_isalnum (version[0]))
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (version[i]) && strchr (".+!_-", version[i]) == NULL)
      return FALSE;
  return TRUE;
}

static char *
valid_or_null (const char *value, gsize len)
{
  return ocd_agent_version_is_valid (value, len) ? g_strndup (value, len) : NULL;
}

/* The next line of [*pos, end): its start and length without the line end. */
static gboolean
next_line (const char *text, gsize len, gsize *pos, const char **line, gsize *line_len)
{
  const char *nl;

  if (*pos >= len)
    return FALSE;
  *line = text + *pos;
  nl = memchr (*line, '\n', len - *pos);
  *line_len = nl != NULL ? (gsize) (nl - *line) : len - *pos;
  *pos += *line_len + (nl != NULL ? 1 : 0);
  if (*line_len > 0 && (*line)[*line_len - 1] == '\r')
    (*line_len)--;
  return TRUE;
}

static gsize
skip_blanks (const char *s, gsize i, gsize len)
{
  while (i < len && (s[i] == ' ' || s[i] == '\t'))
    i++;
  return i;
}

/* NAME = 'value' or "value" at the start of @line; trailing blanks and a
 * comment may follow. */
static char *
python_assignment (const char *line, gsize len, const char *name)
{
  gsize n = strlen (name);
  gsize i, start;
  char quote;

  if (len <= n || memcmp (line, name, n) != 0)
    return NULL;
  i = skip_blanks (line, n, len);
  if (i >= len || line[i] != '=' || (i + 1 < len && line[i + 1] == '='))
    return NULL;
  i = skip_blanks (line, i + 1, len);
  if (i >= len || (line[i] != '\'' && line[i] != '"'))
    return NULL;
  quote = line[i];
  start = ++i;
  while (i < len && line[i] != quote)
    i++;
  if (i >= len)
    return NULL;
  {
    gsize end = i;

    i = skip_blanks (line, i + 1, len);
    if (i < len && line[i] != '#')
      return NULL;
    return valid_or_null (line + start, end - start);
  }
}

char *
ocd_agent_version_from_python (const char *text, gsize len)
{
  const char *line;
  gsize line_len, pos = 0;
  char *found = NULL;

  if (text == NULL)
    return NULL;
  /* The last top-level assignment is the one that holds. */
  while (next_line (text, len, &pos, &line, &line_len))
    {
      char *value = python_assignment (line, line_len, "VERSION");

      if (value == NULL)
        value = python_assignment (line, line_len, "__version__");
      if (value != NULL)
        {
          g_free (found);
          found = value;
        }
    }
  return found;
}

char *
ocd_agent_version_from_metadata (const char *text, gsize len)
{
  const char *line;
  gsize line_len, pos = 0;

  if (text == NULL)
    return NULL;
  /* The headers end at the first empty line; the description follows. */
  while (next_line (text, len, &pos, &line, &line_len) && line_len > 0)
    {
      gsize i;
      gsize end = line_len;

      if (line_len <= strlen ("Version:") || g_ascii_strncasecmp (line, "Version:", strlen ("Version:")) != 0)
        continue;
      i = skip_blanks (line, strlen ("Version:"), line_len);
      while (end > i && (line[end - 1] == ' ' || line[end - 1] == '\t'))
        end--;
      return valid_or_null (line + i, end - i);
    }
  return NULL;
}

/* ---- files ------------------------------------------------------------------- */

/* At most FILE_MAX bytes of @path if it is a regular file, not a link. */
static char *
read_small (const char *path, gsize *len)
{
  int fd = open (path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  struct stat st;
  char *buf;
  gsize got = 0;

  if (fd < 0)
    return NULL;
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      close (fd);
      return NULL;
    }
  buf = g_malloc (FILE_MAX);
  while (got < FILE_MAX)
    {
      ssize_t n = read (fd, buf + got, FILE_MAX - got);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      got += (gsize) n;
    }
  close (fd);
  *len = got;
  return buf;
}

typedef char *(*ParseFunc) (const char *text, gsize len);

static char *
version_in_file (const char *path, ParseFunc parse)
{
  gsize len = 0;
  g_autofree char *text = read_small (path, &len);

  return text != NULL ? parse (text, len) : NULL;
}

static gboolean
is_real_dir (const char *path)
{
  struct stat st;

  return lstat (path, &st) == 0 && S_ISDIR (st.st_mode);
}

static int
by_version (gconstpointer a, gconstpointer b)
{
  g_autofree char *ka = g_utf8_collate_key_for_filename (*(const char * const *) a, -1);
  g_autofree char *kb = g_utf8_collate_key_for_filename (*(const char * const *) b, -1);

  return strcmp (ka, kb);
}

/* Names in @dir that @accept takes, in the order of file names with
 * numbers (OctoPrint_Obico-2.10.0 after 2.9.0), at most ENTRIES_MAX
 * entries looked at. */
static GPtrArray *
entries (const char *dir, gboolean (*accept) (const char *name))
{
  g_autoptr(GDir) d = is_real_dir (dir) ? g_dir_open (dir, 0, NULL) : NULL;
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  guint seen = 0;

  if (d == NULL)
    return names;
  while (seen++ < ENTRIES_MAX && (name = g_dir_read_name (d)) != NULL)
    if (accept (name))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, by_version);
  return names;
}

static gboolean
is_python_dir (const char *name)
{
  return g_str_has_prefix (name, "python3");
}

static gboolean
is_obico_dist (const char *name)
{
  return (g_ascii_strncasecmp (name, "OctoPrint_Obico-", strlen ("OctoPrint_Obico-")) == 0 ||
          g_ascii_strncasecmp (name, "OctoPrint-Obico-", strlen ("OctoPrint-Obico-")) == 0) &&
         (g_str_has_suffix (name, ".dist-info") || g_str_has_suffix (name, ".egg-info"));
}

/* OctoPrint_Obico's distribution in the environment at @prefix: the newest
 * one that tells its version. */
static char *
octoprint_version_in (const char *prefix)
{
  g_autofree char *lib = g_build_filename (prefix, "lib", NULL);
  g_autoptr(GPtrArray) pythons = entries (lib, is_python_dir);

  for (guint i = pythons->len; i > 0; i--)
    {
      g_autofree char *site = g_build_filename (lib, pythons->pdata[i - 1], "site-packages", NULL);
      g_autoptr(GPtrArray) dists = entries (site, is_obico_dist);

      for (guint j = dists->len; j > 0; j--)
        {
          const char *dist = dists->pdata[j - 1];
          g_autofree char *file = g_build_filename (site, dist,
                                                    g_str_has_suffix (dist, ".dist-info") ? "METADATA" : "PKG-INFO",
                                                    NULL);
          char *version = version_in_file (file, ocd_agent_version_from_metadata);

          if (version != NULL)
            return version;
        }
    }
  return NULL;
}

static char *
version_near (OcdAgentKind kind, const char *dir)
{
  if (kind == OCD_AGENT_MOONRAKER)
    {
      g_autofree char *file = g_build_filename (dir, "moonraker-obico", "moonraker_obico", "version.py", NULL);

      return version_in_file (file, ocd_agent_version_from_python);
    }
  else
    {
      /* OctoPi's ~/oprint, OctoPrint's manual install ~/OctoPrint/venv, pip --user */
      const char * const prefixes[] = { "oprint", "OctoPrint/venv", "octoprint/venv", ".local" };

      for (guint i = 0; i < G_N_ELEMENTS (prefixes); i++)
        {
          g_autofree char *prefix = g_build_filename (dir, prefixes[i], NULL);
          char *version = octoprint_version_in (prefix);

          if (version != NULL)
            return version;
        }
      return NULL;
    }
}

char *
ocd_agent_version_read (OcdAgentKind kind, const char *settings)
{
  g_autofree char *dir = NULL;

  if (settings == NULL || !g_path_is_absolute (settings))
    return NULL;
  /* The settings' directory and those above it up to the home directory
   * (~/printer_data/config/moonraker-obico.cfg, ~/.octoprint/config.yaml). */
  dir = g_path_get_dirname (settings);
  for (guint up = 0; up <= UP_MAX; up++)
    {
      char *version;
      char *parent;

      if (strcmp (dir, "/") == 0)
        break;
      version = version_near (kind, dir);
      if (version != NULL)
        return version;
      parent = g_path_get_dirname (dir);
      g_free (dir);
      dir = parent;
    }
  return NULL;
}
