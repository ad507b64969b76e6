#!/usr/bin/python3
"""A small fake official agent (OctoPrint-Obico or moonraker-obico) as the server sees it.

It runs in a process of its own — a real WebSocket client with the agent's token, whose
connection the kernel shows as the process's own — so a test can find it with `ss`, stop it
or kill it as a service manager would. From a test:

    agent = FakeAgent(sim.ws_url, token, interval=2).start()   # connected and reporting
    agent.set_mode('keepalive')     # connected, answering the server's pings, no more statuses
    agent.set_mode('disconnected')  # running, its socket closed (with a close frame)
    agent.set_mode('reporting')     # connects again and reports
    agent.stop()                    # SIGTERM: closes its socket and exits, as a service stop does
    agent.kill()                    # SIGKILL: the kernel closes its socket

Its statuses are shaped and sized as OctoPrint-Obico's (docs/obico-protocol.md: `_ts`,
`current_print_ts`, `status.state`, temperatures; the first also carries `settings.agent`):
hundreds of bytes each, where a keepalive Pong is a few.

As a script (what FakeAgent runs): fakeagent.py --url URL [--mode M] [--interval S]
[--ping-interval S]; the token comes in the environment variable OBICO_FAKE_AGENT_TOKEN (not on
the command line, where every user's `ps` would read it). Commands on stdin, one a line:
`mode reporting|keepalive|disconnected`, `status` (send one now), `quit`. Events on stdout, one
a line: `connected`, `status N`, `closed CODE`, `disconnected`, `refused STATUS`, `mode M`.
"""

import argparse
import json
import os
import queue
import select
import signal
import struct
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import wsclient  # noqa: E402

MODES = ('reporting', 'keepalive', 'disconnected')


def octoprint_status(first):
    """A status as OctoPrint-Obico sends it for an idle printer (about 900 bytes of JSON)."""
    flags = {'operational': True, 'printing': False, 'cancelling': False, 'pausing': False,
             'resuming': False, 'finishing': False, 'closedOrError': False, 'error': False,
             'paused': False, 'ready': True, 'sdReady': False}
    msg = {
        'current_print_ts': -1,
        'status': {
            '_ts': time.time(),
            'state': {'text': 'Operational', 'flags': flags, 'error': ''},
            'job': {'file': {'name': None, 'path': None, 'display': None, 'origin': None, 'size': None,
                             'date': None},
                    'estimatedPrintTime': None, 'averagePrintTime': None, 'lastPrintTime': None,
                    'filament': None, 'user': None},
            'currentLayerHeight': None,
            'currentZ': None,
            'progress': {'completion': None, 'filepos': None, 'printTime': None, 'printTimeLeft': None,
                         'printTimeLeftOrigin': None},
            'temperatures': {'tool0': {'actual': 21.3, 'target': 0.0, 'offset': 0},
                             'bed': {'actual': 21.1, 'target': 0.0, 'offset': 0}},
            'temps': [],
        },
    }
    if first:
        msg['settings'] = {'agent': {'name': 'octoprint_obico', 'version': '2.5.0'},
                           'webcam': {'flipV': False, 'flipH': False, 'rotate90': False,
                                      'streamRatio': '16:9'}}
    return msg


