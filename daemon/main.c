/* main.c — obico-connectd: flags, the bus name, the main loop */
#include "config.h"

#define G_LOG_DOMAIN "ocd-main"

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <stdlib.h>

#include "ocd-auth.h"
#include "ocd-config.h"
#include "obico-error.h"
#include "obico-names.h"
#include "ocd-link.h"
#include "ocd-log.h"
#include "ocd-printers.h"
#include "ocd-service.h"

typedef struct {
  GMainLoop  *loop;
  OcdPrinters *printers;
  OcdHost    *host;
  OcdService *service;
  int         exit_status;
} Daemon;

static void
on_bus_acquired (GDBusConnection *connection, const char *name, gpointer data)
{
  Daemon *daemon = data;
  g_autoptr(GError) error = NULL;

  if (!g_dbus_interface_skeleton_export (G_DBUS_INTERFACE_SKELETON (daemon->service),
                                         connection, OBICO_OBJECT_PATH, &error))
    {
      g_critical ("Could not export %s: %s", OBICO_OBJECT_PATH, error->message);
      daemon->exit_status = EXIT_FAILURE;
      g_main_loop_quit (daemon->loop);
      return;
    }
  ocd_printers_export (daemon->printers, connection);
}

static void
on_name_acquired (GDBusConnection *connection, const char *name, gpointer data)
{
  g_message ("obico-connectd %s ready as %s", PACKAGE_VERSION, name);
}

static void
on_name_lost (GDBusConnection *connection, const char *name, gpointer data)
{
  Daemon *daemon = data;

  if (connection == NULL)
    g_warning ("Could not connect to the bus");
  else
    g_warning ("The name %s is owned by another process (use --replace to take it over)", name);
  daemon->exit_status = EXIT_FAILURE;
  g_main_loop_quit (daemon->loop);
}

static gboolean
on_quit_signal (gpointer data)
{
  Daemon *daemon = data;

  g_message ("Stopping");
  g_main_loop_quit (daemon->loop);
  return G_SOURCE_CONTINUE;
}

int
main (int argc, char *argv[])
{
  gboolean use_session = FALSE;
  gboolean verbose = FALSE;
  gboolean replace = FALSE;
  gboolean show_version = FALSE;
  g_autofree char *state_dir = NULL;
  g_autofree char *config_path = NULL;
  g_autoptr(OcdConfig) config = NULL;
  g_autoptr(OcdAgents) agents = NULL;
  g_auto(GStrv) agent_settings = NULL;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  Daemon daemon = { 0 };
  guint owner_id;
  const GOptionEntry entries[] = {
    { "session", 0, 0, G_OPTION_ARG_NONE, &use_session,
      N_("Use the session bus instead of the system bus (tests, demos)"), NULL },
    { "state-dir", 0, 0, G_OPTION_ARG_FILENAME, &state_dir,
      N_("Keep the link in DIR instead of " DEFAULT_STATE_DIR), N_("DIR") },
    { "config", 0, 0, G_OPTION_ARG_FILENAME, &config_path,
      N_("Read the configuration from FILE instead of " DEFAULT_CONFIG_FILE), N_("FILE") },
    { "agent-settings", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &agent_settings,
      N_("Follow this official agent's settings file (repeatable) instead of searching the usual places"),
      N_("FILE") },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, N_("Log debug messages"), NULL },
    { "replace", 'r', 0, G_OPTION_ARG_NONE, &replace,
      N_("Replace a running instance"), NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &show_version, N_("Print the version and exit"), NULL },
    { NULL }
  };

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context, _("Watches the link between this printer and its Obico server."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return EXIT_FAILURE;
    }
  if (show_version)
    {
      g_print ("obico-connectd %s\n", PACKAGE_VERSION);
      return EXIT_SUCCESS;
    }

  ocd_log_init (verbose);
  obico_error_quark ();
  ocd_auth_init (!use_session);

  daemon.loop = g_main_loop_new (NULL, FALSE);
  config = ocd_config_load (config_path != NULL ? config_path : DEFAULT_CONFIG_FILE);
  config->agent_settings = g_steal_pointer (&agent_settings);
  config->session_bus = use_session;
  agents = ocd_agents_new ((const char * const *) config->agent_settings,
                           (const char * const *) config->settings_files,
                           (const char * const *) config->search_roots);
  daemon.host = ocd_host_new (config);
  daemon.printers = ocd_printers_new (config, state_dir != NULL ? state_dir : DEFAULT_STATE_DIR,
                                     agents, daemon.host);
  daemon.service = ocd_service_new (ocd_printers_get_first (daemon.printers),
                                    G_OBJECT (daemon.printers));
  ocd_host_start (daemon.host, use_session ? G_BUS_TYPE_SESSION : G_BUS_TYPE_SYSTEM);
  ocd_printers_start (daemon.printers);

  owner_id = g_bus_own_name (use_session ? G_BUS_TYPE_SESSION : G_BUS_TYPE_SYSTEM, OBICO_BUS_NAME,
                             G_BUS_NAME_OWNER_FLAGS_ALLOW_REPLACEMENT |
                             (replace ? G_BUS_NAME_OWNER_FLAGS_REPLACE : 0),
                             on_bus_acquired, on_name_acquired, on_name_lost,
                             &daemon, NULL);

  g_unix_signal_add (SIGTERM, on_quit_signal, &daemon);
  g_unix_signal_add (SIGINT, on_quit_signal, &daemon);

  g_main_loop_run (daemon.loop);

  g_bus_unown_name (owner_id);
  g_dbus_interface_skeleton_unexport (G_DBUS_INTERFACE_SKELETON (daemon.service));
  g_clear_object (&daemon.service);
  ocd_printers_export (daemon.printers, NULL);
  g_clear_object (&daemon.printers);
  g_clear_object (&daemon.host);
  g_main_loop_unref (daemon.loop);
  return daemon.exit_status;
}
