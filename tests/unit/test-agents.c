/* test-agents.c — what the official agents' settings files and log lines
 * say, from their contents alone */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "ocd-agent-log.h"
#include "ocd-agent-search.h"
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

/* An agent at DEBUG logs its requests with a token this daemon may not know
 * (an old one, another agent's): the header keeps only its last 4. */
static void
test_credential_fields_redacted (void)
{
  const struct { const char *line, *kept, *gone; } cases[] = {
    { "curl -X GET -H 'Authorization: Token 9f8e7d6c5b4a39281706' https://app.obico.io/api/v1/",
      "Authorization: Token …1706'", "9f8e7d6c5b4a3928" },
    { "headers={'authorization': 'bearer AbCdEfGhIjKlMnOp.qr-st'}", "'bearer …r-st'", "AbCdEfGhIjKlMnOp" },
    { "auth_token = zyxwvutsrqponmlk", "auth_token = …nmlk", "zyxwvutsrqpo" },
    { "AUTHORIZATION=bearer 0000111122223333 and Authorization: Token 4444555566667777",
      "…3333 and Authorization: Token …7777", "44445555" },
    /* no credential: left alone */
    { "Authorization: none", "Authorization: none", NULL },
    { "authorization failed", "authorization failed", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *redacted = ocd_log_redact (cases[i].line);
      g_autofree char *again = ocd_log_redact (redacted);

      g_test_message ("%s → %s", cases[i].line, redacted);
      g_assert_nonnull (strstr (redacted, cases[i].kept));
      if (cases[i].gone != NULL)
        g_assert_null (strstr (redacted, cases[i].gone));
      g_assert_cmpstr (again, ==, redacted);
    }
}

/* GetReport's agent_log: the agent's own lines at the end of its log. */
static void
test_log_tail (void)
{
  g_autofree char *dir = g_dir_make_tmp ("obico-agent-log-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "octoprint.log", NULL);
  g_autofree char *missing = g_build_filename (dir, "none.log", NULL);
  g_autoptr(GString) log = g_string_new (NULL);
  g_auto(GStrv) tail = NULL;
  g_auto(GStrv) three = NULL;
  g_auto(GStrv) none = NULL;

  /* more than the 64 KiB read: only the end counts */
  for (guint i = 0; i < 2000; i++)
    g_string_append_printf (log, "2024-05-02 09:00:00,%03u - octoprint.plugins.obico - INFO - old line %u\n",
                            i % 1000, i);
  g_string_append (log, "2024-05-02 10:00:00,000 - octoprint.server - INFO - Listening\n"
                        "2024-05-02 10:00:01,000 - octoprint.plugins.obico - DEBUG - curl -H "
                        "'Authorization: Token 9f8e7d6c5b4a39281706' https://app.obico.io/api/v1/octo/pic/\n"
                        "2024-05-02 10:00:02,000 - octoprint.plugins.softwareupdate - INFO - check\n"
                        "2024-05-02 10:00:03,000 - octoprint.plugins.obico - WARNING - Server WS ERROR\n");
  g_assert_true (g_file_set_contents (path, log->str, log->len, NULL));

  tail = ocd_agent_log_tail (OCD_AGENT_OCTOPRINT, path, 60);
  g_assert_cmpuint (g_strv_length (tail), ==, 60);
  g_assert_nonnull (strstr (tail[59], "Server WS ERROR"));
  g_assert_nonnull (strstr (tail[58], "Authorization: Token …1706"));
  g_assert_null (strstr (tail[58], "9f8e7d6c5b4a3928"));
  g_assert_nonnull (strstr (tail[57], "old line 1999"));
  for (guint i = 0; tail[i] != NULL; i++)
    g_assert_nonnull (strstr (tail[i], "octoprint.plugins.obico"));

  three = ocd_agent_log_tail (OCD_AGENT_MOONRAKER, path, 3);
  g_assert_cmpuint (g_strv_length (three), ==, 3);
  g_assert_nonnull (strstr (three[0], "octoprint.plugins.obico - DEBUG"));
  g_assert_nonnull (strstr (three[1], "softwareupdate"));

  none = ocd_agent_log_tail (OCD_AGENT_MOONRAKER, missing, 60);
  g_assert_cmpuint (g_strv_length (none), ==, 0);

  g_unlink (path);
  g_rmdir (dir);
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

/* log-event says what the line says with a real enum type. */
static void
test_log_event_type (void)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (OCD_TYPE_AGENT_LOG_EVENT);
  g_autoptr(GTypeClass) agents_class = g_type_class_ref (OCD_TYPE_AGENTS);
  GSignalQuery query;

  g_signal_query (g_signal_lookup ("log-event", OCD_TYPE_AGENTS), &query);
  g_assert_cmpuint (query.n_params, ==, 3);
  g_assert_true (query.param_types[1] == OCD_TYPE_AGENT_LOG_EVENT);
  g_assert_true (G_TYPE_IS_ENUM (OCD_TYPE_AGENT_LOG_EVENT));
  g_assert_cmpstr (g_enum_get_value (klass, OCD_AGENT_LOG_SHARED_CREDENTIALS)->value_nick, ==,
                   "shared-credentials");
  g_assert_cmpuint (klass->n_values, ==, 4);
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

/* ---- where agents are installed: trees laid out as installers do -------- */

#define LINKED_CFG "[server]\nurl = https://app.obico.io\nauth_token = " TOKEN "\n"
#define LINKED_YAML "plugins:\n  obico:\n    auth_token: " TOKEN "\n"
#define PASSWD "root:x:0:0:root:/root:/bin/bash\n" \
               "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n" \
               "pi:x:1000:1000:,,,:/home/pi:/bin/bash\n" \
               "octoprint:x:998:998::/var/lib/octoprint:/usr/sbin/nologin\n" \
               "bob:x:1001:1001::/srv/bob:/bin/bash\n" \
               "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n" \
               "broken line\n"

static void
put (const char *root, const char *relative, const char *text)
{
  g_autofree char *path = g_build_filename (root, relative, NULL);
  g_autofree char *dir = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_SYMLINK) && g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      dir = g_dir_open (path, 0, NULL);
      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          remove_tree (child);
        }
    }
  g_remove (path);
}

