#!/usr/bin/python3
"""Diagnose() against obico-sim: the chain stops at the first failing layer,
names it, and offers the fixes of docs/guided-fixes.md for it.

Environment (set by tests/meson.build): OBICO_CONNECTD, OBICO_SIM.
"""
import json
import os
import socket
import subprocess
import sys
import threading
import time

from harness import SLOW, DaemonTestCase, Sim, main

LAYERS = ['host', 'resolve', 'connect', 'tls', 'server', 'credentials', 'websocket']
TIMEOUT = 3  # the [server] timeout the harness writes


def free_port():
    """A local TCP port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


CA_CONFIG = """[ca]
default_ca = test
[test]
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = anything
copy_extensions = copy
unique_subject = no
[anything]
commonName = supplied
"""


def make_dated_cert(directory, start, end):
    """A self-signed certificate for 127.0.0.1 valid from @start to @end
    (YYYYMMDDHHMMSSZ), with openssl alone; returns (cert_file, key_file)."""
    os.makedirs(directory)
    with open(os.path.join(directory, 'ca.cnf'), 'w') as f:
        f.write(CA_CONFIG)
    open(os.path.join(directory, 'index.txt'), 'w').close()
    with open(os.path.join(directory, 'serial'), 'w') as f:
        f.write('01\n')
    run = dict(cwd=directory, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    subprocess.run(['openssl', 'req', '-new', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost',
                    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
                    '-keyout', 'key.pem', '-out', 'req.csr'], **run)
    subprocess.run(['openssl', 'ca', '-batch', '-config', 'ca.cnf', '-selfsign', '-keyfile', 'key.pem',
                    '-in', 'req.csr', '-startdate', start, '-enddate', end, '-out', 'cert.pem'], **run)
    return os.path.join(directory, 'cert.pem'), os.path.join(directory, 'key.pem')


class DiagnoseTestCase(DaemonTestCase):

    def diagnose(self):
        started = time.monotonic()
        problem, fixes, steps = self.daemon.call('Diagnose')
        self.elapsed = time.monotonic() - started
        for step in steps:
            for key, kind in (('name', str), ('ok', bool), ('elapsed_ms', float), ('detail', str)):
                self.assertIsInstance(step.get(key), kind, '%s of %r' % (key, step))
            self.assertGreaterEqual(step['elapsed_ms'], 0)
            self.assertTrue(step['detail'][-1:] in ('.', '?'), 'detail is not a sentence: %r' % step)
        return problem, fixes, steps

    def diagnose_all_ok(self):
        """Diagnose: every layer ran and passed, no problem; returns the steps."""
        problem, fixes, steps = self.diagnose()
        self.assertEqual(problem, '')
        self.assertEqual(fixes, ['undetected', 'debug-logging', 'get-help'])
        self.assertEqual([s['name'] for s in steps], LAYERS)
        self.assertTrue(all(s['ok'] for s in steps), steps)
        return steps

    def assertStopsAt(self, steps, layer):
        """Every layer before @layer ran and passed, @layer failed, nothing after ran."""
        names = [s['name'] for s in steps]
        self.assertEqual(names, LAYERS[:LAYERS.index(layer) + 1], steps)
        self.assertTrue(all(s['ok'] for s in steps[:-1]), steps)
        self.assertFalse(steps[-1]['ok'], steps)
        return steps[-1]

    def set_url(self, url):
        self.daemon.call('SetServerUrl', 's', url)

    def assertAnonymousUpgrade(self):
        """Diagnose's own upgrade came, without credentials.  (In the agent
        role the daemon's session may also knock, with its own token.)"""
        anonymous = [r for r in self.sim.requests('/ws/dev/')
                     if 'authorization' not in r['headers']]
        self.assertTrue(anonymous, self.sim.requests('/ws/dev/'))


