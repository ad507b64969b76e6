#!/usr/bin/python3
"""The watch role: an official agent (OctoPrint-Obico, moonraker-obico) holds
the printer's credentials and obico-connectd only looks.  Its settings files
are read (realistic ones and broken ones) and followed as the agent re-links;
its checks (/hc/, the credentials, an anonymous WebSocket upgrade) run on
their schedule against obico-sim; its log is read for 4321.  The official
agent itself runs as tests/fakeagent.py, connected and reporting: while the
Obico app shows the printer offline, State is never okay.  Every test ends
by asserting that every WebSocket with an authorization header that reached
the server was the fake agent's, none the daemon's, and that the agent's
token is nowhere in the daemon's output."""
import json
import os
import time

from fakeagent import FakeAgent
from harness import DaemonTestCase, assert_only_agents_sockets, main, pump, SLOW

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, 'agents')

FAST = {
    'server': {'timeout': 2},
    'watch': {'hc-interval': 0.5, 'credentials-interval': 0.5, 'websocket-interval': 0.5},
}


class WatchTestCase(DaemonTestCase):
    config = FAST
    start_daemon = False

    def setUp(self):
        super().setUp()
        self.home = os.path.join(self.tmp, 'home', 'pi')
        self.tokens = []
        self.fake_agents = []
        self.printer = self.sim.add_printer('Küchendrucker ✓')
        self.remember(self.printer['token'])

    def remember(self, token):
        self.tokens.append(token)
        return token

    # -- settings files ---------------------------------------------------
    def fixture(self, name, token=None, url=None, log=''):
        with open(os.path.join(FIXTURES, name), encoding='utf-8') as f:
            text = f.read()
        return (text.replace('@URL@', url or self.sim.url)
                    .replace('@TOKEN@', token or self.printer['token'])
                    .replace('@LOG@', log))

    def write(self, path, text, crlf=False, bom=False, replace=False):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if isinstance(text, bytes):
            data = text
        else:
            data = (text.replace('\n', '\r\n') if crlf else text).encode('utf-8')
        if bom:
            data = b'\xef\xbb\xbf' + data
        if replace:
            # As agents and editors save: a new file renamed over the old one.
            tmp = path + '.new'
            with open(tmp, 'wb') as f:
                f.write(data)
            os.rename(tmp, path)
        else:
            with open(path, 'wb') as f:
                f.write(data)
        return path

    def octoprint(self, name='octoprint-config.yaml', **kw):
        path = os.path.join(self.home, '.octoprint', 'config.yaml')
        os.makedirs(os.path.join(self.home, '.octoprint', 'logs'), exist_ok=True)
        return self.write(path, self.fixture(name, token=kw.pop('token', None)), **kw)

    def moonraker(self, name='moonraker-obico.cfg', **kw):
        path = os.path.join(self.home, 'printer_data', 'config', 'moonraker-obico.cfg')
        log = os.path.join(self.home, 'printer_data', 'logs', 'moonraker-obico.log')
        os.makedirs(os.path.dirname(log), exist_ok=True)
        text = self.fixture(name, token=kw.pop('token', None), log=kw.pop('log', log))
        return self.write(path, text, **kw)

    def official_agent(self):
        """The official agent, connected and reporting with the printer's token, as on a
        host where it runs: the app shows the printer online."""
        agent = FakeAgent('ws://127.0.0.1:%d/ws/dev/' % self.sim.port, self.printer['token'], interval=5).start()
        self.fake_agents.append(agent)
        self.addCleanup(agent.kill)
        agent.wait_event('')      # connected, or refused as the test's server refuses it
        return agent

    def start(self, *paths, agent=True):
        if agent and not self.fake_agents:
            self.official_agent()
        self.daemon.extra_args = [a for p in paths for a in ('--agent-settings', p)]
        self.daemon.start()

    def agents(self):
        return self.daemon.call('GetReport')['agents']

    def wait_okay(self):
        self.daemon.wait_prop('Http', 'ok')
        self.daemon.wait_prop('WebSocket', 'reachable')
        self.daemon.wait_prop('State', 'okay')

    # -- the rules every test ends with -----------------------------------
    def tearDown(self):
        if self.daemon.proc is not None:
            props = json.dumps(self.daemon.get_all(), default=str, ensure_ascii=False)
            report = str(self.daemon.call('GetReport'))
            recent = '\n'.join(self.daemon.call('GetRecentLog', 'u', 0))
            code = self.daemon.stop()
            self.assertIn(code, (0, None), 'obico-connectd exited with %s' % code)
        else:
            props = report = recent = ''
        try:
            self.assertNoAuthenticatedWebSocket()
            log = self.daemon.log()
            for token in self.tokens:
                for where, text in (('the log', log), ('the properties', props),
                                    ('GetReport', report), ('GetRecentLog', recent)):
                    self.assertNotIn(token, text, 'the agent token leaked into ' + where)
        finally:
            super().tearDown()

    def assertNoAuthenticatedWebSocket(self):
        """Every WebSocket with credentials is the fake official agent's."""
        opened = sum(a.log.count('connected') for a in self.fake_agents)
        tried = opened + sum(len([e for e in a.log if e.startswith('refused')]) for a in self.fake_agents)
        with_auth = [c for c in self.sim.ws_connections() if c.get('authorization')]
        assert_only_agents_sockets(self, with_auth, self.fake_agents)
        upgrades = [r for r in self.sim.requests('/ws/dev/')
                    if 'authorization' in r['headers']]
        ours = [r for r in upgrades if r['headers'].get('user-agent', '').startswith('obico-connect/')]
        self.assertEqual(ours, [], 'the daemon sent a WebSocket upgrade with credentials')
        # each fake agent may have one attempt on its way, not yet told
        self.assertLessEqual(len(upgrades), tried + len(self.fake_agents),
                             'a WebSocket upgrade with credentials that is not the agent\'s')


