/* fuzz-resolver.c — /etc/hosts and /etc/resolv.conf as Diagnose's resolve
 * step reads them (ocd_probe_describe_resolver).  Input: the name, the
 * hosts file and resolv.conf, separated by NUL bytes. */
#include "config.h"

#include <string.h>

#include "fuzz-common.h"
#include "ocd-probe.h"

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_quiet_logs ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *parts[3] = { "app.obico.io", NULL, NULL };
  g_autofree char *copy = NULL;
  g_autofree char *said = NULL;
  char *p;

  if (size > 64 * 1024)
    return 0;
  copy = g_malloc (size + 1);
  memcpy (copy, data, size);
  copy[size] = '\0';
  p = copy;
  for (guint i = 0; i < 3 && p <= copy + size; i++)
    {
      size_t len = strlen (p);

      if (i > 0 || len > 0)
        parts[i] = p;
      p += len + 1;
    }
  said = ocd_probe_describe_resolver (parts[1], parts[2], parts[0]);
  if (said == NULL || *said == '\0')
    abort ();
  return 0;
}
