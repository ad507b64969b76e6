/* test-probe.c — Diagnose() within its time bounds and when cancelled,
 * against local sockets (no network needed) */
#include "config.h"

#include "ocd-api.h"
#include "ocd-probe.h"
#include "ocd-proxy.h"

typedef struct {
  GSocketService *service;
  GPtrArray      *held;     /* accepted connections, never answered */
  guint16         port;
  SoupSession    *soup;
  GVariant       *result;
  GError         *error;
  gboolean        done;
} Fixture;

/* Under valgrind or a sanitizer everything is slower (as in harness.py). */
static double
slowdown (void)
{
  const char *factor = g_getenv ("OBICO_TEST_SLOWDOWN");

  return factor != NULL ? MAX (g_ascii_strtod (factor, NULL), 1.0) : 1.0;
}

static gboolean
on_incoming (GSocketService *service, GSocketConnection *conn, GObject *source, gpointer data)
{
  Fixture *f = data;

  g_ptr_array_add (f->held, g_object_ref (conn));
  return TRUE;
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;

  f->service = g_socket_service_new ();
  f->held = g_ptr_array_new_with_free_func (g_object_unref);
  f->port = g_socket_listener_add_any_inet_port (G_SOCKET_LISTENER (f->service), NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (f->service, "incoming", G_CALLBACK (on_incoming), f);
  g_socket_service_start (f->service);
  f->soup = ocd_api_session_new (10);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_socket_service_stop (f->service);
  g_socket_listener_close (G_SOCKET_LISTENER (f->service));
  g_clear_object (&f->service);
  g_ptr_array_unref (f->held);
  g_clear_object (&f->soup);
  g_clear_pointer (&f->result, g_variant_unref);
  g_clear_error (&f->error);
  /* Let closes still in flight finish, so valgrind sees no leaks, and a TLS
   * handshake thread that the closed server woke return to its pool:
   * LeakSanitizer cannot stop a thread that is inside GnuTLS at exit. */
  for (gint64 end = g_get_monotonic_time () + G_USEC_PER_SEC / 5; g_get_monotonic_time () < end;)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (10 * 1000);
    }
}

static void
on_diagnosed (GObject *source, GAsyncResult *result, gpointer data)
{
  Fixture *f = data;

  f->result = ocd_probe_diagnose_finish (result, &f->error);
  f->done = TRUE;
}

static gboolean
cancel_now (gpointer data)
{
  g_cancellable_cancel (G_CANCELLABLE (data));
  return G_SOURCE_REMOVE;
}

/* Runs Diagnose() and returns how long it took, in seconds. */
static double
diagnose (Fixture *f, const char *url, const char *token, double timeout, GCancellable *cancellable)
{
  gint64 started = g_get_monotonic_time ();

  ocd_probe_diagnose_async (f->soup, NULL, url, token, timeout, cancellable, on_diagnosed, f);
  while (!f->done)
    g_main_context_iteration (NULL, TRUE);
  return (g_get_monotonic_time () - started) / (double) G_USEC_PER_SEC;
}

static GVariant *
last_step (GVariant *result, const char **problem)
{
  g_autoptr(GVariant) steps = g_variant_get_child_value (result, 2);

  g_variant_get_child (result, 0, "&s", problem);
  return g_variant_get_child_value (steps, g_variant_n_children (steps) - 1);
}

static void
test_clock (void)
{
  gint64 now = g_get_real_time ();

  g_assert_false (ocd_probe_clock_plausible (0, 0));                       /* 1970: no RTC */
  g_assert_false (ocd_probe_clock_plausible ((gint64) 1262304000 * G_USEC_PER_SEC, 0)); /* 2010 */
  g_assert_true (ocd_probe_clock_plausible (now, 0));
  g_assert_true (ocd_probe_clock_plausible (now, G_TLS_CERTIFICATE_UNKNOWN_CA));
  g_assert_true (ocd_probe_clock_plausible (now, G_TLS_CERTIFICATE_EXPIRED));
  g_assert_false (ocd_probe_clock_plausible (now, G_TLS_CERTIFICATE_NOT_ACTIVATED));
  /* Not before the source's own date (meson.build: OBICO_BUILD_EPOCH), give or take a day. */
  g_assert_true (ocd_probe_clock_plausible ((gint64) OBICO_BUILD_EPOCH * G_USEC_PER_SEC, 0));
  g_assert_true (ocd_probe_clock_plausible (((gint64) OBICO_BUILD_EPOCH - 3600) * G_USEC_PER_SEC, 0));
  g_assert_false (ocd_probe_clock_plausible (((gint64) OBICO_BUILD_EPOCH - 2 * 86400) * G_USEC_PER_SEC, 0));
}