class TestDiagnose(DiagnoseTestCase):

    def test_all_ok(self):
        printer_id, _ = self.link()
        self.daemon.wait_prop('State', 'okay', timeout=15)
        self.sim.clear()
        steps = self.diagnose_all_ok()
        host, resolve, connect, tls, server, credentials, websocket = steps
        self.assertEqual(resolve['addresses'], ['127.0.0.1'])
        self.assertEqual(connect['address'], '127.0.0.1:%d' % self.sim.port)
        self.assertIn('http', tls['detail'])
        self.assertEqual(server['http_status'], 200)
        self.assertEqual(credentials['http_status'], 200)
        self.assertEqual(websocket['http_status'], 403)
        # The check is anonymous: the daemon's own session stays up, no 4321.
        self.assertAnonymousUpgrade()
        for c in self.sim.ws_connections():
            self.assertIsNone(c['close_code'], c)
        self.assertEqual(self.daemon.get('State'), 'okay')

    def test_upgrade_without_credentials_accepted(self):
        # The WebSocket path is open even if what answers there accepts an
        # upgrade without credentials (obico-server refuses it with 403): the
        # same verdict as the watch role's check (test-watch.py).
        printer_id, _ = self.link()
        self.daemon.wait_prop('State', 'okay', timeout=15)
        self.sim.scenario('ws-open')
        self.sim.clear()
        steps = self.diagnose_all_ok()
        self.assertEqual(steps[-1]['http_status'], 101)
        self.assertIn('without credentials', steps[-1]['detail'])
        self.assertAnonymousUpgrade()
        # The anonymous socket is left at once; the printer's own stays up.
        conns = self.sim.ws_connections()
        self.assertEqual(sorted(c['printer_id'] for c in conns), [0, printer_id], conns)
        self.assertEqual(self.daemon.get('State'), 'okay')

    def test_name_does_not_resolve(self):
        self.set_url('http://nonexistent.invalid')
        problem, fixes, steps = self.diagnose()
        step = self.assertStopsAt(steps, 'resolve')
        self.assertEqual(problem, 'server-address')
        self.assertEqual(fixes, ['server-address', 'internet', 'get-help'])
        self.assertIn('nonexistent.invalid', step['detail'])
        self.assertEqual(step['addresses'], [])

    def test_connection_refused(self):
        port = free_port()
        self.set_url('http://127.0.0.1:%d' % port)
        problem, fixes, steps = self.diagnose()
        step = self.assertStopsAt(steps, 'connect')
        self.assertEqual(problem, 'server-address')
        self.assertEqual(fixes[0], 'server-address')
        self.assertEqual(fixes[-1], 'get-help')
        self.assertEqual(steps[1]['addresses'], ['127.0.0.1'])
        self.assertEqual(step['address'], '127.0.0.1:%d' % port)
        self.assertIn(str(port), step['detail'])

    def test_self_signed_certificate(self):
        step = self.diagnose_tls(True)
        self.assertIn('unknown-ca', step['tls_errors'])
        self.assertIn('self-signed', step['verification'])
        self.assertIn('self-signed', step['detail'])
        self.assertIn('localhost', step['issuer'])
        # gen-test-cert.sh makes certificates valid for two days
        now_us = time.time() * 1e6
        self.assertGreater(step['expires'], now_us)
        self.assertLess(step['expires'], now_us + 3 * 86400e6)
        self.assertTrue(step['clock_plausible'])

    def diagnose_tls(self, tls):
        tls_sim = Sim(tls=tls)
        tls_sim.start()
        try:
            self.set_url(tls_sim.url.replace('http://', 'https://'))
            problem, fixes, steps = self.diagnose()
        finally:
            tls_sim.close()
        step = self.assertStopsAt(steps, 'tls')
        self.assertEqual(problem, 'tls')
        self.assertEqual(fixes, ['tls', 'get-help'])
        return step

    def test_expired_certificate(self):
        step = self.diagnose_tls(make_dated_cert(os.path.join(self.tmp, 'past'),
                                                 '20200101000000Z', '20210101000000Z'))
        self.assertIn('expired', step['tls_errors'])
        self.assertIn('expired', step['detail'])
        self.assertEqual(step['expires'], 1609459200 * 1000000)
        # The clock is after this build's date, so it is not the suspect.
        self.assertTrue(step['clock_plausible'])

    def test_certificate_not_valid_yet(self):
        # What a Pi without a real-time clock sees, booted in the past.
        step = self.diagnose_tls(make_dated_cert(os.path.join(self.tmp, 'future'),
                                                 '20990101000000Z', '21000101000000Z'))
        self.assertIn('not-activated', step['tls_errors'])
        self.assertFalse(step['clock_plausible'])
        self.assertIn('clock', step['detail'])

    def test_https_to_plain_http_server(self):
        self.set_url('https://127.0.0.1:%d' % self.sim.port)
        problem, fixes, steps = self.diagnose()
        step = self.assertStopsAt(steps, 'tls')
        self.assertEqual(problem, 'server-address')
        self.assertEqual(fixes[0], 'server-address')
        self.assertIn('http://', step['detail'])
        self.assertLess(self.elapsed, (TIMEOUT + 2) * SLOW)

    def test_odd_health_check_is_a_detail(self):
        """/hc/'s "Okay" is known only of the open-source server: another
        answer is told in the server step, and the printer endpoint decides."""
        self.link()
        for scenario, status in (('hc-500', 500), ('hc-odd', 200)):
            with self.subTest(scenario=scenario):
                self.sim.scenario(scenario)
                problem, fixes, steps = self.diagnose()
                self.assertEqual(problem, '', steps)
                self.assertEqual([s['name'] for s in steps], LAYERS)
                self.assertTrue(all(s['ok'] for s in steps), steps)
                server = steps[4]
                self.assertEqual(server['http_status'], status)
                self.assertIn('/hc/ answered %d' % status, server['detail'])
                self.assertIn('printer endpoint', server['detail'])
                self.assertEqual(steps[5]['http_status'], 200)

    def test_odd_health_check_unlinked(self):
        self.sim.scenario('hc-odd')
        problem, fixes, steps = self.diagnose()
        step = self.assertStopsAt(steps, 'credentials')
        self.assertEqual(problem, 'not-linked')
        self.assertTrue(steps[4]['ok'])
        self.assertEqual(step['http_status'], 401)

    def test_server_error(self):
        """A 5xx from the printer endpoint: reached, and failing."""
        self.link()
        for status in (502, 503):
            with self.subTest(status=status):
                self.sim.scenario('server-error', status=status)
                problem, fixes, steps = self.diagnose()
                step = self.assertStopsAt(steps, 'credentials')
                self.assertEqual(problem, 'server-error')
                self.assertEqual(fixes, ['server-error', 'get-help'])
                self.assertEqual(step['http_status'], status)
                self.assertIn('reached but failed', step['detail'])
                self.assertIn(str(status), step['detail'])

    def test_maintenance(self):
        """Every path 503 (the cloud's load balancer): /hc/ shows the server
        there, the printer endpoint shows it failing."""
        self.link()
        self.sim.scenario('maintenance')
        problem, fixes, steps = self.diagnose()
        step = self.assertStopsAt(steps, 'credentials')
        self.assertEqual(problem, 'server-error')
        self.assertEqual(fixes[0], 'server-error')
        self.assertEqual(steps[4]['http_status'], 503)
        self.assertEqual(step['http_status'], 503)

    def test_server_error_unlinked(self):
        self.sim.scenario('maintenance', status=502)
        problem, fixes, steps = self.diagnose()
        step = self.assertStopsAt(steps, 'credentials')
        self.assertEqual(problem, 'server-error')
        self.assertEqual(step['http_status'], 502)

    def test_not_an_obico_server(self):
        # Unlinked: the printer endpoint, asked without credentials, answers
        # a web page instead of Obico's 401.
        self.sim.scenario('not-obico')
        problem, fixes, steps = self.diagnose()
        step = self.assertStopsAt(steps, 'credentials')
        self.assertEqual(problem, 'not-obico-server')
        self.assertEqual(fixes[0], 'not-obico-server')
        self.assertEqual(step['http_status'], 200)
        asked = self.sim.requests('/api/v1/octo/printer/')
        self.assertEqual(len(asked), 1)
        self.assertNotIn('authorization', asked[0]['headers'])

    def test_not_an_obico_server_linked(self):
        self.link()
        self.sim.scenario('not-obico')
        problem, fixes, steps = self.diagnose()
        step = self.assertStopsAt(steps, 'credentials')
        self.assertEqual(problem, 'not-obico-server')
        self.assertIn('text/html', step['detail'])

    def test_not_linked(self):
        problem, fixes, steps = self.diagnose()
        step = self.assertStopsAt(steps, 'credentials')
        self.assertEqual(problem, 'not-linked')
        self.assertEqual(fixes[0], 'not-linked')
        # Asked without credentials, the server refused as Obico does.
        self.assertEqual(step['http_status'], 401)
        self.assertIn('as an Obico server does', step['detail'])

    def test_revoked_credentials(self):
        printer_id, _ = self.link()
        self.sim.revoke(printer_id, 'deleted')
        problem, fixes, steps = self.diagnose()
        step = self.assertStopsAt(steps, 'credentials')
        self.assertEqual(problem, 'invalid-credentials')
        self.assertEqual(fixes, ['invalid-credentials', 'relink', 'unarchive',
                                 'shared-credentials', 'get-help'])
        self.assertEqual(step['http_status'], 401)

    def test_printer_without_id(self):
        self.link()
        self.sim.scenario('printer-no-id')
        problem, fixes, steps = self.diagnose()
        self.assertStopsAt(steps, 'credentials')
        self.assertEqual(problem, 'not-obico-server')

    def test_websocket_blocked(self):
        self.link()
        for status in (400, 502):
            with self.subTest(status=status):
                self.sim.scenario('ws-blocked', ws_status=status)
                self.sim.clear()
                problem, fixes, steps = self.diagnose()
                step = self.assertStopsAt(steps, 'websocket')
                self.assertEqual(problem, 'websocket-blocked')
                self.assertEqual(fixes, ['websocket-blocked', 'get-help'])
                self.assertEqual(step['http_status'], status)
                self.assertIn(str(status), step['detail'])
                self.assertAnonymousUpgrade()

    def test_silent_server_bounded_by_timeout(self):
        # Stopped, the sim's socket still completes TCP handshakes (the
        # backlog) but never answers: the server layer times out.
        self.sim.pause()
        problem, fixes, steps = self.diagnose()
        step = self.assertStopsAt(steps, 'server')
        self.assertEqual(problem, 'internet')
        self.assertGreaterEqual(step['elapsed_ms'], TIMEOUT * 1000 * 0.9)
        self.assertLess(self.elapsed, (TIMEOUT + 2) * SLOW)

    def test_server_down(self):
        self.sim.scenario('down')
        problem, fixes, steps = self.diagnose()
        self.assertStopsAt(steps, 'server')
        self.assertEqual(problem, 'internet')


