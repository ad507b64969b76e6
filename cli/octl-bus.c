/* octl-bus.c — the service, its printers, calls to them and what their errors mean
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib-unix.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "obico-error.h"
#include "obico-names.h"
#include "octl.h"

/* Test() and Diagnose() are bounded by the daemon's own timeouts (10 s per
 * request by default, several layers for Diagnose): wait well beyond them. */
#define LONG_CALL_TIMEOUT_MS (180 * 1000)
#define CALL_TIMEOUT_MS      (30 * 1000)
#define AGENT_READY_TIMEOUT_MS (5 * 1000)

OctlExit
octl_connect (Octl *octl)
{
  g_autoptr(GError) error = NULL;

  if (octl->bus != NULL)
    return OCTL_EXIT_OK;

  octl->bus = g_bus_get_sync (octl->bus_type, NULL, &error);
  if (octl->bus == NULL)
    {
      if (octl->bus_type == G_BUS_TYPE_SYSTEM)
        g_printerr (_("Cannot connect to the system bus: %s\n"), error->message);
      else
        g_printerr (_("Cannot connect to the session bus: %s\n"), error->message);
      return OCTL_EXIT_NOT_RUNNING;
    }
  return OCTL_EXIT_OK;
}

#define PRINTER_INTERFACE OBICO_INTERFACE ".Printer"
#define PRINTER_PATH_PREFIX OBICO_OBJECT_PATH "/Printer/"

static gint
compare_printer_paths (gconstpointer a, gconstpointer b)
{
  const char *x = *(const char * const *) a + strlen (PRINTER_PATH_PREFIX);
  const char *y = *(const char * const *) b + strlen (PRINTER_PATH_PREFIX);
  guint64 nx = g_ascii_strtoull (x, NULL, 10);
  guint64 ny = g_ascii_strtoull (y, NULL, 10);

  return nx < ny ? -1 : nx > ny;
}

/* Every printer of the service, in the order --printer counts them: the
 * objects /io/obico/Connect1/Printer/N that its ObjectManager lists, by N.
 * A host with one printer (or a service without the ObjectManager) is the
 * root object, as it always was. */
static GPtrArray *
list_printers (Octl *octl)
{
  GPtrArray *paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariantIter) objects = NULL;
  const char *path;
  GVariant *interfaces;

  if (octl_connect (octl) == OCTL_EXIT_OK)
    reply = g_dbus_connection_call_sync (octl->bus, OBICO_BUS_NAME, OBICO_OBJECT_PATH,
                                         "org.freedesktop.DBus.ObjectManager", "GetManagedObjects",
                                         NULL, G_VARIANT_TYPE ("(a{oa{sa{sv}}})"),
                                         G_DBUS_CALL_FLAGS_NONE, CALL_TIMEOUT_MS, NULL, NULL);
  if (reply != NULL)
    {
      g_variant_get (reply, "(a{oa{sa{sv}}})", &objects);
      while (g_variant_iter_next (objects, "{&o@a{sa{sv}}}", &path, &interfaces))
        {
          g_autoptr(GVariant) owned = interfaces;
          g_autoptr(GVariant) printer = g_variant_lookup_value (owned, PRINTER_INTERFACE, NULL);

          if (g_str_has_prefix (path, PRINTER_PATH_PREFIX) && printer != NULL)
            g_ptr_array_add (paths, g_strdup (path));
        }
    }
  if (paths->len <= 1)
    {
      g_ptr_array_set_size (paths, 0);
      g_ptr_array_add (paths, g_strdup (OBICO_OBJECT_PATH));
    }
  g_ptr_array_sort (paths, compare_printer_paths);
  return paths;
}

OctlExit
octl_printer_paths (Octl       *octl,
                    GPtrArray **paths)
{
  g_autoptr(GPtrArray) all = list_printers (octl);
  char *chosen;

  if (octl->printer == 0)
    {
      *paths = g_steal_pointer (&all);
      return OCTL_EXIT_OK;
    }
  if (octl->printer > all->len)
    {
      g_printerr (g_dngettext (GETTEXT_PACKAGE,
                               "There is no printer %u: the service watches %u printer.\n",
                               "There is no printer %u: the service watches %u printers.\n",
                               all->len),
                  octl->printer, all->len);
      return OCTL_EXIT_USAGE;
    }

  chosen = g_strdup (g_ptr_array_index (all, octl->printer - 1));
  *paths = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (*paths, chosen);
  return OCTL_EXIT_OK;
}