static void
test_silent_server (Fixture *f, gconstpointer data)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u", f->port);
  g_autoptr(GVariant) step = NULL;
  const char *problem, *name;
  gboolean ok;
  double elapsed_ms;
  double took = diagnose (f, url, "0123456789abcdef0123", 0.5, NULL);

  g_assert_no_error (f->error);
  g_assert_nonnull (f->result);
  g_assert_cmpstr (g_variant_get_type_string (f->result), ==, "(sasaa{sv})");
  step = last_step (f->result, &problem);
  g_assert_cmpstr (problem, ==, "internet");
  g_assert_true (g_variant_lookup (step, "name", "&s", &name));
  g_assert_true (g_variant_lookup (step, "ok", "b", &ok));
  g_assert_true (g_variant_lookup (step, "elapsed_ms", "d", &elapsed_ms));
  g_assert_cmpstr (name, ==, "server");
  g_assert_false (ok);
  g_assert_cmpfloat (elapsed_ms, >=, 450);
  g_assert_cmpfloat (took, <, 2.0 * slowdown ());
}

static void
test_refused (Fixture *f, gconstpointer data)
{
  g_autoptr(GSocket) sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                          G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GVariant) step = NULL;
  g_autofree char *url = NULL;
  const char *problem, *name;

  /* A port that was free a moment ago: nothing listens there. */
  g_assert_true (g_socket_bind (sock, any, FALSE, NULL));
  bound = g_socket_get_local_address (sock, NULL);
  url = g_strdup_printf ("http://127.0.0.1:%u",
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_socket_close (sock, NULL);

  diagnose (f, url, NULL, 2, NULL);
  g_assert_no_error (f->error);
  step = last_step (f->result, &problem);
  g_assert_cmpstr (problem, ==, "server-address");
  g_assert_true (g_variant_lookup (step, "name", "&s", &name));
  g_assert_cmpstr (name, ==, "connect");
}

static void
test_cancelled (Fixture *f, gconstpointer data)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u", f->port);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  double took;

  g_timeout_add (100, cancel_now, cancellable);
  took = diagnose (f, url, "0123456789abcdef0123", 10, cancellable);
  g_assert_error (f->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (f->result);
  g_assert_cmpfloat (took, <, 1.0 * slowdown ());
}

