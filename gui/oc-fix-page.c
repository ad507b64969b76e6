/* oc-fix-page.c — one guided fix: the explanation and the action right there
 *
 * One template serves every fix id; the id decides which of its groups show.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "obico-url.h"
#include "oc-fix-page.h"
#include "oc-format.h"
#include "oc-link-page.h"

#define LOG_LINES 60

struct _OcFixPage
{
  AdwBin        parent_instance;

  OcDoctor     *doctor;
  OcClient     *client;
  const OcFix  *fix;
  GCancellable *cancellable;

  GtkScrolledWindow *scroller;
  GtkImage     *icon;
  GtkLabel     *title_label;
  GtkLabel     *description_label;
  GtkLabel     *advice_label;
  GtkWidget    *what_group;
  AdwActionRow *what_row;
  OcLinkPage   *link_page;
  AdwPreferencesGroup *agent_group;
  GtkLabel     *agent_steps;
  GtkWidget    *server_group;
  AdwEntryRow  *server_row;
  GtkLabel     *server_error;
  GtkWidget    *causes_group;
  GtkWidget    *report_group;
  AdwActionRow *report_row;
  GtkWidget    *debug_group;
  GtkWidget    *log_group;
  GtkScrolledWindow *log_scroller;
  GtkLabel     *log_label;
  AdwPreferencesGroup *agent_log_group;
  GtkScrolledWindow *agent_log_scroller;
  GtkLabel     *agent_log_label;
  GtkWidget    *contact_group;
  GtkWidget    *support_button;
  GtkWidget    *remedy_button;
  GtkWidget    *diagnose_button;
  GtkWidget    *test_button;
  GtkWidget    *help_button;
};

G_DEFINE_FINAL_TYPE (OcFixPage, oc_fix_page, ADW_TYPE_BIN)

static OcdConnect1 *
get_proxy (OcFixPage *self)
{
  return self->client != NULL ? oc_client_get_proxy (self->client) : NULL;
}

/* What the person saw that led here: the failed TEST that led here, or else
 * the daemon's own account of the connection (a TEST that succeeded leads on
 * by the State, and its "succeeded" would explain nothing). */
static void
update_what_happened (OcFixPage *self)
{
  OcdConnect1 *proxy = get_proxy (self);
  ObicoTestResult result;
  gboolean led_here;
  const char *title = NULL;
  const char *detail = NULL;

  if (self->fix == NULL || proxy == NULL)
    {
      gtk_widget_set_visible (self->what_group, FALSE);
      return;
    }

  led_here = oc_doctor_get_next_fix (self->doctor) == self->fix;
  if (oc_doctor_get_test_result (self->doctor, &result) && result != OBICO_TEST_RESULT_SUCCEEDED && led_here)
    {
      title = obico_test_result_label (result);
      detail = oc_doctor_get_test_detail (self->doctor);
    }
  else if (led_here || oc_fix_for_problem (oc_client_get_problem (self->client)) == self->fix)
    {
      title = obico_state_label (oc_client_get_state (self->client));
      detail = ocd_connect1_get_problem_detail (proxy);
    }

  gtk_widget_set_visible (self->what_group, title != NULL);
  if (title != NULL)
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->what_row), title);
      adw_action_row_set_subtitle (self->what_row, detail != NULL ? detail : "");
    }
}

static void
update_report_row (OcFixPage *self)
{
  OcdConnect1 *proxy = get_proxy (self);
  GVariant *stats = proxy != NULL ? ocd_connect1_get_error_stats (proxy) : NULL;
  double rate = 0;
  g_autofree char *rate_text = NULL;
  g_autofree char *subtitle = NULL;

  if (stats == NULL)
    return;

  g_variant_lookup (stats, "rate", "d", &rate);
  rate_text = obico_format_rate (rate);
  /* TRANSLATORS: severity band, then the error rate, e.g. "High error rate, 35.0 % errors" */
  subtitle = g_strdup_printf (_("%s, %s errors"), obico_severity_label (oc_client_get_severity (self->client)),
                              rate_text);
  adw_action_row_set_subtitle (self->report_row, subtitle);
}

