#!/usr/bin/python3
"""obico-sim over real HTTP and WebSocket: every endpoint, scenario and control call."""

import email.utils
import http.client
import json
import os
import socket
import ssl
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# a critical inside the simulator kills it, which fails the test at hand
os.environ['G_DEBUG'] = 'fatal-criticals'

import wsclient  # noqa: E402
from fakeagent import FakeAgent  # noqa: E402
from simctl import Sim, SimError  # noqa: E402


def http_request(sim, method, path, headers=None, body=None, timeout=10):
    """(status, headers with lowercase names, body bytes); raises OSError without an answer."""
    if sim.url.startswith('https'):
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        conn = http.client.HTTPSConnection('127.0.0.1', sim.port, timeout=timeout, context=ctx)
    else:
        conn = http.client.HTTPConnection('127.0.0.1', sim.port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def get_printer(sim, token, path='/api/v1/octo/printer/', scheme='Token'):
    headers = {'Authorization': f'{scheme} {token}'} if token is not None else {}
    status, headers, body = http_request(sim, 'GET', path, headers)
    return status, headers, body


def ws_auth(token, scheme='bearer'):
    return {'authorization': f'{scheme} {token}'}


class SimTestCase(unittest.TestCase):
    sim_args = ()

    def setUp(self):
        self.sim = Sim(extra_args=self.sim_args)
        self.sim.start()
        self.addCleanup(self.sim.close)

    def ws_connect(self, token, scheme='bearer'):
        ws = wsclient.connect(self.sim.ws_url, ws_auth(token, scheme))
        self.addCleanup(ws.sock.close)
        return ws

    def assertRefusedUpgrade(self, headers, status):
        with self.assertRaises(wsclient.HandshakeError) as cm:
            wsclient.connect(self.sim.ws_url, headers)
        self.assertEqual(cm.exception.status, status)
        return cm.exception

    def assertNoAnswer(self, method='GET', path='/hc/', headers=None):
        with self.assertRaises((OSError, http.client.HTTPException)):
            http_request(self.sim, method, path, headers)


class RestTest(SimTestCase):
    def test_first_line_and_hc(self):
        self.assertRegex(self.sim.url, r'^http://127\.0\.0\.1:\d+$')
        status, headers, body = http_request(self.sim, 'GET', '/hc/')
        self.assertEqual((status, body), (200, b'Okay'))
        self.assertTrue(headers['content-type'].startswith('text/plain'))

    def test_printer_and_ping(self):
        p = self.sim.add_printer('Prusa MK3')
        self.assertRegex(p['token'], r'^[0-9a-f]{20}$')
        for path in ('/api/v1/octo/printer/', '/api/v1/octo/ping/'):
            status, headers, body = get_printer(self.sim, p['token'], path)
            self.assertEqual(status, 200)
            self.assertEqual(headers['content-type'], 'application/json')
            self.assertEqual(json.loads(body), {
                'user': {'is_pro': False},
                'printer': {'is_pro': False, 'id': p['id'], 'name': 'Prusa MK3', 'retract_on_pause': 6.5}})
        # DRF compares the REST scheme word case-insensitively
        self.assertEqual(get_printer(self.sim, p['token'], scheme='token')[0], 200)

    def test_printer_unauthorized(self):
        status, headers, body = get_printer(self.sim, None)
        self.assertEqual(status, 401)
        self.assertEqual(headers['www-authenticate'], 'Token')
        self.assertEqual(json.loads(body), {'detail': 'Authentication credentials were not provided.'})
        status, headers, body = get_printer(self.sim, '0123456789abcdef0123')
        self.assertEqual(status, 401)
        self.assertEqual(headers['www-authenticate'], 'Token')
        self.assertEqual(json.loads(body), {'error': 'Invalid or Inactive Token', 'is_authenticated': 'False'})
        p = self.sim.add_printer()
        self.assertEqual(get_printer(self.sim, p['token'], scheme='bearer')[0], 401)

    def test_verify_new_printer(self):
        code = self.sim.new_code('Ender 3')
        self.assertRegex(code, r'^\d{6}$')
        status, _, body = http_request(self.sim, 'POST', f'/api/v1/octo/verify/?code=%20{code}%20')
        self.assertEqual(status, 200)
        answer = json.loads(body)
        self.assertEqual(answer['printer']['name'], 'Ender 3')
        self.assertRegex(answer['printer']['auth_token'], r'^[0-9a-f]{20}$')
        self.assertIn('user', answer)
        self.assertEqual(get_printer(self.sim, answer['printer']['auth_token'])[0], 200)
        req = self.sim.requests('/api/v1/octo/verify/')[-1]
        self.assertEqual(req['printer_id'], answer['printer']['id'])
        self.assertEqual(req['query'], f'code=%20{code}%20')
        # single use
        status, _, body = http_request(self.sim, 'POST', f'/api/v1/octo/verify/?code={code}')
        self.assertEqual(status, 404)
        self.assertEqual(json.loads(body), {'detail': 'Requested resource does not exist'})
        self.assertEqual(http_request(self.sim, 'POST', '/api/v1/octo/verify/?code=000000')[0] == 404 or
                         code == '000000', True)
        self.assertEqual(http_request(self.sim, 'POST', '/api/v1/octo/verify/')[0], 404)

    def test_relink_issues_new_token(self):
        p = self.sim.add_printer('MK4')
        code = self.sim.new_code(printer_id=p['id'])
        status, _, body = http_request(self.sim, 'POST', f'/api/v1/octo/verify/?code={code}')
        self.assertEqual(status, 200)
        printer = json.loads(body)['printer']
        self.assertEqual((printer['id'], printer['name']), (p['id'], 'MK4'))
        self.assertNotEqual(printer['auth_token'], p['token'])
        self.assertEqual(get_printer(self.sim, p['token'])[0], 401)
        self.assertEqual(get_printer(self.sim, printer['auth_token'])[0], 200)
        self.assertRefusedUpgrade(ws_auth(p['token']), 403)
        with self.assertRaises(SimError) as cm:
            self.sim.new_code(printer_id=999)
        self.assertEqual(cm.exception.status, 404)

    def test_unknown_paths(self):
        self.assertEqual(http_request(self.sim, 'GET', '/nope/')[0], 404)
        self.assertEqual(http_request(self.sim, 'GET', '/ws/dev/')[0], 404)

    def test_requests_recorded(self):
        p = self.sim.add_printer()
        get_printer(self.sim, p['token'])
        http_request(self.sim, 'GET', '/hc/', {'X-Test': 'a'})
        reqs = self.sim.requests()
        self.assertEqual([r['path'] for r in reqs], ['/api/v1/octo/printer/', '/hc/'])
        first, second = reqs
        self.assertEqual(first['method'], 'GET')
        self.assertEqual(first['headers']['authorization'], 'Token ' + p['token'])
        self.assertEqual((first['status'], first['printer_id'], first['websocket']), (200, p['id'], False))
        self.assertEqual((second['headers']['x-test'], second['printer_id'], second['query']), ('a', None, None))
        self.assertLessEqual(abs(second['t'] - time.time()), 5)
        self.sim.clear()
        self.assertEqual(self.sim.requests(), [])


class WebSocketTest(SimTestCase):
    def test_accept_and_messages(self):
        p = self.sim.add_printer()
        ws = self.ws_connect(p['token'])
        self.assertEqual(ws.recv_json(), {'remote_status': {'viewing': False, 'should_watch': False}})
        self.assertTrue(self.sim.printer(p['id'])['connected'])
        ts = time.time()
        ws.send_json({'current_print_ts': -1, 'status': {'_ts': ts, 'state': {'text': 'Operational'}},
                      'settings': {'agent': {'name': 'obico-connect', 'version': '0.1.0'}}})
        ws.send_json({'status': {'state': {}}})
        ws.send_json({})
        ws.send_json({'current_print_ts': -1})
        ws.send_json({'passthru': {'ref': 'r1', 'ret': 'ok'}})
        ws.send_text('not json')
        msgs = self.sim.wait_for(lambda: len(self.sim.ws_messages()) == 6 and self.sim.ws_messages())
        self.assertEqual([(m['is_status'], m['has_ts'], m['empty_status']) for m in msgs],
                         [(True, True, False), (True, False, False), (True, False, True),
                          (True, False, True), (False, False, False), (False, False, False)])
        self.assertEqual(json.loads(msgs[0]['text'])['status']['_ts'], ts)
        self.assertTrue(all(m['printer_id'] == p['id'] for m in msgs))
        self.assertFalse(msgs[5]['valid_json'])
        self.assertEqual([m['empty_message'] for m in msgs], [False, False, True, False, False, False])
        self.assertIsNone(msgs[0]['violation'])
        self.assertIn('_ts', msgs[1]['violation'])
        self.assertIn('deletes', msgs[2]['violation'])
        self.assertIn('deletes', msgs[3]['violation'])
        self.assertIsNone(msgs[4]['violation'])
        printer = self.sim.printer(p['id'])
        self.assertEqual((printer['agent_name'], printer['agent_version']), ('obico-connect', '0.1.0'))
        self.assertIsNotNone(printer['last_status_t'])
        conns = self.sim.ws_connections()
        self.assertEqual(len(conns), 1)
        self.assertEqual(conns[0]['authorization'], 'bearer ' + p['token'])
        self.assertIsNone(conns[0]['t_close'])
        req = self.sim.requests('/ws/dev/')[0]
        self.assertEqual((req['status'], req['websocket'], req['printer_id']), (101, True, p['id']))
        ws.close()
        conn = self.sim.wait_for(lambda: [c for c in self.sim.ws_connections() if c['t_close']])[0]
        self.assertEqual((conn['close_code'], conn['closed_by']), (1000, 'client'))
        self.assertFalse(self.sim.printer(p['id'])['connected'])

    def test_refused(self):
        p = self.sim.add_printer()
        e = self.assertRefusedUpgrade({}, 403)
        self.assertEqual(e.body, b'Access denied')
        self.assertRefusedUpgrade(ws_auth(p['token'], 'Bearer'), 403)
        self.assertRefusedUpgrade(ws_auth(p['token'], 'Token'), 403)
        self.assertRefusedUpgrade(ws_auth('0123456789abcdef0123'), 403)
        self.assertRefusedUpgrade(ws_auth(p['token'] + ' x'), 403)
        with self.assertRaises(wsclient.HandshakeError) as cm:
            wsclient.connect(self.sim.url.replace('http', 'ws') + '/ws/dev', ws_auth(p['token']))
        self.assertEqual(cm.exception.status, 500)
        self.assertEqual(self.sim.ws_connections(), [])
        self.assertEqual([r['status'] for r in self.sim.requests()], [403, 403, 403, 403, 403, 500])

    def test_newer_connection_closes_older_with_4321(self):
        p = self.sim.add_printer()
        old = self.ws_connect(p['token'])
        old.recv_json()
        new = self.ws_connect(p['token'])
        self.assertEqual(old.wait_closed(), 4321)
        self.assertEqual(new.recv_json()['remote_status']['viewing'], False)
        new.send_json({'status': {'_ts': time.time()}})
        self.sim.wait_for(lambda: self.sim.ws_messages())
        conns = self.sim.wait_for(lambda: self.sim.ws_connections()[0]['t_close'] and self.sim.ws_connections())
        self.assertEqual([c['close_code'] for c in conns], [4321, None])

    def test_duplicate_control(self):
        p = self.sim.add_printer()
        ws = self.ws_connect(p['token'])
        self.sim.ws_duplicate(p['id'])
        ws.recv_json()
        self.assertEqual(ws.wait_closed(), 4321)
        with self.assertRaises(SimError) as cm:
            self.sim.ws_duplicate(p['id'])
        self.assertEqual(cm.exception.status, 404)

    def test_send_and_close_control(self):
        a = self.sim.add_printer('A')
        b = self.sim.add_printer('B')
        wa = self.ws_connect(a['token'])
        wb = self.ws_connect(b['token'])
        wa.recv_json()
        wb.recv_json()
        passthru = {'passthru': {'ref': 'r1', 'target': 'x', 'func': 'y', 'args': [], 'kwargs': {}}}
        self.assertEqual(self.sim.ws_send(passthru, printer_id=b['id'])['count'], 1)
        self.assertEqual(wb.recv_json(), dict(passthru, type='printer.message'))
        self.assertEqual(self.sim.ws_send({'commands': []}, raw=True)['count'], 2)
        self.assertEqual(wa.recv_json(), {'commands': []})
        self.assertEqual(wb.recv_json(), {'commands': []})
        self.sim.ws_send_text('{not json', printer_id=a['id'])
        self.assertEqual(wa.recv(), '{not json')
        self.sim.ws_send_binary(b'\x05\x00\x00\x00\x00', printer_id=a['id'])
        self.assertEqual(wa.recv(), b'\x05\x00\x00\x00\x00')
        for bad in ({}, {'message': [1]}, {'message': {}, 'text': 'x'}, {'message': {}, 'raw': 'yes'}):
            status, _, _ = http_request(self.sim, 'POST', '/_sim/ws/send', body=json.dumps(bad).encode())
            self.assertEqual(status, 400, bad)
        self.sim.ws_close(code=4000, reason='bye', printer_id=a['id'])
        self.assertEqual(wa.wait_closed(), 4000)
        self.assertEqual(wa.close_reason, 'bye')
        self.sim.ws_close()
        self.assertEqual(wb.wait_closed(), 1000)
        with self.assertRaises(SimError):
            self.sim.ws_close()

    def test_deleted_while_connected(self):
        p = self.sim.add_printer()
        ws = self.ws_connect(p['token'])
        ws.recv_json()
        self.sim.revoke(p['id'], 'deleted')
        ws.send_json({'passthru': {'ref': 'r1', 'ret': None}})
        time.sleep(0.3)
        self.assertTrue(self.sim.printer(p['id'])['connected'])
        ws.send_json({'status': {'_ts': time.time()}})
        self.assertEqual(ws.wait_closed(), 1000)
        self.assertRefusedUpgrade(ws_auth(p['token']), 403)
        self.assertEqual(get_printer(self.sim, p['token'])[0], 401)

    def test_archived_keeps_socket_refuses_new(self):
        p = self.sim.add_printer()
        ws = self.ws_connect(p['token'])
        ws.recv_json()
        self.sim.revoke(p['id'], 'archived')
        ws.send_json({'status': {'_ts': time.time()}})
        time.sleep(0.3)
        self.assertTrue(self.sim.printer(p['id'])['connected'])
        self.assertEqual(get_printer(self.sim, p['token'])[0], 401)
        self.assertRefusedUpgrade(ws_auth(p['token']), 403)
        self.sim.unarchive(p['id'])
        self.assertEqual(get_printer(self.sim, p['token'])[0], 200)
        self.assertFalse(self.sim.printer(p['id'])['archived'])

    def test_client_ping_answered(self):
        p = self.sim.add_printer()
        ws = self.ws_connect(p['token'])
        ws.recv_json()
        ws.ping(b'hello')
        self.assertEqual(ws.recv_frame(5), (wsclient.OP_PONG, b'hello'))


class KeepaliveTest(SimTestCase):
    sim_args = ('--ws-ping-interval', '1', '--ws-pong-timeout', '2')

    def test_pings_and_pong_timeout(self):
        p = self.sim.add_printer()
        ws = self.ws_connect(p['token'])
        ws.recv_json()
        # answered pings keep the socket open
        deadline = time.monotonic() + 4
        with self.assertRaises(TimeoutError):
            while time.monotonic() < deadline:
                ws.recv(deadline - time.monotonic())
        self.assertGreaterEqual(ws.pings, 2)
        # unanswered ones get it dropped, without a close frame
        ws.auto_pong = False
        start = time.monotonic()
        self.assertIsNone(ws.wait_closed(10))
        self.assertLess(time.monotonic() - start, 6)
        conn = self.sim.wait_for(lambda: self.sim.ws_connections()[0]['t_close'] and self.sim.ws_connections()[0])
        self.assertEqual((conn['close_code'], conn['close_reason']), (1006, 'pong timeout'))
        self.assertGreaterEqual(conn['pings'], 3)
        self.assertGreaterEqual(conn['pongs'], 2)

    def test_traffic_postpones_ping(self):
        p = self.sim.add_printer()
        ws = self.ws_connect(p['token'])
        ws.recv_json()
        for _ in range(6):
            ws.send_json({'status': {'_ts': time.time()}})
            time.sleep(0.4)
        ws.sock.settimeout(0.2)
        with self.assertRaises(TimeoutError):
            ws.recv_frame()
        self.assertEqual(ws.pings, 0)


class StatusTest(SimTestCase):
    """The printer's status as obico-server caches it: what the app shows (docs/obico-protocol.md)."""
    sim_args = ('--status-ttl', '3')

    def setUp(self):
        super().setUp()
        self.p = self.sim.add_printer('P')

    def app(self):
        printer = self.sim.printer(self.p['id'])
        return printer['app_status'], printer['offline_reason']

    def connect(self):
        ws = self.ws_connect(self.p['token'])
        ws.recv_json()
        return ws

    def send_and_wait(self, ws, message):
        n = len(self.sim.ws_messages())
        ws.send_json(message)
        self.sim.wait_for(lambda: len(self.sim.ws_messages()) > n)

    def assertPrinterEndpointUnchanged(self):
        status, _, body = get_printer(self.sim, self.p['token'])
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(body), {
            'user': {'is_pro': False},
            'printer': {'is_pro': False, 'id': self.p['id'], 'name': 'P', 'retract_on_pause': 6.5}})

    def test_no_status_yet(self):
        self.assertEqual(self.app(), ('offline', 'no status yet'))
        printer = self.sim.printer(self.p['id'])
        self.assertIsNone(printer['status'])
        self.assertIsNone(printer['app_status_since'])
        self.connect()
        self.assertEqual(self.app(), ('offline', 'no status yet'))  # a socket alone shows nothing

    def test_status_with_ts_sets_it_until_the_ttl(self):
        ws = self.connect()
        before = time.time()
        self.send_and_wait(ws, {'status': {'_ts': before, 'state': {'text': 'Operational'}}})
        printer = self.sim.printer(self.p['id'])
        self.assertEqual((printer['app_status'], printer['offline_reason']), ('online', None))
        self.assertEqual(printer['status']['state']['text'], 'Operational')
        self.assertAlmostEqual(printer['status_expires_t'] - printer['app_status_since'], 3, delta=0.01)
        self.assertPrinterEndpointUnchanged()
        # a status without _ts is ignored: the cached one stays, and lapses on time
        self.send_and_wait(ws, {'status': {'state': {'text': 'Printing'}}})
        printer = self.sim.printer(self.p['id'])
        self.assertEqual((printer['app_status'], printer['status']['state']['text']), ('online', 'Operational'))
        expires = printer['status_expires_t']
        self.sim.wait_for(lambda: self.app() == ('offline', 'expired'), timeout=6)
        self.assertGreaterEqual(time.time(), expires)
        printer = self.sim.printer(self.p['id'])
        self.assertEqual(printer['app_status_since'], expires)
        self.assertIsNone(printer['status'])
        self.assertTrue(printer['connected'])  # connected, yet offline in the app

    def test_each_status_renews_it(self):
        ws = self.connect()
        for _ in range(5):
            self.send_and_wait(ws, {'status': {'_ts': time.time()}})
            self.assertEqual(self.app(), ('online', None))
            time.sleep(1)
        since = self.sim.printer(self.p['id'])['app_status_since']
        self.assertLess(since, time.time() - 4)  # online since the first status

    def test_empty_status_deletes_it(self):
        for empty in ({}, {'status': {}}, {'current_print_ts': -1}):
            ws = self.connect()
            self.send_and_wait(ws, {'status': {'_ts': time.time()}})
            self.assertEqual(self.app(), ('online', None))
            self.send_and_wait(ws, empty)
            self.assertEqual(self.app(), ('offline', 'empty status'), empty)
            ws.close()
        # a passthru answer is no status message
        ws = self.connect()
        self.send_and_wait(ws, {'status': {'_ts': time.time()}})
        self.send_and_wait(ws, {'passthru': {'ref': 'r', 'ret': None}})
        self.assertEqual(self.app(), ('online', None))

    def test_last_socket_close_deletes_it(self):
        old = self.connect()
        self.send_and_wait(old, {'status': {'_ts': time.time()}})
        # a newer socket of the printer closes the older with 4321: one is still open
        new = self.connect()
        self.assertEqual(old.wait_closed(), 4321)
        self.sim.wait_for(lambda: len([c for c in self.sim.ws_connections() if c['t_close']]) == 1)
        self.assertEqual(self.app(), ('online', None))
        new.close()
        self.sim.wait_for(lambda: not self.sim.printer(self.p['id'])['connected'])
        self.assertEqual(self.app(), ('offline', 'socket closed'))

    def test_dropped_socket_deletes_it(self):
        ws = self.connect()
        self.send_and_wait(ws, {'status': {'_ts': time.time()}})
        self.sim.scenario('down')
        self.sim.wait_for(lambda: self.app() == ('offline', 'socket closed'))

    def test_printers_apart(self):
        other = self.sim.add_printer('Q')
        ws = self.connect()
        self.send_and_wait(ws, {'status': {'_ts': time.time()}})
        self.assertEqual(self.app(), ('online', None))
        self.assertEqual(self.sim.printer(other['id'])['app_status'], 'offline')

    def test_bad_ttl(self):
        binary = os.environ['OBICO_SIM']
        for ttl in ('0', '-5', 'x'):
            self.assertEqual(subprocess.run([binary, '--status-ttl', ttl], capture_output=True).returncode, 2)


