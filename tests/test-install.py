#!/usr/bin/python3
# Installs the build into a temporary DESTDIR and checks that every
# system-integration file lands in its place with the right mode and content.
#
# Environment (set by tests/meson.build):
#   OBICO_BUILD_ROOT    the build directory to install
#   OBICO_UNITDIR       where the systemd unit must go (systemd's pkg-config)

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

from gi.repository import GLib

BUILD_ROOT = os.environ.get('OBICO_BUILD_ROOT', '')

CAPABILITY = 'CAP_DAC_READ_SEARCH'
SERVICE_USER = 'obico-connect'
BUS_NAME = 'io.obico.Connect1'
ACTION_ID = 'io.obico.connect.configure'

# The default configuration: every key, commented out, with its default.
CONFIG_DEFAULTS = {
    'server': {'url': 'https://app.obico.io', 'timeout': '10', 'proxy': ''},
    'session': {'heartbeat-interval': '30', 'dead-peer-timeout': '45'},
    'report': {'window-hours': '24', 'unreliable-minutes': '15', 'max-events': '500'},
    'watch': {'hc-interval': '60', 'credentials-interval': '600',
              'websocket-interval': '600', 'search-roots': '/', 'settings-files': ''},
}


def build_options():
    out = subprocess.run(['meson', 'introspect', '--buildoptions', BUILD_ROOT],
                         check=True, capture_output=True, text=True).stdout
    return {o['name']: o['value'] for o in json.loads(out)}


def absolute(prefix, path):
    return path if path.startswith('/') else os.path.join(prefix, path)


def read_unit(path):
    '''Parses a systemd unit or D-Bus service file into
    {section: {key: [values in order]}}, keeping repeated keys.'''
    sections = {}
    current = None
    with open(path, encoding='utf-8') as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith(('#', ';')):
                continue
            if line.startswith('['):
                if not line.endswith(']'):
                    raise ValueError(f'{path}:{number}: bad section header')
                current = sections.setdefault(line[1:-1], {})
                continue
            if current is None or '=' not in line:
                raise ValueError(f'{path}:{number}: not "key=value" in a section')
            key, value = line.split('=', 1)
            current.setdefault(key.strip(), []).append(value.strip())
    return sections


class InstallTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        if not BUILD_ROOT:
            raise unittest.SkipTest('OBICO_BUILD_ROOT is not set')
        cls.tmp = tempfile.mkdtemp(prefix='obico-install-')
        cls.destdir = os.path.join(cls.tmp, 'root')
        subprocess.run(['meson', 'install', '--no-rebuild', '--quiet',
                        '-C', BUILD_ROOT, '--destdir', cls.destdir],
                       check=True, stdout=subprocess.DEVNULL)

        options = build_options()
        prefix = options['prefix']
        cls.libexecdir = absolute(prefix, options['libexecdir'])
        cls.datadir = absolute(prefix, options['datadir'])
        cls.sysconfdir = absolute(prefix, options['sysconfdir'])
        cls.unitdir = os.environ.get('OBICO_UNITDIR',
                                     os.path.join(prefix, 'lib/systemd/system'))
        cls.sysusersdir = os.path.join(prefix, 'lib/sysusers.d')

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def installed(self, path):
        '''The path of an installed file inside DESTDIR; fails unless it is a
        regular file that root owns, only root may write and anyone may read.'''
        full = self.destdir + path
        self.assertTrue(os.path.isfile(full), f'{path} is not installed')
        st = os.stat(full)
        if os.geteuid() == 0:
            self.assertEqual(st.st_uid, 0, f'{path} is not owned by root')
        mode = stat.S_IMODE(st.st_mode)
        self.assertEqual(mode & 0o022, 0, f'{path} is writable by others: {mode:o}')
        self.assertEqual(mode & 0o444, 0o444, f'{path} is not readable by all: {mode:o}')
        return full

    def assertDataMode(self, path):
        mode = stat.S_IMODE(os.stat(self.destdir + path).st_mode)
        self.assertEqual(mode, 0o644, f'{path} has mode {mode:o}, not 644')

    # systemd

    def unit(self):
        path = os.path.join(self.unitdir, 'obico-connectd.service')
        full = self.installed(path)
        self.assertDataMode(path)
        return read_unit(full)

    def test_unit_service(self):
        unit = self.unit()
        service = unit['Service']

        def one(key):
            self.assertIn(key, service, f'[Service] {key}= is missing')
            self.assertEqual(len(service[key]), 1, f'[Service] {key}= is set twice')
            return service[key][0]

        self.assertEqual(one('Type'), 'dbus')
        self.assertEqual(one('BusName'), BUS_NAME)
        self.assertEqual(one('User'), SERVICE_USER)
        self.assertEqual(one('Restart'), 'on-failure')
        self.assertEqual(one('StateDirectory'), 'obico-connect')
        self.assertEqual(one('StateDirectoryMode'), '0700')
        self.assertEqual(one('ConfigurationDirectory'), 'obico-connect')
        self.assertEqual(one('UMask'), '0077')
        self.assertIn('WantedBy', unit['Install'])

        # ExecStart names the installed daemon, configured with the real libexecdir.
        exec_start = one('ExecStart').split()
        self.assertEqual(exec_start[0], os.path.join(self.libexecdir, 'obico-connectd'))
        daemon = self.destdir + exec_start[0]
        self.assertTrue(os.path.isfile(daemon), f'{exec_start[0]} is not installed')
        self.assertTrue(os.access(daemon, os.X_OK), f'{exec_start[0]} is not executable')
        with open(self.destdir + os.path.join(self.unitdir, 'obico-connectd.service'),
                  encoding='utf-8') as f:
            self.assertNotRegex(f.read(), r'@\w+@', 'an @variable@ was left unconfigured')

    def test_unit_hardening(self):
        service = self.unit()['Service']

        # The one capability: reading official agents' settings in 0700 homes.
        self.assertEqual(service.get('AmbientCapabilities'), [CAPABILITY])
        self.assertEqual(service.get('CapabilityBoundingSet'), [CAPABILITY])
        self.assertEqual(service.get('ProtectHome'), ['read-only'])
        self.assertEqual(service.get('ProtectSystem'), ['strict'])

        for key in ('NoNewPrivileges', 'PrivateTmp', 'PrivateDevices',
                    'ProtectKernelTunables', 'ProtectKernelModules',
                    'ProtectKernelLogs', 'ProtectControlGroups', 'ProtectClock',
                    'ProtectHostname', 'RestrictNamespaces', 'RestrictRealtime',
                    'RestrictSUIDSGID', 'LockPersonality', 'MemoryDenyWriteExecute'):
            self.assertEqual(service.get(key), ['yes'], f'{key}= is not "yes"')

        families = set(' '.join(service.get('RestrictAddressFamilies', [])).split())
        self.assertTrue({'AF_UNIX', 'AF_INET', 'AF_INET6'} <= families)
        self.assertLessEqual(families, {'AF_UNIX', 'AF_INET', 'AF_INET6', 'AF_NETLINK'})
        self.assertIn('@system-service', service.get('SystemCallFilter', []))
        self.assertNotIn('PrivateUsers', service,
                         'a private user namespace would void the capability')

    def test_sysusers(self):
        path = os.path.join(self.sysusersdir, 'obico-connect.conf')
        full = self.installed(path)
        self.assertDataMode(path)
        entries = []
        with open(full, encoding='utf-8') as f:
            for line in f:
                if line.strip() and not line.lstrip().startswith('#'):
                    entries.append(line.split())
        self.assertEqual(len(entries), 1, entries)
        self.assertEqual(entries[0][:2], ['u', SERVICE_USER])

    def test_sysusers_creates_the_user(self):
        '''systemd-sysusers makes a system user with no login from it.'''
        if not shutil.which('systemd-sysusers'):
            self.skipTest('systemd-sysusers is not installed')
        root = os.path.join(self.tmp, 'sysusers-root')
        os.makedirs(os.path.join(root, 'etc'))
        path = self.destdir + os.path.join(self.sysusersdir, 'obico-connect.conf')
        subprocess.run(['systemd-sysusers', '--root=' + root, path],
                       check=True, capture_output=True)
        with open(os.path.join(root, 'etc/passwd'), encoding='utf-8') as f:
            users = {line.split(':')[0]: line.rstrip('\n').split(':') for line in f}
        name, _, uid, gid, _, home, shell = users[SERVICE_USER]
        self.assertLess(int(uid), 1000, 'not a system user')
        self.assertEqual(home, '/var/lib/obico-connect')
        self.assertIn(os.path.basename(shell), ('nologin', 'false'))

    # D-Bus

    def test_activation_file(self):
        path = os.path.join(self.datadir, 'dbus-1/system-services', BUS_NAME + '.service')
        full = self.installed(path)
        self.assertDataMode(path)
        section = read_unit(full)['D-BUS Service']
        self.assertEqual(section['Name'], [BUS_NAME])
        self.assertEqual(section['Exec'], ['/bin/false'])
        self.assertEqual(section['User'], [SERVICE_USER])
        self.assertEqual(section['SystemdService'], ['obico-connectd.service'])

    def test_app_files(self):
        desktop = os.path.join(self.datadir, 'applications', 'io.obico.Connect.desktop')
        entry = read_unit(self.installed(desktop))['Desktop Entry']
        self.assertEqual(entry['DBusActivatable'], ['true'])
        # D-Bus activation of the app must start the installed binary as a service.
        path = os.path.join(self.datadir, 'dbus-1/services', 'io.obico.Connect.service')
        full = self.installed(path)
        self.assertDataMode(path)
        section = read_unit(full)['D-BUS Service']
        self.assertEqual(section['Name'], ['io.obico.Connect'])
        binary, flag = section['Exec'][0].split()
        self.assertEqual(flag, '--gapplication-service')
        self.assertTrue(os.access(self.destdir + binary, os.X_OK), binary)
        autostart = os.path.join(self.sysconfdir, 'xdg/autostart', 'io.obico.Connect-autostart.desktop')
        entry = read_unit(self.installed(autostart))['Desktop Entry']
        self.assertIn('--background', entry['Exec'][0])

    def test_bus_policy(self):
        path = os.path.join(self.datadir, 'dbus-1/system.d', BUS_NAME + '.conf')
        full = self.installed(path)
        self.assertDataMode(path)
        with open(full, encoding='utf-8') as f:
            self.assertIn('<!DOCTYPE busconfig', f.read())
        root = ET.parse(full).getroot()
        self.assertEqual(root.tag, 'busconfig')

        owners = set()
        default_sends = []
        for policy in root.iter('policy'):
            for rule in policy:
                if 'own' in rule.attrib or 'own_prefix' in rule.attrib:
                    self.assertEqual(rule.tag, 'allow')
                    self.assertEqual(rule.get('own'), BUS_NAME)
                    self.assertIn('user', policy.attrib,
                                  'only named users may own the name')
                    owners.add(policy.get('user'))
                if policy.get('context') == 'default' and rule.tag == 'allow':
                    default_sends.append(rule.attrib)
        self.assertEqual(owners, {'root', SERVICE_USER})

        # Anyone may call and read, but only to our name.
        for rule in default_sends:
            self.assertEqual(rule.get('send_destination'), BUS_NAME, rule)
        interfaces = {r.get('send_interface') for r in default_sends}
        self.assertIn(BUS_NAME, interfaces)
        # every printer's interface, and the list of printers
        self.assertIn(BUS_NAME + '.Printer', interfaces)
        self.assertIn('org.freedesktop.DBus.ObjectManager', interfaces)
        self.assertIn('org.freedesktop.DBus.Introspectable', interfaces)
        self.assertIn('org.freedesktop.DBus.Properties', interfaces)

    def test_interface_xml(self):
        path = os.path.join(self.datadir, 'dbus-1/interfaces', BUS_NAME + '.xml')
        full = self.installed(path)
        names = [i.get('name') for i in ET.parse(full).getroot().iter('interface')]
        self.assertEqual(names, [BUS_NAME, BUS_NAME + '.Printer'])

    # polkit

    def test_polkit_action(self):
        path = os.path.join(self.datadir, 'polkit-1/actions', ACTION_ID.rsplit('.', 1)[0] + '.policy')
        full = self.installed(path)
        self.assertDataMode(path)
        with open(full, encoding='utf-8') as f:
            self.assertIn('<!DOCTYPE policyconfig', f.read())
        root = ET.parse(full).getroot()
        self.assertEqual(root.tag, 'policyconfig')
        actions = {a.get('id'): a for a in root.iter('action')}
        # The configuration, the host's remedies (wifi-power-save, clock), RestartAgent.
        self.assertEqual(list(actions), [ACTION_ID, 'io.obico.connect.wifi-power-save',
                                         'io.obico.connect.network-time', 'io.obico.connect.restart-agent'])
        for action in actions.values():
            lang = '{http://www.w3.org/XML/1998/namespace}lang'
            for tag in ('description', 'message'):
                untranslated = [e for e in action.findall(tag) if lang not in e.attrib]
                self.assertEqual(len(untranslated), 1, f'one untranslated <{tag}>')
                self.assertTrue(untranslated[0].text.strip())

            defaults = {d.tag: d.text for d in action.find('defaults')}
            self.assertEqual(defaults, {'allow_any': 'auth_admin',
                                        'allow_inactive': 'auth_admin_keep',
                                        'allow_active': 'yes'})
            # The daemon is not root: polkit lets it check its callers only as the
            # action's owner.
            annotations = {a.get('key'): a.text for a in action.iter('annotate')}
            self.assertEqual(annotations.get('org.freedesktop.policykit.owner'),
                             'unix-user:' + SERVICE_USER)

    def test_polkit_rules(self):
        '''The daemon's own user may make the remedies' changes and restart the official
        agents' units, and only those.'''
        path = os.path.join(self.datadir, 'polkit-1/rules.d', '50-obico-connect.rules')
        full = self.installed(path)
        self.assertDataMode(path)
        with open(full, encoding='utf-8') as f:
            text = f.read()
        self.assertIn('subject.user != "' + SERVICE_USER + '"', text)
        self.assertEqual(sorted(re.findall(r'action\.id == "([^"]+)"', text)),
                         ['org.freedesktop.NetworkManager.network-control',
                          'org.freedesktop.NetworkManager.settings.modify.system',
                          'org.freedesktop.timedate1.set-ntp'])
        # systemd: only the verb restart of the agents' units
        for needed in ('action.id != "org.freedesktop.systemd1.manage-units"',
                       'action.lookup("verb") != "restart"', '(octoprint[A-Za-z0-9_.-]*|moonraker-obico'):
            self.assertIn(needed, text)
        self.assertEqual(text.count('polkit.Result.YES'), 2)

    # configuration

    def test_default_config(self):
        path = os.path.join(self.sysconfdir, 'obico-connect', 'obico-connect.conf')
        full = self.installed(path)
        self.assertDataMode(path)

        # A valid key file that sets nothing: the daemon's defaults apply.
        keyfile = GLib.KeyFile()
        keyfile.load_from_file(full, GLib.KeyFileFlags.NONE)
        groups, _ = keyfile.get_groups()
        self.assertEqual(sorted(groups), sorted(CONFIG_DEFAULTS))
        for group in groups:
            keys, _ = keyfile.get_keys(group)
            self.assertEqual(keys, [], f'[{group}] sets keys: {keys}')

        # Every key is documented, commented out, with its default; removing
        # the "#" gives a valid key file with exactly those values.
        with open(full, encoding='utf-8') as f:
            text = f.read()
        uncommented = []
        for line in text.splitlines():
            if line.startswith('#') and '=' in line and ' ' not in line.split('=', 1)[0]:
                uncommented.append(line[1:])
            elif not line.startswith('#'):
                uncommented.append(line)
        keyfile = GLib.KeyFile()
        data = '\n'.join(uncommented)
        keyfile.load_from_data(data, len(data.encode()), GLib.KeyFileFlags.NONE)
        found = {}
        for group in keyfile.get_groups()[0]:
            found[group] = {k: keyfile.get_value(group, k) for k in keyfile.get_keys(group)[0]}
        self.assertEqual(found, CONFIG_DEFAULTS)

    # the whole tree

    def test_security_exposure(self):
        '''systemd's own estimate of the unit's exposure stays low.'''
        unit = self.destdir + os.path.join(self.unitdir, 'obico-connectd.service')
        self.assertTrue(os.path.isfile(unit))
        try:
            result = subprocess.run(['systemd-analyze', 'security', '--offline=true',
                                     '--root=' + self.destdir, '--threshold=20',
                                     '--no-pager', unit],
                                    capture_output=True, text=True)
        except FileNotFoundError:
            self.skipTest('systemd-analyze is not installed')
        if 'Unknown option' in result.stderr or 'unrecognized option' in result.stderr:
            self.skipTest('systemd-analyze security --offline is not supported')
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)


if __name__ == '__main__':
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from harness import main  # any skip fails the run
    main()
