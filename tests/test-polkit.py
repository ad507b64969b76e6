#!/usr/bin/python3
# The real daemon on a private system-like bus that uses the INSTALLED D-Bus
# policy, with a fake polkitd (python-dbusmock): anyone may read and call
# Test, only callers polkit allows (and root) may change things, and only
# root or the service user may own the name.  And the unit's one capability:
# the service user reads official agents' settings in 0700 homes with it only.
#
# Needs root (it runs callers as "nobody" with setpriv).
#
# Environment (set by tests/meson.build):
#   OBICO_BUILD_ROOT    the build directory to install
#   OBICO_CONNECTD      the daemon binary
#   OBICO_CONNECT       the app

import importlib.util
import json
import os
import queue
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

from gi.repository import Gio, GLib

BUS_NAME = 'io.obico.Connect1'
OBJECT_PATH = '/io/obico/Connect1'
ACTION_ID = 'io.obico.connect.configure'
NOT_AUTHORIZED = 'io.obico.Connect1.Error.NotAuthorized'
ACCESS_DENIED = 'org.freedesktop.DBus.Error.AccessDenied'

BUILD_ROOT = os.environ.get('OBICO_BUILD_ROOT', '')
DAEMON = os.environ.get('OBICO_CONNECTD', '')
APP = os.environ.get('OBICO_CONNECT', '')

# Like the system bus of a distribution (dbus's own system.conf): deny by
# default, then the policies of the services. Only the fake polkitd's and the
# installed io.obico.Connect1.conf are included.
BUS_CONFIG = '''<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus.Properties"/>
    <deny send_destination="org.freedesktop.DBus"
          send_interface="org.freedesktop.DBus"
          send_member="UpdateActivationEnvironment"/>
    <deny send_destination="org.freedesktop.DBus"
          send_interface="org.freedesktop.systemd1.Activator"/>
  </policy>
  <policy user="root">
    <allow own="org.freedesktop.PolicyKit1"/>
    <allow own="org.freedesktop.NetworkManager"/>
    <allow own="org.freedesktop.timedate1"/>
  </policy>
  <policy context="default">
    <allow send_destination="org.freedesktop.PolicyKit1"/>
    <allow send_destination="org.freedesktop.NetworkManager"/>
    <allow send_destination="org.freedesktop.timedate1"/>
    <allow own="org.freedesktop.systemd1"/>
  </policy>
  <policy context="default">
    <allow send_destination="org.freedesktop.PolicyKit1"/>
    <allow send_destination="org.freedesktop.systemd1"/>
  </policy>
  <include>{policy}</include>
  <servicedir>{services}</servicedir>
</busconfig>
'''

# A bus client run as another user: makes the calls given as JSON on argv[1]
# ([bus name, object path, interface, method, GVariant text of the arguments,
# and optionally true to allow interactive authorization, as the app does])
# and prints, for each, {"ok": ..., "error": D-Bus error name, "message": ...,
# "result": the reply as GVariant text}.
CLIENT = r'''
import json, sys
from gi.repository import Gio, GLib
bus = Gio.bus_get_sync(Gio.BusType.SYSTEM, None)
results = []
for name, path, iface, method, args, *interactive in json.loads(sys.argv[1]):
    params = GLib.Variant.parse(None, args, None, None) if args else None
    flags = (Gio.DBusCallFlags.ALLOW_INTERACTIVE_AUTHORIZATION if interactive and interactive[0]
             else Gio.DBusCallFlags.NONE)
    try:
        reply = bus.call_sync(name, path, iface, method, params, None,
                              flags, 30000, None)
        results.append({"ok": True, "result": reply.print_(True)})
    except GLib.Error as e:
        results.append({"ok": False,
                        "error": Gio.DBusError.get_remote_error(e) or "",
                        "message": e.message})
print(json.dumps(results))
'''

CHANGING_CALLS = [
    ('SetServerUrl', '("http://127.0.0.1:9/obico",)'),
    ('Link', '("123456",)'),
    ('Unlink', ''),
    ('SetDebugLogging', '(true,)'),
    ('ResetErrors', ''),
]


def unused_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def clean_up(test_class):
    '''Stops the processes a test class started, newest first, and removes
    its temporary directory.'''
    for process in reversed(getattr(test_class, 'processes', [])):
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    if getattr(test_class, 'daemon_log', None):
        test_class.daemon_log.close()
    shutil.rmtree(getattr(test_class, 'tmp', ''), ignore_errors=True)


def set_up(test_class, prefix):
    '''Makes a test class's temporary directory and calls its start(); what
    that started is stopped again when it fails.'''
    test_class.processes = []
    test_class.tmp = tempfile.mkdtemp(prefix=prefix)
    # Callers running as nobody must reach the sockets inside.
    os.chmod(test_class.tmp, 0o755)
    try:
        test_class.start()
    except BaseException:
        test_class.tearDownClass()
        raise


