/* fuzz-message.c — a server's WebSocket text frame (ocd_message_parse), and
 * the passthru error answer built from the ref it carried. */
#include "config.h"

#include <string.h>

#include "fuzz-common.h"
#include "ocd-message.h"

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_quiet_logs ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_auto(OcdMessage) message = { 0 };

  if (size > 1024 * 1024)   /* the session's max incoming frame */
    return 0;
  ocd_message_parse ((const char *) data, size, &message);

  if (message.summary != NULL && !g_utf8_validate (message.summary, -1, NULL))
    abort ();
  if (message.kind == OCD_MESSAGE_PASSTHRU)
    {
      g_autofree char *answer = NULL;

      if (message.passthru_ref == NULL)
        abort ();
      answer = ocd_message_passthru_error (message.passthru_ref, "fuzz");
      if (answer == NULL || !g_utf8_validate (answer, -1, NULL))
        abort ();
    }
  return 0;
}