class TestSettings(WatchTestCase):
    def test_octoprint_realistic(self):
        path = self.octoprint()
        self.start(path)
        self.assertEqual(self.daemon.get('Role'), 'watch')
        self.assertEqual(self.daemon.get('CredentialSource'), path)
        self.assertEqual(self.daemon.get('ServerUrl'), self.sim.url)
        self.wait_okay()
        self.daemon.wait_prop('PrinterId', self.printer['id'])
        self.assertEqual(self.daemon.get('PrinterName'), 'Küchendrucker ✓')
        self.assertEqual(self.daemon.get('Problem'), '')

        agents = self.agents()
        self.assertEqual(len(agents), 1)
        self.assertEqual(agents[0]['path'], path)
        self.assertEqual(agents[0]['kind'], 'octoprint')
        self.assertEqual(agents[0]['server_url'], self.sim.url)
        self.assertTrue(agents[0]['has_token'])
        self.assertEqual(agents[0]['token_hint'], '…' + self.printer['token'][-4:])
        self.assertEqual(agents[0]['error'], '')
        self.assertEqual(agents[0]['log_path'],
                         os.path.join(self.home, '.octoprint', 'logs', 'octoprint.log'))

        # On the wire: the REST check with the agent's token, the upgrade without any.
        creds = self.sim.requests('/api/v1/octo/printer/')
        self.assertTrue(creds)
        self.assertEqual(creds[0]['headers']['authorization'], 'Token ' + self.printer['token'])
        upgrades = [r for r in self.sim.requests('/ws/dev/') if 'authorization' not in r['headers']]
        self.assertTrue(upgrades)
        self.assertTrue(all(r['status'] == 403 and r['websocket'] for r in upgrades))
        self.assertTrue(all('authorization' not in r['headers']
                            for r in self.sim.requests('/hc/')))

    def test_octoprint_anchors_merge_keys_crlf(self):
        path = self.octoprint('octoprint-anchors.yaml', crlf=True)
        self.start(path)
        self.assertEqual(self.daemon.get('Role'), 'watch')
        self.assertEqual(self.daemon.get('ServerUrl'), self.sim.url)
        self.wait_okay()

    def test_octoprint_legacy_section(self):
        path = self.octoprint('octoprint-legacy.yaml')
        self.start(path)
        self.assertEqual(self.daemon.get('Role'), 'watch')
        self.wait_okay()

    def test_octoprint_default_server(self):
        # No endpoint_prefix: the plugin's default, the Obico Cloud.
        path = self.write(os.path.join(self.home, '.octoprint', 'config.yaml'),
                          'plugins:\n  obico:\n    auth_token: %s\n' % self.printer['token'])
        self.start(path)
        self.assertEqual(self.daemon.get('Role'), 'watch')
        self.assertEqual(self.daemon.get('ServerUrl'), 'https://app.obico.io')
        self.assertEqual(self.agents()[0]['server_url'], 'https://app.obico.io')

    def test_moonraker_realistic_crlf_bom(self):
        path = self.moonraker(crlf=True, bom=True)
        self.start(path)
        self.assertEqual(self.daemon.get('Role'), 'watch')
        self.assertEqual(self.daemon.get('CredentialSource'), path)
        self.wait_okay()
        self.daemon.wait_prop('PrinterId', self.printer['id'])
        agent = self.agents()[0]
        self.assertEqual(agent['kind'], 'moonraker')
        self.assertEqual(agent['log_path'],
                         os.path.join(self.home, 'printer_data', 'logs', 'moonraker-obico.log'))

    def test_several_agents_first_with_token_is_watched(self):
        broken = self.write(os.path.join(self.tmp, 'a', 'config.yaml'),
                            self.fixture('broken-syntax.yaml'))
        unlinked = self.write(os.path.join(self.tmp, 'b', 'moonraker-obico.cfg'),
                              self.fixture('unlinked.cfg'))
        good = self.moonraker()
        other = self.octoprint()
        self.start(broken, unlinked, good, other)
        self.assertEqual(self.daemon.get('Role'), 'watch')
        self.assertEqual(self.daemon.get('CredentialSource'), good)
        self.wait_okay()
        agents = self.agents()
        self.assertEqual([a['path'] for a in agents], [broken, unlinked, good, other])
        self.assertEqual([a['kind'] for a in agents],
                         ['octoprint', 'moonraker', 'moonraker', 'octoprint'])
        self.assertEqual([a['has_token'] for a in agents], [False, False, True, True])
        self.assertEqual([a['watched'] for a in agents], [False, False, True, False])
        self.assertIn('YAML', agents[0]['error'])
        self.assertIn('line', agents[0]['error'])
        self.assertIn('not linked', agents[1]['error'])
        self.assertEqual(agents[1]['token_hint'], '')
        self.assertEqual(agents[2]['error'], '')


