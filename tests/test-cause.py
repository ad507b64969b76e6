#!/usr/bin/python3
"""Naming the cause of an unreliable link (issue 14, item 2): the real daemon,
obico-sim dropping the WebSocket, and the host's services as real programs —
python-dbusmock's networkmanager (an access point whose strength the test
changes) and timedated on the daemon's bus, umockdev's testbed for the
Raspberry Pi's get_throttled.  Each cause is named from its evidence and
from nothing else: the same drops with a strong signal stay
unreliable-network, a weak signal without drops is no problem.  The remedies
(TurnOffWifiPowerSave, TurnOnNetworkTime) change the fakes' state.

Environment (set by tests/meson.build): OBICO_CONNECTD, OBICO_SIM.
"""
import time

from harness import SLOW, main, pump  # noqa: E402
from hostfakes import NM_AP, NM_SETTINGS, TIMEDATED, TIMEDATED_PATH, HostFakesTestCase  # noqa: E402
from gi.repository import GLib  # noqa: E402  (hostfakes chose the versions)

MOCK = 'org.freedesktop.DBus.Mock'


class CauseTestCase(HostFakesTestCase):
    config = {
        'server': {'timeout': 2},
        'session': {'heartbeat-interval': 0.5, 'dead-peer-timeout': 2},
        'report': {'unreliable-minutes': 2},
    }

    def start_linked(self, host_ready):
        self.daemon.start()
        self.printer_id, _ = self.link('Cause Printer')
        self.daemon.wait_prop('State', 'okay')
        self.wait_host(host_ready)

    def wait_host(self, predicate, timeout=10):
        end = time.monotonic() + timeout * SLOW
        host = None
        while time.monotonic() < end:
            host = self.daemon.get('Host')
            if predicate(host):
                return host
            pump(0.05)
        self.fail('Host stayed %r' % host)

    def turn_on_network_time(self, timedated):
        """The remedy TurnOnNetworkTime: timedated's NTP is on."""
        self.daemon.call('TurnOnNetworkTime')
        self.assertTrue(timedated.call(TIMEDATED_PATH, 'org.freedesktop.DBus.Properties', 'Get', 'ss',
                                       TIMEDATED, 'NTP'))

    def connections(self):
        return [c for c in self.sim.ws_connections() if c['printer_id'] == self.printer_id]

    def drop(self, times=1):
        """The server drops the socket; the daemon reconnects (one outage each)."""
        for _ in range(times):
            before = len(self.connections())
            self.sim.ws_close(code=1011, reason='flap', printer_id=self.printer_id)
            # The backoff grows with drops in a row (up to 24 s at the 7th).
            self.sim.wait_for(lambda: len(self.connections()) > before, timeout=40 * SLOW)
            self.daemon.wait_prop('WebSocket', 'connected', timeout=15)
            time.sleep(0.3)

    def wait_problem(self, problem, timeout=10):
        try:
            self.daemon.wait_prop('Problem', problem, timeout=timeout)
        except AssertionError:
            self.fail('Problem %r (%r), not %r\n--- daemon log ---\n%s'
                      % (self.daemon.get('Problem'), self.daemon.get('ProblemDetail'), problem,
                         self.daemon.log()[-3000:]))

    def assertStays(self, seconds, **props):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            for name, value in props.items():
                self.assertEqual(self.daemon.get(name), value, '%s (ProblemDetail %r)'
                                 % (name, self.daemon.get('ProblemDetail')))
            pump(0.1)


