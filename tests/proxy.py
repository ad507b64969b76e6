#!/usr/bin/python3
"""A small real HTTP proxy for the tests (stdlib only), as a firewall's or a company's would be.

    python3 proxy.py [--host 127.0.0.1] [--port 0] [--mode pass|no-websocket|no-connect]
                     [--user NAME:PASSWORD]

It prints "proxy listening on PORT" when ready, then serves until killed.  It forwards
absolute-form requests (GET http://host:port/path HTTP/1.1, what a client sends for http://)
with a Via header added, one request per connection (Connection: close upstream), and opens
CONNECT tunnels (what a client sends for https://, and may send for anything).  Modes, read
from stdin lines while it runs (with --user, a request without those Basic credentials is
answered 407 first, as a proxy that asks for them does) ("mode no-websocket"), as proxies that pass HTTP but not
WebSockets do:

    pass          everything goes through
    no-websocket  an Upgrade: websocket request is answered 502 (what a proxy that cannot
                  pass it answers; a 403 would read as the Obico server's own); a tunnel whose first
                  request (plain HTTP) is an upgrade is closed
    no-connect    CONNECT is answered 403

Every request is written to stdout as one JSON line: {"method", "target", "websocket",
"refused", "auth"} ("auth": whether Proxy-Authorization came, never its value).
"""
import argparse
import base64
import json
import select
import socket
import sys
import threading

lock = threading.Lock()
mode = 'pass'
credentials = None   # the Proxy-Authorization value required, or None


def record(**fields):
    with lock:
        sys.stdout.write(json.dumps(fields) + '\n')
        sys.stdout.flush()


def read_head(sock, limit=65536):
    """Bytes up to and including the blank line, and whatever came after it."""
    data = b''
    while b'\r\n\r\n' not in data:
        chunk = sock.recv(4096)
        if not chunk:
            return None, b''
        data += chunk
        if len(data) > limit:
            return None, b''
    head, rest = data.split(b'\r\n\r\n', 1)
    return head.decode('latin-1'), rest


def is_upgrade(headers):
    return any(k == 'upgrade' and 'websocket' in v.lower() for k, v in headers)


def parse(head):
    lines = head.split('\r\n')
    method, target, version = (lines[0].split(' ', 2) + ['', ''])[:3]
    headers = []
    for line in lines[1:]:
        if ':' in line:
            k, v = line.split(':', 1)
            headers.append((k.strip().lower(), v.strip()))
    return method, target, version, headers, lines[1:]


def splice(a, b):
    socks = [a, b]
    try:
        while True:
            readable, _, _ = select.select(socks, [], [], 120)
            if not readable:
                return
            for s in readable:
                data = s.recv(65536)
                if not data:
                    return
                (b if s is a else a).sendall(data)
    except OSError:
        return


def refuse(client, status=b'403 Forbidden'):
    body = b'blocked by the proxy\n'
    client.sendall(b'HTTP/1.1 ' + status + b'\r\nContent-Type: text/plain\r\nContent-Length: '
                   + str(len(body)).encode() + b'\r\nConnection: close\r\n\r\n' + body)


def split_authority(authority, default_port):
    if authority.startswith('['):
        host, _, port = authority[1:].partition(']')
        port = port.lstrip(':')
    else:
        host, _, port = authority.rpartition(':') if ':' in authority else (authority, '', '')
    return host, int(port) if port else default_port


