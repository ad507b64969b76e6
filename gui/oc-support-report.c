/* oc-support-report.c — one text file to attach to a request for help
 *
 * Versions, the daemon's properties, its configuration (as the daemon reports
 * it in GetReport, secrets left out: the app cannot know which file a daemon
 * started with --config reads), the host's context (Host and a summary of
 * its history), the last TEST and Diagnose, the connectivity
 * report, the recent log and the official agent's own recent log. The report is useful when the service is down
 * too, so every part that needs it is optional.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <math.h>

#include "obico-report.h"
#include "oc-support-report.h"

#define LOG_LINES 200
/* the newest of host_history's entries (at most one a minute): six hours */
#define HISTORY_LINES 360

/* "key: value" lines of @dict, but for the keys in @skip_keys */
static void
append_dict (GString            *out,
             GVariant           *dict,
             const char * const *skip_keys)
{
  GVariantIter iter;
  const char *key;
  GVariant *value;

  g_variant_iter_init (&iter, dict);
  while (g_variant_iter_loop (&iter, "{&sv}", &key, &value))
    {
      g_autofree char *text = NULL;

      if (skip_keys != NULL && g_strv_contains (skip_keys, key))
        continue;
      text = g_variant_print (value, FALSE);
      g_string_append_printf (out, "%s: %s\n", key, text);
    }
}

static int
compare_keys (gconstpointer a,
              gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* GetReport's "configuration": "key = value" lines in the order of the keys,
 * whatever keys a version of the daemon reports; a string as it is, anything
 * else as GVariant text. */
static void
append_configuration (GString  *out,
                      GVariant *report)
{
  g_autoptr(GVariant) configuration = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  GVariantIter iter;
  const char *key;

  g_string_append (out, "\n== Configuration ==\n");
  if (report == NULL)
    {
      g_string_append (out, "not available\n");
      return;
    }
  configuration = g_variant_lookup_value (report, "configuration", G_VARIANT_TYPE_VARDICT);
  if (configuration == NULL)
    {
      g_string_append (out, "not reported by this version of the service\n");
      return;
    }

  keys = g_ptr_array_new ();
  g_variant_iter_init (&iter, configuration);
  while (g_variant_iter_next (&iter, "{&sv}", &key, NULL))
    g_ptr_array_add (keys, (gpointer) key);
  g_ptr_array_sort (keys, compare_keys);

  for (guint i = 0; i < keys->len; i++)
    {
      g_autoptr(GVariant) value = g_variant_lookup_value (configuration, keys->pdata[i], NULL);
      g_autofree char *text = NULL;

      if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
        text = g_strdup (g_variant_get_string (value, NULL));
      else
        text = g_variant_print (value, FALSE);
      g_string_append_printf (out, "%s = %s\n", (const char *) keys->pdata[i], text);
    }
}

static void
append_service (GString  *out,
                OcDoctor *doctor)
{
  OcdConnect1 *proxy = oc_client_get_proxy (oc_doctor_get_client (doctor));
  g_auto(GStrv) names = NULL;

  g_string_append (out, "\n== Service ==\n");
  if (proxy == NULL || (names = g_dbus_proxy_get_cached_property_names (G_DBUS_PROXY (proxy))) == NULL)
    {
      g_string_append (out, "not running\n");
      return;
    }

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autoptr(GVariant) value = g_dbus_proxy_get_cached_property (G_DBUS_PROXY (proxy), names[i]);
      g_autofree char *text = g_variant_print (value, FALSE);

      g_string_append_printf (out, "%s: %s\n", names[i], text);
    }
}

