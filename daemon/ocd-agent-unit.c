/* ocd-agent-unit.c — the official agent's service as systemd tells it, or
 * its process where systemd cannot.
 *
 * On the bus the daemon runs on (the system bus; the session bus with
 * --session, where tests put python-dbusmock's systemd template) it follows
 * org.freedesktop.systemd1: when the name appears, it asks for the units an
 * agent's installer makes (ocd_agent_unit_candidates()), reads the first
 * loaded one's ActiveState and SubState and follows its PropertiesChanged,
 * so a stop is seen as systemd tells it.  Subscribe() is called as systemd
 * wants of a client that follows its signals.  When systemd knows none of
 * the names, a process of the agent found in /proc names its unit through
 * GetUnitByPID.  Without systemd, or with no unit of the agent, whether it
 * runs is whether its process is there: /proc is scanned at most once per
 * scan interval (the heartbeat), and when the caller says its connection
 * went away.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#define G_LOG_DOMAIN "ocd-agent-unit"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ocd-agent-unit.h"
#include "ocd-agent-version.h"

#define SYSTEMD_NAME "org.freedesktop.systemd1"
#define SYSTEMD_PATH "/org/freedesktop/systemd1"
#define SYSTEMD_MANAGER "org.freedesktop.systemd1.Manager"
#define SYSTEMD_UNIT "org.freedesktop.systemd1.Unit"
#define CALL_TIMEOUT_MS 5000
#define CMDLINE_MAX 4096

struct _OcdAgentUnit {
  OcdAgentKind kind;
  char *settings;
  gint64 uid;
  double scan_seconds;
  OcdAgentUnitFunc func;
  gpointer data;
  GStrv candidates;

  GCancellable *cancellable;
  GDBusConnection *bus;
  guint watch_id;
  gboolean systemd;           /* the name has an owner */
  guint next_candidate;
  char *unit;                 /* NULL: none known */
  char *unit_path;
  char *active_state;         /* NULL: no systemd; "absent": no unit */
  char *sub_state;
  guint changed_id;

  gboolean process_known;     /* /proc was looked at */
  int pid;                    /* the agent's process found there, 0: none */
  gint64 scanned_at;          /* monotonic µs */
  guint scan_id;
  gboolean asked_by_pid;

  char *version;              /* as the installed files tell it, NULL: they do not */
  gint64 version_read_at;     /* monotonic µs, 0: never */
};

static void find_next_candidate (OcdAgentUnit *self);

/* ---- pure ------------------------------------------------------------------ */

GStrv
ocd_agent_unit_candidates (OcdAgentKind kind, const char *settings, const char *service)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *base = g_path_get_basename (settings);
  g_autofree char *dir = g_path_get_dirname (settings);
  g_autofree char *parent = g_path_get_dirname (dir);
  g_autofree char *parent_base = g_path_get_basename (parent);
  g_autofree char *dir_base = g_path_get_basename (dir);

  if (service != NULL && *service != '\0')
    g_ptr_array_add (seen, g_strdup (service));
  if (kind == OCD_AGENT_MOONRAKER)
    {
      /* moonraker-obico-NAME.cfg, or KIAUH's ~/NAME_data and ~/printer_N_data */
      if (g_str_has_prefix (base, "moonraker-obico-") && g_str_has_suffix (base, ".cfg") &&
          strlen (base) > strlen ("moonraker-obico-.cfg"))
        g_ptr_array_add (seen, g_strdup_printf ("moonraker-obico-%.*s.service",
                                                (int) (strlen (base) - strlen ("moonraker-obico-.cfg")),
                                                base + strlen ("moonraker-obico-")));
      if (g_str_has_suffix (parent_base, "_data") && strcmp (parent_base, "printer_data") != 0)
        {
          g_autofree char *name = g_strndup (parent_base, strlen (parent_base) - strlen ("_data"));
          const char *instance = g_str_has_prefix (name, "printer_") ? name + strlen ("printer_") : name;

          if (*instance != '\0')
            g_ptr_array_add (seen, g_strdup_printf ("moonraker-obico-%s.service", instance));
        }
      g_ptr_array_add (seen, g_strdup ("moonraker-obico.service"));
    }
  else
    {
      /* octoprint_deploy names a base folder ~/.NAME and its unit NAME.service */
      if (dir_base[0] == '.' && dir_base[1] != '\0' && strcmp (dir_base, ".octoprint") != 0 &&
          strchr (dir_base + 1, '/') == NULL)
        g_ptr_array_add (seen, g_strdup_printf ("%s.service", dir_base + 1));
      g_ptr_array_add (seen, g_strdup ("octoprint.service"));
    }
  for (guint i = 0; i < seen->len; i++)
    {
      gboolean dup = FALSE;

      for (guint j = 0; j < i; j++)
        dup = dup || strcmp (seen->pdata[i], seen->pdata[j]) == 0;
      if (!dup)
        g_strv_builder_add (builder, seen->pdata[i]);
    }
  return g_strv_builder_end (builder);
}

