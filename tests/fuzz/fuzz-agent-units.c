/* fuzz-agent-units.c — systemd service files and the environment files they
 * name, as the official agents' installers (KIAUH, octoprint_deploy) write
 * them and a user may edit them: the daemon reads them to find where an agent
 * keeps its settings (ocd_agent_search).  The input is written as a service
 * in a fresh root, and again as /env, which a unit can name in
 * EnvironmentFile=; the search must never crash, leak or name a path outside
 * that root. */
#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "fuzz-common.h"
#include "ocd-agent-search.h"

static char *root;

/* Without g_file_set_contents' fsync: thousands of inputs a second. */
static void
write_file (const char *path, const uint8_t *data, size_t size)
{
  FILE *f = fopen (path, "wb");

  if (f == NULL || fwrite (data, 1, size, f) != size || fclose (f) != 0)
    abort ();
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  g_autofree char *units = NULL;

  fuzz_quiet_logs ();
  root = g_dir_make_tmp ("fuzz-agent-units-XXXXXX", NULL);
  if (root == NULL)
    abort ();
  units = g_build_filename (root, "etc", "systemd", "system", NULL);
  if (g_mkdir_with_parents (units, 0700) != 0)
    abort ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *unit = g_build_filename (root, "etc", "systemd", "system", "agent.service", NULL);
  g_autofree char *env = g_build_filename (root, "env", NULL);
  const char *roots[] = { root, NULL };
  g_autoptr(GPtrArray) places = NULL;

  if (size > 64 * 1024)
    return 0;
  write_file (unit, data, size);
  write_file (env, data, size);

  places = ocd_agent_search (roots);
  for (guint i = 0; i < places->len; i++)
    {
      const OcdAgentPlace *place = g_ptr_array_index (places, i);

      /* found files are real ones inside the root searched */
      if (place->path == NULL || !g_str_has_prefix (place->path, root) ||
          !g_file_test (place->path, G_FILE_TEST_EXISTS))
        abort ();
    }
  return 0;
}