class Proxy:
    """tests/proxy.py, a real HTTP proxy, and what went through it."""

    def __init__(self, mode='pass', user=None):
        self.proc = subprocess.Popen([sys.executable, os.path.join(os.path.dirname(__file__), 'proxy.py'),
                                      '--mode', mode] + (['--user', user] if user else []), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, bufsize=1)
        line = self.proc.stdout.readline()
        if not line.startswith('proxy listening on '):
            raise RuntimeError('proxy.py did not start: %r' % line)
        self.port = int(line.split()[-1])
        self.url = 'http://127.0.0.1:%d' % self.port
        self.lines = []
        self._changed = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            with self._changed:
                self.lines.append(json.loads(line))
                self._changed.notify_all()

    def mode(self, mode):
        with self._changed:
            self.proc.stdin.write('mode %s\n' % mode)
            self.proc.stdin.flush()
            self._changed.wait_for(lambda: any(r.get('mode') == mode for r in self.lines), 5)

    def requests(self):
        with self._changed:
            return [r for r in self.lines if 'method' in r]

    def close(self):
        self.proc.kill()
        self.proc.wait()
        self.proc.stdin.close()
        self.proc.stdout.close()


class TestDiagnoseProxy(DiagnoseTestCase):
    """A proxy configured for the host ([server] proxy, or the environment) is honoured for
    REST and the WebSocket, Diagnose goes through it, and one that passes HTTP but not the
    WebSocket upgrade is the problem proxy."""
    start_daemon = False

    def setUp(self):
        super().setUp()
        self.proxy = Proxy()
        self.addCleanup(self.proxy.close)
        # With credentials, which must show nowhere.
        self.proxy_url = self.proxy.url.replace('http://', 'http://printer:s3cret@')
        self.write_config({'server': {'proxy': self.proxy_url}})

    def via_proxy(self, path):
        """The sim's wire record of @path: every request came with the proxy's Via header."""
        reqs = self.sim.requests(path)
        self.assertTrue(reqs, path)
        for r in reqs:
            self.assertEqual(r['headers'].get('via'), '1.1 obico-test-proxy', r)
        return reqs

    def test_rest_and_websocket_through_the_proxy(self):
        self.daemon.start()
        self.link()
        self.daemon.wait_prop('State', 'okay', timeout=15)
        self.assertEqual(self.daemon.get('Host')['proxy'], self.proxy.url)
        self.via_proxy('/api/v1/octo/printer/')
        upgrades = [r for r in self.via_proxy('/ws/dev/') if r['websocket']]
        self.assertTrue(upgrades)
        self.assertTrue(any(r['websocket'] and not r['refused'] for r in self.proxy.requests()),
                        self.proxy.requests())

        self.sim.clear()
        problem, fixes, steps = self.diagnose()
        self.assertEqual(problem, '', steps)
        self.assertEqual([s['name'] for s in steps], LAYERS)
        self.assertTrue(all(s['ok'] for s in steps), steps)
        host, resolve, connect = steps[:3]
        self.assertIn('proxy %s' % self.proxy.url, host['detail'])
        self.assertEqual(resolve['addresses'], ['127.0.0.1'])
        self.assertEqual(connect['address'], '127.0.0.1:%d' % self.proxy.port)
        self.assertIn('proxy', connect['detail'])
        self.via_proxy('/hc/')
        self.via_proxy('/ws/dev/')
        # Through a proxy, the route to the server itself is not known.
        self.assertNotIn('ipv4', self.daemon.get('Host'))
        for secret in ('s3cret', 'printer:'):
            self.assertNotIn(secret, self.daemon.log())
            self.assertNotIn(secret, json.dumps(steps))
            self.assertNotIn(secret, json.dumps(self.daemon.call('GetReport'), default=str))

    def test_proxy_without_websocket(self):
        self.daemon.start()
        self.link()
        self.daemon.wait_prop('State', 'okay', timeout=15)
        self.proxy.mode('no-websocket')
        problem, fixes, steps = self.diagnose()
        step = self.assertStopsAt(steps, 'websocket')
        self.assertEqual(problem, 'proxy')
        self.assertEqual(fixes, ['proxy', 'websocket-blocked', 'get-help'])
        self.assertIn(self.proxy.url, step['detail'])
        self.assertEqual(step['http_status'], 502)
        # HTTP came through it just now, the upgrade did not.
        self.via_proxy('/api/v1/octo/printer/')
        self.assertTrue(any(r['websocket'] and r['refused'] for r in self.proxy.requests()))
        # The printer's own session: reconnecting, it is refused too, and State names the proxy.
        self.daemon.call('Reconnect')
        self.daemon.wait_prop('Problem', 'proxy', timeout=20)
        self.assertEqual(self.daemon.get('State'), 'disconnected')
        self.assertIn(self.proxy.url, self.daemon.get('ProblemDetail'))

        self.proxy.mode('pass')
        self.daemon.call('Reconnect')
        self.daemon.wait_prop('State', 'okay', timeout=20)

    def test_https_through_a_tunnel(self):
        """An https:// server is reached by CONNECT; a proxy that refuses it is the problem."""
        tls_sim = Sim(tls=True)
        tls_sim.start()
        self.addCleanup(tls_sim.close)
        self.daemon.start()
        url = tls_sim.url.replace('http://', 'https://')
        self.set_url(url)
        problem, fixes, steps = self.diagnose()
        # The tunnel works; the sim's certificate is self-signed, which TLS then tells.
        step = self.assertStopsAt(steps, 'tls')
        self.assertEqual(problem, 'tls')
        self.assertIn('opened a connection to 127.0.0.1 on port %d' % tls_sim.port, steps[2]['detail'])
        self.assertIn('self-signed', step['detail'])
        self.assertIn({'method': 'CONNECT', 'target': '127.0.0.1:%d' % tls_sim.port, 'websocket': False,
                       'refused': False, 'auth': True}, self.proxy.requests())   # the URI's, at once

        self.proxy.mode('no-connect')
        problem, fixes, steps = self.diagnose()
        step = self.assertStopsAt(steps, 'connect')
        self.assertEqual(problem, 'proxy')
        self.assertEqual(fixes[0], 'proxy')
        self.assertIn('403', step['detail'])

    def test_proxy_unreachable(self):
        self.write_config({'server': {'proxy': 'http://127.0.0.1:%d' % free_port()}})
        self.daemon.start()
        problem, fixes, steps = self.diagnose()
        step = self.assertStopsAt(steps, 'connect')
        self.assertEqual(problem, 'proxy')
        self.assertIn('proxy', step['detail'])
        # Nothing reached the server directly.
        self.assertEqual(self.sim.requests(), [])

    def test_environment_and_no_proxy(self):
        """The unit's environment when the configuration has none; no_proxy exempts the server."""
        self.write_config({})
        self.daemon.env['http_proxy'] = self.proxy_url
        self.daemon.start()
        self.link()
        self.daemon.wait_prop('State', 'okay', timeout=15)
        self.via_proxy('/api/v1/octo/printer/')
        self.daemon.stop()

        self.sim.clear()
        self.daemon.env['no_proxy'] = 'localhost,127.0.0.1'
        self.daemon.start()
        self.daemon.wait_prop('State', 'okay', timeout=15)
        problem, fixes, steps = self.diagnose()
        self.assertEqual(problem, '', steps)
        self.assertIn('without a proxy', steps[0]['detail'])
        for r in self.sim.requests():
            self.assertNotIn('via', r['headers'], r)


