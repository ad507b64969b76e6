#!/usr/bin/python3
"""The live link of the agent role, on the wire: the WebSocket session
(lowercase bearer, heartbeats with _ts, never {}), close codes 4321 and 1000,
backoff, a blocked WebSocket, dead-peer detection, re-link elsewhere, the
error account and its severity bands, and one PropertiesChanged per change."""
import json
import re
import statistics
import time

from harness import DaemonTestCase, main, pump, SLOW

FAST = {
    'server': {'timeout': 2},
    'session': {'heartbeat-interval': 0.5, 'dead-peer-timeout': 2},
}


class SessionTestCase(DaemonTestCase):
    config = FAST

    def setUp(self):
        super().setUp()
        self.printer_id, _ = self.link('Session Printer')
        self.token = self.sim.printer(self.printer_id)['token']
        self.daemon.wait_prop('State', 'okay')

    def connections(self):
        return [c for c in self.sim.ws_connections() if c['printer_id'] == self.printer_id]

    def ws_attempts(self):
        return [r for r in self.sim.requests('/ws/dev/')]


class TestWire(SessionTestCase):
    def test_lowercase_bearer_and_first_status(self):
        conns = self.connections()
        self.assertEqual(len(conns), 1)
        self.assertEqual(conns[0]['authorization'], 'bearer ' + self.token)
        # The daemon's sockets carry its User-Agent: the watch-role tests tell
        # the daemon's WebSockets from the fake official agent's by it.
        self.assertRegex(conns[0]['user_agent'], r'^obico-connect/\d')
        msgs = self.sim.wait_for(lambda: self.sim.ws_messages())
        first = json.loads(msgs[0]['text'])
        self.assertEqual(first['settings']['agent']['name'], 'obico_connect')
        self.assertEqual(first['settings']['agent']['version'], '0.1.0')
        self.assertIsInstance(first['status']['_ts'], float)
        self.assertAlmostEqual(first['status']['_ts'], time.time(), delta=30)
        # Honest: obico-connect does not know the printer's state.
        self.assertNotIn('Operational', msgs[0]['text'])
        self.assertEqual(self.daemon.get('WebSocket'), 'connected')
        self.assertEqual(self.daemon.get('Http'), 'ok')

    def test_heartbeat_cadence_and_content(self):
        time.sleep(3.2)
        msgs = [m for m in self.sim.ws_messages() if m['printer_id'] == self.printer_id]
        self.assertGreaterEqual(len(msgs), 5)
        self.assertLessEqual(len(msgs), 9)
        for m in msgs:
            self.assertTrue(m['is_status'], m)
            self.assertTrue(m['has_ts'], m)
            self.assertFalse(m['empty_status'], m)
            self.assertNotEqual(m['text'].strip(), '{}')
        gaps = [b['t'] - a['t'] for a, b in zip(msgs[1:], msgs[2:])]
        self.assertAlmostEqual(statistics.median(gaps), 0.5, delta=0.15)
        stamps = [json.loads(m['text'])['status']['_ts'] for m in msgs]
        self.assertEqual(stamps, sorted(stamps))

    def test_passthru_answered_with_error(self):
        self.sim.ws_send({'passthru': {'ref': 'abc-1', 'target': 'file_downloader',
                                       'func': 'download', 'args': [], 'kwargs': {}}})
        reply = self.sim.wait_for(lambda: [m for m in self.sim.ws_messages() if 'passthru' in m['text']])
        body = json.loads(reply[0]['text'])
        self.assertEqual(body['passthru']['ref'], 'abc-1')
        self.assertIn('error', body['passthru'])
        self.assertNotIn('ret', body['passthru'])

    def test_commands_logged(self):
        self.sim.ws_send({'commands': [{'cmd': 'pause', 'args': {}, 'initiator': 'api'}]})
        end = time.monotonic() + 5
        while 'commands' not in self.daemon.log() and time.monotonic() < end:
            time.sleep(0.1)
        self.assertIn('pause', self.daemon.log())
        self.assertEqual(self.daemon.get('State'), 'okay')

    def test_garbage_from_server(self):
        deep = {}
        node = deep
        for _ in range(100):
            node['a'] = {}
            node = node['a']
        for odd in ({'passthru': 5}, deep, {'commands': 'x' * 100000}, {'remote_status': None},
                    {'passthru': {'ref': {'nested': [1, 2]}}}):
            self.sim.ws_send(odd)
        time.sleep(0.5)
        self.assertEqual(self.daemon.get('State'), 'okay')
        self.assertEqual(self.daemon.get('WebSocket'), 'connected')


