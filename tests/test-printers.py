#!/usr/bin/python3
"""Every printer of the host: /io/obico/Connect1/Printer/N with
io.obico.Connect1.Printer, listed by the ObjectManager on /io/obico/Connect1.

The real daemon on a private bus, two obico-sim servers (one per printer, so
one can lose its server alone), official agents' settings in KIAUH's
multi-instance layout (~/printer_1_data, ~/printer_2_data) found by the
search, or given with --agent-settings several times.  Checked: one object
per printer with its own name and state; the root summarizes (the worst
first) and otherwise stays printer 0's; an agent's settings removed removes
its object (InterfacesRemoved) and a new instance's service adds one
(InterfacesAdded); the per-printer methods act on their own printer; the
watch role never opens a WebSocket with an agent's token on either server."""
import os
import shutil
import time

from fakeagent import FakeAgent
from harness import BUS_NAME, IFACE, OBJECT_PATH, DaemonTestCase, DBusError, Sim, assert_only_agents_sockets, main, pump, SLOW
from gi.repository import Gio, GLib  # noqa: E402  (harness chose the versions)

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, 'agents')
PRINTER_IFACE = IFACE + '.Printer'
OM_IFACE = 'org.freedesktop.DBus.ObjectManager'

FAST = {
    'server': {'timeout': 2},
    'watch': {'hc-interval': 0.5, 'credentials-interval': 0.5, 'websocket-interval': 0.5},
}

# The members a printer has: the root's, less the host's and printer 0's own.
ROOT_ONLY_PROPERTIES = {'Version', 'DebugLogging', 'Host'}


