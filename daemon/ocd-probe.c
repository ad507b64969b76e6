/* ocd-probe.c — Diagnose(): each layer of the chain (name, TCP, TLS, /hc/,
 * credentials, WebSocket) is one step, checked on its own so a failure can be
 * pinned on one layer; the first failing step names the problem and the
 * guided fixes that follow from it (docs/guided-fixes.md).  The steps in
 * order: the host (ocd-probe-host.c), the name and the connection
 * (ocd-probe-route.c), then TLS, the server, the credentials and the
 * WebSocket here. */
#include "config.h"

#define G_LOG_DOMAIN "ocd-probe"

#include <glib/gi18n.h>

#include "ocd-api.h"
#include "ocd-probe-host.h"
#include "ocd-probe-route.h"
#include "ocd-proxy.h"
#include "obico-url.h"

static const char * const FIXES_WRONG_SCHEME[] = { "server-address", "tls", "get-help", NULL };

static void
probe_free (Probe *probe)
{
  g_assert (probe->step == NULL);
  ocd_probe_close_stream (probe);
  g_clear_object (&probe->soup);
  g_free (probe->server_url);
  g_free (probe->token);
  g_clear_object (&probe->host_context);
  g_free (probe->host);
  g_free (probe->proxy_uri);
  g_free (probe->proxy_shown);
  g_variant_builder_clear (&probe->steps);
  g_clear_pointer (&probe->route, ocd_probe_route_free);
  g_clear_object (&probe->peer_cert);
  g_free (probe);
}

/* The system clock is plausible when it is not before this daemon's source
 * was dated (OBICO_BUILD_EPOCH, see meson.build), and not before a
 * certificate became valid (a Pi without a real-time clock often boots in
 * the past). */
gboolean
ocd_probe_clock_plausible (gint64 now_usec, GTlsCertificateFlags errors)
{
  /* A day of slack: the date may come from a clock ahead of this one. */
  if (now_usec < (gint64) OBICO_BUILD_EPOCH * G_USEC_PER_SEC - G_TIME_SPAN_DAY)
    return FALSE;
  return (errors & G_TLS_CERTIFICATE_NOT_ACTIVATED) == 0;
}

/* ---- websocket --------------------------------------------------------- */

static void add_reply_step (Probe *probe, const char *name, gboolean ok, const char *detail,
                            const OcdApiReply *reply);

static void
on_websocket (GObject *source, GAsyncResult *result, gpointer data)
{
  GTask *task = data;
  Probe *probe = g_task_get_task_data (task);
  g_autoptr(OcdApiReply) reply = ocd_api_finish (result);

  if (ocd_probe_return_if_cancelled (task))
    return;
  if (reply->websocket == OBICO_WEB_SOCKET_REACHABLE || reply->failure == OCD_API_FAILURE_INVALID ||
      probe->proxy_shown == NULL)
    add_reply_step (probe, "websocket", reply->outcome == OCD_API_OK, reply->detail, reply);
  else
    {
      /* HTTP came through the proxy just now, the upgrade did not: the
       * proxy is what holds it back. */
      g_autofree char *detail = g_strdup_printf (_("Through the proxy %s, ordinary requests reach "
                                                   "the server but the WebSocket does not: %s"),
                                                 probe->proxy_shown, reply->detail);
      add_reply_step (probe, "websocket", FALSE, detail, reply);
      ocd_probe_finish (task, OBICO_PROBLEM_PROXY);
      return;
    }
  if (reply->websocket == OBICO_WEB_SOCKET_REACHABLE)
    ocd_probe_finish (task, probe->route_problem);
  else if (reply->failure == OCD_API_FAILURE_INVALID)
    ocd_probe_finish (task, ocd_api_failure_problem (reply->failure));
  else
    ocd_probe_finish (task, OBICO_PROBLEM_WEBSOCKET_BLOCKED);
}

static void
run_websocket (GTask *task)
{
  Probe *probe = g_task_get_task_data (task);

  /* Never credentials here: an authenticated socket would make the server
   * close the printer's own session with 4321. */
  ocd_api_websocket_async (probe->soup, probe->server_url, NULL, probe->timeout,
                           g_task_get_cancellable (task), on_websocket, task);
}