class TestCloseCodes(SessionTestCase):
    def test_4321_never_reconnects(self):
        self.sim.ws_duplicate(self.printer_id)
        self.daemon.wait_prop('WebSocket', 'shared-credentials')
        self.assertEqual(self.daemon.get('State'), 'error')
        self.assertEqual(self.daemon.get('Problem'), 'shared-credentials')
        self.assertIn('4321', self.daemon.get('ProblemDetail'))
        closed = time.time()
        time.sleep(4)
        # Reconnect() and Test() do not open a socket with these credentials
        # again: that would knock the other holder off in turn.
        for _ in range(3):
            self.daemon.call('Reconnect')
            self.assertIn(self.daemon.call('Test')[0], ('succeeded', 'shared-credentials'))
            self.assertEqual(self.daemon.get('Problem'), 'shared-credentials')
        time.sleep(2)
        self.assertEqual(self.daemon.get('WebSocket'), 'shared-credentials')
        self.assertEqual(self.daemon.get('State'), 'error')
        self.assertEqual(self.daemon.get('Problem'), 'shared-credentials')
        upgrades = [r for r in self.ws_attempts()
                    if r['t'] > closed and 'authorization' in r['headers']]
        print('authenticated WebSocket upgrades after the 4321 (3 Reconnect, 3 Test): %d'
              % len(upgrades))
        self.assertEqual(upgrades, [], 'reconnected after 4321')
        # A new Link (new credentials) clears it.
        self.link('Relinked Printer')
        self.daemon.wait_prop('State', 'okay')
        self.assertEqual(self.daemon.get('Problem'), '')

    def test_4321_after_our_own_drop_gets_one_retry(self):
        """A 4321 within a minute of our own socket dying without a close may be the server
        settling our own late connection (a lossy link): one reconnect tells, never more; the
        second 4321 is final, across Reconnect and Test."""
        def authenticated_upgrades(since):
            return [r for r in self.ws_attempts()
                    if r['t'] > since and 'authorization' in r['headers']]

        # our socket dies without a close frame (the server goes down and comes back)
        self.sim.scenario('down')
        self.daemon.wait_prop('WebSocket', lambda v: v != 'connected', timeout=5)
        self.sim.scenario('healthy')
        self.daemon.wait_prop('State', 'okay', timeout=20)
        sockets = len(self.connections())

        first = time.time()
        self.sim.ws_duplicate(self.printer_id)
        # one retry: a new socket, and the link is okay again
        self.sim.wait_for(lambda: len(self.connections()) == sockets + 1, timeout=10 * SLOW)
        self.daemon.wait_prop('State', 'okay', timeout=10)
        self.assertIn('reconnecting once', self.daemon.log())
        self.assertEqual(len(authenticated_upgrades(first)), 1, self.daemon.log()[-3000:])

        second = time.time()
        self.sim.ws_duplicate(self.printer_id)
        self.daemon.wait_prop('WebSocket', 'shared-credentials')
        self.assertEqual(self.daemon.get('Problem'), 'shared-credentials')
        time.sleep(3)
        for _ in range(3):
            self.daemon.call('Reconnect')
            self.assertIn(self.daemon.call('Test')[0], ('succeeded', 'shared-credentials'))
            self.assertEqual(self.daemon.get('Problem'), 'shared-credentials')
        time.sleep(2)
        self.assertEqual(self.daemon.get('WebSocket'), 'shared-credentials')
        after_second = authenticated_upgrades(second)
        print('authenticated WebSocket upgrades after a 4321 that followed our own unclean drop: '
              '%d before the second 4321, %d after it (3 Reconnect, 3 Test)'
              % (len(authenticated_upgrades(first)) - len(after_second), len(after_second)))
        self.assertEqual(after_second, [], 'reconnected after the second 4321')
        self.assertEqual(len(authenticated_upgrades(first)), 1)

    def test_1000_reconnects(self):
        self.sim.ws_close(1000)
        self.daemon.wait_prop('WebSocket', lambda v: v != 'connected', timeout=3)
        self.sim.wait_for(lambda: len(self.connections()) == 2, timeout=5 * SLOW)
        self.daemon.wait_prop('State', 'okay')

    def test_deleted_while_connected(self):
        self.sim.revoke(self.printer_id, how='deleted')
        # The next heartbeat gets 1000; the reconnect gets 403; HTTP says 401.
        self.daemon.wait_prop('Problem', lambda v: v in ('invalid-credentials', 'still-invalid'))
        self.assertEqual(self.daemon.get('State'), 'error')
        self.assertEqual(self.daemon.get('Http'), 'invalid-credentials')
        before = len(self.ws_attempts())
        time.sleep(3)
        self.assertEqual(len(self.ws_attempts()), before, 'kept retrying refused credentials')


