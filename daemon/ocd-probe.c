/* ocd-probe.c — Diagnose(): each layer of the chain (name, TCP, TLS, /hc/,
 * credentials, WebSocket) is one step, checked on its own so a failure can be
 * pinned on one layer; the first failing step names the problem and the
 * guided fixes that follow from it (docs/guided-fixes.md). */
#include "config.h"

#define G_LOG_DOMAIN "ocd-probe"

#include <glib/gi18n.h>

#include "ocd-api.h"
#include "ocd-deadline.h"
#include "ocd-probe.h"
#include "obico-url.h"

static const char * const FIXES_WRONG_SCHEME[] = { "server-address", "tls", "get-help", NULL };

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
    case OBICO_PROBLEM_INTERNET:
    default: return internet;
    }
}

typedef struct {
  SoupSession        *soup;
  char               *server_url;
  char               *token;
  double              timeout;
  char               *host;
  int                 port;
  gboolean            use_tls;
  GVariantBuilder     steps;

  GList              *addresses;     /* GInetAddress, from the resolve step */
  GList              *next_address;
  GSocketClient      *client;
  GError             *connect_error; /* the most telling failure over all addresses */
  GIOStream          *stream;        /* the connect step's connection, for the TLS step */
  GTlsCertificate    *peer_cert;
  GTlsCertificateFlags peer_errors;

  /* The current step's time limit: a timeout ends just this step. */
  OcdDeadline        *step;
} Probe;

static GCancellable *
step_begin (Probe *probe, GTask *task)
{
  probe->step = ocd_deadline_new (g_task_get_cancellable (task), probe->timeout);
  return ocd_deadline_get_cancellable (probe->step);
}

static void
step_end (Probe *probe)
{
  g_clear_pointer (&probe->step, ocd_deadline_free);
}

static void
close_stream (Probe *probe)
{
  /* Asynchronously: a TLS close_notify must not block the main loop. */
  if (probe->stream != NULL)
    g_io_stream_close_async (probe->stream, G_PRIORITY_DEFAULT, NULL, NULL, NULL);
  g_clear_object (&probe->stream);
}

static void
probe_free (Probe *probe)
{
  g_assert (probe->step == NULL);
  close_stream (probe);
  g_clear_object (&probe->soup);
  g_free (probe->server_url);
  g_free (probe->token);
  g_free (probe->host);
  g_variant_builder_clear (&probe->steps);
  g_list_free_full (probe->addresses, g_object_unref);
  g_clear_object (&probe->client);
  g_clear_error (&probe->connect_error);
  g_clear_object (&probe->peer_cert);
  g_free (probe);
}

/* Opens a step dict; the caller may add keys, then calls close_step(). */
static void
open_step (Probe *probe, const char *name, gboolean ok, double elapsed_ms, const char *detail)
{
  g_variant_builder_open (&probe->steps, G_VARIANT_TYPE ("a{sv}"));
  g_variant_builder_add (&probe->steps, "{sv}", "name", g_variant_new_string (name));
  g_variant_builder_add (&probe->steps, "{sv}", "ok", g_variant_new_boolean (ok));
  g_variant_builder_add (&probe->steps, "{sv}", "elapsed_ms", g_variant_new_double (elapsed_ms));
  g_variant_builder_add (&probe->steps, "{sv}", "detail", g_variant_new_string (detail != NULL ? detail : ""));
  g_debug ("%s: %s (%.1f ms) %s", name, ok ? "ok" : "failed", elapsed_ms, detail != NULL ? detail : "");
}

static void
step_key (Probe *probe, const char *key, GVariant *value)
{
  g_variant_builder_add (&probe->steps, "{sv}", key, value);
}

static void
close_step (Probe *probe)
{
  g_variant_builder_close (&probe->steps);
}

static void
add_step (Probe *probe, const char *name, gboolean ok, double elapsed_ms, const char *detail)
{
  open_step (probe, name, ok, elapsed_ms, detail);
  close_step (probe);
}

