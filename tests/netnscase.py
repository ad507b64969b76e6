"""The fixture of the tests in network namespaces (test-netfault.py, test-nonet.py,
test-route.py): netns.py's NetPair for the test class, and for each test obico-sim in the
"server" namespace, the test's private bus, and the daemon (which the test makes) run in the
"client" namespace through OBICO_TEST_WRAPPER.  The private D-Bus is a path socket both
namespaces reach.

A subclass sets `network` (what its network is made of, for the failure's sentence),
`tmp_prefix`, `config` ({group: {key: value}}; [server] url is added), and may set `sim_host`
(where obico-sim listens), `server_name` (the URL's host; the server's veth address if None),
`bad_log` (what the daemon's log must never hold), and override set_up_network() and
tear_down_network() (once for the class), start_servers() and restore_network() (each test).

When the namespaces cannot be made the class FAILS with the reason (no skip).
"""
import os
import shutil
import subprocess
import tempfile
import unittest

from harness import PrivateBus, Sim
from netns import NetPair, NetnsError


class NetnsTestCase(unittest.TestCase):
    net = None
    network = 'network namespaces, veth'
    tmp_prefix = 'obico-netns-'
    config = {}
    sim_host = '0.0.0.0'
    server_name = None
    bad_log = ('CRITICAL', 'ERROR: AddressSanitizer', 'runtime error:', 'LeakSanitizer')

    @classmethod
    def setUpClass(cls):
        cls.net = NetPair()
        try:
            cls.net.up()
            cls.set_up_network()
        except (NetnsError, OSError, subprocess.CalledProcessError) as e:
            cls.net.down()
            cls.net = None
            raise AssertionError('cannot build the test network (%s): %s' % (cls.network, e)) from None

    @classmethod
    def tearDownClass(cls):
        if cls.net is not None:
            cls.tear_down_network()
            cls.net.down()

    @classmethod
    def set_up_network(cls):
        """More of the class's network, after NetPair.up()."""

    @classmethod
    def tear_down_network(cls):
        """Undoes set_up_network(), before NetPair.down()."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix=self.tmp_prefix)
        self.state_dir = os.path.join(self.tmp, 'state')
        os.mkdir(self.state_dir, 0o700)
        self.config_path = os.path.join(self.tmp, 'obico-connect.conf')
        self.sim = self.bus = self.daemon = None
        self.servers = []       # closed after the sim, each with close()
        self._wrapper = os.environ.get('OBICO_TEST_WRAPPER')
        self.addCleanup(self.cleanup)
        # Everything this thread starts from here on lives in the server namespace: the sim,
        # and the control API is its 127.0.0.1, out of reach of the faults.
        self.net.enter_server()
        self.sim = Sim(extra_args=['--host', self.sim_host])
        self.sim.start()
        self.start_servers()
        self.url = 'http://%s:%d' % (self.server_name or self.net.srv_addr, self.sim.port)
        with open(self.config_path, 'w') as f:
            for group, keys in dict(self.config, server=dict(self.config.get('server', {}),
                                                             url=self.url)).items():
                f.write('[%s]\n' % group + ''.join('%s=%s\n' % kv for kv in keys.items()))
        self.bus = PrivateBus()
        # The daemon the test makes next runs in the client namespace.
        os.environ['OBICO_TEST_WRAPPER'] = ' '.join(self.net.exec_prefix() +
                                                    ([self._wrapper] if self._wrapper else []))

    def start_servers(self):
        """More servers in the server namespace, after the sim (add them to self.servers)."""

    def restore_network(self):
        """Undoes what a test changed in the network, after NetPair.clear()."""

    def cleanup(self):
        if self._wrapper is None:
            os.environ.pop('OBICO_TEST_WRAPPER', None)
        else:
            os.environ['OBICO_TEST_WRAPPER'] = self._wrapper
        try:
            self.net.clear()
            self.restore_network()
        finally:
            code = self.daemon.stop() if self.daemon else None
            log = self.daemon.log() if self.daemon else ''
            for thing in [self.bus, self.sim] + self.servers:
                if thing:
                    thing.close()
            self.net.leave()
        failed = any(err for _, err in getattr(self._outcome, 'errors', []) if err)
        if not failed:
            shutil.rmtree(self.tmp, ignore_errors=True)
        for bad in self.bad_log:
            self.assertNotIn(bad, log, 'daemon log has %s:\n%s' % (bad, log[-4000:]))
        self.assertIn(code, (0, None), 'obico-connectd exited with %s:\n%s' % (code, log[-4000:]))
