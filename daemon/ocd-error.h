/* ocd-error.h — the io.obico.Connect1.Error domain */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define OCD_ERROR (ocd_error_quark ())

typedef enum {
  OCD_ERROR_INVALID_ARGUMENT,
  OCD_ERROR_NOT_LINKED,
  OCD_ERROR_NOT_AUTHORIZED,
  OCD_ERROR_CODE_REJECTED,
  OCD_ERROR_SERVER_UNREACHABLE,
  OCD_ERROR_READ_ONLY_CREDENTIALS,
  OCD_ERROR_BUSY,
} OcdError;

GQuark ocd_error_quark (void);

G_END_DECLS
