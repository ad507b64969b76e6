#!/usr/bin/python3
"""Power loss: SIGKILL of the daemon while link.conf is being written, 200 times in a row.

Each round starts the daemon on the state the last round left, checks that it took that
state as it is (no file moved aside, properties match the file), fires SetServerUrl,
SetDebugLogging and Link without waiting for the answers, and kills the daemon with SIGKILL
after a random 0.1 ms to 30 ms (log-uniform, so
the kills spread over the few milliseconds the three writes take); on a machine so loaded
that the three take longer, up to twice the time they took in a first, unkilled round.  link.conf must then be, byte for byte, one of the versions these
calls could have written in their order (or the one from before the round): never a part
of one.  No `.corrupt-*` file may appear.  g_file_set_contents_full() writes a temporary
`link.conf.XXXXXX` beside the file and renames it; a kill before the rename leaves it
behind.  Those leftovers are counted and must be ignored by the daemon (it only reads
link.conf); the figures are printed.

OBICO_POWERLOSS_SEED repeats a run; OBICO_POWERLOSS_ROUNDS changes the count.
"""
import math
import os
import random
import re
import time

import gi
gi.require_version('Gio', '2.0')
from gi.repository import Gio, GLib  # noqa: E402

from harness import BUS_NAME, OBJECT_PATH, IFACE, DaemonTestCase, main  # noqa: E402

ROUNDS = int(os.environ.get('OBICO_POWERLOSS_ROUNDS', '200'))
TEMP_NAME = re.compile(r'^link\.conf\.[A-Za-z0-9]{6}$')


def serialize(state):
    """link.conf as ocd_store_serialize() writes it (the same GKeyFile calls)."""
    kf = GLib.KeyFile.new()
    kf.set_comment(None, None,
                   ' obico-connectd state: written by the daemon, do not edit while it runs.\n'
                   ' It holds the printer\'s credentials: keep it private (mode 0600).')
    if state['url'] is not None:
        kf.set_string('server', 'url', state['url'])
    if state['token'] is not None:
        kf.set_string('link', 'token', state['token'])
        kf.set_int64('link', 'printer-id', state['printer_id'])
        kf.set_string('link', 'printer-name', state['printer_name'])
    kf.set_boolean('logging', 'debug', state['debug'])
    return kf.to_data()[0].encode()


def parse(data):
    kf = GLib.KeyFile.new()
    kf.load_from_data(data.decode(), len(data), GLib.KeyFileFlags.NONE)
    state = {'url': None, 'token': None, 'printer_id': -1, 'printer_name': '', 'debug': False}
    if kf.has_group('server'):
        state['url'] = kf.get_string('server', 'url')
    if kf.has_group('link'):
        state['token'] = kf.get_string('link', 'token')
        state['printer_id'] = kf.get_int64('link', 'printer-id')
        state['printer_name'] = kf.get_string('link', 'printer-name')
    state['debug'] = kf.get_boolean('logging', 'debug')
    return state


