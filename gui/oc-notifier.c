/* oc-notifier.c — desktop notifications when the printer goes offline and comes back
 *
 * The background mode's one job. A system service cannot post notifications,
 * so the per-user agent started at login follows the daemon's State through
 * the application's client (which keeps the proxy across daemon restarts) and
 * lets OcOutage decide. Notifications have stable ids, so an outage is one
 * notification that a recovery withdraws.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "oc-notifier"

#include "config.h"

#include <glib/gi18n.h>

#include "oc-fix.h"
#include "oc-notifier.h"
#include "oc-outage.h"

#define SCHEMA_ID "io.obico.Connect"
#define OFFLINE_ID "link-offline"
#define ONLINE_ID "link-online"
#define DEFAULT_GRACE_SECONDS 30

struct _OcNotifier
{
  GObject       parent_instance;

  GApplication *application;  /* owns us */
  OcClient     *client;
  GSettings    *settings;     /* NULL when the schema is not installed */
  OcOutage      outage;
  guint         grace_id;
};

G_DEFINE_FINAL_TYPE (OcNotifier, oc_notifier, G_TYPE_OBJECT)

static gboolean
get_enabled (OcNotifier *self)
{
  return self->settings == NULL || g_settings_get_boolean (self->settings, "notifications");
}

static guint
get_grace_seconds (OcNotifier *self)
{
  if (self->settings == NULL)
    return DEFAULT_GRACE_SECONDS;
  return g_settings_get_uint (self->settings, "offline-grace-seconds");
}

static const char *
get_printer_name (OcdConnect1 *proxy)
{
  const char *name = proxy != NULL ? ocd_connect1_get_printer_name (proxy) : NULL;

  return name != NULL && *name != '\0' ? name : NULL;
}

/* Which printer the notification is about: on a host with several, those
 * not okay (the root's State is their summary), else the one. NULL when
 * there is no name to tell. */
static char *
get_offline_names (OcNotifier *self)
{
  g_autoptr(GPtrArray) printers = oc_client_get_printers (self->client);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();

  if (printers->len == 0)
    return g_strdup (get_printer_name (oc_client_get_root (self->client)));
  for (guint i = 0; i < printers->len; i++)
    {
      OcdConnect1 *printer = g_ptr_array_index (printers, i);

      if (obico_read_state (ocd_connect1_get_state (printer)) != OBICO_STATE_OKAY &&
          get_printer_name (printer) != NULL)
        g_ptr_array_add (names, (gpointer) get_printer_name (printer));
    }
  if (names->len == 0)
    return NULL;
  g_ptr_array_add (names, NULL);
  return g_strjoinv (", ", (char **) names->pdata);
}

static void
show_offline (OcNotifier *self)
{
  /* the root: every printer's summary, whichever the window shows */
  OcdConnect1 *proxy = oc_client_get_root (self->client);
  const char *detail = proxy != NULL ? ocd_connect1_get_problem_detail (proxy) : NULL;
  const OcFix *fix = oc_fix_for_problem (proxy != NULL ? obico_read_problem (ocd_connect1_get_problem (proxy))
                                                       : OBICO_PROBLEM_NONE);
  g_autofree char *name = get_offline_names (self);
  g_autoptr(GNotification) notification = NULL;
  g_autoptr(GIcon) icon = g_themed_icon_new ("io.obico.Connect");
  g_autofree char *title = NULL;

  if (name != NULL)
    /* TRANSLATORS: %s is the printer's name on the Obico server */
    title = g_strdup_printf (_("%s is offline from Obico"), name);
  else
    title = g_strdup (_("Printer offline from Obico"));

  notification = g_notification_new (title);
  if (detail == NULL || *detail == '\0')
    detail = _("The printer has lost its connection to the Obico server. "
               "Open Obico Connect to find out why.");
  g_notification_set_body (notification, detail);
  g_notification_set_icon (notification, icon);
  g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_HIGH);
  /* the guided fix for the daemon's problem, or the status page to find it */
  if (fix != NULL)
    g_notification_set_default_action_and_target (notification, "app.show-fix", "s", oc_fix_id (fix));
  else
    g_notification_set_default_action_and_target (notification, "app.show-page", "s", "status");

  /* an earlier recovery is old news now */
  g_application_withdraw_notification (self->application, ONLINE_ID);
  g_application_send_notification (self->application, OFFLINE_ID, notification);
}

