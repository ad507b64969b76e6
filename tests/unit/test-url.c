/* test-url.c — what a valid server address is, and the URLs made from it */
#include "config.h"

#include <string.h>

#include "obico-error.h"
#include "obico-url.h"

static void
assert_normalizes (const char *url, const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *normalized = obico_url_normalize (url, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (normalized, ==, expected);

  /* A normalized address is its own normal form. */
  {
    g_autofree char *again = obico_url_normalize (normalized, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (again, ==, normalized);
  }
}

static void
assert_rejected (const char *url)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *normalized = obico_url_normalize (url, &error);

  if (normalized != NULL)
    g_error ("'%s' was accepted as '%s'", url, normalized);
  g_assert_error (error, OBICO_ERROR, OBICO_ERROR_INVALID_ARGUMENT);
  /* The sentence tells a person what a valid address looks like. */
  g_assert_nonnull (strstr (error->message, "http(s)://host[:port][/path]"));
}

static void
test_valid (void)
{
  assert_normalizes ("https://app.obico.io", "https://app.obico.io");
  assert_normalizes ("http://192.168.1.10:3334", "http://192.168.1.10:3334");
  assert_normalizes ("http://obico.local:3334", "http://obico.local:3334");
  assert_normalizes ("HTTPS://app.obico.io", "https://app.obico.io");
  assert_normalizes ("http://localhost", "http://localhost");
  assert_normalizes ("http://my-host_1.example", "http://my-host_1.example");
}

static void
test_trailing_slashes_and_space (void)
{
  assert_normalizes ("https://app.obico.io/", "https://app.obico.io");
  assert_normalizes ("https://app.obico.io///", "https://app.obico.io");
  assert_normalizes ("  https://app.obico.io/ \n", "https://app.obico.io");
  assert_normalizes ("\thttp://10.0.0.2:3334\r\n", "http://10.0.0.2:3334");
  assert_rejected ("http://app .obico.io");
  assert_rejected ("http://app.obico.io/a b");
  assert_rejected ("http://app.obico.io/a\tb");
  assert_rejected ("http://app.obico.io/\001");
  assert_rejected ("");
  assert_rejected ("   ");
  assert_rejected ("/");
}

static void
test_ports (void)
{
  assert_rejected ("http://example.com:0");
  assert_normalizes ("http://example.com:1", "http://example.com:1");
  assert_normalizes ("http://example.com:3334/", "http://example.com:3334");
  assert_normalizes ("http://example.com:65535", "http://example.com:65535");
  assert_rejected ("http://example.com:65536");
  assert_rejected ("http://example.com:99999999999");
  assert_rejected ("http://example.com:-1");
  assert_rejected ("http://example.com:80a");
}

static void
test_paths (void)
{
  assert_normalizes ("https://proxy.example/obico", "https://proxy.example/obico");
  assert_normalizes ("https://proxy.example/obico/", "https://proxy.example/obico");
  assert_normalizes ("https://proxy.example:8443/a/b/", "https://proxy.example:8443/a/b");
  /* Escapes stay escapes: the path is used as given. */
  assert_normalizes ("https://proxy.example/a%20b", "https://proxy.example/a%20b");
  assert_normalizes ("https://proxy.example/a%2Fb", "https://proxy.example/a%2Fb");
  assert_normalizes ("https://proxy.example/€", "https://proxy.example/%E2%82%AC");
  assert_rejected ("https://proxy.example/a%zz");
  assert_rejected ("https://proxy.example/a%");
}

static void
test_host_escape (void)
{
  /* GUri decodes the host: an escape there must not smuggle in a space. */
  assert_rejected ("http://exa%20mple.com");
  /* Found by fuzzing: an escaped ":" made "a:" look like an IPv6 literal,
   * written back as "[a:]", which does not parse again. */
  assert_rejected ("http://a%3a");
  assert_rejected ("http://a%3A:3334");
}

static void
test_ipv6_zone (void)
{
  /* The zone id would come out as %eth0, not a valid address. */
  assert_rejected ("http://[fe80::1%25eth0]:3334");
}

static void
test_ipv6 (void)
{
  assert_normalizes ("http://[::1]:3334", "http://[::1]:3334");
  assert_normalizes ("http://[2001:db8::1]/", "http://[2001:db8::1]");
  assert_normalizes ("https://[2001:db8::1]:8443/obico", "https://[2001:db8::1]:8443/obico");
  assert_rejected ("http://[::1");
  assert_rejected ("http://::1:3334");
}

static void
test_schemes_and_hosts (void)
{
  assert_rejected ("app.obico.io");
  assert_rejected ("ftp://app.obico.io");
  assert_rejected ("ws://app.obico.io");
  assert_rejected ("file:///etc/passwd");
  assert_rejected ("http://");
  assert_rejected ("http:///path");
  assert_rejected ("http:app.obico.io");
  assert_rejected ("\xff\xfe");
  assert_rejected (NULL);
}

static void
test_userinfo_query_fragment (void)
{
  assert_rejected ("http://user@app.obico.io");
  assert_rejected ("http://user:secret@app.obico.io");
  assert_rejected ("http://:@app.obico.io");
  assert_rejected ("https://app.obico.io/?a=1");
  assert_rejected ("https://app.obico.io?");
  assert_rejected ("https://app.obico.io/#top");
  assert_rejected ("https://app.obico.io#");
}

static char *
url_of_length (gsize length)
{
  const char *prefix = "http://example.com/";
  GString *url = g_string_new (prefix);

  while (url->len < length)
    g_string_append_c (url, 'a');
  return g_string_free (url, FALSE);
}

static void
test_length (void)
{
  g_autofree char *at_limit = url_of_length (OBICO_URL_MAX_LENGTH);
  g_autofree char *over_limit = url_of_length (OBICO_URL_MAX_LENGTH + 1);
  g_autofree char *huge = url_of_length (1024 * 1024);
  g_autofree char *at_limit_slash = g_strconcat (at_limit, "/", NULL);

  g_assert_cmpuint (strlen (at_limit), ==, 2048);
  assert_normalizes (at_limit, at_limit);
  /* The trailing slash is stripped before the length is judged. */
  assert_normalizes (at_limit_slash, at_limit);
  assert_rejected (over_limit);
  assert_rejected (huge);
}

static void
test_derived (void)
{
  g_autofree char *ws = obico_url_websocket ("https://app.obico.io");
  g_autofree char *ws_plain = obico_url_websocket ("http://10.0.0.2:3334");
  g_autofree char *ws_path = obico_url_websocket ("https://proxy.example/obico");
  g_autofree char *ws_none = obico_url_websocket ("ftp://x");
  g_autofree char *joined = obico_url_join ("http://10.0.0.2:3334", "/hc/");
  g_autofree char *host = NULL;
  int port = 0;
  gboolean tls = FALSE;

  /* The trailing slash matters: /ws/dev gets a 500 from the server. */
  g_assert_cmpstr (ws, ==, "wss://app.obico.io/ws/dev/");
  g_assert_cmpstr (ws_plain, ==, "ws://10.0.0.2:3334/ws/dev/");
  g_assert_cmpstr (ws_path, ==, "wss://proxy.example/obico/ws/dev/");
  g_assert_null (ws_none);
  g_assert_cmpstr (joined, ==, "http://10.0.0.2:3334/hc/");

  host = obico_url_host ("https://app.obico.io", &port, &tls);
  g_assert_cmpstr (host, ==, "app.obico.io");
  g_assert_cmpint (port, ==, 443);
  g_assert_true (tls);
  g_clear_pointer (&host, g_free);

  host = obico_url_host ("http://10.0.0.2", &port, &tls);
  g_assert_cmpstr (host, ==, "10.0.0.2");
  g_assert_cmpint (port, ==, 80);
  g_assert_false (tls);
  g_clear_pointer (&host, g_free);

  host = obico_url_host ("http://[::1]:3334/obico", &port, &tls);
  g_assert_cmpstr (host, ==, "::1");
  g_assert_cmpint (port, ==, 3334);
  g_clear_pointer (&host, g_free);

  g_assert_null (obico_url_host ("not a url", NULL, NULL));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/url/valid", test_valid);
  g_test_add_func ("/url/trailing-slashes-and-space", test_trailing_slashes_and_space);
  g_test_add_func ("/url/ports", test_ports);
  g_test_add_func ("/url/paths", test_paths);
  g_test_add_func ("/url/ipv6", test_ipv6);
  g_test_add_func ("/url/host-escape", test_host_escape);
  g_test_add_func ("/url/ipv6-zone", test_ipv6_zone);
  g_test_add_func ("/url/schemes-and-hosts", test_schemes_and_hosts);
  g_test_add_func ("/url/userinfo-query-fragment", test_userinfo_query_fragment);
  g_test_add_func ("/url/length", test_length);
  g_test_add_func ("/url/derived", test_derived);
  return g_test_run ();
}
