/* fuzz-url.c — a server address typed by a person, read from link.conf or
 * from an official agent's settings (obico_url_normalize), and the URLs the
 * daemon derives from a normalized one. */
#include "config.h"

#include <string.h>

#include "fuzz-common.h"
#include "obico-url.h"

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_quiet_logs ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = obico_url_normalize (text, &error);
  g_autofree char *again = NULL;
  g_autofree char *ws = NULL;
  g_autofree char *joined = NULL;
  g_autofree char *host = NULL;
  int port = 0;
  gboolean tls = FALSE;

  if (url == NULL)
    {
      if (error == NULL || error->message == NULL || !g_utf8_validate (error->message, -1, NULL))
        abort ();
      return 0;
    }
  if (error != NULL)
    abort ();

  /* Normalizing is idempotent, and what it returns is usable everywhere. */
  again = obico_url_normalize (url, NULL);
  if (again == NULL || strcmp (again, url) != 0)
    abort ();
  ws = obico_url_websocket (url);
  if (ws == NULL)
    abort ();
  joined = obico_url_join (url, "/api/v1/octo/printer/");
  host = obico_url_host (url, &port, &tls);
  if (host == NULL || *host == '\0' || port < 1 || port > 65535)
    abort ();
  return 0;
}
