#!/usr/bin/python3
"""The interface documents itself, and the documentation is true.

dbus/io.obico.Connect1.xml documents every key of every a{sv}, the value list
of every string with a fixed set of values, and the errors of each method, in
a format its head comment describes.  This test reads that documentation and
checks it:

- against the compiled vocabulary: each value list of State, Role, Problem,
  Http, WebSocket, Test's result, the severity and the fix ids equals the nicks
  of its enum in common/obico-enums.h, and the error names equal the
  OBICO_ERROR domain (both printed by tests/interface-vocabulary.c from the
  GTypes and the registered domain);
- against the sources: every documented key, and every value of a list that
  is not an enum, is in daemon/ or common/;
- against the real daemon on a private bus with obico-sim, unlinked, in the
  agent role and in the watch role: every key it returns in ErrorStats, Test,
  Diagnose (passing and failing at several layers) and GetReport is
  documented with the type it has, every string it returns is in the
  documented list, every key the documentation says is always there is, every
  documented key turns up, and the errors it returns are the documented ones.

Environment (set by tests/meson.build): OBICO_CONNECTD, OBICO_SIM,
OBICO_INTERFACE_VOCABULARY.
"""
import glob
import os
import re
import subprocess
import unittest
import xml.etree.ElementTree as ET

from fakeagent import FakeAgent
from harness import BUS_NAME, IFACE, OBJECT_PATH, DaemonTestCase, DBusError, Sim, main, pump
from hostfakes import Systemd
from gi.repository import Gio, GLib  # noqa: E402  (harness chose the versions)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
XML = os.path.join(ROOT, 'dbus', 'io.obico.Connect1.xml')
SOURCES = [p for d in ('daemon', 'common') for p in sorted(glob.glob(os.path.join(ROOT, d, '*.[ch]')))]


def read_sources():
    text = ''
    for path in SOURCES:
        with open(path, encoding='utf-8') as f:
            text += f.read()
    return text

ENTRY = re.compile(r'^(\s*)(@key\s|Values of\s|Errors:|Errors of the domain:)')
KEY = re.compile(r'^@key (\S+) \((.+?)\): (.+)$', re.S)
VALUES = re.compile(r'^Values of (\S+): ([^.]*)\.')
ERRORS = re.compile(r'^Errors( of the domain)?: ([^.]*)\.')

# Which documented lists are which enum: (member, name) -> enum of the vocabulary.
ENUM_LISTS = {
    ('State', 'State'): 'State',
    ('Role', 'Role'): 'Role',
    ('Problem', 'Problem'): 'Problem',
    ('Http', 'Http'): 'Http',
    ('WebSocket', 'WebSocket'): 'WebSocket',
    ('AppStatus', 'AppStatus'): 'AppStatus',
    ('ErrorStats', 'ErrorStats.severity'): 'Severity',
    ('Test', 'result'): 'TestResult',
    ('Diagnose', 'problem'): 'Problem',
    ('Diagnose', 'fixes'): 'Fix',
    ('GetReport', 'report.severity'): 'Severity',
    ('GetReport', 'report.state'): 'State',
    ('GetReport', 'report.role'): 'Role',
    ('GetReport', 'report.problem'): 'Problem',
    ('GetReport', 'report.configuration.role'): 'Role',
}
# Lists that are nicks of a GIO type rather than strings of our sources.
GIO_LISTS = {
    ('Diagnose', 'steps.tls_errors'): Gio.TlsCertificateFlags,
}


def split_list(text):
    items = [v.strip() for v in text.replace('\n', ' ').split(',')]
    return ['' if v == '""' else v for v in items if v]


class Member:
    def __init__(self, kind, name, element):
        self.kind = kind            # 'property', 'method' or 'interface'
        self.name = name
        self.type = element.get('type')
        self.args = {a.get('name'): a.get('type') for a in element.findall('arg')}
        self.keys = {}              # path -> (type, meaning)
        self.values = {}            # name -> [values]
        self.errors = None          # [names], [] for "none"
        self.bad = []               # entries that do not parse

    def holder_type(self, path):
        """The type of the property or argument a key path starts at."""
        head = path.split('.')[0]
        if self.kind == 'property':
            return self.type if head == self.name else None
        return self.args.get(head)

    def optional(self, path):
        meaning = self.keys[path][1]
        return 'Only ' in meaning or 'Not there' in meaning