class PowerLoss(DaemonTestCase):
    start_daemon = False
    config = {'server': {'timeout': 3}}
    sim_args = ('--host', '0.0.0.0')       # 127.0.0.1, .2 and .3 reach the same sim

    def fire(self, method, signature, *args):
        self.bus.conn.call(BUS_NAME, OBJECT_PATH, IFACE, method, GLib.Variant(signature, args),
                           None, Gio.DBusCallFlags.NONE, 10000, None, None, None)

    def read(self):
        path = os.path.join(self.state_dir, 'link.conf')
        if not os.path.exists(path):
            return None
        with open(path, 'rb') as f:
            return f.read()

    def check_started_on(self, data):
        """The daemon just started took link.conf as it is."""
        aside = [n for n in os.listdir(self.state_dir) if '.corrupt-' in n]
        self.assertEqual(aside, [], 'link.conf was moved aside:\n' + self.daemon.log()[-3000:])
        self.assertEqual(self.read(), data, 'starting changed link.conf')
        if data is None:
            self.assertEqual(self.daemon.get('Role'), 'unlinked')
            return
        state = parse(data)
        self.assertEqual(self.daemon.get('DebugLogging'), state['debug'])
        self.assertEqual(self.daemon.get('ServerUrl'), state['url'] or self.sim.url)
        if state['token'] is not None:
            self.assertEqual(self.daemon.get('Role'), 'agent')
            self.assertEqual(self.daemon.get('PrinterId'), state['printer_id'])
            self.assertEqual(self.daemon.get('PrinterName'), state['printer_name'])

    def calibrate(self):
        '''How long the three calls take to reach link.conf here and now, in a
        round that is not killed (a loaded machine takes longer than 30 ms).'''
        self.daemon.start()
        code = self.sim.new_code(name='Calibration')
        start = time.monotonic()
        self.fire('SetServerUrl', '(s)', self.sim.url)
        self.fire('SetDebugLogging', '(b)', True)
        self.fire('Link', '(s)', code)
        deadline = start + 10
        while time.monotonic() < deadline:
            data = self.read()
            if data is not None and parse(data)['token'] is not None:
                break
            time.sleep(0.0005)
        elapsed = time.monotonic() - start
        self.assertIsNotNone(parse(self.read())['token'], 'Link did not write link.conf')
        self.daemon.kill()
        return elapsed

    def test_sigkill_while_writing(self):
        seed = int(os.environ.get('OBICO_POWERLOSS_SEED', str(int(time.time()))))
        rng = random.Random(seed)
        print('\n[powerloss] seed %d, %d rounds' % (seed, ROUNDS), flush=True)
        outcome = {'before': 0, 'url': 0, 'url+debug': 0, 'url+debug+link': 0}
        rounds_with_temp = 0
        temp_kinds = {'empty': 0, 'zeros': 0, 'partial': 0, 'whole': 0}
        temp_seen = set()
        start = time.monotonic()

        longest = max(0.0316, 2 * self.calibrate())
        print('[powerloss] kills after 0.1 ms to %.1f ms' % (longest * 1000), flush=True)

        for i in range(ROUNDS):
            before = self.read()
            prev = parse(before) if before is not None else {
                'url': None, 'token': None, 'printer_id': -1, 'printer_name': '', 'debug': False}
            temps_before = {n for n in os.listdir(self.state_dir) if TEMP_NAME.match(n)}

            self.daemon.start()
            self.check_started_on(before)
            # What a cut-short write left behind was never committed: gone at start.
            self.assertEqual([n for n in os.listdir(self.state_dir) if TEMP_NAME.match(n)], [])

            url = 'http://127.0.0.%d:%d' % (1 + i % 3, self.sim.port)
            debug = not prev['debug']
            name = 'Power %d' % i
            code = self.sim.new_code(name=name)
            self.fire('SetServerUrl', '(s)', url)
            self.fire('SetDebugLogging', '(b)', debug)
            self.fire('Link', '(s)', code)
            time.sleep(10 ** rng.uniform(-4, math.log10(longest)))     # log-uniform
            self.daemon.kill()          # SIGKILL

            # The versions the calls could have written, in their order.
            s1 = dict(prev, url=url)
            s2 = dict(s1, debug=debug)
            printer = next((p for p in self.sim.printers() if p['name'] == name), None)
            versions = [('before', before), ('url', serialize(s1)), ('url+debug', serialize(s2))]
            if printer is not None and printer.get('token'):
                s3 = dict(s2, token=printer['token'], printer_id=printer['id'], printer_name=name)
                versions.append(('url+debug+link', serialize(s3)))
            after = self.read()
            match = [label for label, data in versions if data == after]
            self.assertTrue(match, 'round %d (seed %d): link.conf is none of the versions written:'
                            '\n%r\nexpected one of:\n%s' % (i, seed, after, '\n'.join(
                                '%s: %r' % v for v in versions)))
            outcome[match[-1]] += 1

            names = os.listdir(self.state_dir)
            self.assertEqual([n for n in names if '.corrupt-' in n], [])
            temps = {n for n in names if TEMP_NAME.match(n)}
            if temps - temps_before:
                rounds_with_temp += 1
            temp_seen |= temps
            for n in temps - temps_before:
                # A leftover is a version being written, preallocated to its full length
                # (NUL bytes) and written up to some point.  It holds the token: 0600 too.
                path = os.path.join(self.state_dir, n)
                self.assertEqual(os.stat(path).st_mode & 0o777, 0o600, n)
                with open(path, 'rb') as f:
                    leftover = f.read()
                written = leftover.rstrip(b'\0')
                self.assertTrue(any(data is not None and len(leftover) <= len(data) and
                                    data.startswith(written) for _, data in versions),
                                (n, leftover))
                temp_kinds['empty' if not leftover else 'zeros' if not written else
                           'whole' if written in [d for _, d in versions] else 'partial'] += 1

        # The last state once more, on a daemon that is stopped the ordinary way.
        last = self.read()
        self.daemon.start()
        self.check_started_on(last)
        self.assertEqual(self.daemon.stop(), 0)
        modes = {oct(os.stat(os.path.join(self.state_dir, 'link.conf')).st_mode & 0o777)}
        self.assertEqual(modes, {'0o600'})
        print('[powerloss] %d rounds in %.0f s; link.conf after the kill: %s'
              % (ROUNDS, time.monotonic() - start,
                 ', '.join('%s %d' % kv for kv in outcome.items())))
        print('[powerloss] link.conf never partial, never moved aside; %d rounds left a temporary '
              'link.conf.XXXXXX behind (%s; %d files in the end), the daemon started past '
              'every one of them' % (rounds_with_temp, ', '.join('%s %d' % kv for kv in
                                                                 temp_kinds.items()),
                                     len(temp_seen)), flush=True)
        # The kills must really land among the writes, not only before or after them.
        self.assertGreater(outcome['before'] + outcome['url'] + outcome['url+debug'], 0, outcome)
        self.assertGreater(outcome['url+debug+link'], 0, outcome)


if __name__ == '__main__':
    main()
