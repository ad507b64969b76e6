"""Fakes of the host's system services for tests/test-host.py, test-cause.py,
test-host-history.py, test-agent.py and tests/bench.py: python-dbusmock's networkmanager,
timedated and systemd templates on a private bus, and an umockdev testbed standing in for /sys
and /proc/net/wireless; HostFakesTestCase, a DaemonTestCase whose daemon runs in a testbed of
its own with the services a test asks for on its bus.  Run with /usr/bin/python3
(python3-dbusmock, gir1.2-umockdev-1.0)."""
import ctypes
import json
import os
import signal
import subprocess
import time

import gi
gi.require_version('Gio', '2.0')
gi.require_version('UMockdev', '1.0')
from gi.repository import GLib, UMockdev  # noqa: E402

from harness import SLOW, DaemonTestCase  # noqa: E402

NM = 'org.freedesktop.NetworkManager'
NM_PATH = '/org/freedesktop/NetworkManager'
NM_ACTIVE = NM + '.Connection.Active'
NM_WIRELESS = NM + '.Device.Wireless'
NM_AP = NM + '.AccessPoint'
NM_SETTINGS = NM + '.Settings.Connection'
TIMEDATED = 'org.freedesktop.timedate1'
TIMEDATED_PATH = '/org/freedesktop/timedate1'
MOCK = 'org.freedesktop.DBus.Mock'
DEVICE_ACTIVATED = 100
CONNECTION_ACTIVATED = 2
WPA_PSK = 0x100

WIRELESS_HEAD = ('Inter-| sta-|   Quality        |   Discarded packets               | Missed | WE\n'
                 ' face | tus | link level noise |  nwid  crypt   frag  retry   misc | beacon | 22\n')
FIRMWARE = '/devices/platform/soc/soc:firmware'
PROXY_VARIABLES = ('https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY', 'all_proxy', 'ALL_PROXY')


def _die_with_parent():
    """A test killed half-way leaves no service behind (PR_SET_PDEATHSIG)."""
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)


class Mock:
    """A python-dbusmock template on the private bus."""

    def __init__(self, bus, template, name, parameters=None, log=None):
        self.bus = bus
        self.name = name
        args = ['/usr/bin/python3', '-m', 'dbusmock', '--session', '--template', template]
        if parameters:
            args += ['--parameters', json.dumps(parameters)]
        self.proc = subprocess.Popen(args, env=dict(os.environ, DBUS_SESSION_BUS_ADDRESS=bus.address),
                                     stdout=subprocess.DEVNULL, stderr=log or subprocess.DEVNULL,
                                     preexec_fn=_die_with_parent)
        end = time.monotonic() + 10 * SLOW
        while not self.has_owner():
            if self.proc.poll() is not None or time.monotonic() > end:
                raise RuntimeError('dbusmock %s did not start' % template)
            time.sleep(0.05)

    def has_owner(self):
        return self.bus.conn.call_sync('org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus',
                                       'NameHasOwner', GLib.Variant('(s)', (self.name,)), None, 0, -1,
                                       None).unpack()[0]

    def call(self, path, interface, method, signature=None, *args):
        params = GLib.Variant('(%s)' % signature, args) if signature else None
        reply = self.bus.conn.call_sync(self.name, path, interface, method, params, None, 0, 10000, None)
        result = reply.unpack()
        return result[0] if len(result) == 1 else result

    def set(self, path, interface, name, value):
        """Changes a property and emits PropertiesChanged, as the service would."""
        self.call('/org/freedesktop', MOCK, 'SetProperty', 'sssv', path, interface, name, value)

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


class NetworkManager(Mock):
    """The networkmanager template with one Wi-Fi device, its access point and
    an active connection over it, as NetworkManager shows a Pi on Wi-Fi."""

    def __init__(self, bus, strength=82):
        super().__init__(bus, 'networkmanager', NM)
        self.device = self.mock('AddWiFiDevice', 'ssi', 'wlan0', 'wlan0', DEVICE_ACTIVATED)
        self.ap = self.add_ap('ap1', '00:11:22:33:44:55', 2437, strength)
        self.settings = self.mock('AddWiFiConnection', 'ssss', self.device, 'home', 'HomeNet', 'wpa-psk')
        self.active = self.mock('AddActiveConnection', 'assssu', [self.device], self.settings, self.ap,
                                'home', CONNECTION_ACTIVATED)
        # Real NetworkManager's devices take changed settings with Reapply; the template's lack it.
        self.call(self.device, MOCK, 'AddMethod', 'sssss', NM + '.Device', 'Reapply', 'a{sa{sv}}tu', '', '')

    def mock(self, method, signature, *args):
        return self.call('/org/freedesktop', MOCK, method, signature, *args)

    def add_ap(self, name, bssid, frequency, strength):
        return self.mock('AddAccessPoint', 'ssssuuuyu', self.device, name, 'HomeNet', bssid, 2, frequency,
                         54000, strength, WPA_PSK)

    def add_property(self, path, interface, name, value):
        """A property real NetworkManager has and the template lacks."""
        self.call(path, MOCK, 'AddProperty', 'ssv', interface, name, value)

    def set_powersave(self, mode):
        settings = {'connection': {}, '802-11-wireless': {'powersave': GLib.Variant('u', mode)}}
        self.call(self.settings, NM_SETTINGS, 'Update', 'a{sa{sv}}', settings)