class TestBrokenSettings(WatchTestCase):
    def broken_files(self):
        d = os.path.join(self.tmp, 'broken')
        os.makedirs(d)
        directory = os.path.join(d, 'dir', 'config.yaml')
        os.makedirs(directory)
        dangling = os.path.join(d, 'link', 'moonraker-obico.cfg')
        os.makedirs(os.path.dirname(dangling))
        os.symlink(os.path.join(d, 'nowhere', 'moonraker-obico.cfg'), dangling)
        return [
            (self.write(os.path.join(d, 'syntax', 'config.yaml'),
                        self.fixture('broken-syntax.yaml')), 'YAML'),
            (self.write(os.path.join(d, 'noobico', 'config.yaml'),
                        self.fixture('no-obico.yaml')), 'plugins: obico:'),
            (self.write(os.path.join(d, 'unlinked', 'moonraker-obico.cfg'),
                        self.fixture('unlinked.cfg')), 'auth_token'),
            (self.write(os.path.join(d, 'binary', 'moonraker-obico.cfg'),
                        b'[server]\nauth_token = \xff\xfe0123\n'), 'UTF-8'),
            (self.write(os.path.join(d, 'spaces', 'moonraker-obico.cfg'),
                        '[server]\nauth_token = two words\n'), 'white space'),
            (self.write(os.path.join(d, 'badurl', 'moonraker-obico.cfg'),
                        '[server]\nurl = ftp://example.com\nauth_token = 0123456789abcdef0123\n'),
             'server address'),
            (directory, 'directory'),
            (dangling, 'does not exist'),
            (os.path.join(d, 'missing', 'config.yaml'), 'does not exist'),
        ]

    def test_broken_files_warn_and_say_why(self):
        files = self.broken_files()
        self.start(*[p for p, _ in files])
        self.assertEqual(self.daemon.get('Role'), 'unlinked')
        self.assertEqual(self.daemon.get('Problem'), 'not-linked')
        # The first broken file is named in the problem, with what is wrong.
        self.assertIn(files[0][0], self.daemon.get('ProblemDetail'))
        self.assertIn('YAML', self.daemon.get('ProblemDetail'))
        agents = self.agents()
        self.assertEqual(len(agents), len(files))
        for agent, (path, words) in zip(agents, files):
            self.assertEqual(agent['path'], path)
            self.assertFalse(agent['has_token'], path)
            self.assertIn(words, agent['error'], path)
        warnings = [line for line in self.daemon.log().splitlines()
                    if 'ocd-agents WARNING' in line]
        for path, _ in files:
            self.assertTrue(any(path in w for w in warnings), path)
        # Still serving, and nothing was sent with the broken files' contents.
        self.assertEqual(self.daemon.call('Test')[0], 'not-linked')
        self.assertEqual(self.sim.requests('/api/v1/octo/printer/'), [])

    def test_repaired_file_is_picked_up(self):
        path = self.write(os.path.join(self.home, '.octoprint', 'config.yaml'),
                          self.fixture('broken-syntax.yaml'))
        self.start(path)
        self.assertEqual(self.daemon.get('Role'), 'unlinked')
        pid = self.daemon.proc.pid
        self.octoprint(replace=True)
        self.daemon.wait_prop('Role', 'watch')
        self.wait_okay()
        self.assertEqual(self.daemon.proc.pid, pid)

    def test_file_appears_later(self):
        path = os.path.join(self.home, 'printer_data', 'config', 'moonraker-obico.cfg')
        os.makedirs(os.path.dirname(path))
        self.start(path)
        self.assertEqual(self.daemon.get('Role'), 'unlinked')
        self.moonraker()
        self.daemon.wait_prop('Role', 'watch')
        self.wait_okay()


class TestRelink(WatchTestCase):
    def relink(self):
        code = self.sim.new_code(name=self.printer['name'], printer_id=self.printer['id'])
        return self.remember(self.sim.verify(code))

    def test_relink_seen_through_rename(self):
        path = self.moonraker()
        self.start(path)
        self.wait_okay()
        pid = self.daemon.proc.pid
        new_token = self.relink()
        # The old token is refused now: the daemon says so.
        self.daemon.wait_prop('Http', 'invalid-credentials')
        self.daemon.wait_prop('Problem', 'invalid-credentials')
        # The agent writes its new token: seen without a restart.
        self.moonraker(token=new_token, replace=True)
        self.daemon.wait_prop('Http', 'ok')
        self.daemon.wait_prop('State', 'okay')
        self.assertEqual(self.daemon.proc.pid, pid)
        self.assertEqual(self.agents()[0]['token_hint'], '…' + new_token[-4:])
        last = self.sim.requests('/api/v1/octo/printer/')[-1]
        self.assertEqual(last['headers']['authorization'], 'Token ' + new_token)

    def test_relink_seen_when_rewritten_in_place(self):
        path = self.octoprint()
        self.start(path)
        self.wait_okay()
        new_token = self.relink()
        self.daemon.wait_prop('Http', 'invalid-credentials')
        self.octoprint(token=new_token)
        self.daemon.wait_prop('Http', 'ok')
        self.daemon.wait_prop('State', 'okay')

    def test_relink_through_symlink(self):
        real = self.moonraker()
        link_dir = os.path.join(self.tmp, 'etc')
        os.makedirs(link_dir)
        link = os.path.join(link_dir, 'moonraker-obico.cfg')
        os.symlink(real, link)
        self.start(link)
        self.wait_okay()
        new_token = self.relink()
        self.daemon.wait_prop('Http', 'invalid-credentials')
        self.moonraker(token=new_token, replace=True)
        self.daemon.wait_prop('Http', 'ok')