class TestDiagnoseWatchRole(DiagnoseTestCase):
    """The credentials belong to an official agent: Diagnose must never put
    them on a WebSocket, or the server would knock that agent off (4321)."""
    start_daemon = False

    def setUp(self):
        super().setUp()
        self.printer = self.sim.add_printer('Voron')
        self.settings = os.path.join(self.tmp, 'moonraker-obico.cfg')
        with open(self.settings, 'w') as f:
            f.write('[server]\nurl = %s\nauth_token = %s\n' % (self.sim.url, self.printer['token']))
        self.daemon.extra_args = ['--agent-settings', self.settings]
        self.daemon.start()
        self.daemon.wait_prop('Role', 'watch')

    def assertNoAuthenticatedWebSocket(self):
        self.assertEqual([c for c in self.sim.ws_connections() if c.get('authorization')], [])
        for r in self.sim.requests('/ws/dev/'):
            self.assertNotIn('authorization', r['headers'], r)

    def test_all_ok(self):
        problem, fixes, steps = self.diagnose()
        self.assertEqual(problem, '', steps)
        self.assertEqual([s['name'] for s in steps], LAYERS)
        self.assertAnonymousUpgrade()
        self.assertNoAuthenticatedWebSocket()
        self.assertNotIn(self.printer['token'], self.daemon.log())

    def test_websocket_blocked(self):
        self.sim.scenario('ws-blocked', ws_status=426)
        problem, fixes, steps = self.diagnose()
        self.assertStopsAt(steps, 'websocket')
        self.assertEqual(problem, 'websocket-blocked')
        self.assertNoAuthenticatedWebSocket()

    def test_revoked(self):
        self.sim.revoke(self.printer['id'], 'archived')
        problem, fixes, steps = self.diagnose()
        self.assertStopsAt(steps, 'credentials')
        self.assertEqual(problem, 'invalid-credentials')
        self.assertNoAuthenticatedWebSocket()


if __name__ == '__main__':
    main()