class Testbed:
    """umockdev's testbed: /sys (empty until filled) and /proc/net/wireless (no
    wireless interface until given one) for a daemon started with env()."""

    def __init__(self):
        self.testbed = UMockdev.Testbed.new()
        self.proc_wireless(WIRELESS_HEAD)

    def env(self):
        """The daemon's environment: in the testbed, without a proxy."""
        env = {'LD_PRELOAD': 'libumockdev-preload.so.0', 'UMOCKDEV_DIR': self.testbed.get_root_dir()}
        env.update({name: '' for name in PROXY_VARIABLES})
        if os.environ.get('ASAN_OPTIONS') is not None:
            # umockdev's library comes before the sanitizer's: that is fine here.
            env['ASAN_OPTIONS'] = os.environ['ASAN_OPTIONS'] + ':verify_asan_link_order=0'
        return env

    def proc_wireless(self, text):
        path = os.path.join(self.testbed.get_root_dir(), 'proc', 'net', 'wireless')
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path + '.new', 'w') as f:
            f.write(text)
        os.rename(path + '.new', path)

    def firmware(self, flags):
        """The Raspberry Pi firmware driver's device with its get_throttled flags."""
        self.testbed.add_from_string('P: %s\nE: DRIVER=raspberrypi-firmware\nE: OF_NAME=firmware\n'
                                     'E: SUBSYSTEM=platform\nA: get_throttled=%x\\n\n' % (FIRMWARE, flags))

    def add(self, description):
        self.testbed.add_from_string(description)

    def set_attribute(self, devpath, name, value):
        self.testbed.set_attribute('/sys' + devpath, name, value)


class HostFakesTestCase(DaemonTestCase):
    """Each test: the daemon (not started) sees the testbed's /sys and /proc/net/wireless, empty
    unless the test fills them; network_manager() and timedated() put those services on its bus,
    each closed after the test."""

    start_daemon = False

    def setUp(self):
        super().setUp()
        self.mocks = []
        # Every daemon here sees the testbed's /sys and /proc/net/wireless.
        self.testbed = Testbed()
        self.daemon.env = self.testbed.env()

    def tearDown(self):
        for mock in self.mocks:
            mock.close()
        super().tearDown()
        del self.testbed

    def network_manager(self, **kwargs):
        nm = NetworkManager(self.bus, **kwargs)
        self.mocks.append(nm)
        return nm

    def timedated(self, ntp):
        mock = Mock(self.bus, 'timedated', TIMEDATED, {'NTP': ntp})
        self.mocks.append(mock)
        return mock


SYSTEMD = 'org.freedesktop.systemd1'
SYSTEMD_PATH = '/org/freedesktop/systemd1'
SYSTEMD_MANAGER = SYSTEMD + '.Manager'

# RestartUnit as systemd does it: the unit ends active.
_RESTART = ("unit = objects[self.units[args[0]]]\n"
            "unit.UpdateProperties('org.freedesktop.systemd1.Unit', {'ActiveState': 'active'})\n"
            "ret = '/org/freedesktop/systemd1/job/42'")


class Systemd(Mock):
    """The systemd template with the official agent's units, and RestartUnit (the template
    has StartUnit and StopUnit only); its calls are logged (restarts())."""

    def __init__(self, bus, *active_units):
        super().__init__(bus, 'systemd', SYSTEMD)
        self.call(SYSTEMD_PATH, MOCK, 'AddMethod', 'sssss', SYSTEMD_MANAGER, 'RestartUnit', 'ss', 'o', _RESTART)
        for name in active_units:
            self.add_unit(name)

    def add_unit(self, name, active=True):
        self.call(SYSTEMD_PATH, MOCK, 'AddMockUnit', 's', name)
        if active:
            self.call(SYSTEMD_PATH, SYSTEMD_MANAGER, 'StartUnit', 'ss', name, 'replace')

    def stop(self, name):
        self.call(SYSTEMD_PATH, SYSTEMD_MANAGER, 'StopUnit', 'ss', name, 'replace')

    def restarts(self):
        return [list(args) for _, args in self.call(SYSTEMD_PATH, MOCK, 'GetMethodCalls', 's', 'RestartUnit')]