/* newest last, as in the journal: show the end once the new text is laid out */
static gboolean
scroll_log_to_end (GtkWidget     *widget,
                   GdkFrameClock *frame_clock,
                   gpointer       user_data)
{
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (widget));

  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_upper (adjustment));

  return G_SOURCE_REMOVE;
}

static void
get_recent_log_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  OcFixPage *self = user_data;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *text = NULL;

  if (!ocd_connect1_call_get_recent_log_finish (OCD_CONNECT1 (object), &lines, result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      text = obico_error_sentence (error);
    }
  else if (lines[0] == NULL)
    {
      text = g_strdup (_("No log lines yet."));
    }
  else
    {
      text = g_strjoinv ("\n", lines);
    }

  gtk_label_set_label (self->log_label, text);
  gtk_widget_add_tick_callback (GTK_WIDGET (self->log_scroller), scroll_log_to_end, NULL, NULL);
}

static void
get_agent_log_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  OcFixPage *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) report = NULL;
  g_autoptr(GVariant) lines = NULL;
  g_autofree const char **strv = NULL;
  g_autofree char *text = NULL;

  if (!ocd_connect1_call_get_report_finish (OCD_CONNECT1 (object), &report, result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      text = obico_error_sentence (error);
    }
  else if ((lines = g_variant_lookup_value (report, "agent_log", G_VARIANT_TYPE_STRING_ARRAY)) == NULL)
    {
      text = g_strdup (_("The agent’s log file was not found."));
    }
  else if (g_variant_n_children (lines) == 0)
    {
      text = g_strdup (_("No log lines yet."));
    }
  else
    {
      strv = g_variant_get_strv (lines, NULL);
      text = g_strjoinv ("\n", (char **) strv);
    }

  gtk_label_set_label (self->agent_log_label, text);
  gtk_widget_add_tick_callback (GTK_WIDGET (self->agent_log_scroller), scroll_log_to_end, NULL, NULL);
}

/* GetReport's agent_log: the official agent's own lines */
static void
reload_agent_log (OcFixPage *self)
{
  OcdConnect1 *proxy = get_proxy (self);

  if (proxy != NULL && gtk_widget_get_visible (GTK_WIDGET (self->agent_log_group)))
    ocd_connect1_call_get_report (proxy, self->cancellable, get_agent_log_cb, self);
}

static void
reload_log (OcFixPage *self)
{
  OcdConnect1 *proxy = get_proxy (self);

  if (proxy != NULL && gtk_widget_get_visible (self->log_group))
    ocd_connect1_call_get_recent_log (oc_client_get_root (self->client), LOG_LINES, self->cancellable,
                                      get_recent_log_cb, self);
  reload_agent_log (self);
}

/* A failing server's page: what failing means for the cloud, and for a
 * server of one's own. */
static char *
server_error_advice (OcFixPage *self)
{
  OcdConnect1 *proxy = get_proxy (self);
  g_autofree char *host = NULL;

  if (proxy == NULL || (host = obico_url_host (ocd_connect1_get_server_url (proxy), NULL, NULL)) == NULL)
    return NULL;
  if (g_ascii_strcasecmp (host, "app.obico.io") == 0)
    return g_strdup (_("The Obico Cloud answered with an error: it is under maintenance or has an outage. "
                       "Wait a few minutes, then test again. If it lasts, ask the Obico community (Get Help) "
                       "whether others see it too."));
  return g_strdup_printf (_("Your own server at %s answered with an error: its web container may have "
                            "stopped behind the proxy. On the server, run “docker compose ps” in the "
                            "obico-server folder to see which containers run, and “docker compose logs web” to "
                            "read why one failed."), host);
}

/* The remedy that works for who holds the link: in the watch role, and
 * where an official agent is installed, the change is made in the agent;
 * the app links only where no agent would then be a second printer. */
