/* oc-fix.c — the guided fixes of docs/guided-fixes.md and the decision tree between them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "oc-fix.h"

/* Indexed by ObicoFix, whose nicks are the contract with the daemon (Problem,
 * Diagnose fixes) and scripts (app.show-fix). */
static const OcFix fixes[] = {
  [OBICO_FIX_NOT_LINKED] = { OBICO_FIX_NOT_LINKED, "insert-link-symbolic",
    N_("This printer is not linked to an Obico account yet. In the Obico app, add a printer and choose "
       "to link it manually: the app shows a 6-digit code, to enter as below."),
    OC_FIX_ACTION_LINK },
  [OBICO_FIX_SERVER_ADDRESS] = { OBICO_FIX_SERVER_ADDRESS, "network-server-symbolic",
    N_("The server could not be contacted and its address looks wrong. With the Obico Cloud the address "
       "is https://app.obico.io. With a self-hosted server it is https://your-host:port, the address you "
       "open in a web browser."),
    OC_FIX_ACTION_SERVER_URL },
  [OBICO_FIX_INTERNET] = { OBICO_FIX_INTERNET, "network-offline-symbolic",
    N_("The server address looks right, but the server could not be reached. Check the network cable or "
       "Wi-Fi, check that the router is online, and try to open the server from this computer, for "
       "example with “curl -I https://app.obico.io/hc/”."),
    OC_FIX_ACTION_TEST_AGAIN },
  [OBICO_FIX_TLS] = { OBICO_FIX_TLS, "security-low-symbolic",
    N_("The secure (TLS) connection to the server could not be set up. The server’s certificate may have "
       "expired, be self-signed or be made out for another name. If the clock of this computer is wrong, "
       "every certificate looks invalid: a Raspberry Pi without network time often has a wrong date."),
    OC_FIX_ACTION_TEST_AGAIN },
  [OBICO_FIX_NOT_OBICO_SERVER] = { OBICO_FIX_NOT_OBICO_SERVER, "web-browser-symbolic",
    N_("Something answers at this address, but not the way an Obico server does. The address probably "
       "points at a Wi-Fi login page, an ordinary web site, or a reverse proxy that does not pass on the "
       "/api route."),
    OC_FIX_ACTION_SERVER_URL },
  [OBICO_FIX_INVALID_CREDENTIALS] = { OBICO_FIX_INVALID_CREDENTIALS, "dialog-password-symbolic",
    N_("The server no longer accepts the credentials this printer was linked with. This happens when the "
       "printer was deleted in the Obico app, when it was archived because the plan allows fewer "
       "printers, when the SD card was copied to another machine, or when the server address was changed "
       "between the Obico Cloud and a self-hosted server: credentials one server issued are invalid at "
       "the other."),
    OC_FIX_ACTION_CHOOSE_CAUSE },
  [OBICO_FIX_RELINK] = { OBICO_FIX_RELINK, "insert-link-symbolic",
    N_("Linking again takes less than two minutes. In the Obico app, add the printer again and choose to "
       "link it manually, then enter the 6-digit code the app shows."),
    OC_FIX_ACTION_LINK },
  [OBICO_FIX_UNARCHIVE] = { OBICO_FIX_UNARCHIVE, "folder-open-symbolic",
    N_("An archived printer is not deleted. Obico archives the printers beyond the limit of your plan: on "
       "the Free plan the first printer is archived within 24 hours of adding a second one. Change the "
       "plan or remove another printer, unarchive this one in the Obico app, then test again."),
    OC_FIX_ACTION_TEST_AGAIN },
  [OBICO_FIX_SHARED_CREDENTIALS] = { OBICO_FIX_SHARED_CREDENTIALS, "edit-copy-symbolic",
    N_("Two devices or two programs use the same credentials, so the server blocked them. This happens "
       "when an SD card is copied. Link this printer again with a new code, and do the same on every "
       "copy."),
    OC_FIX_ACTION_LINK },
  [OBICO_FIX_STILL_INVALID] = { OBICO_FIX_STILL_INVALID, "dialog-question-symbolic",
    N_("The server refused the credentials right after the printer was linked again. This is unusual and "
       "needs a person to look at it."),
    OC_FIX_ACTION_NONE },
  [OBICO_FIX_WEBSOCKET_BLOCKED] = { OBICO_FIX_WEBSOCKET_BLOCKED, "network-no-route-symbolic",
    N_("The server answers ordinary requests, but the live (WebSocket) connection does not get through. A "
       "firewall or a reverse proxy blocks it. For a self-hosted server, the proxy must pass the Upgrade "
       "and Connection headers on /ws/."),
    OC_FIX_ACTION_TEST_AGAIN },
  [OBICO_FIX_UNRELIABLE_NETWORK] = { OBICO_FIX_UNRELIABLE_NETWORK, "network-wireless-signal-weak-symbolic",
    N_("Some contacts with the server fail. The connectivity report shows how often. On Wi-Fi, use a "
       "network cable if you can, move the printer closer to the router, or add a repeater."),
    OC_FIX_ACTION_REPORT },
  [OBICO_FIX_NO_CONNECTIVITY] = { OBICO_FIX_NO_CONNECTIVITY, "network-error-symbolic",
    N_("Every contact with the server fails. Check name resolution (DNS), routing, the firewall and the "
       "network adapter of this computer."),
    OC_FIX_ACTION_REPORT },
  [OBICO_FIX_UNDETECTED] = { OBICO_FIX_UNDETECTED, "face-uncertain-symbolic",
    N_("The self-diagnosis found nothing wrong: the server answers, the credentials are valid and the "
       "live connection is up. If the printer still shows as offline, turn on debug logging, make the "
       "problem happen again, then make a support report."),
    OC_FIX_ACTION_DEBUG_LOGGING },
  [OBICO_FIX_DEBUG_LOGGING] = { OBICO_FIX_DEBUG_LOGGING, "utilities-terminal-symbolic",
    N_("With debug logging on, the service writes detailed messages to the system journal "
       "(journalctl -u obico-connectd). The recent lines are shown here, without the printer’s token."),
    OC_FIX_ACTION_DEBUG_LOGGING },
  [OBICO_FIX_GET_HELP] = { OBICO_FIX_GET_HELP, "help-browser-symbolic",
    N_("Make a support report: one text file with the versions, the configuration without the token, the "
       "last test and diagnosis, the connectivity report and recent log lines. Then ask the Obico community "
       "or Obico support, below, and attach the report to your request."),
    OC_FIX_ACTION_SUPPORT_REPORT },
  [OBICO_FIX_SERVER_ERROR] = { OBICO_FIX_SERVER_ERROR, "dialog-warning-symbolic",
    N_("The server was reached, but it failed to answer (an error 5xx). The address is right, and nothing "
       "on this printer needs to change."),
    OC_FIX_ACTION_TEST_AGAIN },
  [OBICO_FIX_WEAK_WIFI] = { OBICO_FIX_WEAK_WIFI, "network-wireless-signal-weak-symbolic",
    N_("Most of the recent drops happened while the Wi-Fi signal was weak. Move the printer, or its "
       "Raspberry Pi, closer to the router, turn its antenna or take the Pi out of a metal case, use a "
       "5 GHz network if the router has one and the printer is close to it, add a repeater, or use a "
       "network cable."),
    OC_FIX_ACTION_REPORT },
  [OBICO_FIX_WIFI_POWER_SAVE] = { OBICO_FIX_WIFI_POWER_SAVE, "network-wireless-acquiring-symbolic",
    N_("Most of the recent drops happened while Wi-Fi power saving was on. It lets the Wi-Fi sleep and "
       "drops connections that are idle for a while, as the one to the server often is. A printer is "
       "plugged in: turn power saving off for this Wi-Fi connection."),
    OC_FIX_ACTION_WIFI_POWER_SAVE },
  [OBICO_FIX_UNDER_VOLTAGE] = { OBICO_FIX_UNDER_VOLTAGE, "battery-caution-symbolic",
    N_("The Raspberry Pi reported under-voltage when the connection dropped: its power supply gives too "
       "little, and the Wi-Fi and USB are the first to fail. Use the official Raspberry Pi power supply "
       "(or one of at least 5.1 V and the current your model needs) with a short, thick cable, and do "
       "not power the Pi from the printer's board or a USB port."),
    OC_FIX_ACTION_REPORT },
  [OBICO_FIX_CLOCK] = { OBICO_FIX_CLOCK, "preferences-system-time-symbolic",
    N_("The clock of this computer is wrong and not synchronized with network time. A Raspberry Pi has "
       "no clock that runs while it is off: without network time (NTP) it starts with an old date, and "
       "then every certificate looks invalid and secure connections fail. Turn on network time."),
    OC_FIX_ACTION_NTP },
  [OBICO_FIX_IPV6_BROKEN] = { OBICO_FIX_IPV6_BROKEN, "network-error-symbolic",
    N_("The server has an IPv6 address and this network offers IPv6, but connections over IPv6 do not get "
       "through, while IPv4 works. Every new connection may first wait for IPv6 to fail. Fix IPv6 in the "
       "router or ask the Internet provider, or turn IPv6 off for this computer’s network connection "
       "(NetworkManager: IPv6 method “Disabled”), then test again."),
    OC_FIX_ACTION_TEST_AGAIN },
  [OBICO_FIX_DNS] = { OBICO_FIX_DNS, "network-server-symbolic",
    N_("The server answers at its IP address, but looking up its name fails or is slow: the DNS server "
       "this computer asks (named in the diagnosis) does not answer properly. Use the router’s DNS "
       "server, or a public one such as 1.1.1.1 or 9.9.9.9, in the network settings, then test again."),
    OC_FIX_ACTION_TEST_AGAIN },
  [OBICO_FIX_PROXY] = { OBICO_FIX_PROXY, "network-vpn-symbolic",
    N_("This computer reaches the server through a proxy (named in the diagnosis). The proxy passes "
       "ordinary requests but not the live (WebSocket) connection. Let the proxy pass WebSockets (the "
       "Upgrade header, or CONNECT to the server’s port), or, if the server can be reached directly, add "
       "it to no_proxy or remove the proxy setting, then test again."),
    OC_FIX_ACTION_TEST_AGAIN },
  [OBICO_FIX_NO_NETWORK] = { OBICO_FIX_NO_NETWORK, "network-offline-symbolic",
    N_("This computer has no network connection, so no server can be reached: the server is not at fault. "
       "Check the Wi-Fi or the network cable of this computer and the router it uses. A Raspberry Pi that "
       "has just started may still be joining the Wi-Fi. The link comes back by itself once the network "
       "is up."),
    OC_FIX_ACTION_TEST_AGAIN },
  [OBICO_FIX_AGENT_NOT_RUNNING] = { OBICO_FIX_AGENT_NOT_RUNNING, "process-stop-symbolic",
    N_("The official Obico agent (OctoPrint with the Obico plugin, or moonraker-obico) is not running, so "
       "the Obico app shows this printer offline. Restart it: systemd starts its service again. If it "
       "stops again, its own log below says why."),
    OC_FIX_ACTION_RESTART_AGENT },
  [OBICO_FIX_AGENT_NOT_CONNECTED] = { OBICO_FIX_AGENT_NOT_CONNECTED, "network-offline-symbolic",
    N_("The official Obico agent runs, but holds no connection to the server, so the Obico app shows this "
       "printer offline. Diagnose checks each layer between this printer and the server; the agent’s own "
       "log lines below usually name what failed."),
    OC_FIX_ACTION_AGENT_CONNECTION },
  [OBICO_FIX_AGENT_NOT_REPORTING] = { OBICO_FIX_AGENT_NOT_REPORTING, "content-loading-symbolic",
    N_("The official Obico agent is connected, but has sent no status for over two minutes, so the Obico "
       "app shows this printer offline. Its status loop has most likely stopped, a known fault that a "
       "restart of the agent clears."),
    OC_FIX_ACTION_RESTART_AGENT },
};

