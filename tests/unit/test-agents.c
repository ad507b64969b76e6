/* test-agents.c — what the official agents' settings files and log lines
 * say, from their contents alone */
#include "config.h"

#include <string.h>

#include "ocd-agents.h"
#include "ocd-log.h"

#define TOKEN "0123456789abcdef0123"

static OcdAgent *
parse (OcdAgentKind kind, const char *text)
{
  const char *path = kind == OCD_AGENT_OCTOPRINT ? "/home/pi/.octoprint/config.yaml"
                                                 : "/home/pi/printer_data/config/moonraker-obico.cfg";
  return ocd_agent_parse (kind, path, text, strlen (text));
}

static void
assert_usable (OcdAgent *agent, const char *url, const char *token)
{
  g_assert_null (agent->error);
  g_assert_cmpstr (agent->server_url, ==, url);
  g_assert_cmpstr (agent->token, ==, token);
}

static void
assert_broken (OcdAgent *agent, const char *words)
{
  g_assert_null (agent->token);
  g_assert_nonnull (agent->error);
  if (strstr (agent->error, words) == NULL)
    g_error ("“%s” does not say “%s”", agent->error, words);
  g_assert_nonnull (strstr (agent->error, agent->path));
}

static void
test_octoprint (void)
{
  g_autoptr(OcdAgent) plain = parse (OCD_AGENT_OCTOPRINT,
                                     "plugins:\n"
                                     "  obico:\n"
                                     "    endpoint_prefix: http://obico.local:3334/\n"
                                     "    auth_token: " TOKEN "\n");
  g_autoptr(OcdAgent) cloud = parse (OCD_AGENT_OCTOPRINT,
                                     "plugins: {obico: {auth_token: '" TOKEN "'}}\n");
  g_autoptr(OcdAgent) nulled = parse (OCD_AGENT_OCTOPRINT,
                                      "tok: &t {auth_token: \"" TOKEN "\"}\n"
                                      "plugins:\r\n"
                                      "  obico: {<<: *t, auth_token: ~}\r\n");
  g_autoptr(OcdAgent) legacy = parse (OCD_AGENT_OCTOPRINT,
                                      "# ünïcödé ✓\n"
                                      "plugins:\n"
                                      "  obico:\n"
                                      "    sentry_opt: out\n"
                                      "  thespaghettidetective:\n"
                                      "    auth_token: " TOKEN "\n");
  g_autoptr(OcdAgent) logs = parse (OCD_AGENT_OCTOPRINT,
                                    "folder: {logs: /var/log/octoprint}\n"
                                    "plugins: {obico: {auth_token: " TOKEN "}}\n");

  assert_usable (plain, "http://obico.local:3334", TOKEN);
  g_assert_cmpstr (plain->log_path, ==, "/home/pi/.octoprint/logs/octoprint.log");
  assert_usable (cloud, "https://app.obico.io", TOKEN);
  /* A key of its own wins over a merged one, even when it is null. */
  assert_broken (nulled, "not linked");
  assert_usable (legacy, "https://app.obico.io", TOKEN);
  assert_usable (logs, "https://app.obico.io", TOKEN);
  g_assert_cmpstr (logs->log_path, ==, "/var/log/octoprint/octoprint.log");
}

static void
test_octoprint_merge (void)
{
  g_autoptr(OcdAgent) agent = parse (OCD_AGENT_OCTOPRINT,
                                     "base: &b {endpoint_prefix: 'https://o.example'}\n"
                                     "tok: &t {auth_token: \"" TOKEN "\"}\n"
                                     "plugins:\r\n"
                                     "  obico: {<<: [*b, *t], sentry_opt: out}\r\n");

  assert_usable (agent, "https://o.example", TOKEN);
}

static void
test_octoprint_broken (void)
{
  g_autoptr(OcdAgent) syntax = parse (OCD_AGENT_OCTOPRINT, "plugins:\n  obico: [\n");
  g_autoptr(OcdAgent) empty = parse (OCD_AGENT_OCTOPRINT, "");
  g_autoptr(OcdAgent) scalar = parse (OCD_AGENT_OCTOPRINT, "just a string\n");
  g_autoptr(OcdAgent) none = parse (OCD_AGENT_OCTOPRINT, "plugins:\n  obico:\n    pi_linked: true\n");
  g_autoptr(OcdAgent) list = parse (OCD_AGENT_OCTOPRINT, "plugins:\n  obico:\n    auth_token: [a, b]\n");
  g_autoptr(OcdAgent) spaces = parse (OCD_AGENT_OCTOPRINT, "plugins: {obico: {auth_token: 'a b c'}}\n");
  g_autoptr(OcdAgent) url = parse (OCD_AGENT_OCTOPRINT,
                                   "plugins: {obico: {auth_token: " TOKEN ", endpoint_prefix: 'gopher://x'}}\n");
  /* An alias loop must not send the lookup round in circles. */
  g_autoptr(OcdAgent) loop = parse (OCD_AGENT_OCTOPRINT, "a: &a {<<: *a}\nplugins: *a\n");

  assert_broken (syntax, "YAML");
  assert_broken (syntax, "line 3");
  assert_broken (empty, "plugins: obico:");
  assert_broken (scalar, "plugins: obico:");
  assert_broken (none, "not linked");
  assert_broken (list, "not linked");
  assert_broken (spaces, "white space");
  assert_broken (url, "server address");
  g_assert_nonnull (loop->error);
}