class TestChecks(WatchTestCase):
    def setUp(self):
        super().setUp()
        self.path = self.moonraker()

    def test_revoked_credentials(self):
        self.start(self.path)
        self.wait_okay()
        self.sim.revoke(self.printer['id'])
        self.daemon.wait_prop('Http', 'invalid-credentials')
        self.daemon.wait_prop('Problem', 'invalid-credentials')
        self.assertEqual(self.daemon.get('State'), 'error')
        self.assertEqual(self.daemon.get('Role'), 'watch')

    def test_websocket_blocked(self):
        self.sim.scenario('ws-blocked')
        self.start(self.path)
        self.daemon.wait_prop('WebSocket', 'blocked')
        self.daemon.wait_prop('Problem', 'websocket-blocked')
        self.assertEqual(self.daemon.get('State'), 'disconnected')
        self.assertEqual(self.daemon.get('Http'), 'ok')
        self.assertIn('/ws/dev/', self.daemon.get('ProblemDetail'))
        self.sim.scenario('healthy')
        self.daemon.wait_prop('WebSocket', 'reachable')
        self.daemon.wait_prop('State', 'okay')

    def test_upgrade_without_credentials_accepted(self):
        # A server that even accepts a WebSocket without credentials (which
        # obico-server never does) was reached through every proxy on the
        # way: the path is open.  The watch role's check and Diagnose() are
        # one upgrade with one verdict, and say so alike.
        self.sim.scenario('ws-open')
        self.start(self.path)
        self.wait_okay()
        deadline = time.monotonic() + 10 * SLOW
        while len([c for c in self.sim.ws_connections()
                   if c['t_close'] is not None and not c.get('authorization')]) < 2:
            self.assertLess(time.monotonic(), deadline, self.sim.ws_connections())
            pump(0.1)
        self.assertEqual(self.daemon.get('WebSocket'), 'reachable')
        self.assertEqual(self.daemon.get('State'), 'okay')
        self.assertEqual(self.daemon.get('Problem'), '')
        for c in self.sim.ws_connections():
            if c.get('authorization'):
                continue          # the official agent's own (assertNoAuthenticatedWebSocket)
            # accepted anonymously, and left at once
            self.assertEqual(c['printer_id'], 0, c)
            if c['t_close'] is not None:
                self.assertEqual((c['closed_by'], c['close_code']), ('client', 1001), c)
        errors = [e for e in self.daemon.call('GetReport')['events']
                  if e.get('error') and e['kind'] == 'websocket']
        self.assertEqual(errors, [])

        problem, fixes, steps = self.daemon.call('Diagnose')
        self.assertEqual(problem, '', steps)
        self.assertTrue(all(s['ok'] for s in steps), steps)
        self.assertEqual(steps[-1]['name'], 'websocket')
        self.assertEqual(steps[-1]['http_status'], 101)
        self.assertIn('without credentials', steps[-1]['detail'])
        self.assertEqual(self.daemon.get('WebSocket'), 'reachable')

    def test_server_down_and_back(self):
        self.start(self.path)
        self.wait_okay()
        self.sim.scenario('down')
        self.daemon.wait_prop('Http', 'unreachable')
        self.daemon.wait_prop('State', 'error')
        self.assertNotEqual(self.daemon.get('Problem'), '')
        self.sim.scenario('healthy')
        self.daemon.wait_prop('Http', 'ok')
        self.daemon.wait_prop('WebSocket', 'reachable')
        report = self.daemon.call('GetReport')
        self.assertGreater(report['total_errors'], 0)
        kinds = {e['kind'] for e in report['events'] if e.get('error')}
        self.assertTrue(kinds & {'health', 'credentials', 'websocket'}, kinds)

    def test_server_error(self):
        # The printer endpoint fails (5xx): reached, and failing.
        self.start(self.path)
        self.wait_okay()
        for status in (502, 503):
            with self.subTest(status=status):
                self.sim.scenario('server-error', status=status)
                self.daemon.wait_prop('Problem', 'server-error')
                self.assertEqual(self.daemon.get('State'), 'error')
                self.assertEqual(self.daemon.get('Http'), 'server-error')
                self.assertIn(str(status), self.daemon.get('ProblemDetail'))
                result, detail, facts = self.daemon.call('Test')
                self.assertEqual((result, facts['http_status']), ('unexpected-response', status))
                self.sim.scenario('healthy')
                self.wait_okay()
        errors = [e for e in self.daemon.call('GetReport')['events']
                  if e['error'] and e['kind'] == 'credentials']
        self.assertTrue(errors)

    def test_maintenance(self):
        # Every path 503, the anonymous upgrade too: server-error, not
        # websocket-blocked nor not-obico-server.
        self.start(self.path)
        self.wait_okay()
        self.sim.scenario('maintenance')
        self.daemon.wait_prop('Problem', 'server-error')
        self.daemon.wait_prop('WebSocket', 'blocked')
        self.assertEqual(self.daemon.get('Problem'), 'server-error')
        self.sim.scenario('healthy')
        self.wait_okay()

    def test_odd_health_check_is_no_verdict(self):
        # What app.obico.io answers at /hc/ nobody here has seen: while the
        # printer endpoint answers like Obico, /hc/ decides nothing.
        self.start(self.path)
        self.wait_okay()
        for scenario in ('hc-500', 'hc-odd'):
            with self.subTest(scenario=scenario):
                self.sim.scenario(scenario)
                seen = set()
                end = time.monotonic() + 3
                while time.monotonic() < end:
                    seen.add((self.daemon.get('State'), self.daemon.get('Problem')))
                    pump(0.05)
                self.assertEqual(seen, {('okay', '')})
                self.assertEqual(self.daemon.get('Http'), 'ok')
        self.assertIn('/hc/', self.daemon.log())
        self.assertEqual(self.daemon.call('GetReport')['total_errors'], 0)

    def test_not_obico_server(self):
        # A web page on the printer endpoint still is not Obico's.
        self.start(self.path)
        self.wait_okay()
        self.sim.scenario('not-obico')
        self.daemon.wait_prop('Problem', 'not-obico-server')
        self.assertEqual(self.daemon.get('Http'), 'unexpected')

    def test_test_method_uses_rest_only(self):
        self.start(self.path)
        self.wait_okay()
        result, detail, facts = self.daemon.call('Test')
        self.assertEqual(result, 'succeeded', detail)
        self.assertEqual(facts['printer_id'], self.printer['id'])

    def test_changing_methods_refused(self):
        self.start(self.path)
        for method, sig, args in (('Link', 's', ('123456',)), ('Unlink', None, ()),
                                  ('SetServerUrl', 's', ('https://example.com',))):
            err = self.assertDBusError('ReadOnlyCredentials', method, sig, *args)
            self.assertIn(self.path, err.message)
            self.assertIn('moonraker-obico', err.message)
        self.assertEqual(self.daemon.get('Role'), 'watch')
        self.assertEqual(self.daemon.get('ServerUrl'), self.sim.url)
        self.assertEqual(os.listdir(self.state_dir), [])