static void
test_cancelled_before (Fixture *f, gconstpointer data)
{
  g_autofree char *url = g_strdup_printf ("https://127.0.0.1:%u", f->port);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();

  g_cancellable_cancel (cancellable);
  diagnose (f, url, NULL, 10, cancellable);
  g_assert_error (f->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_tls_silent (Fixture *f, gconstpointer data)
{
  g_autofree char *url = g_strdup_printf ("https://127.0.0.1:%u", f->port);
  g_autoptr(GVariant) step = NULL;
  const char *problem, *name;
  gboolean clock_plausible;
  double took = diagnose (f, url, NULL, 0.5, NULL);

  /* TCP works but no handshake comes back: most often a plain-http port. */
  g_assert_no_error (f->error);
  step = last_step (f->result, &problem);
  g_assert_cmpstr (problem, ==, "server-address");
  g_assert_true (g_variant_lookup (step, "name", "&s", &name));
  g_assert_cmpstr (name, ==, "tls");
  g_assert_true (g_variant_lookup (step, "clock_plausible", "b", &clock_plausible));
  g_assert_true (clock_plausible);
  g_assert_cmpfloat (took, <, 2.0 * slowdown ());
}

static void
test_describe_resolver (void)
{
  const char *hosts = "127.0.0.1 localhost\n192.168.1.5 printer App.Obico.io # pinned\n# 10.0.0.1 other.example\n";
  struct { const char *hosts, *resolv, *name, *said; } cases[] = {
    { hosts, "nameserver 1.1.1.1\n", "app.obico.io", "/etc/hosts" },
    { hosts, "nameserver 1.1.1.1\n", "other.example", "1.1.1.1 (/etc/resolv.conf)" },
    { NULL, "# x\n  nameserver\t192.168.1.1 \nnameserver fe80::1\n", "h", "192.168.1.1, fe80::1 (/etc/resolv.conf)" },
    { NULL, "nameserver 127.0.0.53\noptions edns0\n", "h", "systemd-resolved (127.0.0.53)" },
    { "", "nameserver\n", "h", "no name server (/etc/resolv.conf names none)" },
    { NULL, NULL, "h", "no name server (/etc/resolv.conf names none)" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *said = ocd_probe_describe_resolver (cases[i].hosts, cases[i].resolv, cases[i].name);

      g_assert_cmpstr (said, ==, cases[i].said);
    }
}

static void
test_proxy_not_a_uri (void)
{
  g_autoptr(GProxyResolver) resolver = NULL;

  g_unsetenv ("all_proxy");
  g_unsetenv ("ALL_PROXY");
  g_unsetenv ("https_proxy");
  g_unsetenv ("HTTPS_PROXY");
  g_unsetenv ("http_proxy");
  g_unsetenv ("HTTP_PROXY");
  /* ignored with a warning that does not show it, not GLib's critical */
  g_test_expect_message ("ocd-proxy", G_LOG_LEVEL_WARNING, "Ignoring the proxy of [server] proxy: it is not a URI");
  resolver = ocd_proxy_resolver_new ("http://user:secret@proxy:99999");
  g_test_assert_expected_messages ();
  g_assert_null (resolver);
  resolver = ocd_proxy_resolver_new ("proxy:3128");
  g_assert_nonnull (resolver);
  {
    g_autofree char *uri = ocd_proxy_for_url (resolver, "https://app.obico.io/");

    g_assert_cmpstr (uri, ==, "http://proxy:3128");
  }
}

static void
on_connect (GObject *source, GAsyncResult *result, gpointer data)
{
  GError **error = data;

  g_assert_cmpuint (ocd_proxy_connect_finish (result, error), ==, 0);
}

static void
test_proxy_closed_without_answer (void)
{
  g_autoptr(GInputStream) in = g_memory_input_stream_new ();
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GIOStream) stream = g_simple_io_stream_new (in, out);
  g_autoptr(GError) error = NULL;

  ocd_proxy_connect_async (stream, "http://proxy:3128", "app.obico.io", 443, NULL, on_connect, &error);
  while (error == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PROXY_FAILED);
  g_assert_nonnull (strstr (error->message, "without an HTTP answer"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/probe/clock", test_clock);
  g_test_add_func ("/probe/describe-resolver", test_describe_resolver);
  g_test_add_func ("/probe/proxy-not-a-uri", test_proxy_not_a_uri);
  g_test_add_func ("/probe/proxy-closed-without-answer", test_proxy_closed_without_answer);
  g_test_add ("/probe/silent-server", Fixture, NULL, fixture_set_up, test_silent_server, fixture_tear_down);
  g_test_add ("/probe/refused", Fixture, NULL, fixture_set_up, test_refused, fixture_tear_down);
  g_test_add ("/probe/cancelled", Fixture, NULL, fixture_set_up, test_cancelled, fixture_tear_down);
  g_test_add ("/probe/cancelled-before", Fixture, NULL, fixture_set_up, test_cancelled_before, fixture_tear_down);
  g_test_add ("/probe/tls-silent", Fixture, NULL, fixture_set_up, test_tls_silent, fixture_tear_down);
  return g_test_run ();
}