class PrintersTestCase(DaemonTestCase):
    config = FAST
    start_daemon = False

    def setUp(self):
        super().setUp()
        self.sim2 = Sim()
        self.sim2.start()
        self.root = os.path.join(self.tmp, 'root')
        self.home = os.path.join(self.root, 'home', 'pi')
        self.first = self.sim.add_printer('Voron 2.4')
        self.second = self.sim2.add_printer('Ender 3 ✓')
        self.tokens = [self.first['token'], self.second['token']]
        # Each printer's official agent runs, connected and reporting (the app shows it
        # online: State is never okay while the app shows the printer offline).
        self.fake_agents = {}
        self.official_agent(self.first, self.sim)
        self.official_agent(self.second, self.sim2)
        self.om_signals = []
        self._om_sub = self.bus.conn.signal_subscribe(
            BUS_NAME, OM_IFACE, None, OBJECT_PATH, None, Gio.DBusSignalFlags.NONE,
            lambda c, s, p, i, name, params: self.om_signals.append((name, params.unpack())))

    def tearDown(self):
        try:
            if self.daemon.proc is not None:
                self.assertEqual(self.daemon.stop(), 0)
            for sim in (self.sim, self.sim2):
                if sim.proc is None:
                    continue
                # The daemon's own link (agent role) has its WebSocket; an agent's token never:
                # every socket with one is the fake official agent's.
                with_agents = [c for c in sim.ws_connections()
                               if any(t in (c.get('authorization') or '') for t in self.tokens)]
                assert_only_agents_sockets(self, with_agents, self.fake_agents.get(sim, []),
                                           "an agent's credentials")
            log = self.daemon.log()
            for token in self.tokens:
                self.assertNotIn(token, log, 'an agent token leaked into the log')
        finally:
            self.bus.conn.signal_unsubscribe(self._om_sub)
            self.sim2.close()
            super().tearDown()

    def official_agent(self, printer, sim):
        agent = FakeAgent('ws://127.0.0.1:%d/ws/dev/' % sim.port, printer['token'], interval=5).start()
        self.addCleanup(agent.kill)
        agent.wait_event('connected')
        self.fake_agents.setdefault(sim, []).append(agent)
        return agent

    # -- the agents' settings -------------------------------------------------
    def instance(self, name, printer, sim):
        """moonraker-obico of a KIAUH instance ~/<name>_data."""
        data = os.path.join(self.home, name + '_data')
        os.makedirs(os.path.join(data, 'logs'), exist_ok=True)
        os.makedirs(os.path.join(data, 'config'), exist_ok=True)
        with open(os.path.join(FIXTURES, 'moonraker-obico.cfg'), encoding='utf-8') as f:
            text = f.read()
        text = (text.replace('@URL@', sim.url).replace('@TOKEN@', printer['token'])
                    .replace('@LOG@', os.path.join(data, 'logs', 'moonraker-obico.log')))
        path = os.path.join(data, 'config', 'moonraker-obico.cfg')
        tmp = path + '.new'
        with open(tmp, 'w', encoding='utf-8') as f:
            f.write(text)
        os.rename(tmp, path)
        return path

    def search_here(self):
        """The daemon searches self.root as if it were '/'."""
        self.write_config(dict(FAST, watch=dict(FAST['watch'], **{'search-roots': self.root})))
        self.daemon.extra_args = []

    def given(self, *paths):
        self.daemon.extra_args = [a for p in paths for a in ('--agent-settings', p)]

    # -- the bus ----------------------------------------------------------------
    def managed(self):
        reply = self.bus.conn.call_sync(BUS_NAME, OBJECT_PATH, OM_IFACE, 'GetManagedObjects', None,
                                        None, Gio.DBusCallFlags.NONE, -1, None)
        return reply.unpack()[0]

    def printers(self):
        """{path: properties} of every printer object."""
        return {path: ifaces[PRINTER_IFACE] for path, ifaces in self.managed().items()}

    def wait_printers(self, count, timeout=10):
        end = time.monotonic() + timeout * SLOW
        while time.monotonic() < end:
            found = self.printers()
            if len(found) == count:
                return found
            pump(0.05)
        self.fail('%d printers, wanted %d: %r\n%s' % (len(found), count, sorted(found),
                                                     self.daemon.log()[-3000:]))

    def signals(self, name, count):
        """The ObjectManager's @name signals, once there are @count."""
        end = time.monotonic() + 5 * SLOW
        while True:
            found = [params for n, params in self.om_signals if n == name]
            if len(found) >= count or time.monotonic() > end:
                return found
            pump(0.05)

    def prop(self, path, name):
        reply = self.bus.conn.call_sync(BUS_NAME, path, 'org.freedesktop.DBus.Properties', 'Get',
                                        GLib.Variant('(ss)', (PRINTER_IFACE, name)), None,
                                        Gio.DBusCallFlags.NONE, -1, None)
        return reply.unpack()[0]

    def wait_prop(self, path, name, value, timeout=10):
        end = time.monotonic() + timeout * SLOW
        current = None
        while time.monotonic() < end:
            current = self.prop(path, name)
            if (value(current) if callable(value) else current == value):
                return current
            pump(0.05)
        self.fail('%s %s stayed %r, wanted %r\n%s' % (path, name, current, value,
                                                      self.daemon.log()[-3000:]))

    def call(self, path, method, timeout=30):
        try:
            reply = self.bus.conn.call_sync(BUS_NAME, path, PRINTER_IFACE, method, None, None,
                                            Gio.DBusCallFlags.NONE, int(timeout * 1000 * SLOW), None)
        except GLib.Error as e:
            name = Gio.DBusError.get_remote_error(e) or ''
            raise DBusError(name, e.message) from None
        result = reply.unpack()
        return result[0] if len(result) == 1 else (result if result else None)

    def path_of(self, settings):
        found = [p for p, props in self.printers().items() if props['CredentialSource'] == settings]
        self.assertEqual(len(found), 1, 'one printer for %s: %r' % (settings, self.printers()))
        return found[0]