class TestSchedule(WatchTestCase):
    config = {
        'server': {'timeout': 2},
        'watch': {'hc-interval': 0.5, 'credentials-interval': 60, 'websocket-interval': 60},
    }

    def test_each_check_on_its_own_interval(self):
        path = self.moonraker()
        self.start(path)
        self.wait_okay()
        before = {p: len(self.sim.requests(p)) for p in ('/hc/', '/api/v1/octo/printer/', '/ws/dev/')}
        start = time.monotonic()
        time.sleep(3)
        after = {p: len(self.sim.requests(p)) for p in before}
        elapsed = time.monotonic() - start
        hc = after['/hc/'] - before['/hc/']
        # Every 0.5 s: no busy loop, no stall.
        self.assertGreaterEqual(hc, elapsed / 0.5 - 2)
        self.assertLessEqual(hc, elapsed / 0.5 + 2)
        self.assertEqual(after['/api/v1/octo/printer/'], before['/api/v1/octo/printer/'])
        self.assertEqual(after['/ws/dev/'], before['/ws/dev/'])

    def test_health_change_brings_the_credential_check_forward(self):
        # The credential check is 60 s away; /hc/ (every 0.5 s) turning to
        # 503 has the printer endpoint asked at once, and again when /hc/
        # is back.
        path = self.moonraker()
        self.start(path)
        self.wait_okay()
        self.sim.scenario('maintenance')
        self.daemon.wait_prop('Problem', 'server-error', timeout=5)
        self.assertEqual(self.daemon.get('State'), 'error')
        self.sim.scenario('healthy')
        self.daemon.wait_prop('Http', 'ok', timeout=5)
        self.daemon.wait_prop('Problem', lambda p: p != 'server-error', timeout=5)

    def test_odd_health_asks_the_printer_endpoint_once(self):
        path = self.moonraker()
        self.start(path)
        self.wait_okay()
        before = len(self.sim.requests('/api/v1/octo/printer/'))
        self.sim.scenario('hc-odd')
        time.sleep(3)
        self.assertEqual(len(self.sim.requests('/api/v1/octo/printer/')), before + 1)
        self.assertEqual(self.daemon.get('State'), 'okay')
        self.assertEqual(self.daemon.get('Problem'), '')

    def test_retry_soon_after_a_failure(self):
        # A long interval would leave the daemon in error for a minute; after
        # a failure it looks again within seconds.
        path = self.moonraker()
        self.start(path)
        self.wait_okay()
        self.sim.scenario('down')
        self.daemon.wait_prop('Http', 'unreachable')
        self.sim.scenario('healthy')
        self.daemon.wait_prop('Http', 'ok', timeout=8)