static void
update_remedy (OcFixPage *self)
{
  OcFixAction action = self->fix->action;
  const OcAgent *agent = self->client != NULL ? oc_client_get_agent (self->client) : NULL;
  gboolean watch = self->client != NULL && oc_client_get_role (self->client) == OBICO_ROLE_WATCH;
  gboolean can_link = self->client == NULL || oc_client_get_can_link (self->client);
  gboolean agent_log = (action == OC_FIX_ACTION_DEBUG_LOGGING || action == OC_FIX_ACTION_RESTART_AGENT ||
                        action == OC_FIX_ACTION_AGENT_CONNECTION) && watch && agent != NULL;
  g_autofree char *steps = NULL;
  g_autofree char *advice = NULL;

  if (action == OC_FIX_ACTION_LINK && !can_link && agent != NULL)
    steps = oc_agent_link_steps (agent);
  else if (action == OC_FIX_ACTION_SERVER_URL && watch && agent != NULL)
    steps = oc_agent_server_steps (agent);
  else if (agent_log && action == OC_FIX_ACTION_DEBUG_LOGGING)
    steps = oc_agent_debug_steps (agent);

  gtk_widget_set_visible (GTK_WIDGET (self->link_page), action == OC_FIX_ACTION_LINK && can_link);
  gtk_widget_set_visible (self->server_group, action == OC_FIX_ACTION_SERVER_URL && !watch);
  gtk_widget_set_visible (GTK_WIDGET (self->agent_group), steps != NULL);
  if (steps != NULL)
    {
      /* TRANSLATORS: a group of steps, e.g. "In moonraker-obico" */
      g_autofree char *title = g_strdup_printf (_("In %s"), oc_agent_name (agent));

      adw_preferences_group_set_title (self->agent_group, title);
      gtk_label_set_label (self->agent_steps, steps);
    }

  if (agent_log && !gtk_widget_get_visible (GTK_WIDGET (self->agent_log_group)))
    {
      /* TRANSLATORS: e.g. "Recent Log of OctoPrint-Obico" */
      g_autofree char *title = g_strdup_printf (_("Recent Log of %s"), oc_agent_name (agent));

      adw_preferences_group_set_title (self->agent_log_group, title);
      gtk_widget_set_visible (GTK_WIDGET (self->agent_log_group), TRUE);
      reload_agent_log (self);
    }
  else if (!agent_log)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->agent_log_group), FALSE);
    }

  if (self->fix->fix == OBICO_FIX_SERVER_ERROR)
    advice = server_error_advice (self);
  gtk_widget_set_visible (GTK_WIDGET (self->advice_label), advice != NULL);
  gtk_label_set_label (self->advice_label, advice != NULL ? advice : "");
}

static void
on_contact_activated (OcFixPage    *self,
                      AdwActionRow *row)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  gtk_show_uri (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, adw_action_row_get_subtitle (row),
                GDK_CURRENT_TIME);
}

static void
on_daemon_changed (OcFixPage *self)
{
  update_what_happened (self);
  update_report_row (self);
  update_remedy (self);
}

static void
on_server_changed (OcFixPage *self)
{
  gtk_widget_remove_css_class (GTK_WIDGET (self->server_row), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->server_error), FALSE);
}

static void
on_server_apply (OcFixPage *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  /* the rules SetServerUrl applies, so the person sees what will be stored */
  url = obico_url_normalize (gtk_editable_get_text (GTK_EDITABLE (self->server_row)), &error);
  if (url == NULL)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->server_row), "error");
      gtk_label_set_label (self->server_error, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->server_error), TRUE);
      return;
    }

  gtk_widget_activate_action (GTK_WIDGET (self), "app.set-server-url", "s", url);
}

static void
on_use_cloud_clicked (OcFixPage *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->server_row), OBICO_DEFAULT_SERVER_URL);
  gtk_widget_grab_focus (GTK_WIDGET (self->server_row));
}

ObicoFix
oc_fix_page_get_fix (OcFixPage *self)
{
  g_return_val_if_fail (OC_IS_FIX_PAGE (self), OBICO_FIX_GET_HELP);

  return self->fix->fix;
}