static void
test_moonraker (void)
{
  g_autoptr(OcdAgent) agent = parse (OCD_AGENT_MOONRAKER,
                                     "\xef\xbb\xbf# comment ✓\r\n"
                                     "[moonraker]\r\n"
                                     "auth_token = not-this-one\r\n"
                                     "[server]\r\n"
                                     "url: https://obico.example/base/ \r\n"
                                     "; auth_token = commented\r\n"
                                     "AUTH_TOKEN   =   " TOKEN "\r\n"
                                     "\r\n"
                                     "[logging]\r\n"
                                     "path = /var/log/mo.log\r\n"
                                     "level = INFO\r\n");
  g_autoptr(OcdAgent) plain = parse (OCD_AGENT_MOONRAKER, "[server]\nauth_token=" TOKEN "\n");
  g_autoptr(OcdAgent) percent = parse (OCD_AGENT_MOONRAKER,
                                       "[server]\nurl = http://h:3334/a%%20b\nauth_token = " TOKEN "\n");

  assert_usable (agent, "https://obico.example/base", TOKEN);
  g_assert_cmpstr (agent->log_path, ==, "/var/log/mo.log");
  assert_usable (plain, "https://app.obico.io", TOKEN);
  g_assert_cmpstr (plain->log_path, ==, "/home/pi/printer_data/config/../logs/moonraker-obico.log");
  assert_usable (percent, "http://h:3334/a%20b", TOKEN);
}

static void
test_moonraker_broken (void)
{
  g_autoptr(OcdAgent) none = parse (OCD_AGENT_MOONRAKER, "[server]\nurl = https://app.obico.io\n");
  g_autoptr(OcdAgent) empty = parse (OCD_AGENT_MOONRAKER, "[server]\nauth_token =\n");
  g_autoptr(OcdAgent) nosection = parse (OCD_AGENT_MOONRAKER, "auth_token = " TOKEN "\n");
  g_autoptr(OcdAgent) inline_comment = parse (OCD_AGENT_MOONRAKER,
                                              "[server]\nauth_token = " TOKEN " # linked\n");
  g_autoptr(OcdAgent) continued = parse (OCD_AGENT_MOONRAKER,
                                         "[server]\nauth_token = " TOKEN "\n  more\n");
  g_autoptr(OcdAgent) binary = ocd_agent_parse (OCD_AGENT_MOONRAKER, "/x.cfg", "[server]\n\xff\xfe", 10);

  assert_broken (none, "not linked");
  assert_broken (empty, "not linked");
  assert_broken (nosection, "not linked");
  /* configparser keeps both in the value, and so would the agent */
  assert_broken (inline_comment, "white space");
  assert_broken (continued, "white space");
  assert_broken (binary, "UTF-8");
}

static void
test_token_redacted_when_read (void)
{
  g_autoptr(OcdAgent) agent = parse (OCD_AGENT_MOONRAKER,
                                     "[server]\nauth_token = fedcba9876543210abcd\n");
  g_autofree char *redacted = ocd_log_redact ("token fedcba9876543210abcd here");

  g_assert_null (agent->error);
  g_assert_null (strstr (redacted, "fedcba9876543210abcd"));
  g_assert_nonnull (strstr (redacted, "abcd"));
}

static void
test_kind (void)
{
  g_assert_cmpint (ocd_agent_kind_for_path ("/a/config.yaml"), ==, OCD_AGENT_OCTOPRINT);
  g_assert_cmpint (ocd_agent_kind_for_path ("/a/b.yml"), ==, OCD_AGENT_OCTOPRINT);
  g_assert_cmpint (ocd_agent_kind_for_path ("/a/moonraker-obico.cfg"), ==, OCD_AGENT_MOONRAKER);
  g_assert_cmpstr (ocd_agent_kind_name (OCD_AGENT_OCTOPRINT), ==, "octoprint");
  g_assert_cmpstr (ocd_agent_kind_name (OCD_AGENT_MOONRAKER), ==, "moonraker");
}