class FakeAgentTest(SimTestCase):
    """The fake official agent the AppStatus tests drive, against the sim's truth."""
    sim_args = ('--status-ttl', '3', '--ws-ping-interval', '1')

    def setUp(self):
        super().setUp()
        self.p = self.sim.add_printer('P')

    def app(self):
        return self.sim.printer(self.p['id'])['app_status']

    def agent(self, **kwargs):
        agent = FakeAgent(self.sim.ws_url, self.p['token'], **kwargs).start()
        self.addCleanup(agent.kill)
        return agent

    def test_reporting(self):
        agent = self.agent(interval=1)
        agent.wait_event('connected')
        self.sim.wait_for(lambda: self.app() == 'online')
        conn = self.sim.ws_connections()[0]
        self.assertEqual(conn['authorization'], 'bearer ' + self.p['token'])
        printer = self.sim.printer(self.p['id'])
        self.assertEqual(printer['agent_name'], 'octoprint_obico')
        # statuses are sized as OctoPrint-Obico's, and stay online past the TTL
        time.sleep(4)
        self.assertEqual(self.app(), 'online')
        sizes = [len(m['text']) for m in self.sim.ws_messages()]
        self.assertGreaterEqual(len(sizes), 4)
        self.assertTrue(all(m['has_ts'] and m['violation'] is None for m in self.sim.ws_messages()))
        self.assertTrue(all(500 <= n <= 2000 for n in sizes), sizes)

    def test_keepalive_only_goes_offline_after_the_ttl(self):
        agent = self.agent(interval=1)
        agent.wait_event('connected')
        self.sim.wait_for(lambda: self.app() == 'online')
        agent.set_mode('keepalive')
        sent = len(self.sim.ws_messages())
        start = time.monotonic()
        self.sim.wait_for(lambda: self.app() == 'offline', timeout=8)
        self.assertGreater(time.monotonic() - start, 1.5)
        printer = self.sim.printer(self.p['id'])
        self.assertEqual(printer['offline_reason'], 'expired')
        time.sleep(2.5)
        # connected all along, answering the server's pings, sending no status
        self.assertTrue(self.sim.printer(self.p['id'])['connected'])
        self.assertLessEqual(len(self.sim.ws_messages()), sent + 1)
        conn = self.sim.ws_connections()[0]
        self.assertIsNone(conn['t_close'])
        self.assertGreaterEqual(conn['pongs'], 2)
        agent.set_mode('reporting')
        agent.send_status()
        self.sim.wait_for(lambda: self.app() == 'online')

    def test_disconnected_and_back(self):
        agent = self.agent(interval=1)
        agent.wait_event('connected')
        self.sim.wait_for(lambda: self.app() == 'online')
        agent.set_mode('disconnected')
        self.sim.wait_for(lambda: self.app() == 'offline')
        self.assertEqual(self.sim.printer(self.p['id'])['offline_reason'], 'socket closed')
        self.assertEqual(self.sim.ws_connections()[0]['close_code'], 1000)
        self.assertEqual(agent.proc.poll(), None)  # still running
        agent.set_mode('reporting')
        agent.wait_event('connected')
        self.sim.wait_for(lambda: self.app() == 'online')

    def test_stopped_and_killed(self):
        agent = self.agent(interval=1)
        agent.wait_event('connected')
        self.sim.wait_for(lambda: self.app() == 'online')
        agent.stop()
        self.assertEqual(agent.proc.returncode, 0)
        self.sim.wait_for(lambda: self.app() == 'offline')
        self.assertEqual(self.sim.ws_connections()[0]['close_code'], 1000)
        agent = self.agent(interval=1)
        agent.wait_event('connected')
        self.sim.wait_for(lambda: self.app() == 'online')
        agent.kill()
        self.sim.wait_for(lambda: self.app() == 'offline')
        self.assertEqual(self.sim.printer(self.p['id'])['offline_reason'], 'socket closed')

    def test_shared_token_stops_reconnecting(self):
        agent = self.agent(interval=1)
        agent.wait_event('connected')
        self.sim.ws_duplicate(self.p['id'])
        self.assertEqual(agent.wait_event('closed'), 'closed 4321')
        time.sleep(1.5)
        self.assertNotIn('connected', agent.log[agent.log.index('closed 4321'):])

    def test_token_stays_off_the_command_line(self):
        agent = self.agent()
        with open(f'/proc/{agent.pid}/cmdline', 'rb') as f:
            self.assertNotIn(self.p['token'].encode(), f.read())


