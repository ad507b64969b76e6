#!/usr/bin/python3
"""An honest State after an outage (agent role, against obico-sim): once the
server is back and the socket reconnects, State is okay within 10 s, however
many retries the outage took; GetReport counts the outage as one episode with
its start, end, length and cause; a link that keeps dropping while up is
unreliable-network, which clears when [report] unreliable-minutes have gone
well."""
import time

from harness import DaemonTestCase, main, SLOW

OUTAGE = 45                 # s the server is gone
WINDOW = 15                 # s, [report] unreliable-minutes of these tests
# s, the longest wait for a retry in progress when the server comes back after
# 45 s: with the jitter at its low end, 8 failures take under 45 s, so the 9th
# wait (2^6 s × up to 1.5) may have just begun.
BACKOFF_MAX = 2 ** 6 * 1.5 + 1


class OutageTestCase(DaemonTestCase):
    config = {
        'server': {'timeout': 2},
        'session': {'heartbeat-interval': 0.5, 'dead-peer-timeout': 2},
        'report': {'unreliable-minutes': WINDOW / 60},
    }

    def setUp(self):
        super().setUp()
        self.printer_id, _ = self.link('Outage Printer')
        self.daemon.wait_prop('State', 'okay')

    def connections(self):
        return [c for c in self.sim.ws_connections() if c['printer_id'] == self.printer_id]


class TestOutage(OutageTestCase):
    def test_45s_outage_okay_at_once_and_one_episode(self):
        self.daemon.call('ResetErrors')
        gone = time.time()
        self.sim.kill()
        self.daemon.wait_prop('State', 'error')
        time.sleep(max(0, OUTAGE - (time.time() - gone)))
        self.sim.start()
        back = time.time()
        self.daemon.wait_prop('State', 'okay', timeout=BACKOFF_MAX + 15)
        okay = time.time()
        conns = self.connections()
        self.assertTrue(conns, 'no WebSocket reached the restarted server')
        reconnected = min(c['t_open'] for c in conns)
        print('outage %.1f s: reconnected %.1f s after the server came back, State okay %.2f s '
              'after the reconnect (%.1f s after the server came back)'
              % (back - gone, reconnected - back, okay - reconnected, okay - back))
        self.assertLess(okay - reconnected, 10)
        self.assertEqual(self.daemon.get('Problem'), '')

        report = self.daemon.call('GetReport')
        self.assertEqual(report['outage_count'], 1, report['outages'])
        self.assertEqual(len(report['outages']), 1)
        outage = report['outages'][0]
        self.assertGreater(outage['end'], outage['start'])
        # From the first error to the first good reconnect: the server's
        # 45 s and the wait for the next retry.
        self.assertGreater(outage['duration'], OUTAGE - 3, outage)
        self.assertLess(outage['duration'], reconnected - gone + 2, outage)
        self.assertAlmostEqual(outage['duration'], (outage['end'] - outage['start']) / 1e6, delta=0.01)
        self.assertNotEqual(outage['cause'], '')
        self.assertAlmostEqual(report['outage_seconds'], outage['duration'], delta=0.01)
        self.assertFalse(report['outage'])
        # The 24 h account still has every retry.
        self.assertGreater(report['total_errors'], 3)
        self.assertFalse(report['recent_alert'])

    def test_ongoing_outage_in_the_report(self):
        self.sim.kill()
        self.daemon.wait_prop('State', 'error')
        time.sleep(2)
        report = self.daemon.call('GetReport')
        self.assertTrue(report['outage'])
        self.assertEqual(report['outages'][-1]['end'], 0)
        self.assertGreater(report['outages'][-1]['duration'], 1)
        self.assertTrue(self.daemon.get('ErrorStats')['outage'])


class TestFlapping(OutageTestCase):
    def test_drops_while_up_are_unreliable_then_clear(self):
        self.daemon.call('ResetErrors')
        for drop in range(3):
            before = len(self.connections())
            self.sim.ws_close(code=1011, reason='flap', printer_id=self.printer_id)
            self.sim.wait_for(lambda: len(self.connections()) > before, timeout=15 * SLOW)
            time.sleep(0.5)
        self.daemon.wait_prop('Problem', 'unreliable-network')
        self.assertEqual(self.daemon.get('State'), 'error')
        self.assertEqual(self.daemon.get('WebSocket'), 'connected')
        report = self.daemon.call('GetReport')
        self.assertEqual(report['outage_count'], 3, report['outages'])
        self.assertEqual(report['configuration']['unreliable_minutes'], WINDOW / 60)
        # Nothing more goes wrong: the window forgets and State is okay again.
        start = time.monotonic()
        self.daemon.wait_prop('State', 'okay', timeout=WINDOW + 10)
        self.assertLess(time.monotonic() - start, WINDOW + 5)
        self.assertEqual(self.daemon.get('Problem'), '')


if __name__ == '__main__':
    main()
