#!/usr/bin/python3
"""Diagnose()'s route in network namespaces of our own: the server's name looked up for A and
AAAA at a real name server (tests/dnsserver.py) named by the client namespace's resolv.conf, a
connection over IPv4 and over IPv6 to obico-sim listening on both, and the causes named from
that evidence and from nothing else:

- ipv6-broken: the name has an AAAA record, the IPv6 path drops every packet (the client's
  route for the server's IPv6 address points at netns.py's TUN forwarder, which passes IPv4
  only) or is a kernel blackhole, while IPv4 works; the link itself stays okay (no drops).
- dns: the name server fails (SERVFAIL, or silent) while the address the name had before
  still connects; a daemon that never saw that address names no dns.

Needs root; when namespaces cannot be made, the test FAILS with the reason (no skip).
"""
import ipaddress
import os
import shutil
import subprocess
import sys

from harness import Daemon, main
from netnscase import NetnsTestCase

NAME = 'obico.test'
TIMEOUT = 3
LAYERS = ['host', 'resolve', 'connect', 'tls', 'server', 'credentials', 'websocket']


class DnsServer:
    def __init__(self, net, address, ipv4, ipv6):
        self.proc = subprocess.Popen(net.exec_prefix(net.srv) + [
            sys.executable, os.path.join(os.path.dirname(__file__), 'dnsserver.py'), address, NAME,
            ipv4, ipv6], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        line = self.proc.stdout.readline().strip()
        if line != 'dns listening':
            raise AssertionError('dnsserver.py did not start: %r' % line)

    def mode(self, mode):
        self.proc.stdin.write('mode %s\n' % mode)
        self.proc.stdin.flush()
        assert self.proc.stdout.readline().strip() == 'ok'

    def close(self):
        self.proc.kill()
        self.proc.wait()
        self.proc.stdin.close()
        self.proc.stdout.close()


class RouteTest(NetnsTestCase):
    network = 'network namespaces, veth, IPv6, TUN'
    tmp_prefix = 'obico-route-'
    config = {'server': {'timeout': TIMEOUT}}
    sim_host = '::'
    server_name = NAME

    @classmethod
    def set_up_network(cls):
        n = cls.net.srv_addr.split('.')[2]
        cls.cli6 = str(ipaddress.IPv6Address('fd00:cd:%s::1' % n))
        cls.srv6 = str(ipaddress.IPv6Address('fd00:cd:%s::2' % n))
        for ns, dev, addr in ((cls.net.cli, cls.net.cli_if, cls.cli6),
                              (cls.net.srv, cls.net.srv_if, cls.srv6)):
            subprocess.run(['ip', '-n', ns, '-6', 'addr', 'add', addr + '/64', 'dev', dev, 'nodad'],
                           check=True)
        # ip netns exec puts these over /etc/resolv.conf and /etc/hosts for the daemon.
        cls.etc = '/etc/netns/' + cls.net.cli
        os.makedirs(cls.etc, exist_ok=True)
        with open(os.path.join(cls.etc, 'resolv.conf'), 'w') as f:
            f.write('nameserver %s\noptions timeout:2 attempts:1\n' % cls.net.srv_addr)
        with open(os.path.join(cls.etc, 'hosts'), 'w') as f:
            f.write('127.0.0.1 localhost\n')

    @classmethod
    def tear_down_network(cls):
        shutil.rmtree(cls.etc, ignore_errors=True)

    def start_servers(self):
        self.dns = DnsServer(self.net, self.net.srv_addr, self.net.srv_addr, self.srv6)
        self.servers.append(self.dns)

    def setUp(self):
        super().setUp()
        self.daemon = Daemon(self.bus, self.state_dir, self.config_path, extra_args=['--agent-settings', ''])

    def restore_network(self):
        self.net.ip('-6', 'route', 'del', self.srv6 + '/128', check=False)

    def start_linked(self):
        self.daemon.start()
        code = self.sim.new_code(name='Route Printer')
        self.daemon.call('Link', 's', code)
        self.daemon.wait_prop('State', 'okay', timeout=20)

    def diagnose(self):
        problem, fixes, steps = self.daemon.call('Diagnose', timeout=60)
        return problem, fixes, {s['name']: s for s in steps}, [s['name'] for s in steps]

    def drop_ipv6(self, how):
        if how == 'drop':
            # The TUN forwarder passes IPv4 only: every IPv6 packet to the server is lost.
            self.net.start_injector('cli')
            self.net.ip('-6', 'route', 'replace', self.srv6 + '/128', 'dev', self.net.tun_if)
        else:
            self.net.ip('-6', 'route', 'replace', 'blackhole', self.srv6 + '/128')

    def test_ipv6_broken(self):
        self.start_linked()
        problem, fixes, steps, names = self.diagnose()
        self.assertEqual((problem, names), ('', LAYERS), steps)
        resolve, connect = steps['resolve'], steps['connect']
        self.assertEqual(resolve['ipv4_addresses'], [self.net.srv_addr])
        self.assertEqual(resolve['ipv6_addresses'], [self.srv6])
        self.assertEqual(resolve['resolver'], '%s (/etc/resolv.conf)' % self.net.srv_addr)
        self.assertIn(self.net.srv_addr, resolve['detail'])
        self.assertEqual((connect['ipv4'], connect['ipv6']), ('ok', 'ok'), connect)
        host = self.daemon.get('Host')
        self.assertEqual((host['ipv4'], host['ipv6'], host['dns']), ('ok', 'ok', 'ok'))

        for how in ('drop', 'blackhole'):
            with self.subTest(how=how):
                self.drop_ipv6(how)
                problem, fixes, steps, names = self.diagnose()
                self.assertEqual(problem, 'ipv6-broken', steps)
                self.assertEqual(fixes[0], 'ipv6-broken')
                connect = steps['connect']
                self.assertTrue(connect['ok'], connect)
                self.assertEqual((connect['ipv4'], connect['ipv6']), ('ok', 'failed'), connect)
                self.assertEqual(connect['address'], '%s:%d' % (self.net.srv_addr, self.sim.port))
                self.assertIn('only IPv4 works', connect['detail'])
                # The chain went on over IPv4; what libsoup's own connection makes of the broken
                # path (it tries IPv6 first) is told in the layer that fails, if one does.
                if names != LAYERS:
                    self.assertEqual(fixes, ['ipv6-broken', 'internet', 'get-help'])
                    self.assertIn(names[-1], ('server', 'credentials', 'websocket'), steps)
                else:
                    self.assertEqual(fixes, ['ipv6-broken', 'get-help'])
                if how == 'drop':
                    self.assertIn('no answer', connect['detail'])
                host = self.daemon.get('Host')
                self.assertEqual((host['ipv4'], host['ipv6']), ('ok', 'failed'))
                self.net.clear()
                self.net.ip('-6', 'route', 'del', self.srv6 + '/128', check=False)
                self.net.ip('-6', 'route', 'del', 'blackhole', self.srv6 + '/128', check=False)

        problem, _, steps, _ = self.diagnose()
        self.assertEqual(problem, '', steps)
        self.assertEqual(self.daemon.get('Host')['ipv6'], 'ok')

    def test_name_server_fails(self):
        self.start_linked()
        problem, _, steps, _ = self.diagnose()
        self.assertEqual(problem, '', steps)

        for mode in ('servfail', 'silent'):
            with self.subTest(mode=mode):
                self.dns.mode(mode)
                problem, fixes, steps, names = self.diagnose()
                self.assertEqual(problem, 'dns', steps)
                self.assertEqual(fixes, ['dns', 'internet', 'get-help'])
                self.assertEqual(names, ['host', 'resolve', 'connect'])
                self.assertFalse(steps['resolve']['ok'])
                self.assertIn(self.net.srv_addr, steps['resolve']['detail'])   # the name server asked
                self.assertTrue(steps['connect']['ok'], steps)
                self.assertIn('had before', steps['connect']['detail'])
                host = self.daemon.get('Host')
                self.assertEqual(host['dns'], 'failed')
                self.assertNotIn('ipv4', host)

        # The printer's own connection, once it needs a new one (the server restarts, so no
        # kept-alive connection is left to reuse), fails to look the name up: State names dns.
        self.sim.stop()
        self.sim.start()
        self.daemon.wait_prop('Problem', 'dns', timeout=30)
        self.assertEqual(self.daemon.get('State'), 'error')

        self.dns.mode('ok')
        self.daemon.call('Reconnect')
        self.daemon.wait_prop('State', 'okay', timeout=30)
        problem, _, _, _ = self.diagnose()
        self.assertEqual(problem, '')
        self.assertEqual(self.daemon.get('Host')['dns'], 'ok')

    def test_slow_name_server(self):
        """Slow but answering: told, and Host's dns is slow; without drops no problem."""
        self.dns.mode('slow')
        self.daemon.start()
        problem, fixes, steps, names = self.diagnose()
        self.assertEqual(names[:3], ['host', 'resolve', 'connect'], steps)
        resolve = steps['resolve']
        self.assertTrue(resolve['ok'], resolve)
        self.assertGreaterEqual(max(resolve['ipv4_ms'], resolve['ipv6_ms']), 1000)
        self.assertIn('slow', resolve['detail'])
        self.assertEqual(self.daemon.get('Host')['dns'], 'slow')
        self.assertNotEqual(problem, 'dns', steps)

    def test_name_server_fails_without_evidence(self):
        """A name that never resolved in this daemon's life: no address to try, no dns."""
        self.dns.mode('servfail')
        self.daemon.start()
        problem, fixes, steps, names = self.diagnose()
        self.assertEqual(problem, 'server-address', steps)
        self.assertEqual(names, ['host', 'resolve'])
        self.assertNotIn('dns', self.daemon.get('Host'))


if __name__ == '__main__':
    main()
