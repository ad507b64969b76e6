/* ocd-verify.c — Link(): the 6-digit code of the Obico app's manual setup
 * is traded for the printer's credentials (docs/obico-protocol.md). */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "obico-error.h"
#include "ocd-store.h"
#include "ocd-verify.h"

char *
ocd_verify_check_code (const char  *code,
                       GError     **error)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (code != NULL ? code : ""));
  gboolean valid = strlen (trimmed) == 6;

  for (const char *p = trimmed; valid && *p; p++)
    valid = g_ascii_isdigit (*p);
  if (!valid)
    {
      g_set_error_literal (error, OBICO_ERROR, OBICO_ERROR_INVALID_ARGUMENT,
                           _("The code must be the 6 digits shown in the Obico app "
                             "(Link printer → Manual setup)."));
      return NULL;
    }
  return g_steal_pointer (&trimmed);
}

gboolean
ocd_verify_judge (const OcdApiReply  *reply,
                  GError            **error)
{
  switch (reply->outcome)
    {
    case OCD_API_OK:
      break;
    case OCD_API_REJECTED:
      g_set_error_literal (error, OBICO_ERROR, OBICO_ERROR_CODE_REJECTED, reply->detail);
      return FALSE;
    case OCD_API_UNREACHABLE:
    case OCD_API_INVALID_CREDENTIALS:
    case OCD_API_UNEXPECTED:
    case OCD_API_SERVER_ERROR:
    default:
      g_set_error (error, OBICO_ERROR, OBICO_ERROR_SERVER_UNREACHABLE,
                   _("Could not link the printer: %s"), reply->detail);
      return FALSE;
    }

  if (!ocd_store_token_valid (reply->token))
    {
      g_set_error_literal (error, OBICO_ERROR, OBICO_ERROR_SERVER_UNREACHABLE,
                           _("The server sent credentials that cannot be used; check that "
                             "the address points at an Obico server."));
      return FALSE;
    }
  return TRUE;
}
