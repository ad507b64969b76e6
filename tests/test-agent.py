#!/usr/bin/python3
"""The official agent's health (issue 13, items 2 and 3) against the real daemon in the watch
role: python-dbusmock's systemd template on the daemon's bus (with --session the daemon asks
systemd there) holds the agent's unit, tests/fakeagent.py is the agent's own connection (a real
WebSocket client with the printer's token), obico-sim keeps the server's status truth.

Each new problem is named: agent-not-running (the unit stopped, seen within 2 s; no unit at all),
agent-not-connected (its connection vanished, within 10 s), agent-not-reporting (only keepalives
for the server's 120 s); the Agent property; RestartAgent calls systemd's RestartUnit of that
unit only; a 4321 logged before the daemon started still counts, one before the agent's last
start does not. Every socket with the agent's token is the fake agent's, none the daemon's."""
import os
import time

from harness import DaemonTestCase, DBusError, main, pump, SLOW
from hostfakes import Systemd
from watchcase import WatchTestCase

UNIT = 'moonraker-obico.service'


class AgentTestCase(WatchTestCase):
    config = {'server': {'timeout': 2},
              'watch': {'hc-interval': 1, 'credentials-interval': 1, 'websocket-interval': 1}}
    unit = UNIT
    log_lines = ''

    def setUp(self):
        super().setUp()
        self.systemd = Systemd(self.bus)
        self.addCleanup(self.systemd.close)
        if self.unit is not None:
            self.systemd.add_unit(self.unit)

    def tearDown(self):
        try:
            if self.daemon.proc is not None:
                self.assertNotIn(self.printer['token'], str(self.daemon.get_all()))
        finally:
            super().tearDown()

    def wait_problem(self, problem, timeout=10):
        return self.daemon.wait_prop('Problem', problem, timeout=timeout)

    def wait_agent(self, check, timeout=10):
        return self.daemon.wait_prop('Agent', check, timeout=timeout)

    def changed_at(self, prop, check, since):
        """When PropertiesChanged first carried @prop with @check true, after @since (monotonic)."""
        end = time.monotonic() + 5 * SLOW
        while time.monotonic() < end:
            for t, changed in self.daemon.changes:
                if t >= since and prop in changed and check(changed[prop]):
                    return t
            pump(0.02)
        self.fail('no PropertiesChanged of %s' % prop)


class TestService(AgentTestCase):
    def test_running_reporting_then_stopped_and_restarted(self):
        agent = self.agent(interval=5)
        agent.wait_event('connected')
        self.daemon.start()
        self.daemon.wait_prop('Role', 'watch')
        a = self.wait_agent(lambda a: a.get('active_state') == 'active' and a.get('connected'))
        self.assertEqual(a['kind'], 'moonraker-obico')
        self.assertEqual(a['settings'], self.settings)
        self.assertEqual(a['unit'], UNIT)
        self.assertTrue(a['running'])
        self.assertEqual(a['log'], self.log)
        self.assertNotIn('version', a)  # no checkout of moonraker-obico in this home
        self.daemon.wait_prop('State', 'okay')

        # a stop, as systemctl stop does it: the unit first, then its process
        before = time.monotonic()
        self.systemd.stop(UNIT)
        seen = self.changed_at('Problem', lambda p: p == 'agent-not-running', before)
        agent.stop()
        print('the unit\'s stop seen after %.3f s' % (seen - before))
        self.assertLess(seen - before, 2.0)
        self.assertEqual(self.daemon.get('State'), 'error')
        self.assertIn(UNIT, self.daemon.get('ProblemDetail'))
        self.assertIn('inactive', self.daemon.get('ProblemDetail'))
        a = self.daemon.get('Agent')
        self.assertEqual((a['active_state'], a['running']), ('inactive', False))
        self.daemon.wait_prop('AppStatus', 'offline')

        # RestartAgent: systemd's RestartUnit of that unit, and only that one
        self.assertEqual(self.daemon.call('RestartAgent'), None)
        self.assertEqual(self.systemd.restarts(), [[UNIT, 'replace']])
        self.wait_agent(lambda a: a.get('active_state') == 'active')
        # running, but its connection is not there yet
        self.wait_problem('agent-not-connected')
        self.assertEqual(self.daemon.get('State'), 'disconnected')
        agent = self.agent(interval=5)
        agent.wait_event('connected')
        self.daemon.wait_prop('State', 'okay', timeout=15)

    def test_vanished_connection(self):
        agent = self.agent(interval=5)
        agent.wait_event('connected')
        self.daemon.start()
        self.daemon.wait_prop('State', 'okay')
        before = time.monotonic()
        agent.set_mode('disconnected')
        self.wait_problem('agent-not-connected')
        seen = self.changed_at('Problem', lambda p: p == 'agent-not-connected', before)
        print('the agent\'s vanished connection named after %.1f s' % (seen - before))
        self.assertLess(seen - before, 10.0)
        self.assertEqual(self.daemon.get('AppStatus'), 'offline')
        self.assertEqual(self.daemon.get('State'), 'disconnected')
        a = self.daemon.get('Agent')
        self.assertEqual((a['running'], a['connected']), (True, False))
        agent.set_mode('reporting')
        agent.wait_event('connected')
        self.daemon.wait_prop('State', 'okay', timeout=15)

    def test_stuck_agent_not_reporting(self):
        """Connected, answering pings, no status (OctoPrint-Obico#247): the app shows it offline
        120 s after its last status, and so does the daemon, naming agent-not-reporting."""
        agent = self.agent(interval=5)
        agent.wait_event('connected')
        self.daemon.start()
        self.daemon.wait_prop('AppStatus', 'online', timeout=20)
        agent.set_mode('keepalive')
        expires = self.sim.printer(self.printer['id'])['status_expires_t']
        self.assertEqual(self.daemon.get('State'), 'okay')
        self.wait_problem('agent-not-reporting', timeout=expires - time.time() + 15)
        late = time.time() - expires
        print('agent-not-reporting %.1f s after the server\'s status lapsed' % late)
        self.assertGreater(late, -1)
        self.assertLess(late, 10 + 2 * SLOW)
        self.assertEqual(self.daemon.get('State'), 'error')
        self.assertEqual(self.daemon.get('AppStatus'), 'offline')
        self.assertTrue(self.daemon.get('Agent')['connected'])