static void
test_log_lines (void)
{
  const struct {
    OcdAgentKind kind;
    const char *line;
    OcdAgentLogEvent event;
  } cases[] = {
    { OCD_AGENT_MOONRAKER, "2024-05-02 10:00:02,000 WARNING obico.ws - WS Closed - 4321 - ",
      OCD_AGENT_LOG_SHARED_CREDENTIALS },
    { OCD_AGENT_MOONRAKER, "2024-05-02 10:00:02,001 ERROR obico.server_conn - Shared auth_token "
      "detected. Shutting down.", OCD_AGENT_LOG_SHARED_CREDENTIALS },
    { OCD_AGENT_MOONRAKER, "2024-05-02 10:00:02,001 WARNING obico.ws - Server WS ERROR: "
      "Handshake status 403 Forbidden", OCD_AGENT_LOG_HANDSHAKE },
    { OCD_AGENT_MOONRAKER, "2024-05-02 10:00:02,001 WARNING obico.server_conn - Not connected "
      "to websocket server after 120s", OCD_AGENT_LOG_HANDSHAKE },
    { OCD_AGENT_MOONRAKER, "2024-05-02 10:00:02,001 ERROR obico.app - HTTPSConnectionPool(host="
      "'app.obico.io', port=443): Max retries exceeded", OCD_AGENT_LOG_CONNECTION },
    { OCD_AGENT_MOONRAKER, "2024-05-02 10:00:02,001 WARNING obico.app - Connection refused",
      OCD_AGENT_LOG_CONNECTION },
    { OCD_AGENT_MOONRAKER, "2024-05-02 10:00:02,001 DEBUG obico.server_conn - curl -H "
      "'Authorization: Token x' … Connection refused", OCD_AGENT_LOG_NONE },
    { OCD_AGENT_MOONRAKER, "requests.exceptions.ConnectionError: Max retries exceeded",
      OCD_AGENT_LOG_NONE },
    { OCD_AGENT_MOONRAKER, "2024-05-02 10:00:02,001 INFO obico.app - printing 4321.gcode",
      OCD_AGENT_LOG_NONE },
    { OCD_AGENT_MOONRAKER, "", OCD_AGENT_LOG_NONE },
    { OCD_AGENT_OCTOPRINT, "2024-05-02 10:00:00,500 - octoprint.plugins.obico - WARNING - "
      "Server WS ERROR: Handshake status 502", OCD_AGENT_LOG_HANDSHAKE },
    { OCD_AGENT_OCTOPRINT, "2024-05-02 10:00:00,500 - octoprint.plugins.thespaghettidetective - "
      "ERROR - Shared auth_token detected.", OCD_AGENT_LOG_SHARED_CREDENTIALS },
    { OCD_AGENT_OCTOPRINT, "2024-05-02 10:00:00,500 - octoprint.plugins.softwareupdate - ERROR - "
      "Connection refused", OCD_AGENT_LOG_NONE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    if (ocd_agent_classify_log_line (cases[i].kind, cases[i].line) != cases[i].event)
      g_error ("“%s”: %d, wanted %d", cases[i].line,
               ocd_agent_classify_log_line (cases[i].kind, cases[i].line), cases[i].event);
}

static void
test_equal (void)
{
  g_autoptr(OcdAgent) a = parse (OCD_AGENT_MOONRAKER, "[server]\nauth_token = " TOKEN "\n");
  g_autoptr(OcdAgent) b = parse (OCD_AGENT_MOONRAKER, "# a comment\n[server]\nauth_token: " TOKEN "\n");
  g_autoptr(OcdAgent) c = parse (OCD_AGENT_MOONRAKER, "[server]\nauth_token = " TOKEN "9\n");

  g_assert_true (ocd_agent_equal (a, b));
  g_assert_false (ocd_agent_equal (a, c));
  g_assert_false (ocd_agent_equal (a, NULL));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/agents/octoprint", test_octoprint);
  g_test_add_func ("/agents/octoprint-merge", test_octoprint_merge);
  g_test_add_func ("/agents/octoprint-broken", test_octoprint_broken);
  g_test_add_func ("/agents/moonraker", test_moonraker);
  g_test_add_func ("/agents/moonraker-broken", test_moonraker_broken);
  g_test_add_func ("/agents/token-redacted", test_token_redacted_when_read);
  g_test_add_func ("/agents/kind", test_kind);
  g_test_add_func ("/agents/log-lines", test_log_lines);
  g_test_add_func ("/agents/equal", test_equal);
  return g_test_run ();
}