def entries(comment):
    """The comment's documentation entries, each with its continuation lines."""
    out = []
    current = None
    for line in comment.split('\n'):
        m = ENTRY.match(line)
        if m:
            current = [len(m.group(1)), line.strip()]
            out.append(current)
        elif current is not None and line.strip() and len(line) - len(line.lstrip()) > current[0]:
            current[1] += ' ' + line.strip()
        else:
            current = None
    return [text for _, text in out]


def parse_documentation():
    parser = ET.XMLParser(target=ET.TreeBuilder(insert_comments=True))
    root = ET.parse(XML, parser).getroot()
    iface = root.find('interface')
    members = {}
    head = Member('interface', IFACE, iface)
    head_comment = [c for c in root if c.tag is ET.Comment]
    todo = [(head, head_comment[0].text if head_comment else '')]
    comment = None
    for child in iface:
        if child.tag is ET.Comment:
            comment = child.text
            continue
        member = Member(child.tag, child.get('name'), child)
        members[member.name] = member
        todo.append((member, comment or ''))
        comment = None

    for member, text in todo:
        for entry in entries(text):
            if entry.startswith('@key'):
                m = KEY.match(entry)
                if not m:
                    member.bad.append(entry)
                    continue
                member.keys[m.group(1)] = (m.group(2), m.group(3))
            elif entry.startswith('Values'):
                m = VALUES.match(entry)
                if not m:
                    member.bad.append(entry)
                    continue
                member.values[m.group(1)] = split_list(m.group(2))
            else:
                m = ERRORS.match(entry)
                if not m:
                    member.bad.append(entry)
                    continue
                names = split_list(m.group(2))
                member.errors = [] if names == ['none'] else names
    return head, members


def vocabulary():
    out = subprocess.run([os.environ['OBICO_INTERFACE_VOCABULARY']], check=True,
                         capture_output=True, text=True).stdout
    enums, errors = {}, []
    for line in out.splitlines():
        words = line.split()
        if words[0] == 'enum':
            enums[words[1]] = words[2:]
        elif words[0] == 'error':
            errors.append(words[1][len('io.obico.Connect1.Error.'):])
    return enums, errors


def flag_nicks(flags_type):
    """The nicks of the single flags of a GFlags type (what the daemon names)."""
    return {flags_type(bit).value_nicks[-1] for bit in flags_type.__flags_values__
            if bit != 0 and bit & (bit - 1) == 0}


HEAD, MEMBERS = parse_documentation()
ENUMS, ERROR_NAMES = vocabulary()


