/* ocd-link-conf.c — what the bus changes in a link's link.conf: Link()
 * (the 6-digit code verified, the credentials it gives stored),
 * SetServerUrl, Unlink and SetDebugLogging.  Each commits link.conf first
 * and then has the link apply its role again (ocd-link.c); none of them in
 * the watch role, where the credentials are the official agent's. */
#include "config.h"

#define G_LOG_DOMAIN "ocd-link"

#include <glib/gi18n.h>

#include "obico-error.h"
#include "obico-url.h"
#include "ocd-link-conf.h"
#include "ocd-link-private.h"
#include "ocd-log.h"
#include "ocd-status.h"
#include "ocd-store.h"
#include "ocd-verify.h"

/* A Link() on its way: one at a time on each link. */
#define LINKING_KEY "ocd-link-conf-linking"

static gboolean
is_linking (OcdLink *self)
{
  return g_object_get_data (G_OBJECT (self), LINKING_KEY) != NULL;
}

static void
set_linking (OcdLink *self, gboolean linking)
{
  g_object_set_data (G_OBJECT (self), LINKING_KEY, GINT_TO_POINTER (linking));
}

static const char *
server_url (OcdLink *self)
{
  return ocd_status_get_server_url (ocd_link_get_status (self));
}

/* The credentials and the server address are this link's to change: not in
 * the watch role, where they are the official agent's. */
gboolean
ocd_link_check_not_watching (OcdLink *self, GError **error)
{
  OcdStatus *status = ocd_link_get_status (self);

  if (ocd_status_get_role (status) != OBICO_ROLE_WATCH)
    return TRUE;
  g_set_error (error, OBICO_ERROR, OBICO_ERROR_READ_ONLY_CREDENTIALS,
               _("This printer's link belongs to the Obico agent configured in %s. Re-link it "
                 "or change its server address in that agent (OctoPrint: Settings → Obico for "
                 "OctoPrint; Klipper: moonraker-obico.cfg), not here."),
               ocd_status_get_credential_source (status));
  return FALSE;
}

static void
on_verified (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GTask) task = data;
  OcdLink *self = g_task_get_source_object (task);
  g_autoptr(OcdApiReply) reply = ocd_api_finish (result);
  OcdStore *store = ocd_link_get_store (self);
  g_auto(OcdStoreData) changed = ocd_store_begin (store);
  GError *error = NULL;

  set_linking (self, FALSE);
  /* A rejected code says nothing about the connection. */
  if (reply->outcome != OCD_API_REJECTED)
    ocd_link_note_attempt (self, reply->outcome != OCD_API_OK, "link",
                           reply->outcome == OCD_API_OK ? "" : reply->detail);
  if (!ocd_verify_judge (reply, &error))
    {
      g_message ("Link failed: %s", error->message);
      g_task_return_error (task, error);
      return;
    }

  ocd_log_add_secret (reply->token);
  g_free (changed.server_url);
  changed.server_url = g_strdup (server_url (self));
  g_free (changed.token);
  changed.token = g_strdup (reply->token);
  changed.printer_id = reply->printer_id;
  g_free (changed.printer_name);
  changed.printer_name = g_strdup (reply->printer_name != NULL ? reply->printer_name : "");
  if (!ocd_store_commit (store, &changed, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  g_message ("Linked to printer %" G_GINT64_FORMAT " (%s)", reply->printer_id, reply->printer_name);
  ocd_status_note_linked (ocd_link_get_status (self), TRUE);
  ocd_link_apply_role (self);
  g_task_return_pointer (task, g_variant_ref_sink (g_variant_new ("(xs)", reply->printer_id,
                                                                  ocd_store_get (store)->printer_name)),
                         (GDestroyNotify) g_variant_unref);
}

void
ocd_link_link_async (OcdLink             *self,
                     const char          *code,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, callback, user_data);
  GError *error = NULL;
  g_autofree char *trimmed = ocd_verify_check_code (code, &error);

  g_task_set_source_tag (task, ocd_link_link_async);
  if (trimmed == NULL || !ocd_link_check_not_watching (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (is_linking (self))
    {
      g_task_return_new_error (task, OBICO_ERROR, OBICO_ERROR_BUSY,
                               _("The printer is being linked already; wait for that to finish."));
      return;
    }

  set_linking (self, TRUE);
  g_message ("Linking with a code at %s", server_url (self));
  ocd_api_verify_async (ocd_link_get_soup (self), server_url (self), trimmed,
                        ocd_link_get_config (self)->timeout, NULL, on_verified, g_steal_pointer (&task));
}

GVariant *
ocd_link_link_finish (OcdLink       *self,
                      GAsyncResult  *result,
                      GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
ocd_link_set_server_url (OcdLink     *self,
                         const char  *url,
                         GError     **error)
{
  g_autofree char *normalized = obico_url_normalize (url, error);
  OcdStore *store = ocd_link_get_store (self);
  g_auto(OcdStoreData) changed = { .printer_id = -1 };

  if (normalized == NULL || !ocd_link_check_not_watching (self, error))
    return FALSE;
  if (g_strcmp0 (normalized, server_url (self)) == 0 && ocd_store_get (store)->server_url != NULL)
    return TRUE;

  changed = ocd_store_begin (store);
  g_free (changed.server_url);
  changed.server_url = g_strdup (normalized);
  if (!ocd_store_commit (store, &changed, error))
    return FALSE;
  g_message ("Server address set to %s", normalized);
  ocd_link_apply_role (self);
  return TRUE;
}

gboolean
ocd_link_unlink (OcdLink  *self,
                 GError  **error)
{
  OcdStore *store = ocd_link_get_store (self);
  g_auto(OcdStoreData) changed = { .printer_id = -1 };

  if (!ocd_link_check_not_watching (self, error))
    return FALSE;
  if (ocd_store_get (store)->token == NULL)
    {
      g_set_error_literal (error, OBICO_ERROR, OBICO_ERROR_NOT_LINKED,
                           _("No printer is linked, so there is nothing to unlink."));
      return FALSE;
    }
  changed = ocd_store_begin (store);
  g_clear_pointer (&changed.token, g_free);
  g_clear_pointer (&changed.printer_name, g_free);
  changed.printer_id = -1;
  if (!ocd_store_commit (store, &changed, error))
    return FALSE;
  g_message ("Unlinked: the printer's credentials were forgotten");
  ocd_status_note_linked (ocd_link_get_status (self), FALSE);
  ocd_link_apply_role (self);
  return TRUE;
}

gboolean
ocd_link_set_debug_logging (OcdLink   *self,
                            gboolean   enabled,
                            GError   **error)
{
  OcdStore *store = ocd_link_get_store (self);
  g_auto(OcdStoreData) changed = { .printer_id = -1 };

  enabled = !!enabled;
  if (ocd_store_get (store)->debug_logging == enabled)
    return TRUE;
  changed = ocd_store_begin (store);
  changed.debug_logging = enabled;
  if (!ocd_store_commit (store, &changed, error))
    return FALSE;
  ocd_log_set_debug (enabled);
  g_message ("Debug logging %s", enabled ? "on" : "off");
  g_object_notify (G_OBJECT (self), "debug-logging");
  return TRUE;
}
