#!/usr/bin/python3
"""The Host property: what the host tells about the link's conditions.

The real daemon on a private bus with the system services it asks as real
programs: python-dbusmock's networkmanager and timedated templates on the
daemon's bus, and umockdev's testbed in place of /sys (the Raspberry Pi's
get_throttled and rpi_volt) and of /proc/net/wireless.  Every daemon here runs
in a testbed, empty unless a test fills it, so the machine the tests run on
shows through nowhere.  obico-sim supplies the server's Date (skewed on
request) and the WebSocket whose TCP_INFO the agent role reads.

Environment (set by tests/meson.build): OBICO_CONNECTD, OBICO_SIM.
"""
import os
import re
import time

from harness import SLOW, main, pump  # noqa: E402
from hostfakes import (FIRMWARE, NM, NM_ACTIVE, NM_AP, NM_PATH, NM_WIRELESS, TIMEDATED,  # noqa: E402
                       TIMEDATED_PATH, WIRELESS_HEAD, HostFakesTestCase)
from gi.repository import GLib  # noqa: E402  (hostfakes chose the versions)

HERE = os.path.dirname(os.path.abspath(__file__))
XML = os.path.join(os.path.dirname(HERE), 'dbus', 'io.obico.Connect1.xml')


def documented_keys():
    """{key: D-Bus type} of Host, and of GetReport's report.host, as the interface documents them."""
    with open(XML, encoding='utf-8') as f:
        text = f.read()
    host = dict(re.findall(r'@key Host\.(\w+) \((\w+)\)', text))
    report = dict(re.findall(r'@key report\.host\.(\w+) \((\w+)\)', text))
    return host, report


HOST_KEYS, REPORT_HOST_KEYS = documented_keys()
WIFI_KEYS = {'wifi_signal', 'wifi_bitrate', 'wifi_frequency', 'wifi_power_save', 'wifi_roams'}
POWER_KEYS = {'under_voltage', 'under_voltage_since_boot', 'throttled', 'throttled_since_boot'}
TCP_KEYS = {'rtt_ms', 'rtt_var_ms', 'retransmits'}


class HostTestCase(HostFakesTestCase):
    config = {'session': {'heartbeat-interval': 1}}

    # -- the property -------------------------------------------------------------
    def host(self):
        host = self.daemon.get('Host')
        for key, value in host.items():
            self.assertIn(key, HOST_KEYS, 'Host has the undocumented key %s' % key)
        raw = self.bus.conn.call_sync('io.obico.Connect1', '/io/obico/Connect1', 'org.freedesktop.DBus.Properties',
                                      'Get', GLib.Variant('(ss)', ('io.obico.Connect1', 'Host')), None, 0, -1,
                                      None).get_child_value(0).get_variant()
        for i in range(raw.n_children()):
            key = raw.get_child_value(i).get_child_value(0).get_string()
            kind = raw.get_child_value(i).get_child_value(1).get_variant().get_type_string()
            self.assertEqual(kind, HOST_KEYS[key], 'Host.%s is documented as %s' % (key, HOST_KEYS[key]))
        return host

    def wait_host(self, predicate, timeout=5):
        """Waits until predicate(Host) is true; returns Host and how long it took."""
        start = time.monotonic()
        end = start + timeout * SLOW
        host = None
        while time.monotonic() < end:
            host = self.host()
            if predicate(host):
                return host, time.monotonic() - start
            pump(0.01)
        self.fail('Host stayed %r\n--- daemon log ---\n%s' % (host, self.daemon.log()[-3000:]))

    def wakeups(self):
        """Context switches of every thread of the daemon so far: each one is a wake-up."""
        total = 0
        task = '/proc/%d/task' % self.daemon.proc.pid
        for tid in os.listdir(task):
            with open(os.path.join(task, tid, 'status')) as f:
                for line in f:
                    if line.startswith(('voluntary_ctxt_switches', 'nonvoluntary_ctxt_switches')):
                        total += int(line.split()[1])
        return total

    def idle_wakeups(self, seconds):
        before = self.wakeups()
        time.sleep(seconds)
        return self.wakeups() - before