class TestAgentLogs(WatchTestCase):
    def append(self, path, lines):
        with open(path, 'a', encoding='utf-8') as f:
            for line in lines:
                f.write(line + '\n')

    def test_moonraker_4321_is_shared_credentials(self):
        path = self.moonraker()
        log = os.path.join(self.home, 'printer_data', 'logs', 'moonraker-obico.log')
        # A 4321 logged before the agent's last start is history (one since still counts:
        # tests/test-agent.py).
        self.append(log, ['2024-05-01 10:00:00,000     ERROR  obico.server_conn - '
                          'Shared auth_token detected. Shutting down.',
                          '2024-05-01 11:00:00,000      INFO  moonraker_obico.app - '
                          'starting moonraker-obico (v1.7.0)'])
        self.start(path)
        self.wait_okay()
        pump(1)
        self.assertEqual(self.daemon.get('WebSocket'), 'reachable')
        token = self.printer['token']
        self.append(log, [
            '2024-05-02 10:00:00,000     DEBUG  obico.server_conn - curl -H "Authorization: '
            'Token %s" https://app.obico.io/api/v1/octo/printer/' % token,
            '2024-05-02 10:00:01,000      INFO  obico.app - Status update 🖨',
            '2024-05-02 10:00:02,000   WARNING  obico.ws - WS Closed - 4321 - ',
            '2024-05-02 10:00:02,001     ERROR  obico.server_conn - '
            'Shared auth_token detected. Shutting down.',
        ])
        self.daemon.wait_prop('WebSocket', 'shared-credentials')
        self.daemon.wait_prop('Problem', 'shared-credentials')
        self.assertEqual(self.daemon.get('State'), 'error')
        # The anonymous checks go on, and do not hide what the agent saw.
        pump(1.5)
        self.assertEqual(self.daemon.get('Problem'), 'shared-credentials')
        causes = [e.get('cause', '') for e in self.daemon.call('GetReport')['events']]
        self.assertTrue(any('4321' in c for c in causes), causes)
        self.assertFalse(any('curl' in c for c in causes), causes)
        # Reconnect and Test do not lose it: the credentials are the same.
        for _ in range(3):
            self.daemon.call('Reconnect')
            self.daemon.call('Test')
        pump(1.5)
        self.assertEqual(self.daemon.get('WebSocket'), 'shared-credentials')
        self.assertEqual(self.daemon.get('Problem'), 'shared-credentials')

    def test_recent_lines_in_the_report(self):
        """GetReport's agent_log: the agent's own last lines, newest last, with
        the token it uses and one it used before (unknown here) redacted."""
        path = self.moonraker()
        log = os.path.join(self.home, 'printer_data', 'logs', 'moonraker-obico.log')
        old_token = 'f0e1d2c3b4a5968778695a4b'
        self.append(log, ['2024-05-01 10:00:00,000      INFO  obico.app - started %d' % i for i in range(80)])
        self.start(path)
        self.wait_okay()
        token = self.printer['token']
        self.append(log, [
            '2024-05-02 10:00:00,000     DEBUG  obico.server_conn - curl -H "Authorization: '
            'Token %s" https://app.obico.io/api/v1/octo/printer/' % token,
            '2024-05-02 10:00:00,500     DEBUG  obico.server_conn - curl -H "Authorization: '
            'Token %s" https://app.obico.io/api/v1/octo/printer/' % old_token,
            '2024-05-02 10:00:01,000      INFO  obico.app - Status update 🖨',
        ])
        lines = self.daemon.call('GetReport')['agent_log']
        self.assertEqual(len(lines), 60)
        self.assertEqual(lines[-1], '2024-05-02 10:00:01,000      INFO  obico.app - Status update 🖨')
        self.assertIn('Authorization: Token …' + token[-4:], lines[-3])
        self.assertIn('Authorization: Token …' + old_token[-4:], lines[-2])
        for line in lines:
            self.assertNotIn(token, line)
            self.assertNotIn(old_token[:-4], line)
        self.assertEqual(lines[0], '2024-05-01 10:00:00,000      INFO  obico.app - started 23')

    def test_moonraker_connection_errors_counted(self):
        path = self.moonraker()
        log = os.path.join(self.home, 'printer_data', 'logs', 'moonraker-obico.log')
        self.start(path)
        self.wait_okay()
        before = self.daemon.call('GetReport')['total_errors']
        self.append(log, [
            "2024-05-02 10:00:00,000   WARNING  obico.app - HTTPSConnectionPool(host='app.obico.io',"
            " port=443): Max retries exceeded with url: /api/v1/octo/printer/ (Caused by "
            "NewConnectionError('Failed to establish a new connection: [Errno -3] Temporary "
            "failure in name resolution')) token=%s" % self.printer['token'],
            'Traceback (most recent call last):',
            "requests.exceptions.ConnectionError: HTTPSConnectionPool(host='app.obico.io')",
            '2024-05-02 10:00:05,000   WARNING  obico.ws - Server WS ERROR: Handshake status '
            '502 Bad Gateway',
        ])
        report = self.sim.wait_for(
            lambda: (lambda r: r if r['total_errors'] >= before + 2 else None)(
                self.daemon.call('GetReport')), timeout=5 * SLOW)
        self.assertEqual(report['total_errors'], before + 2)
        agent_events = [e for e in report['events'] if e.get('kind') == 'agent']
        self.assertEqual(len(agent_events), 2)
        # A connection error is not 4321.
        self.assertEqual(self.daemon.get('Problem'), '')

    def test_moonraker_log_rotated(self):
        path = self.moonraker()
        log = os.path.join(self.home, 'printer_data', 'logs', 'moonraker-obico.log')
        self.append(log, ['2024-05-01 10:00:00,000      INFO  obico.app - started'])
        self.start(path)
        self.wait_okay()
        os.rename(log, log + '.1')
        self.append(log, ['2024-05-03 10:00:02,000   WARNING  obico.ws - WS Closed - 4321 - '])
        self.daemon.wait_prop('Problem', 'shared-credentials')

    def test_octoprint_log_only_the_plugin(self):
        path = self.octoprint()
        log = os.path.join(self.home, '.octoprint', 'logs', 'octoprint.log')
        self.append(log, ['2024-05-01 10:00:00,000 - octoprint.server - INFO - Starting'])
        self.start(path)
        self.wait_okay()
        self.append(log, [
            '2024-05-02 10:00:00,000 - octoprint.plugins.softwareupdate - ERROR - '
            'Max retries exceeded with url: /repos (Connection refused)',
            '2024-05-02 10:00:00,500 - octoprint.plugins.obico - WARNING - Server WS ERROR: '
            'Handshake status 403 Forbidden',
        ])
        self.sim.wait_for(lambda: [e for e in self.daemon.call('GetReport')['events']
                                   if e.get('kind') == 'agent'], timeout=5 * SLOW)
        events = [e for e in self.daemon.call('GetReport')['events'] if e.get('kind') == 'agent']
        self.assertEqual(len(events), 1)
        self.assertIn('Handshake', events[0]['cause'])
        self.append(log, ['2024-05-02 10:00:01,000 - octoprint.plugins.obico - ERROR - '
                          'Shared auth_token detected. Shutting down.'])
        self.daemon.wait_prop('Problem', 'shared-credentials')


