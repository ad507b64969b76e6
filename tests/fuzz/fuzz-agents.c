/* fuzz-agents.c — an official agent's settings file: OctoPrint's config.yaml
 * (FUZZ_AGENT_KIND=OCD_AGENT_OCTOPRINT) or moonraker-obico.cfg (INI). */
#include "config.h"

#include <string.h>

#include "fuzz-common.h"
#include "ocd-agents.h"
#include "ocd-store.h"

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_quiet_logs ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *path = FUZZ_AGENT_KIND == OCD_AGENT_OCTOPRINT
                     ? "/home/pi/.octoprint/config.yaml"
                     : "/home/pi/printer_data/config/moonraker-obico.cfg";
  g_autoptr(OcdAgent) agent = NULL;

  if (size > 1024 * 1024)   /* SETTINGS_MAX_SIZE */
    return 0;
  agent = ocd_agent_parse (FUZZ_AGENT_KIND, path, (const char *) data, size);

  if (agent == NULL || agent->kind != FUZZ_AGENT_KIND || g_strcmp0 (agent->path, path) != 0)
    abort ();
  /* Usable, or one sentence saying why not — never both, never neither. */
  if ((agent->token == NULL) == (agent->error == NULL))
    abort ();
  if (agent->token != NULL && (!ocd_store_token_valid (agent->token) || agent->server_url == NULL))
    abort ();
  if (agent->error != NULL && !g_utf8_validate (agent->error, -1, NULL))
    abort ();
  return 0;
}
