/* oc-printer-list.c — every printer of a host with several, at a glance
 *
 * One row per printer (/io/obico/Connect1/Printer/N): its name, its state in
 * its colour and its problem. Choosing a row shows that printer everywhere
 * in the app (OcClient's selection); the list itself is hidden on a host
 * with one printer. On the kiosk it is what the touchscreen shows first.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "obico-labels.h"
#include "oc-format.h"
#include "oc-printer-list.h"

struct _OcPrinterList
{
  AdwBin               parent_instance;

  OcClient            *client;
  AdwPreferencesGroup *group;
  GtkListBox          *list;
  GPtrArray           *printers;   /* OcdConnect1, one per row, in order */
};

G_DEFINE_FINAL_TYPE (OcPrinterList, oc_printer_list, ADW_TYPE_BIN)

static char *
printer_title (OcdConnect1 *printer, guint number)
{
  const char *name = ocd_connect1_get_printer_name (printer);

  if (name != NULL && *name != '\0')
    return g_strdup (name);
  /* TRANSLATORS: a printer of this host whose name the server has not told yet */
  return g_strdup_printf (_("Printer %u"), number);
}

static GtkWidget *
printer_row (OcPrinterList *self, OcdConnect1 *printer, guint number)
{
  ObicoState state = obico_read_state (ocd_connect1_get_state (printer));
  ObicoProblem problem = obico_read_problem (ocd_connect1_get_problem (printer));
  g_autofree char *title = printer_title (printer, number);
  g_autofree char *subtitle = NULL;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon = gtk_image_new_from_icon_name (oc_state_icon_name (state));

  if (problem != OBICO_PROBLEM_NONE)
    /* TRANSLATORS: a printer's state, then its problem, e.g. "Error — Server address" */
    subtitle = g_strdup_printf (_("%s — %s"), obico_state_label (state), obico_problem_title (problem));
  else
    subtitle = g_strdup (obico_state_label (state));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_add_css_class (icon, oc_state_style_class (state));
  gtk_image_set_pixel_size (GTK_IMAGE (icon), 32);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  if (printer == oc_client_get_selected (self->client))
    adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("object-select-symbolic"));
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_widget_set_size_request (row, -1, 48);
  return row;
}

static void
rebuild (OcPrinterList *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);
  g_clear_pointer (&self->printers, g_ptr_array_unref);
  self->printers = self->client != NULL ? oc_client_get_printers (self->client)
                                        : g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < self->printers->len; i++)
    gtk_list_box_append (self->list, printer_row (self, g_ptr_array_index (self->printers, i), i + 1));
  gtk_widget_set_visible (GTK_WIDGET (self), self->printers->len > 1);
}

static void
on_row_activated (OcPrinterList *self, GtkListBoxRow *row)
{
  int index = gtk_list_box_row_get_index (row);

  if (self->client == NULL || index < 0 || (guint) index >= self->printers->len)
    return;
  oc_client_select_printer (self->client, g_ptr_array_index (self->printers, index));
}

void
oc_printer_list_set_client (OcPrinterList *self,
                            OcClient      *client)
{
  g_return_if_fail (OC_IS_PRINTER_LIST (self));

  if (self->client != NULL)
    g_signal_handlers_disconnect_by_data (self->client, self);
  g_set_object (&self->client, client);
  if (client != NULL)
    {
      g_signal_connect_swapped (client, "printers-changed", G_CALLBACK (rebuild), self);
      g_signal_connect_swapped (client, "notify::proxy", G_CALLBACK (rebuild), self);
    }
  rebuild (self);
}

GtkWidget *
oc_printer_list_new (void)
{
  return g_object_new (OC_TYPE_PRINTER_LIST, NULL);
}

static void
oc_printer_list_dispose (GObject *object)
{
  OcPrinterList *self = OC_PRINTER_LIST (object);

  oc_printer_list_set_client (self, NULL);
  g_clear_pointer (&self->printers, g_ptr_array_unref);
  G_OBJECT_CLASS (oc_printer_list_parent_class)->dispose (object);
}

static void
oc_printer_list_class_init (OcPrinterListClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = oc_printer_list_dispose;
}

static void
oc_printer_list_init (OcPrinterList *self)
{
  self->group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (self->group, _("Printers of this host"));
  adw_preferences_group_set_description (self->group, _("Choose one to see its link and test it."));
  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "boxed-list");
  g_signal_connect_swapped (self->list, "row-activated", G_CALLBACK (on_row_activated), self);
  adw_preferences_group_add (self->group, GTK_WIDGET (self->list));
  adw_bin_set_child (ADW_BIN (self), GTK_WIDGET (self->group));
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}
