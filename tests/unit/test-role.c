/* test-role.c — who holds the credentials: the daemon (agent role), an
 * official agent (watch role), or nobody (unlinked) */
#include "config.h"

#include "ocd-role.h"

#define DEFAULT_URL "https://app.obico.io"
#define OURS "ours-0123456789abcdef"
#define THEIRS "theirs-0123456789abcdef"

static OcdAgent octoprint = {
  .kind = OCD_AGENT_OCTOPRINT, .path = (char *) "/home/pi/.octoprint/config.yaml",
  .server_url = (char *) "https://obico.example", .token = (char *) THEIRS,
};
static OcdAgent moonraker_ours = {
  .kind = OCD_AGENT_MOONRAKER, .path = (char *) "/home/pi/printer_data/config/moonraker-obico.cfg",
  .server_url = (char *) "http://192.0.2.7:3334", .token = (char *) OURS,
};

static void
choose (const OcdStoreData *stored, OcdAgent **agents, guint n, OcdAgent *watched, OcdRole *out)
{
  g_autoptr(GPtrArray) all = g_ptr_array_new ();
  OcdRoleInputs in = { .stored = stored, .default_server_url = DEFAULT_URL, .watched = watched };

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (all, agents[i]);
  in.agents = all;
  ocd_role_choose (&in, out);
}

static void
test_unlinked (void)
{
  OcdStoreData stored = { .printer_id = -1 };
  OcdRole role;

  choose (&stored, NULL, 0, NULL, &role);
  g_assert_cmpint (role.role, ==, OBICO_ROLE_UNLINKED);
  g_assert_cmpstr (role.server_url, ==, DEFAULT_URL);
  g_assert_cmpstr (role.credential_source, ==, "");
  g_assert_cmpint (role.printer_id, ==, -1);
  g_assert_null (role.agent);
  g_assert_false (role.shared);

  /* SetServerUrl() without a link: the stored address. */
  stored.server_url = (char *) "http://192.0.2.1";
  choose (&stored, NULL, 0, NULL, &role);
  g_assert_cmpstr (role.server_url, ==, "http://192.0.2.1");
}

static void
test_agent (void)
{
  OcdStoreData stored = { .token = (char *) OURS, .printer_id = 7, .printer_name = (char *) "Voron" };
  OcdAgent *agents[] = { &octoprint };
  OcdRole role;

  /* An official agent with other credentials does not matter. */
  choose (&stored, agents, 1, &octoprint, &role);
  g_assert_cmpint (role.role, ==, OBICO_ROLE_AGENT);
  g_assert_cmpstr (role.server_url, ==, DEFAULT_URL);
  g_assert_cmpstr (role.credential_source, ==, "daemon");
  g_assert_cmpint (role.printer_id, ==, 7);
  g_assert_cmpstr (role.printer_name, ==, "Voron");
  g_assert_null (role.agent);
  g_assert_false (role.shared);
}

static void
test_watch (void)
{
  OcdStoreData stored = { .printer_id = -1 };
  OcdAgent *agents[] = { &octoprint };
  OcdRole role;

  choose (&stored, agents, 1, &octoprint, &role);
  g_assert_cmpint (role.role, ==, OBICO_ROLE_WATCH);
  g_assert_true (role.agent == &octoprint);
  g_assert_cmpstr (role.server_url, ==, "https://obico.example");
  g_assert_cmpstr (role.credential_source, ==, octoprint.path);
  g_assert_cmpint (role.printer_id, ==, -1);
  g_assert_cmpstr (role.printer_name, ==, "");
}

/* link.conf's token is an official agent's too: a session of ours would
 * knock that agent off, so only watch. */
static void
test_shared_token (void)
{
  OcdStoreData stored = { .token = (char *) OURS, .printer_id = 7, .printer_name = (char *) "Voron" };
  OcdAgent *agents[] = { &octoprint, &moonraker_ours };
  OcdRole role;

  choose (&stored, agents, 2, &moonraker_ours, &role);
  g_assert_cmpint (role.role, ==, OBICO_ROLE_WATCH);
  g_assert_true (role.shared);
  g_assert_true (role.agent == &moonraker_ours);
  g_assert_cmpstr (role.server_url, ==, "http://192.0.2.7:3334");

  /* ... and with nothing to watch, not the agent either. */
  choose (&stored, agents, 2, NULL, &role);
  g_assert_cmpint (role.role, ==, OBICO_ROLE_UNLINKED);
  g_assert_true (role.shared);
  g_assert_null (role.agent);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/role/unlinked", test_unlinked);
  g_test_add_func ("/role/agent", test_agent);
  g_test_add_func ("/role/watch", test_watch);
  g_test_add_func ("/role/shared-token", test_shared_token);
  return g_test_run ();
}