typedef struct {
  char *root;
} Tree;

static void
tree_setup (Tree *tree, gconstpointer data)
{
  g_autofree char *tmp = g_dir_make_tmp ("test-agents-XXXXXX", NULL);

  g_assert_nonnull (tmp);
  tree->root = g_canonicalize_filename (tmp, NULL);
  put (tree->root, "etc/passwd", PASSWD);
}

static void
tree_teardown (Tree *tree, gconstpointer data)
{
  remove_tree (tree->root);
  g_free (tree->root);
}

/* @expected: pairs of (path inside the tree, service or NULL), then NULL */
static void
assert_places (Tree *tree, const char * const *expected)
{
  const char * const roots[] = { tree->root, NULL };
  g_autoptr(GPtrArray) places = ocd_agent_search (roots);
  guint n = 0;

  while (expected[2 * n] != NULL)
    n++;
  for (guint i = 0; i < places->len; i++)
    {
      OcdAgentPlace *place = g_ptr_array_index (places, i);
      g_autofree char *want = i < n ? g_build_filename (tree->root, expected[2 * i], NULL) : NULL;

      g_test_message ("found %s (%s)", place->path, place->service);
      g_assert_cmpstr (place->path, ==, want);
      g_assert_cmpstr (place->service, ==, expected[2 * i + 1]);
    }
  g_assert_cmpuint (places->len, ==, n);
}

/* KIAUH's multi-instance layout, moonraker-obico's own installer (a
 * suffix), the older klipper_config, services with EnvironmentFile=. */
