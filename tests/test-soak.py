#!/usr/bin/python3
"""Soak: 1000 server restarts and socket drops in a row against one daemon.

Phase 1, the daemon alone (about 40 s): obico-sim crash-loops (SIGKILL and a new process on
the same port every second) and every socket the daemon gets up is dropped at once.  Nobody
calls Reconnect(): the daemon's own backoff must hold: attempts per 1 s window are counted in
its log (every attempt, refused ones too) and at the sim.

Phase 2, the rest of the 1000 events: each one hits a live WebSocket: close 1000 (the server's
daily close), 1001 (going away), 1011 (server error), or SIGKILL + restart (a reset).  Every
second event a Reconnect() (what a person's button does) resets the backoff, else 1000 events
would take hours at 300 s apart; between two Reconnect() calls the natural backoff runs and
every scheduled delay is checked against min(2^(n-3), 300) × 0.5…1.5.

The daemon must stay up; its open file descriptors and RSS (/proc/PID) are taken at the start,
the middle and the end, and printed with their growth.
"""
import datetime
import os
import re
import time

from harness import DaemonTestCase, main, SLOW
from simctl import SimError

EVENTS = 1000
PHASE1_SECONDS = 40
KINDS = ('close-1000', 'close-1001', 'kill-restart', 'close-1011')
STORM_WINDOW_MAX = 4       # 0.125 + 0.25 + 0.5 s: at most 4 attempts fit in 1 s
LOG_TIME = re.compile(r'^\d{4}-\d\d-\d\d (\d\d):(\d\d):(\d\d)\.(\d{3}) ')


def resources(pid):
    fds = len(os.listdir('/proc/%d/fd' % pid))
    with open('/proc/%d/status' % pid) as f:
        rss = next(int(line.split()[1]) for line in f if line.startswith('VmRSS:'))
    return fds, rss


def max_in_window(times, window=1.0):
    times = sorted(times)
    best = j = 0
    for i, t in enumerate(times):
        while times[j] < t - window:
            j += 1
        best = max(best, i - j + 1)
    return best


