/* oc-link-page.c — entering the 6-digit code that links the printer
 *
 * Only digits get into the entry, six at most, so a code pasted as "123 456"
 * arrives as "123456". Linking itself is the app.link action.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "oc-link-page.h"
#include "oc-validate.h"

#define CODE_LENGTH 6

struct _OcLinkPage
{
  AdwBin       parent_instance;

  AdwEntryRow *code_row;
  GtkWidget   *link_button;
};

G_DEFINE_FINAL_TYPE (OcLinkPage, oc_link_page, ADW_TYPE_BIN)

static void
on_insert_text (GtkEditable *editable,
                const char  *text,
                int          length,
                int         *position,
                gpointer     user_data)
{
  g_autoptr(GString) digits = g_string_new (NULL);
  int room = CODE_LENGTH - (int) strlen (gtk_editable_get_text (editable));

  if (length < 0)
    length = strlen (text);

  for (int i = 0; i < length && (int) digits->len < room; i++)
    if (g_ascii_isdigit (text[i]))
      g_string_append_c (digits, text[i]);

  if ((int) digits->len == length)
    return;

  g_signal_stop_emission_by_name (editable, "insert-text");
  if (digits->len > 0)
    {
      g_signal_handlers_block_by_func (editable, on_insert_text, user_data);
      gtk_editable_insert_text (editable, digits->str, digits->len, position);
      g_signal_handlers_unblock_by_func (editable, on_insert_text, user_data);
    }
  else
    {
      gtk_widget_error_bell (GTK_WIDGET (editable));
    }
}

static void
on_code_changed (OcLinkPage *self)
{
  const char *code = oc_link_page_get_code (self);
  gboolean valid = oc_validate_link_code (code);

  gtk_widget_set_sensitive (self->link_button, valid);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->link_button), "s", code);
}

static void
on_code_activated (OcLinkPage *self)
{
  if (oc_link_page_get_valid (self))
    gtk_widget_activate (self->link_button);
}

const char *
oc_link_page_get_code (OcLinkPage *self)
{
  g_return_val_if_fail (OC_IS_LINK_PAGE (self), NULL);

  return gtk_editable_get_text (GTK_EDITABLE (self->code_row));
}

gboolean
oc_link_page_get_valid (OcLinkPage *self)
{
  g_return_val_if_fail (OC_IS_LINK_PAGE (self), FALSE);

  return oc_validate_link_code (oc_link_page_get_code (self));
}

void
oc_link_page_clear (OcLinkPage *self)
{
  g_return_if_fail (OC_IS_LINK_PAGE (self));

  gtk_editable_set_text (GTK_EDITABLE (self->code_row), "");
}

static void
oc_link_page_dispose (GObject *object)
{
  /* AdwBin unparents its child itself: let it, before the template is cleared. */
  adw_bin_set_child (ADW_BIN (object), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (object), OC_TYPE_LINK_PAGE);

  G_OBJECT_CLASS (oc_link_page_parent_class)->dispose (object);
}

static void
oc_link_page_class_init (OcLinkPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = oc_link_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/obico/Connect/oc-link-page.ui");
  gtk_widget_class_bind_template_child (widget_class, OcLinkPage, code_row);
  gtk_widget_class_bind_template_child (widget_class, OcLinkPage, link_button);
  gtk_widget_class_bind_template_callback (widget_class, on_code_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_code_activated);
}

static void
oc_link_page_init (OcLinkPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect (gtk_editable_get_delegate (GTK_EDITABLE (self->code_row)),
                    "insert-text", G_CALLBACK (on_insert_text), self);
}