static void
append_results (GString  *out,
                OcDoctor *doctor)
{
  GVariant *steps = oc_doctor_get_diagnosis_steps (doctor);
  const OcFix *next_fix = oc_doctor_get_next_fix (doctor);
  ObicoTestResult result;

  g_string_append (out, "\n== Last TEST ==\n");
  if (!oc_doctor_get_test_result (doctor, &result))
    {
      g_string_append (out, "not run\n");
    }
  else
    {
      const char *nick = obico_test_result_to_string (result);

      g_string_append_printf (out, "result: %s\ndetail: %s\n",
                              nick != NULL ? nick : "unknown", oc_doctor_get_test_detail (doctor));
      append_dict (out, oc_doctor_get_test_facts (doctor), NULL);
    }
  g_string_append_printf (out, "next fix: %s\n", next_fix != NULL ? oc_fix_id (next_fix) : "none");

  g_string_append (out, "\n== Last Diagnose ==\n");
  if (steps == NULL)
    {
      g_string_append (out, "not run\n");
      return;
    }

  g_string_append_printf (out, "problem: %s\n", obico_problem_to_string (oc_doctor_get_diagnosis_problem (doctor)));
  for (gsize i = 0; i < g_variant_n_children (steps); i++)
    {
      g_autoptr(GVariant) step = g_variant_get_child_value (steps, i);
      const char *name = "?", *detail = "";
      gboolean ok = FALSE;
      double elapsed_ms = 0;

      g_variant_lookup (step, "name", "&s", &name);
      g_variant_lookup (step, "ok", "b", &ok);
      g_variant_lookup (step, "elapsed_ms", "d", &elapsed_ms);
      g_variant_lookup (step, "detail", "&s", &detail);
      g_string_append_printf (out, "[%s] %s (%.0f ms): %s\n", ok ? "ok" : "FAILED", name, elapsed_ms, detail);
    }
}

/* @dict's keys but "t", sorted, as "key: value" lines or (@one_line) as
 * "key=value" words */
static void
append_sorted (GString  *out,
               GVariant *dict,
               gboolean  one_line)
{
  g_autoptr(GPtrArray) keys = g_ptr_array_new ();
  GVariantIter iter;
  const char *key;

  g_variant_iter_init (&iter, dict);
  while (g_variant_iter_next (&iter, "{&sv}", &key, NULL))
    if (!g_str_equal (key, "t"))
      g_ptr_array_add (keys, (gpointer) key);
  g_ptr_array_sort (keys, compare_keys);
  for (guint i = 0; i < keys->len; i++)
    {
      g_autoptr(GVariant) value = g_variant_lookup_value (dict, keys->pdata[i], NULL);
      g_autofree char *text = g_variant_is_of_type (value, G_VARIANT_TYPE_DOUBLE)
                              ? g_strdup_printf ("%g", g_variant_get_double (value))
                              : g_variant_print (value, FALSE);

      g_string_append_printf (out, one_line ? "%s%s=%s" : "%s%s: %s\n", one_line && i > 0 ? " " : "",
                              (const char *) keys->pdata[i], text);
    }
  if (one_line)
    g_string_append_c (out, '\n');
}

static char *
format_utc (gint64 usec)
{
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);

  return when != NULL ? g_date_time_format (when, "%Y-%m-%d %H:%M:%S UTC") : g_strdup ("?");
}

static char *
now_or_unknown (double value, int decimals, const char *unit)
{
  return isnan (value) ? g_strdup ("not told") : g_strdup_printf ("%.*f %s", decimals, value, unit);
}

/* The host's context: the Host property (the daemon's, or GetReport's host
 * when the service is down now), then what host_history says in a few
 * numbers, then its newest entries.  The daemon leaves a proxy's password
 * out of Host; no credential is in either. */
