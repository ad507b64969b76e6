/* oc-application.c — the app: command-line options and actions
 *
 * Everything the app does is an action, so the same things can be done from
 * the menu, the keyboard and over D-Bus. The daemon's proxy is OcClient's,
 * the checks are OcDoctor's, and what a window shows is OcWindow's.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "oc-application"

#include "config.h"

#include <glib/gi18n.h>

#include "oc-application.h"
#include "oc-notifier.h"
#include "oc-window.h"

struct _OcApplication
{
  AdwApplication  parent_instance;

  OcClient       *client;
  OcDoctor       *doctor;
  GBusType        bus_type;
  gboolean        kiosk;
  OcNotifier     *notifier;        /* background mode only */
};

G_DEFINE_FINAL_TYPE (OcApplication, oc_application, ADW_TYPE_APPLICATION)

static OcWindow *
get_window (OcApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    window = GTK_WINDOW (oc_window_new (self, self->kiosk));

  return OC_WINDOW (window);
}

static void
set_enabled (OcApplication *self,
             const char    *name,
             gboolean       enabled)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), name);

  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
}

static void
update_actions (OcApplication *self)
{
  OcdConnect1 *proxy = oc_client_get_proxy (self->client);
  gboolean running = proxy != NULL;
  gboolean idle = !oc_doctor_get_busy (self->doctor);
  const OcChange *changes;
  guint n_changes;
  GAction *action;

  /* enabled only with a running daemon and no check in flight */
  set_enabled (self, "test", running && idle);
  set_enabled (self, "diagnose", running && idle);
  changes = oc_fix_get_changes (&n_changes);
  for (guint i = 0; i < n_changes; i++)
    set_enabled (self, changes[i].action, running && idle);
  /* the official agent's link and address are changed in the agent */
  set_enabled (self, "link", running && idle && oc_client_get_can_link (self->client));
  set_enabled (self, "set-server-url", running && idle && oc_client_get_role (self->client) != OBICO_ROLE_WATCH);

  set_enabled (self, "debug-logging", running);
  action = g_action_map_lookup_action (G_ACTION_MAP (self), "debug-logging");
  if (running)
    g_simple_action_set_state (G_SIMPLE_ACTION (action),
                               g_variant_new_boolean (ocd_connect1_get_debug_logging (oc_client_get_root (self->client))));
}

/* Whether the doctor's run succeeded; its error is shown when not. */
static gboolean
run_finished (OcApplication *self,
              GAsyncResult  *result)
{
  g_autoptr(GError) error = NULL;

  if (oc_doctor_run_finish (self->doctor, result, &error))
    return TRUE;

  oc_window_show_error (get_window (self), error);
  return FALSE;
}

/* After a TEST: the fix its result leads to, or the status page when there is
 * nothing to fix; "undetected" is offered there rather than pushed. */
static void
run_cb (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(OcApplication) self = user_data;
  const OcFix *fix;

  if (!run_finished (self, result))
    return;

  fix = oc_doctor_get_next_fix (self->doctor);
  if (fix == NULL || fix->fix == OBICO_FIX_UNDETECTED)
    oc_window_show_page (get_window (self), "status");
  else
    oc_window_show_fix (get_window (self), fix->fix);
}

static void
diagnose_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(OcApplication) self = user_data;

  run_finished (self, result);
}

static void
test_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  OcApplication *self = user_data;

  oc_doctor_test (self->doctor, NULL, run_cb, g_object_ref (self));
}

static void
diagnose_activated (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  OcApplication *self = user_data;

  oc_window_show_page (get_window (self), "status");
  oc_doctor_diagnose (self->doctor, NULL, diagnose_cb, g_object_ref (self));
}

/* After a change whose OcChange says so (a restart of the agent): the status
 * page, whatever the TEST found. */
static void
then_status_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(OcApplication) self = user_data;

  if (run_finished (self, result))
    oc_window_show_page (get_window (self), "status");
}

/* Any of oc_fix_get_changes(): the daemon's method with the action's
 * parameter, if any, as its one argument; then a TEST. */
static void
change_activated (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  OcApplication *self = user_data;
  const char *name = g_action_get_name (G_ACTION (action));
  const OcChange *changes;
  guint n_changes;

  changes = oc_fix_get_changes (&n_changes);
  for (guint i = 0; i < n_changes; i++)
    if (g_str_equal (changes[i].action, name))
      {
        GVariant *arguments = parameter != NULL ? g_variant_new_tuple (&parameter, 1) : NULL;

        oc_doctor_change (self->doctor, changes[i].method, arguments, NULL,
                          changes[i].then_status ? then_status_cb : run_cb, g_object_ref (self));
        return;
      }
}

static void
show_fix_activated (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  OcApplication *self = user_data;
  const char *id = g_variant_get_string (parameter, NULL);
  ObicoFix fix;

  if (!obico_read_fix (id, &fix))
    {
      g_warning ("No guided fix with id “%s”", id);
      return;
    }

  oc_window_show_fix (get_window (self), fix);
  gtk_window_present (GTK_WINDOW (get_window (self)));
}