class TestAbsent(HostTestCase):
    def test_nothing_to_tell(self):
        """No NetworkManager, no timedated, no Raspberry Pi, no proxy, no server
        answer yet: every key is absent, never guessed."""
        self.daemon.start()
        self.daemon.wait_prop('State', 'unlinked')
        time.sleep(2.5)    # two heartbeats' worth of ticks
        self.assertEqual(self.host(), {})
        self.assertEqual(self.daemon.call('GetReport')['host'], {})

        # Linked: the server's Date and the WebSocket's TCP_INFO, nothing else.
        self.link()
        self.daemon.wait_prop('State', 'okay')
        host, _ = self.wait_host(lambda h: 'rtt_ms' in h)
        self.assertEqual(set(host), {'clock_skew'} | TCP_KEYS)
        self.assertEqual(set(self.daemon.call('GetReport')['host']), set(host))


class TestWifi(HostTestCase):
    def test_networkmanager(self):
        nm = self.network_manager(strength=82)
        self.daemon.start()
        host, _ = self.wait_host(lambda h: 'wifi_signal' in h)
        self.assertEqual(host['wifi_signal'], 82)
        self.assertEqual(host['wifi_frequency'], 2437)
        self.assertEqual(host['wifi_bitrate'], 5400)         # the template's device
        self.assertEqual(host['wifi_roams'], 0)
        self.assertNotIn('wifi_power_save', host)            # the connection leaves it to the default
        self.assertEqual(self.daemon.call('GetReport')['host']['wifi_signal'], 82)

        # The signal changes: Host follows at once, without the daemon polling.
        time.sleep(0.5)
        idle = self.idle_wakeups(3)
        self.assertLessEqual(idle, 3, 'the daemon woke up %d times in 3 idle seconds' % idle)
        for strength in (23, 57, 9):
            seen = len(self.daemon.changes)
            nm.set(nm.ap, NM_AP, 'Strength', GLib.Variant('y', strength))
            host, took = self.wait_host(lambda h: h.get('wifi_signal') == strength)
            self.assertLess(took, 1.0)
            pump(0.2)
            self.assertIn(strength, [c['Host'].get('wifi_signal') for _, c in self.daemon.changes[seen:]
                                     if 'Host' in c], 'no PropertiesChanged of Host')
        time.sleep(0.5)
        idle = self.idle_wakeups(3)
        self.assertLessEqual(idle, 3, 'the daemon woke up %d times in 3 idle seconds' % idle)

        # NetworkManager's signal jitters by a point or two: that is no news for Host.
        seen = len(self.daemon.changes)
        for strength in (11, 7, 12):
            nm.set(nm.ap, NM_AP, 'Strength', GLib.Variant('y', strength))
        pump(0.5)
        self.assertEqual(self.host()['wifi_signal'], 9)
        self.assertFalse([c for _, c in self.daemon.changes[seen:] if 'Host' in c])
        nm.set(nm.ap, NM_AP, 'Strength', GLib.Variant('y', 14))
        self.wait_host(lambda h: h.get('wifi_signal') == 14)

        nm.set(nm.device, NM_WIRELESS, 'Bitrate', GLib.Variant('u', 72200))
        self.wait_host(lambda h: h.get('wifi_bitrate') == 72200)

        # Power saving, as the connection's settings say.
        nm.set_powersave(3)
        self.wait_host(lambda h: h.get('wifi_power_save') is True)
        nm.set_powersave(2)
        self.wait_host(lambda h: h.get('wifi_power_save') is False)
        nm.set_powersave(0)
        self.wait_host(lambda h: 'wifi_power_save' not in h)

    def test_roaming(self):
        nm = self.network_manager(strength=40)
        self.daemon.start()
        self.wait_host(lambda h: h.get('wifi_signal') == 40)

        # To another access point of the same network: a roam.
        ap2 = nm.add_ap('ap2', '66:77:88:99:AA:BB', 5180, 71)
        nm.set(nm.active, NM_ACTIVE, 'SpecificObject', GLib.Variant('o', ap2))
        host, _ = self.wait_host(lambda h: h.get('wifi_roams') == 1)
        self.assertEqual((host['wifi_signal'], host['wifi_frequency']), (71, 5180))
        self.assertIn('Wi-Fi roamed', self.daemon.log())

        # Real NetworkManager names the device's access point (the template
        # has no ActiveAccessPoint) and the primary connection.
        nm.add_property(nm.device, NM_WIRELESS, 'ActiveAccessPoint', GLib.Variant('o', ap2))
        nm.add_property(NM_PATH, NM, 'PrimaryConnection', GLib.Variant('o', nm.active))
        nm.set(nm.device, NM_WIRELESS, 'ActiveAccessPoint', GLib.Variant('o', nm.ap))
        host, _ = self.wait_host(lambda h: h.get('wifi_roams') == 2)
        self.assertEqual(host['wifi_signal'], 40)

        # No primary connection: the link does not go over Wi-Fi now.
        nm.set(NM_PATH, NM, 'PrimaryConnection', GLib.Variant('o', '/'))
        host, _ = self.wait_host(lambda h: not WIFI_KEYS & set(h))
        nm.set(NM_PATH, NM, 'PrimaryConnection', GLib.Variant('o', nm.active))
        host, _ = self.wait_host(lambda h: h.get('wifi_roams') == 2)
        self.assertEqual(host['wifi_signal'], 40)

        # NetworkManager leaves the bus: it told everything there was.
        nm.close()
        self.wait_host(lambda h: not WIFI_KEYS & set(h))

    def test_proc_without_networkmanager(self):
        self.testbed.proc_wireless(WIRELESS_HEAD + ' wlan0: 0000   54.  -56.  -256        0      0      0      0     25        0\n')
        self.daemon.start()
        host, _ = self.wait_host(lambda h: 'wifi_signal' in h)
        self.assertEqual(host['wifi_signal'], 64)      # -56 dBm on NetworkManager's scale
        self.assertFalse((WIFI_KEYS - {'wifi_signal'}) & set(host))
        # read at the next tick (a heartbeat: 1 s here)
        self.testbed.proc_wireless(WIRELESS_HEAD + ' wlan0: 0000   30.  -80.  -256        0      0      0      0     25        0\n')
        host, took = self.wait_host(lambda h: h.get('wifi_signal') == 40)
        self.assertLess(took, 2.5)
        self.testbed.proc_wireless(WIRELESS_HEAD)
        self.wait_host(lambda h: 'wifi_signal' not in h)