class TestOwnCredentials(WatchTestCase):
    def store(self, token, printer_id):
        with open(os.path.join(self.state_dir, 'link.conf'), 'w') as f:
            f.write('[server]\nurl=%s\n[link]\ntoken=%s\nprinter-id=%d\nprinter-name=P\n'
                    % (self.sim.url, token, printer_id))

    def test_own_credentials_win(self):
        other = self.sim.add_printer('Own')
        self.remember(other['token'])
        self.store(other['token'], other['id'])
        path = self.moonraker()
        self.start(path, agent=False)     # the daemon is the agent here
        self.assertEqual(self.daemon.get('Role'), 'agent')
        self.assertEqual(self.daemon.get('CredentialSource'), 'daemon')
        self.daemon.wait_prop('WebSocket', 'connected')
        self.assertEqual([a['path'] for a in self.agents()], [path])
        # Its own session, with its own token only.
        conns = self.sim.ws_connections()
        self.assertEqual({c['printer_id'] for c in conns}, {other['id']})
        self.ws_with_own_token_ok = True

    def test_agent_token_in_link_conf_is_only_watched(self):
        # Someone copied the agent's token into the daemon's state: a session
        # with it would knock the agent off, so the daemon only watches.
        self.store(self.printer['token'], self.printer['id'])
        path = self.moonraker()
        self.start(path)
        self.assertEqual(self.daemon.get('Role'), 'watch')
        self.assertEqual(self.daemon.get('CredentialSource'), path)
        self.wait_okay()
        pump(1)
        self.assertIn('only watching', self.daemon.log())

    def assertNoAuthenticatedWebSocket(self):
        if getattr(self, 'ws_with_own_token_ok', False):
            # The daemon's own printer may have its session; the agent's may not.
            bad = [c for c in self.sim.ws_connections()
                   if c.get('authorization') and self.printer['token'] in c['authorization']]
            self.assertEqual(bad, [])
            bad = [r for r in self.sim.requests('/ws/dev/')
                   if self.printer['token'] in r['headers'].get('authorization', '')]
            self.assertEqual(bad, [])
            return
        super().assertNoAuthenticatedWebSocket()


class TestDefaultSearch(WatchTestCase):
    def test_empty_option_means_no_agents(self):
        self.start('')
        self.assertEqual(self.daemon.get('Role'), 'unlinked')
        self.assertEqual(self.agents(), [])
        self.assertIn('6-digit', self.daemon.get('ProblemDetail'))

    def test_config_settings_files_are_added(self):
        path = self.moonraker()
        self.write_config(dict(FAST, watch=dict(FAST['watch'], **{'settings-files': path})))
        self.daemon.extra_args = []     # the default search, plus the config's files
        self.daemon.start()
        self.assertEqual(self.daemon.get('Role'), 'watch')
        self.assertIn(path, [a['path'] for a in self.agents()])