class TestRelinkElsewhere(SessionTestCase):
    def test_401_after_relink_elsewhere(self):
        code = self.sim.new_code(printer_id=self.printer_id)
        new_token = self.sim.verify(code)
        self.assertNotEqual(new_token, self.token)
        self.sim.ws_close(1000, printer_id=self.printer_id)
        self.daemon.wait_prop('Http', 'invalid-credentials')
        self.assertIn(self.daemon.get('Problem'), ('invalid-credentials', 'still-invalid'))
        result, detail, facts = self.daemon.call('Test')
        self.assertEqual(result, 'invalid-credentials')


class TestFailures(SessionTestCase):
    def test_server_killed_leaves_okay_within_1s(self):
        self.sim.kill()
        start = time.monotonic()
        self.daemon.wait_prop('State', lambda v: v != 'okay', timeout=3)
        self.assertLess(time.monotonic() - start, 1.0 * SLOW)
        self.daemon.wait_prop('State', 'error')
        self.assertIn(self.daemon.get('Problem'), ('server-address', 'internet'))
        self.sim.start()
        self.daemon.wait_prop('State', 'okay', timeout=20)

    def test_dead_peer_detected(self):
        self.sim.pause()
        start = time.monotonic()
        try:
            self.daemon.wait_prop('State', lambda v: v != 'okay', timeout=10)
            took = time.monotonic() - start
        finally:
            self.sim.resume()
        # dead-peer-timeout is 2 s here; the watchdog looks 4 times per period.
        self.assertGreater(took, 1.5)
        self.assertLess(took, 2 + 1.5 * SLOW)
        self.assertIn('stopped answering', self.daemon.call('GetRecentLog', 'u', 0)[-5:].__str__()
                      + self.daemon.log())
        self.daemon.wait_prop('State', 'okay', timeout=20)

    def test_websocket_blocked_and_backoff(self):
        self.sim.scenario('ws-blocked')
        self.sim.ws_close(1001)
        self.daemon.wait_prop('WebSocket', 'blocked')
        self.assertEqual(self.daemon.get('State'), 'disconnected')
        self.assertEqual(self.daemon.get('Problem'), 'websocket-blocked')
        self.assertEqual(self.daemon.get('Http'), 'ok')
        self.assertIn('101', self.daemon.get('ProblemDetail'))
        time.sleep(6)
        # The failed upgrades raise the error rate; the cause stays named.
        stats = self.daemon.get('ErrorStats')
        self.assertTrue(stats['alert'], stats)
        self.assertEqual(self.daemon.get('Problem'), 'websocket-blocked')
        self.assertEqual(self.daemon.get('State'), 'disconnected')
        times = [r['t'] for r in self.ws_attempts()][1:]
        gaps = [b - a for a, b in zip(times, times[1:])]
        self.assertGreaterEqual(len(gaps), 3, times)
        # min(2^(n-3), 300) × (0.5…1.5): the nth gap is within its band.
        for n, gap in enumerate(gaps, start=2):
            base = min(2 ** (n - 3), 300)
            self.assertGreater(gap, base * 0.5 - 0.05, (n, gaps))
            self.assertLess(gap, base * 1.5 + 0.5, (n, gaps))
        self.assertGreater(gaps[-1], gaps[0])
        self.sim.scenario('healthy')
        self.daemon.call('Reconnect')
        self.daemon.wait_prop('State', 'okay')