OctlExit
octl_not_running (Octl *octl)
{
  g_printerr ("%s\n", _("The Obico Connect service is not running."));
  if (octl->bus_type == G_BUS_TYPE_SYSTEM)
    g_printerr (_("Start it with “sudo systemctl start obico-connectd”; its log: “journalctl -u obico-connectd”.\n"));
  return OCTL_EXIT_NOT_RUNNING;
}

OctlExit
octl_printer_proxy (Octl             *octl,
                    const char       *path,
                    GDBusProxyFlags   flags,
                    OcdConnect1     **proxy)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(OcdConnect1) made = NULL;
  g_autofree char *owner = NULL;
  OctlExit status;

  status = octl_connect (octl);
  if (status != OCTL_EXIT_OK)
    return status;

  /* A printer of several: the same members on its own interface. */
  if (g_str_has_prefix (path, PRINTER_PATH_PREFIX))
    made = g_initable_new (OCD_TYPE_CONNECT1_PROXY, NULL, &error, "g-flags", flags,
                           "g-name", OBICO_BUS_NAME, "g-connection", octl->bus,
                           "g-object-path", path, "g-interface-name", PRINTER_INTERFACE, NULL);
  else
    made = ocd_connect1_proxy_new_sync (octl->bus, flags, OBICO_BUS_NAME, path, NULL, &error);
  if (made == NULL)
    return octl_fail (error);

  /* D-Bus starts the service on first use (its activation file); a name
   * without an owner after that means it is not installed or failed. */
  owner = g_dbus_proxy_get_name_owner (G_DBUS_PROXY (made));
  if (owner == NULL)
    return octl_not_running (octl);

  g_dbus_proxy_set_default_timeout (G_DBUS_PROXY (made), CALL_TIMEOUT_MS);
  *proxy = g_steal_pointer (&made);
  return OCTL_EXIT_OK;
}

OctlExit
octl_one_printer (Octl             *octl,
                  GDBusProxyFlags   flags,
                  OcdConnect1     **proxy)
{
  g_autoptr(GPtrArray) paths = NULL;
  OctlExit status;

  status = octl_printer_paths (octl, &paths);
  if (status != OCTL_EXIT_OK)
    return status;
  if (paths->len > 1)
    {
      g_printerr (_("This host has %u printers: choose one with --printer N.\n"), paths->len);
      return OCTL_EXIT_USAGE;
    }
  return octl_printer_proxy (octl, g_ptr_array_index (paths, 0), flags, proxy);
}

/* The host's own members (GetRecentLog, SetDebugLogging) and printer 1's
 * credentials (Link, Unlink, SetServerUrl): the root object's only. */
OctlExit
octl_root (Octl             *octl,
           gboolean          first_printer,
           GDBusProxyFlags   flags,
           OcdConnect1     **proxy)
{
  if (octl->printer > 0)
    {
      g_autoptr(GPtrArray) paths = NULL;
      OctlExit status = octl_printer_paths (octl, &paths);

      if (status != OCTL_EXIT_OK)
        return status;
    }
  if (first_printer && octl->printer > 1)
    {
      g_printerr (_("Printer %u belongs to its official Obico agent: link it or change its server "
                    "there. Only printer 1 can be linked here.\n"), octl->printer);
      return OCTL_EXIT_USAGE;
    }
  return octl_printer_proxy (octl, OBICO_OBJECT_PATH, flags, proxy);
}

/* The methods that change something need io.obico.connect.configure. */
static gboolean
method_changes (const char *method)
{
  static const char *const changing[] = {
    "SetServerUrl", "Link", "Unlink", "SetDebugLogging", "ResetErrors", "TurnOffWifiPowerSave",
    "TurnOnNetworkTime", NULL
  };

  return g_strv_contains (changing, method);
}

/* A text authentication agent for this terminal, as systemctl starts one:
 * without it an administrator logged in over SSH, where no desktop agent
 * runs, could not answer polkit's question.  "--fallback" leaves a desktop's
 * own agent in charge where there is one.  Returns the agent's pid, or 0. */