class TestWeakWifi(CauseTestCase):
    def test_drops_while_weak_are_weak_wifi(self):
        nm = self.network_manager(strength=18)
        self.start_linked(lambda h: h.get('wifi_signal') == 18)
        # A weak signal on a link that holds is no problem.
        self.assertStays(3 * SLOW, State='okay', Problem='')

        self.drop(3)
        self.wait_problem('weak-wifi')
        self.assertEqual(self.daemon.get('State'), 'error')
        self.assertEqual(self.daemon.get('ProblemDetail'),
                         '3 of the last 3 drops happened while the Wi-Fi signal was under 30 %.')

        # The evidence is in the report: every error and outage with the host's context.
        report = self.daemon.call('GetReport')
        self.assertEqual(len(report['outages']), 3, report['outages'])
        for outage in report['outages']:
            self.assertEqual(outage['host']['wifi_signal'], 18, outage)
            self.assertIn('rtt_ms', outage['host'])
        errors = [e for e in report['events'] if e['error']]
        self.assertTrue(errors)
        for event in errors:
            self.assertEqual(event['host']['wifi_signal'], 18, event)
            self.assertEqual(event['host']['wifi_frequency'], 2437, event)
        self.assertFalse(any('host' in e for e in report['events'] if not e['error']))

        # The signal recovers (the access point's strength changes under the
        # daemon); the next drops happen at 82 %: most drops no longer share it.
        nm.set(nm.ap, NM_AP, 'Strength', GLib.Variant('y', 82))
        self.wait_host(lambda h: h.get('wifi_signal') == 82)
        self.drop(4)
        self.wait_problem('unreliable-network')
        report = self.daemon.call('GetReport')
        self.assertEqual([o['host']['wifi_signal'] for o in report['outages']], [18] * 3 + [82] * 4)

    def test_same_drops_strong_signal_stay_unreliable(self):
        self.network_manager(strength=82)
        self.start_linked(lambda h: h.get('wifi_signal') == 82)
        self.drop(3)
        self.wait_problem('unreliable-network')
        self.assertStays(2 * SLOW, Problem='unreliable-network')
        self.assertTrue(self.daemon.get('ProblemDetail').startswith('3 of the last'),
                        self.daemon.get('ProblemDetail'))

    def test_signal_weakens_during_the_drops(self):
        nm = self.network_manager(strength=82)
        self.start_linked(lambda h: h.get('wifi_signal') == 82)
        self.drop(1)
        nm.set(nm.ap, NM_AP, 'Strength', GLib.Variant('y', 20))
        self.wait_host(lambda h: h.get('wifi_signal') == 20)
        self.drop(2)
        # 2 of 3 drops weak: more than half.
        self.wait_problem('weak-wifi')
        self.assertEqual(self.daemon.get('ProblemDetail'),
                         '2 of the last 3 drops happened while the Wi-Fi signal was under 30 %.')


class TestUnderVoltage(CauseTestCase):
    def test_drops_under_voltage(self):
        self.network_manager(strength=18)
        self.testbed.firmware(0x50005)
        self.start_linked(lambda h: h.get('under_voltage') is True and h.get('wifi_signal') == 18)
        self.drop(3)
        # Under-voltage explains a weak signal too: it comes first.
        self.wait_problem('under-voltage')
        self.assertIn('3 of the last 3 drops happened while the Raspberry Pi reported under-voltage',
                      self.daemon.get('ProblemDetail'))
        outages = self.daemon.call('GetReport')['outages']
        self.assertTrue(all(o['host']['under_voltage'] for o in outages), outages)

    def test_under_voltage_without_drops_is_no_problem(self):
        self.testbed.firmware(0x50005)
        self.start_linked(lambda h: h.get('under_voltage') is True)
        self.assertStays(3 * SLOW, State='okay', Problem='')


