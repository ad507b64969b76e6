/* ocd-auth.c — authorization never blocks the main loop and denies by
 * default: root is allowed, everyone else needs polkit's yes.  On the session
 * bus (tests, demo) the caller is the user who started us: no polkit. */
#include "config.h"

#define G_LOG_DOMAIN "ocd-auth"

#include <glib/gi18n.h>
#include <polkit/polkit.h>

#include "ocd-auth.h"
#include "obico-error.h"

static gboolean use_polkit;

void
ocd_auth_init (gboolean system_bus)
{
  use_polkit = system_bus;
}

static void
deny (GTask *task, const char *why)
{
  const char *action = g_object_get_data (G_OBJECT (task), "action");

  if (g_strcmp0 (action, OCD_AUTH_ACTION_RESTART_AGENT) == 0)
    g_task_return_new_error (task, OBICO_ERROR, OBICO_ERROR_NOT_AUTHORIZED,
                             _("You are not allowed to restart the Obico agent%s%s. Restart it from "
                               "the printer host's own screen (its local desktop session needs no "
                               "password), with sudo systemctl restart, or ask an administrator."),
                             why != NULL ? ": " : "", why != NULL ? why : "");
  else if (g_strcmp0 (action, OCD_AUTH_ACTION_CONFIGURE) != 0)
    g_task_return_new_error (task, OBICO_ERROR, OBICO_ERROR_NOT_AUTHORIZED,
                             _("You are not allowed to change this host's Wi-Fi or clock "
                               "settings%s%s. Make the change from the printer host's own screen "
                               "(its local desktop session needs no password), run the command with "
                               "sudo, or ask an administrator."),
                             why != NULL ? ": " : "", why != NULL ? why : "");
  else
    g_task_return_new_error (task, OBICO_ERROR, OBICO_ERROR_NOT_AUTHORIZED,
                             _("You are not allowed to change the Obico connection settings%s%s. "
                               "Make the change from the printer host's own screen (its local "
                               "desktop session needs no password), run the command with sudo, "
                               "or ask an administrator."),
                             why != NULL ? ": " : "", why != NULL ? why : "");
}

static void
on_polkit_checked (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GTask) task = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PolkitAuthorizationResult) auth =
    polkit_authority_check_authorization_finish (POLKIT_AUTHORITY (source), result, &error);

  if (auth == NULL)
    {
      g_warning ("Could not check authorization with polkit: %s", error->message);
      deny (task, _("the authorization service could not be asked"));
      return;
    }
  if (!polkit_authorization_result_get_is_authorized (auth))
    {
      deny (task, polkit_authorization_result_get_dismissed (auth)
                  ? _("the authentication was dismissed") : NULL);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
on_authority (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GTask) task = data;
  GDBusMethodInvocation *invocation = g_task_get_task_data (task);
  const char *action_id = g_object_get_data (G_OBJECT (task), "action");
  g_autoptr(GError) error = NULL;
  g_autoptr(PolkitAuthority) authority = polkit_authority_get_finish (result, &error);
  g_autoptr(PolkitSubject) subject = NULL;
  PolkitCheckAuthorizationFlags flags = POLKIT_CHECK_AUTHORIZATION_FLAGS_NONE;

  if (authority == NULL)
    {
      g_warning ("Could not reach polkit: %s", error->message);
      deny (task, _("the authorization service could not be reached"));
      return;
    }

  if (g_dbus_message_get_flags (g_dbus_method_invocation_get_message (invocation)) &
      G_DBUS_MESSAGE_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION)
    flags |= POLKIT_CHECK_AUTHORIZATION_FLAGS_ALLOW_USER_INTERACTION;

  subject = polkit_system_bus_name_new (g_dbus_method_invocation_get_sender (invocation));
  /* action_id is read before the call: the order in which its arguments are
   * evaluated is unspecified, and the last one steals the task. */
  polkit_authority_check_authorization (authority, subject, action_id,
                                        NULL, flags, NULL,
                                        on_polkit_checked, g_steal_pointer (&task));
}

static void
on_caller_uid (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GTask) task = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  guint32 uid;

  if (reply == NULL)
    {
      g_warning ("Could not find out who is calling: %s", error->message);
      deny (task, NULL);
      return;
    }
  g_variant_get (reply, "(u)", &uid);
  if (uid == 0)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  polkit_authority_get_async (NULL, on_authority, g_steal_pointer (&task));
}

void
ocd_auth_check_async (GDBusMethodInvocation *invocation,
                      const char            *action_id,
                      GAsyncReadyCallback    callback,
                      gpointer               user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, callback, user_data);

  g_task_set_source_tag (task, ocd_auth_check_async);
  g_task_set_task_data (task, g_object_ref (invocation), g_object_unref);
  g_object_set_data_full (G_OBJECT (task), "action", g_strdup (action_id), g_free);

  if (!use_polkit)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  g_dbus_connection_call (g_dbus_method_invocation_get_connection (invocation),
                          "org.freedesktop.DBus", "/org/freedesktop/DBus",
                          "org.freedesktop.DBus", "GetConnectionUnixUser",
                          g_variant_new ("(s)", g_dbus_method_invocation_get_sender (invocation)),
                          G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
                          on_caller_uid, g_steal_pointer (&task));
}

gboolean
ocd_auth_check_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