class TestDocumentation(unittest.TestCase):
    """The documentation against the compiled vocabulary and the sources."""

    def test_entries_parse(self):
        for member in [HEAD] + list(MEMBERS.values()):
            self.assertEqual(member.bad, [], '%s: entries that do not follow the format' % member.name)
            for path, (kind, _) in member.keys.items():
                self.assertTrue(GLib.VariantType.string_is_valid(kind), '%s: %s (%s)' % (member.name, path, kind))
                holder = member.holder_type(path)
                self.assertIsNotNone(holder, '%s: %s is a key of nothing %s has' % (member.name, path, member.name))
                self.assertIn('a{sv}', holder, '%s: %s is not a key of an a{sv}' % (member.name, path))
                parent = path.rsplit('.', 1)[0]
                if '.' in parent:
                    self.assertIn(parent, member.keys, '%s: %s is in an undocumented dict' % (member.name, path))
                    self.assertIn('a{sv}', member.keys[parent][0], '%s: %s is in no dict' % (member.name, path))
            for name in member.values:
                self.assertTrue(name in member.keys or member.holder_type(name) is not None,
                                '%s: Values of %s, which is neither a key nor an argument' % (member.name, name))

    def test_every_dictionary_has_its_keys(self):
        dicts = [(m, name) for m in MEMBERS.values()
                 for name, kind in ([(m.name, m.type)] if m.kind == 'property' else m.args.items())
                 if kind and 'a{sv}' in kind]
        self.assertTrue(dicts)
        for member, name in dicts:
            self.assertTrue(any(p.startswith(name + '.') for p in member.keys),
                            '%s: the keys of %s are not documented' % (member.name, name))

    def test_value_lists_are_the_enums(self):
        for (member, name), enum in ENUM_LISTS.items():
            with self.subTest(member=member, name=name):
                self.assertIn(member, MEMBERS)
                documented = MEMBERS[member].values.get(name)
                self.assertIsNotNone(documented, 'no "Values of %s" in the documentation of %s' % (name, member))
                nicks = list(ENUMS[enum])
                if enum == 'Problem':
                    nicks.append('')     # OBICO_PROBLEM_NONE, the one value without a nick
                self.assertEqual(len(documented), len(set(documented)), 'a value twice: %r' % documented)
                self.assertEqual(sorted(documented), sorted(nicks),
                                 '%s: the documented values are not the nicks of Obico%s' % (name, enum))

    def test_every_enum_property_has_its_values(self):
        for name in ('State', 'Role', 'Problem', 'Http', 'WebSocket', 'AppStatus'):
            self.assertEqual(MEMBERS[name].kind, 'property')
            self.assertIn(name, MEMBERS[name].values)

    def test_other_value_lists_are_in_the_sources(self):
        text = read_sources()
        for member in MEMBERS.values():
            for name, values in member.values.items():
                if (member.name, name) in ENUM_LISTS:
                    continue
                with self.subTest(member=member.name, name=name):
                    if (member.name, name) in GIO_LISTS:
                        gio = flag_nicks(GIO_LISTS[(member.name, name)])
                        for value in values:
                            self.assertIn(value, gio)
                        continue
                    for value in values:
                        self.assertTrue('"%s"' % value in text or 'nick=%s ' % value in text,
                                        '%s: the value %r is nowhere in daemon/ or common/' % (name, value))

    def test_documented_keys_are_in_the_sources(self):
        text = read_sources()
        for member in MEMBERS.values():
            for path in member.keys:
                key = path.rsplit('.', 1)[1]
                self.assertTrue('"%s"' % key in text,
                                '%s: the documented key %s is nowhere in daemon/ or common/' % (member.name, path))

    def test_errors(self):
        self.assertEqual(sorted(HEAD.errors or []), sorted(ERROR_NAMES),
                         'the errors of the domain are not the registered OBICO_ERROR names')
        named = set()
        for member in MEMBERS.values():
            if member.kind != 'method':
                continue
            with self.subTest(method=member.name):
                self.assertIsNotNone(member.errors, 'no "Errors:" line')
                for name in member.errors:
                    self.assertIn(name, ERROR_NAMES)
                named.update(member.errors)
        self.assertEqual(sorted(named), sorted(ERROR_NAMES), 'errors no method documents')