/* The server refused the code just typed: the entry is emptied for the next. */
void
oc_fix_page_code_rejected (OcFixPage *self)
{
  g_return_if_fail (OC_IS_FIX_PAGE (self));

  oc_link_page_clear (self->link_page);
}

void
oc_fix_page_set_fix (OcFixPage *self,
                     ObicoFix   fix)
{
  OcdConnect1 *proxy;
  OcFixAction action;
  const OcChange *remedy;

  g_return_if_fail (OC_IS_FIX_PAGE (self));
  g_return_if_fail (oc_fix_lookup (fix) != NULL);

  self->fix = oc_fix_lookup (fix);

  action = self->fix->action;
  gtk_image_set_from_icon_name (self->icon, self->fix->icon_name);
  gtk_label_set_label (self->title_label, obico_fix_title (self->fix->fix));
  gtk_label_set_label (self->description_label, _(self->fix->description));

  oc_link_page_clear (self->link_page);
  gtk_widget_set_visible (GTK_WIDGET (self->agent_log_group), FALSE);
  gtk_label_set_label (self->agent_log_label, "");

  proxy = get_proxy (self);
  gtk_editable_set_text (GTK_EDITABLE (self->server_row), proxy != NULL ? ocd_connect1_get_server_url (proxy) : "");
  on_server_changed (self);

  gtk_widget_set_visible (self->causes_group, action == OC_FIX_ACTION_CHOOSE_CAUSE);
  gtk_widget_set_visible (self->report_group, action == OC_FIX_ACTION_REPORT);
  gtk_widget_set_visible (self->debug_group, action == OC_FIX_ACTION_DEBUG_LOGGING);
  gtk_widget_set_visible (self->log_group, action == OC_FIX_ACTION_DEBUG_LOGGING);
  gtk_widget_set_visible (self->support_button, action == OC_FIX_ACTION_SUPPORT_REPORT);
  /* the daemon's remedy for the cause it named, then TEST again */
  remedy = oc_fix_change_for (action);
  gtk_widget_set_visible (self->remedy_button, remedy != NULL);
  if (remedy != NULL)
    {
      g_autofree char *action_name = g_strconcat ("app.", remedy->action, NULL);

      gtk_button_set_label (GTK_BUTTON (self->remedy_button), _(remedy->label));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->remedy_button), action_name);
    }
  gtk_widget_set_visible (self->diagnose_button, action == OC_FIX_ACTION_AGENT_CONNECTION);
  gtk_widget_set_visible (self->contact_group, fix == OBICO_FIX_GET_HELP);

  /* every branch ends with get-help; debug logging and get-help are no test */
  gtk_widget_set_visible (self->help_button, fix != OBICO_FIX_GET_HELP);
  gtk_widget_set_visible (self->test_button, action != OC_FIX_ACTION_SUPPORT_REPORT &&
                                             fix != OBICO_FIX_DEBUG_LOGGING);
  if (action == OC_FIX_ACTION_TEST_AGAIN)
    gtk_widget_add_css_class (self->test_button, "suggested-action");
  else
    gtk_widget_remove_css_class (self->test_button, "suggested-action");

  gtk_label_set_label (self->log_label, "");
  /* shows the agent's log, and asks for it, when this page has it */
  on_daemon_changed (self);
  if (gtk_widget_get_visible (self->log_group) && proxy != NULL)
    ocd_connect1_call_get_recent_log (oc_client_get_root (self->client), LOG_LINES, self->cancellable,
                                      get_recent_log_cb, self);
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scroller), 0);
}

void
oc_fix_page_set_doctor (OcFixPage *self,
                        OcDoctor  *doctor)
{
  g_return_if_fail (OC_IS_FIX_PAGE (self));

  if (self->doctor != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->doctor, self);
      g_signal_handlers_disconnect_by_data (self->client, self);
    }
  g_set_object (&self->doctor, doctor);
  g_set_object (&self->client, (doctor != NULL ? oc_doctor_get_client (doctor) : NULL));

  if (doctor != NULL)
    {
      g_signal_connect_swapped (self->client, "changed", G_CALLBACK (on_daemon_changed), self);
      g_signal_connect_swapped (doctor, "tested", G_CALLBACK (update_what_happened), self);
      g_signal_connect_swapped (doctor, "tested", G_CALLBACK (reload_log), self);
    }
}

