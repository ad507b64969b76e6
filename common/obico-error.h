/* obico-error.h — the io.obico.Connect1.Error domain, registered on both
 * sides of the bus: the daemon raises these codes, and the app and the CLI
 * branch on them by code (g_error_matches), never on the message.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define OBICO_ERROR (obico_error_quark ())

typedef enum {
  OBICO_ERROR_INVALID_ARGUMENT,
  OBICO_ERROR_NOT_LINKED,
  OBICO_ERROR_NOT_AUTHORIZED,
  OBICO_ERROR_CODE_REJECTED,
  OBICO_ERROR_SERVER_UNREACHABLE,
  OBICO_ERROR_READ_ONLY_CREDENTIALS,
  OBICO_ERROR_BUSY,
  OBICO_ERROR_STORAGE_FAILED,  /* the state directory could not be written */
  OBICO_ERROR_HOST_SERVICE_FAILED,  /* NetworkManager or timedated is not there or refused a change */
  OBICO_ERROR_NOT_SUPPORTED,   /* not here: e.g. no unit of the agent to restart */
  OBICO_ERROR_FAILED,          /* another service refused or failed (systemd's restart) */
} ObicoError;

GQuark obico_error_quark (void);

G_END_DECLS
