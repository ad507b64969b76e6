/* oc-window.c — the main window: sidebar, pages, toasts and dialogs
 *
 * It also owns what only concerns a window: the kiosk's full-screen
 * geometry, and asking where to save a support report.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "obico-error.h"
#include "oc-fix-page.h"
#include "oc-format.h"
#include "oc-report-page.h"
#include "oc-status-page.h"
#include "oc-support-report.h"
#include "oc-window.h"

struct _OcWindow
{
  AdwApplicationWindow parent_instance;

  OcClient        *client;
  OcDoctor        *doctor;
  GtkWindow       *error_dialog;

  AdwToastOverlay *toast_overlay;
  GtkStack        *main_stack;
  AdwStatusPage   *service_page;
  AdwLeaflet      *leaflet;
  GtkListBox      *sidebar;
  GtkWidget       *fix_row;
  GtkWidget       *content_box;
  AdwWindowTitle  *content_title;
  GtkStack        *content_stack;
  OcStatusPage    *status_page;
  OcFixPage       *fix_page;
  OcReportPage    *report_page;
};

G_DEFINE_FINAL_TYPE (OcWindow, oc_window, ADW_TYPE_APPLICATION_WINDOW)

static void
select_sidebar_row (OcWindow   *self,
                    const char *name)
{
  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->sidebar));
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if (g_strcmp0 (gtk_widget_get_name (row), name) == 0)
      {
        gtk_list_box_select_row (self->sidebar, GTK_LIST_BOX_ROW (row));
        return;
      }
}

static void
show_content (OcWindow   *self,
              const char *stack_page,
              const char *sidebar_row,
              const char *title)
{
  gtk_stack_set_visible_child_name (self->content_stack, stack_page);
  adw_window_title_set_title (self->content_title, title);
  select_sidebar_row (self, sidebar_row);
  adw_leaflet_set_visible_child (self->leaflet, self->content_box);
}

void
oc_window_show_page (OcWindow   *self,
                     const char *page)
{
  g_return_if_fail (OC_IS_WINDOW (self));

  if (g_strcmp0 (page, "report") == 0)
    show_content (self, "report", "report", _("Connectivity Report"));
  else
    show_content (self, "status", "status", _("Status"));
}

void
oc_window_show_fix (OcWindow *self,
                    ObicoFix  fix_id)
{
  const OcFix *fix = oc_fix_lookup (fix_id);
  const char *row;

  g_return_if_fail (OC_IS_WINDOW (self));
  g_return_if_fail (fix != NULL);

  oc_fix_page_set_fix (self->fix_page, fix->fix);

  /* debug logging and get-help have rows of their own, named by their ids;
   * the rest share one */
  if (fix->fix == OBICO_FIX_DEBUG_LOGGING || fix->fix == OBICO_FIX_GET_HELP)
    {
      row = oc_fix_id (fix);
    }
  else
    {
      row = "fix";
      gtk_widget_set_visible (self->fix_row, TRUE);
    }

  show_content (self, "fix", row, obico_fix_title (fix->fix));
}

void
oc_window_show_toast (OcWindow   *self,
                      const char *message)
{
  g_return_if_fail (OC_IS_WINDOW (self));

  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (message));
}

/* A toast shows one line: a longer sentence from the daemon (what happened and
 * what to do) would be cut, so it gets a dialog. */
#define TOAST_MAX_CHARS 60

