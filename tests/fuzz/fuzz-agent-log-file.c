/* fuzz-agent-log-file.c — an official agent's log file as the daemon reads
 * it back when it starts following it: the agent's last start in the last
 * 256 KiB, what holds since (ocd_agent_log_new), and the agent's recent
 * lines (ocd_agent_log_tail).  fuzz-agent-log covers single lines only.
 * Input: a byte of options (bit 0: OctoPrint's log, else moonraker-obico's;
 * bit 1: 300 KiB of older lines before, so the reads are cut), then the
 * file's end. */
#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "fuzz-common.h"
#include "ocd-agent-log.h"

#define FILLER_SIZE (300 * 1024)

static char *path;
static char *filler;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  g_autofree char *dir = NULL;

  fuzz_quiet_logs ();
  dir = g_dir_make_tmp ("fuzz-agent-log-XXXXXX", NULL);
  if (dir == NULL)
    abort ();
  path = g_build_filename (dir, "agent.log", NULL);
  /* older lines, the last one cut where the input begins */
  filler = g_malloc (FILLER_SIZE);
  for (gsize i = 0; i < FILLER_SIZE; i++)
    filler[i] = i % 80 == 79 ? '\n' : 'a' + (char) (i % 26);
  return 0;
}

static void
on_line (OcdAgentLogEvent event, const char *line, gpointer data)
{
  guint *lines = data;

  if (event > OCD_AGENT_LOG_CONNECTION || !g_utf8_validate (line, -1, NULL))
    abort ();
  (*lines)++;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  OcdAgentKind kind;
  int fd;
  guint lines = 0;

  if (size < 1)
    return 0;
  kind = (data[0] & 1) ? OCD_AGENT_OCTOPRINT : OCD_AGENT_MOONRAKER;
  fd = g_open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    abort ();
  if (((data[0] & 2) && write (fd, filler, FILLER_SIZE) != FILLER_SIZE) ||
      write (fd, data + 1, size - 1) != (ssize_t) (size - 1))
    abort ();
  close (fd);

  {
    g_autoptr(OcdAgentLog) log = ocd_agent_log_new (kind, path, on_line, &lines);
    g_auto(GStrv) tail = ocd_agent_log_tail (kind, path, 20);

    if (g_strv_length (tail) > 20)
      abort ();
    for (guint i = 0; tail[i] != NULL; i++)
      if (!g_utf8_validate (tail[i], -1, NULL))
        abort ();
  }
  return 0;
}
