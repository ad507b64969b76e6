/* fuzz-store.c — STATE_DIR/link.conf (ocd_store_parse).  What parses must
 * survive serialize → parse unchanged: the daemon rewrites the file. */
#include "config.h"

#include <string.h>

#include "fuzz-common.h"
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
  g_auto(OcdStoreData) parsed = { .printer_id = -1 };
  g_auto(OcdStoreData) again = { .printer_id = -1 };
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  if (size > 64 * 1024)   /* MAX_FILE_SIZE */
    return 0;
  if (!ocd_store_parse ((const char *) data, size, &parsed, &error))
    {
      if (error == NULL)
        abort ();
      return 0;
    }

  text = ocd_store_serialize (&parsed);
  if (!ocd_store_parse (text, strlen (text), &again, NULL))
    abort ();
  if (g_strcmp0 (parsed.server_url, again.server_url) != 0 ||
      g_strcmp0 (parsed.token, again.token) != 0 ||
      g_strcmp0 (parsed.printer_name, again.printer_name) != 0 ||
      parsed.printer_id != again.printer_id ||
      parsed.debug_logging != again.debug_logging)
    abort ();
  return 0;
}
