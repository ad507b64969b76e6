"""The fixture of the watch-role tests with fake official agents (test-agent.py,
test-appstatus.py): a printer on obico-sim (listening on every address, reached on
127.0.0.1), moonraker-obico's settings for it in a home of the test's (tests/agents/), the
daemon told to read them, fake agents (tests/fakeagent.py) that connect with its token, and
after each test the check that every WebSocket with credentials was a fake agent's and that
the token is in no line of the daemon's log.
"""
import os

from fakeagent import FakeAgent
from harness import DaemonTestCase, assert_only_agents_sockets

HERE = os.path.dirname(os.path.abspath(__file__))


class WatchTestCase(DaemonTestCase):
    start_daemon = False
    sim_args = ('--host', '0.0.0.0')
    log_lines = None          # the agent's log file's text; None: no log file

    def setUp(self):
        super().setUp()
        self.printer = self.sim.add_printer('Voron')
        self.server_url = 'http://127.0.0.1:%d' % self.sim.port
        home = os.path.join(self.tmp, 'home', 'pi', 'printer_data')
        os.makedirs(os.path.join(home, 'config'))
        os.makedirs(os.path.join(home, 'logs'))
        self.log = os.path.join(home, 'logs', 'moonraker-obico.log')
        if self.log_lines is not None:
            with open(self.log, 'w', encoding='utf-8') as f:
                f.write(self.log_lines)
        with open(os.path.join(HERE, 'agents', 'moonraker-obico.cfg'), encoding='utf-8') as f:
            text = (f.read().replace('@URL@', self.server_url).replace('@TOKEN@', self.printer['token'])
                    .replace('@LOG@', self.log))
        self.settings = os.path.join(home, 'config', 'moonraker-obico.cfg')
        with open(self.settings, 'w', encoding='utf-8') as f:
            f.write(text)
        self.agents = []
        self.daemon.extra_args = ['--agent-settings', self.settings]

    def agent(self, **kwargs):
        agent = FakeAgent('ws://127.0.0.1:%d/ws/dev/' % self.sim.port, self.printer['token'], **kwargs).start()
        self.agents.append(agent)
        self.addCleanup(agent.kill)
        return agent

    def tearDown(self):
        try:
            # every socket with the agent's token is one the fake agent opened, none the daemon's
            with_auth = [c for c in self.sim.ws_connections() if c.get('authorization')]
            assert_only_agents_sockets(self, with_auth, self.agents)
            self.assertNotIn(self.printer['token'], self.daemon.log())
        finally:
            super().tearDown()
