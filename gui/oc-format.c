/* oc-format.c — the words and numbers the app shows for the daemon's values
 *
 * One table per enum of common/obico-enums.h, indexed by value; a value the
 * app does not know (OC_*_UNKNOWN, oc-vocab.h) gets the table's "unknown" row.
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
  const char *label;        /* untranslated, use _() */
  const char *description;  /* untranslated, use _() */
  const char *icon_name;
  const char *style_class;
} StateRow;

static const StateRow states[] = {
  [OBICO_STATE_UNLINKED] = { N_("Not linked"), N_("This printer is not linked to an Obico account."),
                             "insert-link-symbolic", "warning" },
  [OBICO_STATE_CONNECTING] = { N_("Connecting"), N_("Connecting to the server…"),
                               "emblem-synchronizing-symbolic", "accent" },
  [OBICO_STATE_OKAY] = { N_("Okay"), N_("The printer is connected to its Obico server."),
                         "emblem-ok-symbolic", "success" },
  [OBICO_STATE_DISCONNECTED] = { N_("Disconnected"), N_("The server answers, but the live connection is down."),
                                 "network-no-route-symbolic", "warning" },
  [OBICO_STATE_ERROR] = { N_("Error"), N_("The server cannot be reached reliably."),
                          "dialog-error-symbolic", "error" },
};
static const StateRow state_unknown = {
  N_("Unknown"), N_("The state of the connection is not known yet."), "emblem-synchronizing-symbolic", "accent"
};

static const char * const test_results[] = {
  [OBICO_TEST_RESULT_SUCCEEDED] = N_("Succeeded"),
  [OBICO_TEST_RESULT_FAILED_TO_CONTACT] = N_("Failed to contact server"),
  [OBICO_TEST_RESULT_INVALID_CREDENTIALS] = N_("Invalid account credentials"),
  [OBICO_TEST_RESULT_UNEXPECTED_RESPONSE] = N_("Unexpected response from the server"),
  [OBICO_TEST_RESULT_NOT_LINKED] = N_("Not linked"),
};
static const char * const test_result_unknown = N_("Unknown result");

typedef struct {
  const char *label;   /* untranslated, use _() */
  const char *advice;  /* untranslated, use _() */
  const char *icon_name;
  const char *style_class;
} SeverityRow;

static const SeverityRow severities[] = {
  [OBICO_SEVERITY_NONE] = { N_("No errors"), N_("No contact with the server has failed."),
                            "network-wireless-signal-excellent-symbolic", "success" },
  [OBICO_SEVERITY_LOW] = { N_("Low error rate"),
                           N_("An occasional failed contact is normal and does not affect the Obico app."),
                           "network-wireless-signal-excellent-symbolic", "success" },
  [OBICO_SEVERITY_MODERATE] = { N_("Moderate error rate"),
                                N_("Some contacts fail. The Obico app may be slow to update. A stronger Wi-Fi signal or a network cable helps."),
                                "network-wireless-signal-ok-symbolic", "warning" },
  [OBICO_SEVERITY_HIGH] = { N_("High error rate"),
                            N_("Many contacts fail and the Obico app will often show the printer as offline. Use a network cable, move the printer closer to the router or add a repeater."),
                            "network-wireless-signal-weak-symbolic", "error" },
  [OBICO_SEVERITY_TOTAL] = { N_("Nothing gets through"),
                             N_("No contact gets through. Check name resolution (DNS), routing, the firewall and the network adapter."),
                             "network-wireless-offline-symbolic", "error" },
};
static const SeverityRow severity_unknown = {
  N_("No data yet"), N_("The service has not contacted the server yet."),
  "network-wireless-acquiring-symbolic", "dim-label"
};

const char *
oc_state_label (ObicoState state)
{
  return _(ROW (states, state, state_unknown)->label);
}

const char *
oc_state_description (ObicoState state)
{
  return _(ROW (states, state, state_unknown)->description);
}

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
oc_test_result_label (ObicoTestResult result)
{
  return _(*ROW (test_results, result, test_result_unknown));
}

const char *
oc_severity_label (ObicoSeverity severity)
{
  return _(ROW (severities, severity, severity_unknown)->label);
}

const char *
oc_severity_advice (ObicoSeverity severity)
{
  return _(ROW (severities, severity, severity_unknown)->advice);
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

/* Diagnose's steps are named by the daemon's layers, not by an enum. */
const char *
oc_step_label (const char *name)
{
  static const struct { const char *name; const char *label; } steps[] = {
    { "resolve", N_("Name resolution") },
    { "connect", N_("Connection") },
    { "tls", N_("Secure connection (TLS)") },
    { "server", N_("Server health check") },
    { "credentials", N_("Printer credentials") },
    { "websocket", N_("Live connection (WebSocket)") },
  };

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    if (g_strcmp0 (steps[i].name, name) == 0)
      return _(steps[i].label);

  /* a layer added to the daemon later: its own name is better than nothing */
  return name;
}

char *
oc_format_time_ago (gint64 usec,
                    gint64 now_usec)
{
  gint64 seconds;

  if (usec <= 0)
    return g_strdup (_("Never"));

  seconds = MAX (now_usec - usec, 0) / G_USEC_PER_SEC;
  if (seconds < 60)
    return g_strdup (_("Just now"));
  if (seconds < 60 * 60)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d minute ago", "%d minutes ago", seconds / 60),
                            (int) (seconds / 60));
  if (seconds < 24 * 60 * 60)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d hour ago", "%d hours ago", seconds / 3600),
                            (int) (seconds / 3600));

  return oc_format_timestamp (usec);
}

char *
oc_format_timestamp (gint64 usec)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (usec <= 0)
    return g_strdup (_("Never"));

  utc = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
  if (utc == NULL)
    return g_strdup (_("Unknown"));
  local = g_date_time_to_local (utc);

  /* TRANSLATORS: date and time of an event, see strftime(3) */
  return g_date_time_format (local, _("%Y-%m-%d %H:%M:%S"));
}

char *
oc_format_rate (double rate)
{
  /* TRANSLATORS: an error rate in percent */
  return g_strdup_printf (_("%.1f %%"), CLAMP (rate, 0.0, 1.0) * 100.0);
}

char *
oc_format_elapsed (double ms)
{
  if (ms < 1000.0)
    /* TRANSLATORS: a duration in milliseconds */
    return g_strdup_printf (_("%.0f ms"), MAX (ms, 0.0));

  /* TRANSLATORS: a duration in seconds */
  return g_strdup_printf (_("%.1f s"), ms / 1000.0);
}

static gboolean
service_gone (const GError *error)
{
  return g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) ||
         g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER) ||
         g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NO_REPLY);
}

/* The heading over the daemon's sentence, by the error's code
 * (io.obico.Connect1.Error is registered on this side too, see
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
  if (service_gone (error))
    return _("Service Not Running");

  return _("That Did Not Work");
}

/* The daemon's errors carry a sentence for people; the D-Bus error name in front
 * of it is for programs. */
char *
oc_error_message (const GError *error)
{
  g_autoptr(GError) copy = NULL;

  if (service_gone (error))
    return g_strdup (_("The Obico Connect service is not running."));

  copy = g_error_copy (error);
  g_dbus_error_strip_remote_error (copy);
  return g_strdup (copy->message);
}