static const char *
option_value (const char * const *argv, const char *long_name, const char *short_name)
{
  gsize len = strlen (long_name);

  for (guint i = 0; argv[i] != NULL; i++)
    {
      if ((strcmp (argv[i], long_name) == 0 || g_strcmp0 (argv[i], short_name) == 0) && argv[i + 1] != NULL)
        return argv[i + 1];
      if (strncmp (argv[i], long_name, len) == 0 && argv[i][len] == '=')
        return argv[i] + len + 1;
    }
  return NULL;
}

static gboolean
same_path (const char *a, const char *b)
{
  g_autofree char *ra = NULL;
  g_autofree char *rb = NULL;

  if (g_strcmp0 (a, b) == 0)
    return TRUE;
  ra = realpath (a, NULL);
  rb = realpath (b, NULL);
  return ra != NULL && rb != NULL && strcmp (ra, rb) == 0;
}

gboolean
ocd_agent_unit_argv_matches (OcdAgentKind kind, const char *settings, const char * const *argv)
{
  gboolean is_agent = FALSE;

  for (guint i = 0; argv[i] != NULL; i++)
    {
      g_autofree char *base = g_path_get_basename (argv[i]);

      if (kind == OCD_AGENT_MOONRAKER)
        is_agent = is_agent || strcmp (argv[i], "moonraker_obico.app") == 0 ||
                   g_str_has_suffix (argv[i], "moonraker_obico/app.py");
      else
        is_agent = is_agent || strcmp (base, "octoprint") == 0 ||
                   (strcmp (argv[i], "-m") == 0 && g_strcmp0 (argv[i + 1], "octoprint") == 0);
    }
  if (!is_agent)
    return FALSE;
  if (kind == OCD_AGENT_MOONRAKER)
    {
      const char *config = option_value (argv, "--config", "-c");

      return config == NULL || same_path (config, settings);
    }
  else
    {
      const char *basedir = option_value (argv, "--basedir", NULL);
      g_autofree char *dir = g_path_get_dirname (settings);
      g_autofree char *dir_base = g_path_get_basename (dir);

      return basedir != NULL ? same_path (basedir, dir) : strcmp (dir_base, ".octoprint") == 0;
    }
}

gboolean
ocd_agent_unit_state_runs (const char *active_state, const char *sub_state)
{
  if (g_strcmp0 (active_state, "active") == 0 || g_strcmp0 (active_state, "reloading") == 0)
    return TRUE;
  /* starting, but not the wait before a restart after a failure */
  return g_strcmp0 (active_state, "activating") == 0 && g_strcmp0 (sub_state, "auto-restart") != 0;
}

/* ---- the process ------------------------------------------------------------ */