/* Takes the task's last reference.  @fixes: NULL for the problem's own. */
static void
finish_with (GTask *task, ObicoProblem problem, const char * const *fixes)
{
  Probe *probe = g_task_get_task_data (task);
  const char *name = obico_problem_to_string (problem);
  GVariant *result;

  close_stream (probe);
  result = g_variant_new ("(s^as@aa{sv})", name, fixes != NULL ? fixes : problem_fixes (problem),
                          g_variant_builder_end (&probe->steps));
  g_message ("Diagnose: %s", *name ? name : "no problem found");
  g_task_return_pointer (task, g_variant_ref_sink (result), (GDestroyNotify) g_variant_unref);
  g_object_unref (task);
}

static void
finish (GTask *task, ObicoProblem problem)
{
  finish_with (task, problem, NULL);
}

/* TRUE (and the task is done) when the caller cancelled. */
static gboolean
return_if_cancelled (GTask *task)
{
  if (!g_task_return_error_if_cancelled (task))
    return FALSE;
  g_object_unref (task);
  return TRUE;
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

  if (return_if_cancelled (task))
    return;
  add_reply_step (probe, "websocket", reply->outcome == OCD_API_OK, reply->detail, reply);
  if (reply->websocket == OBICO_WEB_SOCKET_REACHABLE)
    finish (task, OBICO_PROBLEM_NONE);
  else if (reply->failure == OCD_API_FAILURE_INVALID)
    finish (task, ocd_api_failure_problem (reply->failure));
  else
    finish (task, OBICO_PROBLEM_WEBSOCKET_BLOCKED);
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
  open_step (probe, name, ok, reply->elapsed_ms, detail);
  step_key (probe, "http_status", g_variant_new_int32 ((gint32) reply->http_status));
  close_step (probe);
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
    finish (task, problem);
  return problem == OBICO_PROBLEM_NONE;
}