/* Every change the app asks of the daemon; a fix page's remedy button is one
 * of them. */
static const OcChange changes[] = {
  { "link", "Link", "s", OC_FIX_ACTION_NONE, NULL, FALSE },
  { "set-server-url", "SetServerUrl", "s", OC_FIX_ACTION_NONE, NULL, FALSE },
  { "reset-errors", "ResetErrors", NULL, OC_FIX_ACTION_NONE, NULL, FALSE },
  { "turn-off-wifi-power-save", "TurnOffWifiPowerSave", NULL, OC_FIX_ACTION_WIFI_POWER_SAVE,
    N_("_Turn Off Power Saving"), FALSE },
  { "turn-on-network-time", "TurnOnNetworkTime", NULL, OC_FIX_ACTION_NTP, N_("_Turn On Network Time"), FALSE },
  /* the agent takes a moment to connect after a restart: the status page shows
   * it coming back, rather than a fix for a state about to pass */
  { "restart-agent", "RestartAgent", NULL, OC_FIX_ACTION_RESTART_AGENT, N_("_Restart the Agent"), TRUE },
};

const OcChange *
oc_fix_get_changes (guint *n_changes)
{
  *n_changes = G_N_ELEMENTS (changes);
  return changes;
}

/* The change a fix page with @action offers as its remedy, or NULL. */
const OcChange *
oc_fix_change_for (OcFixAction action)
{
  for (guint i = 0; i < G_N_ELEMENTS (changes); i++)
    if (action != OC_FIX_ACTION_NONE && changes[i].offered_by == action)
      return &changes[i];

  return NULL;
}

