/* ocd-agent-log.c — the official agents' logs, for what only the agent sees
 * (the server's 4321, failed handshakes, unreachable servers).  Lines are
 * classified by what they say; the file is followed through appends,
 * truncation and rotation by rename, reading within bounds. */
#include "config.h"

#define G_LOG_DOMAIN "ocd-agents"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ocd-agent-log.h"
#include "ocd-log.h"

#define LOG_MAX_READ      (64 * 1024)
#define LOG_MAX_EVENTS    20      /* per read: a flood is one problem, not a thousand */
#define LOG_LINE_MAX      240
#define LOG_MAX_BACK      (256 * 1024)   /* how far back the agent's last start is looked for */

G_DEFINE_ENUM_TYPE (OcdAgentLogEvent, ocd_agent_log_event,
                    G_DEFINE_ENUM_VALUE (OCD_AGENT_LOG_NONE, "none"),
                    G_DEFINE_ENUM_VALUE (OCD_AGENT_LOG_SHARED_CREDENTIALS, "shared-credentials"),
                    G_DEFINE_ENUM_VALUE (OCD_AGENT_LOG_HANDSHAKE, "handshake"),
                    G_DEFINE_ENUM_VALUE (OCD_AGENT_LOG_CONNECTION, "connection"))

/* ---- what a line says ---------------------------------------------------- */

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

/* The line an agent writes when it starts: what it logged before belongs to
 * an earlier run.  moonraker-obico: "starting moonraker-obico (vX)";
 * OctoPrint: "Starting OctoPrint X" (its plugins start with it). */
gboolean
ocd_agent_log_line_is_start (OcdAgentKind kind, const char *line)
{
  if (line == NULL || !g_ascii_isdigit (*line))
    return FALSE;
  if (kind == OCD_AGENT_OCTOPRINT)
    return strstr (line, "Starting OctoPrint") != NULL;
  return contains_nocase (line, "starting moonraker-obico");
}

/* ---- following the file ---------------------------------------------------- */

struct _OcdAgentLog {
  OcdAgentKind     kind;
  char            *path;
  OcdAgentLogFunc  func;
  gpointer         user_data;
  GFileMonitor    *monitor;    /* on its directory: logs are rotated by rename */
  gboolean         known;
  dev_t            dev;
  ino_t            ino;
  goffset          offset;
  gboolean         reading_back;   /* the first read: only what still holds counts */
};

void
ocd_agent_log_free (OcdAgentLog *log)
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

const char *
ocd_agent_log_get_path (OcdAgentLog *log)
{
  return log->path;
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
handle_line (OcdAgentLog *log, const char *line, guint *events)
{
  OcdAgentLogEvent event = ocd_agent_classify_log_line (log->kind, line);
  g_autofree char *text = NULL;

  if (event == OCD_AGENT_LOG_NONE || *events >= LOG_MAX_EVENTS)
    return;
  /* Lines written before the daemon started: a 4321 still holds (the agent
   * stopped trying), failed connections were errors of another time. */
  if (log->reading_back && event != OCD_AGENT_LOG_SHARED_CREDENTIALS)
    return;
  (*events)++;
  text = printable_line (line);
  g_message ("%s says: %s", log->path, text);
  log->func (event, text, log->user_data);
}

/* Where the agent's last start is logged, looking back at most
 * LOG_MAX_BACK bytes; without one there, where that look began. */
static goffset
find_last_start (OcdAgentLog *log, int fd, const struct stat *st)
{
  goffset from = MAX (st->st_size - LOG_MAX_BACK, 0);
  goffset start = from;
  g_autofree char *buffer = g_malloc (LOG_MAX_BACK + 1);
  gssize n;
  char *line;

  do
    n = pread (fd, buffer, LOG_MAX_BACK, from);
  while (n < 0 && errno == EINTR);
  if (n <= 0)
    return st->st_size;
  buffer[n] = '\0';
  line = buffer;
  if (from > 0)
    {
      /* the first line of a cut read may be the end of a longer one */
      char *nl = memchr (buffer, '\n', n);

      if (nl == NULL)
        return st->st_size;
      line = nl + 1;
      start = from + (line - buffer);
    }
  while (line < buffer + n)
    {
      char *end = memchr (line, '\n', buffer + n - line);

      if (end == NULL)
        break;
      *end = '\0';
      if (ocd_agent_log_line_is_start (log->kind, line))
        start = from + (line - buffer);
      line = end + 1;
    }
  log->reading_back = TRUE;
  return start;
}

/* Reads what was appended since the last read, at most LOG_MAX_READ bytes;
 * an incomplete last line waits for the rest of it. */
static void
read_appended (OcdAgentLog *log, gboolean from_start)
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
      log->offset = from_start ? 0 : find_last_start (log, fd, &st);
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
      handle_line (log, line, &events);
    }
  log->offset += used;
  /* what the first read left is read back too, before anything new */
  if (log->reading_back && log->offset < st.st_size && n == LOG_MAX_READ)
    read_appended (log, TRUE);
  log->reading_back = FALSE;
}