class FakeAgentSparsePingsTest(SimTestCase):
    """Pings far apart (daphne's come after 20 s of silence) are answered, the socket kept."""
    sim_args = ('--ws-ping-interval', '6', '--ws-pong-timeout', '3')

    def test_keepalive_between_sparse_pings(self):
        p = self.sim.add_printer()
        agent = FakeAgent(self.sim.ws_url, p['token'], mode='keepalive').start()
        self.addCleanup(agent.kill)
        agent.wait_event('connected')
        time.sleep(14)
        conn = self.sim.ws_connections()[0]
        self.assertIsNone(conn['t_close'], conn)
        self.assertEqual((conn['pings'], conn['pongs']), (2, 2))
        self.assertEqual([line for line in agent.log if line.startswith('closed')], [])


class ScenarioTest(SimTestCase):
    def setUp(self):
        super().setUp()
        self.p = self.sim.add_printer('P')
        self.token = self.p['token']

    def test_unknown_scenario_and_params(self):
        for body in ({'name': 'nope'}, {'name': 'flaky', 'fail_percent': 101}, {'name': 'slow', 'typo': 1},
                     {'name': 'flaky', 'fail_mode': 'x'}):
            with self.assertRaises(SimError) as cm:
                self.sim.scenario(**body)
            self.assertEqual(cm.exception.status, 400)
        self.assertEqual(self.sim.current_scenario()['name'], 'healthy')

    def test_down(self):
        ws = self.ws_connect(self.token)
        ws.recv_json()
        self.assertEqual(self.sim.scenario('down')['name'], 'down')
        self.assertIsNone(ws.wait_closed())  # open sockets die without a close frame
        self.sim.wait_for(lambda: self.sim.ws_connections()[0]['t_close'])
        self.assertEqual(self.sim.ws_connections()[0]['close_reason'], 'server down')
        self.sim.clear()
        self.assertNoAnswer('GET', '/hc/')
        self.assertNoAnswer('GET', '/api/v1/octo/printer/', {'Authorization': 'Token ' + self.token})
        with self.assertRaises(OSError):
            wsclient.connect(self.sim.ws_url, {})
        self.assertEqual(self.sim.printers()[0]['id'], self.p['id'])  # control API unaffected
        self.assertEqual([r['status'] for r in self.sim.requests()], [0, 0, 0])
        self.sim.scenario('healthy')
        self.assertEqual(http_request(self.sim, 'GET', '/hc/')[0], 200)

    def test_slow(self):
        self.sim.scenario('slow', latency_ms=400)
        start = time.monotonic()
        self.assertEqual(http_request(self.sim, 'GET', '/hc/')[0], 200)
        self.assertGreaterEqual(time.monotonic() - start, 0.38)
        start = time.monotonic()
        ws = self.ws_connect(self.token)
        self.assertGreaterEqual(time.monotonic() - start, 0.38)
        self.assertIn('remote_status', ws.recv_json())
        # concurrent requests are delayed in parallel, not in a queue
        start = time.monotonic()
        conns = []
        for _ in range(5):
            c = http.client.HTTPConnection('127.0.0.1', self.sim.port, timeout=5)
            c.request('GET', '/hc/')
            conns.append(c)
        for c in conns:
            self.assertEqual(c.getresponse().status, 200)
            c.close()
        self.assertLess(time.monotonic() - start, 1.5)
        start = time.monotonic()
        self.sim.printers()
        self.assertLess(time.monotonic() - start, 0.3)
        self.assertEqual(self.sim.scenario('slow')['latency_ms'], 2000)

    def test_flaky(self):
        self.sim.scenario('flaky', fail_percent=30)
        outcomes = []
        for _ in range(20):
            try:
                outcomes.append(http_request(self.sim, 'GET', '/hc/')[0])
            except (OSError, http.client.HTTPException):
                outcomes.append(0)
        self.assertEqual(len([o for o in outcomes if o != 200]), 6)
        self.assertIn(500, outcomes)
        self.assertIn(0, outcomes)
        self.assertEqual([r['status'] for r in self.sim.requests()], outcomes)
        self.sim.scenario('flaky', fail_percent=100, fail_mode='500')
        self.assertEqual(http_request(self.sim, 'GET', '/hc/')[0], 500)
        self.sim.scenario('flaky', fail_percent=100, fail_mode='reset')
        self.assertNoAnswer()

    def test_invalid_token(self):
        self.sim.scenario('invalid-token')
        self.assertEqual(get_printer(self.sim, self.token)[0], 401)
        self.assertRefusedUpgrade(ws_auth(self.token), 403)
        self.assertEqual(http_request(self.sim, 'GET', '/hc/')[0], 200)

    def test_archived_and_deleted_scenarios(self):
        other = self.sim.add_printer('Other')
        for name in ('archived', 'deleted'):
            self.sim.scenario(name, printer_id=self.p['id'])
            self.assertEqual(get_printer(self.sim, self.token)[0], 401)
            self.assertRefusedUpgrade(ws_auth(self.token), 403)
            self.assertEqual(get_printer(self.sim, other['token'])[0], 200)
            self.sim.scenario(name)
            self.assertEqual(get_printer(self.sim, other['token'])[0], 401)
        self.sim.scenario('healthy')
        self.assertEqual(get_printer(self.sim, self.token)[0], 200)

    def test_deleted_scenario_closes_socket_on_status(self):
        ws = self.ws_connect(self.token)
        ws.recv_json()
        self.sim.scenario('deleted', printer_id=self.p['id'])
        ws.send_json({'status': {'_ts': time.time()}})
        self.assertEqual(ws.wait_closed(), 1000)

    def test_ws_blocked(self):
        self.sim.scenario('ws-blocked')
        e = self.assertRefusedUpgrade(ws_auth(self.token), 400)
        self.assertIn(b'<html>', e.body)
        self.assertTrue(e.headers['content-type'].startswith('text/html'))
        for status in (404, 426, 502):
            self.sim.scenario('ws-blocked', ws_status=status)
            self.assertRefusedUpgrade({}, status)
        self.assertEqual(get_printer(self.sim, self.token)[0], 200)
        self.assertEqual(http_request(self.sim, 'GET', '/hc/')[0], 200)

    def test_ws_open(self):
        self.sim.scenario('ws-open')
        anonymous = wsclient.connect(self.sim.ws_url, {})
        self.assertIn('remote_status', anonymous.recv_json())
        # A printer's own socket still works, and does not knock the anonymous one off.
        ws = self.ws_connect(self.token)
        ws.recv_json()
        conns = self.sim.ws_connections()
        self.assertEqual([c['printer_id'] for c in conns], [0, self.p['id']])
        self.assertEqual([c['close_code'] for c in conns], [None, None])
        self.assertIsNone(conns[0]['authorization'])
        self.assertEqual(get_printer(self.sim, self.token)[0], 200)
        anonymous.close()
        ws.close()

    def test_not_obico(self):
        self.sim.scenario('not-obico')
        for path in ('/hc/', '/api/v1/octo/printer/', '/anything'):
            status, headers, body = http_request(self.sim, 'GET', path, {'Authorization': 'Token ' + self.token})
            self.assertEqual(status, 200)
            self.assertTrue(headers['content-type'].startswith('text/html'))
        self.assertRefusedUpgrade(ws_auth(self.token), 200)

    def test_printer_no_id(self):
        self.sim.scenario('printer-no-id')
        status, _, body = get_printer(self.sim, 'whatever')
        self.assertEqual(status, 200)
        self.assertNotIn('id', json.loads(body)['printer'])

    def test_captive_portal(self):
        self.sim.scenario('captive-portal')
        for path in ('/hc/', '/api/v1/octo/printer/'):
            status, headers, _ = http_request(self.sim, 'GET', path)
            self.assertEqual(status, 302)
            self.assertEqual(headers['location'], self.sim.url + '/portal/')
        status, _, body = http_request(self.sim, 'GET', '/portal/')
        self.assertEqual(status, 200)
        self.assertIn(b'Sign in to Wi-Fi', body)
        self.assertRefusedUpgrade(ws_auth(self.token), 302)

    def test_hc_500(self):
        self.sim.scenario('hc-500')
        self.assertEqual(http_request(self.sim, 'GET', '/hc/')[0], 500)
        self.assertEqual(get_printer(self.sim, self.token)[0], 200)
        self.ws_connect(self.token)

    def test_server_error(self):
        self.sim.scenario('server-error')
        status, headers, _ = get_printer(self.sim, self.token)
        self.assertEqual(status, 500)
        self.assertTrue(headers['content-type'].startswith('text/html'))
        self.assertEqual(http_request(self.sim, 'POST', '/api/v1/octo/verify/?code=123456')[0], 500)
        self.assertEqual(http_request(self.sim, 'GET', '/hc/')[0], 200)
        for code in (502, 503):
            self.assertEqual(self.sim.scenario('server-error', status=code)['status'], code)
            status, headers, body = get_printer(self.sim, self.token)
            self.assertEqual(status, code)
            self.assertIn(b'nginx', body)
            self.assertEqual(http_request(self.sim, 'GET', '/hc/')[0], 200)
            self.ws_connect(self.token)
        for bad in (499, 600, 'x'):
            with self.assertRaises(SimError):
                self.sim.scenario('server-error', status=bad)

    def test_maintenance(self):
        ws = self.ws_connect(self.token)
        ws.recv_json()
        self.assertEqual(self.sim.scenario('maintenance')['status'], 503)
        self.assertIsNone(ws.wait_closed())  # the load balancer drops the sockets
        for path in ('/hc/', '/api/v1/octo/printer/', '/anything'):
            status, headers, body = http_request(self.sim, 'GET', path, {'Authorization': 'Token ' + self.token})
            self.assertEqual(status, 503, path)
            self.assertTrue(headers['content-type'].startswith('text/html'))
        self.assertRefusedUpgrade(ws_auth(self.token), 503)
        self.sim.scenario('maintenance', status=502)
        self.assertEqual(get_printer(self.sim, self.token)[0], 502)
        self.assertRefusedUpgrade({}, 502)

    def test_hc_odd(self):
        self.sim.scenario('hc-odd')
        status, headers, body = http_request(self.sim, 'GET', '/hc/')
        self.assertEqual(status, 200)
        self.assertTrue(headers['content-type'].startswith('text/html'))
        self.assertNotIn(b'Okay', body)
        self.assertEqual(get_printer(self.sim, self.token)[0], 200)
        self.ws_connect(self.token)

    def test_throttled(self):
        self.sim.scenario('throttled')
        status, headers, body = http_request(self.sim, 'GET', '/hc/')
        self.assertEqual(status, 429)
        self.assertEqual(headers['retry-after'], '60')
        self.assertIn('throttled', json.loads(body)['detail'])