const OcFix *
oc_fix_lookup (ObicoFix fix)
{
  if ((guint) fix >= G_N_ELEMENTS (fixes))
    return NULL;

  return &fixes[fix];
}

const OcFix *
oc_fix_get_all (guint *n_fixes)
{
  *n_fixes = G_N_ELEMENTS (fixes);
  return fixes;
}

/* The fix id, as on the bus and in app.show-fix. */
const char *
oc_fix_id (const OcFix *fix)
{
  return obico_fix_to_string (fix->fix);
}

/* The page for the daemon's Problem; none when there is no problem. */
const OcFix *
oc_fix_for_problem (ObicoProblem problem)
{
  if (problem == OBICO_PROBLEM_NONE)
    return NULL;

  return oc_fix_lookup (obico_problem_to_fix (problem));
}

/* Diagnose's reply: the first of its fixes this app has a page for, or else
 * the page of its problem. */
const OcFix *
oc_fix_after_diagnosis (ObicoProblem        problem,
                        const char * const *fixes_offered)
{
  for (guint i = 0; fixes_offered != NULL && fixes_offered[i] != NULL; i++)
    {
      ObicoFix fix;

      if (obico_read_fix (fixes_offered[i], &fix))
        return oc_fix_lookup (fix);
    }

  return oc_fix_for_problem (problem);
}