static int
find_process (OcdAgentUnit *self)
{
  g_autoptr(GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *name;

  if (proc == NULL)
    return 0;
  while ((name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *dir = NULL;
      g_autofree char *path = NULL;
      g_autofree char *cmdline = NULL;
      g_autoptr(GPtrArray) argv = NULL;
      struct stat st;
      gsize length = 0;
      char *end;
      long pid = strtol (name, &end, 10);

      if (*end != '\0' || pid <= 0 || pid == (long) getpid ())
        continue;
      dir = g_build_filename ("/proc", name, NULL);
      if (stat (dir, &st) < 0 || (self->uid >= 0 && (gint64) st.st_uid != self->uid))
        continue;
      path = g_build_filename (dir, "cmdline", NULL);
      cmdline = ocd_agent_read_file (path, CMDLINE_MAX, &length);
      if (cmdline == NULL || length == 0)
        continue;
      argv = g_ptr_array_new ();
      for (gsize i = 0; i < length; i += strlen (cmdline + i) + 1)
        g_ptr_array_add (argv, cmdline + i);
      g_ptr_array_add (argv, NULL);
      if (ocd_agent_unit_argv_matches (self->kind, self->settings, (const char * const *) argv->pdata))
        return (int) pid;
    }
  return 0;
}

static void ask_unit_by_pid (OcdAgentUnit *self);

static void
scan (OcdAgentUnit *self)
{
  int pid = find_process (self);
  gboolean changed = !self->process_known || pid != self->pid;

  self->scanned_at = g_get_monotonic_time ();
  self->process_known = TRUE;
  self->pid = pid;
  if (changed)
    {
      g_debug ("The %s agent's process: %d", ocd_agent_kind_name (self->kind), pid);
      self->asked_by_pid = FALSE;
      self->func (self, self->data);
    }
  if (pid != 0 && self->systemd && self->unit == NULL)
    ask_unit_by_pid (self);
}

static gboolean
on_scan_due (gpointer data)
{
  OcdAgentUnit *self = data;

  /* with a unit, systemd tells; without, the unit may have been installed
   * since (asked again), and the process is looked for */
  if (self->unit != NULL)
    return G_SOURCE_CONTINUE;
  if (self->systemd)
    {
      self->next_candidate = 0;
      find_next_candidate (self);
    }
  else
    scan (self);
  return G_SOURCE_CONTINUE;
}

void
ocd_agent_unit_rescan (OcdAgentUnit *self)
{
  if (self->unit != NULL)
    return;
  if (g_get_monotonic_time () - self->scanned_at < (gint64) (self->scan_seconds * G_USEC_PER_SEC))
    return;
  scan (self);
}

/* ---- systemd ------------------------------------------------------------------ */

static void
set_states (OcdAgentUnit *self, const char *active, const char *sub)
{
  gboolean changed = g_strcmp0 (self->active_state, active) != 0 || g_strcmp0 (self->sub_state, sub) != 0;

  if (!changed)
    return;
  g_free (self->active_state);
  self->active_state = g_strdup (active);
  g_free (self->sub_state);
  self->sub_state = g_strdup (sub);
  g_message ("The %s agent's unit %s: %s%s%s", ocd_agent_kind_name (self->kind),
             self->unit != NULL ? self->unit : "(none)", active != NULL ? active : "(no systemd)",
             sub != NULL ? "/" : "", sub != NULL ? sub : "");
  self->func (self, self->data);
}

static void
forget_unit (OcdAgentUnit *self)
{
  if (self->changed_id != 0 && self->bus != NULL)
    g_dbus_connection_signal_unsubscribe (self->bus, self->changed_id);
  self->changed_id = 0;
  g_clear_pointer (&self->unit, g_free);
  g_clear_pointer (&self->unit_path, g_free);
}

static void
take_unit_properties (OcdAgentUnit *self, GVariant *dict)
{
  const char *active = NULL;
  const char *sub = NULL;

  if (!g_variant_lookup (dict, "ActiveState", "&s", &active))
    active = self->active_state;
  if (!g_variant_lookup (dict, "SubState", "&s", &sub))
    sub = self->sub_state;
  {
    g_autofree char *a = g_strdup (active);
    g_autofree char *s = g_strdup (sub);

    set_states (self, a, s);
  }
}

static void
on_unit_changed (GDBusConnection *bus,
                 const char      *sender,
                 const char      *path,
                 const char      *interface,
                 const char      *signal,
                 GVariant        *params,
                 gpointer         data)
{
  OcdAgentUnit *self = data;
  const char *iface;
  g_autoptr(GVariant) changed = NULL;

  if (!g_variant_is_of_type (params, G_VARIANT_TYPE ("(sa{sv}as)")))
    return;
  g_variant_get (params, "(&s@a{sv}@as)", &iface, &changed, NULL);
  if (strcmp (iface, SYSTEMD_UNIT) == 0)
    take_unit_properties (self, changed);
}

static void
on_unit_properties (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  g_autoptr(GVariant) dict = NULL;
  OcdAgentUnit *self;
  const char *load = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = data;
  if (reply == NULL)
    {
      g_debug ("%s's properties: %s", self->unit, error->message);
      forget_unit (self);
      find_next_candidate (self);
      return;
    }
  g_variant_get (reply, "(@a{sv})", &dict);
  if (g_variant_lookup (dict, "LoadState", "&s", &load) && strcmp (load, "not-found") == 0)
    {
      forget_unit (self);
      find_next_candidate (self);
      return;
    }
  {
    const char *id = NULL;

    if (g_variant_lookup (dict, "Id", "&s", &id) && g_strcmp0 (id, self->unit) != 0)
      {
        g_free (self->unit);
        self->unit = g_strdup (id);
      }
  }
  /* a new unit: its states are new even if they read the same */
  g_clear_pointer (&self->active_state, g_free);
  take_unit_properties (self, dict);
  if (self->active_state == NULL)
    set_states (self, "unknown", NULL);
  g_clear_handle_id (&self->scan_id, g_source_remove);
}

static void
follow_unit (OcdAgentUnit *self, const char *name, const char *path)
{
  forget_unit (self);
  self->unit = g_strdup (name);
  self->unit_path = g_strdup (path);
  self->changed_id = g_dbus_connection_signal_subscribe (self->bus, SYSTEMD_NAME,
                                                         "org.freedesktop.DBus.Properties",
                                                         "PropertiesChanged", path, NULL,
                                                         G_DBUS_SIGNAL_FLAGS_NONE, on_unit_changed,
                                                         self, NULL);
  g_dbus_connection_call (self->bus, SYSTEMD_NAME, path, "org.freedesktop.DBus.Properties", "GetAll",
                          g_variant_new ("(s)", SYSTEMD_UNIT), G_VARIANT_TYPE ("(a{sv})"),
                          G_DBUS_CALL_FLAGS_NONE, CALL_TIMEOUT_MS, self->cancellable,
                          on_unit_properties, self);
}

/* The unit's object path a GetUnit or GetUnitByPID call answered; NULL
 * with @error set when it did not (cancelled: @data is gone). */
static char *
unit_path_finish (GObject *source, GAsyncResult *result, GError **error)
{
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, error);
  char *path = NULL;

  if (reply != NULL)
    g_variant_get (reply, "(o)", &path);
  return path;
}

static void
on_unit_by_pid (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = unit_path_finish (source, result, &error);
  OcdAgentUnit *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = data;
  if (path == NULL)
    g_debug ("No unit of process %d: %s", self->pid, error->message);
  else
    follow_unit (self, NULL, path);  /* the name comes with its properties (Id) */
}

static void
ask_unit_by_pid (OcdAgentUnit *self)
{
  if (self->asked_by_pid)
    return;
  self->asked_by_pid = TRUE;
  g_dbus_connection_call (self->bus, SYSTEMD_NAME, SYSTEMD_PATH, SYSTEMD_MANAGER, "GetUnitByPID",
                          g_variant_new ("(u)", (guint32) self->pid), G_VARIANT_TYPE ("(o)"),
                          G_DBUS_CALL_FLAGS_NONE, CALL_TIMEOUT_MS, self->cancellable,
                          on_unit_by_pid, self);
}

static void
on_unit_found (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = unit_path_finish (source, result, &error);
  OcdAgentUnit *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = data;
  if (path != NULL)
    follow_unit (self, self->candidates[self->next_candidate - 1], path);
  else
    {
      g_debug ("%s: %s", self->candidates[self->next_candidate - 1], error->message);
      find_next_candidate (self);
    }
}

/* GetUnit of each candidate in turn; none: "absent", and the process decides. */
static void
find_next_candidate (OcdAgentUnit *self)
{
  if (!self->systemd)
    return;
  if (self->candidates[self->next_candidate] == NULL)
    {
      forget_unit (self);
      set_states (self, "absent", NULL);
      scan (self);
      if (self->scan_id == 0)
        self->scan_id = g_timeout_add_seconds ((guint) MAX (self->scan_seconds, 1), on_scan_due, self);
      return;
    }
  g_dbus_connection_call (self->bus, SYSTEMD_NAME, SYSTEMD_PATH, SYSTEMD_MANAGER, "GetUnit",
                          g_variant_new ("(s)", self->candidates[self->next_candidate++]),
                          G_VARIANT_TYPE ("(o)"), G_DBUS_CALL_FLAGS_NONE, CALL_TIMEOUT_MS,
                          self->cancellable, on_unit_found, self);
}

static void
on_systemd_appeared (GDBusConnection *bus, const char *name, const char *owner, gpointer data)
{
  OcdAgentUnit *self = data;

  self->systemd = TRUE;
  self->next_candidate = 0;
  self->asked_by_pid = FALSE;
  /* systemd sends its units' signals only once a client subscribed */
  g_dbus_connection_call (bus, SYSTEMD_NAME, SYSTEMD_PATH, SYSTEMD_MANAGER, "Subscribe", NULL, NULL,
                          G_DBUS_CALL_FLAGS_NONE, CALL_TIMEOUT_MS, NULL, NULL, NULL);
  find_next_candidate (self);
}

static void
on_systemd_vanished (GDBusConnection *bus, const char *name, gpointer data)
{
  OcdAgentUnit *self = data;

  self->systemd = FALSE;
  forget_unit (self);
  set_states (self, NULL, NULL);
  scan (self);
  if (self->scan_id == 0)
    self->scan_id = g_timeout_add_seconds ((guint) MAX (self->scan_seconds, 1), on_scan_due, self);
}

static void
on_bus (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GError) error = NULL;
  GDBusConnection *bus = g_bus_get_finish (result, &error);
  OcdAgentUnit *self;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = data;
  if (bus == NULL)
    {
      g_debug ("No bus for systemd: %s", error->message);
      on_systemd_vanished (NULL, SYSTEMD_NAME, self);
      return;
    }
  self->bus = bus;
  self->watch_id = g_bus_watch_name_on_connection (bus, SYSTEMD_NAME, G_BUS_NAME_WATCHER_FLAGS_NONE,
                                                   on_systemd_appeared, on_systemd_vanished, self, NULL);
}

