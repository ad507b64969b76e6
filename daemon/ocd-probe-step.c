/* ocd-probe-step.c — Diagnose()'s steps added up: each step a dict of its
 * own (name, ok, elapsed_ms, detail and the step's keys), each step's time
 * limit, and the end: the problem the steps name, with its guided fixes
 * (docs/guided-fixes.md), the first fix first. */
#include "config.h"

#define G_LOG_DOMAIN "ocd-probe"

#include "ocd-probe-step.h"

/* The guided fixes that follow from a problem, the first one first. */
static const char * const *
problem_fixes (ObicoProblem problem)
{
  static const char * const server_address[] = { "server-address", "internet", "get-help", NULL };
  static const char * const internet[] = { "internet", "server-address", "get-help", NULL };
  static const char * const tls[] = { "tls", "get-help", NULL };
  static const char * const not_obico[] = { "not-obico-server", "server-address", "get-help", NULL };
  static const char * const server_error[] = { "server-error", "get-help", NULL };
  static const char * const not_linked[] = { "not-linked", "get-help", NULL };
  static const char * const invalid[] = { "invalid-credentials", "relink", "unarchive",
                                          "shared-credentials", "get-help", NULL };
  static const char * const websocket[] = { "websocket-blocked", "get-help", NULL };
  static const char * const none[] = { "undetected", "debug-logging", "get-help", NULL };
  static const char * const ipv6_broken[] = { "ipv6-broken", "get-help", NULL };
  static const char * const dns[] = { "dns", "internet", "get-help", NULL };
  static const char * const proxy[] = { "proxy", "websocket-blocked", "get-help", NULL };

  switch (problem)
    {
    case OBICO_PROBLEM_SERVER_ADDRESS: return server_address;
    case OBICO_PROBLEM_TLS: return tls;
    case OBICO_PROBLEM_NOT_OBICO_SERVER: return not_obico;
    case OBICO_PROBLEM_SERVER_ERROR: return server_error;
    case OBICO_PROBLEM_NOT_LINKED: return not_linked;
    case OBICO_PROBLEM_INVALID_CREDENTIALS: return invalid;
    case OBICO_PROBLEM_WEBSOCKET_BLOCKED: return websocket;
    case OBICO_PROBLEM_NONE: return none;
    case OBICO_PROBLEM_IPV6_BROKEN: return ipv6_broken;
    case OBICO_PROBLEM_DNS: return dns;
    case OBICO_PROBLEM_PROXY: return proxy;
    case OBICO_PROBLEM_INTERNET:
    default: return internet;
    }
}

GCancellable *
ocd_probe_step_begin (Probe *probe, GTask *task)
{
  probe->step = ocd_deadline_new (g_task_get_cancellable (task), probe->timeout);
  return ocd_deadline_get_cancellable (probe->step);
}

void
ocd_probe_step_end (Probe *probe)
{
  g_clear_pointer (&probe->step, ocd_deadline_free);
}

void
ocd_probe_close_stream (Probe *probe)
{
  /* Asynchronously: a TLS close_notify must not block the main loop. */
  if (probe->stream != NULL)
    g_io_stream_close_async (probe->stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
  g_clear_object (&probe->stream);
}

/* Opens a step dict; the caller may add keys, then calls ocd_probe_close_step(). */
void
ocd_probe_open_step (Probe *probe, const char *name, gboolean ok, double elapsed_ms, const char *detail)
{
  g_variant_builder_open (&probe->steps, G_VARIANT_TYPE ("a{sv}"));
  g_variant_builder_add (&probe->steps, "{sv}", "name", g_variant_new_string (name));
  g_variant_builder_add (&probe->steps, "{sv}", "ok", g_variant_new_boolean (ok));
  g_variant_builder_add (&probe->steps, "{sv}", "elapsed_ms", g_variant_new_double (elapsed_ms));
  g_variant_builder_add (&probe->steps, "{sv}", "detail", g_variant_new_string (detail != NULL ? detail : ""));
  g_debug ("%s: %s (%.1f ms) %s", name, ok ? "ok" : "failed", elapsed_ms, detail != NULL ? detail : "");
}

void
ocd_probe_step_key (Probe *probe, const char *key, GVariant *value)
{
  g_variant_builder_add (&probe->steps, "{sv}", key, value);
}

void
ocd_probe_close_step (Probe *probe)
{
  g_variant_builder_close (&probe->steps);
}

void
ocd_probe_add_step (Probe *probe, const char *name, gboolean ok, double elapsed_ms, const char *detail)
{
  ocd_probe_open_step (probe, name, ok, elapsed_ms, detail);
  ocd_probe_close_step (probe);
}

/* Takes the task's last reference.  @fixes: NULL for the problem's own. */
void
ocd_probe_finish_with (GTask *task, ObicoProblem problem, const char * const *fixes)
{
  Probe *probe = g_task_get_task_data (task);
  const char *name;
  GVariant *result;

  /* No answer over a name whose IPv6 path the connect step found broken:
   * the connection went IPv6 first and never fell back. */
  if (problem == OBICO_PROBLEM_INTERNET && probe->route_problem == OBICO_PROBLEM_IPV6_BROKEN)
    {
      static const char * const ipv6_then_internet[] = { "ipv6-broken", "internet", "get-help", NULL };

      problem = OBICO_PROBLEM_IPV6_BROKEN;
      fixes = ipv6_then_internet;
    }
  name = obico_problem_to_string (problem);

  ocd_probe_close_stream (probe);
  result = g_variant_new ("(s^as@aa{sv})", name, fixes != NULL ? fixes : problem_fixes (problem),
                          g_variant_builder_end (&probe->steps));
  g_message ("Diagnose: %s", *name ? name : "no problem found");
  g_task_return_pointer (task, g_variant_ref_sink (result), (GDestroyNotify) g_variant_unref);
  g_object_unref (task);
}

void
ocd_probe_finish (GTask *task, ObicoProblem problem)
{
  ocd_probe_finish_with (task, problem, NULL);
}

/* TRUE (and the task is done) when the caller cancelled. */
gboolean
ocd_probe_return_if_cancelled (GTask *task)
{
  if (!g_task_return_error_if_cancelled (task))
    return FALSE;
  g_object_unref (task);
  return TRUE;
}