static void
append_host (GString  *out,
             OcDoctor *doctor,
             GVariant *report)
{
  OcdConnect1 *proxy = oc_client_get_proxy (oc_doctor_get_client (doctor));
  g_autoptr(GVariant) host = NULL;
  g_autoptr(GVariant) history = NULL;
  ObicoHostSummary summary;
  gsize n, first;

  g_string_append (out, "\n== Host ==\n");
  if (proxy != NULL)
    host = g_dbus_proxy_get_cached_property (G_DBUS_PROXY (proxy), "Host");
  if (host == NULL && report != NULL)
    host = g_variant_lookup_value (report, "host", G_VARIANT_TYPE_VARDICT);
  if (host == NULL)
    g_string_append (out, "not reported by this version of the service\n");
  else if (g_variant_n_children (host) == 0)
    g_string_append (out, "nothing this host can tell (no NetworkManager, Raspberry Pi firmware or timedated)\n");
  else
    append_sorted (out, host, FALSE);

  history = report != NULL ? g_variant_lookup_value (report, "host_history", G_VARIANT_TYPE ("aa{sv}")) : NULL;
  if (history == NULL)
    return;
  obico_report_summarize_host (history, &summary);
  if (summary.entries == 0)
    {
      g_string_append (out, "history: none\n");
      return;
    }
  {
    g_autofree char *since = format_utc (summary.since);

    g_string_append_printf (out, "history: %u changes since %s\n", summary.entries, since);
  }
  if (summary.signal_known)
    {
      g_autofree char *now = now_or_unknown (summary.signal_now, 0, "%");

      g_string_append_printf (out, "history wifi signal: lowest %.0f %%, now %s\n", summary.signal_min, now);
    }
  if (summary.rtt_known)
    {
      g_autofree char *now = now_or_unknown (summary.rtt_now, 0, "ms");

      g_string_append_printf (out, "history round-trip time: highest %.0f ms, now %s\n", summary.rtt_max, now);
    }
  if (summary.retransmits_known)
    {
      g_autofree char *now = now_or_unknown (summary.retransmits_now * 100, 1, "%");

      g_string_append_printf (out, "history retransmissions: highest %.1f %%, now %s\n",
                              summary.retransmits_max * 100, now);
    }
  g_string_append_printf (out, "history under-voltage: %u times\n", summary.under_voltage);
  g_string_append_printf (out, "history wifi roams: %u\n", summary.roams);
  g_string_append_printf (out, "history clock not synchronized: %u times\n", summary.clock_unsynchronized);

  n = g_variant_n_children (history);
  first = n > HISTORY_LINES ? n - HISTORY_LINES : 0;
  if (first > 0)
    g_string_append_printf (out, "(%" G_GSIZE_FORMAT " older history entries left out)\n", first);
  for (gsize i = first; i < n; i++)
    {
      g_autoptr(GVariant) entry = g_variant_get_child_value (history, i);
      gint64 t = 0;
      g_autofree char *when = NULL;

      g_variant_lookup (entry, "t", "x", &t);
      when = format_utc (t);
      g_string_append_printf (out, "history %s: ", when);
      append_sorted (out, entry, TRUE);
    }
}

/* The report is for the people helping, in English whatever the app's language. */
char *
oc_support_report_build (OcDoctor           *doctor,
                         GVariant           *report,
                         const char * const *log_lines)
{
  /* shown in sections of their own */
  static const char * const own_sections[] = {
    "configuration", "events", "agent_log", "host", "host_history", NULL
  };
  GString *out = g_string_new ("Obico Connect support report\n");
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *created = g_date_time_format_iso8601 (now);
  g_autofree char *os = g_get_os_info (G_OS_INFO_KEY_PRETTY_NAME);
  g_autoptr(GVariant) events = NULL;
  g_autoptr(GVariant) agent_log = NULL;

  g_string_append_printf (out, "created: %s\n", created);
  g_string_append_printf (out, "app: obico-connect %s (GLib %u.%u.%u, GTK %u.%u.%u, libadwaita %u.%u.%u)\n",
                          PACKAGE_VERSION,
                          glib_major_version, glib_minor_version, glib_micro_version,
                          gtk_get_major_version (), gtk_get_minor_version (), gtk_get_micro_version (),
                          adw_get_major_version (), adw_get_minor_version (), adw_get_micro_version ());
  g_string_append_printf (out, "os: %s\n", os != NULL ? os : "unknown");

  append_service (out, doctor);

  append_configuration (out, report);
  append_results (out, doctor);
  append_host (out, doctor, report);

  g_string_append (out, "\n== Connectivity report ==\n");
  if (report != NULL)
    {
      append_dict (out, report, own_sections);
      events = g_variant_lookup_value (report, "events", G_VARIANT_TYPE ("aa{sv}"));
      if (events != NULL)
        {
          for (gsize i = 0; i < g_variant_n_children (events); i++)
            {
              g_autoptr(GVariant) event = g_variant_get_child_value (events, i);
              g_autofree char *text = g_variant_print (event, FALSE);

              g_string_append_printf (out, "event: %s\n", text);
            }
        }
    }
  else
    {
      g_string_append (out, "not available\n");
    }

  g_string_append (out, "\n== Recent log ==\n");
  for (guint i = 0; log_lines != NULL && log_lines[i] != NULL; i++)
    g_string_append_printf (out, "%s\n", log_lines[i]);

  /* the official agent's own lines (GetReport's agent_log), credentials redacted */
  agent_log = report != NULL ? g_variant_lookup_value (report, "agent_log", G_VARIANT_TYPE_STRING_ARRAY) : NULL;
  if (agent_log != NULL)
    {
      g_string_append (out, "\n== Official agent's recent log ==\n");
      for (gsize i = 0; i < g_variant_n_children (agent_log); i++)
        {
          g_autoptr(GVariant) line = g_variant_get_child_value (agent_log, i);

          g_string_append_printf (out, "%s\n", g_variant_get_string (line, NULL));
        }
    }

  return g_string_free (out, FALSE);
}