class TestNoUnit(AgentTestCase):
    unit = None

    def test_absent_and_not_running(self):
        self.daemon.start()
        self.daemon.wait_prop('Role', 'watch')
        self.wait_problem('agent-not-running')
        a = self.daemon.get('Agent')
        self.assertEqual((a['active_state'], a['running'], a['connected']), ('absent', False, False))
        self.assertNotIn('unit', a)
        with self.assertRaises(DBusError) as cm:
            self.daemon.call('RestartAgent')
        self.assertEqual(cm.exception.short, 'NotSupported')
        self.assertIn('cannot be restarted from here', cm.exception.message)
        self.assertEqual(self.systemd.restarts(), [])

    def test_another_unit_is_not_the_agents(self):
        self.systemd.add_unit('klipper.service')
        self.daemon.start()
        self.wait_problem('agent-not-running')
        self.assertNotIn('unit', self.daemon.get('Agent'))


class TestVersion(AgentTestCase):
    """Agent.version from moonraker-obico's checkout next to the settings (~/moonraker-obico),
    read as text; a link there is not followed."""

    def checkout(self, text=None, link_to=None):
        path = os.path.join(self.tmp, 'home', 'pi', 'moonraker-obico', 'moonraker_obico', 'version.py')
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if link_to is not None:
            os.symlink(link_to, path)
        else:
            with open(path, 'w', encoding='utf-8') as f:
                f.write(text)

    def test_version_from_checkout(self):
        self.checkout("# the agent's version\nVERSION = '1.7.2'\n")
        self.daemon.start()
        self.daemon.wait_prop('Role', 'watch')
        a = self.wait_agent(lambda a: 'active_state' in a)
        self.assertEqual(a['version'], '1.7.2')
        self.assertEqual(a['kind'], 'moonraker-obico')

    def test_link_is_not_followed(self):
        elsewhere = os.path.join(self.tmp, 'elsewhere.py')
        with open(elsewhere, 'w', encoding='utf-8') as f:
            f.write("VERSION = '6.6.6'\n")
        self.checkout(link_to=elsewhere)
        self.daemon.start()
        self.daemon.wait_prop('Role', 'watch')
        a = self.wait_agent(lambda a: 'active_state' in a)
        self.assertNotIn('version', a)


START = '2024-05-02 09:00:00,000 INFO moonraker_obico.app - starting moonraker-obico (v1.7.0)\n'
SHUT = ('2024-05-02 10:00:00,000 ERROR moonraker_obico.server_conn - Server closed WS connection with '
        'close code 4321 - shared auth_token\n')


class TestLogBeforeStart(AgentTestCase):
    log_lines = START + SHUT

    def test_4321_before_the_daemon_started(self):
        agent = self.agent(interval=5)
        agent.wait_event('connected')
        self.daemon.start()
        self.wait_problem('shared-credentials')


class TestLogBeforeAgentsStart(AgentTestCase):
    log_lines = START + SHUT + START.replace('09:00', '11:00')

    def test_4321_before_the_agents_last_start(self):
        agent = self.agent(interval=5)
        agent.wait_event('connected')
        self.daemon.start()
        self.daemon.wait_prop('State', 'okay')
        self.assertEqual(self.daemon.get('Problem'), '')


class TestAgentRole(DaemonTestCase):
    def test_obico_connect_is_the_agent(self):
        self.link('Prusa')
        self.daemon.wait_prop('WebSocket', 'connected')
        a = self.daemon.wait_prop('Agent', lambda a: a.get('connected'))
        self.assertEqual(a['kind'], 'obico-connect')
        self.assertEqual(a['settings'], os.path.join(self.state_dir, 'link.conf'))
        self.assertTrue(a['running'])
        self.assertIn('version', a)
        with self.assertRaises(DBusError) as cm:
            self.daemon.call('RestartAgent')
        self.assertEqual(cm.exception.short, 'NotSupported')


if __name__ == '__main__':
    main()
