"""The notification agent: obico-connect --background against the real daemon,
obico-sim and a real notification server (python3-dbusmock's
notification_daemon template) on a private session bus.

GLib's freedesktop backend sends the notifications (GNOTIFICATION_BACKEND),
the settings live in a keyfile in the test's directory, so a test flips them
with the gsettings tool the way a person would. Xvfb gives GTK its display;
the agent itself opens no window until a notification is clicked.

TestNoNetwork runs the daemon in a network namespace of its own (tests/netns.py),
so this file needs root, as CI runs it; without, that test FAILS with the reason.

Run with /usr/bin/python3; meson passes OBICO_CONNECT, OBICO_CONNECTD,
OBICO_SIM, GSETTINGS_SCHEMA_DIR and PYTHONPATH.
"""
import os
import queue
import subprocess
import tempfile
import threading
import time

from gi.repository import Gio, GLib

from harness import DaemonTestCase, SLOW, VirtualScreen, main, pump
from netns import NetPair, NetnsError

APP_ID = 'io.obico.Connect'
APP_PATH = '/io/obico/Connect'
NOTIFY_NAME = 'org.freedesktop.Notifications'
NOTIFY_PATH = '/org/freedesktop/Notifications'
MOCK_IFACE = 'org.freedesktop.DBus.Mock'

OFFLINE_TITLE = 'Test Printer is offline from Obico'
ONLINE_TITLE = 'Printer back online'


