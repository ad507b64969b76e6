/* oc-format.c — what only the app shows for the daemon's values
 *
 * One table per enum of common/obico-enums.h, indexed by value; a value the
 * app does not know (OBICO_*_UNKNOWN, obico-labels.h) gets the table's
 * "unknown" row.  The words are common/obico-labels.c's.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>

#include "obico-error.h"
#include "oc-format.h"

/* a value of the enum, or @unknown for one outside it */
#define ROW(table, value, unknown) \
  ((guint) (value) < G_N_ELEMENTS (table) ? &(table)[(value)] : &(unknown))

typedef struct {
  const char *icon_name;
  const char *style_class;
} Look;

static const Look states[] = {
  [OBICO_STATE_UNLINKED] = { "insert-link-symbolic", "warning" },
  [OBICO_STATE_CONNECTING] = { "emblem-synchronizing-symbolic", "accent" },
  [OBICO_STATE_OKAY] = { "emblem-ok-symbolic", "success" },
  [OBICO_STATE_DISCONNECTED] = { "network-no-route-symbolic", "warning" },
  [OBICO_STATE_ERROR] = { "dialog-error-symbolic", "error" },
};
static const Look state_unknown = { "emblem-synchronizing-symbolic", "accent" };

static const Look severities[] = {
  [OBICO_SEVERITY_NONE] = { "network-wireless-signal-excellent-symbolic", "success" },
  [OBICO_SEVERITY_LOW] = { "network-wireless-signal-excellent-symbolic", "success" },
  [OBICO_SEVERITY_MODERATE] = { "network-wireless-signal-ok-symbolic", "warning" },
  [OBICO_SEVERITY_HIGH] = { "network-wireless-signal-weak-symbolic", "error" },
  [OBICO_SEVERITY_TOTAL] = { "network-wireless-offline-symbolic", "error" },
};
static const Look severity_unknown = { "network-wireless-acquiring-symbolic", "dim-label" };

const char *
oc_state_icon_name (ObicoState state)
{
  return ROW (states, state, state_unknown)->icon_name;
}

const char *
oc_state_style_class (ObicoState state)
{
  return ROW (states, state, state_unknown)->style_class;
}

const char *
oc_severity_icon_name (ObicoSeverity severity)
{
  return ROW (severities, severity, severity_unknown)->icon_name;
}

const char *
oc_severity_style_class (ObicoSeverity severity)
{
  return ROW (severities, severity, severity_unknown)->style_class;
}

/* The heading over the daemon's sentence (obico_error_sentence()), by the
 * error's code (io.obico.Connect1.Error is registered on this side too, see
 * common/obico-error.h). */
const char *
oc_error_title (const GError *error)
{
  if (error->domain == OBICO_ERROR)
    switch ((ObicoError) error->code)
      {
      case OBICO_ERROR_NOT_AUTHORIZED:
        return _("Not Allowed");
      case OBICO_ERROR_READ_ONLY_CREDENTIALS:
        return _("Change This in the Obico Agent");
      case OBICO_ERROR_SERVER_UNREACHABLE:
        return _("Could Not Reach the Server");
      case OBICO_ERROR_STORAGE_FAILED:
        return _("Could Not Save the Change");
      case OBICO_ERROR_INVALID_ARGUMENT:
      case OBICO_ERROR_NOT_LINKED:
      case OBICO_ERROR_CODE_REJECTED:
      case OBICO_ERROR_BUSY:
      default:
        break;
      }
  if (obico_error_service_gone (error))
    return _("Service Not Running");

  return _("That Did Not Work");
}

/* A time on a chart's axis (microseconds since the epoch, UTC), as the local
 * "HH:MM"; "" for one GLib cannot represent. */
char *
oc_format_clock (gint64 usec)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
  g_autoptr(GDateTime) local = utc != NULL ? g_date_time_to_local (utc) : NULL;

  return local != NULL ? g_date_time_format (local, "%H:%M") : g_strdup ("");
}
