/* test-api.c — what an answer from an Obico server means (docs/obico-protocol.md),
 * judged on crafted replies */
#include "config.h"

#include <string.h>

#include "ocd-api.h"

static const char *PRINTER_OK =
  "{\"user\":{\"is_pro\":false},\"printer\":{\"is_pro\":false,\"id\":42,"
  "\"name\":\"Prusa MK3\",\"retract_on_pause\":6.5}}";
static const char *INVALID_TOKEN =
  "{\"error\":\"Invalid or Inactive Token\",\"is_authenticated\":\"False\"}";
static const char *HTML = "<!DOCTYPE html><html><body><h1>Welcome to nginx!</h1></body></html>";

static OcdApiReply *
reply_new (guint status, const char *content_type, const char *body, gssize length)
{
  OcdApiReply *reply = g_new0 (OcdApiReply, 1);

  reply->outcome = OCD_API_OK;   /* as ocd_api_request_finish leaves an answer */
  reply->printer_id = -1;
  reply->http_status = status;
  reply->content_type = g_strdup (content_type);
  reply->address = g_strdup ("127.0.0.1:3334");
  reply->tls = g_strdup ("");
  if (body != NULL)
    reply->body = g_bytes_new (body, length < 0 ? strlen (body) : (gsize) length);
  return reply;
}

static OcdApiReply *
json_reply (guint status, const char *body)
{
  return reply_new (status, "application/json", body, -1);
}

static void
assert_detail (const OcdApiReply *reply, const char *fragment)
{
  g_assert_nonnull (reply->detail);
  if (fragment != NULL && strstr (reply->detail, fragment) == NULL)
    g_error ("detail “%s” does not mention “%s”", reply->detail, fragment);
}

static void
test_printer_ok (void)
{
  g_autoptr(OcdApiReply) reply = json_reply (200, PRINTER_OK);

  ocd_api_classify_printer (reply);
  g_assert_cmpint (reply->outcome, ==, OCD_API_OK);
  g_assert_cmpint (reply->printer_id, ==, 42);
  g_assert_cmpstr (reply->printer_name, ==, "Prusa MK3");
  assert_detail (reply, "Prusa MK3");
}

static void
test_printer_without_id (void)
{
  /* The official plugin wrongly calls these a success. */
  const char *bodies[] = {
    "{\"user\":{},\"printer\":{\"name\":\"x\"}}",
    "{\"printer\":{\"id\":\"42\"}}",
    "{\"printer\":{\"id\":42.5}}",
    "{\"printer\":{\"id\":null}}",
    "{\"printer\":{\"id\":-1}}",
    "{\"printer\":42}",
    "{\"user\":{\"is_pro\":true}}",
    "{}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(OcdApiReply) reply = json_reply (200, bodies[i]);

      g_test_message ("%s", bodies[i]);
      ocd_api_classify_printer (reply);
      g_assert_cmpint (reply->outcome, ==, OCD_API_UNEXPECTED);
      assert_detail (reply, "200");
    }
}

static void
test_printer_401 (void)
{
  const char *bodies[] = {
    INVALID_TOKEN,
    "{\"detail\":\"Authentication credentials were not provided.\"}",
    "",
    HTML,
  };

  /* 401 is Obico's answer for an unknown, archived or deleted printer,
   * whatever the body. */
  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(OcdApiReply) reply = json_reply (401, bodies[i]);

      ocd_api_classify_printer (reply);
      g_assert_cmpint (reply->outcome, ==, OCD_API_INVALID_CREDENTIALS);
      assert_detail (reply, "archived");
      g_assert_cmpint (reply->printer_id, ==, -1);
    }
}

static void
test_printer_403 (void)
{
  g_autoptr(OcdApiReply) json = json_reply (403, "{\"detail\":\"You do not have permission.\"}");
  g_autoptr(OcdApiReply) html = reply_new (403, "text/html", "<html><body>Forbidden</body></html>", -1);

  /* A JSON 403 is the API refusing the token; an HTML one is some proxy. */
  ocd_api_classify_printer (json);
  g_assert_cmpint (json->outcome, ==, OCD_API_INVALID_CREDENTIALS);
  ocd_api_classify_printer (html);
  g_assert_cmpint (html->outcome, ==, OCD_API_UNEXPECTED);
  assert_detail (html, "403");
  assert_detail (html, "text/html");
}

