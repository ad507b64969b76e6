#!/usr/bin/python3
"""GetReport's host_history: what changed in Host, and when, for the report's lanes.

The real daemon with python-dbusmock's NetworkManager and timedated on its bus
and umockdev's testbed for the Raspberry Pi's get_throttled (as test-host.py),
obico-sim for the WebSocket whose TCP_INFO the agent role reads.  The signal
dips and recovers, the Wi-Fi roams, the supply drops and recovers, NTP
synchronizes, the WebSocket closes: each turns up in the history at its time,
its values as Host had them, every key as documented.  How entries fold and
leave the window is unit-tested (tests/unit/test-host-history.c), where the
test sets the time.

Environment (set by tests/meson.build): OBICO_CONNECTD, OBICO_SIM.
"""
import importlib
import os
import re
import time

from hostfakes import FIRMWARE, NM_AP, NM_ACTIVE, TIMEDATED, TIMEDATED_PATH  # noqa: E402
from gi.repository import GLib  # noqa: E402  (hostfakes chose the versions)
from harness import main, pump  # noqa: E402

host_tests = importlib.import_module('test-host')

XML = host_tests.XML


def documented_history_keys():
    """{key: D-Bus type} of GetReport's report.host_history entries."""
    with open(XML, encoding='utf-8') as f:
        return dict(re.findall(r'@key report\.host_history\.(\w+) \(([^)]+)\)', f.read()))


HISTORY_KEYS = documented_history_keys()


def replay(history):
    """The state after every entry, as the lanes read it: [(t, {key: value})]."""
    state, out = {}, []
    for entry in history:
        for key in entry.get('gone', []):
            state.pop(key, None)
        state.update({k: v for k, v in entry.items() if k in host_tests.HOST_KEYS})
        out.append((entry['t'], dict(state)))
    return out


class TestHostHistory(host_tests.HostTestCase):
    def history(self):
        """GetReport's host_history, every key documented with its type."""
        raw = self.bus.conn.call_sync('io.obico.Connect1', '/io/obico/Connect1', 'io.obico.Connect1',
                                      'GetReport', None, None, 0, -1, None).get_child_value(0)
        history = raw.lookup_value('host_history', None)
        self.assertIsNotNone(history, 'GetReport has no host_history')
        self.assertEqual(history.get_type_string(), 'aa{sv}')
        for i in range(history.n_children()):
            entry = history.get_child_value(i)
            for j in range(entry.n_children()):
                key = entry.get_child_value(j).get_child_value(0).get_string()
                kind = entry.get_child_value(j).get_child_value(1).get_variant().get_type_string()
                self.assertIn(key, HISTORY_KEYS, 'host_history has the undocumented key %s' % key)
                self.assertEqual(kind, HISTORY_KEYS[key], 'host_history.%s is documented as %s'
                                 % (key, HISTORY_KEYS[key]))
        history = history.unpack()
        times = [e['t'] for e in history]
        self.assertEqual(times, sorted(times), 'host_history is not oldest first')
        return history

    def test_nothing_to_tell(self):
        """A host that tells nothing has no history."""
        self.daemon.start()
        self.daemon.wait_prop('State', 'unlinked')
        time.sleep(1.5)
        self.assertEqual(self.history(), [])

    def test_what_changed_and_when(self):
        nm = self.network_manager(strength=80)
        timedated = self.timedated(False)
        self.testbed.firmware(0x0)
        start = time.time() * 1e6
        self.daemon.start()
        self.link()
        self.daemon.wait_prop('State', 'okay')
        self.wait_host(lambda h: {'wifi_signal', 'rtt_ms', 'under_voltage', 'clock_synchronized'} <= set(h))

        history = self.history()
        self.assertGreaterEqual(len(history), 1)
        # The first entry is the context when the daemon started telling it;
        # by now every key Host tells is in the replayed state, as Host has it.
        self.assertGreaterEqual(history[0]['t'], start)
        host = self.host()
        last = replay(history)[-1][1]
        for key in ('wifi_signal', 'wifi_bitrate', 'under_voltage', 'clock_synchronized'):
            self.assertEqual(last.get(key), host[key], key)
        self.assertIn('rtt_ms', last)

        # The signal dips and comes back within the minute: the dip stays.
        for strength in (15, 70):
            nm.set(nm.ap, NM_AP, 'Strength', GLib.Variant('y', strength))
            self.wait_host(lambda h: h.get('wifi_signal') == strength)
        # The Wi-Fi roams to a second access point.
        ap2 = nm.add_ap('ap2', '66:77:88:99:AA:BB', 5180, 64)
        nm.set(nm.active, NM_ACTIVE, 'SpecificObject', GLib.Variant('o', ap2))
        self.wait_host(lambda h: h.get('wifi_roams') == 1)
        # The supply drops and recovers; NTP synchronizes.
        self.testbed.set_attribute(FIRMWARE, 'get_throttled', '50005\n')
        self.wait_host(lambda h: h.get('under_voltage') is True)
        self.testbed.set_attribute(FIRMWARE, 'get_throttled', '50000\n')
        self.wait_host(lambda h: h.get('under_voltage') is False)
        timedated.call(TIMEDATED_PATH, TIMEDATED, 'SetNTP', 'bb', True, False)
        self.wait_host(lambda h: h.get('clock_synchronized') is True)
        end = time.time() * 1e6

        history = self.history()
        states = replay(history)
        signals = [e[k] for e in history for k in ('wifi_signal', 'wifi_signal_min') if k in e]
        self.assertIn(15, signals, 'the dip is not in the history: %r' % history)
        self.assertEqual(states[-1][1]['wifi_signal'], 64)
        self.assertEqual(sum(e.get('roams', 0) for e in history), 1)
        self.assertTrue(any(e.get('under_voltage') is True or e.get('under_voltage_seen') for e in history),
                        history)
        self.assertIs(states[-1][1]['under_voltage'], False)
        self.assertIs(states[-1][1]['clock_synchronized'], True)
        for t, _ in states:
            self.assertLessEqual(t, end)
        seen = {k for e in history for k in e}
        # At most one entry a minute: the test took less than one or two.
        self.assertLessEqual(len(history), 2 + int((end - start) / 60e6) + 1, history)

        # The WebSocket closes: its figures are gone from then on.
        self.daemon.call('Unlink')
        self.wait_host(lambda h: not host_tests.TCP_KEYS & set(h))
        history = self.history()
        self.assertIn('rtt_ms', history[-1].get('gone', []), history[-1])
        self.assertNotIn('rtt_ms', replay(history)[-1][1])

        # Every documented key of an entry turned up (the worst of a minute
        # only where the minute had one; RTT peaks and retransmissions are
        # the netfault test's, bit rate dips NetworkManager's template does
        # not make).
        seen |= {k for e in history for k in e}
        self.assertEqual(HISTORY_KEYS.keys() - seen - {'rtt_ms_max', 'retransmits_max', 'wifi_bitrate_min',
                                                        'under_voltage_seen', 'wifi_signal_min'}, set())

    def test_idle_adds_no_wakeups(self):
        """Recording rides on Host's changes: an idle daemon with a history
        wakes no more than before (test-host's bound)."""
        self.network_manager(strength=50)
        self.daemon.start()
        self.wait_host(lambda h: h.get('wifi_signal') == 50)
        self.assertEqual(len(self.history()), 1)
        time.sleep(0.5)
        idle = self.idle_wakeups(3)
        self.assertLessEqual(idle, 3, 'the daemon woke up %d times in 3 idle seconds' % idle)
        pump()
        self.assertEqual(len(self.history()), 1)


if __name__ == '__main__':
    main()