class TestPower(HostTestCase):
    def test_get_throttled(self):
        self.testbed.firmware(0x50005)
        self.daemon.start()
        host, _ = self.wait_host(lambda h: 'under_voltage' in h)
        self.assertEqual({k: host[k] for k in POWER_KEYS},
                         {'under_voltage': True, 'under_voltage_since_boot': True, 'throttled': True,
                          'throttled_since_boot': True})
        # The supply recovered; the firmware remembers it was low.
        self.testbed.set_attribute(FIRMWARE, 'get_throttled', '50000\n')
        host, took = self.wait_host(lambda h: h['under_voltage'] is False)
        self.assertLess(took, 2.5)
        self.assertEqual({k: host[k] for k in POWER_KEYS},
                         {'under_voltage': False, 'under_voltage_since_boot': True, 'throttled': False,
                          'throttled_since_boot': True})
        # An attribute that cannot be read tells nothing.
        self.testbed.set_attribute(FIRMWARE, 'get_throttled', 'garbage\n')
        self.wait_host(lambda h: not POWER_KEYS & set(h))

    def test_rpi_volt(self):
        self.testbed.add('P: /devices/platform/soc/soc:firmware/raspberrypi-hwmon/hwmon/hwmon3\n'
                                     'E: SUBSYSTEM=hwmon\nA: name=rpi_volt\\n\nA: in0_lcrit_alarm=1\\n\n')
        self.daemon.start()
        host, _ = self.wait_host(lambda h: 'under_voltage' in h)
        self.assertIs(host['under_voltage'], True)
        self.assertEqual(POWER_KEYS & set(host), {'under_voltage'})    # the alarm tells no more
        self.testbed.set_attribute('/devices/platform/soc/soc:firmware/raspberrypi-hwmon/hwmon/hwmon3',
                                   'in0_lcrit_alarm', '0\n')
        self.wait_host(lambda h: h['under_voltage'] is False)


class TestClock(HostTestCase):
    def test_timedated(self):
        timedated = self.timedated(False)
        self.daemon.start()
        self.wait_host(lambda h: h.get('clock_synchronized') is False)
        # NTP synchronizes: timedated signals it.
        timedated.call(TIMEDATED_PATH, TIMEDATED, 'SetNTP', 'bb', True, False)
        host, took = self.wait_host(lambda h: h.get('clock_synchronized') is True)
        self.assertLess(took, 1.0)

    def test_server_date(self):
        self.daemon.start()
        self.link()
        self.daemon.wait_prop('State', 'okay')
        host, _ = self.wait_host(lambda h: 'clock_skew' in h)
        self.assertLess(abs(host['clock_skew']), 1.5)
        # The server's clock is an hour ahead (or this host's an hour behind).
        self.sim.clock(3600)
        self.daemon.call('Test')
        host, _ = self.wait_host(lambda h: h['clock_skew'] > 1000)
        self.assertLess(abs(host['clock_skew'] - 3600), 1.5)
        self.assertIn('The server\'s clock reads +3600 s from this host\'s', self.daemon.log())
        # The WebSocket's upgrade is an answer too.
        self.sim.clock(-86400 * 365)
        self.daemon.call('Reconnect')
        host, _ = self.wait_host(lambda h: h['clock_skew'] < -1000)
        self.assertLess(abs(host['clock_skew'] + 86400 * 365), 1.5)


