/* oc-status-page.c — state, TEST and Diagnose
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "oc-fix.h"
#include "oc-format.h"
#include "oc-printer-list.h"
#include "oc-status-page.h"

struct _OcStatusPage
{
  AdwBin               parent_instance;

  OcDoctor            *doctor;
  OcClient            *client;
  guint                clock_id;

  GtkImage            *state_icon;
  GtkLabel            *state_label;
  GtkLabel            *state_detail;
  GtkWidget           *test_spinner;
  GtkLabel            *server_label;
  GtkLabel            *printer_label;
  GtkLabel            *contact_label;
  AdwActionRow        *agent_row;
  GtkLabel            *agent_label;
  AdwActionRow        *problem_row;
  GtkLabel            *problem_label;
  AdwPreferencesGroup *result_group;
  AdwActionRow        *result_row;
  GtkImage            *result_icon;
  AdwActionRow        *next_row;
  GtkImage            *next_icon;
  GtkListBox          *steps_list;
  OcPrinterList       *printer_list;
};

G_DEFINE_FINAL_TYPE (OcStatusPage, oc_status_page, ADW_TYPE_BIN)

static const char * const state_styles[] = { "success", "warning", "error", "accent" };

static void
set_style (GtkWidget  *widget,
           const char *style)
{
  for (guint i = 0; i < G_N_ELEMENTS (state_styles); i++)
    gtk_widget_remove_css_class (widget, state_styles[i]);
  gtk_widget_add_css_class (widget, style);
}

static void
update_contact (OcStatusPage *self)
{
  OcdConnect1 *proxy = self->client != NULL ? oc_client_get_proxy (self->client) : NULL;
  g_autofree char *text = NULL;

  if (proxy == NULL)
    return;

  text = obico_format_time_ago (ocd_connect1_get_last_contact (proxy), g_get_real_time ());
  gtk_label_set_label (self->contact_label, text);
}

/* The watch role: the official agent's service and connection (Agent). */
static void
update_agent (OcStatusPage *self, OcdConnect1 *proxy)
{
  GVariant *agent = ocd_connect1_get_agent (proxy);
  gboolean running = FALSE, connected = FALSE;
  const char *kind = NULL, *unit = NULL, *active = NULL;
  g_autofree char *subtitle = NULL;
  const char *text;

  gtk_widget_set_visible (GTK_WIDGET (self->agent_row),
                          oc_client_get_role (self->client) == OBICO_ROLE_WATCH && agent != NULL &&
                          g_variant_lookup (agent, "kind", "&s", &kind));
  if (!gtk_widget_get_visible (GTK_WIDGET (self->agent_row)))
    return;
  g_variant_lookup (agent, "running", "b", &running);
  g_variant_lookup (agent, "connected", "b", &connected);
  g_variant_lookup (agent, "unit", "&s", &unit);
  g_variant_lookup (agent, "active_state", "&s", &active);
  if (!running)
    text = _("Not running");
  else if (connected)
    text = _("Running, connected");
  else
    text = _("Running, not connected");
  gtk_label_set_label (self->agent_label, text);
  if (unit != NULL && active != NULL)
    /* TRANSLATORS: the agent, its systemd unit and the unit's state, e.g.
     * "moonraker-obico · moonraker-obico.service: active" */
    subtitle = g_strdup_printf (_("%s · %s: %s"), kind, unit, active);
  else
    subtitle = g_strdup (kind);
  adw_action_row_set_subtitle (self->agent_row, subtitle);
}

