/* ocd-verify.h — Link()'s rules: what a code must look like, and what the
 * server's answer to it means (pure). */
#pragma once

#include <glib.h>

#include "ocd-api.h"

G_BEGIN_DECLS

/* The code as the server wants it: 6 ASCII digits, white space around
 * them dropped.  NULL and OBICO_ERROR_INVALID_ARGUMENT otherwise. */
char     *ocd_verify_check_code (const char  *code,
                                 GError     **error);

/* TRUE when @reply carries credentials to keep; else why not:
 * OBICO_ERROR_CODE_REJECTED (the code) or OBICO_ERROR_SERVER_UNREACHABLE
 * (the server). */
gboolean  ocd_verify_judge      (const OcdApiReply  *reply,
                                 GError            **error);

G_END_DECLS
