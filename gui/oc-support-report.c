/* oc-support-report.c — one text file to attach to a request for help
 *
 * Versions, the daemon's properties, its configuration file with secrets
 * replaced, the last TEST and Diagnose, the connectivity report and the recent
 * log. The report is useful when the service is down too, so every part that
 * needs it is optional.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>

#include "oc-support-report.h"

#define LOG_LINES 200

/* Any key that names a secret, whatever the config calls it. */
char *
oc_support_report_redact_config (const char *config_text)
{
  g_auto(GStrv) lines = g_strsplit (config_text != NULL ? config_text : "", "\n", -1);
  GString *out = g_string_new (NULL);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *eq = strchr (lines[i], '=');
      g_autofree char *key = NULL;

      if (i > 0)
        g_string_append_c (out, '\n');

      key = eq != NULL ? g_ascii_strdown (lines[i], eq - lines[i]) : NULL;
      if (key != NULL && lines[i][0] != '#' &&
          (strstr (key, "token") != NULL || strstr (key, "secret") != NULL ||
           strstr (key, "password") != NULL || strstr (key, "auth") != NULL))
        g_string_append_printf (out, "%.*s=<redacted>", (int) (eq - lines[i]), lines[i]);
      else
        g_string_append (out, lines[i]);
    }

  return g_string_free (out, FALSE);
}

static void
append_dict (GString    *out,
             GVariant   *dict,
             const char *skip_key)
{
  GVariantIter iter;
  const char *key;
  GVariant *value;

  g_variant_iter_init (&iter, dict);
  while (g_variant_iter_loop (&iter, "{&sv}", &key, &value))
    {
      g_autofree char *text = NULL;

      if (g_strcmp0 (key, skip_key) == 0)
        continue;
      text = g_variant_print (value, FALSE);
      g_string_append_printf (out, "%s: %s\n", key, text);
    }
}

static void
append_service (GString  *out,
                OcDoctor *doctor)
{
  OcdConnect1 *proxy = oc_doctor_get_proxy (doctor);
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

  g_string_append (out, "\n== Last TEST ==\n");
  if (oc_doctor_get_test_result (doctor) == NULL)
    {
      g_string_append (out, "not run\n");
    }
  else
    {
      g_string_append_printf (out, "result: %s\ndetail: %s\n",
                              oc_doctor_get_test_result (doctor), oc_doctor_get_test_detail (doctor));
      append_dict (out, oc_doctor_get_test_facts (doctor), NULL);
    }
  g_string_append_printf (out, "next fix: %s\n",
                          oc_doctor_get_next_fix (doctor) != NULL ? oc_doctor_get_next_fix (doctor) : "none");

  g_string_append (out, "\n== Last Diagnose ==\n");
  if (steps == NULL)
    {
      g_string_append (out, "not run\n");
      return;
    }

  g_string_append_printf (out, "problem: %s\n", oc_doctor_get_diagnosis_problem (doctor));
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

/* The report is for the people helping, in English whatever the app's language. */
char *
oc_support_report_build (OcDoctor           *doctor,
                         const char         *config_path,
                         const char         *config_text,
                         GVariant           *report,
                         const char * const *log_lines)
{
  GString *out = g_string_new ("Obico Connect support report\n");
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *created = g_date_time_format_iso8601 (now);
  g_autofree char *os = g_get_os_info (G_OS_INFO_KEY_PRETTY_NAME);
  g_autoptr(GVariant) events = NULL;

  g_string_append_printf (out, "created: %s\n", created);
  g_string_append_printf (out, "app: obico-connect %s (GLib %u.%u.%u, GTK %u.%u.%u, libadwaita %u.%u.%u)\n",
                          PACKAGE_VERSION,
                          glib_major_version, glib_minor_version, glib_micro_version,
                          gtk_get_major_version (), gtk_get_minor_version (), gtk_get_micro_version (),
                          adw_get_major_version (), adw_get_minor_version (), adw_get_micro_version ());
  g_string_append_printf (out, "os: %s\n", os != NULL ? os : "unknown");

  append_service (out, doctor);

  g_string_append_printf (out, "\n== Configuration (%s) ==\n", config_path);
  if (config_text != NULL)
    {
      g_autofree char *redacted = oc_support_report_redact_config (config_text);

      g_string_append (out, redacted);
      if (!g_str_has_suffix (redacted, "\n"))
        g_string_append_c (out, '\n');
    }
  else
    {
      g_string_append (out, "not readable\n");
    }

  append_results (out, doctor);

  g_string_append (out, "\n== Connectivity report ==\n");
  if (report != NULL)
    {
      append_dict (out, report, "events");
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
  g_autofree char *config_text = NULL;

  /* readable by the app only where the admin allows it; say so if not */
  g_file_get_contents (DEFAULT_CONFIG_FILE, &config_text, NULL, NULL);
  data->contents = oc_support_report_build (doctor, DEFAULT_CONFIG_FILE, config_text, data->report, log_lines);

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
  ocd_connect1_call_get_recent_log (OCD_CONNECT1 (object), LOG_LINES, g_task_get_cancellable (task),
                                    get_recent_log_cb, task);
}

void
oc_support_report_save (OcDoctor            *doctor,
                        GFile               *file,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  GTask *task = g_task_new (doctor, cancellable, callback, user_data);
  OcdConnect1 *proxy = oc_doctor_get_proxy (doctor);
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
