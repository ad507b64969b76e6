"""End-to-end: the real app, the real daemon and obico-sim on a private bus,
under Xvfb at the touchscreen's 800×480 in --kiosk mode.

The app is driven the way a script (or a person) would: through its actions,
which GtkApplication exports on the session bus; what it shows is read back
with the app.dump-state action (the visible page and every visible text), and
a screenshot of each step is saved next to this test's build directory.

Run with /usr/bin/python3; meson passes OBICO_CONNECT, OBICO_CONNECTD,
OBICO_SIM, OC_TEST_OUTPUT_DIR and PYTHONPATH (for tests/harness.py).
"""
import configparser
import os
import queue
import re
import subprocess
import threading
import time

from gi.repository import Gio, GLib

from fakeagent import FakeAgent
from harness import DaemonTestCase, SLOW, VirtualScreen, main, pump
from hostfakes import Systemd

APP_ID = 'io.obico.Connect'
APP_PATH = '/io/obico/Connect'
OUTPUT_DIR = os.environ.get('OC_TEST_OUTPUT_DIR', '.')


class Screen(VirtualScreen):
    def screenshot(self, name):
        return super().screenshot(os.path.join(OUTPUT_DIR, 'e2e-%s.png' % name))


class App:
    """obico-connect --session --kiosk, with its stdout read for app.dump-state."""

    def __init__(self, bus, display):
        self.bus = bus
        env = dict(os.environ, DISPLAY=display, DBUS_SESSION_BUS_ADDRESS=bus.address,
                   GSK_RENDERER='cairo', GTK_A11Y='none', NO_AT_BRIDGE='1', GSETTINGS_BACKEND='memory',
                   LC_ALL='C.UTF-8', LANGUAGE='C')
        env.pop('WAYLAND_DISPLAY', None)
        self.stderr_path = os.path.join(OUTPUT_DIR, 'e2e-app-stderr.log')
        self._stderr = open(self.stderr_path, 'w')
        self.proc = subprocess.Popen([os.environ['OBICO_CONNECT'], '--session', '--kiosk'], env=env,
                                     stdout=subprocess.PIPE, stderr=self._stderr, text=True)
        self.lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self._wait_for_bus_name()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line.rstrip('\n'))

    def _wait_for_bus_name(self):
        end = time.monotonic() + 10 * SLOW
        while time.monotonic() < end:
            reply = self.bus.conn.call_sync('org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus',
                                            'NameHasOwner', GLib.Variant('(s)', (APP_ID,)), None,
                                            Gio.DBusCallFlags.NONE, -1, None)
            if reply.unpack()[0]:
                return
            if self.proc.poll() is not None:
                raise RuntimeError('obico-connect exited with %d' % self.proc.returncode)
            time.sleep(0.05)
        raise RuntimeError('obico-connect did not take its bus name')

    def activate(self, action, parameter=None):
        params = [parameter] if parameter is not None else []
        self.bus.conn.call_sync(APP_ID, APP_PATH, 'org.gtk.Actions', 'Activate',
                                GLib.Variant('(sava{sv})', (action, params, {})), None,
                                Gio.DBusCallFlags.NONE, 10000, None)

    def action_enabled(self, action):
        reply = self.bus.conn.call_sync(APP_ID, APP_PATH, 'org.gtk.Actions', 'Describe',
                                        GLib.Variant('(s)', (action,)), None, Gio.DBusCallFlags.NONE, 10000, None)
        return reply.unpack()[0][0]

    def dump(self):
        """{'page': …, 'busy': …, 'labels': [every visible text]}"""
        self.activate('dump-state')
        state = {'labels': []}
        while True:
            line = self.lines.get(timeout=10 * SLOW)
            if line == '--- end ---':
                return state
            key, _, value = line.partition(': ')
            if key in ('label', 'entry'):
                state['labels'].append(value)
            elif key in ('page', 'busy', 'animating'):
                state[key] = value

    def wait(self, page, *texts, timeout=20):
        """Waits until @page shows with every one of @texts, and no check is running."""
        return self.wait_any((page,), *texts, timeout=timeout)

    def wait_any(self, pages, *texts, timeout=20):
        end = time.monotonic() + timeout * SLOW
        state = None
        while time.monotonic() < end:
            state = self.dump()
            if (state.get('page') in pages and state.get('busy') == 'no' and state.get('animating') == 'no' and
                    all(t in state['labels'] for t in texts)):
                return state
            pump(0.2)
        raise AssertionError('wanted page %s with %r, got:\n%s' % (' or '.join(pages), texts, state))

    def run(self, action, parameter=None):
        """Activates an action that needs the daemon, once it is enabled."""
        end = time.monotonic() + 20 * SLOW
        while not self.action_enabled(action):
            if time.monotonic() > end:
                raise AssertionError('app.%s stayed disabled' % action)
            pump(0.1)
        self.activate(action, parameter)

    def close(self):
        if self.proc.poll() is None:
            try:
                self.activate('quit')
                self.proc.wait(10)
            except (GLib.Error, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        self._stderr.close()
        with open(self.stderr_path) as f:
            return f.read()


class AppTestCase(DaemonTestCase):
    link_first = True

    @classmethod
    def setUpClass(cls):
        cls.screen = Screen()

    @classmethod
    def tearDownClass(cls):
        cls.screen.close()

    def setUp(self):
        super().setUp()
        if self.link_first:
            self.printer_id, self.printer_name = self.link(name='Prusa MK4')
        self.app = App(self.bus, self.screen.display)

    def tearDown(self):
        stderr = self.app.close()
        for bad in ('CRITICAL', 'obico-connect-WARNING', 'oc-application-WARNING', 'oc-doctor-WARNING',
                    'actionhelper', 'ERROR: AddressSanitizer', 'runtime error:'):
            self.assertNotIn(bad, stderr, 'app stderr:\n' + stderr)
        super().tearDown()

    def shot(self, name):
        self.screen.screenshot(name)

    def assertNoRawError(self, state):
        for text in state['labels']:
            self.assertNotIn('GDBus.Error', text)
            self.assertNotIn('io.obico.Connect1.Error', text)


class TestHealthy(AppTestCase):
    def test_status_test_and_support_report(self):
        state = self.app.wait('status', 'Okay', 'Prusa MK4', self.sim.url)
        self.assertIn('Last contact', state['labels'])
        self.shot('healthy-status')

        self.app.run('test')
        state = self.app.wait('status', 'Succeeded', 'No Problem Found')
        self.assertIn('If the printer still shows as offline', state['labels'])

        self.app.run('diagnose')
        state = self.app.wait('status', 'Name resolution', 'Connection', 'Printer credentials',
                              'Live connection (WebSocket)')
        self.assertNotIn('Failed', state['labels'])
        self.shot('healthy-diagnosed')

        # the support report: everything, except the token
        path = os.path.join(self.tmp, 'support-report.txt')
        self.app.activate('save-support-report', GLib.Variant('s', path))
        self.app.wait('status', 'Support report saved')
        with open(path) as f:
            report = f.read()
        with open(os.path.join(OUTPUT_DIR, 'e2e-support-report.txt'), 'w') as f:
            f.write(report)     # to read, next to the screenshots
        link = configparser.ConfigParser()
        link.read(os.path.join(self.state_dir, 'link.conf'))
        token = link['link']['token']
        self.assertGreater(len(token), 8)
        self.assertNotIn(token, report)
        for part in ('== Service ==', "State: 'okay'", 'result: succeeded', '== Last Diagnose ==',
                     '[ok] websocket', '== Connectivity report ==', 'attempts: ', '== Recent log =='):
            self.assertIn(part, report)

        # the configuration is the running daemon's, from GetReport: this
        # daemon reads the test's file (--config), with [server] timeout=3
        section = re.search(r'\n== Configuration ==\n(.*?)\n\n', report, re.S)
        self.assertIsNotNone(section, report)
        lines = section.group(1).split('\n')
        self.assertTrue(all(re.fullmatch(r'[\w.-]+ = .*', line) for line in lines), lines)
        self.assertIn('config_file = ' + self.config_path, lines)
        self.assertTrue(any(re.fullmatch(r'[\w.-]*timeout = 3(\.0*)?', line) for line in lines), lines)

    def test_debug_logging(self):
        self.app.wait('status', 'Okay')
        self.app.activate('show-fix', GLib.Variant('s', 'debug-logging'))
        state = self.app.wait('fix:debug-logging', 'Log debug messages', 'Recent Log')
        self.assertTrue(any('ready as io.obico.Connect1' in t for t in state['labels']), state)
        self.app.bus.conn.call_sync('io.obico.Connect', '/io/obico/Connect', 'org.gtk.Actions', 'SetState',
                                    GLib.Variant('(sva{sv})', ('debug-logging', GLib.Variant('b', True), {})),
                                    None, Gio.DBusCallFlags.NONE, 10000, None)
        self.daemon.wait_prop('DebugLogging', True)
        self.shot('debug-logging')

    def test_report_page(self):
        self.app.wait('status', 'Okay')
        self.app.run('test')
        self.app.wait('status', 'Succeeded')
        self.app.activate('show-page', GLib.Variant('s', 'report'))
        state = self.app.wait('report', 'No errors', 'Attempts', 'Errors', 'Error rate')
        self.assertIn('0.0 %', state['labels'])
        self.shot('report')


class TestInvalidCredentials(AppTestCase):
    def test_401_relink_then_okay(self):
        self.app.wait('status', 'Okay')
        self.sim.revoke(self.printer_id, 'deleted')
        self.app.run('test')
        state = self.app.wait('fix:invalid-credentials', 'Credentials Refused', 'Invalid account credentials',
                              'I deleted the printer in the Obico app', 'The printer may have been archived',
                              'I copied the SD card to another printer', 'I don’t know')
        self.assertNoRawError(state)
        self.shot('401-invalid-credentials')

        # "I deleted the printer" → re-link with a new code → TEST again by itself
        self.app.activate('show-fix', GLib.Variant('s', 'relink'))
        self.app.wait('fix:relink', 'Link the Printer Again', '6-digit code', 'Get Help')
        self.shot('401-relink')
        code = self.sim.new_code(name='Prusa MK4 again')
        self.app.run('link', GLib.Variant('s', code))
        state = self.app.wait('status', 'Succeeded', 'Prusa MK4 again')
        self.assertNoRawError(state)
        self.shot('401-relinked')

    def test_archived_leads_to_unarchive(self):
        self.app.wait('status', 'Okay')
        self.sim.revoke(self.printer_id, 'archived')
        self.app.run('test')
        self.app.wait('fix:invalid-credentials', 'Invalid account credentials')
        self.app.activate('show-fix', GLib.Variant('s', 'unarchive'))
        self.app.wait('fix:unarchive', 'Unarchive the Printer', 'Test Again', 'Get Help')
        self.sim.unarchive(self.printer_id)
        self.app.run('test')
        self.app.wait('status', 'Succeeded')

    def test_still_invalid_after_relink(self):
        self.app.wait('status', 'Okay')
        code = self.sim.new_code(name='Prusa MK4')
        self.sim.scenario('invalid-token')
        self.app.run('link', GLib.Variant('s', code))
        state = self.app.wait('fix:still-invalid', 'Still Refused After Linking Again', 'Get Help')
        self.assertNoRawError(state)
        self.shot('still-invalid')
        self.app.activate('show-fix', GLib.Variant('s', 'get-help'))
        self.app.wait('fix:get-help', 'Get Help From a Person', 'Save Support Report…')


class TestServerDown(AppTestCase):
    def test_reset_connections_lead_to_internet(self):
        self.app.wait('status', 'Okay')
        self.sim.scenario('down')
        self.app.run('test')
        state = self.app.wait('fix:internet', 'Check the Internet Connection', 'Failed to contact server')
        self.assertNoRawError(state)
        self.shot('server-down-internet')
        self.app.activate('show-page', GLib.Variant('s', 'status'))
        self.app.wait('status', 'Failed to contact server', 'Name resolution', 'Server health check')

    def test_refused_leads_to_server_address_and_editing_it_fixes(self):
        self.app.wait('status', 'Okay')
        self.sim.stop()
        self.app.run('test')
        state = self.app.wait('fix:server-address', 'Check the Server Address', 'Failed to contact server')
        self.assertIn(self.sim.url, state['labels'])     # the address, in its entry, to edit
        self.shot('server-refused-address')
        self.sim.start()
        self.app.run('set-server-url', GLib.Variant('s', self.sim.url + '/'))
        state = self.app.wait_any(('status', 'fix:unreliable-network'))
        if state['page'] == 'fix:unreliable-network':
            # the failures while the server was away count against the network:
            # the page offers to start counting afresh, which tests again
            self.shot('server-refused-unreliable')
            self.app.run('reset-errors')
        self.app.wait('status', 'Succeeded', 'Okay', self.sim.url)


class TestWebSocketBlocked(AppTestCase):
    def test_blocked_websocket(self):
        self.app.wait('status', 'Okay')
        self.sim.scenario('ws-blocked')
        self.sim.ws_close(1001)
        self.daemon.wait_prop('State', 'disconnected', timeout=15)
        state = self.app.wait('status', 'Disconnected', 'The Live Connection Is Blocked')   # the Problem row
        self.app.run('test')
        state = self.app.wait('fix:websocket-blocked', 'The Live Connection Is Blocked', 'What Happened')
        # the daemon's account of the connection, not the TEST's "succeeded"
        self.assertNotIn('Succeeded', state['labels'])
        self.assertTrue('Disconnected' in state['labels'] or 'Error' in state['labels'], state)
        self.assertNoRawError(state)
        self.shot('websocket-blocked')


class TestSharedCredentials(AppTestCase):
    def authenticated_upgrades(self):
        return [r for r in self.sim.requests('/ws/dev/') if r['headers'].get('authorization')]

    def test_test_never_knocks_the_other_device_off(self):
        """After 4321 the app's TEST succeeds (the credentials are valid) while
        the State is not okay: the app must not ask the daemon to reconnect, or
        the server would close the other device's socket in turn."""
        self.app.wait('status', 'Okay')
        self.sim.ws_duplicate(self.printer_id)
        self.daemon.wait_prop('Problem', 'shared-credentials', timeout=15)
        upgrades = len(self.authenticated_upgrades())
        for _ in range(2):
            self.app.run('test')
            state = self.app.wait('fix:shared-credentials', 'Credentials Used Twice', '6-digit code')
            self.assertNoRawError(state)
        pump(2 * SLOW)
        self.assertEqual(len(self.authenticated_upgrades()), upgrades,
                         'a WebSocket with the shared credentials was opened after 4321')
        self.assertEqual(self.daemon.get('Problem'), 'shared-credentials')
        self.shot('shared-credentials')


class TestServerError(AppTestCase):
    def test_failing_server_page(self):
        self.app.wait('status', 'Okay')
        self.sim.scenario('server-error', status=503)
        self.app.run('test')
        state = self.app.wait('fix:server-error', 'The Server Is Failing', 'Unexpected response from the server')
        # a self-hosted server (the sim): its containers and their logs
        advice = [t for t in state['labels'] if t.startswith('Your own server at 127.0.0.1')]
        self.assertEqual(len(advice), 1, state['labels'])
        self.assertIn('docker compose logs web', advice[0])
        self.assertNotIn('Check the Server Address', state['labels'])
        self.assertNoRawError(state)
        self.shot('server-error')


WATCH_FAST = {'watch': {'hc-interval': 0.5, 'credentials-interval': 0.5, 'websocket-interval': 0.5}}


class WatchAppTestCase(AppTestCase):
    """The watch role: moonraker-obico (a KIAUH instance) holds the link."""

    link_first = False
    config = WATCH_FAST
    linked_agent = True

    def daemon_args(self):
        home = os.path.join(self.tmp, 'home', 'pi')
        self.settings = os.path.join(home, 'printer_1_data', 'config', 'moonraker-obico.cfg')
        self.agent_log = os.path.join(home, 'printer_1_data', 'logs', 'moonraker-obico.log')
        os.makedirs(os.path.dirname(self.settings))
        os.makedirs(os.path.dirname(self.agent_log))
        self.printer = self.sim.add_printer('Voron')
        self.old_token = 'f0e1d2c3b4a5968778695a4b'
        with open(self.settings, 'w') as f:
            f.write('[server]\nurl = %s\n' % self.sim.url)
            if self.linked_agent:
                f.write('auth_token = %s\n' % self.printer['token'])
            f.write('\n[logging]\npath = %s\nlevel = DEBUG\n' % self.agent_log)
        if self.linked_agent:
            # the agent runs: KIAUH's unit for printer_1_data, its connection with the token
            self.systemd = Systemd(self.bus, 'moonraker-obico-1.service')
            self.addCleanup(self.systemd.close)
            self.agent = FakeAgent('ws://127.0.0.1:%d/ws/dev/' % self.sim.port, self.printer['token'],
                                   interval=5).start()
            self.addCleanup(self.agent.kill)
            self.agent.wait_event('connected')
        with open(self.agent_log, 'w') as f:
            f.write('2024-05-02 10:00:00,000      INFO  obico.app - started for the e2e test\n'
                    '2024-05-02 10:00:01,000     DEBUG  obico.server_conn - curl -H "Authorization: Token %s" '
                    '%s/api/v1/octo/printer/\n' % (self.old_token, self.sim.url))
        return ['--agent-settings', self.settings]


class TestWatchRole(WatchAppTestCase):
    def test_every_page_gives_the_agents_remedy(self):
        self.daemon.wait_prop('Role', 'watch')
        self.app.wait('status', 'Okay', 'Voron')
        self.shot('watch-status')
        # what the daemon refuses in the watch role is not offered
        self.assertFalse(self.app.action_enabled('link'))
        self.assertFalse(self.app.action_enabled('set-server-url'))
        self.assertTrue(self.app.action_enabled('test'))

        self.app.activate('show-fix', GLib.Variant('s', 'server-address'))
        state = self.app.wait('fix:server-address', 'Check the Server Address', 'In moonraker-obico')
        steps = [t for t in state['labels'] if t.startswith('Correct “url” in the [server] section')]
        self.assertEqual(len(steps), 1, state['labels'])
        self.assertIn(self.settings, steps[0])
        self.assertIn('sudo systemctl restart moonraker-obico', steps[0])
        self.assertNotIn('Use Obico Cloud', state['labels'])
        self.assertNotIn(self.sim.url, state['labels'])      # no address entry
        self.shot('watch-server-address')

        self.app.activate('show-fix', GLib.Variant('s', 'relink'))
        state = self.app.wait('fix:relink', 'Link the Printer Again', 'In moonraker-obico')
        self.assertNotIn('6-digit code', state['labels'])
        self.assertTrue(any('cd ~/moonraker-obico && ./install.sh' in t and
                            'python -m moonraker_obico.link -c ' + self.settings in t
                            for t in state['labels']), state['labels'])
        self.shot('watch-relink')

        self.app.activate('show-fix', GLib.Variant('s', 'invalid-credentials'))
        state = self.app.wait('fix:invalid-credentials', 'Credentials Refused',
                              'I switched between the Obico Cloud and my own server')
        self.assertTrue(any('credentials one server issued are invalid at the other' in t
                            for t in state['labels']), state['labels'])

        # debug logging of the agent itself, and its own lines, the token left out
        self.app.activate('show-fix', GLib.Variant('s', 'debug-logging'))
        state = self.app.wait('fix:debug-logging', 'Recent Log of moonraker-obico', 'Log debug messages')
        self.assertTrue(any('level = DEBUG' in t and self.settings in t for t in state['labels']),
                        state['labels'])
        state = self.app.wait('fix:debug-logging', '2024-05-02 10:00:00,000      INFO  obico.app - '
                              'started for the e2e test')
        curl = [t for t in state['labels'] if 'curl -H' in t]
        self.assertEqual(len(curl), 1, state['labels'])
        self.assertIn('Authorization: Token …' + self.old_token[-4:], curl[0])
        for text in state['labels']:
            self.assertNotIn(self.old_token[:-4], text)
            self.assertNotIn(self.printer['token'], text)
        self.shot('watch-debug-logging')

        # get help: a way to reach people, and the agent's lines in the report
        self.app.activate('show-fix', GLib.Variant('s', 'get-help'))
        state = self.app.wait('fix:get-help', 'Ask a Person', 'Obico community and support',
                              'https://www.obico.io/contact-us/',
                              'https://www.obico.io/docs/user-guides/contact-us-for-support/')
        self.shot('watch-get-help')
        path = os.path.join(self.tmp, 'support-report.txt')
        self.app.activate('save-support-report', GLib.Variant('s', path))
        self.app.wait('fix:get-help', 'Support report saved')
        with open(path) as f:
            report = f.read()
        section = report.split("== Official agent's recent log ==\n", 1)
        self.assertEqual(len(section), 2, report)
        self.assertIn('started for the e2e test', section[1])
        self.assertIn('Authorization: Token …' + self.old_token[-4:], section[1])
        self.assertNotIn(self.old_token[:-4], report)
        self.assertNotIn(self.printer['token'], report)


class TestAgentStopped(WatchAppTestCase):
    """The agent's unit stops: the status page says so and leads to agent-not-running, whose
    button restarts the unit through systemd (dbusmock's, on the daemon's bus)."""

    def test_restart_from_the_app(self):
        self.daemon.wait_prop('Role', 'watch')
        self.app.wait('status', 'Okay', 'Obico agent', 'Running, connected')
        self.shot('watch-agent-running')
        self.systemd.stop('moonraker-obico-1.service')
        self.agent.stop()
        self.daemon.wait_prop('Problem', 'agent-not-running')
        state = self.app.wait('status', 'Not running', 'The Obico Agent Is Not Running')
        self.assertTrue(any('moonraker-obico-1.service' in t for t in state['labels']), state['labels'])
        self.app.activate('show-fix', GLib.Variant('s', 'agent-not-running'))
        state = self.app.wait('fix:agent-not-running', 'The Obico Agent Is Not Running', 'Restart the Agent',
                              'Recent Log of moonraker-obico')
        self.shot('agent-not-running')
        self.app.run('restart-agent')
        self.app.wait('status', 'Running, not connected')
        self.assertEqual(self.systemd.restarts(), [['moonraker-obico-1.service', 'replace']])
        self.daemon.wait_prop('Problem', 'agent-not-connected')
        self.app.activate('show-fix', GLib.Variant('s', 'agent-not-connected'))
        state = self.app.wait('fix:agent-not-connected', 'The Obico Agent Is Not Connected', 'Diagnose',
                              'Recent Log of moonraker-obico')
        self.assertNotIn('Restart the Agent', state['labels'])
        self.shot('agent-not-connected')


class TestAgentInstalled(WatchAppTestCase):
    """moonraker-obico is installed but not linked: the role is unlinked, and
    the app sends the person to link the agent, never obico-connect itself."""

    linked_agent = False

    def test_no_link_offered(self):
        self.app.wait('status', 'Not linked')
        self.app.wait_any(('status',), 'Not linked')
        self.app.run('test')
        state = self.app.wait('fix:not-linked', 'Link This Printer', 'In moonraker-obico')
        self.assertNotIn('6-digit code', state['labels'])
        self.assertNotIn('Linking adds a printer to your Obico account', state['labels'])
        self.assertTrue(any('./install.sh' in t for t in state['labels']), state['labels'])
        self.assertFalse(self.app.action_enabled('link'))
        self.shot('agent-installed-not-linked')


class TestNotLinked(AppTestCase):
    link_first = False

    def test_link_with_code(self):
        self.app.wait('status', 'Not linked')
        self.shot('not-linked-status')
        self.app.run('test')
        state = self.app.wait('fix:not-linked', 'Link This Printer', 'Not linked', '6-digit code')
        # before the code: linking Obico Connect itself adds a printer (the Free plan's limit)
        notice = state['labels'].index('Linking adds a printer to your Obico account')
        self.assertLess(notice, state['labels'].index('6-digit code'))
        self.assertIn('archived within 24 hours', state['labels'][notice + 1])
        self.shot('not-linked-fix')

        # a wrong code: the daemon's whole sentence, in a dialog as it is long
        self.app.run('link', GLib.Variant('s', '000000'))
        state = self.app.wait('fix:not-linked', 'Link This Printer', 'That Did Not Work')
        self.assertTrue(any(t.startswith('The server did not accept this code') and t.endswith('try again.')
                            for t in state['labels']), state)
        self.assertNoRawError(state)
        self.shot('not-linked-wrong-code')

        code = self.sim.new_code(name='Ender 3')
        self.app.run('link', GLib.Variant('s', code))
        state = self.app.wait('status', 'Succeeded', 'Ender 3')
        self.assertNotIn('That Did Not Work', state['labels'])
        self.daemon.wait_prop('State', 'okay', timeout=15)
        self.app.wait('status', 'Okay', 'Ender 3')
        self.shot('not-linked-linked')


class TestHostLanes(AppTestCase):
    """The report's lanes from the daemon's host_history: NetworkManager's
    signal (python-dbusmock) dips, the Raspberry Pi's supply (umockdev's
    get_throttled) drops, and the lanes under the chart say so."""
    start_daemon = False
    link_first = False
    config = {'session': {'heartbeat-interval': 1}}

    def setUp(self):
        from hostfakes import NetworkManager, Testbed
        super().setUp()
        self.testbed = Testbed()
        self.testbed.firmware(0x0)
        self.nm = NetworkManager(self.bus, strength=80)
        self.daemon.env = self.testbed.env()
        self.daemon.start()
        self.link(name='Prusa MK4')

    def tearDown(self):
        super().tearDown()
        self.nm.close()
        del self.testbed

    def wait_host(self, key, value):
        end = time.monotonic() + 10 * SLOW
        while self.daemon.get('Host').get(key) != value:
            if time.monotonic() > end:
                self.fail('Host.%s never became %r: %r' % (key, value, self.daemon.get('Host')))
            pump(0.05)

    def test_lanes_draw_the_history(self):
        from hostfakes import FIRMWARE, NM_AP
        self.app.wait('status', 'Okay')
        self.wait_host('wifi_signal', 80)
        for strength in (15, 70):
            self.nm.set(self.nm.ap, NM_AP, 'Strength', GLib.Variant('y', strength))
            self.wait_host('wifi_signal', strength)
        self.testbed.set_attribute(FIRMWARE, 'get_throttled', '50005\n')
        self.wait_host('under_voltage', True)
        self.testbed.set_attribute(FIRMWARE, 'get_throttled', '50000\n')
        self.wait_host('under_voltage', False)
        end = time.monotonic() + 10 * SLOW
        while 'rtt_ms' not in self.daemon.get('Host') and time.monotonic() < end:
            pump(0.1)

        self.app.activate('show-page', GLib.Variant('s', 'report'))
        state = self.app.wait('report', 'Wi-Fi signal: lowest 15 %, now 70 %', 'Under-voltage: 1 · Wi-Fi roams: 0')
        self.assertTrue(any(t.startswith('Round-trip time: highest ') for t in state['labels']), state)
        self.assertTrue(any(t.startswith('Retransmissions: highest ') for t in state['labels']), state)
        self.shot('report-lanes')

        # the support report: the host's context and its history, never the token
        path = os.path.join(self.tmp, 'support-report.txt')
        self.app.activate('save-support-report', GLib.Variant('s', path))
        self.app.wait('report', 'Support report saved')
        with open(path) as f:
            report = f.read()
        with open(os.path.join(OUTPUT_DIR, 'e2e-support-report-host.txt'), 'w') as f:
            f.write(report)
        host = report.split('\n== Host ==\n', 1)[1].split('\n\n', 1)[0]
        for line in ('wifi_signal: 70', 'under_voltage: false', 'history wifi signal: lowest 15 %, now 70 %',
                     'history under-voltage: 1 times', 'history wifi roams: 0'):
            self.assertIn(line, host.split('\n'), host)
        self.assertIn('history round-trip time: highest ', host)
        link = configparser.ConfigParser(interpolation=None)
        link.read(os.path.join(self.state_dir, 'link.conf'))
        token = link['link']['token']
        self.assertGreater(len(token), 8)
        self.assertNotIn(token, report)


class TestServiceRestart(AppTestCase):
    def test_service_stops_and_starts(self):
        self.app.wait('status', 'Okay')
        self.daemon.stop()
        state = self.app.wait('service', 'Service Not Running')
        self.assertTrue(any('obico-connectd --session' in t for t in state['labels']), state)
        self.assertFalse(self.app.action_enabled('test'))
        self.shot('service-not-running')
        self.daemon.start()
        self.app.wait('status', 'Okay', 'Prusa MK4')
        self.app.run('test')
        self.app.wait('status', 'Succeeded')



class TestSeveralPrinters(AppTestCase):
    """Two KIAUH instances, each on its own server: the status page lists both
    with their states; choosing one shows its link; the second losing its
    server shows there, and the notifier names that printer."""

    link_first = False
    config = WATCH_FAST

    def daemon_args(self):
        from harness import Sim
        self.sim2 = Sim()
        self.sim2.start()
        self.addCleanup(self.sim2.close)
        home = os.path.join(self.tmp, 'home', 'pi')
        paths = []
        for n, (sim, name) in enumerate(((self.sim, 'Voron'), (self.sim2, 'Ender')), 1):
            printer = sim.add_printer(name)
            # its official agent runs and reports: the app shows it online
            agent = FakeAgent('ws://127.0.0.1:%d/ws/dev/' % sim.port, printer['token'], interval=5).start()
            self.addCleanup(agent.kill)
            agent.wait_event('connected')
            path = os.path.join(home, 'printer_%d_data' % n, 'config', 'moonraker-obico.cfg')
            os.makedirs(os.path.dirname(path))
            with open(path, 'w') as f:
                f.write('[server]\nurl = %s\nauth_token = %s\n' % (sim.url, printer['token']))
            paths.append(path)
        return [a for p in paths for a in ('--agent-settings', p)]

    def test_list_and_choose(self):
        state = self.app.wait('status', 'Printers of this host', 'Voron', 'Ender', 'Okay', self.sim.url)
        self.assertNotIn(self.sim2.url, state['labels'])
        self.shot('printers-list')

        # printer 2: its own link on the status page, its own TEST
        self.app.activate('show-printer', GLib.Variant('u', 2))
        state = self.app.wait('status', self.sim2.url, 'Ender')
        self.assertNotIn(self.sim.url, state['labels'])
        self.app.run('test')
        self.app.wait('status', 'Succeeded')
        self.shot('printers-second')

        # its server gone: the list says so, and printer 1 stays okay
        self.sim2.kill()
        end = time.monotonic() + 20 * SLOW
        down = []
        while not down and time.monotonic() < end:
            state = self.app.dump()
            down = [t for t in state['labels'] if re.match(r'^(Error|Disconnected) — ', t)]
            pump(0.2)
        self.assertEqual(len(down), 1, state['labels'])
        self.assertIn('Okay', state['labels'])
        self.shot('printers-second-down')

        self.app.activate('show-printer', GLib.Variant('u', 1))
        self.app.wait('status', self.sim.url, 'Voron')


if __name__ == '__main__':
    main()
