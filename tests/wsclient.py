"""A minimal WebSocket client (RFC 6455) on the Python standard library, for tests.

    ws = wsclient.connect('ws://127.0.0.1:8000/ws/dev/', {'authorization': 'bearer abc'})
    print(ws.recv_json())
    ws.send_json({'status': {'_ts': time.time()}})
    ws.close()

connect() raises HandshakeError (with .status, .headers, .body) when the server does not
answer 101, so a refused upgrade can be asserted on; handshake() returns that answer instead.
"""

import base64
import hashlib
import json
import os
import socket
import ssl
import struct
import time
import urllib.parse

GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'

OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA


class HandshakeError(Exception):
    def __init__(self, status, headers, body):
        super().__init__(f'WebSocket upgrade refused: HTTP {status}')
        self.status = status
        self.headers = headers
        self.body = body


class ConnectionClosed(Exception):
    def __init__(self, code, reason):
        super().__init__(f'WebSocket closed: {code} {reason!r}')
        self.code = code
        self.reason = reason


def _read_http_head(sock):
    data = b''
    while b'\r\n\r\n' not in data:
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError('connection closed during the handshake')
        data += chunk
    head, _, rest = data.partition(b'\r\n\r\n')
    lines = head.decode('iso-8859-1').split('\r\n')
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(':')
        headers[name.strip().lower()] = value.strip()
    return status, headers, rest


def handshake(url, headers=None, timeout=5.0, context=None):
    """Sends an upgrade request; returns (status, headers, body, sock, leftover)."""
    u = urllib.parse.urlsplit(url)
    secure = u.scheme == 'wss'
    port = u.port or (443 if secure else 80)
    sock = socket.create_connection((u.hostname, port), timeout=timeout)
    try:
        if secure:
            if context is None:
                context = ssl.create_default_context()
            sock = context.wrap_socket(sock, server_hostname=u.hostname)
        return _handshake(sock, u, headers)
    except BaseException:
        sock.close()
        raise


def _handshake(sock, u, headers):
    key = base64.b64encode(os.urandom(16)).decode()
    path = (u.path or '/') + ('?' + u.query if u.query else '')
    lines = [f'GET {path} HTTP/1.1', f'Host: {u.netloc}', 'Upgrade: websocket',
             'Connection: Upgrade', f'Sec-WebSocket-Key: {key}', 'Sec-WebSocket-Version: 13']
    lines += [f'{k}: {v}' for k, v in (headers or {}).items()]
    sock.sendall(('\r\n'.join(lines) + '\r\n\r\n').encode())
    status, resp_headers, rest = _read_http_head(sock)
    if status == 101:
        accept = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
        if resp_headers.get('sec-websocket-accept') != accept:
            sock.close()
            raise ConnectionError('bad Sec-WebSocket-Accept')
        return status, resp_headers, b'', sock, rest
    length = int(resp_headers.get('content-length', '0') or 0)
    body = rest
    try:
        while len(body) < length:
            chunk = sock.recv(4096)
            if not chunk:
                break
            body += chunk
    finally:
        sock.close()
    return status, resp_headers, body, None, b''


def connect(url, headers=None, timeout=5.0, context=None):
    status, resp_headers, body, sock, rest = handshake(url, headers, timeout, context)
    if status != 101:
        raise HandshakeError(status, resp_headers, body)
    return WebSocket(sock, rest)


class WebSocket:
    def __init__(self, sock, buffered=b''):
        self.sock = sock
        self.buf = buffered
        self.auto_pong = True
        self.pings = 0          # pings received from the server
        self.close_code = None
        self.close_reason = None

    def _recv_exact(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError('connection closed')
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def send_frame(self, opcode, payload=b''):
        header = bytes([0x80 | opcode])
        n = len(payload)
        if n < 126:
            header += bytes([0x80 | n])
        elif n < 65536:
            header += bytes([0x80 | 126]) + struct.pack('!H', n)
        else:
            header += bytes([0x80 | 127]) + struct.pack('!Q', n)
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(header + mask + masked)

    def send_text(self, text):
        self.send_frame(OP_TEXT, text.encode())

    def send_json(self, obj):
        self.send_text(json.dumps(obj))

    def ping(self, payload=b''):
        self.send_frame(OP_PING, payload)

    def recv_frame(self, timeout=None):
        """Returns (opcode, payload) of the next frame, unfragmented messages only."""
        if timeout is not None:
            self.sock.settimeout(timeout)
        b0, b1 = self._recv_exact(2)
        n = b1 & 0x7F
        if n == 126:
            n = struct.unpack('!H', self._recv_exact(2))[0]
        elif n == 127:
            n = struct.unpack('!Q', self._recv_exact(8))[0]
        mask = self._recv_exact(4) if b1 & 0x80 else None
        payload = self._recv_exact(n)
        if mask:
            payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        return b0 & 0x0F, payload

    def recv(self, timeout=None):
        """The next text (str) or binary (bytes) message; answers pings on the way.
        Raises ConnectionClosed on a close frame (after echoing it), TimeoutError when nothing
        came within timeout seconds in all."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            remaining = None if deadline is None else max(deadline - time.monotonic(), 0.001)
            opcode, payload = self.recv_frame(remaining)
            if opcode == OP_PING:
                self.pings += 1
                if self.auto_pong:
                    self.send_frame(OP_PONG, payload)
            elif opcode == OP_PONG:
                continue
            elif opcode == OP_CLOSE:
                self.close_code = struct.unpack('!H', payload[:2])[0] if len(payload) >= 2 else 1005
                self.close_reason = payload[2:].decode(errors='replace')
                try:
                    self.send_frame(OP_CLOSE, payload[:2])
                except OSError:
                    pass
                self.sock.close()
                raise ConnectionClosed(self.close_code, self.close_reason)
            elif opcode == OP_TEXT:
                return payload.decode()
            else:
                return payload

    def recv_json(self, timeout=None):
        return json.loads(self.recv(timeout))

    def wait_closed(self, timeout=5.0):
        """Reads until the server closes; returns the close code (None: dropped without one)."""
        try:
            while True:
                self.recv(timeout)
        except ConnectionClosed as e:
            return e.code
        except TimeoutError:
            raise
        except (ConnectionError, OSError):
            return None

    def close(self, code=1000, reason=''):
        try:
            self.send_frame(OP_CLOSE, struct.pack('!H', code) + reason.encode())
            self.sock.settimeout(2.0)
            while True:
                opcode, _ = self.recv_frame()
                if opcode == OP_CLOSE:
                    break
        except (OSError, ValueError):
            pass
        finally:
            self.sock.close()
