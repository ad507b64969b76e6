/* oc-fix.c — the guided fixes of docs/guided-fixes.md and the decision tree between them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "oc-fix.h"

/* The ids are the contract with the daemon (Problem, Diagnose fixes) and scripts. */
static const OcFix fixes[] = {
  { "not-linked", "insert-link-symbolic",
    N_("Link This Printer"),
    N_("This printer is not linked to an Obico account yet. In the Obico app, add a printer and choose "
       "to link it manually: the app shows a 6-digit code. Enter that code here."),
    OC_FIX_ACTION_LINK },
  { "server-address", "network-server-symbolic",
    N_("Check the Server Address"),
    N_("The server could not be contacted and its address looks wrong. With the Obico Cloud the address "
       "is https://app.obico.io. With a self-hosted server it is https://your-host:port, the address you "
       "open in a web browser."),
    OC_FIX_ACTION_SERVER_URL },
  { "internet", "network-offline-symbolic",
    N_("Check the Internet Connection"),
    N_("The server address looks right, but the server could not be reached. Check the network cable or "
       "Wi-Fi, check that the router is online, and try to open the server from this computer, for "
       "example with “curl -I https://app.obico.io/hc/”."),
    OC_FIX_ACTION_TEST_AGAIN },
  { "tls", "security-low-symbolic",
    N_("Secure Connection Failed"),
    N_("The secure (TLS) connection to the server could not be set up. The server’s certificate may have "
       "expired, be self-signed or be made out for another name. If the clock of this computer is wrong, "
       "every certificate looks invalid: a Raspberry Pi without network time often has a wrong date."),
    OC_FIX_ACTION_TEST_AGAIN },
  { "not-obico-server", "web-browser-symbolic",
    N_("This Is Not an Obico Server"),
    N_("Something answers at this address, but not the way an Obico server does. The address probably "
       "points at a Wi-Fi login page, an ordinary web site, or a reverse proxy that does not pass on the "
       "/api route."),
    OC_FIX_ACTION_SERVER_URL },
  { "invalid-credentials", "dialog-password-symbolic",
    N_("Credentials Refused"),
    N_("The server no longer accepts the credentials this printer was linked with. This happens when the "
       "printer was deleted in the Obico app, when it was archived because the plan allows fewer "
       "printers, or when the SD card was copied to another machine."),
    OC_FIX_ACTION_CHOOSE_CAUSE },
  { "relink", "insert-link-symbolic",
    N_("Link the Printer Again"),
    N_("Linking again takes less than two minutes. In the Obico app, add the printer again and choose to "
       "link it manually, then enter the 6-digit code the app shows."),
    OC_FIX_ACTION_LINK },
  { "unarchive", "folder-open-symbolic",
    N_("Unarchive the Printer"),
    N_("An archived printer is not deleted. Obico archives the printers beyond the limit of your plan: on "
       "the Free plan the first printer is archived within 24 hours of adding a second one. Change the "
       "plan or remove another printer, unarchive this one in the Obico app, then test again."),
    OC_FIX_ACTION_TEST_AGAIN },
  { "shared-credentials", "edit-copy-symbolic",
    N_("Credentials Used Twice"),
    N_("Two devices or two programs use the same credentials, so the server blocked them. This happens "
       "when an SD card is copied. Link this printer again with a new code, and do the same on every "
       "copy."),
    OC_FIX_ACTION_LINK },
  { "still-invalid", "dialog-question-symbolic",
    N_("Still Refused After Linking Again"),
    N_("The server refused the credentials right after the printer was linked again. This is unusual and "
       "needs a person to look at it."),
    OC_FIX_ACTION_NONE },
  { "websocket-blocked", "network-no-route-symbolic",
    N_("The Live Connection Is Blocked"),
    N_("The server answers ordinary requests, but the live (WebSocket) connection does not get through. A "
       "firewall or a reverse proxy blocks it. For a self-hosted server, the proxy must pass the Upgrade "
       "and Connection headers on /ws/."),
    OC_FIX_ACTION_TEST_AGAIN },
  { "unreliable-network", "network-wireless-signal-weak-symbolic",
    N_("The Network Is Unreliable"),
    N_("Some contacts with the server fail. The connectivity report shows how often. On Wi-Fi, use a "
       "network cable if you can, move the printer closer to the router, or add a repeater."),
    OC_FIX_ACTION_REPORT },
  { "no-connectivity", "network-error-symbolic",
    N_("Nothing Gets Through"),
    N_("Every contact with the server fails. Check name resolution (DNS), routing, the firewall and the "
       "network adapter of this computer."),
    OC_FIX_ACTION_REPORT },
  { "undetected", "face-uncertain-symbolic",
    N_("No Problem Found"),
    N_("The self-diagnosis found nothing wrong: the server answers, the credentials are valid and the "
       "live connection is up. If the printer still shows as offline, turn on debug logging, make the "
       "problem happen again, then make a support report."),
    OC_FIX_ACTION_DEBUG_LOGGING },
  { "debug-logging", "utilities-terminal-symbolic",
    N_("Debug Logging"),
    N_("With debug logging on, the service writes detailed messages to the system journal "
       "(journalctl -u obico-connectd). The recent lines are shown here, without the printer’s token."),
    OC_FIX_ACTION_DEBUG_LOGGING },
  { "get-help", "help-browser-symbolic",
    N_("Get Help From a Person"),
    N_("Make a support report: one text file with the versions, the configuration without the token, the "
       "last test and diagnosis, the connectivity report and recent log lines. Attach it to your request "
       "for help in the Obico community or to Obico support."),
    OC_FIX_ACTION_SUPPORT_REPORT },
};

