"""Start and steer obico-sim, the simulated Obico server, from Python tests (stdlib only).

    with Sim() as sim:
        printer = sim.add_printer('Prusa MK3')
        sim.scenario('flaky', fail_percent=30)
        ...
        sim.wait_for(lambda: sim.ws_messages())

The binary comes from the OBICO_SIM environment variable unless given.
"""

import base64
import http.client
import json
import os
import shutil
import signal
import ssl
import subprocess
import tempfile
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))


class SimError(Exception):
    def __init__(self, status, body):
        super().__init__(f'obico-sim control API: HTTP {status}: {body}')
        self.status = status
        self.body = body


class Sim:
    def __init__(self, binary=None, port=0, tls=None, state_file=None, extra_args=()):
        """tls: None, True (make a throw-away self-signed certificate) or (cert_file, key_file).
        state_file: None keeps the printers in a temporary file, so restart() keeps them."""
        self.binary = binary or os.environ.get('OBICO_SIM')
        if not self.binary:
            raise RuntimeError('obico-sim binary unknown: pass binary= or set OBICO_SIM')
        self.port = port
        self.extra_args = list(extra_args)
        self.proc = None
        self.url = None
        self.host = None
        self._tmpdir = tempfile.mkdtemp(prefix='obico-sim-')
        self.state_file = state_file or os.path.join(self._tmpdir, 'state.json')
        if tls is True:
            tls = make_test_cert(self._tmpdir)
        self.tls = tls
        self._ssl = None
        if tls:
            self._ssl = ssl.create_default_context()
            self._ssl.check_hostname = False
            self._ssl.verify_mode = ssl.CERT_NONE

    # -- process --

    def start(self):
        args = [self.binary, '--port', str(self.port), '--state', self.state_file]
        if self.tls:
            args += ['--tls-cert', self.tls[0], '--tls-key', self.tls[1]]
        args += self.extra_args
        deadline = time.monotonic() + 10
        while True:
            self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                         text=True)
            line = self.proc.stdout.readline().strip()
            if line.startswith('obico-sim listening on '):
                break
            self.proc.wait()
            self.proc.stdout.close()
            # exit 3: the port is taken, as when restarting before the old socket is gone
            if self.proc.returncode != 3 or self.port == 0 or time.monotonic() > deadline:
                raise RuntimeError(f'obico-sim did not start (exit {self.proc.returncode})')
            time.sleep(0.1)
        self.url = line[len('obico-sim listening on '):]
        u = urllib.parse.urlsplit(self.url)
        self.port = u.port
        # --host 0.0.0.0 (or ::) listens everywhere; the control API is reached on loopback then
        self.host = '127.0.0.1' if u.hostname in ('0.0.0.0', '::') else u.hostname
        return self

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        self.proc = None

    def kill(self):
        """SIGKILL: the server process dies, its sockets are reset."""
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc.stdout.close()
            self.proc = None

    def restart(self):
        """Same port, same printers and tokens."""
        self.stop()
        return self.start()

    def pause(self):
        """SIGSTOP: a server that silently vanished (no answers, no resets)."""
        self.proc.send_signal(signal.SIGSTOP)

    def resume(self):
        self.proc.send_signal(signal.SIGCONT)

    def close(self):
        self.stop()
        shutil.rmtree(self._tmpdir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()

    # -- control API --

    @property
    def ws_url(self):
        return self.url.replace('http', 'ws', 1) + '/ws/dev/'

    def _call(self, method, path, body=None):
        return self._request(method, '/_sim/' + path, body)

    def _request(self, method, path, body=None):
        if self.tls:
            conn = http.client.HTTPSConnection(self.host, self.port, timeout=10, context=self._ssl)
        else:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
        try:
            data = json.dumps(body).encode() if body is not None else None
            headers = {'Content-Type': 'application/json'} if data is not None else {}
            conn.request(method, path, body=data, headers=headers)
            resp = conn.getresponse()
            text = resp.read().decode()
        finally:
            conn.close()
        if resp.status != 200:
            raise SimError(resp.status, text)
        return json.loads(text)

    def scenario(self, name, **params):
        return self._call('POST', 'scenario', dict(params, name=name))

    def current_scenario(self):
        return self._call('GET', 'scenario')

    def add_printer(self, name='Test Printer'):
        return self._call('POST', 'printers', {'name': name})

    def new_code(self, name='Test Printer', printer_id=None):
        body = {'name': name}
        if printer_id is not None:
            body['printer_id'] = printer_id
        return self._call('POST', 'codes', body)['code']

    def verify(self, code):
        """Links with @code through the protocol's own endpoint, as another
        agent (OctoPrint-Obico, moonraker-obico) would; returns the new token."""
        return self._request('POST', '/api/v1/octo/verify/?code=' + code)['printer']['auth_token']

    def revoke(self, printer_id, how='deleted'):
        return self._call('POST', 'revoke', {'printer_id': printer_id, 'how': how})

    def unarchive(self, printer_id):
        return self._call('POST', 'unarchive', {'printer_id': printer_id})

    def printers(self):
        return self._call('GET', 'printers')

    def printer(self, printer_id):
        return next(p for p in self.printers() if p['id'] == printer_id)

    def requests(self, path=None):
        reqs = self._call('GET', 'requests')
        return [r for r in reqs if path is None or r['path'] == path]

    def ws_messages(self):
        return self._call('GET', 'ws-messages')

    def ws_connections(self):
        return self._call('GET', 'ws-connections')

    def clock(self, skew):
        """Dates every Obico answer @skew seconds off (the server's clock is wrong, or this host's)."""
        return self._call('POST', 'clock', {'skew': skew})

    def clear(self):
        return self._call('POST', 'clear', {})

    def ws_close(self, code=1000, reason='', printer_id=None):
        body = {'code': code, 'reason': reason}
        if printer_id is not None:
            body['printer_id'] = printer_id
        return self._call('POST', 'ws/close', body)

    def ws_send(self, message, printer_id=None, raw=False):
        body = {'message': message, 'raw': raw}
        if printer_id is not None:
            body['printer_id'] = printer_id
        return self._call('POST', 'ws/send', body)

    def ws_send_text(self, text, printer_id=None):
        """Any text frame, JSON or not, as it is."""
        body = {'text': text}
        if printer_id is not None:
            body['printer_id'] = printer_id
        return self._call('POST', 'ws/send', body)

    def ws_send_binary(self, data, printer_id=None):
        body = {'binary_base64': base64.b64encode(data).decode()}
        if printer_id is not None:
            body['printer_id'] = printer_id
        return self._call('POST', 'ws/send', body)

    def ws_duplicate(self, printer_id):
        return self._call('POST', 'ws/duplicate', {'printer_id': printer_id})

    def wait_for(self, predicate, timeout=10.0, interval=0.05):
        """Polls predicate() until it returns something true, which is returned."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f'condition not met within {timeout} s')
            time.sleep(interval)


def make_test_cert(directory, name='sim'):
    """A self-signed certificate for 127.0.0.1/localhost; returns (cert_file, key_file)."""
    cert = os.path.join(directory, name + '.crt')
    key = os.path.join(directory, name + '.key')
    subprocess.run(['sh', os.path.join(HERE, 'gen-test-cert.sh'), cert, key], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return cert, key