static void
update_state (OcStatusPage *self)
{
  OcdConnect1 *proxy = oc_client_get_proxy (self->client);
  ObicoState state;
  const char *detail, *server, *name;
  const OcFix *fix;
  g_autofree char *printer = NULL;

  if (proxy == NULL)
    return;

  state = oc_client_get_state (self->client);
  detail = ocd_connect1_get_problem_detail (proxy);
  gtk_image_set_from_icon_name (self->state_icon, oc_state_icon_name (state));
  set_style (GTK_WIDGET (self->state_icon), oc_state_style_class (state));
  gtk_label_set_label (self->state_label, obico_state_label (state));
  gtk_label_set_label (self->state_detail, detail != NULL && *detail != '\0' ? detail : obico_state_description (state));

  server = ocd_connect1_get_server_url (proxy);
  gtk_label_set_label (self->server_label, server != NULL && *server != '\0' ? server : _("Not set"));

  name = ocd_connect1_get_printer_name (proxy);
  if (oc_client_get_role (self->client) == OBICO_ROLE_UNLINKED)
    printer = g_strdup (_("Not linked"));
  else if (name != NULL && *name != '\0')
    printer = g_strdup (name);
  else if (ocd_connect1_get_printer_id (proxy) >= 0)
    /* TRANSLATORS: a printer known only by its number on the server */
    printer = g_strdup_printf (_("Printer %lld"), (long long) ocd_connect1_get_printer_id (proxy));
  else
    printer = g_strdup (_("Unknown"));
  gtk_label_set_label (self->printer_label, printer);

  update_agent (self, proxy);
  update_contact (self);

  fix = oc_fix_for_problem (oc_client_get_problem (self->client));
  gtk_widget_set_visible (GTK_WIDGET (self->problem_row), fix != NULL);
  if (fix != NULL)
    {
      gtk_label_set_label (self->problem_label, obico_fix_title (fix->fix));
      gtk_actionable_set_action_target (GTK_ACTIONABLE (self->problem_row), "s", oc_fix_id (fix));
    }
}

static void
update_next_fix (OcStatusPage *self)
{
  const OcFix *fix = oc_doctor_get_next_fix (self->doctor);

  gtk_widget_set_visible (GTK_WIDGET (self->next_row), fix != NULL);
  if (fix == NULL)
    return;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->next_row), obico_fix_title (fix->fix));
  adw_action_row_set_subtitle (self->next_row,
                               fix->fix == OBICO_FIX_UNDETECTED ? _("If the printer still shows as offline")
                                                                   : _("Recommended next step"));
  gtk_image_set_from_icon_name (self->next_icon, fix->icon_name);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->next_row), "s", oc_fix_id (fix));
}

static void
on_tested (OcStatusPage *self)
{
  ObicoTestResult result;
  gboolean good;

  if (!oc_doctor_get_test_result (self->doctor, &result))
    return;
  good = result == OBICO_TEST_RESULT_SUCCEEDED;

  gtk_widget_set_visible (GTK_WIDGET (self->result_group), TRUE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->result_row), obico_test_result_label (result));
  adw_action_row_set_subtitle (self->result_row, oc_doctor_get_test_detail (self->doctor));
  gtk_image_set_from_icon_name (self->result_icon, good ? "emblem-ok-symbolic" : "dialog-error-symbolic");
  set_style (GTK_WIDGET (self->result_icon), good ? "success" : "error");
  update_next_fix (self);
}

static GtkWidget *
create_step_row (GVariant *step)
{
  const char *name = NULL, *detail = NULL;
  gboolean ok = FALSE;
  double elapsed_ms = -1;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon;

  g_variant_lookup (step, "name", "&s", &name);
  g_variant_lookup (step, "detail", "&s", &detail);
  g_variant_lookup (step, "ok", "b", &ok);
  g_variant_lookup (step, "elapsed_ms", "d", &elapsed_ms);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), name != NULL ? obico_step_label (name) : _("Unnamed step"));
  if (detail != NULL && *detail != '\0')
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), detail);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 3);

  icon = gtk_image_new_from_icon_name (ok ? "emblem-ok-symbolic" : "dialog-error-symbolic");
  gtk_widget_add_css_class (icon, ok ? "success" : "error");
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  ok ? _("Passed") : _("Failed"), -1);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);

  if (elapsed_ms >= 0)
    {
      g_autofree char *text = obico_format_elapsed (elapsed_ms);
      GtkWidget *label = gtk_label_new (text);

      gtk_widget_add_css_class (label, "dim-label");
      gtk_widget_add_css_class (label, "numeric");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
    }

  return row;
}

static void
on_diagnosed (OcStatusPage *self)
{
  GVariant *steps = oc_doctor_get_diagnosis_steps (self->doctor);
  GtkWidget *child;
  GVariantIter iter;
  GVariant *step;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->steps_list))) != NULL)
    gtk_list_box_remove (self->steps_list, child);

  if (steps != NULL)
    {
      g_variant_iter_init (&iter, steps);
      while (g_variant_iter_loop (&iter, "@a{sv}", &step))
        gtk_list_box_append (self->steps_list, create_step_row (step));
    }

  gtk_widget_set_visible (GTK_WIDGET (self->steps_list),
                          gtk_widget_get_first_child (GTK_WIDGET (self->steps_list)) != NULL);
}

static void
on_busy_changed (OcStatusPage *self)
{
  gtk_widget_set_visible (self->test_spinner, oc_doctor_get_busy (self->doctor));
}