class NotificationServer:
    """dbusmock's notification daemon; every call it got, from its mock interface."""

    def __init__(self, bus, log_path):
        self.bus = bus
        env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=bus.address)
        self.proc = subprocess.Popen(['/usr/bin/python3', '-m', 'dbusmock', '--session',
                                      '--template', 'notification_daemon', '-l', log_path],
                                     env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_name(bus, NOTIFY_NAME, self.proc)

    def _mock(self, method, params=None):
        reply = self.bus.conn.call_sync(NOTIFY_NAME, NOTIFY_PATH, MOCK_IFACE, method, params, None,
                                        Gio.DBusCallFlags.NONE, 10000, None)
        return reply.unpack()

    def calls(self, method):
        """[args] of each call of @method, oldest first."""
        return [args for _, name, args in self._mock('GetCalls')[0] if name == method]

    def notifications(self):
        """[{'summary', 'body', 'actions', 'hints', 'id'}] of each Notify call."""
        notes = []
        for args in self.calls('Notify'):
            app_name, replaces_id, icon, summary, body, actions, hints, timeout = args
            notes.append({'summary': summary, 'body': body, 'actions': actions, 'hints': hints,
                          'replaces': replaces_id})
        return notes

    def closed(self):
        return [args[0] for args in self.calls('CloseNotification')]

    def click(self, notification_id):
        """What a notification server does when the notification is clicked."""
        self._mock('EmitSignal', GLib.Variant('(sssav)', (
            NOTIFY_NAME, 'ActionInvoked', 'us',
            [GLib.Variant('u', notification_id), GLib.Variant('s', 'default')])))

    def close(self):
        self.proc.terminate()
        self.proc.wait(10)


def wait_for_name(bus, name, proc, timeout=10):
    end = time.monotonic() + timeout * SLOW
    while time.monotonic() < end:
        reply = bus.conn.call_sync('org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus',
                                   'NameHasOwner', GLib.Variant('(s)', (name,)), None,
                                   Gio.DBusCallFlags.NONE, -1, None)
        if reply.unpack()[0]:
            return
        if proc.poll() is not None:
            raise RuntimeError('the owner of %s exited with %d' % (name, proc.returncode))
        time.sleep(0.05)
    raise RuntimeError('nobody took the bus name ' + name)


class NotifyTestCase(DaemonTestCase):
    """A linked printer, a healthy link, the agent running with a short grace."""

    config = {'server': {'timeout': 1}, 'session': {'heartbeat-interval': 0.5, 'dead-peer-timeout': 2}}
    grace = 2
    notifications = True
    link_first = True
    agent_args = ('--background',)

    @classmethod
    def setUpClass(cls):
        cls.screen = VirtualScreen()

    @classmethod
    def tearDownClass(cls):
        cls.screen.close()

    def setUp(self):
        super().setUp()
        self.grace = max(1, round(self.grace * SLOW))
        self.settings_env = dict(os.environ, GSETTINGS_BACKEND='keyfile',
                                 XDG_CONFIG_HOME=os.path.join(self.tmp, 'config'))
        self.set_setting('offline-grace-seconds', str(self.grace))
        self.set_setting('notifications', 'true' if self.notifications else 'false')
        if self.link_first:
            self.link()
            self.daemon.wait_prop('State', 'okay', timeout=20)
        self.server = NotificationServer(self.bus, os.path.join(self.tmp, 'notifications.log'))
        self.start_agent()

    def tearDown(self):
        stderr = self.stop_agent()
        self.server.close()
        for bad in ('CRITICAL', 'WARNING'):
            self.assertNotIn(bad, stderr, 'agent stderr:\n' + stderr)
        super().tearDown()

    def set_setting(self, key, value):
        """As a person would, with the gsettings tool."""
        subprocess.run(['gsettings', 'set', APP_ID, key, value], env=self.settings_env, check=True)

    def start_agent(self):
        env = dict(self.settings_env, DISPLAY=self.screen.display, DBUS_SESSION_BUS_ADDRESS=self.bus.address,
                   GNOTIFICATION_BACKEND='freedesktop', GSK_RENDERER='cairo', GTK_A11Y='none',
                   NO_AT_BRIDGE='1', G_MESSAGES_DEBUG='oc-notifier', LC_ALL='C.UTF-8', LANGUAGE='C')
        env.pop('WAYLAND_DISPLAY', None)
        self.agent_err_path = os.path.join(self.tmp, 'agent-stderr.log')
        self._agent_err = open(self.agent_err_path, 'w')
        self.agent = subprocess.Popen([os.environ['OBICO_CONNECT'], '--session'] + list(self.agent_args), env=env,
                                      stdout=subprocess.PIPE, stderr=self._agent_err, text=True)
        self.agent_lines = queue.Queue()
        threading.Thread(target=self._read_agent, args=(self.agent, self.agent_lines), daemon=True).start()
        wait_for_name(self.bus, APP_ID, self.agent)
        if '--background' not in self.agent_args:
            self.wait_for(lambda: self.window_count() == 1, 10, 'the window')
        # let it read the daemon's state before the test changes it
        pump(0.5)

    def _read_agent(self, proc, lines):
        for line in proc.stdout:
            lines.put(line.rstrip('\n'))

    def stop_agent(self):
        if self.agent.poll() is None:
            try:
                # With a window open, quit closes the windows and the agent stays;
                # asked again with none open, it stops.
                if self.window_count():
                    self.activate('quit')
                    self.wait_for(lambda: self.window_count() == 0, 10, 'the windows closed')
                self.activate('quit')
                self.agent.wait(10)
            except (GLib.Error, subprocess.TimeoutExpired):
                self.agent.kill()
                self.agent.wait()
        self.agent.stdout.close()
        self._agent_err.close()
        with open(self.agent_err_path) as f:
            return f.read()

    def activate(self, action, parameter=None):
        params = [parameter] if parameter is not None else []
        self.bus.conn.call_sync(APP_ID, APP_PATH, 'org.gtk.Actions', 'Activate',
                                GLib.Variant('(sava{sv})', (action, params, {})), None,
                                Gio.DBusCallFlags.NONE, 10000, None)

    def window_count(self):
        """GtkApplication exports each window's actions under APP_PATH/window/N."""
        reply = self.bus.conn.call_sync(APP_ID, APP_PATH + '/window', 'org.freedesktop.DBus.Introspectable',
                                        'Introspect', None, None, Gio.DBusCallFlags.NONE, 10000, None)
        info = Gio.DBusNodeInfo.new_for_xml(reply.unpack()[0])
        return len(info.nodes)

    def dump(self):
        """app.dump-state as {'page': …, 'kiosk': …, 'size': …, 'labels': […]}."""
        self.activate('dump-state')
        state = {'labels': []}
        while True:
            line = self.agent_lines.get(timeout=10 * SLOW)
            if line == '--- end ---':
                return state
            key, _, value = line.partition(': ')
            if key == 'label':
                state['labels'].append(value)
            elif key != line:
                state[key] = value

    def dump_page(self):
        self.activate('dump-state')
        while True:
            line = self.agent_lines.get(timeout=10 * SLOW)
            if line.startswith('page: '):
                return line[len('page: '):]

    def wait_for(self, predicate, timeout, what):
        end = time.monotonic() + timeout * SLOW
        while time.monotonic() < end:
            value = predicate()
            if value:
                return value
            pump(0.1)
        raise AssertionError('%s did not happen within %.0f s\n--- agent ---\n%s\n--- daemon ---\n%s'
                             % (what, timeout * SLOW, open(self.agent_err_path).read()[-3000:],
                                self.daemon.log()[-3000:]))

    def assertQuietFor(self, seconds):
        """No notification at all for @seconds."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.assertEqual(self.server.notifications(), [])
            pump(0.1)

    def outage(self):
        """Kills the server; returns when the daemon says so, with a time that is
        surely not later than the daemon's change: when the last poll that still
        read okay was sent.  (The time the change was seen can be late by a
        poll and a busy machine's round trip, and the notifier's grace starts
        when the app saw it, never before the change.)"""
        self.sim.kill()
        end = time.monotonic() + 10 * SLOW
        before = time.monotonic()
        while time.monotonic() < end:
            sent = time.monotonic()
            if self.daemon.get('State') != 'okay':
                return before
            before = sent
            pump(0.02)
        self.fail('State stayed okay after the server was killed\n' + self.daemon.log()[-4000:])

    def recover(self, timeout=30):
        self.sim.start()
        self.daemon.call('Reconnect')
        self.daemon.wait_prop('State', 'okay', timeout=timeout)

    def wait_offline(self):
        return self.wait_for(lambda: self.server.notifications(), self.grace + 5, 'the offline notification')


class TestOutage(NotifyTestCase):
    def test_offline_after_grace_then_back_online(self):
        left_okay = self.outage()
        # the grace period: nothing yet (a second's slack for the timer's granularity)
        self.assertQuietFor(self.grace - (time.monotonic() - left_okay) - 0.2)

        notes = self.wait_offline()
        self.assertGreaterEqual(time.monotonic() - left_okay, self.grace - 0.2)
        self.assertEqual(len(notes), 1, notes)
        offline = notes[0]
        self.assertEqual(offline['summary'], OFFLINE_TITLE)
        # the body is the daemon's sentence on this occurrence
        self.assertEqual(offline['body'], self.daemon.get('ProblemDetail'))
        self.assertGreater(len(offline['body']), 20)
        self.assertIn('default', offline['actions'])
        self.assertEqual(offline['hints'].get('desktop-entry'), APP_ID)

        # still down: one notification per outage, however the state wobbles
        pump(3 * SLOW)
        self.assertEqual(len(self.server.notifications()), 1)
        self.assertEqual(self.server.closed(), [])

        self.recover()
        notes = self.wait_for(lambda: len(self.server.notifications()) == 2 and self.server.notifications(),
                              10, 'the back-online notification')
        self.assertEqual(notes[1]['summary'], ONLINE_TITLE)
        self.assertEqual(notes[1]['body'], 'Test Printer is connected to its Obico server again.')
        # the offline notification (the server's id 1) is withdrawn
        self.assertEqual(self.server.closed(), [1])

    def test_click_opens_the_guided_fix(self):
        self.outage()
        self.wait_offline()
        self.assertEqual(self.window_count(), 0, 'the agent opened a window by itself')

        # the Problem is the id of its guided fix
        problem = self.daemon.get('Problem')
        self.assertNotEqual(problem, '')
        self.server.click(1)
        self.wait_for(lambda: self.window_count() == 1, 10, 'a window after the click')
        self.assertEqual(self.dump_page(), 'fix:' + problem)

        # Quitting that window (Ctrl+Q) keeps the agent and its notifications.
        self.activate('quit')
        self.wait_for(lambda: self.window_count() == 0, 10, 'the window closed')
        pump(0.5)
        self.assertIsNone(self.agent.poll(), 'quitting the window stopped the agent')
        self.recover()
        self.wait_for(lambda: len(self.server.notifications()) == 2, 10, 'back online after the window quit')


class TestFlapping(NotifyTestCase):
    grace = 10
    # The notifier's grace is under test, not the daemon's judgement of a
    # link that keeps dropping (three drops in [report] unreliable-minutes
    # are unreliable-network, which is an outage): a window of 0.12 s, shorter than a flap.
    config = dict(NotifyTestCase.config, report={'unreliable-minutes': 0.002})

    def test_five_flaps_give_none(self):
        started = time.monotonic()
        flaps = 0
        # At least five, and together longer than the grace (a slow build
        # scales the grace): only a grace that restarts at each flap stays quiet.
        while flaps < 5 or time.monotonic() - started <= self.grace:
            outage_at = self.outage()
            pump(0.3)
            self.recover(timeout=self.grace - 1)
            self.assertLess(time.monotonic() - outage_at, self.grace, 'a flap longer than the grace')
            flaps += 1
        self.assertQuietFor(self.grace + 1.5)


class TestLongOutage(NotifyTestCase):
    """A 45 s outage without Reconnect(): the daemon's own backoff brings the
    link back; State is okay within 10 s of the first good reconnect and the
    back-online notification follows at once.  (tests/bench.py --outage runs
    it with another length, e.g. 10 minutes, by hand: not in CI.)"""

    outage_seconds = 45

    def test_45s_outage_back_online(self):
        gone = time.time()
        self.outage()
        self.wait_offline()
        time.sleep(max(0, self.outage_seconds - (time.time() - gone)))
        self.sim.start()
        back = time.time()
        # the longest retry the backoff can have begun: 300 s × 1.5
        self.daemon.wait_prop('State', 'okay', timeout=60 if self.outage_seconds <= 45 else 480)
        okay = time.time()
        self.wait_for(lambda: len(self.server.notifications()) == 2, 10, 'the back-online notification')
        online = time.time()
        self.assertEqual(self.server.notifications()[1]['summary'], ONLINE_TITLE)
        reconnected = min(c['t_open'] for c in self.sim.ws_connections())
        print('%.0f s outage: the first good reconnect %.1f s after the server came back; State okay '
              '%.1f s and the back-online notification %.1f s after the server came back '
              '(%.2f s and %.2f s after the reconnect)'
              % (self.outage_seconds, reconnected - back, okay - back, online - back,
                 okay - reconnected, online - reconnected))
        self.assertLess(okay - reconnected, 10)
        self.assertLess(online - reconnected, 10)


class TestSettingOff(NotifyTestCase):
    notifications = False

    def test_off_gives_none(self):
        self.outage()
        self.assertQuietFor(self.grace + 2)
        self.recover()
        self.assertQuietFor(2)

    def test_turned_off_withdraws_and_on_again_tells(self):
        self.set_setting('notifications', 'true')
        self.outage()
        self.wait_offline()
        self.set_setting('notifications', 'false')
        self.wait_for(lambda: self.server.closed() == [1], 5, 'the withdrawal')

        # on again in the same outage: a fresh grace, then one notification
        self.set_setting('notifications', 'true')
        self.wait_for(lambda: len(self.server.notifications()) == 2, self.grace + 5,
                      'the offline notification once more')
        self.recover()
        self.wait_for(lambda: len(self.server.notifications()) == 3, 10, 'the back-online notification')
        self.assertEqual(self.server.notifications()[2]['summary'], ONLINE_TITLE)


class TestDaemonRestart(NotifyTestCase):
    def test_follows_the_new_daemon(self):
        self.daemon.stop()
        self.daemon.start()
        self.daemon.wait_prop('State', 'okay', timeout=20)

        left_okay = self.outage()
        self.wait_offline()
        self.assertGreaterEqual(time.monotonic() - left_okay, self.grace - 0.2)

        # the daemon goes away during the outage: the notification stays
        self.daemon.stop()
        pump(self.grace + 1)
        self.assertEqual(len(self.server.notifications()), 1)
        self.assertEqual(self.server.closed(), [])

        # and the next daemon's recovery is told
        self.sim.start()
        self.daemon.start()
        self.daemon.wait_prop('State', 'okay', timeout=30)
        self.wait_for(lambda: len(self.server.notifications()) == 2, 10, 'the back-online notification')
        self.assertEqual(self.server.notifications()[1]['summary'], ONLINE_TITLE)
        self.assertEqual(self.server.closed(), [1])


class TestWindowFirst(NotifyTestCase):
    """The app was opened before the login agent started: the agent's
    --background goes to it, and that instance does the notifying."""

    agent_args = ()

    def test_background_asked_of_the_running_app(self):
        self.assertEqual(self.window_count(), 1)
        env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=self.bus.address, DISPLAY=self.screen.display)
        second = subprocess.run([os.environ['OBICO_CONNECT'], '--background', '--session'], env=env,
                                timeout=20 * SLOW, capture_output=True, text=True)
        self.assertEqual(second.returncode, 0, second.stderr)

        left_okay = self.outage()
        self.wait_offline()
        self.assertGreaterEqual(time.monotonic() - left_okay, self.grace - 0.2)


class TestKioskAfterBackground(NotifyTestCase):
    """The login agent (--background) is the primary instance; the kiosk's
    launcher runs --kiosk after it: the window it gets is the kiosk's, full
    screen at the touchscreen's 800×480."""

    def test_kiosk_window_from_the_agent(self):
        self.assertEqual(self.window_count(), 0)
        env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=self.bus.address, DISPLAY=self.screen.display)
        second = subprocess.run([os.environ['OBICO_CONNECT'], '--session', '--kiosk'], env=env,
                                timeout=20 * SLOW, capture_output=True, text=True)
        self.assertEqual(second.returncode, 0, second.stderr)
        self.wait_for(lambda: self.window_count() == 1, 10, 'the kiosk window')
        # (the service page until the app has the daemon's proxy: a moment on a busy machine)
        state = self.wait_for(lambda: (lambda d: d.get('size') == '800x480' and d.get('page') == 'status' and d)
                              (self.dump()), 10, 'the window filling the screen with the status page')
        self.assertEqual(state['kiosk'], 'yes')
        self.assertEqual(state['fullscreen'], 'yes')
        self.assertEqual(state['page'], 'status')
        self.assertIn('Okay', state['labels'])
        pump(0.5)
        self.screen.screenshot(os.path.join(os.environ.get('OC_TEST_OUTPUT_DIR', self.tmp), 'notify-kiosk.png'))

        # the agent goes on: the notifications still come
        left_okay = self.outage()
        self.wait_offline()
        self.assertGreaterEqual(time.monotonic() - left_okay, self.grace - 0.2)