/* ---- restart ------------------------------------------------------------------ */

static void
on_restarted (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GTask) task = data;
  GError *error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);

  if (reply == NULL)
    {
      g_dbus_error_strip_remote_error (error);
      g_task_return_error (task, error);
    }
  else
    g_task_return_boolean (task, TRUE);
}

void
ocd_agent_unit_restart_async (OcdAgentUnit        *self,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, callback, user_data);

  if (self == NULL || self->unit == NULL || self->bus == NULL || !self->systemd)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "no unit");
      return;
    }
  g_message ("Restarting %s", self->unit);
  g_dbus_connection_call (self->bus, SYSTEMD_NAME, SYSTEMD_PATH, SYSTEMD_MANAGER, "RestartUnit",
                          g_variant_new ("(ss)", self->unit, "replace"), G_VARIANT_TYPE ("(o)"),
                          G_DBUS_CALL_FLAGS_NONE, CALL_TIMEOUT_MS * 6, NULL, on_restarted,
                          g_steal_pointer (&task));
}

gboolean
ocd_agent_unit_restart_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- object --------------------------------------------------------------------- */

const char *
ocd_agent_unit_get_unit (OcdAgentUnit *self)
{
  return self->unit;
}

const char *
ocd_agent_unit_get_active_state (OcdAgentUnit *self)
{
  return self->active_state;
}