class ControlTest(SimTestCase):
    def test_errors(self):
        for method, path, body, status in (('GET', '/_sim/nope', None, 404), ('POST', '/_sim/nope', b'{}', 404),
                                           ('PUT', '/_sim/printers', b'{}', 405),
                                           ('POST', '/_sim/printers', b'[1]', 400),
                                           ('POST', '/_sim/printers', b'{bad', 400),
                                           ('POST', '/_sim/revoke', b'{"printer_id": 9}', 404),
                                           ('POST', '/_sim/revoke', b'{"printer_id": 1, "how": "x"}', 400),
                                           ('POST', '/_sim/ws/duplicate', b'{}', 400)):
            got, _, answer = http_request(self.sim, method, path, body=body)
            self.assertEqual(got, status, (method, path, body))
            if status != 405:
                self.assertIn('error', json.loads(answer))
        self.assertEqual(self.sim.requests(), [])  # control calls are not recorded

    def test_method_not_allowed_after_auth(self):
        p = self.sim.add_printer()
        status, _, body = http_request(self.sim, 'POST', '/api/v1/octo/printer/',
                                       {'Authorization': 'Token ' + p['token']})
        self.assertEqual(status, 405)
        self.assertEqual(json.loads(body), {'detail': 'Method "POST" not allowed.'})
        self.assertEqual(http_request(self.sim, 'POST', '/api/v1/octo/printer/')[0], 401)
        self.assertEqual(http_request(self.sim, 'GET', '/api/v1/octo/verify/?code=123456')[0], 405)

    def test_clock_skew(self):
        def skew(headers):
            date = email.utils.parsedate_to_datetime(headers['date']).timestamp()
            return date - time.time()

        self.assertEqual(self.sim._call('GET', 'clock'), {'skew': 0})
        self.assertLess(abs(skew(http_request(self.sim, 'GET', '/hc/')[1])), 2)
        self.assertEqual(self.sim.clock(-7200), {'skew': -7200})
        self.assertEqual(self.sim._call('GET', 'clock'), {'skew': -7200})
        self.assertLess(abs(skew(http_request(self.sim, 'GET', '/hc/')[1]) + 7200), 2)
        p = self.sim.add_printer()
        status, headers, _, sock, _ = wsclient.handshake(self.sim.ws_url, ws_auth(p['token']))
        sock.close()
        self.assertEqual(status, 101)
        self.assertLess(abs(skew(headers) + 7200), 2)
        # the control API keeps the true time
        control = http_request(self.sim, 'GET', '/_sim/clock')[1]
        self.assertLess(abs(skew(control)), 2)
        for bad in (b'{"skew": "1"}', b'{"skew": 1.5}', b'{"skew": 4000000000}', b'{"skews": 1}'):
            self.assertEqual(http_request(self.sim, 'POST', '/_sim/clock', body=bad)[0], 400, bad)
        self.assertEqual(self.sim._call('GET', 'clock'), {'skew': -7200})

    def test_scenario_per_printer(self):
        a = self.sim.add_printer()
        b = self.sim.add_printer()
        answer = self.sim.scenario('invalid-token', printer_id=b['id'])
        self.assertEqual((answer['name'], answer['printer_id']), ('invalid-token', b['id']))
        self.assertEqual(get_printer(self.sim, a['token'])[0], 200)
        self.assertEqual(get_printer(self.sim, b['token'])[0], 401)