const OcFix *
oc_fix_lookup (const char *id)
{
  if (id == NULL)
    return NULL;

  for (guint i = 0; i < G_N_ELEMENTS (fixes); i++)
    if (g_str_equal (fixes[i].id, id))
      return &fixes[i];

  return NULL;
}

const OcFix *
oc_fix_get_all (guint *n_fixes)
{
  *n_fixes = G_N_ELEMENTS (fixes);
  return fixes;
}

/* The daemon's Problem is a fix id, except for the state it only knows as
 * "cannot reach the server"; the guide's next question there is the internet. */
const char *
oc_fix_for_problem (const char *problem)
{
  const OcFix *fix = oc_fix_lookup (problem);

  if (fix != NULL)
    return fix->id;
  if (g_strcmp0 (problem, "server-unreachable") == 0)
    return "internet";

  return NULL;
}

const char *
oc_fix_after_diagnosis (const char         *problem,
                        const char * const *fixes_offered)
{
  for (guint i = 0; fixes_offered != NULL && fixes_offered[i] != NULL; i++)
    if (oc_fix_lookup (fixes_offered[i]) != NULL)
      return oc_fix_lookup (fixes_offered[i])->id;

  return oc_fix_for_problem (problem);
}

/* The guide's branches after the TEST button. NULL means there is nothing to fix
 * (yet): the connection is still being set up. */
const char *
oc_fix_after_test (const OcTestOutcome *outcome)
{
  const char *result = outcome->result;
  const char *state = outcome->state;
  const char *problem = outcome->problem;

  if (g_strcmp0 (result, "not-linked") == 0)
    return "not-linked";

  if (g_strcmp0 (result, "failed-to-contact") == 0)
    {
      const char *fix = oc_fix_after_diagnosis (outcome->diagnosis_problem, outcome->diagnosis_fixes);

      if (fix == NULL)
        fix = oc_fix_for_problem (problem);
      if (g_strcmp0 (fix, "server-address") == 0 || g_strcmp0 (fix, "tls") == 0 ||
          g_strcmp0 (fix, "not-obico-server") == 0)
        return fix;
      return "internet";
    }

  if (g_strcmp0 (result, "invalid-credentials") == 0)
    {
      if (outcome->just_relinked)
        return "still-invalid";
      if (g_strcmp0 (problem, "shared-credentials") == 0)
        return "shared-credentials";
      return "invalid-credentials";
    }

  if (g_strcmp0 (result, "unexpected-response") == 0)
    return "not-obico-server";

  /* succeeded: the guide's step 3, the "Connection to server" row. A named
   * cause of a WebSocket failure beats the error rate it drives up. */
  if (g_strcmp0 (state, "unlinked") == 0)
    return "not-linked";
  if (g_strcmp0 (state, "okay") == 0)
    return "undetected";
  if (g_strcmp0 (problem, "shared-credentials") == 0 ||
      g_strcmp0 (outcome->websocket, "shared-credentials") == 0)
    return "shared-credentials";
  if (g_strcmp0 (state, "disconnected") == 0 || g_strcmp0 (problem, "websocket-blocked") == 0 ||
      (g_strcmp0 (state, "error") == 0 && g_strcmp0 (outcome->websocket, "blocked") == 0))
    return "websocket-blocked";
  if (g_strcmp0 (state, "error") == 0)
    {
      if (g_strcmp0 (outcome->severity, "total") == 0 || g_strcmp0 (problem, "no-connectivity") == 0)
        return "no-connectivity";
      return "unreliable-network";
    }

  return NULL;
}