static void
show_online (OcNotifier *self)
{
  g_autoptr(GPtrArray) printers = oc_client_get_printers (self->client);
  const char *name = get_printer_name (oc_client_get_root (self->client));
  g_autoptr(GNotification) notification = NULL;
  g_autoptr(GIcon) icon = g_themed_icon_new ("io.obico.Connect");
  g_autofree char *body = NULL;

  if (printers->len > 1)
    body = g_strdup (_("Every printer of this host is connected to its Obico server again."));
  else if (name != NULL)
    /* TRANSLATORS: %s is the printer's name on the Obico server */
    body = g_strdup_printf (_("%s is connected to its Obico server again."), name);
  else
    body = g_strdup (_("The printer is connected to its Obico server again."));

  notification = g_notification_new (_("Printer back online"));
  g_notification_set_body (notification, body);
  g_notification_set_icon (notification, icon);
  g_notification_set_default_action_and_target (notification, "app.show-page", "s", "status");

  g_application_withdraw_notification (self->application, OFFLINE_ID);
  g_application_send_notification (self->application, ONLINE_ID, notification);
}

static gboolean grace_over_cb (gpointer user_data);

static void
apply (OcNotifier   *self,
       OcOutageStep  step)
{
  switch (step)
    {
    case OC_OUTAGE_NOTHING:
      break;
    case OC_OUTAGE_START_GRACE:
      g_debug ("Link left “okay”: waiting %u s before telling", get_grace_seconds (self));
      g_clear_handle_id (&self->grace_id, g_source_remove);
      self->grace_id = g_timeout_add_seconds (get_grace_seconds (self), grace_over_cb, self);
      break;
    case OC_OUTAGE_STOP_GRACE:
      g_debug ("Link problem over within the grace period");
      g_clear_handle_id (&self->grace_id, g_source_remove);
      break;
    case OC_OUTAGE_SHOW_OFFLINE:
      g_debug ("Link offline: notifying");
      show_offline (self);
      break;
    case OC_OUTAGE_SHOW_ONLINE:
      g_debug ("Link back online: notifying");
      show_online (self);
      break;
    case OC_OUTAGE_WITHDRAW:
      g_debug ("Withdrawing the offline notification");
      g_application_withdraw_notification (self->application, OFFLINE_ID);
      break;
    default:
      g_assert_not_reached ();
    }
}

static gboolean
grace_over_cb (gpointer user_data)
{
  OcNotifier *self = user_data;

  self->grace_id = 0;
  apply (self, oc_outage_grace_over (&self->outage));

  return G_SOURCE_REMOVE;
}

static void
link_changed (OcNotifier *self)
{
  if (!get_enabled (self))
    return;

  if (oc_client_get_running (self->client))
    apply (self, oc_outage_set_state (&self->outage,
                                      obico_read_state (ocd_connect1_get_state (oc_client_get_root (self->client))),
                                      obico_read_problem (ocd_connect1_get_problem (oc_client_get_root (self->client)))));
  else
    apply (self, oc_outage_service_gone (&self->outage));
}

static void
enabled_changed (OcNotifier *self)
{
  if (get_enabled (self))
    link_changed (self);
  else
    apply (self, oc_outage_reset (&self->outage));
}

static void
oc_notifier_dispose (GObject *object)
{
  OcNotifier *self = OC_NOTIFIER (object);

  g_clear_handle_id (&self->grace_id, g_source_remove);
  if (self->client != NULL)
    g_signal_handlers_disconnect_by_data (self->client, self);
  g_clear_object (&self->client);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (oc_notifier_parent_class)->dispose (object);
}

static void
oc_notifier_class_init (OcNotifierClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = oc_notifier_dispose;
}

static void
oc_notifier_init (OcNotifier *self)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  oc_outage_init (&self->outage);

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, SCHEMA_ID, TRUE);
  /* running uninstalled: the defaults still make a useful notifier */
  if (schema == NULL)
    {
      g_message ("GSettings schema %s is not installed: notifications are on, after %u s",
                 SCHEMA_ID, DEFAULT_GRACE_SECONDS);
      return;
    }

  self->settings = g_settings_new_full (schema, NULL, NULL);
  g_signal_connect_swapped (self->settings, "changed::notifications", G_CALLBACK (enabled_changed), self);
}

OcNotifier *
oc_notifier_new (GApplication *application,
                 OcClient     *client)
{
  OcNotifier *self;

  g_return_val_if_fail (G_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (OC_IS_CLIENT (client), NULL);

  self = g_object_new (OC_TYPE_NOTIFIER, NULL);
  self->application = application;
  self->client = g_object_ref (client);
  g_signal_connect_swapped (client, "changed", G_CALLBACK (link_changed), self);
  link_changed (self);

  return self;
}
