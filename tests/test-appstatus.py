#!/usr/bin/python3
"""AppStatus — whether the Obico app shows the printer online — against obico-sim's truth
(the server's status rule: a status with _ts within 120 s, the socket open).

In the watch role the real daemon infers it from the kernel's view of a fake official
agent's own connection (tests/fakeagent.py: a real WebSocket client with the printer's token,
in a process of its own) as it reports, only keeps alive, disconnects and stops; the daemon
samples every 10 s. In the agent role it is the daemon's own session. The daemon itself never
opens a WebSocket with the agent's token: every socket with credentials is the fake agent's."""
import http.client
import json
import time

from harness import DaemonTestCase, main, pump, SLOW
from watchcase import WatchTestCase

SAMPLE = 10            # the daemon's sampling interval, s
SLACK = 2 * SLOW       # a loaded machine's scheduling
GONE = 1 + SLACK       # a vanished connection: the kernel's notice, then one sample


class Timeline:
    """The daemon's AppStatus and the sim's app_status, polled side by side (wall clock).

    The sim is asked on another of its addresses (127.0.0.2, the agent's server is
    127.0.0.1): this process runs as the agent's user, and its questions every 0.2 s to the
    agent's server would be taken for the agent's statuses, as a browser showing the Obico app
    on the printer's host would be (a limit of telling the agent's connection by its user)."""

    def __init__(self, test):
        self.test = test
        self.daemon = []     # (time, value) at each change seen
        self.sim = []
        self.conn = http.client.HTTPConnection('127.0.0.2', test.sim.port, timeout=10)
        test.addCleanup(self.conn.close)

    def sim_app_status(self):
        self.conn.request('GET', '/_sim/printers')
        resp = self.conn.getresponse()
        printers = json.loads(resp.read())
        return next(p for p in printers if p['id'] == self.test.printer['id'])['app_status']

    def poll(self):
        now = time.time()
        d = self.test.daemon.get('AppStatus')
        s = self.sim_app_status()
        for series, value in ((self.daemon, d), (self.sim, s)):
            if not series or series[-1][1] != value:
                series.append((now, value))
        return d, s

    def wait(self, daemon=None, sim=None, timeout=30):
        end = time.monotonic() + timeout * SLOW
        while True:
            d, s = self.poll()
            if (daemon is None or d == daemon) and (sim is None or s == sim):
                return
            if time.monotonic() > end:
                self.test.fail('AppStatus %r and the sim %r, wanted %r and %r\n%s\n--- daemon log ---\n%s'
                               % (d, s, daemon, sim, self, self.test.daemon.log()[-3000:]))
            pump(0.2)

    def since(self, series, value):
        """When @series last became @value."""
        return next(t for t, v in reversed(series) if v == value)

    def __str__(self):
        return 'daemon %r\nsim %r' % (self.daemon, self.sim)


class WatchRole(WatchTestCase):
    config = {'server': {'timeout': 2}}
    # obico-sim listens on every address: reached on 127.0.0.1 by the agent, 127.0.0.2 by the Timeline

    def setUp(self):
        super().setUp()
        self.daemon.start()
        self.daemon.wait_prop('Role', 'watch')
        self.timeline = Timeline(self)

    def assertFollowed(self, value, what, within=SAMPLE + SLACK):
        """The sim changes first; the daemon follows within one sample (a new connection is
        seen at the next one), or at once when the kernel tells that a socket went away."""
        self.timeline.wait(sim=value)
        self.timeline.wait(daemon=value, sim=value, timeout=SAMPLE + SLACK + 5)
        lag = self.timeline.since(self.timeline.daemon, value) - self.timeline.since(self.timeline.sim, value)
        self.assertLessEqual(lag, within, '%s: %s after %.1f s\n%s' % (what, value, lag, self.timeline))
        print('%s: AppStatus %s %.1f s after the server' % (what, value, lag))
        return lag

    def test_connected_disconnected_stopped(self):
        # no agent yet: no connection
        self.timeline.wait(daemon='offline', sim='offline')
        agent = self.agent(interval=5)
        agent.wait_event('connected')
        self.assertFollowed('online', 'the agent connected and reports')
        time.sleep(SAMPLE + 1)
        self.assertEqual(self.timeline.poll(), ('online', 'online'))

        agent.set_mode('disconnected')
        self.assertFollowed('offline', 'its connection vanished', within=GONE)

        agent.set_mode('reporting')
        agent.wait_event('connected')
        self.assertFollowed('online', 'it connected again')

        agent.stop()
        self.assertFollowed('offline', 'it was stopped', within=GONE)

        agent = self.agent(interval=5)
        agent.wait_event('connected')
        self.assertFollowed('online', 'it was started again')
        agent.kill()
        self.assertFollowed('offline', 'it was killed', within=GONE)
        self.assertEqual(self.daemon.get('Role'), 'watch')

    def test_stuck_agent_lapses_with_the_server(self):
        """A stuck status loop (OctoPrint-Obico#247): connected, answering pings, no status.
        The app shows it offline 120 s after its last status; so does AppStatus, within 10 s."""
        agent = self.agent(interval=5)
        agent.wait_event('connected')
        self.assertFollowed('online', 'the agent connected and reports')
        agent.set_mode('keepalive')
        expires = self.sim.printer(self.printer['id'])['status_expires_t']
        self.assertIsNotNone(expires)
        # online all along while the server keeps the status
        while time.time() < expires - 2:
            self.assertEqual(self.timeline.poll(), ('online', 'online'), str(self.timeline))
            pump(0.5)
        self.timeline.wait(sim='offline', timeout=10)
        lapse = self.timeline.since(self.timeline.sim, 'offline')
        self.assertAlmostEqual(lapse, expires, delta=1)
        self.timeline.wait(daemon='offline', timeout=SAMPLE + SLACK + 5)
        went = self.timeline.since(self.timeline.daemon, 'offline')
        # never before the lapse (but for the time the status took from agent to server), within 10 s after
        self.assertGreater(went, lapse - 1, str(self.timeline))
        self.assertLess(went, lapse + SAMPLE, str(self.timeline))
        print('the stuck agent: AppStatus offline %.1f s after the server\'s status lapsed' % (went - lapse))
        conn = self.sim.ws_connections()[-1]
        self.assertIsNone(conn['t_close'])          # still connected
        self.assertGreaterEqual(conn['pongs'], 4)   # keepalives flowed all along

        agent.set_mode('reporting')
        agent.send_status()
        self.assertFollowed('online', 'it reports again')


class AgentRole(DaemonTestCase):
    config = {'session': {'heartbeat-interval': 5}}

    def test_the_daemon_knows(self):
        self.assertEqual(self.daemon.get('AppStatus'), 'unknown')   # unlinked: no printer
        self.link('Prusa')
        self.daemon.wait_prop('WebSocket', 'connected')
        self.assertEqual(self.daemon.get('AppStatus'), 'online')
        printer = self.sim.wait_for(lambda: [p for p in self.sim.printers() if p['app_status'] == 'online'])[0]
        self.assertEqual(printer['name'], 'Prusa')
        self.sim.scenario('down')
        self.daemon.wait_prop('AppStatus', 'offline')
        self.assertEqual(self.sim.printer(printer['id'])['app_status'], 'offline')
        self.sim.scenario('healthy')
        self.daemon.wait_prop('AppStatus', 'online', timeout=30)
        self.sim.wait_for(lambda: self.sim.printer(printer['id'])['app_status'] == 'online')
        self.daemon.call('Unlink')
        self.daemon.wait_prop('AppStatus', 'unknown')


if __name__ == '__main__':
    main()
