#!/usr/bin/python3
"""No network on this host: the daemon in a network namespace of its own whose only route to the
server is taken away and given back (`ip route del/add`, the link down and up).

obico-sim runs in a "server" namespace, the daemon in a "client" one (netns.py); the client has
no default route, so GIO's network monitor says "no network available" from the start and the
daemon asks it whether any route leads to the sim's address (can_reach) — the route of the veth's
/30 does, until it is deleted.  The daemon's private system bus is the test's own bus, where
NetworkManager does not run: GIO picks its netlink monitor, and the test checks that it did and
that it saw each change.

- Linked and okay, the route goes: Problem no-network within a few seconds, State error, and
  while it lasts (longer than the dead-peer timeout, so the socket dies and reconnects would be
  due) no error is counted in ErrorStats or GetReport and no outage episode begins; the route
  back: okay within 10 s, with a reconnect the moment the network returns (not a backoff's).
- The same with the link down and up, and in the watch role (an official agent's settings; the
  daemon's own checks only).
- Boot before the network: the daemon starts with no route to the server; it publishes
  no-network, never a server's problem, and links within a few seconds once the route comes.
- The control that makes the others mean something: a blackhole route (the kernel still has a
  route, it discards what goes there) is the server's outage, not no-network, and it is counted.

Needs root; when namespaces cannot be made, the test FAILS with the reason (no skip).
"""
import os
import time

from fakeagent import FakeAgent
from harness import Daemon, main, pump
from netnscase import NetnsTestCase

TIMEOUT = 2
HEARTBEAT = 1
DEAD_PEER = 3
CONFIG = {
    'server': {'timeout': TIMEOUT},
    'session': {'heartbeat-interval': HEARTBEAT, 'dead-peer-timeout': DEAD_PEER},
    'watch': {'hc-interval': 1, 'credentials-interval': 1, 'websocket-interval': 1},
}
FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'agents')
# Problems that blame the server or the way to it: never while this host has no network.
SERVER_PROBLEMS = ('server-address', 'internet', 'tls', 'not-obico-server', 'server-error',
                   'no-connectivity', 'unreliable-network', 'websocket-blocked')