typedef struct {
  GFile    *file;
  GVariant *report;
  char     *contents;
} SaveData;

static void
save_data_free (SaveData *data)
{
  g_clear_object (&data->file);
  g_clear_pointer (&data->report, g_variant_unref);
  g_free (data->contents);
  g_free (data);
}

static void
replace_contents_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (object), result, NULL, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
write_report (GTask              *task,
              const char * const *log_lines)
{
  OcDoctor *doctor = g_task_get_source_object (task);
  SaveData *data = g_task_get_task_data (task);

  data->contents = oc_support_report_build (doctor, data->report, log_lines);

  g_file_replace_contents_async (data->file, data->contents, strlen (data->contents),
                                 NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                                 g_task_get_cancellable (task), replace_contents_cb, task);
}

static void
get_recent_log_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;

  if (!ocd_connect1_call_get_recent_log_finish (OCD_CONNECT1 (object), &lines, result, &error))
    {
      g_autofree char *line = g_strdup_printf ("(recent log not available: %s)", error->message);
      const char * const fallback[] = { line, NULL };

      write_report (task, fallback);
      return;
    }

  write_report (task, (const char * const *) lines);
}

static void
get_report_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask *task = user_data;
  SaveData *data = g_task_get_task_data (task);

  /* a failure leaves the report out; the rest is still worth having */
  ocd_connect1_call_get_report_finish (OCD_CONNECT1 (object), &data->report, result, NULL);
  OcdConnect1 *root = oc_client_get_root (oc_doctor_get_client (g_task_get_source_object (task)));

  if (root == NULL)
    root = OCD_CONNECT1 (object);
  /* the service's log is the root's, one for every printer */
  ocd_connect1_call_get_recent_log (root, LOG_LINES, g_task_get_cancellable (task), get_recent_log_cb, task);
}

void
oc_support_report_save (OcDoctor            *doctor,
                        GFile               *file,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  GTask *task = g_task_new (doctor, cancellable, callback, user_data);
  OcdConnect1 *proxy = oc_client_get_proxy (oc_doctor_get_client (doctor));
  SaveData *data = g_new0 (SaveData, 1);

  g_task_set_source_tag (task, oc_support_report_save);
  data->file = g_object_ref (file);
  g_task_set_task_data (task, data, (GDestroyNotify) save_data_free);

  if (proxy != NULL)
    ocd_connect1_call_get_report (proxy, cancellable, get_report_cb, task);
  else
    write_report (task, NULL);
}

gboolean
oc_support_report_save_finish (GAsyncResult  *result,
                               GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