class TestServerError(SessionTestCase):
    """A server that is reached and fails is server-error, never
    not-obico-server nor websocket-blocked; /hc/ is no verdict."""

    def problems(self):
        return set(re.findall(r'State \S+, problem (\S+)', self.daemon.log()))

    def test_maintenance(self):
        # The cloud behind its load balancer: every path 503, sockets dropped.
        for status in (503, 502):
            with self.subTest(status=status):
                self.sim.scenario('maintenance', status=status)
                self.daemon.wait_prop('Problem', 'server-error')
                self.assertEqual(self.daemon.get('State'), 'error')
                self.assertEqual(self.daemon.get('Http'), 'server-error')
                self.assertIn(str(status), self.daemon.get('ProblemDetail'))
                result, detail, facts = self.daemon.call('Test')
                self.assertEqual((result, facts['http_status']), ('unexpected-response', status))
                self.assertEqual(self.daemon.get('Problem'), 'server-error')
                self.sim.scenario('healthy')
                self.daemon.call('Reconnect')
                self.daemon.wait_prop('State', 'okay', timeout=20)
                self.assertEqual(self.daemon.get('Http'), 'ok')
        self.assertEqual(self.problems() & {'not-obico-server', 'websocket-blocked'}, set(),
                         self.daemon.log()[-4000:])

    def test_printer_endpoint_5xx(self):
        self.sim.scenario('server-error', status=503)
        self.sim.ws_close(1001)
        # The socket comes back (it is fine), but its loss was explained by
        # the printer endpoint: failing.
        self.daemon.wait_prop('Problem', 'server-error')
        self.assertEqual(self.daemon.get('State'), 'error')
        self.sim.scenario('healthy')
        self.assertEqual(self.daemon.call('Test')[0], 'succeeded')
        self.daemon.wait_prop('State', 'okay')

    def test_odd_health_check_is_no_verdict(self):
        for scenario in ('hc-500', 'hc-odd'):
            with self.subTest(scenario=scenario):
                self.sim.scenario(scenario)
                before = len(self.connections())
                self.sim.ws_close(1001)
                self.sim.wait_for(lambda: len(self.connections()) > before, timeout=10)
                self.daemon.wait_prop('State', 'okay', timeout=20)
                self.assertEqual(self.daemon.get('Http'), 'ok')
                self.assertEqual(self.daemon.call('Test')[0], 'succeeded')
        self.assertNotIn('not-obico-server', self.problems())