static void
on_credentials (GObject *source, GAsyncResult *result, gpointer data)
{
  GTask *task = data;
  Probe *probe = g_task_get_task_data (task);
  g_autoptr(OcdApiReply) reply = ocd_api_finish (result);
  g_autofree char *detail = NULL;

  if (return_if_cancelled (task))
    return;
  /* Not linked: asked without credentials, the printer endpoint still shows
   * whether an Obico server answers there (401 and JSON) before a code is
   * spent on it. */
  if (probe->token == NULL && reply->outcome == OCD_API_INVALID_CREDENTIALS)
    {
      detail = g_strdup_printf (_("No printer is linked: there are no credentials to check. %s"),
                                reply->detail);
      add_reply_step (probe, "credentials", FALSE, detail, reply);
      finish (task, OBICO_PROBLEM_NOT_LINKED);
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

  if (return_if_cancelled (task))
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
  step_key (probe, "issuer", g_variant_new_string (issuer != NULL ? issuer : ""));
  step_key (probe, "expires", g_variant_new_int64 (expires != NULL
                                                   ? g_date_time_to_unix (expires) * G_USEC_PER_SEC
                                                   : 0));
  step_key (probe, "clock_plausible", g_variant_new_boolean (clock_plausible));
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

  step_end (probe);
  g_signal_handlers_disconnect_by_func (tls, on_accept_certificate, probe);
  if (return_if_cancelled (task))
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
      open_step (probe, "tls", TRUE, elapsed, detail);
      step_key (probe, "protocol", g_variant_new_string (protocol));
      add_certificate_keys (probe, cert, clock_plausible);
      step_key (probe, "verification", g_variant_new_string (_("verified")));
      close_step (probe);
      close_stream (probe);
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

  open_step (probe, "tls", FALSE, elapsed, detail);
  step_key (probe, "protocol", g_variant_new_string (""));
  add_certificate_keys (probe, probe->peer_cert, clock_plausible);
  step_key (probe, "verification", g_variant_new_string (probe->peer_errors != 0
                                                          ? ocd_api_describe_tls_errors (probe->peer_errors)
                                                          : error->message));
  step_key (probe, "tls_errors", tls_error_names (probe->peer_errors));
  close_step (probe);
  finish_with (task, problem, fixes);
}

static void
run_tls (GTask *task)
{
  Probe *probe = g_task_get_task_data (task);
  g_autoptr(GSocketConnectable) identity = NULL;
  g_autoptr(GIOStream) tls = NULL;
  g_autoptr(GError) error = NULL;
  GCancellable *cancellable;

  if (!probe->use_tls)
    {
      close_stream (probe);
      add_step (probe, "tls", TRUE, 0, _("Not used (http)."));
      run_server (task);
      return;
    }

  identity = g_network_address_new (probe->host, (guint16) probe->port);
  tls = g_tls_client_connection_new (probe->stream, identity, &error);
  if (tls == NULL)
    {
      g_autofree char *detail = g_strdup_printf (_("Secure connections are not available on this "
                                                   "system: %s."), error->message);
      add_step (probe, "tls", FALSE, 0, detail);
      finish (task, OBICO_PROBLEM_TLS);
      return;
    }
  /* The TLS connection owns the TCP one from here on. */
  g_clear_object (&probe->stream);
  probe->stream = g_object_ref (tls);
  g_signal_connect (tls, "accept-certificate", G_CALLBACK (on_accept_certificate), probe);

  cancellable = step_begin (probe, task);
  g_tls_connection_handshake_async (G_TLS_CONNECTION (tls), G_PRIORITY_DEFAULT, cancellable,
                                    on_handshake, task);
}

/* ---- connect ------------------------------------------------------------ */

static void connect_next (GTask *task);

static void
on_connected (GObject *source, GAsyncResult *result, gpointer data)
{
  GTask *task = data;
  Probe *probe = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) conn = g_socket_client_connect_finish (G_SOCKET_CLIENT (source),
                                                                      result, &error);
  g_autofree char *address = ocd_api_format_address (probe->next_address->data, (guint) probe->port);
  g_autofree char *detail = NULL;
  ObicoProblem problem = OBICO_PROBLEM_INTERNET;
  double elapsed;

  if (conn == NULL && !ocd_deadline_expired (probe->step) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
      probe->next_address->next != NULL)
    {
      /* A refusal is the most telling answer; keep it over later ones. */
      if (probe->connect_error == NULL ||
          !g_error_matches (probe->connect_error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
        g_set_error_literal (&probe->connect_error, error->domain, error->code, error->message);
      g_debug ("connect to %s failed (%s), trying the next address", address, error->message);
      probe->next_address = probe->next_address->next;
      connect_next (task);
      return;
    }

  elapsed = ocd_deadline_elapsed_ms (probe->step);
  if (conn == NULL && probe->connect_error != NULL && !ocd_deadline_expired (probe->step) &&
      g_error_matches (probe->connect_error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    g_set_error_literal (&error, probe->connect_error->domain, probe->connect_error->code,
                         probe->connect_error->message);
  if (conn == NULL && ocd_deadline_expired (probe->step))
    g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "timed out");
  step_end (probe);
  if (return_if_cancelled (task))
    return;

  if (conn != NULL)
    {
      detail = g_strdup_printf (_("Connected to %s."), address);
      open_step (probe, "connect", TRUE, elapsed, detail);
      step_key (probe, "address", g_variant_new_string (address));
      close_step (probe);
      probe->stream = G_IO_STREAM (g_steal_pointer (&conn));
      run_tls (task);
      return;
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    {
      problem = OBICO_PROBLEM_SERVER_ADDRESS;
      detail = g_strdup_printf (_("%s refused the connection on port %d: is the server running, "
                                  "and are the scheme and port of the address right?"),
                                probe->host, probe->port);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    detail = g_strdup_printf (_("%s did not accept a connection on port %d within %g seconds: "
                                "the host is down, or a firewall drops the packets."),
                              probe->host, probe->port, probe->timeout);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE) ||
           g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE))
    detail = g_strdup_printf (_("There is no route to %s: check the network cable or Wi-Fi "
                                "and the router."), probe->host);
  else
    detail = g_strdup_printf (_("Could not connect to %s on port %d: %s."),
                              probe->host, probe->port, error->message);

  open_step (probe, "connect", FALSE, elapsed, detail);
  step_key (probe, "address", g_variant_new_string (address));
  close_step (probe);
  finish (task, problem);
}

static void
connect_next (GTask *task)
{
  Probe *probe = g_task_get_task_data (task);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (probe->next_address->data,
                                                                 (guint16) probe->port);

  g_socket_client_connect_async (probe->client, G_SOCKET_CONNECTABLE (address),
                                 ocd_deadline_get_cancellable (probe->step), on_connected, task);
}

static void
run_connect (GTask *task)
{
  Probe *probe = g_task_get_task_data (task);

  /* Tries the resolved addresses in turn, all within one timeout. */
  probe->client = g_socket_client_new ();
  /* The route to the server itself, the one the printer's agent takes. */
  g_socket_client_set_enable_proxy (probe->client, FALSE);
  probe->next_address = probe->addresses;
  step_begin (probe, task);
  connect_next (task);
}

/* ---- resolve ------------------------------------------------------------ */

static void
add_resolve_step (Probe *probe, gboolean ok, double elapsed, const char *detail)
{
  GVariantBuilder addresses;

  g_variant_builder_init (&addresses, G_VARIANT_TYPE_STRING_ARRAY);
  for (GList *l = probe->addresses; l != NULL; l = l->next)
    g_variant_builder_add_value (&addresses,
                                 g_variant_new_take_string (g_inet_address_to_string (l->data)));
  open_step (probe, "resolve", ok, elapsed, detail);
  step_key (probe, "addresses", g_variant_builder_end (&addresses));
  close_step (probe);
}

static void
on_resolved (GObject *source, GAsyncResult *result, gpointer data)
{
  GTask *task = data;
  Probe *probe = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autofree char *detail = NULL;
  double elapsed = ocd_deadline_elapsed_ms (probe->step);
  gboolean timed_out = ocd_deadline_expired (probe->step);

  probe->addresses = g_resolver_lookup_by_name_finish (G_RESOLVER (source), result, &error);
  step_end (probe);
  if (return_if_cancelled (task))
    return;

  if (probe->addresses != NULL)
    {
      g_autofree char *first = g_inet_address_to_string (probe->addresses->data);
      guint n = g_list_length (probe->addresses);

      if (n == 1)
        detail = g_strdup_printf (_("%s resolves to %s."), probe->host, first);
      else
        detail = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                               "%s resolves to %s and %u other address.",
                                               "%s resolves to %s and %u other addresses.", n - 1),
                                  probe->host, first, n - 1);
      add_resolve_step (probe, TRUE, elapsed, detail);
      run_connect (task);
      return;
    }

  if (timed_out)
    detail = g_strdup_printf (_("Looking up the name %s took longer than %g seconds: the DNS "
                                "server does not answer. Check the network connection and the "
                                "DNS settings."), probe->host, probe->timeout);
  else if (g_error_matches (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND))
    detail = g_strdup_printf (_("The name %s does not resolve: check the spelling of the server "
                                "address and the DNS settings."), probe->host);
  else
    detail = g_strdup_printf (_("The name %s could not be looked up (%s): check the network "
                                "connection and the DNS settings."), probe->host, error->message);
  add_resolve_step (probe, FALSE, elapsed, detail);
  finish (task, OBICO_PROBLEM_SERVER_ADDRESS);
}

