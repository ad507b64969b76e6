/* fuzz-api.c — a server's answer to the REST calls: the first byte picks
 * the endpoint (printer, verify, /hc/), the HTTP status and the content
 * type; the rest is the body, as ocd-api.c would have read it (≤ 1 MiB). */
#include "config.h"

#include <string.h>

#include "fuzz-common.h"
#include "ocd-api.h"

static const guint statuses[] = { 200, 401, 403, 404, 429, 302, 500, 201 };
static const char * const types[] = { "application/json", "text/html", NULL, "" };

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_quiet_logs ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  OcdApiReply *reply;
  guint8 selector;

  if (size < 1 || size - 1 > OCD_API_MAX_BODY)
    return 0;
  selector = data[0];

  reply = g_new0 (OcdApiReply, 1);
  reply->printer_id = -1;
  reply->outcome = OCD_API_OK;
  reply->http_status = statuses[selector & 7];
  reply->content_type = g_strdup (types[(selector >> 3) & 3]);
  reply->address = g_strdup ("127.0.0.1:3334");
  reply->tls = g_strdup ("");
  reply->retry_after = (selector & 0x80) ? 60 : 0;
  reply->body = g_bytes_new (data + 1, size - 1);

  switch ((selector >> 5) % 3)
    {
    case 0: ocd_api_classify_printer (reply); break;
    case 1: ocd_api_classify_verify (reply); break;
    default: ocd_api_classify_health (reply); break;
    }

  /* Whatever it decided must be usable by the link and D-Bus. */
  if (reply->detail == NULL || !g_utf8_validate (reply->detail, -1, NULL))
    abort ();
  if (reply->printer_name != NULL && !g_utf8_validate (reply->printer_name, -1, NULL))
    abort ();
  if (reply->outcome == OCD_API_OK && reply->http_status != 200)
    abort ();

  ocd_api_reply_free (reply);
  return 0;
}
