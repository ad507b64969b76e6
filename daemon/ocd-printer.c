/* ocd-printer.c — io.obico.Connect1.Printer: the per-printer members of
 * io.obico.Connect1, the same requests of the same kind of link, for one
 * printer of several.  Like the root, its properties are bindings, so one
 * main-loop iteration's changes go out in one PropertiesChanged. */
#include "config.h"

#define G_LOG_DOMAIN "ocd-printer"

#include "ocd-auth.h"
#include "ocd-printer.h"
#include "ocd-service.h"

struct _OcdPrinter
{
  OcdConnect1PrinterSkeleton parent_instance;
  OcdLink                   *link;
};

G_DEFINE_TYPE (OcdPrinter, ocd_printer, OCD_TYPE_CONNECT1_PRINTER_SKELETON)

static void
return_reply_or_error (GDBusMethodInvocation *invocation, GVariant *reply, GError *error)
{
  if (reply == NULL)
    g_dbus_method_invocation_take_error (invocation, error);
  else
    g_dbus_method_invocation_return_value (invocation, reply);
}

static void
on_test_done (GObject *source, GAsyncResult *result, gpointer data)
{
  GError *error = NULL;
  g_autoptr(GVariant) reply = ocd_link_test_finish (OCD_LINK (source), result, &error);

  return_reply_or_error (data, reply, error);
}

static gboolean
handle_test (OcdConnect1Printer *object, GDBusMethodInvocation *invocation)
{
  ocd_link_test_async (OCD_PRINTER (object)->link, on_test_done, invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static void
on_diagnose_done (GObject *source, GAsyncResult *result, gpointer data)
{
  GError *error = NULL;
  g_autoptr(GVariant) reply = ocd_link_diagnose_finish (OCD_LINK (source), result, &error);

  return_reply_or_error (data, reply, error);
}

static gboolean
handle_diagnose (OcdConnect1Printer *object, GDBusMethodInvocation *invocation)
{
  ocd_link_diagnose_async (OCD_PRINTER (object)->link, on_diagnose_done, invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_get_report (OcdConnect1Printer *object, GDBusMethodInvocation *invocation)
{
  ocd_connect1_printer_complete_get_report (object, invocation,
                                            ocd_link_get_report (OCD_PRINTER (object)->link));
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static gboolean
handle_reconnect (OcdConnect1Printer *object, GDBusMethodInvocation *invocation)
{
  ocd_link_reconnect (OCD_PRINTER (object)->link);
  ocd_connect1_printer_complete_reconnect (object, invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static void
on_reset_authorized (GObject *source, GAsyncResult *result, gpointer data)
{
  GDBusMethodInvocation *invocation = data;
  g_autoptr(OcdPrinter) self = g_object_ref (g_object_get_data (G_OBJECT (invocation), "ocd-printer"));
  GError *error = NULL;

  g_object_set_data (G_OBJECT (invocation), "ocd-printer", NULL);
  if (!ocd_auth_check_finish (result, &error))
    {
      g_message ("ResetErrors from %s refused: not authorized",
                 g_dbus_method_invocation_get_sender (invocation));
      g_dbus_method_invocation_take_error (invocation, error);
      return;
    }
  ocd_link_reset_errors (self->link);
  g_dbus_method_invocation_return_value (invocation, NULL);
}

static gboolean
handle_reset_errors (OcdConnect1Printer *object, GDBusMethodInvocation *invocation)
{
  g_object_set_data_full (G_OBJECT (invocation), "ocd-printer", g_object_ref (object), g_object_unref);
  ocd_auth_check_async (invocation, OCD_AUTH_ACTION_CONFIGURE, on_reset_authorized, invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static void
on_agent_restarted (GObject *source, GAsyncResult *result, gpointer data)
{
  GDBusMethodInvocation *invocation = data;
  GError *error = NULL;

  if (ocd_link_restart_agent_finish (OCD_LINK (source), result, &error))
    g_dbus_method_invocation_return_value (invocation, NULL);
  else
    g_dbus_method_invocation_take_error (invocation, error);
}

static void
on_restart_authorized (GObject *source, GAsyncResult *result, gpointer data)
{
  GDBusMethodInvocation *invocation = data;
  g_autoptr(OcdPrinter) self = g_object_ref (g_object_get_data (G_OBJECT (invocation), "ocd-printer"));
  GError *error = NULL;

  g_object_set_data (G_OBJECT (invocation), "ocd-printer", NULL);
  if (!ocd_auth_check_finish (result, &error))
    {
      g_message ("RestartAgent from %s refused: not authorized",
                 g_dbus_method_invocation_get_sender (invocation));
      g_dbus_method_invocation_take_error (invocation, error);
      return;
    }
  ocd_link_restart_agent_async (self->link, on_agent_restarted, invocation);
}

static gboolean
handle_restart_agent (OcdConnect1Printer *object, GDBusMethodInvocation *invocation)
{
  g_object_set_data_full (G_OBJECT (invocation), "ocd-printer", g_object_ref (object), g_object_unref);
  ocd_auth_check_async (invocation, OCD_AUTH_ACTION_RESTART_AGENT, on_restart_authorized, invocation);
  return G_DBUS_METHOD_INVOCATION_HANDLED;
}

OcdPrinter *
ocd_printer_new (OcdLink *link)
{
  OcdPrinter *self = g_object_new (OCD_TYPE_PRINTER, NULL);
  OcdStatus *status = ocd_link_get_status (link);

  self->link = g_object_ref (link);
  g_signal_connect (self, "handle-test", G_CALLBACK (handle_test), NULL);
  g_signal_connect (self, "handle-diagnose", G_CALLBACK (handle_diagnose), NULL);
  g_signal_connect (self, "handle-get-report", G_CALLBACK (handle_get_report), NULL);
  g_signal_connect (self, "handle-reconnect", G_CALLBACK (handle_reconnect), NULL);
  g_signal_connect (self, "handle-reset-errors", G_CALLBACK (handle_reset_errors), NULL);
  g_signal_connect (self, "handle-restart-agent", G_CALLBACK (handle_restart_agent), NULL);
  ocd_service_bind_status (self, status, G_OBJECT (status));
  return self;
}

OcdLink *
ocd_printer_get_link (OcdPrinter *self)
{
  return self->link;
}

static void
ocd_printer_finalize (GObject *object)
{
  OcdPrinter *self = OCD_PRINTER (object);

  g_clear_object (&self->link);
  G_OBJECT_CLASS (ocd_printer_parent_class)->finalize (object);
}

static void
ocd_printer_class_init (OcdPrinterClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ocd_printer_finalize;
}

static void
ocd_printer_init (OcdPrinter *self)
{
}