void
oc_window_show_error (OcWindow     *self,
                      const GError *error)
{
  g_autofree char *message = obico_error_sentence (error);
  GtkWidget *dialog;

  /* a refused code is no use any more: the entry is emptied for the next */
  if (g_error_matches (error, OBICO_ERROR, OBICO_ERROR_CODE_REJECTED))
    oc_fix_page_code_rejected (self->fix_page);

  if (g_utf8_strlen (message, -1) <= TOAST_MAX_CHARS)
    {
      oc_window_show_toast (self, message);
      return;
    }

  if (self->error_dialog != NULL)
    gtk_window_destroy (self->error_dialog);

  dialog = adw_message_dialog_new (GTK_WINDOW (self), oc_error_title (error), message);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  g_set_weak_pointer (&self->error_dialog, GTK_WINDOW (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* A new check (started from a script or a shortcut) makes an old error moot. */
static void
on_busy_changed (OcWindow *self)
{
  if (oc_doctor_get_busy (self->doctor) && self->error_dialog != NULL)
    gtk_window_destroy (self->error_dialog);
}

static void
on_sidebar_row_activated (OcWindow      *self,
                          GtkListBoxRow *row)
{
  const char *name = gtk_widget_get_name (GTK_WIDGET (row));
  ObicoFix fix;

  if (g_str_equal (name, "fix"))
    oc_window_show_fix (self, oc_fix_page_get_fix (self->fix_page));
  else if (obico_read_fix (name, &fix))
    oc_window_show_fix (self, fix);
  else
    oc_window_show_page (self, name);
}

static void
on_back_clicked (OcWindow *self)
{
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
on_proxy_changed (OcWindow *self)
{
  gboolean running = oc_client_get_proxy (self->client) != NULL;

  gtk_stack_set_visible_child_name (self->main_stack, running ? "main" : "service");
}

static void
describe_widget (GtkWidget *widget,
                 GString   *out)
{
  if (!gtk_widget_get_mapped (widget))
    return;

  if (GTK_IS_LABEL (widget) && *gtk_label_get_label (GTK_LABEL (widget)) != '\0')
    {
      g_auto(GStrv) lines = g_strsplit (gtk_label_get_text (GTK_LABEL (widget)), "\n", -1);

      for (guint i = 0; lines[i] != NULL; i++)
        g_string_append_printf (out, "label: %s\n", lines[i]);
    }
  else if (GTK_IS_TEXT (widget))
    g_string_append_printf (out, "entry: %s\n", gtk_editable_get_text (GTK_EDITABLE (widget)));

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    describe_widget (child, out);
}

/* What is on screen, for the end-to-end test and for bug reports: the page and
 * every text a person can see on it, in reading order. */
char *
oc_window_describe (OcWindow *self)
{
  GString *out = g_string_new (NULL);
  const char *page = gtk_stack_get_visible_child_name (self->main_stack);
  g_autoptr(GList) toplevels = NULL;
  GdkSurface *surface;

  if (g_str_equal (page, "main"))
    page = gtk_stack_get_visible_child_name (self->content_stack);

  if (g_str_equal (page, "fix"))
    g_string_append_printf (out, "page: fix:%s\n", obico_fix_to_string (oc_fix_page_get_fix (self->fix_page)));
  else
    g_string_append_printf (out, "page: %s\n", page);
  g_string_append_printf (out, "busy: %s\n", oc_doctor_get_busy (self->doctor) ? "yes" : "no");
  g_string_append_printf (out, "kiosk: %s\n", gtk_widget_has_css_class (GTK_WIDGET (self), "kiosk") ? "yes" : "no");
  surface = gtk_native_get_surface (GTK_NATIVE (self));
  g_string_append_printf (out, "size: %dx%d\n", surface != NULL ? gdk_surface_get_width (surface) : 0,
                          surface != NULL ? gdk_surface_get_height (surface) : 0);
  g_string_append_printf (out, "fullscreen: %s\n", gtk_window_is_fullscreen (GTK_WINDOW (self)) ? "yes" : "no");
  g_string_append_printf (out, "animating: %s\n",
                          gtk_stack_get_transition_running (self->main_stack) ||
                          gtk_stack_get_transition_running (self->content_stack) ? "yes" : "no");

  /* dialogs first: they are in front */
  toplevels = gtk_window_list_toplevels ();
  for (GList *l = toplevels; l != NULL; l = l->next)
    if (l->data != (gpointer) self && gtk_window_get_transient_for (l->data) == GTK_WINDOW (self))
      describe_widget (l->data, out);
  describe_widget (GTK_WIDGET (self), out);

  return g_string_free (out, FALSE);
}

static void
save_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(OcWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!oc_support_report_save_finish (result, &error))
    oc_window_show_error (self, error);
  else
    oc_window_show_toast (self, _("Support report saved"));
}

static void
file_chooser_response_cb (GtkNativeDialog *chooser,
                          int              response,
                          gpointer         user_data)
{
  g_autoptr(OcWindow) self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      oc_support_report_save (self->doctor, file, NULL, save_cb, g_object_ref (self));
    }

  g_object_unref (chooser);
}

/* Saves a support report to @file, or first asks where when @file is NULL. */
void
oc_window_save_support_report (OcWindow *self,
                               GFile    *file)
{
  GtkFileChooserNative *chooser;
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *name = NULL;

  g_return_if_fail (OC_IS_WINDOW (self));

  if (file != NULL)
    {
      oc_support_report_save (self->doctor, file, NULL, save_cb, g_object_ref (self));
      return;
    }

  chooser = gtk_file_chooser_native_new (_("Save Support Report"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  now = g_date_time_new_now_local ();
  name = g_date_time_format (now, "obico-connect-report-%Y%m%d-%H%M%S.txt");
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);

  g_signal_connect (chooser, "response", G_CALLBACK (file_chooser_response_cb), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* The app is the whole screen of a printer's touchscreen. */
void
oc_window_set_kiosk (OcWindow *self)
{
  GListModel *monitors;
  g_autoptr(GdkMonitor) monitor = NULL;
  GdkRectangle geometry;

  g_return_if_fail (OC_IS_WINDOW (self));

  if (gtk_widget_has_css_class (GTK_WIDGET (self), "kiosk"))
    return;
  monitors = gdk_display_get_monitors (gtk_widget_get_display (GTK_WIDGET (self)));
  monitor = g_list_model_get_item (monitors, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self), "kiosk");
  /* minimizing or resizing the whole screen means nothing */
  g_object_set (gtk_settings_get_default (), "gtk-decoration-layout", ":close", NULL);
  /* a kiosk may have no window manager to honour fullscreen */
  if (monitor != NULL)
    {
      gdk_monitor_get_geometry (monitor, &geometry);
      gtk_window_set_default_size (GTK_WINDOW (self), geometry.width, geometry.height);
    }
  gtk_window_fullscreen (GTK_WINDOW (self));
}

static void
attach (OcWindow      *self,
        OcApplication *app)
{
  self->client = g_object_ref (oc_application_get_client (app));
  self->doctor = g_object_ref (oc_application_get_doctor (app));
  oc_status_page_set_doctor (self->status_page, self->doctor);
  oc_fix_page_set_doctor (self->fix_page, self->doctor);
  oc_report_page_set_client (self->report_page, self->client);

  adw_status_page_set_description (self->service_page,
                                   oc_client_get_bus_type (self->client) == G_BUS_TYPE_SESSION
                                   ? _("The app talks to the Obico Connect service on the session bus. Start it with “obico-connectd --session”.")
                                   : _("The Obico Connect service checks the connection to the Obico server. Start it with “sudo systemctl enable --now obico-connectd”."));

  g_signal_connect_object (self->client, "notify::proxy", G_CALLBACK (on_proxy_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->doctor, "notify::busy", G_CALLBACK (on_busy_changed), self, G_CONNECT_SWAPPED);
  on_proxy_changed (self);
  oc_window_show_page (self, "status");
}

static void
oc_window_dispose (GObject *object)
{
  OcWindow *self = OC_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), OC_TYPE_WINDOW);
  g_clear_weak_pointer (&self->error_dialog);
  g_clear_object (&self->doctor);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (oc_window_parent_class)->dispose (object);
}

static void
oc_window_class_init (OcWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = oc_window_dispose;

  g_type_ensure (OC_TYPE_STATUS_PAGE);
  g_type_ensure (OC_TYPE_FIX_PAGE);
  g_type_ensure (OC_TYPE_REPORT_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/obico/Connect/oc-window.ui");
  gtk_widget_class_bind_template_child (widget_class, OcWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, OcWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, OcWindow, service_page);
  gtk_widget_class_bind_template_child (widget_class, OcWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, OcWindow, sidebar);
  gtk_widget_class_bind_template_child (widget_class, OcWindow, fix_row);
  gtk_widget_class_bind_template_child (widget_class, OcWindow, content_box);
  gtk_widget_class_bind_template_child (widget_class, OcWindow, content_title);
  gtk_widget_class_bind_template_child (widget_class, OcWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, OcWindow, status_page);
  gtk_widget_class_bind_template_child (widget_class, OcWindow, fix_page);
  gtk_widget_class_bind_template_child (widget_class, OcWindow, report_page);
  gtk_widget_class_bind_template_callback (widget_class, on_sidebar_row_activated);
  gtk_widget_class_bind_template_callback (widget_class, on_back_clicked);
}

static void
oc_window_init (OcWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

OcWindow *
oc_window_new (OcApplication *application,
               gboolean       kiosk)
{
  OcWindow *self = g_object_new (OC_TYPE_WINDOW, "application", application, NULL);

  attach (self, application);
  if (kiosk)
    oc_window_set_kiosk (self);

  return self;
}
