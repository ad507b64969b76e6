"""Network namespaces for the network-fault tests (stdlib only, run as root).

    net = NetPair()          # two namespaces, "cli" and "srv", joined by a veth pair
    net.up()                 # raises NetnsError with a clear sentence when it cannot
    net.enter_server()       # this thread (and what it starts) now lives in "srv"
    ...                      # obico-sim --host 0.0.0.0 here; the daemon via net.exec_prefix()
    net.fault(loss=0.3)      # client → server packets: 30 % lost
    net.fault(delay=0.5)     # client → server packets: 500 ms late
    net.fault(loss=0.3, both_ways=True)   # and server → client ones too
    net.blackhole()          # the kernel route to the server discards everything
    net.clear()
    net.down()               # always, in a finally

Traffic stays between the two namespaces: the only addresses are 10.200.N.1/30 (client) and
10.200.N.2/30 (server), assigned inside them.

Faults act on the client's egress, as `tc qdisc add dev … root netem` would there.  This
machine's kernel has no netem (CONFIG_NET_SCH_NETEM is not set, no modules), nor gact or
nftables, so loss and delay come from a small forwarder of our own: while a fault is on, the
client's /32 route to the server (and for both_ways the server's to the client) points at a
TUN device; `python3 netns.py inject` reads
each IP packet from it, drops it with the given probability or holds it for the delay, and
sends it on through the veth with a packet socket.  Only loss and delay are modelled, no
reordering beyond what a changed delay causes.
"""
import ctypes
import errno
import heapq
import os
import random
import select
import socket
import struct
import subprocess
import sys
import threading
import time

CLONE_NEWNET = 0x40000000
PREFIX = 'ocdtest-'
_libc = ctypes.CDLL(None, use_errno=True)


class NetnsError(RuntimeError):
    pass


def _run(*cmd, check=True):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          stdin=subprocess.DEVNULL, timeout=30)
    if check and proc.returncode != 0:
        raise NetnsError('`%s` failed (exit %d): %s' % (' '.join(cmd), proc.returncode,
                                                        proc.stderr.strip()))
    return proc.stdout


def setns(path_or_fd):
    """Moves the calling thread into a network namespace (other threads stay)."""
    fd = os.open(path_or_fd, os.O_RDONLY) if isinstance(path_or_fd, str) else path_or_fd
    try:
        if _libc.setns(fd, CLONE_NEWNET) != 0:
            e = ctypes.get_errno()
            raise NetnsError('setns(%s): %s' % (path_or_fd, os.strerror(e)))
    finally:
        if isinstance(path_or_fd, str):
            os.close(fd)


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale():
    """Deletes namespaces of earlier runs whose test process is gone."""
    for line in _run('ip', 'netns', 'list', check=False).splitlines():
        name = line.split()[0] if line.split() else ''
        if not name.startswith(PREFIX):
            continue
        try:
            pid = int(name[len(PREFIX):].split('-')[0])
        except ValueError:
            continue
        if not _alive(pid):
            _run('ip', 'netns', 'del', name, check=False)


