"""Test harness: a private D-Bus, obico-sim and the real obico-connectd.

Run with /usr/bin/python3 (needs python3-gi).  Paths come from meson through
the environment: OBICO_CONNECTD (the daemon), OBICO_SIM (the simulated server).
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import gi
gi.require_version('Gio', '2.0')
from gi.repository import Gio, GLib  # noqa: E402

from simctl import Sim  # noqa: E402,F401  (re-exported for tests)

BUS_NAME = 'io.obico.Connect1'
OBJECT_PATH = '/io/obico/Connect1'
IFACE = 'io.obico.Connect1'
ERROR_PREFIX = 'io.obico.Connect1.Error.'

# Under valgrind or ASan everything is slower; tests scale their waits.
SLOW = float(os.environ.get('OBICO_TEST_SLOWDOWN', '1'))


def pump(seconds=0.0):
    """Runs the default main context for a while (signals get delivered)."""
    ctx = GLib.MainContext.default()
    end = time.monotonic() + seconds
    while True:
        while ctx.pending():
            ctx.iteration(False)
        if time.monotonic() >= end:
            return
        time.sleep(0.01)


class PrivateBus:
    """A dbus-daemon of our own, used as the session bus."""

    def __init__(self):
        self.proc = subprocess.Popen(
            ['dbus-daemon', '--session', '--nofork', '--print-address=1', '--nopidfile'],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.address = self.proc.stdout.readline().strip()
        if not self.address:
            raise RuntimeError('dbus-daemon did not start')
        self.conn = Gio.DBusConnection.new_for_address_sync(
            self.address,
            Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT |
            Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)

    def close(self):
        self.conn.close_sync(None)
        self.proc.terminate()
        self.proc.wait(10)
        self.proc.stdout.close()


class VirtualScreen:
    """An Xvfb of our own: the app's windows (GTK needs a display even for the
    notification agent, which has none)."""

    def __init__(self, size='800x480x24'):
        r, w = os.pipe()
        self.proc = subprocess.Popen(['Xvfb', '-displayfd', str(w), '-screen', '0', size,
                                      '-nolisten', 'tcp'],
                                     pass_fds=[w], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(w)
        with os.fdopen(r) as f:
            self.display = ':' + f.readline().strip()

    def screenshot(self, path):
        subprocess.run(['import', '-display', self.display, '-window', 'root', path], check=True)
        return path

    def close(self):
        self.proc.terminate()
        self.proc.wait(10)


class DBusError(Exception):
    def __init__(self, name, message):
        super().__init__(f'{name}: {message}')
        self.name = name
        self.short = name[len(ERROR_PREFIX):] if name.startswith(ERROR_PREFIX) else name
        self.message = message


class Daemon:
    """The real obico-connectd on the private bus."""

    def __init__(self, bus, state_dir, config_path, extra_args=(), env=None):
        self.bus = bus
        self.state_dir = state_dir
        self.config_path = config_path
        self.extra_args = list(extra_args)
        self.env = env or {}
        self.proc = None
        self.log_path = os.path.join(os.path.dirname(state_dir), 'daemon-%d.log')
        self.logs = []
        self.changes = []      # (time, {prop: value}) from PropertiesChanged
        self._sub = bus.conn.signal_subscribe(
            BUS_NAME, 'org.freedesktop.DBus.Properties', 'PropertiesChanged', OBJECT_PATH,
            None, Gio.DBusSignalFlags.NONE, self._on_changed)

    def _on_changed(self, conn, sender, path, iface, signal_name, params):
        changed = params.unpack()[1]
        self.changes.append((time.monotonic(), changed))

    def start(self, wait=True):
        binary = os.environ['OBICO_CONNECTD']
        cmd = [binary, '--session', '--state-dir', self.state_dir,
               '--config', self.config_path, '--verbose'] + self.extra_args
        wrapper = os.environ.get('OBICO_TEST_WRAPPER')
        if wrapper:
            cmd = wrapper.split() + cmd
        env = dict(os.environ)
        env['DBUS_SESSION_BUS_ADDRESS'] = self.bus.address
        env.update(self.env)
        path = self.log_path % len(self.logs)
        self.logs.append(path)
        self._log = open(path, 'w')
        self.proc = subprocess.Popen(cmd, env=env, stdout=self._log, stderr=subprocess.STDOUT)
        if wait:
            self.wait_for_name()
        return self

    def wait_for_name(self, timeout=10):
        end = time.monotonic() + timeout * SLOW
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError('obico-connectd exited with %d:\n%s' % (self.proc.returncode, self.log()))
            reply = self.bus.conn.call_sync(
                'org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus',
                'NameHasOwner', GLib.Variant('(s)', (BUS_NAME,)), None,
                Gio.DBusCallFlags.NONE, -1, None)
            if reply.unpack()[0]:
                return
            time.sleep(0.02)
        raise RuntimeError('obico-connectd did not take its bus name:\n' + self.log())

    def stop(self):
        if self.proc is None:
            return 0
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15 * SLOW)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.close()
        code = self.proc.returncode
        self.proc = None
        return code

    def kill(self):
        self.proc.kill()
        self.proc.wait()
        self._log.close()
        self.proc = None

    def log(self):
        text = ''
        for path in self.logs:
            with open(path, errors='replace') as f:
                text += f.read()
        return text

    # -- D-Bus -----------------------------------------------------------
    def call(self, method, signature=None, *args, timeout=30):
        params = GLib.Variant('(%s)' % signature, args) if signature else None
        try:
            reply = self.bus.conn.call_sync(BUS_NAME, OBJECT_PATH, IFACE, method, params, None,
                                            Gio.DBusCallFlags.NONE, int(timeout * 1000 * SLOW), None)
        except GLib.Error as e:
            name = Gio.DBusError.get_remote_error(e) or ''
            Gio.DBusError.strip_remote_error(e)
            raise DBusError(name, e.message) from None
        result = reply.unpack()
        return result[0] if len(result) == 1 else (result if result else None)

    def get(self, prop):
        reply = self.bus.conn.call_sync(BUS_NAME, OBJECT_PATH, 'org.freedesktop.DBus.Properties',
                                        'Get', GLib.Variant('(ss)', (IFACE, prop)), None,
                                        Gio.DBusCallFlags.NONE, -1, None)
        return reply.unpack()[0]

    def get_all(self):
        reply = self.bus.conn.call_sync(BUS_NAME, OBJECT_PATH, 'org.freedesktop.DBus.Properties',
                                        'GetAll', GLib.Variant('(s)', (IFACE,)), None,
                                        Gio.DBusCallFlags.NONE, -1, None)
        return reply.unpack()[0]

    def wait_prop(self, prop, value, timeout=10):
        """Waits until @prop equals @value (or value(prop) is true when callable)."""
        end = time.monotonic() + timeout * SLOW
        current = None
        while time.monotonic() < end:
            current = self.get(prop)
            if (value(current) if callable(value) else current == value):
                return current
            pump(0.02)
        raise AssertionError('%s stayed %r, wanted %r\n--- daemon log ---\n%s'
                             % (prop, current, value, self.log()[-4000:]))


class DaemonTestCase(unittest.TestCase):
    """Each test: a fresh bus, sim, state dir and daemon."""

    config = {}           # {'session': {'heartbeat-interval': 1}, ...}
    start_daemon = True
    sim_args = ()

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='obico-test-')
        self.state_dir = os.path.join(self.tmp, 'state')
        os.mkdir(self.state_dir, 0o700)
        self.config_path = os.path.join(self.tmp, 'obico-connect.conf')
        self.sim = Sim(extra_args=self.sim_args)
        self.sim.start()
        self.write_config(self.config)
        self.bus = PrivateBus()
        self.daemon = Daemon(self.bus, self.state_dir, self.config_path,
                             extra_args=self.daemon_args())
        if self.start_daemon:
            self.daemon.start()

    def daemon_args(self):
        # No official agent of this machine may turn a test into a watch-role test.
        return ['--agent-settings', '']

    def write_config(self, config):
        merged = {'server': {'url': self.sim.url, 'timeout': 3}}
        for group, keys in config.items():
            merged.setdefault(group, {}).update(keys)
        with open(self.config_path, 'w') as f:
            for group, keys in merged.items():
                f.write('[%s]\n' % group)
                for k, v in keys.items():
                    f.write('%s=%s\n' % (k, v))

    def tearDown(self):
        code = self.daemon.stop()
        log = self.daemon.log()
        self.bus.close()
        self.sim.close()
        failed = any(err for _, err in (self._outcome.errors if hasattr(self._outcome, 'errors') else []))
        if not failed:
            shutil.rmtree(self.tmp, ignore_errors=True)
        # Sanitizer and GLib criticals are failures wherever they happen.
        for bad in ('CRITICAL', 'ERROR: AddressSanitizer', 'runtime error:', 'LeakSanitizer'):
            self.assertNotIn(bad, log, 'daemon log has %s:\n%s' % (bad, log[-4000:]))
        if code not in (0, None, -9):
            self.fail('obico-connectd exited with %s:\n%s' % (code, log[-4000:]))

    # helpers ---------------------------------------------------------
    def link(self, name='Test Printer'):
        code = self.sim.new_code(name=name)
        return self.daemon.call('Link', 's', code)

    def assertDBusError(self, short_name, method, signature=None, *args):
        with self.assertRaises(DBusError) as cm:
            self.daemon.call(method, signature, *args)
        self.assertEqual(cm.exception.short, short_name, cm.exception)
        self.assertTrue(len(cm.exception.message) > 20, 'error sentence too short: %r' % cm.exception.message)
        return cm.exception


def main():
    """Runs the calling module's tests (as unittest.main, test names may be
    given on the command line) and exits 0 only if every test ran and passed.

    Every Python test goes through here.  A skipped test is a failure,
    always, not only in CI: a test that did not run says nothing, and a run
    that skipped must not look green.  So are an expected failure, an
    unexpected success and a run in which no test ran at all.
    """
    prog = unittest.main(verbosity=2, exit=False)
    result = prog.result
    problems = []
    if result.skipped:
        problems.append('%d test(s) skipped: %s' % (
            len(result.skipped), '; '.join('%s (%s)' % (t.id(), why) for t, why in result.skipped)))
    if result.expectedFailures:
        problems.append('%d expected failure(s)' % len(result.expectedFailures))
    if result.testsRun == 0:
        problems.append('no test ran')
    for problem in problems:
        print('FAIL: ' + problem, file=sys.stderr)
    raise SystemExit(0 if result.wasSuccessful() and not problems else 1)


def assert_only_agents_sockets(case, connections, agents, what='credentials'):
    """Every WebSocket the sim accepted with @what is a fake official agent's, never
    the daemon's: none carries the daemon's User-Agent, and there are as many as the
    agents opened — or one more per agent, whose handshake the sim finished before
    the agent's own log line said so (a reconnect at the test's end)."""
    ours = [c for c in connections if (c.get('user_agent') or '').startswith('obico-connect/')]
    case.assertEqual(ours, [], 'the daemon opened a WebSocket with ' + what)
    opened = sum(a.log.count('connected') for a in agents)
    case.assertGreaterEqual(len(connections), opened, 'an agent\'s WebSocket the sim did not see')
    case.assertLessEqual(len(connections), opened + len(agents),
                         'a WebSocket with %s that is not the agent\'s' % what)
