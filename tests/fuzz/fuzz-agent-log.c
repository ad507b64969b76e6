/* fuzz-agent-log.c — lines of an official agent's log, which quote what
 * servers and networks said (ocd_agent_classify_log_line). */
#include "config.h"

#include <string.h>

#include "fuzz-common.h"
#include "ocd-agents.h"

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_quiet_logs ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  if (size > 64 * 1024)   /* LOG_MAX_READ */
    return 0;
  text = g_strndup ((const char *) data, size);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    for (int kind = OCD_AGENT_OCTOPRINT; kind <= OCD_AGENT_MOONRAKER; kind++)
      {
        OcdAgentLogEvent event = ocd_agent_classify_log_line (kind, lines[i]);

        if (event > OCD_AGENT_LOG_CONNECTION)
          abort ();
      }
  return 0;
}