class NetPair:
    def __init__(self):
        pid = os.getpid()
        self.cli = '%s%d-cli' % (PREFIX, pid)
        self.srv = '%s%d-srv' % (PREFIX, pid)
        self.cli_if = 'ocd%dc' % pid          # IFNAMSIZ: at most 15 characters
        self.srv_if = 'ocd%ds' % pid
        self.tun_if = 'ocd%dt' % pid
        n = pid % 250 + 1
        self.cli_addr = '10.200.%d.1' % n
        self.srv_addr = '10.200.%d.2' % n
        self.injectors = {}     # 'cli' / 'srv' → the injector process of that side
        self._home = None
        self._made = False
        self.fault_name = None

    # -- life ----------------------------------------------------------------

    def up(self):
        if os.geteuid() != 0:
            raise NetnsError('network-fault tests need root (ip netns add); running as uid %d'
                             % os.geteuid())
        for tool in ('/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'):
            if os.path.exists(tool):
                break
        else:
            raise NetnsError('iproute2 (`ip`) is not installed: apt-get install iproute2')
        if not os.path.exists('/dev/net/tun'):
            raise NetnsError('/dev/net/tun is missing: the kernel needs CONFIG_TUN for the '
                             'fault injector')
        remove_stale()
        self._made = True
        try:
            _run('ip', 'netns', 'add', self.cli)
            _run('ip', 'netns', 'add', self.srv)
            _run('ip', 'link', 'add', 'name', self.cli_if, 'netns', self.cli, 'type', 'veth',
                 'peer', 'name', self.srv_if, 'netns', self.srv)
            for ns, dev, addr in ((self.cli, self.cli_if, self.cli_addr),
                                  (self.srv, self.srv_if, self.srv_addr)):
                _run('ip', '-n', ns, 'link', 'set', 'lo', 'up')
                _run('ip', '-n', ns, 'addr', 'add', addr + '/30', 'dev', dev)
                _run('ip', '-n', ns, 'link', 'set', dev, 'up')
            # Answers come back on the veth while the route points at the TUN device.
            for ns, dev in ((self.cli, self.cli_if), (self.srv, self.srv_if)):
                for conf in ('all', 'default', dev):
                    self.sysctl(ns, 'net/ipv4/conf/%s/rp_filter' % conf, '0')
            self.cli_mac = self._mac(self.cli, self.cli_if)
            self.srv_mac = self._mac(self.srv, self.srv_if)
            self._home = os.open('/proc/self/task/%d/ns/net' % threading.get_native_id(), os.O_RDONLY)
        except Exception:
            self.down()
            raise
        return self

    def down(self):
        """Removes everything up() made; safe to call twice and after a partial up()."""
        errors = []
        self.stop_injectors()
        if self._home is not None:
            try:
                setns(self._home)
            except NetnsError as e:
                errors.append(str(e))
            os.close(self._home)
            self._home = None
        if self._made:
            for ns in (self.cli, self.srv):
                _run('ip', 'netns', 'del', ns, check=False)
            left = [ns for ns in _run('ip', 'netns', 'list', check=False).split()
                    if ns in (self.cli, self.srv)]
            if left:
                errors.append('namespaces left behind: %s' % left)
            self._made = False
        if errors:
            raise NetnsError('; '.join(errors))

    def __enter__(self):
        return self.up()

    def __exit__(self, *exc):
        self.down()

    # -- helpers -------------------------------------------------------------

    @staticmethod
    def sysctl(ns, key, value):
        _run('ip', 'netns', 'exec', ns, 'sh', '-c', 'echo %s > /proc/sys/%s' % (value, key))

    @staticmethod
    def _mac(ns, dev):
        return _run('ip', 'netns', 'exec', ns, 'cat', '/sys/class/net/%s/address' % dev).strip()

    def exec_prefix(self, ns=None):
        return ['ip', 'netns', 'exec', ns or self.cli]

    def enter_server(self):
        """The calling thread, and every process it starts from now on, is in "srv"."""
        setns('/run/netns/' + self.srv)

    def enter_client(self):
        setns('/run/netns/' + self.cli)

    def leave(self):
        if self._home is not None:
            setns(self._home)

    def ip(self, *args, check=True):
        return _run('ip', '-n', self.cli, *args, check=check)

    # -- faults --------------------------------------------------------------

    def _sides(self):
        """(namespace, tun, veth, own address, peer address, own MAC, peer MAC) per direction."""
        return {'cli': (self.cli, self.tun_if, self.cli_if, self.cli_addr, self.srv_addr,
                        self.cli_mac, self.srv_mac),
                'srv': (self.srv, self.tun_if[:-1] + 'r', self.srv_if, self.srv_addr,
                        self.cli_addr, self.srv_mac, self.cli_mac)}

    def start_injector(self, side='cli'):
        if side in self.injectors:
            return self.injectors[side]
        ns, tun, dev, _, _, mac, peer_mac = self._sides()[side]
        proc = subprocess.Popen(
            self.exec_prefix(ns) + [sys.executable or '/usr/bin/python3', os.path.abspath(__file__),
                                    'inject', tun, dev, mac, peer_mac],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        self.injectors[side] = proc
        line = proc.stdout.readline().strip()
        if line != 'ready':
            self.stop_injectors()
            raise NetnsError('the fault injector did not start: %r' % line)
        _run('ip', '-n', ns, 'link', 'set', tun, 'up')
        return proc

    def stop_injectors(self):
        for proc in self.injectors.values():
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            for f in (proc.stdin, proc.stdout):
                try:
                    f.close()
                except OSError:
                    pass
        self.injectors = {}

    @staticmethod
    def _ask(proc, line):
        proc.stdin.write(line + '\n')
        proc.stdin.flush()
        reply = proc.stdout.readline().strip()
        if not reply:
            raise NetnsError('the fault injector died (exit %s)' % proc.poll())
        return reply

    def fault(self, loss=0.0, delay=0.0, both_ways=False):
        """Client → server packets (and server → client ones with @both_ways): lost with
        probability @loss, held @delay seconds."""
        for side in ('cli', 'srv') if both_ways else ('cli',):
            ns, tun, _, addr, peer, _, _ = self._sides()[side]
            self._ask(self.start_injector(side), 'set %f %f' % (loss, delay))
            _run('ip', '-n', ns, 'route', 'replace', peer + '/32', 'dev', tun, 'src', addr)
        self.fault_name = 'loss %g %%, delay %g ms%s' % (loss * 100, delay * 1000,
                                                         ', both ways' if both_ways else '')

    def blackhole(self):
        """The kernel's own: `ip route add blackhole` for the server's address."""
        self.ip('route', 'replace', 'blackhole', self.srv_addr + '/32')
        self.fault_name = 'blackhole route'

    def clear(self):
        for side, (ns, _, _, _, peer, _, _) in self._sides().items():
            _run('ip', '-n', ns, 'route', 'del', peer + '/32', check=False)
            if side in self.injectors:
                self._ask(self.injectors[side], 'set 0 0')
        self.fault_name = None

    def injector_stats(self):
        """{'forwarded': n, 'dropped': n} since the injectors started, both directions."""
        total = {'forwarded': 0, 'dropped': 0}
        for proc in self.injectors.values():
            words = self._ask(proc, 'stats').split()
            total['forwarded'] += int(words[1])
            total['dropped'] += int(words[3])
        return total


# -- the injector process ------------------------------------------------------

TUNSETIFF = 0x400454ca
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000


def inject(tun_name, dev, src_mac, dst_mac):
    tun = os.open('/dev/net/tun', os.O_RDWR)
    import fcntl
    fcntl.ioctl(tun, TUNSETIFF, struct.pack('16sH', tun_name.encode(), IFF_TUN | IFF_NO_PI))
    out = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    out.bind((dev, 0))
    header = bytes.fromhex(dst_mac.replace(':', '')) + bytes.fromhex(src_mac.replace(':', '')) \
        + b'\x08\x00'
    loss, delay = 0.0, 0.0
    forwarded = dropped = 0
    held = []          # (due, seq, packet)
    seq = 0
    stdin = sys.stdin.fileno()
    print('ready', flush=True)
    while True:
        timeout = max(0.0, held[0][0] - time.monotonic()) if held else None
        readable, _, _ = select.select([tun, stdin], [], [], timeout)
        if stdin in readable:
            line = sys.stdin.readline()
            if not line:
                return 0
            words = line.split()
            if words[:1] == ['set']:
                loss, delay = float(words[1]), float(words[2])
                print('ok', flush=True)
            elif words[:1] == ['stats']:
                print('forwarded %d dropped %d' % (forwarded, dropped), flush=True)
            else:
                print('error', flush=True)
        if tun in readable:
            try:
                packet = os.read(tun, 65536)
            except OSError as e:
                if e.errno in (errno.EAGAIN, errno.EINTR):
                    packet = b''
                else:
                    raise
            if packet and packet[0] >> 4 == 4:
                if random.random() < loss:
                    dropped += 1
                else:
                    seq += 1
                    heapq.heappush(held, (time.monotonic() + delay, seq, packet))
        now = time.monotonic()
        while held and held[0][0] <= now:
            _, _, packet = heapq.heappop(held)
            try:
                out.send(header + packet)
                forwarded += 1
            except OSError:
                dropped += 1


if __name__ == '__main__':
    if sys.argv[1:2] == ['inject'] and len(sys.argv) == 6:
        sys.exit(inject(*sys.argv[2:]))
    print('usage: netns.py inject TUN DEV SRC_MAC DST_MAC', file=sys.stderr)
    sys.exit(2)