static void
test_search_moonraker (Tree *tree, gconstpointer data)
{
  const char *expected[] = {
    "home/pi/printer_data/config/moonraker-obico.cfg", "moonraker-obico.service",
    "home/pi/printer_1_data/config/moonraker-obico.cfg", "moonraker-obico-printer_1.service",
    "home/pi/printer_2_data/config/moonraker-obico-printer_2.cfg", NULL,
    "home/pi/voron_data/config/moonraker-obico.cfg", NULL,
    "home/pi/klipper_config/moonraker-obico.cfg", NULL,
    "opt/printers/two/moonraker-obico.cfg", "moonraker-obico-two.service",
    NULL
  };

  put (tree->root, "home/pi/printer_data/config/moonraker-obico.cfg", LINKED_CFG);
  put (tree->root, "home/pi/printer_data/config/moonraker-obico-update.cfg",
       "[update_manager moonraker-obico]\ntype: git_repo\n");
  put (tree->root, "home/pi/printer_1_data/config/moonraker-obico.cfg", LINKED_CFG);
  put (tree->root, "home/pi/printer_1_data/systemd/moonraker-obico.env",
       "OBICO_ARGS=\"-m moonraker_obico.app -c /home/pi/printer_1_data/config/moonraker-obico.cfg\"\n");
  put (tree->root, "home/pi/printer_2_data/config/moonraker-obico-printer_2.cfg", LINKED_CFG);
  put (tree->root, "home/pi/printer_3_data/config/moonraker.conf", "[server]\n");
  put (tree->root, "home/pi/voron_data/config/moonraker-obico.cfg", LINKED_CFG);
  put (tree->root, "home/pi/voron_data/config/moonraker-obico.cfg.bak", LINKED_CFG);
  put (tree->root, "home/pi/voron_data/config/moonraker-obico-.cfg", LINKED_CFG);
  put (tree->root, "home/pi/notes_data", "not a directory\n");
  put (tree->root, "home/pi/klipper_config/moonraker-obico.cfg", LINKED_CFG);
  put (tree->root, "opt/printers/two/moonraker-obico.cfg", LINKED_CFG);

  /* moonraker-obico's install.sh */
  put (tree->root, "etc/systemd/system/moonraker-obico.service",
       "#Systemd service file for moonraker-obico\n[Unit]\nDescription=Moonraker-Obico\n"
       "After=network-online.target moonraker.service\n\n[Install]\nWantedBy=multi-user.target\n\n"
       "[Service]\nType=simple\nUser=pi\nWorkingDirectory=/home/pi/moonraker-obico\n"
       "ExecStart=/home/pi/moonraker-obico-env/bin/python3 -m moonraker_obico.app \\\n"
       "  -c /home/pi/printer_data/config/moonraker-obico.cfg\nRestart=always\n");
  /* KIAUH: the arguments in an environment file */
  put (tree->root, "etc/systemd/system/moonraker-obico-printer_1.service",
       "[Service]\nType=simple\nUser=pi\nWorkingDirectory=/home/pi/moonraker-obico\n"
       "EnvironmentFile=/home/pi/printer_1_data/systemd/moonraker-obico.env\n"
       "ExecStart=/home/pi/moonraker-obico-env/bin/python3 $OBICO_ARGS\n");
  put (tree->root, "etc/systemd/system/moonraker-obico-two.service",
       "[Service]\nEnvironment=CFG=/opt/printers/two/moonraker-obico.cfg\n"
       "ExecStart=/usr/bin/python3 -m moonraker_obico.app --config=${CFG}\n");
  /* Not agents, or configs that are not there */
  put (tree->root, "etc/systemd/system/klipper.service",
       "[Service]\nExecStart=/home/pi/klippy-env/bin/python /home/pi/klipper/klippy/klippy.py "
       "-c /home/pi/printer_data/config/printer.cfg\n");
  put (tree->root, "etc/systemd/system/moonraker-obico-gone.service",
       "[Service]\nExecStart=/usr/bin/python3 -m moonraker_obico.app -c /home/pi/gone/moonraker-obico.cfg\n");
  put (tree->root, "etc/systemd/system/moonraker-obico-relative.service",
       "[Service]\nExecStart=/usr/bin/python3 -m moonraker_obico.app -c moonraker-obico.cfg\n");
  put (tree->root, "etc/systemd/system/moonraker-obico-broken.service",
       "[Service]\nExecStart=/usr/bin/python3 -m moonraker_obico.app -c \"/opt/unterminated\n");
  put (tree->root, "etc/systemd/system/moonraker-obico-comment.service",
       "[Unit]\nExecStart=/usr/bin/python3 -m moonraker_obico.app -c /opt/printers/two/moonraker-obico.cfg\n"
       "[Service]\n# ExecStart=/usr/bin/python3 -m moonraker_obico.app -c /opt/printers/two/moonraker-obico.cfg\n");

  assert_places (tree, expected);
}