class TestPowerSave(CauseTestCase):
    def test_drops_with_power_save_then_turn_it_off(self):
        nm = self.network_manager(strength=70)
        nm.set_powersave(3)
        self.start_linked(lambda h: h.get('wifi_power_save') is True)
        self.drop(3)
        self.wait_problem('wifi-power-save')
        self.assertIn('3 of the last 3 drops happened while Wi-Fi power saving was on',
                      self.daemon.get('ProblemDetail'))

        # The remedy: the connection saved with powersave 2 and reapplied.
        nm.call(nm.device, MOCK, 'ClearCalls')
        before = nm.call(nm.settings, NM_SETTINGS, 'GetSettings')
        self.daemon.call('TurnOffWifiPowerSave')
        settings = nm.call(nm.settings, NM_SETTINGS, 'GetSettings')
        self.assertEqual(settings['802-11-wireless']['powersave'], 2)
        # The rest as it was.
        before['802-11-wireless']['powersave'] = 2
        self.assertEqual(settings, before)
        calls = nm.call(nm.device, MOCK, 'GetMethodCalls', 's', 'Reapply')
        self.assertEqual(len(calls), 1, calls)
        self.wait_host(lambda h: h.get('wifi_power_save') is False)

    def test_without_networkmanager(self):
        self.start_linked(lambda h: 'rtt_ms' in h)
        error = self.assertDBusError('HostServiceFailed', 'TurnOffWifiPowerSave')
        self.assertIn('NetworkManager', error.message)


class TestClock(CauseTestCase):
    def test_drops_with_a_wrong_clock_then_turn_on_ntp(self):
        timedated = self.timedated(False)
        self.sim.clock(3 * 3600)
        self.start_linked(lambda h: h.get('clock_synchronized') is False and h.get('clock_skew', 0) > 1000)
        # A wrong clock on a link that holds is no problem (yet).
        self.assertStays(2 * SLOW, State='okay', Problem='')
        self.drop(3)
        self.wait_problem('clock')
        self.assertEqual(self.daemon.get('ProblemDetail'),
                         '3 of the last 3 drops happened while this host\'s clock was not synchronized '
                         'and 3 hours off the server\'s.')

        self.turn_on_network_time(timedated)
        self.wait_host(lambda h: h.get('clock_synchronized') is True)

    def test_synchronized_clock_is_not_the_cause(self):
        self.timedated(True)
        self.sim.clock(3 * 3600)
        self.start_linked(lambda h: h.get('clock_synchronized') is True and h.get('clock_skew', 0) > 1000)
        self.drop(3)
        self.wait_problem('unreliable-network')

    def test_without_timedated(self):
        self.start_linked(lambda h: 'rtt_ms' in h)
        error = self.assertDBusError('HostServiceFailed', 'TurnOnNetworkTime')
        self.assertIn('timedated', error.message)


def make_dated_cert(directory, start, end):
    """test-diagnose.py's certificate valid from @start to @end."""
    import importlib.util
    import os
    spec = importlib.util.spec_from_file_location('test_diagnose', os.path.join(os.path.dirname(__file__),
                                                                               'test-diagnose.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.make_dated_cert(directory, start, end)


class TestClockTls(CauseTestCase):
    """A certificate not valid yet — what a Pi without a real-time clock
    sees, booted with an old date: clock while the clock is not synchronized
    and off the server's, tls once it is synchronized."""

    def test_not_valid_yet_by_a_wrong_clock(self):
        import os
        from simctl import Sim
        timedated = self.timedated(False)
        # The last server's Date: three days ahead of this host's clock.
        self.sim.clock(3 * 86400)
        self.start_linked(lambda h: h.get('clock_synchronized') is False and h.get('clock_skew', 0) > 86400)
        tls_sim = Sim(tls=make_dated_cert(os.path.join(self.tmp, 'future'), '20990101000000Z',
                                          '21000101000000Z'))
        tls_sim.start()
        self.addCleanup(tls_sim.close)
        self.daemon.call('SetServerUrl', 's', tls_sim.url.replace('http://', 'https://'))
        self.wait_problem('clock')
        self.assertEqual(self.daemon.get('ProblemDetail'),
                         'The server\'s certificate is not valid by this host\'s clock, which is 3 days off '
                         'the server\'s and not synchronized with network time.')
        # Network time on: the clock is right, so the certificate is wrong.
        self.turn_on_network_time(timedated)
        self.wait_problem('tls')


if __name__ == '__main__':
    main()