static gboolean
clock_tick (gpointer user_data)
{
  update_contact (user_data);
  return G_SOURCE_CONTINUE;
}

static void
oc_status_page_map (GtkWidget *widget)
{
  OcStatusPage *self = OC_STATUS_PAGE (widget);

  GTK_WIDGET_CLASS (oc_status_page_parent_class)->map (widget);

  /* "2 minutes ago" goes stale; only worth updating while it is seen */
  update_contact (self);
  self->clock_id = g_timeout_add_seconds (30, clock_tick, self);
}

static void
oc_status_page_unmap (GtkWidget *widget)
{
  OcStatusPage *self = OC_STATUS_PAGE (widget);

  g_clear_handle_id (&self->clock_id, g_source_remove);

  GTK_WIDGET_CLASS (oc_status_page_parent_class)->unmap (widget);
}

void
oc_status_page_set_doctor (OcStatusPage *self,
                           OcDoctor     *doctor)
{
  g_return_if_fail (OC_IS_STATUS_PAGE (self));

  if (self->doctor == doctor)
    return;

  if (self->doctor != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->doctor, self);
      g_signal_handlers_disconnect_by_data (self->client, self);
    }
  g_set_object (&self->doctor, doctor);
  g_set_object (&self->client, (doctor != NULL ? oc_doctor_get_client (doctor) : NULL));
  oc_printer_list_set_client (self->printer_list, self->client);

  if (doctor != NULL)
    {
      g_signal_connect_swapped (self->client, "changed", G_CALLBACK (update_state), self);
      g_signal_connect_swapped (doctor, "tested", G_CALLBACK (on_tested), self);
      g_signal_connect_swapped (doctor, "diagnosed", G_CALLBACK (on_diagnosed), self);
      g_signal_connect_swapped (doctor, "notify::next-fix", G_CALLBACK (update_next_fix), self);
      g_signal_connect_swapped (doctor, "notify::busy", G_CALLBACK (on_busy_changed), self);
      update_state (self);
    }
}

static void
oc_status_page_dispose (GObject *object)
{
  OcStatusPage *self = OC_STATUS_PAGE (object);

  oc_status_page_set_doctor (self, NULL);
  /* AdwBin unparents its child itself: let it, before the template is cleared. */
  adw_bin_set_child (ADW_BIN (object), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), OC_TYPE_STATUS_PAGE);

  G_OBJECT_CLASS (oc_status_page_parent_class)->dispose (object);
}

static void
oc_status_page_class_init (OcStatusPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = oc_status_page_dispose;
  widget_class->map = oc_status_page_map;
  widget_class->unmap = oc_status_page_unmap;

  g_type_ensure (OC_TYPE_PRINTER_LIST);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/obico/Connect/oc-status-page.ui");
  gtk_widget_class_bind_template_child (widget_class, OcStatusPage, state_icon);
  gtk_widget_class_bind_template_child (widget_class, OcStatusPage, state_label);
  gtk_widget_class_bind_template_child (widget_class, OcStatusPage, state_detail);
  gtk_widget_class_bind_template_child (widget_class, OcStatusPage, test_spinner);
  gtk_widget_class_bind_template_child (widget_class, OcStatusPage, server_label);
  gtk_widget_class_bind_template_child (widget_class, OcStatusPage, printer_label);
  gtk_widget_class_bind_template_child (widget_class, OcStatusPage, contact_label);
  gtk_widget_class_bind_template_child (widget_class, OcStatusPage, agent_row);
  gtk_widget_class_bind_template_child (widget_class, OcStatusPage, agent_label);
  gtk_widget_class_bind_template_child (widget_class, OcStatusPage, problem_row);
  gtk_widget_class_bind_template_child (widget_class, OcStatusPage, problem_label);
  gtk_widget_class_bind_template_child (widget_class, OcStatusPage, result_group);
  gtk_widget_class_bind_template_child (widget_class, OcStatusPage, result_row);
  gtk_widget_class_bind_template_child (widget_class, OcStatusPage, result_icon);
  gtk_widget_class_bind_template_child (widget_class, OcStatusPage, next_row);
  gtk_widget_class_bind_template_child (widget_class, OcStatusPage, next_icon);
  gtk_widget_class_bind_template_child (widget_class, OcStatusPage, steps_list);
  gtk_widget_class_bind_template_child (widget_class, OcStatusPage, printer_list);
}

static void
oc_status_page_init (OcStatusPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