static void
show_page_activated (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  OcApplication *self = user_data;

  oc_window_show_page (get_window (self), g_variant_get_string (parameter, NULL));
  gtk_window_present (GTK_WINDOW (get_window (self)));
}

/* Printer N (from 1) of a host with several, everywhere in the app. */
static void
show_printer_activated (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  OcApplication *self = user_data;
  g_autoptr(GPtrArray) printers = oc_client_get_printers (self->client);
  guint number = g_variant_get_uint32 (parameter);

  if (number >= 1 && number <= printers->len)
    oc_client_select_printer (self->client, g_ptr_array_index (printers, number - 1));
  oc_window_show_page (get_window (self), "status");
  gtk_window_present (GTK_WINDOW (get_window (self)));
}

static void
set_debug_logging_cb (GObject      *object,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(OcApplication) self = user_data;
  g_autoptr(GError) error = NULL;

  g_autoptr(GVariant) reply = oc_client_change_finish (OC_CLIENT (object), result, &error);

  if (reply == NULL)
    {
      oc_window_show_error (get_window (self), error);
      /* the switch went ahead of the daemon: put it back */
      update_actions (self);
    }
}

static void
change_debug_logging (GSimpleAction *action,
                      GVariant      *value,
                      gpointer       user_data)
{
  OcApplication *self = user_data;
  OcdConnect1 *proxy = oc_client_get_root (self->client);

  if (proxy == NULL)
    return;

  g_simple_action_set_state (action, value);
  oc_client_change (self->client, "SetDebugLogging", g_variant_new ("(b)", g_variant_get_boolean (value)), NULL,
                    set_debug_logging_cb, g_object_ref (self));
}

/* An empty path asks where to save; a path is for scripts and tests. */
static void
save_support_report_activated (GSimpleAction *action,
                               GVariant      *parameter,
                               gpointer       user_data)
{
  OcApplication *self = user_data;
  const char *path = g_variant_get_string (parameter, NULL);
  g_autoptr(GFile) file = *path != '\0' ? g_file_new_for_path (path) : NULL;

  oc_window_save_support_report (get_window (self), file);
}

static void
dump_state_activated (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  OcApplication *self = user_data;
  g_autofree char *state = oc_window_describe (get_window (self));

  g_print ("--- obico-connect state ---\n%s--- end ---\n", state);
}

static void
about_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  OcApplication *self = user_data;
  const char *developers[] = { "The obico-connect authors", NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", get_window (self),
                        "application-icon", "io.obico.Connect",
                        "application-name", _("Obico Connect"),
                        "developer-name", _("The obico-connect authors"),
                        "version", PACKAGE_VERSION,
                        "comments", _("Finds out why a 3D printer cannot reach its Obico server, and fixes it with you."),
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "developers", developers,
                        /* TRANSLATORS: your name(s), one per line */
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

/* The login agent's mode, also asked of a primary instance that was started
 * with a window: no window of its own, kept running by the hold. */
static void
background_activated (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  OcApplication *self = user_data;

  if (self->notifier != NULL)
    return;

  g_application_hold (G_APPLICATION (self));
  self->notifier = oc_notifier_new (G_APPLICATION (self), self->client);
}

static void
quit_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  OcApplication *self = user_data;
  GList *windows;
  g_autolist(GtkWindow) copy = NULL;

  /* The notification agent outlives its windows: Ctrl+Q in a window opened
   * from a notification closes the windows, and the notifications go on.
   * Asked with no window open, it stops the agent. */
  windows = gtk_application_get_windows (GTK_APPLICATION (self));
  if (self->notifier == NULL || windows == NULL)
    {
      g_application_quit (G_APPLICATION (self));
      return;
    }
  /* As the close button does. The application's list changes as windows go,
   * and a window may take its dialogs along: close from a list of our own,
   * each window held until the end. */
  copy = g_list_copy_deep (windows, (GCopyFunc) g_object_ref, NULL);
  for (GList *w = copy; w != NULL; w = w->next)
    gtk_window_close (w->data);
}

static const GActionEntry app_actions[] = {
  { "test", test_activated },
  { "diagnose", diagnose_activated },
  { "debug-logging", NULL, NULL, "false", change_debug_logging },
  { "show-fix", show_fix_activated, "s" },
  { "show-page", show_page_activated, "s" },
  { "show-printer", show_printer_activated, "u" },
  { "save-support-report", save_support_report_activated, "s" },
  { "dump-state", dump_state_activated },
  { "about", about_activated },
  { "background", background_activated },
  { "quit", quit_activated },
};

/* What only this process can do: the version, and which bus (needed before
 * registering, as the primary instance starts its client then). */
