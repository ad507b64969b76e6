#!/usr/bin/python3
"""obico-connect benchmark: prints figures, asserts nothing.

    /usr/bin/python3 tests/bench.py [--build DIR] [--quick]

Against obico-sim on loopback, with the real daemon on a private bus:
- Test() through D-Bus (`busctl call`) vs `curl` of the same URL, paired, medians;
- `obicoctl status` vs `busctl get-property` of the properties it shows, paired;
- time from the server process being killed to State leaving okay (median of 20);
- time to notice a silently vanished server (SIGSTOP), default dead-peer timeout;
- daemon RSS and anonymous memory after 2 minutes linked;
- CPU seconds over 2 idle minutes (heartbeat included);
- what observing the host adds (the Host property): CPU per idle hour, wake-ups and memory of a linked
  daemon on a host that tells nothing, against one with NetworkManager, timedated and a Raspberry Pi's
  get_throttled (python-dbusmock and umockdev, as tests/test-host.py), and the CPU of one Wi-Fi signal
  change; with --baseline-connectd, also against another build's daemon (one without ocd-host) on the
  host that tells nothing;
- what watching more printers costs (KIAUH instances in the watch role): memory (RSS, PSS) per
  additional printer and CPU per idle hour, 1 printer against 3 (--printers-only);
- what the host's history adds (GetReport's host_history): the CPU of recording the Host changes an
  idle hour brings (counted in the idle run above) and of a signal that moves every 5 s, and the memory
  of 24 h of such a signal, fed with the time it would have to the real ocd-host-history
  (tests/bench-host-history), with GetReport's host_history then (its size and build time).

    /usr/bin/python3 tests/bench.py --outage 600 [--build DIR]

instead runs tests/test-notify.py's long-outage test with an outage of that many seconds (by hand, not
in CI): the notifier with a dbusmock notification server under Xvfb, the server killed and started
again, and the times from its return to the first good reconnect, to State okay and to the
"back online" notification.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def clock_ticks():
    return os.sysconf('SC_CLK_TCK')


def cpu_seconds(pid):
    with open('/proc/%d/stat' % pid) as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / clock_ticks()


def memory(pid):
    out = {}
    with open('/proc/%d/smaps_rollup' % pid) as f:
        for line in f:
            parts = line.split()
            if parts[0] in ('Rss:', 'Anonymous:', 'Private_Clean:', 'Private_Dirty:', 'Pss:'):
                out[parts[0][:-1]] = int(parts[1]) / 1024.0
    return out


def per_thread(pid):
    """{thread: (CPU ns, context switches)}: schedstat is finer than clock
    ticks, and each context switch is a wake-up."""
    out = {}
    for tid in os.listdir('/proc/%d/task' % pid):
        try:
            with open('/proc/%d/task/%s/schedstat' % (pid, tid)) as f:
                ns = int(f.read().split()[0])
            switches = 0
            with open('/proc/%d/task/%s/status' % (pid, tid)) as f:
                for line in f:
                    if line.startswith(('voluntary_ctxt_switches', 'nonvoluntary_ctxt_switches')):
                        switches += int(line.split()[1])
        except FileNotFoundError:      # the thread just ended
            continue
        out[tid] = (ns, switches)
    return out


def since(before, after):
    """CPU ns and wake-ups between two per_thread() samples, threads that
    started meanwhile counted whole (one that ended is lost: GLib's idle pool
    threads, which do nothing)."""
    ns = sum(a[0] - before.get(tid, (0, 0))[0] for tid, a in after.items())
    switches = sum(a[1] - before.get(tid, (0, 0))[1] for tid, a in after.items())
    return ns, switches


def host_idle(binary, tells, idle, changes=0):
    """A linked daemon (default heartbeat, 30 s) in an umockdev testbed, on a
    host that tells nothing or (@tells) everything: CPU ns and wake-ups over
    @idle seconds, memory, and the CPU ns of each of @changes signal changes."""
    from harness import PrivateBus, Daemon, pump
    from simctl import Sim
    from hostfakes import NM_AP, Mock, NetworkManager, Testbed, TIMEDATED
    from gi.repository import GLib

    tmp = tempfile.mkdtemp(prefix='obico-bench-host-')
    state = os.path.join(tmp, 'state')
    os.mkdir(state, 0o700)
    conf = os.path.join(tmp, 'obico-connect.conf')
    sim = Sim().start()
    with open(conf, 'w') as f:
        f.write('[server]\nurl=%s\n' % sim.url)
    bus = PrivateBus()
    testbed = Testbed()
    mocks = []
    if tells:
        nm = NetworkManager(bus)
        nm.set_powersave(2)
        mocks += [nm, Mock(bus, 'timedated', TIMEDATED, {'NTP': True})]
        testbed.firmware(0x50000)
    daemon = Daemon(bus, state, conf, extra_args=['--agent-settings', ''], env=testbed.env())
    os.environ['OBICO_CONNECTD'], saved = binary, os.environ['OBICO_CONNECTD']
    try:
        daemon.start()
    finally:
        os.environ['OBICO_CONNECTD'] = saved
    try:
        daemon.call('Link', 's', sim.new_code(name='Bench'))
        daemon.wait_prop('State', 'okay')
        if tells:
            daemon.wait_prop('Host', lambda h: 'wifi_signal' in h and 'under_voltage' in h and
                             'clock_synchronized' in h)
        time.sleep(5)
        pid = daemon.proc.pid
        pump()
        seen = len(daemon.changes)
        before, t0 = per_thread(pid), time.monotonic()
        time.sleep(idle)
        cpu, woke = since(before, per_thread(pid))
        out = {'cpu': cpu, 'wakeups': woke, 'span': time.monotonic() - t0}
        out.update(memory(pid))
        pump()
        # what the history records: Host's changes while idle (the RTT at a heartbeat …)
        out['host_changes'] = sum(1 for _, c in daemon.changes[seen:] if 'Host' in c)
        if changes:
            # Each change: NetworkManager's PropertiesChanged in, Host's out (waited
            # for on the bus, so no Get of ours counts).
            before = per_thread(pid)
            for i in range(changes):
                strength = 20 + 60 * (i % 2)      # a move Host follows (not jitter)
                seen = len(daemon.changes)
                nm.set(nm.ap, NM_AP, 'Strength', GLib.Variant('y', strength))
                while not any(c.get('Host', {}).get('wifi_signal') == strength for _, c in daemon.changes[seen:]):
                    pump(0.005)
            out['change'] = since(before, per_thread(pid))[0] / changes
        out['history'] = len(daemon.call('GetReport').get('host_history', []))
        return out
    finally:
        daemon.stop()
        for mock in mocks:
            mock.close()
        bus.close()
        sim.close()


def bench_host(build, baseline, idle, changes):
    binary = os.path.join(build, 'daemon', 'obico-connectd')
    runs = [('tells nothing', binary, False, 0), ('tells everything', binary, True, changes)]
    if baseline:
        runs.insert(0, ('baseline daemon', baseline, False, 0))
    results = {}
    for name, path, tells, n in runs:
        r = results[name] = host_idle(path, tells, idle, n)
        print('host %-17s idle CPU %.1f ms per hour (%.2f ms over %.0f s), %.0f wake-ups per hour, '
              'RSS %.2f MiB, anonymous %.2f MiB' %
              (name + ':', r['cpu'] / 1e6 * 3600 / r['span'], r['cpu'] / 1e6, r['span'],
               r['wakeups'] * 3600 / r['span'], r['Rss'], r['Anonymous']))
    nothing, everything = results['tells nothing'], results['tells everything']
    per_hour = (everything['cpu'] / everything['span'] - nothing['cpu'] / nothing['span']) * 3600 / 1e6
    print('observing the host adds:  %.1f ms CPU per idle hour, %.0f wake-ups per hour, RSS %+.2f MiB, '
          'anonymous %+.2f MiB (NetworkManager, timedated, get_throttled against none)' %
          (per_hour, (everything['wakeups'] / everything['span'] - nothing['wakeups'] / nothing['span']) * 3600,
           everything['Rss'] - nothing['Rss'], everything['Anonymous'] - nothing['Anonymous']))
    print('one Wi-Fi signal change:  %.3f ms CPU (mean of %d, PropertiesChanged in and out)' %
          (everything['change'] / 1e6, changes))
    bench_history(build, everything, changes)
    if baseline:
        base = results['baseline daemon']
        print('against the baseline:     %.1f ms CPU per idle hour, RSS %+.2f MiB, anonymous %+.2f MiB '
              '(host that tells nothing)' %
              ((nothing['cpu'] / nothing['span'] - base['cpu'] / base['span']) * 3600 / 1e6,
               nothing['Rss'] - base['Rss'], nothing['Anonymous'] - base['Anonymous']))


def printers_idle(n, idle):
    """The daemon watching @n printers (moonraker-obico of KIAUH instances,
    each its own printer on obico-sim, default check intervals), all checked:
    CPU ns and wake-ups over @idle seconds, and memory."""
    from harness import PrivateBus, Daemon, pump
    from simctl import Sim
    from gi.repository import Gio

    tmp = tempfile.mkdtemp(prefix='obico-bench-printers-')
    state = os.path.join(tmp, 'state')
    os.mkdir(state, 0o700)
    conf = os.path.join(tmp, 'obico-connect.conf')
    sim = Sim().start()
    with open(conf, 'w') as f:
        f.write('[server]\nurl=%s\n' % sim.url)
    args = []
    for i in range(1, n + 1):
        printer = sim.add_printer('Bench %d' % i)
        path = os.path.join(tmp, 'home', 'pi', 'printer_%d_data' % i, 'config', 'moonraker-obico.cfg')
        os.makedirs(os.path.dirname(path))
        with open(path, 'w') as f:
            f.write('[server]\nurl = %s\nauth_token = %s\n' % (sim.url, printer['token']))
        args += ['--agent-settings', path]
    bus = PrivateBus()
    daemon = Daemon(bus, state, conf, extra_args=args)
    daemon.start()
    try:
        def okay():
            reply = bus.conn.call_sync('io.obico.Connect1', '/io/obico/Connect1',
                                       'org.freedesktop.DBus.ObjectManager', 'GetManagedObjects', None, None,
                                       Gio.DBusCallFlags.NONE, -1, None).unpack()[0]
            # the checks have answered (no official agent runs here, so the app would show
            # the printers offline and State is not okay: the cost of watching is the same)
            printers = [o['io.obico.Connect1.Printer'] for o in reply.values()]
            return len(printers) == n and all(p['Http'] == 'ok' and p['WebSocket'] == 'reachable'
                                              for p in printers)
        end = time.monotonic() + 60
        while not okay():
            if time.monotonic() > end:
                raise SystemExit('%d printers were not all checked' % n)
            pump(0.1)
        time.sleep(5)
        pid = daemon.proc.pid
        before, t0 = per_thread(pid), time.monotonic()
        time.sleep(idle)
        cpu, woke = since(before, per_thread(pid))
        out = {'cpu': cpu, 'wakeups': woke, 'span': time.monotonic() - t0}
        out.update(memory(pid))
        return out
    finally:
        daemon.stop()
        bus.close()
        sim.close()


def bench_printers(idle, counts=(1, 3)):
    """What watching more printers costs: memory per additional printer and
    CPU per idle hour, 1 against 3 (the watch role's default cadence: /hc/
    every 60 s, the credentials and an anonymous upgrade every 10 min, and
    what the app shows sampled from the kernel every 10 s, per printer)."""
    results = {}
    for n in counts:
        r = results[n] = printers_idle(n, idle)
        print('%d printer%s watched:       idle CPU %.1f ms per hour (%.2f ms over %.0f s), %.0f wake-ups '
              'per hour, RSS %.2f MiB, PSS %.2f MiB, anonymous %.2f MiB' %
              (n, ' ' if n == 1 else 's', r['cpu'] / 1e6 * 3600 / r['span'], r['cpu'] / 1e6, r['span'],
               r['wakeups'] * 3600 / r['span'], r['Rss'], r['Pss'], r['Anonymous']))
    low, high = results[counts[0]], results[counts[-1]]
    more = counts[-1] - counts[0]
    print('each additional printer:  RSS %+.2f MiB, PSS %+.2f MiB, anonymous %+.2f MiB, idle CPU %+.1f ms '
          'per hour, %+.0f wake-ups per hour' %
          ((high['Rss'] - low['Rss']) / more, (high['Pss'] - low['Pss']) / more,
           (high['Anonymous'] - low['Anonymous']) / more,
           (high['cpu'] / high['span'] - low['cpu'] / low['span']) * 3600 / 1e6 / more,
           (high['wakeups'] / high['span'] - low['wakeups'] / low['span']) * 3600 / more))


def bench_history(build, everything, changes):
    """What the host's history adds: its CPU per Host change and its memory over
    24 h, from tests/bench-host-history (the real module, the time fed in), and
    the Host changes an idle hour of the linked daemon brought."""
    out = subprocess.run([os.path.join(build, 'tests', 'bench-host-history')], check=True,
                         capture_output=True, text=True).stdout
    h = {k: float(v) for k, v in (line.split() for line in out.splitlines())}
    record = (h['record_ns'] + h['record_ns_day2']) / 2
    idle_changes = everything['host_changes'] * 3600 / everything['span']
    print('host history, 24 h:       %d changes of a signal moving every 5 s (and the RTT every 30 s): '
          '%d entries, %.0f KiB of entries, %.0f KiB of heap (%.0f KiB after a second day)' %
          (h['changes'], h['entries_day2'], h['entries_bytes'] / 1024, h['heap_bytes'] / 1024,
           h['heap_bytes_day2'] / 1024))
    print('host history, CPU:        %.1f µs per Host change recorded; an idle hour brought %.0f Host changes '
          '= %.2f ms per idle hour, no wake-up of its own; a signal moving every 5 s: %.1f ms per hour' %
          (record / 1e3, idle_changes, idle_changes * record / 1e6, 720 * record / 1e6))
    print('host history, GetReport:  %.0f KiB of host_history for a full day, built in %.1f ms; the linked '
          'daemon above: %d entries after %d signal changes' %
          (h['variant_bytes'] / 1024, h['to_variant_ns'] / 1e6, everything['history'], changes))


def bench_outage(build, seconds):
    """tests/test-notify.py's TestLongOutage with an outage of @seconds."""
    import importlib.util
    import unittest

    os.environ.setdefault('OBICO_CONNECT', os.path.join(build, 'gui', 'obico-connect'))
    os.environ.setdefault('GSETTINGS_SCHEMA_DIR', os.path.join(build, 'data'))
    spec = importlib.util.spec_from_file_location('test_notify', os.path.join(HERE, 'test-notify.py'))
    notify = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(notify)

    class Outage(notify.TestLongOutage):
        outage_seconds = seconds

    result = unittest.TextTestRunner(verbosity=2).run(
        unittest.defaultTestLoader.loadTestsFromTestCase(Outage))
    if not result.wasSuccessful():
        raise SystemExit(1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--build', default=os.path.join(HERE, '..', 'build'))
    ap.add_argument('--quick', action='store_true', help='fewer rounds, shorter idle (a smoke run)')
    ap.add_argument('--host-only', action='store_true', help='only what observing the host adds')
    ap.add_argument('--printers-only', action='store_true',
                    help='only what watching more printers costs (1 against 3)')
    ap.add_argument('--idle', type=float, metavar='S', help='seconds of each idle measurement')
    ap.add_argument('--baseline-connectd', metavar='PATH',
                    help='another build\'s obico-connectd to compare the host observers with')
    ap.add_argument('--outage', type=float, metavar='S',
                    help='only: an outage of S seconds, with the notifier (tests/test-notify.py)')
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    os.environ.setdefault('OBICO_CONNECTD', os.path.join(build, 'daemon', 'obico-connectd'))
    os.environ.setdefault('OBICO_SIM', os.path.join(build, 'tests', 'sim', 'obico-sim'))

    if args.outage:
        bench_outage(build, args.outage)
        return

    from harness import PrivateBus, Daemon
    from simctl import Sim

    rounds = 40 if args.quick else 200
    kills = 5 if args.quick else 20
    idle = args.idle or (20 if args.quick else 120)

    if args.printers_only:
        bench_printers(idle)
        return
    if args.host_only:
        bench_host(build, args.baseline_connectd, idle, 20 if args.quick else 100)
        return

    tmp = tempfile.mkdtemp(prefix='obico-bench-')
    state = os.path.join(tmp, 'state')
    os.mkdir(state, 0o700)
    conf = os.path.join(tmp, 'obico-connect.conf')
    sim = Sim().start()
    with open(conf, 'w') as f:
        f.write('[server]\nurl=%s\n' % sim.url)
    bus = PrivateBus()
    daemon = Daemon(bus, state, conf)
    daemon.extra_args = ['--agent-settings', '']
    daemon.start()
    env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=bus.address)
    printer_id, _ = daemon.call('Link', 's', sim.new_code(name='Bench'))
    token = sim.printer(printer_id)['token']
    daemon.wait_prop('State', 'okay')
    linked_at = time.monotonic()
    pid = daemon.proc.pid
    print('obico-connect benchmark — %s, %d cores' % (os.uname().machine, os.cpu_count()))

    # 1. Test() over D-Bus vs curl, paired.
    busctl = ['busctl', '--user', 'call', 'io.obico.Connect1', '/io/obico/Connect1',
              'io.obico.Connect1', 'Test']
    curl = ['curl', '-s', '-o', '/dev/null', '-H', 'Authorization: Token ' + token,
            sim.url + '/api/v1/octo/printer/']
    t_bus, t_curl = [], []
    for i in range(rounds):
        pair = [(busctl, t_bus), (curl, t_curl)]
        if i % 2:
            pair.reverse()
        for cmd, out in pair:
            start = time.perf_counter()
            res = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, check=True)
            out.append(time.perf_counter() - start)
            if cmd is busctl and b'succeeded' not in res.stdout:
                raise SystemExit('Test() did not succeed: %r' % res.stdout)
    mb, mc = statistics.median(t_bus), statistics.median(t_curl)
    print('Test() via busctl:        median %.2f ms (p90 %.2f) over %d' %
          (mb * 1e3, statistics.quantiles(t_bus, n=10)[-1] * 1e3, rounds))
    print('curl of the same URL:     median %.2f ms (p90 %.2f) over %d' %
          (mc * 1e3, statistics.quantiles(t_curl, n=10)[-1] * 1e3, rounds))
    print('ratio busctl/curl:        %.2f (target ≤ 2)' % (mb / mc))

    # 1b. obicoctl status vs busctl get-property of every property it reads
    #     (one GetAll for obicoctl, one Get each for busctl), paired.
    obicoctl = [os.path.join(build, 'cli', 'obicoctl'), '--session', 'status']
    props = ['Version', 'ServerUrl', 'Role', 'CredentialSource', 'PrinterId', 'PrinterName', 'State',
             'Problem', 'ProblemDetail', 'Http', 'WebSocket', 'LastContact', 'ErrorStats', 'DebugLogging']
    get = ['busctl', '--user', 'get-property', 'io.obico.Connect1', '/io/obico/Connect1',
           'io.obico.Connect1'] + props
    t_ctl, t_get = [], []
    for i in range(rounds):
        pair = [(obicoctl, t_ctl), (get, t_get)]
        if i % 2:
            pair.reverse()
        for cmd, out in pair:
            start = time.perf_counter()
            subprocess.run(cmd, env=dict(env, LC_ALL='C.UTF-8'), stdout=subprocess.DEVNULL, check=True)
            out.append(time.perf_counter() - start)
    mo, mg = statistics.median(t_ctl), statistics.median(t_get)
    ratios = [a / b for a, b in zip(t_ctl, t_get)]
    print('obicoctl status:          median %.2f ms (p90 %.2f) over %d (target < 50 ms)' %
          (mo * 1e3, statistics.quantiles(t_ctl, n=10)[-1] * 1e3, rounds))
    print('busctl get-property ×%d:  median %.2f ms (p90 %.2f) over %d' %
          (len(props), mg * 1e3, statistics.quantiles(t_get, n=10)[-1] * 1e3, rounds))
    print('ratio obicoctl/busctl:    median of pairs %.2f (target ≤ 1.5)' % statistics.median(ratios))

    # 2./5. Idle: memory after 2 minutes linked, CPU over the idle period.
    wait = idle - (time.monotonic() - linked_at)
    cpu0 = cpu_seconds(pid)
    t0 = time.monotonic()
    time.sleep(max(wait, idle))
    cpu = cpu_seconds(pid) - cpu0
    span = time.monotonic() - t0
    mem = memory(pid)
    print('idle CPU:                 %.3f s over %.0f s = %.3f s per 20 s (target ≤ 0.1)' %
          (cpu, span, cpu * 20 / span))
    print('memory after %3.0f s linked: RSS %.1f MiB, anonymous %.1f MiB, private %.1f MiB, PSS %.1f MiB '
          '(targets RSS ≤ 12, anon ≤ 4)' %
          (time.monotonic() - linked_at, mem['Rss'], mem['Anonymous'],
           mem['Private_Clean'] + mem['Private_Dirty'], mem['Pss']))

    # 3. Server killed → State leaves okay.
    times = []
    for _ in range(kills):
        daemon.wait_prop('State', 'okay', timeout=30)
        sim.kill()
        start = time.monotonic()
        while daemon.get('State') == 'okay':
            time.sleep(0.002)
        times.append(time.monotonic() - start)
        sim.start()
        # Quick drops in a row grow the backoff on purpose; skip the wait.
        daemon.call('Reconnect')
    print('server killed → not okay: median %.1f ms, max %.1f ms over %d (target ≤ 1 s)' %
          (statistics.median(times) * 1e3, max(times) * 1e3, kills))

    # 4. Silently vanished server (SIGSTOP), default dead-peer timeout (45 s).
    daemon.wait_prop('State', 'okay', timeout=30)
    sim.pause()
    start = time.monotonic()
    try:
        while daemon.get('State') == 'okay' and time.monotonic() - start < 120:
            time.sleep(0.05)
        vanished = time.monotonic() - start
    finally:
        sim.resume()
    print('vanished server noticed:  %.1f s (dead-peer timeout 45 s; target ≤ 45 s + check)' % vanished)

    daemon.stop()
    bus.close()
    sim.close()

    # 6. What observing the host adds.
    bench_host(build, args.baseline_connectd, idle, 20 if args.quick else 100)

    # 7. What watching more printers costs.
    bench_printers(idle)


if __name__ == '__main__':
    main()