class ProcessTest(unittest.TestCase):
    def test_restart_keeps_port_printers_and_codes(self):
        with Sim() as sim:
            p = sim.add_printer('Kept')
            code = sim.new_code('Later')
            sim.revoke(sim.add_printer('Gone')['id'])
            port = sim.port
            sim.restart()
            self.assertEqual(sim.port, port)
            self.assertEqual(get_printer(sim, p['token'])[0], 200)
            self.assertEqual([(x['name'], x['deleted']) for x in sim.printers()],
                             [('Kept', False), ('Gone', True)])
            self.assertEqual(http_request(sim, 'POST', f'/api/v1/octo/verify/?code={code}')[0], 200)
            self.assertEqual(sim.add_printer()['id'], 4)

    def test_sigterm_and_kill(self):
        sim = Sim()
        sim.start()
        proc = sim.proc
        proc.terminate()
        self.assertEqual(proc.wait(5), 0)
        proc.stdout.close()
        sim.proc = None
        sim.start()
        sim.kill()
        with self.assertRaises(OSError):
            socket.create_connection(('127.0.0.1', sim.port), timeout=2).close()
        sim.close()

    def test_pause(self):
        with Sim() as sim:
            sim.pause()
            with self.assertRaises(TimeoutError):
                http_request(sim, 'GET', '/hc/', timeout=0.5)
            sim.resume()
            self.assertEqual(http_request(sim, 'GET', '/hc/')[0], 200)

    def test_tls(self):
        with Sim(tls=True) as sim:
            self.assertTrue(sim.url.startswith('https://127.0.0.1:'))
            p = sim.add_printer()
            self.assertEqual(get_printer(sim, p['token'])[0], 200)
            # an untrusted certificate is refused by a verifying client
            with self.assertRaises(ssl.SSLCertVerificationError):
                wsclient.connect(sim.ws_url, ws_auth(p['token']), context=ssl.create_default_context())
            ctx = ssl.create_default_context(cafile=sim.tls[0])
            ws = wsclient.connect(sim.ws_url, ws_auth(p['token']), context=ctx)
            self.assertIn('remote_status', ws.recv_json())
            ws.close()
            sim.scenario('down')
            with self.assertRaises(OSError):
                http_request(sim, 'GET', '/hc/')

    def test_initial_scenario_and_bad_state(self):
        with Sim(extra_args=['--scenario', 'hc-500']) as sim:
            self.assertEqual(http_request(sim, 'GET', '/hc/')[0], 500)
            with open(sim.state_file, 'w') as f:
                f.write('{not json')
            sim.stop()
            with self.assertRaises(RuntimeError):
                sim.start()

    def test_port_taken(self):
        with Sim() as sim:
            result = subprocess.run([os.environ['OBICO_SIM'], '--port', str(sim.port)], capture_output=True)
            self.assertEqual(result.returncode, 3)

    def test_host(self):
        with Sim(extra_args=['--host', '0.0.0.0']) as sim:
            self.assertRegex(sim.url, r'^http://0\.0\.0\.0:\d+$')
            sim.scenario('captive-portal')
            status, headers, _ = http_request(sim, 'GET', '/hc/')
            self.assertEqual((status, headers['location']), (302, f'http://127.0.0.1:{sim.port}/portal/'))

    def test_bad_arguments(self):
        binary = os.environ['OBICO_SIM']
        self.assertEqual(subprocess.run([binary, '--port', '-1'], capture_output=True).returncode, 2)
        self.assertEqual(subprocess.run([binary, '--tls-cert', '/nonexistent'], capture_output=True).returncode, 2)
        self.assertEqual(subprocess.run([binary, '--host', '::g'], capture_output=True).returncode, 2)   # IPv6 is fine, this is no address
        self.assertEqual(subprocess.run([binary, '--host', 'localhost'], capture_output=True).returncode, 2)
        self.assertEqual(subprocess.run([binary, '--tls-cert', '/nonexistent', '--tls-key', '/nonexistent'],
                                        capture_output=True).returncode, 1)


if __name__ == '__main__':
    from harness import main  # any skip fails the run
    main()