def start_bus(test_class, name, config, **fields):
    '''Starts a dbus-daemon for a test class (in its tmp, added to its
    processes) with @config, formatted with the socket's path and @fields;
    returns (address, connection).  Its stderr goes to <name>-dbus-daemon.log,
    told when it does not start.'''
    bus_config = os.path.join(test_class.tmp, name + '.conf')
    with open(bus_config, 'w', encoding='utf-8') as f:
        f.write(config.format(socket=os.path.join(test_class.tmp, name + '_bus_socket'), **fields))
    bus_log = os.path.join(test_class.tmp, name + '-dbus-daemon.log')
    with open(bus_log, 'w', encoding='utf-8') as log:
        bus = subprocess.Popen(['dbus-daemon', '--nofork', '--nosyslog', '--print-address=1',
                                '--config-file=' + bus_config],
                               stdout=subprocess.PIPE, stderr=log, text=True)
    test_class.processes.append(bus)
    address = bus.stdout.readline().strip()
    if not address:
        with open(bus_log, encoding='utf-8') as log:
            raise RuntimeError(f'the {name} dbus-daemon did not start: ' + log.read())
    return address, Gio.DBusConnection.new_for_address_sync(
        address,
        Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT |
        Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)


class SystemBusCase(unittest.TestCase):
    '''The private system-like bus with the installed policy, the fake polkitd
    and the real daemon, for the test classes below; no tests of its own.'''

    @classmethod
    def daemon_args(cls):
        return []

    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            raise unittest.SkipTest('needs root to run callers as another user')
        if not BUILD_ROOT or not DAEMON:
            raise unittest.SkipTest('OBICO_BUILD_ROOT or OBICO_CONNECTD is not set')
        for program in ('dbus-daemon', 'setpriv'):
            if not shutil.which(program):
                raise unittest.SkipTest(f'{program} is not installed')
        if importlib.util.find_spec('dbusmock') is None:
            raise unittest.SkipTest('python3-dbusmock is not installed')
        set_up(cls, 'obico-polkit-')

    @classmethod
    def start(cls):
        destdir = os.path.join(cls.tmp, 'root')
        subprocess.run(['meson', 'install', '--no-rebuild', '--quiet',
                        '-C', BUILD_ROOT, '--destdir', destdir],
                       check=True, stdout=subprocess.DEVNULL)
        options = json.loads(subprocess.run(
            ['meson', 'introspect', '--buildoptions', BUILD_ROOT],
            check=True, capture_output=True, text=True).stdout)
        options = {o['name']: o['value'] for o in options}
        datadir = os.path.join(options['prefix'], options['datadir'])
        cls.polkit_policy = destdir + os.path.join(datadir, 'polkit-1/actions',
                                                   ACTION_ID.rsplit('.', 1)[0] + '.policy')
        policy = destdir + os.path.join(datadir, 'dbus-1/system.d', BUS_NAME + '.conf')
        assert os.path.isfile(policy), f'{policy} is not installed'

        # The private system bus.
        cls.address, cls.bus = start_bus(
            cls, 'system', BUS_CONFIG, policy=policy,
            services=os.path.join(os.path.dirname(os.path.dirname(policy)), 'system-services'))
        os.environ['DBUS_SYSTEM_BUS_ADDRESS'] = cls.address

        # The fake polkitd: denies every action until told otherwise.
        cls.processes.append(subprocess.Popen(
            [sys.executable, '-m', 'dbusmock', '--template', 'polkitd', '--system'],
            stdout=subprocess.DEVNULL))
        cls.wait_for_name('org.freedesktop.PolicyKit1')

        # The real daemon, on the system bus (no --session), with a server
        # that refuses connections so that nothing waits long.
        config = os.path.join(cls.tmp, 'obico-connect.conf')
        with open(config, 'w', encoding='utf-8') as f:
            f.write(f'[server]\nurl=http://127.0.0.1:{unused_port()}\ntimeout=3\n')
        state_dir = os.path.join(cls.tmp, 'state')
        os.mkdir(state_dir, 0o700)
        cls.before_daemon()
        cls.daemon_log = open(os.path.join(cls.tmp, 'daemon.log'), 'w+', encoding='utf-8')
        cls.daemon = subprocess.Popen(
            [DAEMON, '--config', config, '--state-dir', state_dir, '--verbose'] + cls.daemon_args(),
            stdout=cls.daemon_log, stderr=subprocess.STDOUT)
        cls.processes.append(cls.daemon)
        cls.wait_for_name(BUS_NAME)

    @classmethod
    def before_daemon(cls):
        '''Other services the daemon finds on the bus when it starts.'''

    @classmethod
    def wait_for_name(cls, name, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for process in cls.processes:
                if process.poll() is not None:
                    raise RuntimeError(f'{process.args[0]} exited with {process.returncode}'
                                       f' while waiting for {name}' + cls.log())
            reply = cls.bus.call_sync('org.freedesktop.DBus', '/org/freedesktop/DBus',
                                      'org.freedesktop.DBus', 'NameHasOwner',
                                      GLib.Variant('(s)', (name,)), GLib.VariantType('(b)'),
                                      Gio.DBusCallFlags.NONE, -1, None)
            if reply.unpack()[0]:
                return
            time.sleep(0.1)
        raise RuntimeError(f'{name} did not appear on the bus' + cls.log())

    @classmethod
    def log(cls):
        log = getattr(cls, 'daemon_log', None)
        if log is None:
            return ''
        log.seek(0)
        return '\n--- daemon log ---\n' + log.read()

    @classmethod
    def tearDownClass(cls):
        clean_up(cls)

    def setUp(self):
        self.set_allowed([])

    def tearDown(self):
        if self.daemon.poll() is not None:
            self.fail(f'the daemon exited with {self.daemon.returncode}' + self.log())

    # helpers

    def set_allowed(self, actions):
        self.bus.call_sync('org.freedesktop.PolicyKit1', '/org/freedesktop/PolicyKit1/Authority',
                           'org.freedesktop.DBus.Mock', 'SetAllowed',
                           GLib.Variant('(as)', (actions,)), None,
                           Gio.DBusCallFlags.NONE, -1, None)

    def call_as(self, user, calls):
        '''Makes calls as user (None: root, in a separate process like the
        others); returns one result dict per call.'''
        command = [sys.executable, '-c', CLIENT, json.dumps(calls)]
        if user is not None:
            command = ['setpriv', '--reuid=' + user, '--regid=nogroup', '--clear-groups',
                       '--inh-caps=-all', '--'] + command
        env = {'DBUS_SYSTEM_BUS_ADDRESS': self.address, 'LANG': 'C.UTF-8',
               'PATH': os.environ.get('PATH', '/usr/bin:/bin'), 'HOME': '/nonexistent',
               'PYTHONDONTWRITEBYTECODE': '1'}
        result = subprocess.run(command, env=env, capture_output=True, text=True,
                                timeout=120, cwd='/')
        self.assertEqual(result.returncode, 0, result.stderr)
        return json.loads(result.stdout)

    def calls(self, methods, interface=BUS_NAME):
        return [[BUS_NAME, OBJECT_PATH, interface, method, args] for method, args in methods]

    def property(self, name):
        reply = self.bus.call_sync(BUS_NAME, OBJECT_PATH, 'org.freedesktop.DBus.Properties',
                                   'Get', GLib.Variant('(ss)', (BUS_NAME, name)),
                                   GLib.VariantType('(v)'), Gio.DBusCallFlags.NONE, -1, None)
        return reply.unpack()[0]

    def assertPastPolkit(self, method, result):
        '''The call succeeded, or failed for another reason than authorization
        (e.g. NotLinked, ServerUnreachable): it got past polkit.'''
        if not result['ok']:
            self.assertNotEqual(result['error'], NOT_AUTHORIZED, f'{method}: {result}')
            self.assertNotEqual(result['error'], ACCESS_DENIED, f'{method}: {result}')
            self.assertTrue(result['error'].startswith('io.obico.Connect1.Error.'),
                            f'{method}: {result}')

    def polkit_check_flags(self, clear=True):
        '''The flags of every CheckAuthorization the fake polkitd was asked since
        the last clearing, oldest first.  Clear only once the calls have
        answered: a check made between reading and clearing would be lost.'''
        reply = self.bus.call_sync('org.freedesktop.PolicyKit1', '/org/freedesktop/PolicyKit1/Authority',
                                   'org.freedesktop.DBus.Mock', 'GetMethodCalls',
                                   GLib.Variant('(s)', ('CheckAuthorization',)), None,
                                   Gio.DBusCallFlags.NONE, -1, None)
        if clear:
            self.bus.call_sync('org.freedesktop.PolicyKit1', '/org/freedesktop/PolicyKit1/Authority',
                               'org.freedesktop.DBus.Mock', 'ClearCalls', None, None,
                               Gio.DBusCallFlags.NONE, -1, None)
        # CheckAuthorization(subject, action_id, details, flags, cancellation_id)
        return [(args[1], int(args[3])) for _, args in reply.unpack()[0]]


class PolkitTest(SystemBusCase):

    def test_policy_lets_the_local_active_session_configure(self):
        '''The installed policy decides like NetworkManager's network control: the
        person at the printer's own screen (a local, active session) changes the
        link without a password, so a Pi touchscreen without a polkit agent
        works; inactive and remote sessions need an administrator.'''
        import xml.etree.ElementTree as ET
        action = ET.parse(self.polkit_policy).getroot().find(f"action[@id='{ACTION_ID}']")
        self.assertIsNotNone(action, self.polkit_policy)
        defaults = {d.tag: d.text for d in action.find('defaults')}
        self.assertEqual(defaults, {'allow_active': 'yes',
                                    'allow_inactive': 'auth_admin_keep',
                                    'allow_any': 'auth_admin'})
        self.assertTrue(action.find('message').text.strip())

    def test_interactive_flag_reaches_polkit(self):
        '''A caller that allows interactive authorization (the app, obicoctl,
        busctl --allow-interactive-authorization=yes) lets polkit ask for a
        password; one that does not, never gets a prompt.'''
        self.polkit_check_flags()
        call = self.calls([('SetDebugLogging', '(false,)')])[0]
        self.call_as('nobody', [call + [True]])
        self.call_as('nobody', [call])
        # POLKIT_CHECK_AUTHORIZATION_FLAGS_ALLOW_USER_INTERACTION is 1
        self.assertEqual(self.polkit_check_flags(), [(ACTION_ID, 1), (ACTION_ID, 0)])

    def test_refusal_says_what_to_do(self):
        result = self.call_as('nobody', self.calls([('SetDebugLogging', '(true,)')]))[0]
        self.assertEqual(result['error'], NOT_AUTHORIZED)
        # where it works without a password, and how else
        self.assertIn('sudo', result['message'])
        self.assertIn('session', result['message'])

    def test_anyone_reads_and_tests(self):
        reads = self.calls([('GetAll', f'("{BUS_NAME}",)'),
                            ('Get', f'("{BUS_NAME}", "State")')],
                           'org.freedesktop.DBus.Properties')
        reads += self.calls([('Introspect', '')], 'org.freedesktop.DBus.Introspectable')
        reads += self.calls([('Test', ''), ('GetReport', ''), ('GetRecentLog', '(uint32 5,)'),
                             ('Reconnect', '')])
        names = ['GetAll', 'Get', 'Introspect', 'Test', 'GetReport', 'GetRecentLog', 'Reconnect']
        results = self.call_as('nobody', reads)
        for name, result in zip(names, results):
            self.assertTrue(result['ok'], f'{name} as nobody: {result}')

        get_all, _, introspection, test = results[:4]
        # The printers, as the app and `obicoctl printers` list them: through the
        # ObjectManager and each printer's own interface.
        printer = OBJECT_PATH + '/Printer/0'
        listing, = self.call_as('nobody', [
            [BUS_NAME, OBJECT_PATH, 'org.freedesktop.DBus.ObjectManager', 'GetManagedObjects', '']])
        self.assertTrue(listing['ok'], f'GetManagedObjects as nobody: {listing}')
        self.assertIn(printer, listing['result'])
        per_printer = self.call_as('nobody', [
            [BUS_NAME, printer, 'org.freedesktop.DBus.Properties', 'Get',
             f'("{BUS_NAME}.Printer", "State")'],
            [BUS_NAME, printer, BUS_NAME + '.Printer', 'GetReport', ''],
            [BUS_NAME, printer, BUS_NAME + '.Printer', 'Test', '']])
        for name, result in zip(('Get', 'GetReport', 'Test'), per_printer):
            self.assertTrue(result['ok'], f'Printer/0 {name} as nobody: {result}')
        self.assertIn("'Version'", get_all['result'])
        self.assertIn('SetServerUrl', introspection['result'])
        self.assertRegex(test['result'], r"^\('(not-linked|failed-to-contact)'")

    def test_nobody_is_refused_changes(self):
        url = self.property('ServerUrl')
        debug = self.property('DebugLogging')
        results = self.call_as('nobody', self.calls(CHANGING_CALLS))
        for (method, _), result in zip(CHANGING_CALLS, results):
            self.assertFalse(result['ok'], f'{method} as nobody succeeded')
            self.assertEqual(result['error'], NOT_AUTHORIZED, f'{method}: {result}')
            self.assertTrue(result['message'].strip(), f'{method}: no sentence')
        # and nothing changed
        self.assertEqual(self.property('ServerUrl'), url)
        self.assertEqual(self.property('DebugLogging'), debug)
        # each printer's changing calls ask polkit as the root's do
        printer = OBJECT_PATH + '/Printer/0'
        results = self.call_as('nobody', [[BUS_NAME, printer, BUS_NAME + '.Printer', method, '']
                                          for method in ('ResetErrors', 'RestartAgent')])
        for method, result in zip(('ResetErrors', 'RestartAgent'), results):
            self.assertFalse(result['ok'], f'Printer/0 {method} as nobody succeeded')
            self.assertEqual(result['error'], NOT_AUTHORIZED, f'Printer/0 {method}: {result}')

    def test_nobody_may_change_once_polkit_allows(self):
        self.set_allowed([ACTION_ID])
        results = self.call_as('nobody', self.calls(CHANGING_CALLS))
        for (method, _), result in zip(CHANGING_CALLS, results):
            self.assertPastPolkit(method, result)
        self.assertEqual(self.property('ServerUrl'), 'http://127.0.0.1:9/obico')
        self.assertTrue(self.property('DebugLogging'))

        # The action is checked, not some other one.
        self.set_allowed(['io.obico.connect.something-else'])
        result, = self.call_as('nobody', self.calls([('SetDebugLogging', '(false,)')]))
        self.assertEqual(result.get('error'), NOT_AUTHORIZED, result)

    def test_root_may_always_change(self):
        results = self.call_as(None, self.calls(CHANGING_CALLS))
        for (method, _), result in zip(CHANGING_CALLS, results):
            self.assertPastPolkit(method, result)
        result, = self.call_as(None, self.calls([('SetDebugLogging', '(false,)')]))
        self.assertTrue(result['ok'], result)
        self.assertFalse(self.property('DebugLogging'))

    def test_activatable(self):
        '''The bus reads the installed activation file (on a real system it
        hands the start to systemd).'''
        reply = self.bus.call_sync('org.freedesktop.DBus', '/org/freedesktop/DBus',
                                   'org.freedesktop.DBus', 'ListActivatableNames', None,
                                   GLib.VariantType('(as)'), Gio.DBusCallFlags.NONE, -1, None)
        self.assertIn(BUS_NAME, reply.unpack()[0])

    def test_nobody_cannot_own_the_name_or_set_properties(self):
        own, set_property = self.call_as('nobody', [
            ['org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus',
             'RequestName', f'("{BUS_NAME}", uint32 4)'],
            [BUS_NAME, OBJECT_PATH, 'org.freedesktop.DBus.Properties', 'Set',
             f'("{BUS_NAME}", "DebugLogging", <true>)'],
        ])
        self.assertEqual(own.get('error'), ACCESS_DENIED, own)
        self.assertEqual(set_property.get('error'), ACCESS_DENIED, set_property)



class WatchRoleTest(SystemBusCase):
    '''In the watch role the credentials and the server address are the
    official agent's: a change of them is refused with ReadOnlyCredentials
    before polkit is asked, so a person learns where the change belongs
    instead of being asked for a password that could not help.'''

    @classmethod
    def daemon_args(cls):
        cls.settings = os.path.join(cls.tmp, 'moonraker-obico.cfg')
        with open(cls.settings, 'w', encoding='utf-8') as f:
            f.write(f'[server]\nurl = http://127.0.0.1:{unused_port()}\n'
                    'auth_token = 0123456789abcdef0123\n')
        return ['--agent-settings', cls.settings]

    def setUp(self):
        super().setUp()
        deadline = time.monotonic() + 10
        while self.property('Role') != 'watch':
            self.assertLess(time.monotonic(), deadline, 'the daemon did not watch ' + self.settings + self.log())
            time.sleep(0.1)

    def test_read_only_comes_before_polkit(self):
        credential_calls = [c for c in CHANGING_CALLS if c[0] in ('SetServerUrl', 'Link', 'Unlink')]
        url = self.property('ServerUrl')
        self.polkit_check_flags()
        for interactive in (False, True):
            calls = [call + [interactive] for call in self.calls(credential_calls)]
            for user in ('nobody', None):
                results = self.call_as(user, calls)
                for (method, _), result in zip(credential_calls, results):
                    self.assertFalse(result['ok'], f'{method} as {user or "root"} succeeded')
                    self.assertEqual(result['error'], 'io.obico.Connect1.Error.ReadOnlyCredentials',
                                     f'{method} as {user or "root"}: {result}')
                    # where the change belongs: the agent's own settings file
                    self.assertIn(self.settings, result['message'])
        self.assertEqual(self.polkit_check_flags(), [], 'polkit was asked about a change that cannot be made')
        self.assertEqual(self.property('ServerUrl'), url)

    def test_the_daemons_own_settings_still_need_polkit(self):
        self.polkit_check_flags()
        result, = self.call_as('nobody', self.calls([('SetDebugLogging', '(true,)')]))
        self.assertEqual(result.get('error'), NOT_AUTHORIZED, result)
        self.assertEqual(self.polkit_check_flags(), [(ACTION_ID, 0)])


WIFI_POWER_SAVE_ID = 'io.obico.connect.wifi-power-save'
NETWORK_TIME_ID = 'io.obico.connect.network-time'
REMEDIES = [('TurnOffWifiPowerSave', ''), ('TurnOnNetworkTime', '')]


class HostRemedyTest(SystemBusCase):
    '''The host's remedies (wifi-power-save, clock) on the system-like bus with
    python-dbusmock's NetworkManager and timedated on it: each needs its own
    action, nobody is refused and nothing changes, and once polkit allows
    the action the daemon makes the change (the fakes' state changes).'''

    def setUp(self):
        super().setUp()
        from hostfakes import Mock, NetworkManager, TIMEDATED

        class Bus:
            address = self.address
            conn = self.bus

        self.nm = NetworkManager(Bus, strength=60)
        self.nm.set_powersave(3)
        self.timedated = Mock(Bus, 'timedated', TIMEDATED, {'NTP': False})
        self.addCleanup(self.nm.close)
        self.addCleanup(self.timedated.close)
        deadline = time.monotonic() + 10
        while self.property('Host').get('wifi_power_save') is not True:
            self.assertLess(time.monotonic(), deadline, 'the daemon did not see the Wi-Fi' + self.log())
            time.sleep(0.1)

    def powersave(self):
        from hostfakes import NM_SETTINGS
        return self.nm.call(self.nm.settings, NM_SETTINGS, 'GetSettings')['802-11-wireless']['powersave']

    def ntp(self):
        from hostfakes import TIMEDATED, TIMEDATED_PATH
        return self.timedated.call(TIMEDATED_PATH, 'org.freedesktop.DBus.Properties', 'Get', 'ss',
                                   TIMEDATED, 'NTP')

    def test_nobody_is_refused_and_nothing_changes(self):
        for allowed in ([], [ACTION_ID], [NETWORK_TIME_ID], [WIFI_POWER_SAVE_ID]):
            self.set_allowed(allowed)
            self.polkit_check_flags()
            results = self.call_as('nobody', self.calls(REMEDIES))
            for (method, _), result, action in zip(REMEDIES, results, (WIFI_POWER_SAVE_ID, NETWORK_TIME_ID)):
                if action in allowed:
                    continue
                self.assertEqual(result.get('error'), NOT_AUTHORIZED, f'{method} with {allowed}: {result}')
                self.assertIn('Wi-Fi or clock', result['message'])
                self.assertIn('sudo', result['message'])
            self.assertEqual([a for a, _ in self.polkit_check_flags()], [WIFI_POWER_SAVE_ID, NETWORK_TIME_ID])
            if WIFI_POWER_SAVE_ID not in allowed:
                self.assertEqual(self.powersave(), 3)
            if NETWORK_TIME_ID not in allowed:
                self.assertFalse(self.ntp())
            self.nm.set_powersave(3)
            self.timedated.call('/org/freedesktop/timedate1', 'org.freedesktop.timedate1', 'SetNTP', 'bb',
                                False, False)

    def test_allowed_changes(self):
        self.set_allowed([WIFI_POWER_SAVE_ID, NETWORK_TIME_ID])
        results = self.call_as('nobody', self.calls(REMEDIES))
        for (method, _), result in zip(REMEDIES, results):
            self.assertTrue(result['ok'], f'{method}: {result}' + self.log())
        self.assertEqual(self.powersave(), 2)
        self.assertTrue(self.ntp())
        deadline = time.monotonic() + 10
        while self.property('Host').get('wifi_power_save') is not False:
            self.assertLess(time.monotonic(), deadline, 'Host did not follow' + self.log())
            time.sleep(0.1)
RESTART_ACTION = 'io.obico.connect.restart-agent'
SYSTEMD = 'org.freedesktop.systemd1'
SYSTEMD_PATH = '/org/freedesktop/systemd1'
AGENT_UNIT = 'moonraker-obico.service'


class RestartAgentTest(SystemBusCase):
    '''RestartAgent: io.obico.connect.restart-agent decides who may (the local
    active session, like the configure action; "nobody" is refused), then the
    daemon asks systemd (python-dbusmock's template on the same bus) to restart
    the official agent's unit, and only that one.'''

    @classmethod
    def daemon_args(cls):
        cls.settings = os.path.join(cls.tmp, 'moonraker-obico.cfg')
        with open(cls.settings, 'w', encoding='utf-8') as f:
            f.write(f'[server]\nurl = http://127.0.0.1:{unused_port()}\n'
                    'auth_token = 0123456789abcdef0123\n')
        return ['--agent-settings', cls.settings]

    @classmethod
    def before_daemon(cls):
        cls.processes.append(subprocess.Popen(
            [sys.executable, '-m', 'dbusmock', '--template', 'systemd', '--system'],
            stdout=subprocess.DEVNULL))
        cls.wait_for_name(SYSTEMD)
        cls.systemd('org.freedesktop.DBus.Mock', 'AddMethod', '(sssss)', (
            SYSTEMD + '.Manager', 'RestartUnit', 'ss', 'o',
            "objects[self.units[args[0]]].UpdateProperties('org.freedesktop.systemd1.Unit', "
            "{'ActiveState': 'active'})\nret = '/org/freedesktop/systemd1/job/7'"))
        cls.systemd('org.freedesktop.DBus.Mock', 'AddMockUnit', '(s)', (AGENT_UNIT,))

    @classmethod
    def systemd(cls, interface, method, signature, args):
        return cls.bus.call_sync(SYSTEMD, SYSTEMD_PATH, interface, method, GLib.Variant(signature, args),
                                 None, Gio.DBusCallFlags.NONE, -1, None).unpack()

    def restarts(self):
        calls = self.systemd('org.freedesktop.DBus.Mock', 'GetMethodCalls', '(s)', ('RestartUnit',))[0]
        self.systemd('org.freedesktop.DBus.Mock', 'ClearCalls', '()', ())
        return [list(args) for _, args in calls]

    def setUp(self):
        super().setUp()
        deadline = time.monotonic() + 10
        while self.property('Agent').get('unit') != AGENT_UNIT:
            self.assertLess(time.monotonic(), deadline, 'the daemon did not find the unit' + self.log())
            time.sleep(0.1)
        self.restarts()

    def test_policy(self):
        import xml.etree.ElementTree as ET
        action = ET.parse(self.polkit_policy).getroot().find(f"action[@id='{RESTART_ACTION}']")
        self.assertIsNotNone(action, 'the restart action is not installed')
        defaults = {d.tag: d.text for d in action.find('defaults')}
        self.assertEqual(defaults, {'allow_any': 'auth_admin', 'allow_inactive': 'auth_admin_keep',
                                    'allow_active': 'yes'})
        rules = os.path.join(os.path.dirname(os.path.dirname(self.polkit_policy)), 'rules.d',
                             '50-obico-connect.rules')
        with open(rules, encoding='utf-8') as f:
            text = f.read()
        for needed in ('org.freedesktop.systemd1.manage-units', 'action.lookup("verb") != "restart"',
                       'moonraker-obico(-[A-Za-z0-9_.-]+)?'):
            self.assertIn(needed, text)

    def test_nobody_is_refused(self):
        self.polkit_check_flags()
        for interactive in (False, True):
            result, = self.call_as('nobody', [self.calls([('RestartAgent', '')])[0] + [interactive]])
            self.assertEqual(result.get('error'), NOT_AUTHORIZED, result)
            self.assertIn('not allowed to restart the Obico agent', result['message'])
        self.assertEqual(self.polkit_check_flags(), [(RESTART_ACTION, 0), (RESTART_ACTION, 1)])
        self.assertEqual(self.restarts(), [], 'systemd was asked to restart for a refused caller')

    def test_allowed_caller_restarts_the_agents_unit_only(self):
        self.set_allowed([RESTART_ACTION])
        self.polkit_check_flags()
        result, = self.call_as('nobody', [self.calls([('RestartAgent', '')])[0] + [True]])
        self.assertTrue(result['ok'], result)
        self.assertEqual(self.polkit_check_flags(), [(RESTART_ACTION, 1)])
        self.assertEqual(self.restarts(), [[AGENT_UNIT, 'replace']])
        # the configure action does not allow it
        self.set_allowed(['io.obico.connect.configure'])
        result, = self.call_as('nobody', self.calls([('RestartAgent', '')]))
        self.assertEqual(result.get('error'), NOT_AUTHORIZED, result)
        self.assertEqual(self.restarts(), [])


APP_ID = 'io.obico.Connect'
APP_PATH = '/io/obico/Connect'

# A bus anyone may use: the app's session bus (the app runs as nobody, the test
# as root), and CapabilityTest's.
OPEN_BUS_CONFIG = '''<busconfig>
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
'''


class AppTest(SystemBusCase):
    '''The app, as an ordinary user (nobody) under Xvfb, on the system-like
    bus: every change it makes lets polkit ask the person (the flag
    ALLOW_USER_INTERACTION reaches polkit's CheckAuthorization), and a refusal
    shows the daemon's sentence.'''

    @classmethod
    def daemon_args(cls):
        # no official agent of this machine may take the app's Link away
        return ['--agent-settings', '']

    @classmethod
    def start(cls):
        super().start()
        if not APP or not shutil.which('Xvfb'):
            raise RuntimeError('OBICO_CONNECT is not set or Xvfb is missing')
        cls.session_address, cls.session = start_bus(cls, 'session', OPEN_BUS_CONFIG)

        r, w = os.pipe()
        screen = subprocess.Popen(['Xvfb', '-displayfd', str(w), '-screen', '0', '800x480x24',
                                   '-nolisten', 'tcp'],
                                  pass_fds=[w], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        cls.processes.append(screen)
        os.close(w)
        with os.fdopen(r) as f:
            cls.display = ':' + f.readline().strip()

    def setUp(self):
        super().setUp()
        home = tempfile.mkdtemp(dir=self.tmp)
        os.chown(home, 65534, 65534)
        env = {'DBUS_SYSTEM_BUS_ADDRESS': self.address, 'DBUS_SESSION_BUS_ADDRESS': self.session_address,
               'DISPLAY': self.display, 'HOME': home, 'XDG_RUNTIME_DIR': home,
               'PATH': os.environ.get('PATH', '/usr/bin:/bin'), 'GSETTINGS_BACKEND': 'memory',
               'GSK_RENDERER': 'cairo', 'GTK_A11Y': 'none', 'NO_AT_BRIDGE': '1',
               'LC_ALL': 'C.UTF-8', 'LANGUAGE': 'C'}
        self.stderr_path = os.path.join(home, 'stderr.log')
        with open(self.stderr_path, 'w', encoding='utf-8') as err:
            # no --session: the daemon is on the system bus, as installed
            self.app = subprocess.Popen(['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups',
                                         '--inh-caps=-all', '--', APP],
                                        env=env, cwd='/', stdout=subprocess.PIPE, stderr=err, text=True)
        self.lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        deadline = time.monotonic() + 20
        while not self.session_call('org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus',
                                    'NameHasOwner', GLib.Variant('(s)', (APP_ID,)))[0]:
            self.assertIsNone(self.app.poll(), 'the app exited: ' + self.app_stderr())
            self.assertLess(time.monotonic(), deadline, 'the app did not start: ' + self.app_stderr())
            time.sleep(0.1)

    def tearDown(self):
        if self.app.poll() is None:
            try:
                self.activate('quit')
                self.app.wait(10)
            except (GLib.Error, subprocess.TimeoutExpired):
                self.app.kill()
                self.app.wait()
        self.app.stdout.close()
        stderr = self.app_stderr()
        for bad in ('CRITICAL', 'WARNING'):
            self.assertNotIn(bad, stderr, 'app stderr:\n' + stderr)
        super().tearDown()

    def _read(self):
        for line in self.app.stdout:
            self.lines.put(line.rstrip('\n'))

    def app_stderr(self):
        with open(self.stderr_path, encoding='utf-8') as f:
            return f.read()

    def session_call(self, name, path, interface, method, params=None):
        return self.session.call_sync(name, path, interface, method, params, None,
                                      Gio.DBusCallFlags.NONE, 10000, None).unpack()

    def activate(self, action, parameter=None):
        self.session_call(APP_ID, APP_PATH, 'org.gtk.Actions', 'Activate',
                          GLib.Variant('(sava{sv})', (action, [parameter] if parameter else [], {})))

    def set_action_state(self, action, value):
        self.session_call(APP_ID, APP_PATH, 'org.gtk.Actions', 'SetState',
                          GLib.Variant('(sva{sv})', (action, value, {})))

    def action(self, action):
        '''(enabled, state) of an app action.'''
        enabled, _, state = self.session_call(APP_ID, APP_PATH, 'org.gtk.Actions', 'Describe',
                                              GLib.Variant('(s)', (action,)))[0]
        return enabled, state

    def labels(self):
        '''Every text the app shows (app.dump-state), dialogs first.'''
        self.activate('dump-state')
        labels = []
        while True:
            line = self.lines.get(timeout=10)
            if line == '--- end ---':
                return labels
            key, _, value = line.partition(': ')
            if key == 'label':
                labels.append(value)

    def wait_until(self, predicate, what, timeout=20):
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                self.fail(f'{what} did not happen' + self.log() + '\n--- app ---\n' + self.app_stderr())
            time.sleep(0.2)

    def test_every_change_lets_polkit_ask(self):
        self.wait_until(lambda: self.action('reset-errors')[0], 'the app seeing the daemon')
        self.polkit_check_flags()
        changes = [('reset-errors', None),
                   ('set-server-url', GLib.Variant('s', 'http://127.0.0.1:9/obico')),
                   ('link', GLib.Variant('s', '123456'))]
        for action, parameter in changes:
            self.wait_until(lambda: self.action(action)[0], f'app.{action} enabled')
            self.activate(action, parameter)
            # refused: the daemon's sentence, under the app's heading for it
            labels = self.wait_until(lambda: 'Not Allowed' in self.labels() and self.labels(),
                                     f'the refusal of app.{action} shown')
            self.assertTrue(any('sudo' in text for text in labels), labels)
            self.assertFalse(any('io.obico.Connect1.Error' in text for text in labels), labels)
            # POLKIT_CHECK_AUTHORIZATION_FLAGS_ALLOW_USER_INTERACTION
            self.assertEqual(self.polkit_check_flags(), [(ACTION_ID, 1)], action)
        self.assertNotEqual(self.property('ServerUrl'), 'http://127.0.0.1:9/obico')

        # the remedies of the fix pages wifi-power-save and clock: their own actions
        for action, action_id in (('turn-off-wifi-power-save', WIFI_POWER_SAVE_ID),
                                  ('turn-on-network-time', NETWORK_TIME_ID)):
            self.wait_until(lambda: self.action(action)[0], f'app.{action} enabled')
            self.activate(action, None)
            self.wait_until(lambda: self.polkit_check_flags(clear=False), f'polkit asked about app.{action}')
            self.wait_until(lambda: 'Not Allowed' in self.labels(), f'the refusal of app.{action} shown')
            self.assertEqual(self.polkit_check_flags(), [(action_id, 1)], action)

        # the debug-logging switch: refused, it goes back; allowed, it changes
        self.set_action_state('debug-logging', GLib.Variant('b', True))
        self.wait_until(lambda: self.polkit_check_flags(clear=False), 'polkit asked about debug logging')
        self.wait_until(lambda: self.action('debug-logging')[1] == [False], 'the switch back off')
        self.assertEqual(self.polkit_check_flags(), [(ACTION_ID, 1)])
        self.assertFalse(self.property('DebugLogging'))
        self.set_allowed([ACTION_ID])
        self.set_action_state('debug-logging', GLib.Variant('b', True))
        self.wait_until(lambda: self.property('DebugLogging'), 'debug logging on')
        self.assertEqual(self.polkit_check_flags(), [(ACTION_ID, 1)])
        self.set_action_state('debug-logging', GLib.Variant('b', False))
        self.wait_until(lambda: not self.property('DebugLogging'), 'debug logging off')


class CapabilityTest(unittest.TestCase):
    '''The unit's one capability, CAP_DAC_READ_SEARCH, is what lets the
    unprivileged service user read an official agent's settings inside a
    mode 0700 home (watch role); without it the file cannot be read.'''

    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            raise unittest.SkipTest('needs root to run the daemon as another user')
        if not DAEMON or not shutil.which('dbus-daemon') or not shutil.which('setpriv'):
            raise unittest.SkipTest('OBICO_CONNECTD, dbus-daemon or setpriv is missing')
        set_up(cls, 'obico-capability-')

    @classmethod
    def start(cls):
        # A home the way Debian 12 and Raspberry Pi OS make it: another user's, 0700.
        home = os.path.join(cls.tmp, 'home', 'pi')
        config_dir = os.path.join(home, 'printer_data', 'config')
        os.makedirs(config_dir)
        cls.settings = os.path.join(config_dir, 'moonraker-obico.cfg')
        with open(cls.settings, 'w', encoding='utf-8') as f:
            f.write(f'[server]\nurl = http://127.0.0.1:{unused_port()}\n'
                    'auth_token = 0123456789abcdef0123\n')
        for path in (home, os.path.join(home, 'printer_data'), config_dir, cls.settings):
            os.chown(path, 1000, 1000)
        os.chmod(home, 0o700)
        os.chmod(cls.settings, 0o600)

        cls.config = os.path.join(cls.tmp, 'obico-connect.conf')
        with open(cls.config, 'w', encoding='utf-8') as f:
            f.write(f'[server]\ntimeout=2\n[watch]\nsettings-files={cls.settings}\n')

        # A bus anyone may use: here only the file access is under test.
        cls.address, cls.bus = start_bus(cls, 'capability', OPEN_BUS_CONFIG)

    @classmethod
    def tearDownClass(cls):
        clean_up(cls)

    def run_daemon(self, capabilities):
        '''Starts the daemon as nobody with only @capabilities (setpriv
        names) in its bounding, inheritable and ambient sets, as the unit
        does; returns (Role, CredentialSource) once it has settled.'''
        state_dir = tempfile.mkdtemp(dir=self.tmp)
        os.chown(state_dir, 65534, 65534)
        caps = ''.join(',+' + c for c in capabilities)
        command = ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups',
                   '--bounding-set=-all' + caps, '--inh-caps=-all' + caps]
        if capabilities:
            command.append('--ambient-caps=' + caps[1:])
        command += ['--', DAEMON, '--session', '--config', self.config,
                    '--state-dir', state_dir]
        env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=self.address)
        daemon = subprocess.Popen(command, env=env, cwd='/',
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 10
            role = source = None
            while time.monotonic() < deadline and daemon.poll() is None:
                try:
                    role = self.get(daemon, 'Role')
                    source = self.get(daemon, 'CredentialSource')
                except GLib.Error:
                    pass  # not on the bus yet
                if role == 'watch':
                    break
                if role is not None and time.monotonic() > deadline - 7:
                    break  # on the bus for a while and still not watching
                time.sleep(0.1)
            self.assertIsNone(daemon.poll(), 'the daemon exited')
            return role, source
        finally:
            daemon.terminate()
            daemon.wait(5)

    def get(self, daemon, name):
        reply = self.bus.call_sync(BUS_NAME, OBJECT_PATH, 'org.freedesktop.DBus.Properties',
                                   'Get', GLib.Variant('(ss)', (BUS_NAME, name)),
                                   GLib.VariantType('(v)'), Gio.DBusCallFlags.NONE, 2000, None)
        return reply.unpack()[0]

    def test_reads_settings_in_private_home_with_the_capability(self):
        self.assertEqual(self.run_daemon(['dac_read_search']), ('watch', self.settings))

    def test_cannot_read_them_without(self):
        self.assertEqual(self.run_daemon([]), ('unlinked', ''))


if __name__ == '__main__':
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from harness import main  # any skip fails the run
    main()