class TestProxy(HostTestCase):
    def test_configured_proxy(self):
        self.write_config(dict(self.config, server={'proxy': 'http://printer:s3cret@proxy.lan:3128'}))
        self.daemon.start()
        self.assertEqual(self.host()['proxy'], 'http://proxy.lan:3128')
        self.daemon.stop()

        # The unit's environment, when the configuration has none.
        self.write_config(self.config)
        self.daemon.env['HTTPS_PROXY'] = 'socks5h://me:pw@10.0.0.1:1080'
        self.daemon.start()
        self.assertEqual(self.host()['proxy'], 'socks5h://10.0.0.1:1080')
        self.assertEqual(self.daemon.call('GetReport')['host']['proxy'], 'socks5h://10.0.0.1:1080')
        for secret in ('s3cret', ':pw@'):
            self.assertNotIn(secret, self.daemon.log())


class TestLinkQuality(HostTestCase):
    def test_tcp_info(self):
        self.daemon.start()
        self.link()
        self.daemon.wait_prop('State', 'okay')
        host, _ = self.wait_host(lambda h: 'rtt_ms' in h)
        self.assertGreater(host['rtt_ms'], 0)
        self.assertLess(host['rtt_ms'], 1000)     # loopback
        self.assertGreaterEqual(host['rtt_var_ms'], 0)
        self.assertTrue(0 <= host['retransmits'] <= 1)
        # Sampled at each heartbeat (1 s here).
        changes = len(self.daemon.changes)
        time.sleep(3.2)
        pump()
        self.assertGreater(len(self.daemon.changes), changes)
        # No WebSocket, no figures of one.
        self.daemon.call('Unlink')
        self.wait_host(lambda h: not TCP_KEYS & set(h))

    def test_watch_role(self):
        """The watch role has no WebSocket of its own: no figures of one (the
        official agent's connection is another matter)."""
        printer = self.sim.add_printer('Watched')
        settings = os.path.join(self.tmp, 'moonraker-obico.cfg')
        with open(os.path.join(HERE, 'agents', 'moonraker-obico.cfg'), encoding='utf-8') as f:
            text = f.read().replace('@URL@', self.sim.url).replace('@TOKEN@', printer['token'])
        with open(settings, 'w', encoding='utf-8') as f:
            f.write(text.replace('@LOG@', os.path.join(self.tmp, 'moonraker-obico.log')))
        self.daemon.extra_args = ['--agent-settings', settings]
        self.daemon.start()
        self.daemon.wait_prop('Role', 'watch')
        self.daemon.wait_prop('WebSocket', 'reachable')
        host, _ = self.wait_host(lambda h: 'clock_skew' in h)
        time.sleep(2.5)
        self.assertFalse(TCP_KEYS & set(self.host()))


class TestEverything(HostTestCase):
    def test_every_documented_key(self):
        """A host that tells everything: each documented key turns up, with its type,
        in Host and in GetReport's host."""
        self.assertEqual(HOST_KEYS, REPORT_HOST_KEYS)
        nm = self.network_manager()
        nm.set_powersave(3)
        self.timedated(True)
        self.testbed.firmware(0x50005)
        # A proxy configured for the host, the server exempt from it (no_proxy), so that
        # Diagnose() tells the route to the server by name: ipv4, ipv6, dns.
        self.write_config(dict(self.config, server={'proxy': 'http://proxy.lan:3128',
                                                    'url': 'http://localhost:%d' % self.sim.port}))
        self.daemon.env['no_proxy'] = 'localhost'
        self.daemon.start()
        self.link()
        self.daemon.wait_prop('State', 'okay')
        self.daemon.call('Diagnose')
        host, _ = self.wait_host(lambda h: set(h) == set(HOST_KEYS))
        report = self.daemon.call('GetReport')['host']
        self.assertEqual(set(report), set(HOST_KEYS))


if __name__ == '__main__':
    main()