/* A record of the agent itself: an OctoPrint log holds every plugin's. */
static gboolean
is_agents_own (OcdAgentKind kind, const char *line)
{
  if (*line == '\0')
    return FALSE;
  if (kind == OCD_AGENT_OCTOPRINT)
    return strstr (line, "octoprint.plugins.obico") != NULL ||
           strstr (line, "octoprint.plugins.thespaghettidetective") != NULL;
  return TRUE;
}

GStrv
ocd_agent_log_tail (OcdAgentKind kind, const char *path, guint max_lines)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GPtrArray) kept = g_ptr_array_new ();
  g_autofree char *buffer = NULL;
  g_auto(GStrv) lines = NULL;
  struct stat st;
  gssize n;
  int fd;

  fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0);
  if (fd < 0)
    return g_strv_builder_end (builder);
  if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode))
    {
      close (fd);
      return g_strv_builder_end (builder);
    }
  buffer = g_malloc (LOG_MAX_READ + 1);
  do
    n = pread (fd, buffer, LOG_MAX_READ, MAX (st.st_size - LOG_MAX_READ, 0));
  while (n < 0 && errno == EINTR);
  close (fd);
  if (n <= 0)
    return g_strv_builder_end (builder);
  buffer[n] = '\0';

  lines = g_strsplit (buffer, "\n", -1);
  /* the first line of a cut read may be the end of a longer one */
  for (guint i = st.st_size > LOG_MAX_READ ? 1 : 0; lines[i] != NULL; i++)
    {
      g_strchomp (lines[i]);
      if (is_agents_own (kind, lines[i]))
        g_ptr_array_add (kept, lines[i]);
    }
  for (guint i = kept->len > max_lines ? kept->len - max_lines : 0; i < kept->len; i++)
    {
      g_autofree char *text = printable_line (kept->pdata[i]);

      g_strv_builder_add (builder, text);
    }
  return g_strv_builder_end (builder);
}

gboolean
ocd_agent_event_is_about (GFile *file, GFile *other, const char *basename)
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
  OcdAgentLog *log = data;
  g_autofree char *basename = g_path_get_basename (log->path);

  if (!ocd_agent_event_is_about (file, other, basename))
    return;
  if (event == G_FILE_MONITOR_EVENT_CHANGED || event == G_FILE_MONITOR_EVENT_CREATED ||
      event == G_FILE_MONITOR_EVENT_MOVED_IN || event == G_FILE_MONITOR_EVENT_RENAMED ||
      event == G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT)
    read_appended (log, TRUE);
}

OcdAgentLog *
ocd_agent_log_new (OcdAgentKind     kind,
                   const char      *path,
                   OcdAgentLogFunc  func,
                   gpointer         user_data)
{
  OcdAgentLog *log = g_new0 (OcdAgentLog, 1);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GFile) dir_file = g_file_new_for_path (dir);
  g_autoptr(GError) error = NULL;

  log->kind = kind;
  log->path = g_strdup (path);
  log->func = func;
  log->user_data = user_data;
  read_appended (log, FALSE);

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