static void
test_printer_other_answers (void)
{
  g_autoptr(OcdApiReply) server_error = reply_new (500, "text/html", "<h1>Server Error (500)</h1>", -1);
  g_autoptr(OcdApiReply) not_found = reply_new (404, "text/html", HTML, -1);
  g_autoptr(OcdApiReply) redirect = reply_new (302, "text/html", "", -1);
  g_autoptr(OcdApiReply) portal = reply_new (200, "text/html", HTML, -1);
  g_autoptr(OcdApiReply) no_type = reply_new (502, NULL, NULL, 0);
  g_autoptr(OcdApiReply) throttled = json_reply (429, "{\"detail\":\"Request was throttled.\"}");

  /* A 5xx: the server was reached and failed; not "not Obico's". */
  ocd_api_classify_printer (server_error);
  g_assert_cmpint (server_error->outcome, ==, OCD_API_SERVER_ERROR);
  assert_detail (server_error, "500");
  assert_detail (server_error, "reached but failed");

  ocd_api_classify_printer (not_found);
  g_assert_cmpint (not_found->outcome, ==, OCD_API_UNEXPECTED);
  assert_detail (not_found, "404");

  /* A captive portal's redirect is reported, not followed. */
  ocd_api_classify_printer (redirect);
  g_assert_cmpint (redirect->outcome, ==, OCD_API_UNEXPECTED);
  assert_detail (redirect, "302");
  assert_detail (redirect, "redirect");

  ocd_api_classify_printer (portal);
  g_assert_cmpint (portal->outcome, ==, OCD_API_UNEXPECTED);

  ocd_api_classify_printer (no_type);
  g_assert_cmpint (no_type->outcome, ==, OCD_API_SERVER_ERROR);
  assert_detail (no_type, "502");

  throttled->retry_after = 60;
  ocd_api_classify_printer (throttled);
  g_assert_cmpint (throttled->outcome, ==, OCD_API_UNEXPECTED);
  assert_detail (throttled, "60 seconds");
}

/* Without credentials (Diagnose() when no printer is linked): only a 401
 * or 403 with a JSON body is an Obico server asking for them. */