static GPid
polkit_agent_open (Octl *octl)
{
  g_autofree char *agent = NULL;
  g_autoptr(GError) error = NULL;
  int notify[2];
  int source_fds[1];
  int target_fds[1] = { 3 };
  const char *argv[] = { NULL, "--notify-fd", "3", "--fallback", NULL };
  GPid pid = 0;
  struct pollfd wait_for = { 0 };

  if (octl->bus_type != G_BUS_TYPE_SYSTEM || geteuid () == 0 ||
      !isatty (STDIN_FILENO) || !isatty (STDERR_FILENO))
    return 0;
  agent = g_find_program_in_path ("pkttyagent");
  if (agent == NULL)
    return 0;
  if (!g_unix_open_pipe (notify, FD_CLOEXEC, NULL))
    return 0;

  argv[0] = agent;
  source_fds[0] = notify[1];
  if (!g_spawn_async_with_pipes_and_fds (NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                         NULL, NULL, -1, -1, -1,
                                         source_fds, target_fds, 1,
                                         &pid, NULL, NULL, NULL, &error))
    {
      g_debug ("No polkit agent: %s", error->message);
      close (notify[0]);
      close (notify[1]);
      return 0;
    }
  close (notify[1]);

  /* The agent closes its end once it is registered. */
  wait_for.fd = notify[0];
  wait_for.events = POLLIN;
  while (poll (&wait_for, 1, AGENT_READY_TIMEOUT_MS) < 0 && errno == EINTR)
    ;
  close (notify[0]);
  return pid;
}

static void
polkit_agent_close (GPid pid)
{
  if (pid == 0)
    return;
  kill (pid, SIGTERM);
  while (waitpid (pid, NULL, 0) < 0 && errno == EINTR)
    ;
}

OctlExit
octl_call (Octl         *octl,
           OcdConnect1  *proxy,
           const char   *method,
           GVariant     *parameters,
           GVariant    **reply)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) result = NULL;
  GDBusCallFlags flags = G_DBUS_CALL_FLAGS_NONE;
  gboolean slow = g_str_equal (method, "Test") || g_str_equal (method, "Diagnose") ||
                  g_str_equal (method, "Link");
  GPid agent = 0;

  /* as in the app: polkit may ask for a password instead of refusing */
  if (method_changes (method))
    {
      flags |= G_DBUS_CALL_FLAGS_ALLOW_INTERACTIVE_AUTHORIZATION;
      agent = polkit_agent_open (octl);
    }

  result = g_dbus_proxy_call_sync (G_DBUS_PROXY (proxy), method, parameters, flags,
                                   slow ? LONG_CALL_TIMEOUT_MS : -1, NULL, &error);
  polkit_agent_close (agent);
  if (result == NULL)
    return octl_fail (error);

  if (reply != NULL)
    *reply = g_steal_pointer (&result);
  return OCTL_EXIT_OK;
}

/* Says what went wrong, in the daemon's own sentence where there is one, and
 * returns the exit status a script branches on. */
OctlExit
octl_fail (const GError *error)
{
  g_autofree char *sentence = obico_error_sentence (error);

  g_printerr ("%s\n", sentence);
  if (obico_error_service_gone (error))
    return OCTL_EXIT_NOT_RUNNING;

  if (error->domain == OBICO_ERROR)
    switch ((ObicoError) error->code)
      {
      case OBICO_ERROR_INVALID_ARGUMENT:
        return OCTL_EXIT_USAGE;
      case OBICO_ERROR_NOT_LINKED:
        return OCTL_EXIT_NOT_LINKED;
      case OBICO_ERROR_NOT_AUTHORIZED:
        return OCTL_EXIT_NOT_AUTHORIZED;
      case OBICO_ERROR_SERVER_UNREACHABLE:
        return OCTL_EXIT_FAILED_TO_CONTACT;
      case OBICO_ERROR_CODE_REJECTED:
      case OBICO_ERROR_READ_ONLY_CREDENTIALS:
      case OBICO_ERROR_BUSY:
      case OBICO_ERROR_STORAGE_FAILED:
      default:
        return OCTL_EXIT_FAILED;
      }

  if (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_ACCESS_DENIED) ||
      g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_AUTH_FAILED))
    return OCTL_EXIT_NOT_AUTHORIZED;

  return OCTL_EXIT_FAILED;
}