/* The guide's step 3 after a TEST that succeeded: the "Connection to server"
 * row. A named cause of a WebSocket failure beats the error rate it drives up. */
static const OcFix *
fix_for_connection (const OcTestOutcome *outcome)
{
  ObicoState state = outcome->state;
  ObicoProblem problem = outcome->problem;

  if (state == OBICO_STATE_UNLINKED)
    return oc_fix_lookup (OBICO_FIX_NOT_LINKED);
  if (state == OBICO_STATE_OKAY)
    return oc_fix_lookup (OBICO_FIX_UNDETECTED);
  if (problem == OBICO_PROBLEM_SHARED_CREDENTIALS || outcome->websocket == OBICO_WEB_SOCKET_SHARED_CREDENTIALS)
    return oc_fix_lookup (OBICO_FIX_SHARED_CREDENTIALS);
  /* a proxy that passes HTTP but not the WebSocket */
  if (problem == OBICO_PROBLEM_PROXY)
    return oc_fix_lookup (OBICO_FIX_PROXY);
  /* the server is fine; the official agent is not */
  if (problem == OBICO_PROBLEM_AGENT_NOT_RUNNING || problem == OBICO_PROBLEM_AGENT_NOT_CONNECTED ||
      problem == OBICO_PROBLEM_AGENT_NOT_REPORTING)
    return oc_fix_for_problem (problem);
  if (state == OBICO_STATE_DISCONNECTED || problem == OBICO_PROBLEM_WEBSOCKET_BLOCKED ||
      (state == OBICO_STATE_ERROR && outcome->websocket == OBICO_WEB_SOCKET_BLOCKED))
    return oc_fix_lookup (OBICO_FIX_WEBSOCKET_BLOCKED);
  if (state == OBICO_STATE_ERROR)
    {
      if (outcome->severity == OBICO_SEVERITY_TOTAL || problem == OBICO_PROBLEM_NO_CONNECTIVITY)
        return oc_fix_lookup (OBICO_FIX_NO_CONNECTIVITY);
      /* the daemon named what the drops share */
      if (problem == OBICO_PROBLEM_WEAK_WIFI || problem == OBICO_PROBLEM_WIFI_POWER_SAVE ||
          problem == OBICO_PROBLEM_UNDER_VOLTAGE || problem == OBICO_PROBLEM_CLOCK ||
          problem == OBICO_PROBLEM_IPV6_BROKEN || problem == OBICO_PROBLEM_DNS)
        return oc_fix_for_problem (problem);
      return oc_fix_lookup (OBICO_FIX_UNRELIABLE_NETWORK);
    }

  /* still connecting: nothing to fix (yet) */
  return NULL;
}