static void
test_printer_anonymous (void)
{
  static const struct {
    guint status;
    const char *content_type, *body;
    OcdApiOutcome outcome;
    const char *fragment;
  } cases[] = {
    { 401, "application/json", "{\"detail\":\"Authentication credentials were not provided.\"}",
      OCD_API_INVALID_CREDENTIALS, "as an Obico server does" },
    { 403, "application/json", "{\"detail\":\"Authentication credentials were not provided.\"}",
      OCD_API_INVALID_CREDENTIALS, "as an Obico server does" },
    { 401, "text/html", "<html><body>Login required</body></html>", OCD_API_UNEXPECTED, "401" },
    { 200, "text/html", NULL, OCD_API_UNEXPECTED, "200" },
    /* Whatever gives a printer to anyone, it is not Obico's API. */
    { 200, "application/json", NULL, OCD_API_UNEXPECTED, "200" },
    { 503, "text/html", "<html>Maintenance</html>", OCD_API_SERVER_ERROR, "503" },
    { 404, "text/html", NULL, OCD_API_UNEXPECTED, "404" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *body = cases[i].body != NULL ? cases[i].body
                         : strstr (cases[i].content_type, "json") != NULL ? PRINTER_OK : HTML;
      g_autoptr(OcdApiReply) reply = reply_new (cases[i].status, cases[i].content_type, body, -1);

      g_test_message ("%u %s", cases[i].status, cases[i].content_type);
      reply->anonymous = TRUE;
      ocd_api_classify_printer (reply);
      g_assert_cmpint (reply->outcome, ==, cases[i].outcome);
      g_assert_cmpint (reply->printer_id, ==, -1);
      assert_detail (reply, cases[i].fragment);
    }
}

static void
test_printer_bad_json (void)
{
  const char *bodies[] = {
    "[1, 2, 3]",
    "\"printer\"",
    "null",
    "42",
    "{\"printer\":{\"id\":42",         /* cut short */
    "{\"printer\":{\"id\":42}} trailing",
    "",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(OcdApiReply) reply = json_reply (200, bodies[i]);

      g_test_message ("%s", bodies[i]);
      ocd_api_classify_printer (reply);
      g_assert_cmpint (reply->outcome, ==, OCD_API_UNEXPECTED);
    }

}

static char *
nested (const char *open, const char *close, gsize size)
{
  gsize levels = size / (strlen (open) + strlen (close));
  GString *s = g_string_sized_new (size);

  for (gsize i = 0; i < levels; i++)
    g_string_append (s, open);
  for (gsize i = 0; i < levels; i++)
    g_string_append (s, close);
  return g_string_free (s, FALSE);
}

static void
test_printer_deep_json (void)
{
  /* A hostile or misdirected server's deeply nested JSON, as large as a
   * body may be: json-glib 1.6 recurses once per level.  Run in a child,
   * so a crash is reported instead of ending the whole test program. */
  if (g_test_subprocess ())
    {
      g_autofree char *arrays = nested ("[", "]", OCD_API_MAX_BODY);
      g_autofree char *objects = nested ("{\"printer\":", "}", OCD_API_MAX_BODY);
      g_autoptr(OcdApiReply) deep_arrays = json_reply (200, arrays);
      g_autoptr(OcdApiReply) deep_objects = json_reply (200, objects);

      ocd_api_classify_printer (deep_arrays);
      g_assert_cmpint (deep_arrays->outcome, ==, OCD_API_UNEXPECTED);
      ocd_api_classify_printer (deep_objects);
      g_assert_cmpint (deep_objects->outcome, ==, OCD_API_UNEXPECTED);
      return;
    }

  g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static void
test_printer_truncated (void)
{
  g_autoptr(OcdApiReply) reply = json_reply (200, PRINTER_OK);

  /* A body cut at the size limit is not trusted, even if it parses. */
  reply->truncated = TRUE;
  ocd_api_classify_printer (reply);
  g_assert_cmpint (reply->outcome, ==, OCD_API_UNEXPECTED);
}

static void
test_printer_unreachable (void)
{
  g_autoptr(OcdApiReply) reply = reply_new (0, NULL, NULL, 0);

  reply->outcome = OCD_API_UNREACHABLE;
  reply->failure = OCD_API_FAILURE_REFUSED;
  reply->detail = g_strdup ("refused.");
  ocd_api_classify_printer (reply);
  g_assert_cmpint (reply->outcome, ==, OCD_API_UNREACHABLE);
  g_assert_cmpstr (reply->detail, ==, "refused.");
  ocd_api_classify_health (reply);
  g_assert_cmpint (reply->outcome, ==, OCD_API_UNREACHABLE);
  ocd_api_classify_verify (reply);
  g_assert_cmpint (reply->outcome, ==, OCD_API_UNREACHABLE);
}

static void
test_printer_name (void)
{
  g_autofree char *long_name = g_strnfill (1000, 'n');
  g_autofree char *body = g_strdup_printf ("{\"printer\":{\"id\":1,\"name\":\"%s\"}}", long_name);
  g_autoptr(OcdApiReply) reply = json_reply (200, body);
  g_autoptr(OcdApiReply) no_name = json_reply (200, "{\"printer\":{\"id\":7,\"name\":5}}");

  ocd_api_classify_printer (reply);
  g_assert_cmpint (reply->outcome, ==, OCD_API_OK);
  g_assert_cmpuint (strlen (reply->printer_name), ==, 256);

  ocd_api_classify_printer (no_name);
  g_assert_cmpint (no_name->outcome, ==, OCD_API_OK);
  g_assert_cmpint (no_name->printer_id, ==, 7);
  g_assert_null (no_name->printer_name);
}

static void
test_verify (void)
{
  g_autoptr(OcdApiReply) ok = json_reply (200, "{\"printer\":{\"id\":9,\"name\":\"New\","
                                                "\"auth_token\":\"0123456789abcdef0123\"}}");
  g_autoptr(OcdApiReply) no_token = json_reply (200, "{\"printer\":{\"id\":9,\"name\":\"New\"}}");
  g_autoptr(OcdApiReply) token_not_string = json_reply (200, "{\"printer\":{\"id\":9,\"auth_token\":5}}");
  g_autoptr(OcdApiReply) wrong_code = json_reply (404, "{\"detail\":\"Requested resource does not exist\"}");
  g_autoptr(OcdApiReply) html_404 = reply_new (404, "text/html", HTML, -1);
  g_autoptr(OcdApiReply) server_error = reply_new (500, "text/html", "<h1>Server Error (500)</h1>", -1);
  g_autoptr(OcdApiReply) invalid = json_reply (401, INVALID_TOKEN);

  ocd_api_classify_verify (ok);
  g_assert_cmpint (ok->outcome, ==, OCD_API_OK);
  g_assert_cmpint (ok->printer_id, ==, 9);
  g_assert_cmpstr (ok->printer_name, ==, "New");
  g_assert_cmpstr (ok->token, ==, "0123456789abcdef0123");
  /* The new token never shows up in the sentence. */
  g_assert_null (strstr (ok->detail, "0123456789abcdef0123"));

  ocd_api_classify_verify (no_token);
  g_assert_cmpint (no_token->outcome, ==, OCD_API_UNEXPECTED);
  g_assert_null (no_token->token);

  ocd_api_classify_verify (token_not_string);
  g_assert_cmpint (token_not_string->outcome, ==, OCD_API_UNEXPECTED);

  ocd_api_classify_verify (wrong_code);
  g_assert_cmpint (wrong_code->outcome, ==, OCD_API_REJECTED);
  assert_detail (wrong_code, "2 hours");

  /* A 404 page of a web server is not Obico rejecting the code. */
  ocd_api_classify_verify (html_404);
  g_assert_cmpint (html_404->outcome, ==, OCD_API_UNEXPECTED);

  ocd_api_classify_verify (server_error);
  g_assert_cmpint (server_error->outcome, ==, OCD_API_SERVER_ERROR);
  assert_detail (server_error, "500");

  ocd_api_classify_verify (invalid);
  g_assert_cmpint (invalid->outcome, ==, OCD_API_UNEXPECTED);
}

static void
test_health (void)
{
  static const struct {
    guint status;
    const char *body;
    OcdApiOutcome outcome;
  } cases[] = {
    { 200, "Okay", OCD_API_OK },
    { 200, "Okay\n", OCD_API_OK },
    { 200, "okay", OCD_API_UNEXPECTED },
    { 200, "Oka", OCD_API_UNEXPECTED },
    { 200, "", OCD_API_UNEXPECTED },
    { 200, "<html>Okay</html>", OCD_API_UNEXPECTED },
    { 200, "Okay, but this is a long web page", OCD_API_UNEXPECTED },
    { 500, "Okay", OCD_API_SERVER_ERROR },
    { 503, "<html>Maintenance</html>", OCD_API_SERVER_ERROR },
    { 302, "", OCD_API_UNEXPECTED },
    { 404, "Not Found", OCD_API_UNEXPECTED },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(OcdApiReply) reply = reply_new (cases[i].status, "text/plain", cases[i].body, -1);

      g_test_message ("%u %s", cases[i].status, cases[i].body);
      ocd_api_classify_health (reply);
      g_assert_cmpint (reply->outcome, ==, cases[i].outcome);
      assert_detail (reply, NULL);
      /* "Okay" is known only of the open-source server: another answer
       * never says that this is not an Obico server. */
      if (reply->outcome != OCD_API_OK)
        {
          g_assert_null (strstr (reply->detail, "other than an Obico server"));
          assert_detail (reply, "printer endpoint");
        }
    }

  {
    g_autoptr(OcdApiReply) no_body = reply_new (200, "text/plain", NULL, 0);
    ocd_api_classify_health (no_body);
    g_assert_cmpint (no_body->outcome, ==, OCD_API_UNEXPECTED);
  }
}

static void
test_tls_errors (void)
{
  const GTlsCertificateFlags flags[] = {
    G_TLS_CERTIFICATE_UNKNOWN_CA, G_TLS_CERTIFICATE_BAD_IDENTITY,
    G_TLS_CERTIFICATE_NOT_ACTIVATED, G_TLS_CERTIFICATE_EXPIRED,
    G_TLS_CERTIFICATE_REVOKED, G_TLS_CERTIFICATE_INSECURE,
    G_TLS_CERTIFICATE_GENERIC_ERROR,
  };

  for (guint i = 0; i < G_N_ELEMENTS (flags); i++)
    for (guint j = 0; j < i; j++)
      g_assert_cmpstr (ocd_api_describe_tls_errors (flags[i]), !=,
                       ocd_api_describe_tls_errors (flags[j]));
  g_assert_nonnull (strstr (ocd_api_describe_tls_errors (G_TLS_CERTIFICATE_UNKNOWN_CA), "self-signed"));
  /* A wrong clock explains both at once: say so first. */
  g_assert_nonnull (strstr (ocd_api_describe_tls_errors (G_TLS_CERTIFICATE_NOT_ACTIVATED |
                                                         G_TLS_CERTIFICATE_UNKNOWN_CA), "clock"));
}

static OcdApiReply *
upgrade_reply (gboolean anonymous, guint status, gboolean accepted)
{
  OcdApiReply *reply = reply_new (status, accepted ? NULL : "text/html", NULL, 0);

  reply->endpoint = OCD_API_ENDPOINT_WEBSOCKET;
  reply->url = g_strdup ("ws://127.0.0.1:3334/ws/dev/");
  reply->anonymous = anonymous;
  reply->accepted = accepted;
  return reply;
}

static void
test_websocket (void)
{
  /* Both the watch role and Diagnose() judge an anonymous upgrade here:
   * any answer that shows the WebSocket endpoint was reached means the path
   * is open, even an upgrade that an Obico server would have refused. */
  static const struct {
    gboolean       anonymous;
    guint          status;
    gboolean       accepted;
    OcdApiOutcome  outcome;
    ObicoWebSocket verdict;
    const char    *mentions;
  } cases[] = {
    { TRUE, 403, FALSE, OCD_API_OK, OBICO_WEB_SOCKET_REACHABLE, "403" },
    { TRUE, 101, TRUE, OCD_API_OK, OBICO_WEB_SOCKET_REACHABLE, "without credentials" },
    { TRUE, 400, FALSE, OCD_API_UNEXPECTED, OBICO_WEB_SOCKET_BLOCKED, "400" },
    { TRUE, 426, FALSE, OCD_API_UNEXPECTED, OBICO_WEB_SOCKET_BLOCKED, "instead of 403" },
    { TRUE, 502, FALSE, OCD_API_UNEXPECTED, OBICO_WEB_SOCKET_BLOCKED, "/ws/dev/" },
    { TRUE, 200, FALSE, OCD_API_UNEXPECTED, OBICO_WEB_SOCKET_BLOCKED, "text/html" },
    { FALSE, 101, TRUE, OCD_API_OK, OBICO_WEB_SOCKET_CONNECTED, NULL },
    { FALSE, 403, FALSE, OCD_API_INVALID_CREDENTIALS, OBICO_WEB_SOCKET_REJECTED, "403" },
    { FALSE, 404, FALSE, OCD_API_UNEXPECTED, OBICO_WEB_SOCKET_BLOCKED, "instead of 101" },
    { FALSE, 302, FALSE, OCD_API_UNEXPECTED, OBICO_WEB_SOCKET_BLOCKED, "302" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(OcdApiReply) reply = upgrade_reply (cases[i].anonymous, cases[i].status,
                                                    cases[i].accepted);

      g_test_message ("%s, %u", cases[i].anonymous ? "anonymous" : "bearer", cases[i].status);
      ocd_api_classify_websocket (reply);
      g_assert_cmpint (reply->outcome, ==, cases[i].outcome);
      g_assert_cmpint (reply->websocket, ==, cases[i].verdict);
      assert_detail (reply, cases[i].mentions);
    }
}

static void
test_websocket_unreachable (void)
{
  /* No answer: blocked, and the transport's sentence stays. */
  g_autoptr(OcdApiReply) reply = upgrade_reply (TRUE, 0, FALSE);

  reply->outcome = OCD_API_UNREACHABLE;
  reply->failure = OCD_API_FAILURE_TIMEOUT;
  reply->detail = g_strdup ("timed out.");
  ocd_api_classify_websocket (reply);
  g_assert_cmpint (reply->outcome, ==, OCD_API_UNREACHABLE);
  g_assert_cmpint (reply->websocket, ==, OBICO_WEB_SOCKET_BLOCKED);
  g_assert_cmpstr (reply->detail, ==, "timed out.");
}

static void
test_formatters (void)
{
  g_autoptr(GInetAddress) v4 = g_inet_address_new_from_string ("192.0.2.1");
  g_autoptr(GInetAddress) v6 = g_inet_address_new_from_string ("2001:db8::1");
  g_autofree char *a4 = ocd_api_format_address (v4, 443);
  g_autofree char *a6 = ocd_api_format_address (v6, 3334);

  g_assert_cmpstr (a4, ==, "192.0.2.1:443");
  g_assert_cmpstr (a6, ==, "[2001:db8::1]:3334");
  g_assert_cmpstr (ocd_api_format_tls_version (G_TLS_PROTOCOL_VERSION_TLS_1_3), ==, "TLS 1.3");
  g_assert_cmpstr (ocd_api_format_tls_version (G_TLS_PROTOCOL_VERSION_TLS_1_2), ==, "TLS 1.2");
  g_assert_cmpstr (ocd_api_format_tls_version (G_TLS_PROTOCOL_VERSION_UNKNOWN), ==, "");
}

static void
test_failure_problem (void)
{
  /* The one table State and Diagnose() both use. */
  static const struct {
    OcdApiFailure failure;
    const char   *name;
    ObicoProblem  problem;
  } cases[] = {
    { OCD_API_FAILURE_NONE, "", OBICO_PROBLEM_NONE },
    { OCD_API_FAILURE_RESOLVE, "resolve", OBICO_PROBLEM_SERVER_ADDRESS },
    { OCD_API_FAILURE_REFUSED, "refused", OBICO_PROBLEM_SERVER_ADDRESS },
    { OCD_API_FAILURE_INVALID, "invalid", OBICO_PROBLEM_SERVER_ADDRESS },
    { OCD_API_FAILURE_TLS, "tls", OBICO_PROBLEM_TLS },
    { OCD_API_FAILURE_NETWORK, "network", OBICO_PROBLEM_INTERNET },
    { OCD_API_FAILURE_TIMEOUT, "timeout", OBICO_PROBLEM_INTERNET },
    { OCD_API_FAILURE_CLOSED, "closed", OBICO_PROBLEM_INTERNET },
    { OCD_API_FAILURE_PROTOCOL, "protocol", OBICO_PROBLEM_NOT_OBICO_SERVER },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_assert_cmpstr (ocd_api_failure_to_string (cases[i].failure), ==, cases[i].name);
      g_assert_cmpint (ocd_api_failure_problem (cases[i].failure), ==, cases[i].problem);
    }
  g_assert_cmpuint (G_N_ELEMENTS (cases), ==, OCD_API_FAILURE_INVALID + 1);
}

static void
test_reply_problem (void)
{
  /* What Diagnose() names for a REST step, as State does for Http. */
  static const struct {
    OcdApiOutcome outcome;
    OcdApiFailure failure;
    ObicoProblem  problem;
  } cases[] = {
    { OCD_API_OK, OCD_API_FAILURE_NONE, OBICO_PROBLEM_NONE },
    { OCD_API_UNREACHABLE, OCD_API_FAILURE_RESOLVE, OBICO_PROBLEM_SERVER_ADDRESS },
    { OCD_API_UNREACHABLE, OCD_API_FAILURE_TIMEOUT, OBICO_PROBLEM_INTERNET },
    { OCD_API_UNREACHABLE, OCD_API_FAILURE_TLS, OBICO_PROBLEM_TLS },
    { OCD_API_INVALID_CREDENTIALS, OCD_API_FAILURE_NONE, OBICO_PROBLEM_INVALID_CREDENTIALS },
    { OCD_API_REJECTED, OCD_API_FAILURE_NONE, OBICO_PROBLEM_NOT_OBICO_SERVER },
    { OCD_API_UNEXPECTED, OCD_API_FAILURE_NONE, OBICO_PROBLEM_NOT_OBICO_SERVER },
    { OCD_API_UNEXPECTED, OCD_API_FAILURE_PROTOCOL, OBICO_PROBLEM_NOT_OBICO_SERVER },
    { OCD_API_SERVER_ERROR, OCD_API_FAILURE_NONE, OBICO_PROBLEM_SERVER_ERROR },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      OcdApiReply reply = { .outcome = cases[i].outcome, .failure = cases[i].failure };

      g_assert_cmpint (ocd_api_reply_problem (&reply), ==, cases[i].problem);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/api/printer/ok", test_printer_ok);
  g_test_add_func ("/api/printer/without-id", test_printer_without_id);
  g_test_add_func ("/api/printer/401", test_printer_401);
  g_test_add_func ("/api/printer/403", test_printer_403);
  g_test_add_func ("/api/printer/other-answers", test_printer_other_answers);
  g_test_add_func ("/api/printer/anonymous", test_printer_anonymous);
  g_test_add_func ("/api/printer/bad-json", test_printer_bad_json);
  g_test_add_func ("/api/printer/deep-json", test_printer_deep_json);
  g_test_add_func ("/api/printer/truncated", test_printer_truncated);
  g_test_add_func ("/api/printer/unreachable", test_printer_unreachable);
  g_test_add_func ("/api/printer/name", test_printer_name);
  g_test_add_func ("/api/verify", test_verify);
  g_test_add_func ("/api/health", test_health);
  g_test_add_func ("/api/tls-errors", test_tls_errors);
  g_test_add_func ("/api/failure-problem", test_failure_problem);
  g_test_add_func ("/api/reply-problem", test_reply_problem);
  g_test_add_func ("/api/websocket", test_websocket);
  g_test_add_func ("/api/websocket/unreachable", test_websocket_unreachable);
  g_test_add_func ("/api/formatters", test_formatters);
  return g_test_run ();
}