static void
oc_fix_page_dispose (GObject *object)
{
  OcFixPage *self = OC_FIX_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  oc_fix_page_set_doctor (self, NULL);
  /* AdwBin unparents its child itself: let it, before the template is cleared. */
  adw_bin_set_child (ADW_BIN (object), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), OC_TYPE_FIX_PAGE);

  G_OBJECT_CLASS (oc_fix_page_parent_class)->dispose (object);
}

static void
oc_fix_page_class_init (OcFixPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = oc_fix_page_dispose;

  g_type_ensure (OC_TYPE_LINK_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/obico/Connect/oc-fix-page.ui");
  gtk_widget_class_bind_template_child (widget_class, OcFixPage, scroller);
  gtk_widget_class_bind_template_child (widget_class, OcFixPage, icon);
  gtk_widget_class_bind_template_child (widget_class, OcFixPage, title_label);
  gtk_widget_class_bind_template_child (widget_class, OcFixPage, description_label);
  gtk_widget_class_bind_template_child (widget_class, OcFixPage, advice_label);
  gtk_widget_class_bind_template_child (widget_class, OcFixPage, what_group);
  gtk_widget_class_bind_template_child (widget_class, OcFixPage, what_row);
  gtk_widget_class_bind_template_child (widget_class, OcFixPage, link_page);
  gtk_widget_class_bind_template_child (widget_class, OcFixPage, agent_group);
  gtk_widget_class_bind_template_child (widget_class, OcFixPage, agent_steps);
  gtk_widget_class_bind_template_child (widget_class, OcFixPage, server_group);
  gtk_widget_class_bind_template_child (widget_class, OcFixPage, server_row);
  gtk_widget_class_bind_template_child (widget_class, OcFixPage, server_error);
  gtk_widget_class_bind_template_child (widget_class, OcFixPage, causes_group);
  gtk_widget_class_bind_template_child (widget_class, OcFixPage, report_group);
  gtk_widget_class_bind_template_child (widget_class, OcFixPage, report_row);
  gtk_widget_class_bind_template_child (widget_class, OcFixPage, debug_group);
  gtk_widget_class_bind_template_child (widget_class, OcFixPage, log_group);
  gtk_widget_class_bind_template_child (widget_class, OcFixPage, log_scroller);
  gtk_widget_class_bind_template_child (widget_class, OcFixPage, log_label);
  gtk_widget_class_bind_template_child (widget_class, OcFixPage, agent_log_group);
  gtk_widget_class_bind_template_child (widget_class, OcFixPage, agent_log_scroller);
  gtk_widget_class_bind_template_child (widget_class, OcFixPage, agent_log_label);
  gtk_widget_class_bind_template_child (widget_class, OcFixPage, contact_group);
  gtk_widget_class_bind_template_child (widget_class, OcFixPage, support_button);
  gtk_widget_class_bind_template_child (widget_class, OcFixPage, remedy_button);
  gtk_widget_class_bind_template_child (widget_class, OcFixPage, diagnose_button);
  gtk_widget_class_bind_template_child (widget_class, OcFixPage, test_button);
  gtk_widget_class_bind_template_child (widget_class, OcFixPage, help_button);
  gtk_widget_class_bind_template_callback (widget_class, on_server_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_server_apply);
  gtk_widget_class_bind_template_callback (widget_class, on_use_cloud_clicked);
  gtk_widget_class_bind_template_callback (widget_class, reload_log);
  gtk_widget_class_bind_template_callback (widget_class, on_contact_activated);
}

static void
oc_fix_page_init (OcFixPage *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
  oc_fix_page_set_fix (self, OBICO_FIX_GET_HELP);
}