class Soak(DaemonTestCase):
    config = {'server': {'timeout': 2},
              'session': {'heartbeat-interval': 1, 'dead-peer-timeout': 3},
              'report': {'window-hours': 0.01, 'unreliable-minutes': 0.6}}

    def setUp(self):
        super().setUp()
        self.printer_id, _ = self.link('Soak Printer')
        self.daemon.wait_prop('State', 'okay')
        self.pid = self.daemon.proc.pid
        self.sim_attempts = []        # wall-clock times of /ws/dev/ requests seen by the sim
        self.events = {k: 0 for k in KINDS}
        self.samples = []

    # -- helpers -----------------------------------------------------------------

    def harvest(self):
        """Moves the sim's record of WebSocket attempts here (a killed sim forgets it)."""
        try:
            self.sim_attempts += [r['t'] for r in self.sim.requests('/ws/dev/')]
            self.sim.clear()
        except (OSError, SimError):
            pass

    def kill_restart(self):
        self.harvest()
        self.sim.kill()
        self.sim.start()

    def sample(self, label):
        """fds and RSS once the daemon is settled: connected, okay, its HTTP checks done."""
        self.assertIsNone(self.daemon.proc.poll(), 'obico-connectd died:\n' + self.daemon.log()[-4000:])
        if self.daemon.get('WebSocket') != 'connected':
            self.daemon.call('Reconnect')
        self.assertTrue(self.connected(10 * SLOW))
        self.daemon.wait_prop('State', 'okay', timeout=60)
        time.sleep(1)
        fds, rss = resources(self.pid)
        self.samples.append((label, sum(self.events.values()), fds, rss))
        return fds, rss

    def connected(self, timeout):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.daemon.get('WebSocket') == 'connected':
                return True
            time.sleep(0.005)
        return False

    def log_lines(self):
        """(seconds since midnight, text) of every daemon log line, in order."""
        out = []
        for line in self.daemon.log().splitlines():
            m = LOG_TIME.match(line)
            if m:
                h, mi, s, ms = (int(x) for x in m.groups())
                out.append((h * 3600 + mi * 60 + s + ms / 1000, line[m.end():]))
        return out

    # -- the test ------------------------------------------------------------------

    def test_thousand_restarts_and_drops(self):
        started = time.monotonic()
        self.sample('start')

        # Phase 1: a crash-looping server, the daemon on its own.
        self.harvest()
        self.sim_attempts = []
        phase1_from = self.log_lines()[-1][0]
        self.daemon.call('Reconnect')
        end = time.monotonic() + PHASE1_SECONDS
        next_restart = time.monotonic() + 1
        phase1_events = 0
        while time.monotonic() < end:
            if self.daemon.get('WebSocket') == 'connected':
                try:
                    self.sim.ws_close(1011, 'soak')
                    self.events['close-1011'] += 1
                    phase1_events += 1
                except SimError:
                    pass
            if time.monotonic() >= next_restart:
                self.kill_restart()
                self.events['kill-restart'] += 1
                phase1_events += 1
                next_restart = time.monotonic() + 1
            time.sleep(0.02)
        self.harvest()
        lines = self.log_lines()
        attempts1 = [t for t, text in lines if t >= phase1_from and 'Connecting the WebSocket' in text]
        sim_attempts1 = list(self.sim_attempts)
        storm_daemon = max_in_window(attempts1)
        storm_sim = max_in_window(sim_attempts1)
        print('\n[soak] phase 1 (%d s, %d events, no Reconnect()): %d WebSocket attempts by the '
              'daemon, %d reached the sim; most in any 1 s: %d (daemon), %d (sim)'
              % (PHASE1_SECONDS, phase1_events, len(attempts1), len(sim_attempts1),
                 storm_daemon, storm_sim), flush=True)
        self.assertLessEqual(storm_daemon, STORM_WINDOW_MAX, attempts1)
        # 0.25 + 0.5 + 1 + 2 + 4 + 8 + 16 s at the least jitter (× 0.5): at most ~9 in 40 s.
        self.assertLessEqual(len(attempts1), 12, attempts1)
        self.sample('after phase 1')

        # Phase 2: each event on a live socket; Reconnect() every second event.
        deadline = started + min(270 * SLOW, 780)
        since_reconnect = 2
        i = 0
        total = sum(self.events.values())
        middle_at = total + (EVENTS - total) // 2
        while sum(self.events.values()) < EVENTS:
            self.assertLess(time.monotonic(), deadline,
                            'only %d events in %.0f s' % (sum(self.events.values()),
                                                          time.monotonic() - started))
            if since_reconnect >= 2:
                self.daemon.call('Reconnect')
                since_reconnect = 0
            if not self.connected(10 * SLOW):
                self.fail('no WebSocket 10 s after event %d:\n%s'
                          % (sum(self.events.values()), self.daemon.log()[-4000:]))
            kind = KINDS[i % len(KINDS)]
            i += 1
            if kind == 'kill-restart':
                self.kill_restart()
            else:
                try:
                    self.sim.ws_close(int(kind[-4:]), 'soak')
                except SimError:
                    continue      # the socket went between the check and the close
            self.events[kind] += 1
            since_reconnect += 1
            # The daemon notices before the next event.
            end = time.monotonic() + 5 * SLOW
            while self.daemon.get('WebSocket') == 'connected' and time.monotonic() < end:
                time.sleep(0.002)
            n = sum(self.events.values())
            if n == middle_at:
                self.sample('middle')
                since_reconnect = 2
            if n % 100 == 0:
                self.harvest()

        fds_end, rss_end = self.sample('end')
        self.harvest()

        # Every delay the daemon chose followed the formula, and it waited that long.
        lines = self.log_lines()
        schedule = []
        for k, (t, text) in enumerate(lines):
            m = re.search(r'Reconnecting in ([0-9.]+) s \(failure (\d+)\)', text)
            if not m:
                continue
            delay, n = float(m.group(1)), int(m.group(2))
            base = min(2 ** (n - 3), 300)
            self.assertGreaterEqual(delay, base * 0.5 - 0.05, text)
            self.assertLessEqual(delay, base * 1.5 + 0.05, text)
            nxt = next(((t2, x) for t2, x in lines[k + 1:]
                        if 'Connecting the WebSocket' in x or 'Reconnect requested' in x), None)
            if nxt and 'Connecting the WebSocket' in nxt[1]:
                waited = (nxt[0] - t) % 86400
                self.assertGreaterEqual(waited, delay - 0.06, (text, nxt))
                schedule.append((n, delay, waited))

        elapsed = time.monotonic() - started
        (_, _, fds0, rss0), mid = self.samples[0], [s for s in self.samples if s[0] == 'middle'][0]
        print('[soak] %d events in %.0f s: %s' % (sum(self.events.values()), elapsed,
                                                 ', '.join('%s %d' % kv for kv in self.events.items())))
        print('[soak] %d natural reconnects checked against the backoff formula; %d WebSocket '
              'attempts reached the sim in all' % (len(schedule), len(self.sim_attempts)))
        for label, n, fds, rss in self.samples:
            print('[soak] %-14s after %4d events: %3d fds, VmRSS %6d kB' % (label, n, fds, rss))
        print('[soak] growth start→end: %+d fds, %+d kB RSS; middle→end: %+d fds, %+d kB RSS'
              % (fds_end - fds0, rss_end - rss0, fds_end - mid[2], rss_end - mid[3]), flush=True)

        self.assertGreaterEqual(sum(self.events.values()), EVENTS)
        # Flat: a leak per event would show hundreds; the pool of idle HTTP connections
        # (libsoup keeps up to 4 per host) explains a few.
        self.assertLessEqual(fds_end - fds0, 3, self.samples)
        self.assertLessEqual(fds_end - mid[2], 3, self.samples)
        if 'ASAN_OPTIONS' not in os.environ:
            # Under AddressSanitizer freed memory waits in quarantine and RSS grows by design;
            # LeakSanitizer checks the daemon's exit instead (harness.py).
            self.assertLessEqual(rss_end - mid[3], 1024, self.samples)
            self.assertLessEqual(rss_end - rss0, 4096, self.samples)


if __name__ == '__main__':
    main()