/* The guide's branches after the TEST button. NULL means there is nothing to fix
 * (yet): the connection is still being set up. */
const OcFix *
oc_fix_after_test (const OcTestOutcome *outcome)
{
  const OcFix *fix;

  switch (outcome->result)
    {
    case OBICO_TEST_RESULT_NOT_LINKED:
      return oc_fix_lookup (OBICO_FIX_NOT_LINKED);

    case OBICO_TEST_RESULT_FAILED_TO_CONTACT:
      /* no network on this host: nothing about the server or its address */
      if (outcome->problem == OBICO_PROBLEM_NO_NETWORK)
        return oc_fix_lookup (OBICO_FIX_NO_NETWORK);
      /* the Diagnose tells a wrong address from a network problem */
      fix = outcome->diagnosis_fix != NULL ? outcome->diagnosis_fix : oc_fix_for_problem (outcome->problem);
      if (fix != NULL &&
          (fix->fix == OBICO_FIX_SERVER_ADDRESS || fix->fix == OBICO_FIX_TLS ||
           fix->fix == OBICO_FIX_NOT_OBICO_SERVER || fix->fix == OBICO_FIX_CLOCK ||
           fix->fix == OBICO_FIX_DNS || fix->fix == OBICO_FIX_PROXY))
        return fix;
      return oc_fix_lookup (OBICO_FIX_INTERNET);

    case OBICO_TEST_RESULT_INVALID_CREDENTIALS:
      if (outcome->just_relinked)
        return oc_fix_lookup (OBICO_FIX_STILL_INVALID);
      if (outcome->problem == OBICO_PROBLEM_SHARED_CREDENTIALS)
        return oc_fix_lookup (OBICO_FIX_SHARED_CREDENTIALS);
      return oc_fix_lookup (OBICO_FIX_INVALID_CREDENTIALS);

    case OBICO_TEST_RESULT_UNEXPECTED_RESPONSE:
      /* a 5xx is an answer too, but from a server that fails, not a foreign one */
      if (outcome->problem == OBICO_PROBLEM_SERVER_ERROR)
        return oc_fix_lookup (OBICO_FIX_SERVER_ERROR);
      return oc_fix_lookup (OBICO_FIX_NOT_OBICO_SERVER);

    case OBICO_TEST_RESULT_SUCCEEDED:
    default:
      /* a result from a newer daemon: the connection's state still tells */
      return fix_for_connection (outcome);
    }
}
