#!/usr/bin/python3
"""A small real DNS server for the route tests (stdlib only, UDP).

    python3 dnsserver.py ADDRESS NAME IPV4 [IPV6]

Answers A and AAAA queries for NAME (TTL 0, so nothing caches them) and NXDOMAIN for other
names.  It prints "dns listening" when ready; lines on stdin change how it answers:

    mode ok        as above
    mode servfail  every query gets SERVFAIL (a name server that fails)
    mode silent    no answer at all (a name server that is gone)
    mode slow      the answers of ok, 1.2 s late (a name server far away or overloaded)
    stats          prints "queries N"
"""
import socket
import struct
import sys
import threading

mode = 'ok'
queries = 0
lock = threading.Lock()


def parse_question(data):
    """(id, flags, qname, qtype, end of the question) of a query."""
    qid, flags, qdcount = struct.unpack('!HHH', data[:6])
    pos = 12
    labels = []
    while data[pos] != 0:
        n = data[pos]
        labels.append(data[pos + 1:pos + 1 + n].decode('ascii', 'replace'))
        pos += n + 1
    pos += 1
    qtype, _ = struct.unpack('!HH', data[pos:pos + 4])
    return qid, flags, '.'.join(labels).lower(), qtype, pos + 4


def answer(data, name, ipv4, ipv6):
    qid, flags, qname, qtype, end = parse_question(data)
    question = data[12:end]
    rd = flags & 0x0100
    if mode == 'servfail':
        return struct.pack('!HHHHHH', qid, 0x8000 | rd | 0x0080 | 2, 1, 0, 0, 0) + question
    records = []
    if qname == name:
        if qtype == 1 and ipv4:
            records.append((1, socket.inet_pton(socket.AF_INET, ipv4)))
        elif qtype == 28 and ipv6:
            records.append((28, socket.inet_pton(socket.AF_INET6, ipv6)))
    rcode = 0 if qname == name else 3
    reply = struct.pack('!HHHHHH', qid, 0x8000 | 0x0400 | rd | 0x0080 | rcode, 1, len(records), 0, 0)
    reply += question
    for rtype, rdata in records:
        reply += struct.pack('!HHHIH', 0xc00c, rtype, 1, 0, len(rdata)) + rdata
    return reply


def control():
    global mode
    for line in sys.stdin:
        words = line.split()
        if words[:1] == ['mode'] and len(words) == 2:
            mode = words[1]
            print('ok', flush=True)
        elif words[:1] == ['stats']:
            with lock:
                print('queries %d' % queries, flush=True)


def main():
    global queries
    address, name = sys.argv[1], sys.argv[2].lower()
    ipv4 = sys.argv[3] if len(sys.argv) > 3 else None
    ipv6 = sys.argv[4] if len(sys.argv) > 4 else None
    sock = socket.socket(socket.AF_INET6 if ':' in address else socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((address, 53))
    threading.Thread(target=control, daemon=True).start()
    print('dns listening', flush=True)
    while True:
        data, peer = sock.recvfrom(4096)
        with lock:
            queries += 1
        if mode == 'silent':
            continue
        try:
            reply = answer(data, name, ipv4, ipv6)
        except (IndexError, struct.error):
            continue
        if mode == 'slow':
            threading.Timer(1.2, sock.sendto, (reply, peer)).start()
        else:
            sock.sendto(reply, peer)


if __name__ == '__main__':
    main()