/* Read again at most once per scan interval: an update changes the files. */
const char *
ocd_agent_unit_get_version (OcdAgentUnit *self)
{
  gint64 now = g_get_monotonic_time ();

  if (self->version_read_at == 0 || now - self->version_read_at >= (gint64) (self->scan_seconds * G_USEC_PER_SEC))
    {
      g_free (self->version);
      self->version = ocd_agent_version_read (self->kind, self->settings);
      self->version_read_at = now;
    }
  return self->version;
}

gboolean
ocd_agent_unit_is_running (OcdAgentUnit *self, gboolean *known)
{
  if (self->unit != NULL && self->active_state != NULL)
    {
      *known = TRUE;
      return ocd_agent_unit_state_runs (self->active_state, self->sub_state);
    }
  *known = self->process_known;
  return self->pid != 0;
}

OcdAgentUnit *
ocd_agent_unit_new (GBusType          bus_type,
                    OcdAgentKind      kind,
                    const char       *settings,
                    const char       *service,
                    gint64            uid,
                    double            scan_seconds,
                    OcdAgentUnitFunc  func,
                    gpointer          data)
{
  OcdAgentUnit *self = g_new0 (OcdAgentUnit, 1);

  self->kind = kind;
  self->settings = g_strdup (settings);
  self->uid = uid;
  self->scan_seconds = scan_seconds > 0 ? scan_seconds : 30;
  self->func = func;
  self->data = data;
  self->candidates = ocd_agent_unit_candidates (kind, settings, service);
  self->cancellable = g_cancellable_new ();
  g_bus_get (bus_type, self->cancellable, on_bus, self);
  return self;
}

void
ocd_agent_unit_free (OcdAgentUnit *self)
{
  if (self == NULL)
    return;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  forget_unit (self);
  if (self->watch_id != 0)
    g_bus_unwatch_name (self->watch_id);
  g_clear_handle_id (&self->scan_id, g_source_remove);
  g_clear_object (&self->bus);
  g_strfreev (self->candidates);
  g_free (self->settings);
  g_free (self->active_state);
  g_free (self->sub_state);
  g_free (self->version);
  g_free (self);
}