class TestDaemonKeys(DaemonTestCase):
    """Every key and value the real daemon returns is documented."""

    config = {'watch': {'hc-interval': 0.5, 'credentials-interval': 0.5, 'websocket-interval': 0.5}}
    start_daemon = False

    def setUp(self):
        super().setUp()
        self.seen = set()        # (member, path)
        self.settings = os.path.join(self.tmp, 'home', 'printer_data', 'config', 'moonraker-obico.cfg')
        os.makedirs(os.path.dirname(self.settings))
        self.daemon.extra_args = ['--agent-settings', self.settings]
        self.daemon.start()

    # -- raw calls: the types are what is checked ---------------------------
    def raw_call(self, method, signature=None, *args):
        params = GLib.Variant('(%s)' % signature, args) if signature else None
        return self.bus.conn.call_sync(BUS_NAME, OBJECT_PATH, IFACE, method, params, None,
                                       Gio.DBusCallFlags.NONE, 60000, None)

    def raw_properties(self):
        return self.bus.conn.call_sync(BUS_NAME, OBJECT_PATH, 'org.freedesktop.DBus.Properties', 'GetAll',
                                       GLib.Variant('(s)', (IFACE,)), None, Gio.DBusCallFlags.NONE,
                                       -1, None).get_child_value(0)

    # -- the checks -----------------------------------------------------------
    def check_string(self, member, name, value):
        values = MEMBERS[member].values.get(name)
        if values is not None:
            self.assertIn(value, values, '%s: %s is %r, not a documented value' % (member, name, value))

    def check_value(self, member, path, value):
        kind = value.get_type_string()
        if kind == 's':
            self.check_string(member, path, value.get_string())
        elif kind == 'as':
            for item in value.get_strv():
                self.check_string(member, path, item)
        elif kind == 'a{sv}':
            self.check_dict(member, path, value)
        elif kind == 'aa{sv}':
            for i in range(value.n_children()):
                self.check_dict(member, path, value.get_child_value(i))

    def check_dict(self, member, path, variant):
        doc = MEMBERS[member]
        found = set()
        for i in range(variant.n_children()):
            entry = variant.get_child_value(i)
            key = entry.get_child_value(0).get_string()
            value = entry.get_child_value(1).get_variant()
            full = path + '.' + key
            found.add(full)
            self.assertIn(full, doc.keys, '%s returns the undocumented key %s (%s) = %s'
                          % (member, full, value.get_type_string(), value.print_(False)[:200]))
            self.assertEqual(value.get_type_string(), doc.keys[full][0],
                             '%s: %s is documented as %s' % (member, full, doc.keys[full][0]))
            self.seen.add((member, full))
            if full == 'report.last_test':
                self.check_reply('Test', value)
            elif full == 'report.last_diagnose':
                self.check_reply('Diagnose', value)
            else:
                self.check_value(member, full, value)
        for documented in doc.keys:
            if documented.rsplit('.', 1)[0] == path and not doc.optional(documented):
                self.assertIn(documented, found, '%s: %s is documented as always there' % (member, documented))

    def check_reply(self, method, reply):
        """A method's reply (a tuple), argument by argument."""
        outs = [a for a in ET.parse(XML).getroot().iter('method') if a.get('name') == method][0]
        names = [a.get('name') for a in outs.findall('arg') if a.get('direction') == 'out']
        self.assertEqual(reply.n_children(), len(names))
        for name, i in zip(names, range(reply.n_children())):
            self.check_value(method, name, reply.get_child_value(i))
        return reply.unpack()

    def call(self, method, *args):
        return self.check_reply(method, self.raw_call(method, *args))

    def check_all(self):
        """ErrorStats and every property with a value list, Test, Diagnose, GetReport."""
        props = self.raw_properties()
        for i in range(props.n_children()):
            entry = props.get_child_value(i)
            name = entry.get_child_value(0).get_string()
            value = entry.get_child_value(1).get_variant()
            self.assertIn(name, MEMBERS)
            self.assertEqual(value.get_type_string(), MEMBERS[name].type)
            if name in ('ErrorStats', 'Host', 'Agent'):
                self.check_dict(name, name, value)
            elif value.get_type_string() == 's':
                self.check_string(name, name, value.get_string())
        test = self.call('Test')
        diagnosis = self.call('Diagnose')
        report = self.call('GetReport')
        self.assertIn('last_test', report[0])
        self.assertIn('last_diagnose', report[0])
        return test, diagnosis, report[0]

    def assertDocumentedError(self, method, short, *args):
        with self.assertRaises(DBusError) as cm:
            self.daemon.call(method, *args)
        self.assertEqual(cm.exception.short, short, cm.exception)
        self.assertIn(short, MEMBERS[method].errors, '%s returns %s, which it does not document'
                      % (method, short))

    # -- the roles --------------------------------------------------------------
    def unlinked(self):
        self.daemon.wait_prop('State', 'unlinked')
        test, (problem, _, steps), _ = self.check_all()
        self.assertEqual(test[0], 'not-linked')
        self.assertEqual((problem, steps[-1]['name']), ('not-linked', 'credentials'))
        self.assertDocumentedError('Unlink', 'NotLinked')
        self.assertDocumentedError('Link', 'InvalidArgument', 's', '12345')
        self.assertDocumentedError('Link', 'CodeRejected', 's', '000000')
        self.assertDocumentedError('SetServerUrl', 'InvalidArgument', 's', 'ftp://nowhere')

    def agent(self):
        self.link()
        self.daemon.wait_prop('Role', 'agent')
        self.daemon.wait_prop('State', 'okay')
        test, (problem, _, steps), _ = self.check_all()
        self.assertEqual(test[0], 'succeeded')
        self.assertEqual((problem, steps[-1]['name']), ('', 'websocket'))

        # Failing at the connect layer: nothing listens there.
        self.daemon.call('SetServerUrl', 's', 'http://localhost:1')   # a name: A and AAAA
        test, (problem, _, steps), _ = self.check_all()
        self.assertEqual((test[0], test[2]['failure']), ('failed-to-contact', 'refused'))
        self.assertEqual((problem, steps[-1]['name']), ('server-address', 'connect'))

        # Failing at the tls layer: a self-signed certificate.
        tls_sim = Sim(tls=True)
        tls_sim.start()
        try:
            self.daemon.call('SetServerUrl', 's', tls_sim.url.replace('http://', 'https://'))
            test, (problem, _, steps), _ = self.check_all()
        finally:
            tls_sim.close()
        self.assertEqual((test[0], test[2]['failure']), ('failed-to-contact', 'tls'))
        self.assertEqual((problem, steps[-1]['name']), ('tls', 'tls'))

        # Failing at the server layer, then the credentials.
        self.daemon.call('SetServerUrl', 's', self.sim.url)
        self.sim.scenario('down')
        test, (problem, _, steps), _ = self.check_all()
        self.assertEqual(test[0], 'failed-to-contact')
        self.assertEqual(steps[-1]['name'], 'server')
        self.sim.scenario('healthy')
        self.sim.revoke(self.daemon.get('PrinterId'))
        test, (problem, _, steps), _ = self.check_all()
        self.assertEqual(test[0], 'invalid-credentials')
        self.assertEqual((problem, steps[-1]['name']), ('invalid-credentials', 'credentials'))

        self.daemon.call('Unlink')
        self.daemon.wait_prop('Role', 'unlinked')

    def watch(self):
        if self.daemon.get('Role') == 'agent':    # the agent part stopped half-way
            self.daemon.call('Unlink')
        printer = self.sim.add_printer('Watched')
        # the official agent runs: its unit in systemd, its connection with the token
        systemd = Systemd(self.bus, 'moonraker-obico.service')
        self.addCleanup(systemd.close)
        agent = FakeAgent('ws://127.0.0.1:%d/ws/dev/' % self.sim.port, printer['token'], interval=5).start()
        self.addCleanup(agent.kill)
        agent.wait_event('connected')
        log = os.path.join(self.tmp, 'home', 'printer_data', 'logs', 'moonraker-obico.log')
        os.makedirs(os.path.dirname(log), exist_ok=True)
        with open(os.path.join(HERE, 'agents', 'moonraker-obico.cfg'), encoding='utf-8') as f:
            text = f.read().replace('@URL@', self.sim.url).replace('@TOKEN@', printer['token'])
        with open(self.settings, 'w', encoding='utf-8') as f:
            f.write(text.replace('@LOG@', log))
        self.daemon.wait_prop('Role', 'watch')
        self.daemon.wait_prop('WebSocket', 'reachable')
        self.daemon.wait_prop('Agent', lambda a: a.get('active_state') == 'active')
        self.daemon.wait_prop('State', 'okay')
        test, (problem, _, steps), report = self.check_all()
        self.assertEqual(test[0], 'succeeded')
        self.assertEqual((problem, steps[-1]['name']), ('', 'websocket'))
        self.assertEqual([a['watched'] for a in report['agents']], [True])
        for method, args in (('SetServerUrl', ('s', self.sim.url)), ('Link', ('s', '123456')),
                             ('Unlink', ())):
            self.assertDocumentedError(method, 'ReadOnlyCredentials', *args)

    def test_keys_and_values(self):
        with self.subTest(role='unlinked'):
            self.unlinked()
        with self.subTest(role='agent'):
            self.agent()
        with self.subTest(role='watch'):
            self.watch()
        pump(0.1)
        # What the host tells depends on the host: tests/test-host.py gives the
        # daemon one that tells every key (and checks that each turns up).
        documented = {(m.name, p) for m in MEMBERS.values() for p in m.keys
                      if not p.startswith(('Host.', 'report.host.', 'report.host_history.', 'report.events.host',
                                           'report.outages.host'))}
        self.assertEqual(sorted(documented - self.seen), [],
                         'documented keys the daemon never returned in any role')