class TestNoNetwork(NotifyTestCase):
    """No network on this computer is not the server's outage: the daemon in a network namespace
    of its own (tests/netns.py; needs root) whose only route to the sim goes away for longer than
    the grace and comes back — no notification, neither "offline" nor "back online".  The test
    itself stays in the sim's namespace to steer it; the agent talks to the daemon over the bus."""

    sim_args = ('--host', '0.0.0.0')

    def setUp(self):
        self.net = NetPair()
        try:
            self.net.up()
        except (NetnsError, OSError) as e:
            raise AssertionError('cannot build the test network: %s' % e) from None
        self.addCleanup(self.net.down)
        saved = {k: os.environ.get(k) for k in ('OBICO_TEST_WRAPPER', 'DBUS_SYSTEM_BUS_ADDRESS')}
        self.addCleanup(self.restore_env, saved)
        wrapper = saved['OBICO_TEST_WRAPPER']
        os.environ['OBICO_TEST_WRAPPER'] = ' '.join(self.net.exec_prefix() + ([wrapper] if wrapper else []))
        # GIO's NetworkManager monitor would follow this machine's NetworkManager, not the namespace
        os.environ['DBUS_SYSTEM_BUS_ADDRESS'] = 'unix:path=' + os.path.join(tempfile.gettempdir(), 'no-such-bus')
        self.net.enter_server()
        self.addCleanup(self.net.leave)
        super().setUp()

    @staticmethod
    def restore_env(saved):
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value

    def write_config(self, config):
        self.sim.url = 'http://%s:%d' % (self.net.srv_addr, self.sim.port)
        super().write_config(config)

    def route(self, verb):
        subnet = self.net.cli_addr.rsplit('.', 1)[0] + '.0/30'
        self.net.ip('route', verb, subnet, 'dev', self.net.cli_if, 'proto', 'kernel', 'scope', 'link',
                    'src', self.net.cli_addr)

    def test_no_network_is_no_outage(self):
        self.route('del')
        self.daemon.wait_prop('Problem', 'no-network', timeout=5)
        self.assertEqual(self.daemon.get('State'), 'error')
        self.assertQuietFor(self.grace + 3)
        self.route('add')
        self.daemon.wait_prop('State', 'okay', timeout=10)
        self.assertQuietFor(2)
        self.assertIn('Following the network with GNetworkMonitorNetlink', self.daemon.log())


