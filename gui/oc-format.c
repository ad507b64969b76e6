/* oc-format.c — the words and numbers the app shows for the daemon's values
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>

#include "oc-format.h"

const char *
oc_state_label (const char *state)
{
  if (g_strcmp0 (state, "okay") == 0)
    return _("Okay");
  if (g_strcmp0 (state, "disconnected") == 0)
    return _("Disconnected");
  if (g_strcmp0 (state, "error") == 0)
    return _("Error");
  if (g_strcmp0 (state, "unlinked") == 0)
    return _("Not linked");
  if (g_strcmp0 (state, "connecting") == 0)
    return _("Connecting");
  return _("Unknown");
}

const char *
oc_state_description (const char *state)
{
  if (g_strcmp0 (state, "okay") == 0)
    return _("The printer is connected to its Obico server.");
  if (g_strcmp0 (state, "disconnected") == 0)
    return _("The server answers, but the live connection is down.");
  if (g_strcmp0 (state, "error") == 0)
    return _("The server cannot be reached reliably.");
  if (g_strcmp0 (state, "unlinked") == 0)
    return _("This printer is not linked to an Obico account.");
  if (g_strcmp0 (state, "connecting") == 0)
    return _("Connecting to the server…");
  return _("The state of the connection is not known yet.");
}

const char *
oc_state_icon_name (const char *state)
{
  if (g_strcmp0 (state, "okay") == 0)
    return "emblem-ok-symbolic";
  if (g_strcmp0 (state, "disconnected") == 0)
    return "network-no-route-symbolic";
  if (g_strcmp0 (state, "error") == 0)
    return "dialog-error-symbolic";
  if (g_strcmp0 (state, "unlinked") == 0)
    return "insert-link-symbolic";
  return "emblem-synchronizing-symbolic";
}

const char *
oc_state_style_class (const char *state)
{
  if (g_strcmp0 (state, "okay") == 0)
    return "success";
  if (g_strcmp0 (state, "disconnected") == 0 || g_strcmp0 (state, "unlinked") == 0)
    return "warning";
  if (g_strcmp0 (state, "error") == 0)
    return "error";
  return "accent";
}

const char *
oc_test_result_label (const char *result)
{
  if (g_strcmp0 (result, "succeeded") == 0)
    return _("Succeeded");
  if (g_strcmp0 (result, "failed-to-contact") == 0)
    return _("Failed to contact server");
  if (g_strcmp0 (result, "invalid-credentials") == 0)
    return _("Invalid account credentials");
  if (g_strcmp0 (result, "unexpected-response") == 0)
    return _("Unexpected response from the server");
  if (g_strcmp0 (result, "not-linked") == 0)
    return _("Not linked");
  return _("Unknown result");
}

gboolean
oc_test_result_is_good (const char *result)
{
  return g_strcmp0 (result, "succeeded") == 0;
}

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

const char *
oc_severity_label (const char *severity)
{
  if (g_strcmp0 (severity, "none") == 0)
    return _("No errors");
  if (g_strcmp0 (severity, "low") == 0)
    return _("Low error rate");
  if (g_strcmp0 (severity, "moderate") == 0)
    return _("Moderate error rate");
  if (g_strcmp0 (severity, "high") == 0)
    return _("High error rate");
  if (g_strcmp0 (severity, "total") == 0)
    return _("Nothing gets through");
  return _("No data yet");
}

const char *
oc_severity_style_class (const char *severity)
{
  if (g_strcmp0 (severity, "none") == 0 || g_strcmp0 (severity, "low") == 0)
    return "success";
  if (g_strcmp0 (severity, "moderate") == 0)
    return "warning";
  if (g_strcmp0 (severity, "high") == 0 || g_strcmp0 (severity, "total") == 0)
    return "error";
  return "dim-label";
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

/* The daemon's errors carry a sentence for people; the D-Bus error name in front
 * of it is for programs. */
char *
oc_error_message (const GError *error)
{
  g_autoptr(GError) copy = g_error_copy (error);

  if (g_error_matches (copy, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN) ||
      g_error_matches (copy, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER) ||
      g_error_matches (copy, G_DBUS_ERROR, G_DBUS_ERROR_NO_REPLY))
    return g_strdup (_("The Obico Connect service is not running."));

  g_dbus_error_strip_remote_error (copy);
  return g_strdup (copy->message);
}