PRINTER_IFACE = IFACE + '.Printer'
# What a printer of several does not have: the host's and printer 0's own.
ROOT_ONLY = {'Version', 'DebugLogging', 'Host', 'GetRecentLog', 'SetServerUrl', 'Link', 'Unlink',
             'SetDebugLogging', 'TurnOffWifiPowerSave', 'TurnOnNetworkTime'}


def printer_interface():
    root = ET.parse(XML).getroot()
    found = [i for i in root.findall('interface') if i.get('name') == PRINTER_IFACE]
    return found[0] if found else None


def signature(element):
    return (element.tag, element.get('type'),
            tuple((a.get('name'), a.get('type'), a.get('direction')) for a in element.findall('arg')))


class TestPrinterInterface(DaemonTestCase):
    """io.obico.Connect1.Printer (/io/obico/Connect1/Printer/N): the per-printer
    members of io.obico.Connect1 with their types, so the keys and values
    documented there are its too, and the daemon's objects have exactly them."""

    def test_members_are_the_roots(self):
        iface = printer_interface()
        self.assertIsNotNone(iface, PRINTER_IFACE + ' is not in ' + XML)
        root_iface = ET.parse(XML).getroot().find('interface')
        root_members = {c.get('name'): signature(c) for c in root_iface if c.tag is not ET.Comment}
        mine = {c.get('name'): signature(c) for c in iface if c.tag is not ET.Comment}
        for name, sig in mine.items():
            self.assertEqual(sig, root_members.get(name), '%s differs from the root\'s' % name)
        self.assertEqual(set(root_members) - set(mine), ROOT_ONLY,
                         'a member of one printer is missing on ' + PRINTER_IFACE)

    def test_the_daemon_has_them(self):
        reply = self.bus.conn.call_sync(BUS_NAME, OBJECT_PATH, 'org.freedesktop.DBus.ObjectManager',
                                        'GetManagedObjects', None, None, Gio.DBusCallFlags.NONE, -1, None)
        objects = reply.unpack()[0]
        path = OBJECT_PATH + '/Printer/0'
        self.assertIn(path, objects)
        self.assertEqual(set(objects[path]), {PRINTER_IFACE})
        iface = printer_interface()
        documented = {c.get('name'): c.get('type') for c in iface if c.tag == 'property'}
        props = self.bus.conn.call_sync(BUS_NAME, path, 'org.freedesktop.DBus.Properties', 'GetAll',
                                        GLib.Variant('(s)', (PRINTER_IFACE,)), GLib.VariantType('(a{sv})'),
                                        Gio.DBusCallFlags.NONE, -1, None).get_child_value(0)
        got = {}
        for i in range(props.n_children()):
            entry = props.get_child_value(i)
            got[entry.get_child_value(0).get_string()] = entry.get_child_value(1).get_variant().get_type_string()
        self.assertEqual(got, documented)
        xml = self.bus.conn.call_sync(BUS_NAME, path, 'org.freedesktop.DBus.Introspectable', 'Introspect',
                                      None, None, Gio.DBusCallFlags.NONE, -1, None).unpack()[0]
        info = Gio.DBusNodeInfo.new_for_xml(xml).lookup_interface(PRINTER_IFACE)
        self.assertEqual(sorted(m.name for m in info.methods),
                         sorted(c.get('name') for c in iface if c.tag == 'method'))
        self.assertEqual(self.bus.conn.call_sync(BUS_NAME, path, PRINTER_IFACE, 'Test', None, None,
                                                 Gio.DBusCallFlags.NONE, -1, None).unpack()[0],
                         'not-linked')


if __name__ == '__main__':
    main()