class TestSearch(WatchTestCase):
    """The daemon's own search ([watch] search-roots pointed at a tree laid
    out the way KIAUH and octoprint_deploy lay out a host)."""

    def setUp(self):
        super().setUp()
        self.root = os.path.join(self.tmp, 'host')
        os.makedirs(os.path.join(self.root, 'etc', 'systemd', 'system'))
        self.put('etc/passwd', 'root:x:0:0:root:/root:/bin/bash\n'
                               'pi:x:1000:1000:,,,:/home/pi:/bin/bash\n')

    def put(self, relative, text):
        return self.write(os.path.join(self.root, relative), text)

    def start_searching(self, roots=None):
        self.write_config(dict(FAST, watch=dict(FAST['watch'], **{
            'search-roots': self.root if roots is None else roots})))
        if not self.fake_agents:
            self.official_agent()
        self.daemon.extra_args = []
        self.daemon.start()

    def kiauh_instance(self, n, fixture, token=None):
        data = '/home/pi/printer_%d_data' % n
        self.put(data[1:] + '/config/moonraker-obico.cfg',
                 self.fixture(fixture, token=token,
                              log=self.root + data + '/logs/moonraker-obico.log'))
        os.makedirs(os.path.join(self.root, data[1:], 'logs'), exist_ok=True)
        self.put(data[1:] + '/systemd/moonraker-obico.env',
                 'OBICO_ARGS="-m moonraker_obico.app -c %s/config/moonraker-obico.cfg"\n' % data)
        self.put('etc/systemd/system/moonraker-obico-printer_%d.service' % n,
                 '#Systemd service file for moonraker-obico\n[Unit]\nDescription=Moonraker-Obico\n\n'
                 '[Service]\nType=simple\nUser=pi\nWorkingDirectory=/home/pi/moonraker-obico\n'
                 'EnvironmentFile=%s/systemd/moonraker-obico.env\n'
                 'ExecStart=/home/pi/moonraker-obico-env/bin/python3 $OBICO_ARGS\n'
                 'Restart=always\n' % data)
        return os.path.join(self.root, data[1:], 'config', 'moonraker-obico.cfg')

    def test_kiauh_and_octoprint_deploy_found(self):
        unlinked = self.kiauh_instance(1, 'unlinked.cfg')
        linked = self.kiauh_instance(2, 'moonraker-obico.cfg')
        other = self.remember(self.sim.add_printer('Ender')['token'])
        ender = self.put('home/pi/.ender3/config.yaml', self.fixture('octoprint-config.yaml', token=other))
        self.put('home/pi/.ender3/users.yaml', '{}\n')
        self.put('etc/systemd/system/ender3.service',
                 '[Service]\nEnvironment="PORT=5001"\nEnvironment="BASEDIR=/home/pi/.ender3"\n'
                 'Environment="CONFIGFILE=/home/pi/.ender3/config.yaml"\nUser=pi\n'
                 'ExecStart=/home/pi/OctoPrint/bin/octoprint serve --config=${CONFIGFILE} '
                 '--basedir=${BASEDIR} --port=${PORT}\n')
        self.start_searching()
        self.assertEqual(self.daemon.get('Role'), 'watch')
        self.assertEqual(self.daemon.get('CredentialSource'), linked)
        self.wait_okay()
        agents = self.agents()
        self.assertEqual([a['path'] for a in agents], [unlinked, linked, ender])
        self.assertEqual([a['service'] for a in agents],
                         ['moonraker-obico-printer_1.service', 'moonraker-obico-printer_2.service',
                          'ender3.service'])
        self.assertEqual([a['installed'] for a in agents], [True, True, True])
        self.assertEqual([a['has_token'] for a in agents], [False, True, True])
        self.assertEqual([a['watched'] for a in agents], [False, True, False])
        self.assertEqual(agents[1]['log_path'],
                         self.root + '/home/pi/printer_2_data/logs/moonraker-obico.log')

    def test_octoprint_without_plugin_is_no_agent(self):
        path = self.put('home/pi/.octoprint/config.yaml', self.fixture('no-obico.yaml'))
        self.start_searching()
        self.assertEqual(self.daemon.get('Role'), 'unlinked')
        agents = self.agents()
        self.assertEqual([a['path'] for a in agents], [path])
        self.assertEqual(agents[0]['installed'], False)
        self.assertEqual(agents[0]['service'], '')

    def test_agent_installed_later_is_watched(self):
        self.start_searching()
        self.assertEqual(self.daemon.get('Role'), 'unlinked')
        self.assertEqual(self.agents(), [])
        # moonraker-obico's installer: the settings, then the service.
        path = self.kiauh_instance(1, 'moonraker-obico.cfg')
        self.daemon.wait_prop('Role', 'watch')
        self.assertEqual(self.daemon.get('CredentialSource'), path)
        self.wait_okay()
        self.assertEqual([(a['path'], a['service'], a['installed']) for a in self.agents()],
                         [(path, 'moonraker-obico-printer_1.service', True)])

    def test_empty_search_roots_only_settings_files(self):
        self.kiauh_instance(1, 'moonraker-obico.cfg')
        path = self.write(os.path.join(self.tmp, 'elsewhere', 'moonraker-obico.cfg'),
                          self.fixture('unlinked.cfg'))
        self.write_config(dict(FAST, watch=dict(FAST['watch'], **{
            'search-roots': '', 'settings-files': path})))
        self.daemon.extra_args = []
        self.daemon.start()
        self.assertEqual(self.daemon.get('Role'), 'unlinked')
        self.assertEqual([a['path'] for a in self.agents()], [path])


if __name__ == '__main__':
    main()