class TestTwoInstances(PrintersTestCase):
    def test_kiauh_instances_are_two_printers_with_their_own_names_and_states(self):
        one = self.instance('printer_1', self.first, self.sim)
        two = self.instance('printer_2', self.second, self.sim2)
        self.search_here()
        self.daemon.start()
        found = self.wait_printers(2)
        self.assertEqual(sorted(found), [OBJECT_PATH + '/Printer/0', OBJECT_PATH + '/Printer/1'])
        p1, p2 = self.path_of(one), self.path_of(two)
        self.assertEqual(p1, OBJECT_PATH + '/Printer/0', 'the first agent found is printer 0')
        for path, printer, sim in ((p1, self.first, self.sim), (p2, self.second, self.sim2)):
            self.wait_prop(path, 'State', 'okay')
            self.wait_prop(path, 'PrinterName', printer['name'])
            self.assertEqual(self.prop(path, 'Role'), 'watch')
            self.assertEqual(self.prop(path, 'ServerUrl'), sim.url)
        self.daemon.wait_prop('State', 'okay')
        # The root is printer 0, as on a host with one printer.
        self.assertEqual(self.daemon.get('PrinterName'), self.first['name'])
        self.assertEqual(self.daemon.get('CredentialSource'), one)

        # The second printer's server goes away: only its State changes.  (Its agent's
        # sockets were the old server process's: they go with it.)
        self.sim2.kill()
        for agent in self.fake_agents.pop(self.sim2):
            agent.kill()
        self.wait_prop(p2, 'State', lambda s: s != 'okay', timeout=15)
        # The root summarizes: the worst printer's State and Problem first
        # (printer 2's may still move on, disconnected to error: wait for both).
        end = time.monotonic() + 15 * SLOW
        while True:
            state, problem, detail = (self.prop(p2, 'State'), self.prop(p2, 'Problem'),
                                      self.prop(p2, 'ProblemDetail'))
            root = (self.daemon.get('State'), self.daemon.get('Problem'), self.daemon.get('ProblemDetail'))
            if root == (state, problem, detail):
                break
            self.assertLess(time.monotonic(), end, 'root %r, printer 2 %r' % (root, (state, problem, detail)))
            pump(0.05)
        self.assertIn(state, ('disconnected', 'error'))
        self.assertNotEqual(problem, '')
        self.assertEqual(self.prop(p1, 'State'), 'okay')
        self.assertEqual(self.prop(p1, 'Problem'), '')
        # …and everything else on the root stays printer 0's.
        self.assertEqual(self.daemon.get('ServerUrl'), self.sim.url)
        print('second server gone: printer 2 %s (%s), printer 1 okay, root %s'
              % (state, problem, self.daemon.get('State')))

        # Its server back: the root is okay again.
        self.sim2.start()
        self.official_agent(self.second, self.sim2)
        self.wait_prop(p2, 'State', 'okay', timeout=30)
        self.daemon.wait_prop('State', 'okay')
        self.assertEqual(self.daemon.get('Problem'), '')

    def test_a_new_instance_comes_with_its_service(self):
        one = self.instance('printer_1', self.first, self.sim)
        self.search_here()
        self.daemon.start()
        found = self.wait_printers(1)
        self.assertEqual(list(found), [OBJECT_PATH + '/Printer/0'])
        self.assertEqual(found[OBJECT_PATH + '/Printer/0']['CredentialSource'], one)

        # KIAUH installs the second instance: its settings, then its unit.
        two = self.instance('printer_2', self.second, self.sim2)
        units = os.path.join(self.root, 'etc', 'systemd', 'system')
        os.makedirs(units, exist_ok=True)
        with open(os.path.join(units, 'moonraker-obico-printer_2.service'), 'w') as f:
            f.write('[Service]\nUser=pi\nExecStart=/home/pi/moonraker-obico-env/bin/python '
                    '-m moonraker_obico.app -c /home/pi/printer_2_data/config/moonraker-obico.cfg\n')
        self.wait_printers(2)
        added = self.signals('InterfacesAdded', 1)
        self.assertEqual([a[0] for a in added], [OBJECT_PATH + '/Printer/1'])
        self.assertIn(PRINTER_IFACE, added[0][1])
        self.assertEqual(self.path_of(two), OBJECT_PATH + '/Printer/1')
        self.wait_prop(OBJECT_PATH + '/Printer/1', 'PrinterName', self.second['name'])


    def test_new_settings_are_found_without_a_service(self):
        self.instance('printer_1', self.first, self.sim)
        self.search_here()
        self.daemon.start()
        self.wait_printers(1)
        # moonraker-obico set up by hand in a new KIAUH instance: no unit.
        two = self.instance('printer_2', self.second, self.sim2)
        self.wait_printers(2)
        self.assertEqual(self.path_of(two), OBJECT_PATH + '/Printer/1')
        self.wait_prop(OBJECT_PATH + '/Printer/1', 'PrinterName', self.second['name'])
        # …and in an instance that was there already, a second agent's file.
        third = self.sim.add_printer('Prusa XL')
        self.tokens.append(third['token'])
        path = os.path.join(self.home, 'printer_2_data', 'config', 'moonraker-obico-xl.cfg')
        with open(path + '.new', 'w') as f:
            f.write('[server]\nurl = %s\nauth_token = %s\n' % (self.sim.url, third['token']))
        os.rename(path + '.new', path)
        self.wait_printers(3)
        self.wait_prop(self.path_of(path), 'PrinterName', 'Prusa XL')