/* ---- server (/hc/) and credentials -------------------------------------- */

static void
add_reply_step (Probe *probe, const char *name, gboolean ok, const char *detail,
                const OcdApiReply *reply)
{
  ocd_probe_open_step (probe, name, ok, reply->elapsed_ms, detail);
  ocd_probe_step_key (probe, "http_status", g_variant_new_int32 ((gint32) reply->http_status));
  ocd_probe_close_step (probe);
}

/* A REST step: TRUE when it passed, else the task is finished with the
 * problem the reply shows (the same table as State's). */
static gboolean
reply_passed (GTask *task, const char *name, const OcdApiReply *reply)
{
  ObicoProblem problem = ocd_api_reply_problem (reply);

  add_reply_step (g_task_get_task_data (task), name, problem == OBICO_PROBLEM_NONE, reply->detail,
                  reply);
  if (problem != OBICO_PROBLEM_NONE)
    ocd_probe_finish (task, problem);
  return problem == OBICO_PROBLEM_NONE;
}

static void
on_credentials (GObject *source, GAsyncResult *result, gpointer data)
{
  GTask *task = data;
  Probe *probe = g_task_get_task_data (task);
  g_autoptr(OcdApiReply) reply = ocd_api_finish (result);
  g_autofree char *detail = NULL;

  if (ocd_probe_return_if_cancelled (task))
    return;
  /* Not linked: asked without credentials, the printer endpoint still shows
   * whether an Obico server answers there (401 and JSON) before a code is
   * spent on it. */
  if (probe->token == NULL && reply->outcome == OCD_API_INVALID_CREDENTIALS)
    {
      detail = g_strdup_printf (_("No printer is linked: there are no credentials to check. %s"),
                                reply->detail);
      add_reply_step (probe, "credentials", FALSE, detail, reply);
      ocd_probe_finish (task, OBICO_PROBLEM_NOT_LINKED);
    }
  else if (reply_passed (task, "credentials", reply))
    run_websocket (task);
}

static void
run_credentials (GTask *task)
{
  Probe *probe = g_task_get_task_data (task);

  ocd_api_printer_async (probe->soup, probe->server_url, probe->token, probe->timeout,
                         g_task_get_cancellable (task), on_credentials, task);
}

static void
on_server (GObject *source, GAsyncResult *result, gpointer data)
{
  GTask *task = data;
  Probe *probe = g_task_get_task_data (task);
  g_autoptr(OcdApiReply) reply = ocd_api_finish (result);

  if (ocd_probe_return_if_cancelled (task))
    return;
  /* Any HTTP answer shows the server there; what /hc/ answered beyond
   * that is only a detail: the printer endpoint decides (ocd-watch.c). */
  if (reply->http_status != 0)
    add_reply_step (probe, "server", TRUE, reply->detail, reply);
  if (reply->http_status != 0 || reply_passed (task, "server", reply))
    run_credentials (task);
}

static void
run_server (GTask *task)
{
  Probe *probe = g_task_get_task_data (task);

  ocd_api_health_async (probe->soup, probe->server_url, probe->timeout,
                        g_task_get_cancellable (task), on_server, task);
}

/* ---- tls ---------------------------------------------------------------- */

static GVariant *
tls_error_names (GTlsCertificateFlags errors)
{
  GFlagsClass *klass = g_type_class_ref (G_TYPE_TLS_CERTIFICATE_FLAGS);
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE_STRING_ARRAY);
  for (guint i = 0; i < klass->n_values; i++)
    if (klass->values[i].value != 0 &&
        (errors & klass->values[i].value) == klass->values[i].value &&
        klass->values[i].value != G_TLS_CERTIFICATE_VALIDATE_ALL)
      g_variant_builder_add (&builder, "s", klass->values[i].value_nick);
  g_type_class_unref (klass);
  return g_variant_builder_end (&builder);
}

static gboolean
on_accept_certificate (GTlsConnection       *conn,
                       GTlsCertificate      *peer_cert,
                       GTlsCertificateFlags  errors,
                       gpointer              data)
{
  Probe *probe = data;

  /* Keep what was wrong; the handshake still fails, as it would for the agent. */
  g_set_object (&probe->peer_cert, peer_cert);
  probe->peer_errors = errors;
  return FALSE;
}

