/* ocd-probe.c — Diagnose(): each layer of the chain is one step; the first
 * failing step names the problem and the guided fixes that follow from it. */
#include "config.h"

#define G_LOG_DOMAIN "ocd-probe"

#include <glib/gi18n.h>

#include "ocd-api.h"
#include "ocd-probe.h"
#include "ocd-url.h"

typedef struct {
  SoupSession     *soup;
  char            *server_url;
  char            *token;
  double           timeout;
  GVariantBuilder  steps;
  guint            layer;
} Probe;

static void
probe_free (Probe *probe)
{
  g_clear_object (&probe->soup);
  g_free (probe->server_url);
  g_free (probe->token);
  g_variant_builder_clear (&probe->steps);
  g_free (probe);
}

static void
add_step (Probe *probe, const char *name, gboolean ok, double elapsed_ms, const char *detail)
{
  g_variant_builder_open (&probe->steps, G_VARIANT_TYPE ("a{sv}"));
  g_variant_builder_add (&probe->steps, "{sv}", "name", g_variant_new_string (name));
  g_variant_builder_add (&probe->steps, "{sv}", "ok", g_variant_new_boolean (ok));
  g_variant_builder_add (&probe->steps, "{sv}", "elapsed_ms", g_variant_new_double (elapsed_ms));
  g_variant_builder_add (&probe->steps, "{sv}", "detail", g_variant_new_string (detail != NULL ? detail : ""));
  g_variant_builder_close (&probe->steps);
}

static void
finish (GTask *task, const char *problem, const char * const *fixes)
{
  Probe *probe = g_task_get_task_data (task);
  GVariant *result = g_variant_new ("(s^as@aa{sv})", problem, fixes,
                                    g_variant_builder_end (&probe->steps));

  g_message ("Diagnose: %s", *problem ? problem : "no problem found");
  g_task_return_pointer (task, g_variant_ref_sink (result), (GDestroyNotify) g_variant_unref);
}

static const char *
unreachable_fix (const OcdApiReply *reply)
{
  if (g_strcmp0 (reply->failure, "resolve") == 0 || g_strcmp0 (reply->failure, "refused") == 0)
    return "server-address";
  if (g_strcmp0 (reply->failure, "tls") == 0)
    return "tls";
  return "internet";
}

static void run_layer (GTask *task);

static void
on_answer (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GTask) task = data;
  Probe *probe = g_task_get_task_data (task);
  g_autoptr(OcdApiReply) reply = ocd_api_request_finish (result);
  const char *name = probe->layer == 0 ? "server" : "credentials";

  if (probe->layer == 0)
    ocd_api_classify_health (reply);
  else
    ocd_api_classify_printer (reply);

  add_step (probe, name, reply->outcome == OCD_API_OK, reply->elapsed_ms, reply->detail);
  switch (reply->outcome)
    {
    case OCD_API_OK:
      probe->layer++;
      run_layer (g_steal_pointer (&task));
      return;
    case OCD_API_UNREACHABLE:
      {
        const char *fixes[] = { unreachable_fix (reply), "get-help", NULL };
        finish (task, fixes[0], fixes);
      }
      return;
    case OCD_API_INVALID_CREDENTIALS:
      {
        const char *fixes[] = { "invalid-credentials", "relink", "unarchive",
                                "shared-credentials", "get-help", NULL };
        finish (task, "invalid-credentials", fixes);
      }
      return;
    case OCD_API_REJECTED:
    case OCD_API_UNEXPECTED:
    default:
      {
        const char *fixes[] = { "not-obico-server", "server-address", "get-help", NULL };
        finish (task, "not-obico-server", fixes);
      }
      return;
    }
}

static void
run_layer (GTask *task)
{
  Probe *probe = g_task_get_task_data (task);
  g_autofree char *url = NULL;

  switch (probe->layer)
    {
    case 0:
      url = ocd_url_join (probe->server_url, "/hc/");
      ocd_api_request_async (probe->soup, "GET", url, NULL, probe->timeout,
                             g_task_get_cancellable (task), on_answer, task);
      return;
    case 1:
      if (probe->token == NULL)
        {
          const char *fixes[] = { "not-linked", NULL };
          add_step (probe, "credentials", FALSE, 0, _("No printer is linked."));
          finish (task, "not-linked", fixes);
          g_object_unref (task);
          return;
        }
      url = ocd_url_join (probe->server_url, "/api/v1/octo/printer/");
      ocd_api_request_async (probe->soup, "GET", url, probe->token, probe->timeout,
                             g_task_get_cancellable (task), on_answer, task);
      return;
    default:
      {
        const char *fixes[] = { "undetected", "debug-logging", "get-help", NULL };
        finish (task, "", fixes);
        g_object_unref (task);
      }
    }
}

void
ocd_probe_diagnose_async (SoupSession         *soup,
                          const char          *server_url,
                          const char          *token,
                          double               timeout,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  Probe *probe = g_new0 (Probe, 1);

  probe->soup = g_object_ref (soup);
  probe->server_url = g_strdup (server_url);
  probe->token = g_strdup (token);
  probe->timeout = timeout;
  g_variant_builder_init (&probe->steps, G_VARIANT_TYPE ("aa{sv}"));
  g_task_set_task_data (task, probe, (GDestroyNotify) probe_free);
  run_layer (task);
}

GVariant *
ocd_probe_diagnose_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
