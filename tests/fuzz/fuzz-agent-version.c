/* fuzz-agent-version.c — an official agent's installed files as text:
 * moonraker-obico's version.py and a Python distribution's METADATA /
 * PKG-INFO (ocd_agent_version_from_python/_from_metadata). */
#include "config.h"

#include <string.h>

#include "fuzz-common.h"
#include "ocd-agent-version.h"

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_quiet_logs ();
  return 0;
}

static void
check (char *version)
{
  /* whatever is found is a version as the parsers promise it */
  if (version != NULL && !ocd_agent_version_is_valid (version, strlen (version)))
    abort ();
  g_free (version);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  /* not NUL-terminated: the parsers take the length */
  g_autofree char *copy = NULL;

  if (size > 64 * 1024)   /* FILE_MAX */
    return 0;
  copy = g_memdup2 (data, size);
  check (ocd_agent_version_from_python (copy, size));
  check (ocd_agent_version_from_metadata (copy, size));
  return 0;
}