static void
add_certificate_keys (Probe *probe, GTlsCertificate *cert, gboolean clock_plausible)
{
  g_autoptr(GDateTime) expires = NULL;
  g_autofree char *issuer = NULL;

  if (cert != NULL)
    {
      issuer = g_tls_certificate_get_issuer_name (cert);
      expires = g_tls_certificate_get_not_valid_after (cert);
    }
  ocd_probe_step_key (probe, "issuer", g_variant_new_string (issuer != NULL ? issuer : ""));
  ocd_probe_step_key (probe, "expires", g_variant_new_int64 (expires != NULL
                                                   ? g_date_time_to_unix (expires) * G_USEC_PER_SEC
                                                   : 0));
  ocd_probe_step_key (probe, "clock_plausible", g_variant_new_boolean (clock_plausible));
}

static void
on_handshake (GObject *source, GAsyncResult *result, gpointer data)
{
  GTask *task = data;
  Probe *probe = g_task_get_task_data (task);
  GTlsConnection *tls = G_TLS_CONNECTION (source);
  g_autoptr(GError) error = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *now_text = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  gboolean ok = g_tls_connection_handshake_finish (tls, result, &error);
  double elapsed = ocd_deadline_elapsed_ms (probe->step);
  gboolean timed_out = ocd_deadline_expired (probe->step);
  gboolean clock_plausible;
  ObicoProblem problem = OBICO_PROBLEM_TLS;
  const char * const *fixes = NULL;

  ocd_probe_step_end (probe);
  g_signal_handlers_disconnect_by_func (tls, on_accept_certificate, probe);
  if (ocd_probe_return_if_cancelled (task))
    return;

  now_text = g_date_time_format (now, "%Y-%m-%d %H:%M UTC");
  clock_plausible = ocd_probe_clock_plausible (g_get_real_time (), probe->peer_errors);
  if (ok)
    {
      GTlsCertificate *cert = g_tls_connection_get_peer_certificate (tls);
      g_autoptr(GDateTime) expires = cert != NULL ? g_tls_certificate_get_not_valid_after (cert) : NULL;
      g_autofree char *issuer = cert != NULL ? g_tls_certificate_get_issuer_name (cert) : NULL;
      g_autofree char *expires_text = expires != NULL ? g_date_time_format (expires, "%Y-%m-%d") : NULL;
      const char *protocol = ocd_api_format_tls_version (g_tls_connection_get_protocol_version (tls));

      detail = g_strdup_printf (_("The secure connection works (%s, certificate issued by %s, "
                                  "valid until %s)."),
                                *protocol ? protocol : "TLS",
                                issuer != NULL ? issuer : _("an unknown issuer"),
                                expires_text != NULL ? expires_text : "?");
      ocd_probe_open_step (probe, "tls", TRUE, elapsed, detail);
      ocd_probe_step_key (probe, "protocol", g_variant_new_string (protocol));
      add_certificate_keys (probe, cert, clock_plausible);
      ocd_probe_step_key (probe, "verification", g_variant_new_string (_("verified")));
      ocd_probe_close_step (probe);
      ocd_probe_close_stream (probe);
      run_server (task);
      return;
    }

  if (timed_out)
    {
      /* TCP works, so a silent handshake is most often a plain-http server
       * waiting for the rest of a request that never comes. */
      problem = OBICO_PROBLEM_SERVER_ADDRESS;
      detail = g_strdup_printf (_("%s accepted the connection on port %d but did not complete a "
                                  "secure handshake within %g seconds: if the server speaks plain "
                                  "HTTP there, the address needs http:// instead of https://."),
                                probe->host, probe->port, probe->timeout);
    }
  else if (g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_NOT_TLS))
    {
      /* Usually an https:// address for a plain-http server (port 3334). */
      problem = OBICO_PROBLEM_SERVER_ADDRESS;
      fixes = FIXES_WRONG_SCHEME;
      detail = g_strdup_printf (_("%s does not speak TLS on port %d: the address may need "
                                  "http:// instead of https://, or another port."),
                                probe->host, probe->port);
    }
  else if (probe->peer_errors != 0 && !clock_plausible)
    detail = g_strdup_printf (_("The server's certificate was refused: %s. The system clock says "
                                "%s, which looks wrong: set the right time (or turn on network "
                                "time) and try again."),
                              ocd_api_describe_tls_errors (probe->peer_errors), now_text);
  else if (probe->peer_errors != 0)
    detail = g_strdup_printf (_("The server's certificate was refused: %s."),
                              ocd_api_describe_tls_errors (probe->peer_errors));
  else
    detail = g_strdup_printf (_("The secure handshake with %s failed: %s."),
                              probe->host, error->message);

  ocd_probe_open_step (probe, "tls", FALSE, elapsed, detail);
  ocd_probe_step_key (probe, "protocol", g_variant_new_string (""));
  add_certificate_keys (probe, probe->peer_cert, clock_plausible);
  ocd_probe_step_key (probe, "verification", g_variant_new_string (probe->peer_errors != 0
                                                          ? ocd_api_describe_tls_errors (probe->peer_errors)
                                                          : error->message));
  ocd_probe_step_key (probe, "tls_errors", tls_error_names (probe->peer_errors));
  ocd_probe_close_step (probe);
  ocd_probe_finish_with (task, problem, fixes);
}