/* ~/.octoprint, octoprint_deploy's instances, --basedir of services, the
 * default base folder of a service's (system) user. */
static void
test_search_octoprint (Tree *tree, gconstpointer data)
{
  const char *expected[] = {
    "home/anna/.octoprint/config.yaml", NULL,
    "home/pi/.octoprint/config.yaml", "octoprint.service",
    "home/pi/.ender3/config.yaml", "ender3.service",
    "home/pi/.prusa/config.yaml", NULL,
    "root/.octoprint/config.yaml", NULL,
    "srv/bob/.octoprint/config.yaml", NULL,
    "srv/octoprint/mk4/config.yaml", "mk4.service",
    "var/lib/octoprint/.octoprint/config.yaml", "octoprint-system.service",
    NULL
  };

  put (tree->root, "home/anna/.octoprint/config.yaml", "plugins: {}\n");
  put (tree->root, "home/pi/.octoprint/config.yaml", LINKED_YAML);
  /* octoprint_deploy */
  put (tree->root, "home/pi/.ender3/config.yaml", LINKED_YAML);
  put (tree->root, "home/pi/.ender3/users.yaml", "{}\n");
  put (tree->root, "home/pi/.prusa/config.yaml", LINKED_YAML);
  put (tree->root, "home/pi/.prusa/logs/octoprint.log", "");
  put (tree->root, "home/pi/.config/config.yaml", "some: other program\n");
  put (tree->root, "home/pi/.cache/users.yaml", "{}\n");
  put (tree->root, "root/.octoprint/config.yaml", LINKED_YAML);
  put (tree->root, "srv/bob/.octoprint/config.yaml", LINKED_YAML);
  put (tree->root, "var/lib/octoprint/.octoprint/config.yaml", LINKED_YAML);
  put (tree->root, "usr/sbin/.octoprint/config.yaml", LINKED_YAML);   /* a system account's home */
  put (tree->root, "srv/octoprint/mk4/config.yaml", LINKED_YAML);

  /* OctoPi */
  put (tree->root, "etc/systemd/system/octoprint.service",
       "[Unit]\nDescription=The snappy web interface for your 3D printer\n\n[Service]\n"
       "Environment=\"LC_ALL=C.UTF-8\"\nEnvironment=\"LANG=C.UTF-8\"\nType=exec\nUser=pi\n"
       "ExecStart=/home/pi/oprint/bin/octoprint serve --host=127.0.0.1 --port=5000\n");
  /* octoprint_deploy's template, filled in */
  put (tree->root, "etc/systemd/system/ender3.service",
       "[Unit]\nDescription=The snappy web interface for your 3D printer\n\n[Service]\n"
       "Environment=\"HOST=127.0.0.1\"\nEnvironment=\"PORT=5001\"\n"
       "Environment=\"BASEDIR=/home/pi/.ender3\"\n"
       "Environment=\"CONFIGFILE=/home/pi/.ender3/config.yaml\"\nUser=pi\n"
       "ExecStart=/home/pi/OctoPrint/bin/octoprint serve --config=${CONFIGFILE} "
       "--basedir=${BASEDIR} --host=${HOST} --port=${PORT}\n");
  put (tree->root, "etc/systemd/system/mk4.service",
       "[Service]\nExecStart=-/opt/octoprint/bin/octoprint --basedir /srv/octoprint/mk4 serve\n");
  put (tree->root, "etc/systemd/system/octoprint-system.service",
       "[Service]\nUser=octoprint\nExecStart=/usr/bin/python3 -m octoprint serve\n");
  put (tree->root, "etc/systemd/system/octoprint@.service",
       "[Service]\nExecStart=/opt/octoprint/bin/octoprint serve --basedir /srv/octoprint/%i\n");
  put (tree->root, "etc/systemd/system/octoprint.service.d", "not a unit\n");

  assert_places (tree, expected);
}