class TestUnlinked(NotifyTestCase):
    link_first = False

    def test_unlinked_is_no_outage(self):
        self.assertEqual(self.daemon.get('State'), 'unlinked')
        self.sim.kill()
        self.assertQuietFor(self.grace + 2)



class TestSeveralPrinters(NotifyTestCase):
    """Two printers (two KIAUH instances, each on its own server): the one
    that goes offline is named, and the recovery is every printer's."""

    config = {'server': {'timeout': 1},
              'watch': {'hc-interval': 0.5, 'credentials-interval': 0.5, 'websocket-interval': 0.5}}

    def daemon_args(self):
        from harness import Sim
        self.sim2 = Sim()
        self.sim2.start()
        self.addCleanup(self.sim2.close)
        paths = []
        self.fake_agents = {}
        for n, (sim, name) in enumerate(((self.sim, 'Voron'), (self.sim2, 'Ender')), 1):
            printer = sim.add_printer(name)
            # its official agent runs and reports: the app shows it online
            self.official_agent(sim, printer)
            path = os.path.join(self.tmp, 'printer_%d_data' % n, 'config', 'moonraker-obico.cfg')
            os.makedirs(os.path.dirname(path))
            with open(path, 'w') as f:
                f.write('[server]\nurl = %s\nauth_token = %s\n' % (sim.url, printer['token']))
            paths.append(path)
        return [a for p in paths for a in ('--agent-settings', p)]

    def official_agent(self, sim, printer):
        from fakeagent import FakeAgent
        agent = FakeAgent('ws://127.0.0.1:%d/ws/dev/' % sim.port, printer['token'], interval=5).start()
        self.addCleanup(agent.kill)
        agent.wait_event('connected')
        self.fake_agents[sim] = (agent, printer)

    def link(self, name=None):
        pass    # the agents hold the links; setUp waits for State okay (both printers)

    def test_names_the_printer_that_went_offline(self):
        self.sim2.kill()
        agent, printer = self.fake_agents.pop(self.sim2)
        agent.kill()
        self.daemon.wait_prop('State', lambda s: s != 'okay')
        notes = self.wait_offline()
        self.assertEqual(len(notes), 1, notes)
        self.assertEqual(notes[0]['summary'], 'Ender is offline from Obico')
        self.assertEqual(notes[0]['body'], self.daemon.get('ProblemDetail'))

        self.sim2.start()
        self.official_agent(self.sim2, printer)
        notes = self.wait_for(lambda: len(self.server.notifications()) == 2 and self.server.notifications(),
                              30, 'the back-online notification')
        self.assertEqual(notes[1]['summary'], ONLINE_TITLE)
        self.assertEqual(notes[1]['body'], 'Every printer of this host is connected to its Obico server again.')
        self.assertEqual(self.server.closed(), [1])


if __name__ == '__main__':
    main()