static void
run_tls (GTask *task)
{
  Probe *probe = g_task_get_task_data (task);
  g_autoptr(GSocketConnectable) identity = NULL;
  g_autoptr(GIOStream) tls = NULL;
  g_autoptr(GError) error = NULL;
  GCancellable *cancellable;

  if (!probe->use_tls || probe->tls_note != NULL)
    {
      ocd_probe_close_stream (probe);
      ocd_probe_add_step (probe, "tls", TRUE, 0, probe->tls_note != NULL ? probe->tls_note
                                                                       : _("Not used (http)."));
      run_server (task);
      return;
    }

  identity = g_network_address_new (probe->host, (guint16) probe->port);
  tls = g_tls_client_connection_new (probe->stream, identity, &error);
  if (tls == NULL)
    {
      g_autofree char *detail = g_strdup_printf (_("Secure connections are not available on this "
                                                   "system: %s."), error->message);
      ocd_probe_add_step (probe, "tls", FALSE, 0, detail);
      ocd_probe_finish (task, OBICO_PROBLEM_TLS);
      return;
    }
  /* The TLS connection owns the TCP one from here on. */
  g_clear_object (&probe->stream);
  probe->stream = g_object_ref (tls);
  g_signal_connect (tls, "accept-certificate", G_CALLBACK (on_accept_certificate), probe);

  cancellable = ocd_probe_step_begin (probe, task);
  g_tls_connection_handshake_async (G_TLS_CONNECTION (tls), G_PRIORITY_DEFAULT, cancellable,
                                    on_handshake, task);
}

void
ocd_probe_diagnose_async (SoupSession         *soup,
                          OcdHost             *host,
                          const char          *server_url,
                          const char          *token,
                          double               timeout,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  Probe *probe = g_new0 (Probe, 1);

  g_task_set_source_tag (task, ocd_probe_diagnose_async);
  probe->soup = g_object_ref (soup);
  probe->host_context = host != NULL ? g_object_ref (host) : NULL;
  probe->server_url = g_strdup (server_url);
  probe->token = g_strdup (token);
  probe->timeout = MAX (timeout, 0.1);
  g_variant_builder_init (&probe->steps, G_VARIANT_TYPE ("aa{sv}"));
  g_task_set_task_data (task, probe, (GDestroyNotify) probe_free);

  probe->proxy_uri = ocd_proxy_for_url (soup_session_get_proxy_resolver (soup), server_url);
  probe->proxy_shown = ocd_proxy_shown (probe->proxy_uri);
  probe->host = obico_url_host (server_url, &probe->port, &probe->use_tls);
  if (probe->host == NULL || *probe->host == '\0')
    {
      ocd_probe_add_step (probe, "resolve", FALSE, 0, _("The server address is not valid."));
      ocd_probe_finish (task, OBICO_PROBLEM_SERVER_ADDRESS);
      return;
    }
  ocd_probe_add_host_step (probe);
  ocd_probe_run_route (task, run_tls);
}

GVariant *
ocd_probe_diagnose_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