/* Nothing at all, a root that is not there, and two roots. */
static void
test_search_roots (Tree *tree, gconstpointer data)
{
  g_autofree char *other = g_build_filename (tree->root, "var/lib/machines/octopi", NULL);
  g_autofree char *missing = g_build_filename (tree->root, "nowhere", NULL);
  const char * const none[] = { NULL };
  const char * const roots[] = { "", missing, "relative", tree->root, other, NULL };
  g_autoptr(GPtrArray) empty = ocd_agent_search (none);
  g_autoptr(GPtrArray) places = NULL;
  OcdAgentPlace *place;

  g_assert_cmpuint (empty->len, ==, 0);
  put (tree->root, "home/pi/printer_data/config/moonraker-obico.cfg", LINKED_CFG);
  put (other, "etc/passwd", PASSWD);
  put (other, "home/pi/.octoprint/config.yaml", LINKED_YAML);
  /* Paths in a container's services are the container's. */
  put (other, "etc/systemd/system/octoprint.service",
       "[Service]\nUser=pi\nExecStart=/home/pi/oprint/bin/octoprint serve\n");

  places = ocd_agent_search (roots);
  g_assert_cmpuint (places->len, ==, 2);
  place = g_ptr_array_index (places, 0);
  g_assert_true (g_str_has_prefix (place->path, tree->root));
  g_assert_true (g_str_has_suffix (place->path, "/home/pi/printer_data/config/moonraker-obico.cfg"));
  place = g_ptr_array_index (places, 1);
  g_assert_true (g_str_has_prefix (place->path, other));
  g_assert_true (g_str_has_suffix (place->path, "/home/pi/.octoprint/config.yaml"));
  g_assert_cmpstr (place->service, ==, "octoprint.service");
}

static GVariant *
find_agent (GVariant *agents, const char *path)
{
  for (gsize i = 0; i < g_variant_n_children (agents); i++)
    {
      g_autoptr(GVariant) agent = g_variant_get_child_value (agents, i);
      const char *agent_path = NULL;

      if (g_variant_lookup (agent, "path", "&s", &agent_path) && g_str_equal (agent_path, path))
        return g_steal_pointer (&agent);
    }
  g_error ("%s is not among the agents", path);
  return NULL;
}

static void
assert_agent (GVariant *agents, const char *path, gboolean installed, const char *service, gboolean watched)
{
  g_autoptr(GVariant) agent = find_agent (agents, path);
  gboolean b;
  const char *s;

  g_assert_true (g_variant_lookup (agent, "installed", "b", &b));
  g_assert_cmpint (b, ==, installed);
  g_assert_true (g_variant_lookup (agent, "service", "&s", &s));
  g_assert_cmpstr (s, ==, service);
  g_assert_true (g_variant_lookup (agent, "watched", "b", &b));
  g_assert_cmpint (b, ==, watched);
}

static void
on_changed (OcdAgents *agents, gpointer data)
{
  (*(guint *) data)++;
}

/* What GetReport's agents say: an agent is installed (linked or not), an
 * OctoPrint without the plugin is not; an agent installed later is found
 * when its service appears. */