static void
run_resolve (GTask *task)
{
  Probe *probe = g_task_get_task_data (task);
  g_autoptr(GResolver) resolver = NULL;
  g_autoptr(GInetAddress) literal = g_inet_address_new_from_string (probe->host);
  GCancellable *cancellable;

  if (literal != NULL)
    {
      g_autofree char *detail = g_strdup_printf (_("%s is an IP address: there is no name to look up."),
                                                 probe->host);

      probe->addresses = g_list_prepend (NULL, g_steal_pointer (&literal));
      add_resolve_step (probe, TRUE, 0, detail);
      run_connect (task);
      return;
    }

  resolver = g_resolver_get_default ();
  cancellable = step_begin (probe, task);
  g_resolver_lookup_by_name_async (resolver, probe->host, cancellable, on_resolved, task);
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

  g_task_set_source_tag (task, ocd_probe_diagnose_async);
  probe->soup = g_object_ref (soup);
  probe->server_url = g_strdup (server_url);
  probe->token = g_strdup (token);
  probe->timeout = MAX (timeout, 0.1);
  g_variant_builder_init (&probe->steps, G_VARIANT_TYPE ("aa{sv}"));
  g_task_set_task_data (task, probe, (GDestroyNotify) probe_free);

  probe->host = obico_url_host (server_url, &probe->port, &probe->use_tls);
  if (probe->host == NULL || *probe->host == '\0')
    {
      add_step (probe, "resolve", FALSE, 0, _("The server address is not valid."));
      finish (task, OBICO_PROBLEM_SERVER_ADDRESS);
      return;
    }
  run_resolve (task);
}

GVariant *
ocd_probe_diagnose_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