class Agent:
    """The script's loop: one thread, select() on the socket and stdin."""

    def __init__(self, url, token, mode, interval, ping_interval):
        self.url = url
        self.token = token
        self.mode = mode
        self.interval = interval
        self.ping_interval = ping_interval
        self.ws = None
        self.sent = 0
        self.next_status = 0.0
        self.next_ping = 0.0
        self.next_connect = 0.0
        self.shared = False     # closed with 4321: official agents stop reconnecting
        self.stdin_buf = b''
        self.running = True

    def say(self, line):
        print(line, flush=True)

    def connect(self):
        try:
            self.ws = wsclient.connect(self.url, {'authorization': 'bearer ' + self.token})
        except wsclient.HandshakeError as e:
            self.say(f'refused {e.status}')
            self.next_connect = time.monotonic() + 1
            return
        except OSError:
            self.say('refused 0')
            self.next_connect = time.monotonic() + 1
            return
        self.say('connected')
        self.send_status(first=True)
        self.next_ping = time.monotonic() + (self.ping_interval or 0)

    def send_status(self, first=False):
        self.ws.send_json(octoprint_status(first))
        self.sent += 1
        self.next_status = time.monotonic() + self.interval
        self.say(f'status {self.sent}')

    def lost(self, code):
        if self.ws is not None:
            self.ws.sock.close()
        self.ws = None
        self.say(f'closed {code}')
        self.shared = code == 4321
        self.next_connect = time.monotonic() + 1

    def disconnect(self):
        if self.ws is not None:
            self.ws.close(1000)
            self.ws = None
            self.say('disconnected')

    def command(self, line):
        words = line.split()
        if words[:1] == ['mode'] and len(words) == 2 and words[1] in MODES:
            self.mode = words[1]
            self.shared = False
            if self.mode == 'disconnected':
                self.disconnect()
            self.say(f'mode {self.mode}')
        elif words == ['status'] and self.ws is not None:
            self.send_status()
        elif words == ['quit']:
            self.running = False

    def read_stdin(self):
        data = os.read(0, 4096)
        if not data:
            self.running = False
            return
        self.stdin_buf += data
        while b'\n' in self.stdin_buf:
            line, self.stdin_buf = self.stdin_buf.split(b'\n', 1)
            self.command(line.decode())

    def read_frame(self):
        """One frame (the server's are small and come whole): Pings answered, a close echoed."""
        try:
            opcode, payload = self.ws.recv_frame(timeout=5)
        except (ConnectionError, OSError):
            self.lost(1006)
            return
        if opcode == wsclient.OP_PING:
            self.ws.pings += 1
            self.ws.send_frame(wsclient.OP_PONG, payload)
        elif opcode == wsclient.OP_CLOSE:
            code = struct.unpack('!H', payload[:2])[0] if len(payload) >= 2 else 1005
            try:
                self.ws.send_frame(wsclient.OP_CLOSE, payload[:2])
            except OSError:
                pass
            self.lost(code)

    def step(self):
        now = time.monotonic()
        if self.ws is None and self.mode != 'disconnected' and not self.shared and now >= self.next_connect:
            self.connect()
        deadlines = [now + 1]
        if self.ws is not None and self.mode == 'reporting':
            deadlines.append(self.next_status)
        if self.ws is not None and self.ping_interval:
            deadlines.append(self.next_ping)
        timeout = max(min(deadlines) - time.monotonic(), 0)
        if self.ws is not None and self.ws.buf:
            timeout = 0     # a frame that came along with the handshake's answer
        fds = [0] + ([self.ws.sock] if self.ws is not None else [])
        readable, _, _ = select.select(fds, [], [], timeout)
        if 0 in readable:
            self.read_stdin()
        if self.ws is not None and (self.ws.sock in readable or self.ws.buf):
            self.read_frame()
        now = time.monotonic()
        if self.ws is not None and self.mode == 'reporting' and now >= self.next_status:
            self.send_status()
        if self.ws is not None and self.ping_interval and now >= self.next_ping:
            self.ws.ping()
            self.next_ping = now + self.ping_interval

    def run(self):
        signal.signal(signal.SIGTERM, lambda *_: setattr(self, 'running', False))
        self.say(f'mode {self.mode}')
        while self.running:
            try:
                self.step()
            except InterruptedError:
                pass
        self.disconnect()


class FakeAgent:
    """Starts and steers the script in a process of its own."""

    def __init__(self, ws_url, token, mode='reporting', interval=30.0, ping_interval=None, prefix=()):
        # @prefix: a command it runs under, e.g. `ip netns exec NS` for a network namespace
        self.args = list(prefix) + [sys.executable, os.path.abspath(__file__), '--url', ws_url, '--mode', mode,
                                    '--interval', str(interval)]
        if ping_interval:
            self.args += ['--ping-interval', str(ping_interval)]
        self.token = token
        self.proc = None
        self.events = queue.Queue()
        self.log = []           # every event line so far
        self._reader = None

    @property
    def pid(self):
        return self.proc.pid

    def start(self):
        env = dict(os.environ, OBICO_FAKE_AGENT_TOKEN=self.token)
        self.proc = subprocess.Popen(self.args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env,
                                     text=True, bufsize=1)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.wait_event('mode')
        return self

    def _read(self):
        for line in self.proc.stdout:
            line = line.strip()
            self.log.append(line)
            self.events.put(line)
        self.events.put(None)

    def wait_event(self, prefix, timeout=10.0):
        """The next event line starting with prefix (earlier other lines are passed over)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.events.get(timeout=max(deadline - time.monotonic(), 0.01))
            except queue.Empty:
                raise TimeoutError(f'fake agent: no "{prefix}" within {timeout} s (log: {self.log})')
            if line is None:
                raise RuntimeError(f'fake agent ended (log: {self.log})')
            if line.startswith(prefix):
                return line

    def send(self, command):
        self.proc.stdin.write(command + '\n')
        self.proc.stdin.flush()

    def set_mode(self, mode):
        self.send('mode ' + mode)
        self.wait_event('mode ' + mode)

    def send_status(self):
        self.send('status')
        return self.wait_event('status')

    def stop(self):
        """SIGTERM, as `systemctl stop` sends: the agent closes its socket and exits."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self._close()

    def kill(self):
        """SIGKILL: a crash; the kernel closes the socket without a WebSocket close frame."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self._close()

    def _close(self):
        if self.proc is not None:
            self.proc.stdin.close()
            self._reader.join(5)
            self.proc.stdout.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.kill()


def main():
    parser = argparse.ArgumentParser(description='A fake official Obico agent for tests.')
    parser.add_argument('--url', required=True, help='the server\'s ws://…/ws/dev/ address')
    parser.add_argument('--mode', choices=MODES, default='reporting')
    parser.add_argument('--interval', type=float, default=30.0, help='seconds between statuses')
    parser.add_argument('--ping-interval', type=float, default=None,
                        help='send a WebSocket ping every S seconds (as websocket-client\'s ping_interval)')
    args = parser.parse_args()
    token = os.environ.get('OBICO_FAKE_AGENT_TOKEN')
    if not token:
        parser.error('OBICO_FAKE_AGENT_TOKEN is not set')
    Agent(args.url, token, args.mode, args.interval, args.ping_interval).run()


if __name__ == '__main__':
    main()