static void
test_registry (Tree *tree, gconstpointer data)
{
  const char * const roots[] = { tree->root, NULL };
  g_autofree char *unlinked = g_build_filename (tree->root, "home/pi/printer_1_data/config/moonraker-obico.cfg", NULL);
  g_autofree char *plain = g_build_filename (tree->root, "home/pi/.octoprint/config.yaml", NULL);
  g_autofree char *extra = g_build_filename (tree->root, "nowhere/moonraker-obico.cfg", NULL);
  g_autofree char *later = g_build_filename (tree->root, "home/pi/printer_2_data/config/moonraker-obico.cfg", NULL);
  const char * const extras[] = { extra, NULL };
  g_autoptr(OcdAgents) agents = NULL;
  g_autoptr(GVariant) before = NULL;
  g_autoptr(GVariant) after = NULL;
  gint64 end;
  guint changed = 0;

  put (tree->root, "home/pi/printer_1_data/config/moonraker-obico.cfg", "[server]\nurl = https://app.obico.io\n");
  put (tree->root, "etc/systemd/system/moonraker-obico-printer_1.service",
       "[Service]\nExecStart=/home/pi/moonraker-obico-env/bin/python3 -m moonraker_obico.app "
       "-c /home/pi/printer_1_data/config/moonraker-obico.cfg\n");
  put (tree->root, "home/pi/.octoprint/config.yaml", "plugins:\n  softwareupdate: {}\n");

  /* Each broken one is warned about, once. */
  g_test_expect_message ("ocd-agents", G_LOG_LEVEL_WARNING, "*printer_1_data*not linked*");
  g_test_expect_message ("ocd-agents", G_LOG_LEVEL_WARNING, "*has no settings of the Obico*");
  g_test_expect_message ("ocd-agents", G_LOG_LEVEL_WARNING, "*nowhere*does not exist*");
  agents = ocd_agents_new (NULL, extras, roots);
  g_test_assert_expected_messages ();
  g_signal_connect (agents, "changed", G_CALLBACK (on_changed), &changed);
  before = ocd_agents_to_variant (agents);
  g_assert_cmpuint (g_variant_n_children (before), ==, 3);
  assert_agent (before, unlinked, TRUE, "moonraker-obico-printer_1.service", FALSE);
  assert_agent (before, plain, FALSE, "", FALSE);
  assert_agent (before, extra, FALSE, "", FALSE);
  g_assert_null (ocd_agents_get_watched (agents));
  g_assert_cmpstr (ocd_agents_get_service (agents, unlinked), ==, "moonraker-obico-printer_1.service");

  /* KIAUH adds a second instance: the config first, then its service. */
  put (tree->root, "home/pi/printer_2_data/config/moonraker-obico.cfg", LINKED_CFG);
  put (tree->root, "etc/systemd/system/moonraker-obico-printer_2.service",
       "[Service]\nExecStart=/home/pi/moonraker-obico-env/bin/python3 -m moonraker_obico.app "
       "-c /home/pi/printer_2_data/config/moonraker-obico.cfg\n");
  end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (changed == 0 && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (10000), TRUE);
  g_assert_cmpuint (changed, >, 0);
  after = ocd_agents_to_variant (agents);
  g_assert_cmpuint (g_variant_n_children (after), ==, 4);
  assert_agent (after, later, TRUE, "moonraker-obico-printer_2.service", TRUE);
  g_assert_cmpstr (ocd_agents_get_watched (agents)->path, ==, later);
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
  g_test_add_func ("/agents/credential-fields-redacted", test_credential_fields_redacted);
  g_test_add_func ("/agents/log-tail", test_log_tail);
  g_test_add_func ("/agents/kind", test_kind);
  g_test_add_func ("/agents/log-lines", test_log_lines);
  g_test_add_func ("/agents/equal", test_equal);
  g_test_add_func ("/agents/log-event-type", test_log_event_type);
  g_test_add ("/agents/search/moonraker", Tree, NULL, tree_setup, test_search_moonraker, tree_teardown);
  g_test_add ("/agents/search/octoprint", Tree, NULL, tree_setup, test_search_octoprint, tree_teardown);
  g_test_add ("/agents/search/roots", Tree, NULL, tree_setup, test_search_roots, tree_teardown);
  g_test_add ("/agents/registry", Tree, NULL, tree_setup, test_registry, tree_teardown);
  return g_test_run ();
}