class TestGivenSettings(PrintersTestCase):
    def test_agent_settings_given_twice_and_removed(self):
        one = self.instance('printer_1', self.first, self.sim)
        two = self.instance('printer_2', self.second, self.sim2)
        self.given(one, two)
        self.daemon.start()
        self.wait_printers(2)
        p2 = self.path_of(two)
        self.wait_prop(p2, 'State', 'okay')

        # Its settings file removed: its object goes (InterfacesRemoved).
        os.unlink(two)
        self.wait_printers(1)
        removed = self.signals('InterfacesRemoved', 1)
        self.assertEqual(removed, [(p2, [PRINTER_IFACE])])
        self.assertEqual(self.path_of(one), OBJECT_PATH + '/Printer/0')
        self.daemon.wait_prop('State', 'okay')

        # Back again: a new object, a number not used before.
        self.instance('printer_2', self.second, self.sim2)
        self.wait_printers(2)
        self.assertEqual(self.path_of(two), OBJECT_PATH + '/Printer/2')

        # Printer 0's agent removed: printer 0 watches the other one, whose
        # own object goes, so no printer is there twice.
        shutil.rmtree(os.path.join(self.home, 'printer_1_data'))
        self.wait_printers(1)
        self.wait_prop(OBJECT_PATH + '/Printer/0', 'CredentialSource', two)
        self.daemon.wait_prop('CredentialSource', two)
        self.daemon.wait_prop('PrinterName', self.second['name'])

    def test_a_copied_settings_file_is_the_same_printer(self):
        one = self.instance('printer_1', self.first, self.sim)
        two = self.instance('printer_2', self.second, self.sim2)
        copy = os.path.join(self.home, 'printer_3_data', 'config', 'moonraker-obico.cfg')
        os.makedirs(os.path.dirname(copy))
        shutil.copy(two, copy)
        self.given(one, two, copy)
        self.daemon.start()
        self.wait_printers(2)
        self.wait_prop(self.path_of(two), 'State', 'okay')
        pump(1.0)
        self.assertEqual(len(self.printers()), 2, 'the same token twice is one printer')
        # The original gone, the copy is that printer now.
        os.unlink(two)
        end = time.monotonic() + 10 * SLOW
        while time.monotonic() < end and copy not in [p['CredentialSource'] for p in self.printers().values()]:
            pump(0.05)
        self.assertEqual(self.path_of(copy), OBJECT_PATH + '/Printer/2')
        self.assertEqual(len(self.printers()), 2)

    def test_methods_act_on_their_printer(self):
        one = self.instance('printer_1', self.first, self.sim)
        two = self.instance('printer_2', self.second, self.sim2)
        self.given(one, two)
        self.daemon.start()
        self.wait_printers(2)
        p1, p2 = self.path_of(one), self.path_of(two)
        self.wait_prop(p2, 'State', 'okay')

        result, detail, facts = self.call(p2, 'Test')
        self.assertEqual(result, 'succeeded', detail)
        self.assertTrue(facts['url'].startswith(self.sim2.url), facts)
        result, _, facts = self.call(p1, 'Test')
        self.assertEqual(result, 'succeeded')
        self.assertTrue(facts['url'].startswith(self.sim.url), facts)

        problem, fixes, steps = self.call(p2, 'Diagnose')
        self.assertEqual(problem, '')
        report = self.call(p2, 'GetReport')
        self.assertEqual(report['server_url'], self.sim2.url)
        watched = [a['path'] for a in report['agents'] if a['watched']]
        self.assertEqual(watched, [two])
        self.assertEqual([a['path'] for a in self.daemon.call('GetReport')['agents'] if a['watched']],
                         [one])

        self.assertIsNone(self.call(p2, 'ResetErrors'))
        self.assertEqual(self.prop(p2, 'ErrorStats')['attempts'], 0)
        self.assertIsNone(self.call(p2, 'Reconnect'))
        self.wait_prop(p2, 'State', 'okay')

        # The root's own members are not a printer's.
        with self.assertRaises(GLib.Error) as cm:
            self.bus.conn.call_sync(BUS_NAME, p2, PRINTER_IFACE, 'Link', GLib.Variant('(s)', ('123456',)),
                                    None, Gio.DBusCallFlags.NONE, -1, None)
        self.assertEqual(Gio.DBusError.get_remote_error(cm.exception),
                         'org.freedesktop.DBus.Error.UnknownMethod')

    def test_own_link_and_an_agent(self):
        two = os.path.join(self.home, 'printer_2_data', 'config', 'moonraker-obico.cfg')
        os.makedirs(os.path.dirname(two))
        self.given(two)
        self.daemon.start()
        self.wait_printers(1)
        self.link('Prusa MK4')
        self.daemon.wait_prop('Role', 'agent')
        # An official agent set up beside the daemon's own link: a second printer.
        self.instance('printer_2', self.second, self.sim2)
        found = self.wait_printers(2)
        self.assertEqual(found[OBJECT_PATH + '/Printer/0']['Role'], 'agent')
        p2 = self.path_of(two)
        self.assertEqual(self.prop(p2, 'Role'), 'watch')
        self.wait_prop(p2, 'State', 'okay')
        self.wait_prop(OBJECT_PATH + '/Printer/0', 'State', 'okay')
        self.wait_prop(OBJECT_PATH + '/Printer/0', 'PrinterName', 'Prusa MK4')
        self.daemon.wait_prop('State', 'okay')
        # Unlinked again: printer 0 watches the agent, whose own object goes.
        self.daemon.call('Unlink')
        self.wait_printers(1)
        self.daemon.wait_prop('CredentialSource', two)


class TestOnePrinter(PrintersTestCase):
    def test_one_printer_is_printer_0_and_the_root(self):
        one = self.instance('printer_1', self.first, self.sim)
        self.given(one)
        self.daemon.start()
        found = self.wait_printers(1)
        path = OBJECT_PATH + '/Printer/0'
        self.assertIn(path, found)
        self.wait_prop(path, 'State', 'okay')
        self.daemon.wait_prop('State', 'okay')
        root = self.daemon.get_all()
        mine = self.printers()[path]
        self.assertEqual(set(root) - set(mine), ROOT_ONLY_PROPERTIES)
        self.assertEqual(set(mine) - set(root), set())
        for name in mine:
            if name not in ('LastContact', 'ErrorStats'):
                self.assertEqual(mine[name], root[name], name)

    def test_unlinked_host_has_printer_0(self):
        self.given('')
        self.daemon.start()
        found = self.wait_printers(1)
        self.assertEqual(found[OBJECT_PATH + '/Printer/0']['State'], 'unlinked')
        self.assertEqual(self.daemon.get('State'), 'unlinked')


if __name__ == '__main__':
    main()