static gint
oc_application_handle_local_options (GApplication *app,
                                     GVariantDict *options)
{
  OcApplication *self = OC_APPLICATION (app);

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("obico-connect %s\n", PACKAGE_VERSION);
      return 0;
    }

  if (g_variant_dict_contains (options, "session"))
    self->bus_type = G_BUS_TYPE_SESSION;

  return G_APPLICATION_CLASS (oc_application_parent_class)->handle_local_options (app, options);
}

/* Runs in the primary instance, for its own command line and for every
 * later one: "obico-connect --kiosk" on a Pi whose login agent (--background)
 * is the primary instance still gets the kiosk's window. */
static int
oc_application_command_line (GApplication            *app,
                             GApplicationCommandLine *command_line)
{
  OcApplication *self = OC_APPLICATION (app);
  GVariantDict *options = g_application_command_line_get_options_dict (command_line);
  OcWindow *window;

  /* no window: g_application_run() runs for as long as app.background holds the app */
  if (g_variant_dict_contains (options, "background"))
    {
      g_action_group_activate_action (G_ACTION_GROUP (app), "background", NULL);
      return 0;
    }

  /* later windows (a notification's) follow the last command line */
  self->kiosk = g_variant_dict_contains (options, "kiosk");
  window = get_window (self);
  if (self->kiosk)
    oc_window_set_kiosk (window);
  gtk_window_present (GTK_WINDOW (window));
  return 0;
}

static void
oc_application_startup (GApplication *app)
{
  OcApplication *self = OC_APPLICATION (app);
  static const char *test_accels[] = { "<Primary>t", "F5", NULL };
  static const char *diagnose_accels[] = { "<Primary>d", NULL };
  static const char *quit_accels[] = { "<Primary>q", NULL };

  G_APPLICATION_CLASS (oc_application_parent_class)->startup (app);

  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.test", test_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.diagnose", diagnose_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);

  self->client = oc_client_new (self->bus_type);
  self->doctor = oc_doctor_new (self->client);
  g_signal_connect_object (self->doctor, "notify::busy", G_CALLBACK (update_actions), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->client, "changed", G_CALLBACK (update_actions), self, G_CONNECT_SWAPPED);
  update_actions (self);
  oc_client_start (self->client);
}

static void
oc_application_shutdown (GApplication *app)
{
  OcApplication *self = OC_APPLICATION (app);

  g_clear_object (&self->notifier);
  oc_client_stop (self->client);

  G_APPLICATION_CLASS (oc_application_parent_class)->shutdown (app);
}

static void
oc_application_activate (GApplication *app)
{
  gtk_window_present (GTK_WINDOW (get_window (OC_APPLICATION (app))));
}

static void
oc_application_finalize (GObject *object)
{
  OcApplication *self = OC_APPLICATION (object);

  g_clear_object (&self->doctor);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (oc_application_parent_class)->finalize (object);
}

static void
oc_application_class_init (OcApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = oc_application_finalize;
  app_class->handle_local_options = oc_application_handle_local_options;
  app_class->command_line = oc_application_command_line;
  app_class->startup = oc_application_startup;
  app_class->shutdown = oc_application_shutdown;
  app_class->activate = oc_application_activate;
}

static void
oc_application_init (OcApplication *self)
{
  const GOptionEntry options[] = {
    { "session", 0, 0, G_OPTION_ARG_NONE, NULL,
      N_("Talk to the service on the session bus (for tests and demos)"), NULL },
    { "kiosk", 0, 0, G_OPTION_ARG_NONE, NULL,
      N_("Full screen with large touch targets, for a printer’s touchscreen"), NULL },
    { "background", 0, 0, G_OPTION_ARG_NONE, NULL,
      N_("Run without a window and notify when the printer goes offline (started at login)"), NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL,
      N_("Show the version and exit"), NULL },
    { NULL }
  };
  const OcChange *changes;
  guint n_changes;

  self->bus_type = G_BUS_TYPE_SYSTEM;

  g_application_add_main_option_entries (G_APPLICATION (self), options);
  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions), self);
  changes = oc_fix_get_changes (&n_changes);
  for (guint i = 0; i < n_changes; i++)
    {
      const GActionEntry entry = { changes[i].action, change_activated, changes[i].parameter_type };

      g_action_map_add_action_entries (G_ACTION_MAP (self), &entry, 1, self);
    }
}

OcApplication *
oc_application_new (void)
{
  return g_object_new (OC_TYPE_APPLICATION,
                       "application-id", "io.obico.Connect",
                       "flags", G_APPLICATION_HANDLES_COMMAND_LINE,
                       "resource-base-path", "/io/obico/Connect",
                       NULL);
}

OcDoctor *
oc_application_get_doctor (OcApplication *self)
{
  g_return_val_if_fail (OC_IS_APPLICATION (self), NULL);

  return self->doctor;
}

OcClient *
oc_application_get_client (OcApplication *self)
{
  g_return_val_if_fail (OC_IS_APPLICATION (self), NULL);

  return self->client;
}