def handle(client):
    upstream = None
    try:
        head, rest = read_head(client)
        if head is None:
            return
        method, target, version, headers, raw = parse(head)
        auth = any(k == 'proxy-authorization' for k, _ in headers)
        if credentials is not None and ('proxy-authorization', credentials) not in headers:
            record(method=method, target=target, websocket=is_upgrade(headers), refused=True, auth=auth,
                   status=407)
            client.sendall(b'HTTP/1.1 407 Proxy Authentication Required\r\n'
                           b'Proxy-Authenticate: Basic realm="proxy"\r\nContent-Length: 0\r\n'
                           b'Connection: close\r\n\r\n')
            return
        if method == 'CONNECT':
            if mode == 'no-connect':
                record(method=method, target=target, websocket=False, refused=True, auth=auth)
                refuse(client)
                return
            host, port = split_authority(target, 443)
            upstream = socket.create_connection((host, port), timeout=10)
            upstream.settimeout(None)
            client.sendall(b'HTTP/1.1 200 Connection established\r\n\r\n')
            first = rest
            websocket = False
            if mode == 'no-websocket':
                # Peek at the tunnel's first request, when it is plain HTTP.
                client.settimeout(2)
                try:
                    while b'\r\n\r\n' not in first and len(first) < 65536 and first[:1] not in (b'\x16',):
                        chunk = client.recv(4096)
                        if not chunk:
                            break
                        first += chunk
                except socket.timeout:
                    pass
                client.settimeout(None)
                if first[:1] != b'\x16' and b'\r\n\r\n' in first:
                    inner = parse(first.split(b'\r\n\r\n', 1)[0].decode('latin-1'))
                    websocket = is_upgrade(inner[3])
            record(method=method, target=target, websocket=websocket, refused=websocket, auth=auth)
            if websocket:
                return
            if first:
                upstream.sendall(first)
            splice(client, upstream)
            return

        websocket = is_upgrade(headers)
        refused = websocket and mode == 'no-websocket'
        record(method=method, target=target, websocket=websocket, refused=refused, auth=auth)
        if refused:
            refuse(client, b'502 Bad Gateway')
            return
        # libsoup asks for ws:// URIs so, as it does for http:// ones.
        scheme, _, rest_of_target = target.partition('://')
        if scheme not in ('http', 'ws'):
            refuse(client, b'400 Bad Request')
            return
        authority, _, path = rest_of_target.partition('/')
        host, port = split_authority(authority, 80)
        kept = [line for line in raw
                if line.split(':', 1)[0].strip().lower() not in ('proxy-authorization', 'proxy-connection')
                and (websocket or line.split(':', 1)[0].strip().lower() not in ('connection', 'keep-alive'))]
        kept.append('Via: 1.1 obico-test-proxy')
        if not websocket:
            kept.append('Connection: close')
        upstream = socket.create_connection((host, port), timeout=10)
        upstream.settimeout(None)
        upstream.sendall(('%s /%s %s\r\n' % (method, path, version) + '\r\n'.join(kept) + '\r\n\r\n')
                         .encode('latin-1') + rest)
        splice(client, upstream)
    except OSError:
        pass
    finally:
        for s in (client, upstream):
            if s is not None:
                try:
                    s.close()
                except OSError:
                    pass


def control():
    global mode
    for line in sys.stdin:
        words = line.split()
        if words[:1] == ['mode'] and len(words) == 2:
            mode = words[1]
            record(control='mode', mode=mode)


def main():
    global mode
    parser = argparse.ArgumentParser()
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=0)
    parser.add_argument('--mode', default='pass', choices=('pass', 'no-websocket', 'no-connect'))
    parser.add_argument('--user', help='NAME:PASSWORD the proxy asks for')
    args = parser.parse_args()
    mode = args.mode
    if args.user:
        global credentials
        credentials = 'Basic ' + base64.b64encode(args.user.encode()).decode()
    listener = socket.socket(socket.AF_INET6 if ':' in args.host else socket.AF_INET)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((args.host, args.port))
    listener.listen(64)
    sys.stdout.write('proxy listening on %d\n' % listener.getsockname()[1])
    sys.stdout.flush()
    threading.Thread(target=control, daemon=True).start()
    while True:
        client, _ = listener.accept()
        threading.Thread(target=handle, args=(client,), daemon=True).start()


if __name__ == '__main__':
    main()