class TestErrorAccount(SessionTestCase):
    config = {'server': {'timeout': 2},
              'session': {'heartbeat-interval': 3600, 'dead-peer-timeout': 600},
              'report': {'window-hours': 0.002,                  # 7.2 s
                         'unreliable-minutes': 0.12}}            # 7.2 s

    def fail(self):
        self.sim.scenario('server-error')
        self.daemon.call('Test')
        self.sim.scenario('healthy')

    def run_tests(self, ok, failed):
        """@failed failed exchanges in a row (one outage), then @ok good ones."""
        self.sim.scenario('server-error')
        for _ in range(failed):
            self.daemon.call('Test')
        self.sim.scenario('healthy')
        for _ in range(ok):
            self.assertEqual(self.daemon.call('Test')[0], 'succeeded')

    def test_severity_bands_and_alert(self):
        self.daemon.call('ResetErrors')
        self.assertEqual(self.daemon.get('ErrorStats')['attempts'], 0)
        self.run_tests(ok=24, failed=1)                        # 4 %
        stats = self.daemon.get('ErrorStats')
        self.assertEqual((stats['attempts'], stats['errors']), (25, 1))
        self.assertEqual(stats['severity'], 'low')
        self.assertEqual(self.daemon.get('State'), 'okay')

        self.daemon.call('ResetErrors')
        self.run_tests(ok=8, failed=2)                         # 20 %
        self.assertEqual(self.daemon.get('ErrorStats')['severity'], 'moderate')
        self.assertEqual(self.daemon.get('State'), 'okay')

        # Three failures in a row are one outage: the account says high,
        # State says the link is fine now.
        self.daemon.call('ResetErrors')
        self.run_tests(ok=7, failed=3)                         # 30 %, 10 attempts: alert
        stats = self.daemon.get('ErrorStats')
        self.assertEqual(stats['severity'], 'high')
        self.assertTrue(stats['alert'])
        self.assertEqual((stats['recent_exchanges'], stats['recent_failures']), (8, 1))
        self.assertFalse(stats['recent_alert'])
        self.assertEqual(self.daemon.get('State'), 'okay')

        # Three failures between good exchanges: the link keeps failing.
        self.daemon.call('ResetErrors')
        for _ in range(3):
            self.fail()
            self.assertEqual(self.daemon.call('Test')[0], 'succeeded')
        self.run_tests(ok=4, failed=0)                         # 30 %, 10 attempts
        stats = self.daemon.get('ErrorStats')
        self.assertEqual(stats['severity'], 'high')
        self.assertTrue(stats['alert'])
        self.assertEqual(stats['recent_failures'], 3)
        self.daemon.wait_prop('State', 'error')
        self.assertEqual(self.daemon.get('Problem'), 'unreliable-network')

        report = self.daemon.call('GetReport')
        self.assertEqual(report['severity'], 'high')
        self.assertIn('Wi-Fi', report['advice'])
        self.assertGreater(report['last'], report['first'] - 1)
        events = report['events']
        self.assertEqual(sum(1 for e in events if e['error']), 3)
        self.assertTrue(all(set(e) >= {'t', 'error', 'kind', 'cause'} for e in events))
        self.assertEqual(report['outage_count'], 3)
        self.assertTrue(all(o['end'] > o['start'] for o in report['outages']))

        # The windows forget: State is okay again without anything new
        # happening, and 7.2 s later nothing is left in them.
        self.daemon.wait_prop('State', 'okay', timeout=10)
        time.sleep(8)
        self.daemon.call('Test')
        stats = self.daemon.get('ErrorStats')
        self.assertEqual(stats['errors'], 0)
        self.assertEqual(stats['severity'], 'none')
        self.assertEqual(stats['recent_failures'], 0)
        self.assertGreaterEqual(stats['total_errors'], 3)

    def test_under_eight_attempts_no_alert(self):
        self.daemon.call('ResetErrors')
        self.run_tests(ok=1, failed=6)
        stats = self.daemon.get('ErrorStats')
        self.assertEqual(stats['attempts'], 7)
        self.assertFalse(stats['alert'])
        self.assertEqual(self.daemon.get('State'), 'okay')


class TestPropertiesChanged(SessionTestCase):
    def test_one_signal_per_transition(self):
        pump(0.5)
        self.daemon.changes.clear()
        self.sim.kill()
        self.daemon.wait_prop('State', 'error')
        self.sim.start()
        self.daemon.wait_prop('State', 'okay', timeout=20)
        pump(0.5)
        states = [c['State'] for _, c in self.daemon.changes if 'State' in c]
        self.assertGreaterEqual(len(states), 2, states)
        for a, b in zip(states, states[1:]):
            self.assertNotEqual(a, b, 'State emitted twice without a change: %r' % states)
        self.assertEqual(states[-1], 'okay')
        # Problem and State of one transition arrive together.
        for _, c in self.daemon.changes:
            if c.get('State') == 'error':
                self.assertIn('Problem', c)


if __name__ == '__main__':
    main()