class NoNetworkTest(NetnsTestCase):
    network = 'network namespaces, veth'
    tmp_prefix = 'obico-nonet-'
    config = CONFIG
    bad_log = NetnsTestCase.bad_log + ('WARNING',)

    @classmethod
    def set_up_network(cls):
        cls.subnet = cls.net.cli_addr.rsplit('.', 1)[0] + '.0/30'

    def setUp(self):
        super().setUp()
        # GIO's NetworkManager monitor asks the system bus: ours, where NetworkManager is not.
        self.daemon = Daemon(self.bus, self.state_dir, self.config_path,
                             extra_args=['--agent-settings', ''],
                             env={'DBUS_SYSTEM_BUS_ADDRESS': self.bus.address})

    def restore_network(self):
        self.route('add', check=False)
        self.net.ip('link', 'set', self.net.cli_if, 'up', check=False)

    # -- helpers ---------------------------------------------------------------

    def route(self, verb, check=True):
        """The client's only route to the sim: the veth's /30."""
        return self.net.ip('route', verb, self.subnet, 'dev', self.net.cli_if, 'proto', 'kernel',
                           'scope', 'link', 'src', self.net.cli_addr, check=check)

    def start_linked(self):
        self.daemon.start()
        code = self.sim.new_code(name='No-network Printer')
        self.daemon.call('Link', 's', code)
        self.daemon.wait_prop('State', 'okay', timeout=15)
        self.check_monitor()

    def check_monitor(self):
        log = self.daemon.log()
        self.assertIn('Following the network with GNetworkMonitorNetlink', log,
                      'GIO did not pick its netlink monitor:\n' + log[-3000:])

    def counted(self):
        """(errors in ErrorStats, errors since start, outages in GetReport)."""
        stats = self.daemon.get('ErrorStats')
        report = self.daemon.call('GetReport')
        return stats['errors'], stats['total_errors'], report['outage_count']

    def wait_no_network(self, within=5):
        start = time.monotonic()
        self.daemon.wait_prop('Problem', 'no-network', timeout=within)
        seen = time.monotonic() - start
        props = self.daemon.get_all()
        self.assertEqual(props['State'], 'error', props)
        self.assertIn('no network connection', props['ProblemDetail'])
        return seen

    def hold(self, seconds, before):
        """No network for @seconds: Problem stays no-network, nothing is counted."""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            props = self.daemon.get_all()
            self.assertEqual((props['State'], props['Problem']), ('error', 'no-network'),
                             self.daemon.log()[-3000:])
            self.assertEqual(self.counted(), before, self.daemon.log()[-3000:])
            pump(0.25)

    def back(self, restore, before):
        upgrades = len(self.sim.ws_connections())
        start = time.monotonic()
        restore()
        self.daemon.wait_prop('State', 'okay', timeout=10)
        took = time.monotonic() - start
        self.assertEqual(self.counted(), before, self.daemon.log()[-3000:])
        self.assertGreater(len(self.sim.ws_connections()), upgrades)
        log = self.daemon.log()
        self.assertIn('This host has a network again', log)
        self.assertIn('The network is back: reconnecting now', log)
        return took

    def server_problems(self):
        return [c['Problem'] for _, c in self.daemon.changes
                if 'Problem' in c and c['Problem'] in SERVER_PROBLEMS]

    # -- tests -----------------------------------------------------------------

    def test_route_removed_and_back(self):
        self.start_linked()
        before = self.counted()
        self.route('del')
        seen = self.wait_no_network()
        self.assertIn('This host has no network to the server', self.daemon.log())
        # longer than the dead-peer timeout: the socket dies meanwhile, and is not counted
        self.hold(DEAD_PEER * 3, before)
        self.assertIn('No network on this host: reconnecting when it is back', self.daemon.log())
        took = self.back(lambda: self.route('add'), before)
        self.assertEqual(self.server_problems(), [], self.daemon.log()[-6000:])
        print('route deleted: no-network after %.1f s; route back: okay after %.1f s' % (seen, took))

    def test_link_down_and_up(self):
        self.start_linked()
        before = self.counted()
        self.net.ip('link', 'set', self.net.cli_if, 'down')
        seen = self.wait_no_network()
        self.hold(DEAD_PEER * 2, before)
        took = self.back(lambda: self.net.ip('link', 'set', self.net.cli_if, 'up'), before)
        self.assertEqual(self.server_problems(), [], self.daemon.log()[-6000:])
        print('link down: no-network after %.1f s; link up: okay after %.1f s' % (seen, took))

    def test_watch_role(self):
        printer = self.sim.add_printer('Watched Printer')
        config = os.path.join(self.tmp, 'printer_data', 'config', 'moonraker-obico.cfg')
        log = os.path.join(self.tmp, 'printer_data', 'logs', 'moonraker-obico.log')
        os.makedirs(os.path.dirname(config))
        os.makedirs(os.path.dirname(log))
        with open(os.path.join(FIXTURES, 'moonraker-obico.cfg'), encoding='utf-8') as f:
            text = f.read()
        with open(config, 'w', encoding='utf-8') as f:
            f.write(text.replace('@URL@', self.url).replace('@TOKEN@', printer['token'])
                    .replace('@LOG@', log))
        # the official agent runs beside the daemon (its namespace) and reports: the app shows
        # the printer online, so State can be okay
        agent = FakeAgent(self.url.replace('http://', 'ws://') + '/ws/dev/', printer['token'], interval=5,
                          prefix=self.net.exec_prefix()).start()
        self.addCleanup(agent.kill)
        agent.wait_event('connected')
        self.daemon.extra_args = ['--agent-settings', config]
        self.daemon.start()
        self.daemon.wait_prop('Role', 'watch')
        self.daemon.wait_prop('State', 'okay', timeout=15)
        self.check_monitor()
        before = self.counted()
        self.route('del')
        seen = self.wait_no_network()
        self.hold(4, before)
        upgrades = len(self.sim.requests('/ws/dev/'))
        start = time.monotonic()
        self.route('add')
        self.daemon.wait_prop('State', 'okay', timeout=10)
        took = time.monotonic() - start
        self.assertEqual(self.counted(), before, self.daemon.log()[-3000:])
        self.assertGreater(len(self.sim.requests('/ws/dev/')), upgrades)
        self.assertEqual(self.server_problems(), [], self.daemon.log()[-6000:])
        print('watch role: no-network after %.1f s; route back: okay after %.1f s' % (seen, took))

    def test_boot_before_the_network(self):
        self.start_linked()
        self.daemon.stop()
        self.route('del')
        self.daemon.changes.clear()
        self.daemon.start()
        self.assertEqual(self.daemon.get('Problem'), 'no-network', self.daemon.log()[-3000:])
        self.check_monitor()
        before = self.counted()
        self.assertEqual(before, (0, 0, 0))
        self.hold(DEAD_PEER * 2, before)
        took = self.back(lambda: self.route('add'), before)
        self.assertEqual(self.server_problems(), [], self.daemon.log()[-6000:])
        print('boot without a route: no-network; route added: okay after %.1f s' % took)

    def test_blackhole_is_the_servers_outage(self):
        """The control: a route that discards is no lack of network, and it is counted."""
        self.start_linked()
        before = self.counted()
        mark = len(self.daemon.log())
        self.net.blackhole()
        self.daemon.wait_prop('State', 'error', timeout=DEAD_PEER * 4)
        self.daemon.wait_prop('Problem', lambda p: p in SERVER_PROBLEMS, timeout=10)
        end = time.monotonic() + DEAD_PEER * 2
        while time.monotonic() < end:
            self.assertNotEqual(self.daemon.get('Problem'), 'no-network')
            pump(0.25)
        errors, total, outages = self.counted()
        self.assertGreater(total, before[1])
        self.assertEqual(outages, before[2] + 1)
        self.assertNotIn('This host has no network to the server', self.daemon.log()[mark:])
        self.net.clear()
        self.daemon.wait_prop('State', 'okay', timeout=60)


if __name__ == '__main__':
    main()
