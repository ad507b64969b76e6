#!/usr/bin/python3
"""obicoctl against the real obico-connectd on a private bus (--session) and
obico-sim: every command in text and in --json, and the exit status a script
branches on — including when the service is not running."""
import json
import os
import pty
import queue
import signal
import subprocess
import threading
import time
import unittest
import xml.etree.ElementTree as ET

from fakeagent import FakeAgent
from harness import SLOW, DaemonTestCase, main

OBICOCTL = os.environ['OBICOCTL']
COMPLETION = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'cli', 'obicoctl.bash-completion')
INTERFACE_XML = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'dbus', 'io.obico.Connect1.xml')

OK, FAILED, USAGE, FAILED_TO_CONTACT, INVALID_CREDENTIALS, UNEXPECTED_RESPONSE, NOT_LINKED, NOT_RUNNING = range(8)

# every command, with arguments that are valid to type
COMMANDS = [['status'], ['test'], ['diagnose'], ['report'], ['log'], ['monitor'], ['link', '123456'],
            ['unlink'], ['server', 'http://127.0.0.1:9'], ['debug', 'on'], ['reset-errors'], ['reconnect'],
            ['wifi-power-save', 'off'], ['network-time', 'on']]


def interface():
    """{'properties': [names in order], method: [out argument names]}"""
    root = ET.parse(INTERFACE_XML).getroot()
    iface = root.find("interface[@name='io.obico.Connect1']")
    out = {'properties': [p.get('name') for p in iface.findall('property')]}
    for method in iface.findall('method'):
        out[method.get('name')] = [a.get('name') for a in method.findall('arg') if a.get('direction') == 'out']
    return out


class ObicoctlTestCase(DaemonTestCase):
    def env(self, **extra):
        env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=self.bus.address, LC_ALL='C.UTF-8')
        env.pop('NO_COLOR', None)
        env.update(extra)
        return env

    def ctl(self, *args, status=OK, timeout=60):
        """Runs obicoctl --session ARGS; checks its exit status; returns stdout."""
        proc = subprocess.run([OBICOCTL, '--session'] + list(args), env=self.env(),
                              capture_output=True, text=True, timeout=timeout * SLOW)
        self.last_stderr = proc.stderr
        self.assertEqual(proc.returncode, status,
                         'obicoctl %s exited %d\n--- stdout ---\n%s--- stderr ---\n%s'
                         % (' '.join(args), proc.returncode, proc.stdout, proc.stderr))
        self.assertNotIn('\033[', proc.stdout, 'colour on a pipe')
        for bad in ('CRITICAL', 'WARNING', 'runtime error:', 'AddressSanitizer'):
            self.assertNotIn(bad, proc.stderr)
        return proc.stdout

    def json(self, *args, status=OK):
        """obicoctl --json ARGS: one JSON object per line."""
        out = self.ctl('--json', *args, status=status)
        lines = out.splitlines()
        self.assertEqual(len(lines), 1, out)
        return json.loads(lines[0])

    def link_now(self, name='Prusa MK4'):
        self.ctl('link', self.sim.new_code(name=name))
        self.daemon.wait_prop('State', 'okay')


class TestNotRunning(ObicoctlTestCase):
    start_daemon = False

    def test_every_command_says_not_running(self):
        for command in COMMANDS:
            for json_flag in ([], ['--json']):
                with self.subTest(command=command, json=json_flag):
                    out = self.ctl(*(json_flag + command), status=NOT_RUNNING)
                    self.assertEqual(out, '')
                    self.assertIn('service is not running', self.last_stderr)
        self.assertEqual(self.sim.requests(), [])

    def test_no_bus_at_all(self):
        proc = subprocess.run([OBICOCTL, '--session', 'status'], capture_output=True, text=True,
                              env=dict(os.environ, DBUS_SESSION_BUS_ADDRESS='unix:path=/nonexistent/bus'))
        self.assertEqual(proc.returncode, NOT_RUNNING, proc.stderr)
        self.assertIn('session bus', proc.stderr)


class TestUsage(ObicoctlTestCase):
    def test_help_lists_every_command_and_exit_status(self):
        out = self.ctl('--help')
        for command in COMMANDS:
            self.assertIn('\n  ' + command[0] + ' ', out)
        for code in range(9):
            self.assertIn('\n  %d  ' % code, out)
        self.assertIn('0.1.0', self.ctl('--version'))

    def test_bad_command_lines(self):
        cases = [['frobnicate'], ['link'], ['link', '1', '2'], ['server'], ['debug'], ['debug', 'maybe'],
                 ['status', 'extra'], ['--printer', '0', 'status'], ['--printer', '-1'], ['--printer', 'x'],
                 ['-n', '3', 'status'], ['-f', 'report'], ['log', '-n', '-2'], ['--no-such-option'],
                 ['wifi-power-save'], ['wifi-power-save', 'on'], ['network-time', 'off'], ['network-time']]
        for args in cases:
            with self.subTest(args=args):
                self.assertEqual(self.ctl(*args, status=USAGE), '')
                self.assertTrue(self.last_stderr.strip())
        self.assertEqual(self.daemon.get('DebugLogging'), False)

    def test_printer(self):
        self.assertIn('Not linked', self.ctl('--printer', '1', 'status', status=NOT_LINKED))
        for command in COMMANDS:
            with self.subTest(command=command):
                self.ctl('--printer', '2', *command, status=USAGE)
                self.assertIn('no printer 2', self.last_stderr)


class TestUnlinked(ObicoctlTestCase):
    def test_status(self):
        out = self.ctl(status=NOT_LINKED)            # no command: status
        self.assertEqual(out, self.ctl('status', status=NOT_LINKED))
        self.assertIn('Not linked', out)
        self.assertIn('Link This Printer (not-linked)', out)
        self.assertIn(self.sim.url, out)
        self.assertIn('Never', out)
        props = self.json('status', status=NOT_LINKED)
        self.assertEqual(list(props), interface()['properties'])
        self.assertEqual(props, json.loads(json.dumps(self.daemon.get_all())))

    def test_test_and_diagnose(self):
        self.assertIn('Not linked', self.ctl('test', status=NOT_LINKED))
        reply = self.json('test', status=NOT_LINKED)
        self.assertEqual(list(reply), interface()['Test'])
        self.assertEqual(reply['result'], 'not-linked')
        out = self.ctl('diagnose', status=NOT_LINKED)
        self.assertIn('Problem: Link This Printer (not-linked)', out)
        reply = self.json('diagnose', status=NOT_LINKED)
        self.assertEqual(list(reply), interface()['Diagnose'])
        self.assertEqual(reply['problem'], 'not-linked')

    def test_refused_changes(self):
        self.ctl('unlink', status=NOT_LINKED)
        self.assertIn('no printer is linked', self.last_stderr.lower())
        self.ctl('--json', 'unlink', status=NOT_LINKED)
        for code in ('12345', 'abcdef'):
            self.ctl('link', code, status=USAGE)
            self.assertIn('6 digits', self.last_stderr)
        self.ctl('link', '000000', status=FAILED)       # CodeRejected
        self.assertIn('new code', self.last_stderr)
        self.ctl('server', 'ftp://example.com', status=USAGE)
        self.assertEqual(self.daemon.get('ServerUrl'), self.sim.url)
        self.sim.kill()
        self.ctl('link', '123456', status=FAILED_TO_CONTACT)   # ServerUnreachable

    def test_server_debug_reset_reconnect(self):
        self.assertIn('set', self.ctl('server', 'http://127.0.0.1:9/obico/'))
        self.assertEqual(self.daemon.get('ServerUrl'), 'http://127.0.0.1:9/obico')
        self.assertEqual(self.json('server', self.sim.url), {})
        self.assertEqual(self.daemon.get('ServerUrl'), self.sim.url)
        self.assertIn('on', self.ctl('debug', 'on'))
        self.assertTrue(self.daemon.get('DebugLogging'))
        self.assertIn('Debug logging:  on', self.ctl('status', status=NOT_LINKED))
        self.assertEqual(self.json('debug', 'off'), {})
        self.assertFalse(self.daemon.get('DebugLogging'))
        self.assertIn('cleared', self.ctl('reset-errors'))
        self.assertEqual(self.json('reset-errors'), {})
        self.assertIn('Reconnecting', self.ctl('reconnect'))
        self.assertEqual(self.json('reconnect'), {})


class TestLinked(ObicoctlTestCase):
    def setUp(self):
        super().setUp()
        out = self.ctl('link', self.sim.new_code(name='Voron 2.4'))
        self.assertIn('“Voron 2.4”', out)
        self.daemon.wait_prop('State', 'okay')

    def test_link_json(self):
        self.ctl('unlink')
        self.assertEqual(self.daemon.get('Role'), 'unlinked')
        reply = self.json('link', self.sim.new_code(name='Ender 3'))
        self.assertEqual(list(reply), interface()['Link'])
        self.assertEqual(reply['printer_name'], 'Ender 3')
        self.assertEqual(reply['printer_id'], self.daemon.get('PrinterId'))

    def test_status(self):
        out = self.ctl('status')
        self.assertTrue(out.startswith('● Okay'), out)
        for text in ('Voron 2.4 (id %d)' % self.daemon.get('PrinterId'), 'agent', 'Just now', self.sim.url,
                     'in the last 24 hours: No errors'):
            self.assertIn(text, out)
        self.assertNotIn('Problem', out)
        self.assertLessEqual(len(out.splitlines()), 8, 'more than a glance')
        props = self.json('status')
        self.assertEqual(props['State'], 'okay')
        self.assertEqual(props['PrinterName'], 'Voron 2.4')
        self.assertEqual(props['ErrorStats'], json.loads(json.dumps(self.daemon.get('ErrorStats'))))

    def test_test_and_diagnose(self):
        out = self.ctl('test')
        self.assertIn('Succeeded', out)
        self.assertIn('HTTP status:  200', out)
        reply = self.json('test')
        self.assertEqual(reply['result'], 'succeeded')
        self.assertEqual(reply['facts']['http_status'], 200)
        out = self.ctl('diagnose')
        lines = out.splitlines()
        for name in ('Name resolution', 'Connection', 'Server health check', 'Printer credentials',
                     'Live connection (WebSocket)'):
            self.assertTrue(any(line.startswith('✔ ' + name) for line in lines), out)
        self.assertIn('No problem found.', out)
        self.assertIn('Fix: get-help', out)
        # The host step first, its lines one under the other in the detail column.
        host = next(i for i, line in enumerate(lines) if line.startswith('✔ This computer'))
        column = lines[host].index('The link')
        self.assertIn('under-voltage', lines[host + 1])
        self.assertEqual(len(lines[host + 1]) - len(lines[host + 1].lstrip(' ')), column, out)
        reply = self.json('diagnose')
        self.assertEqual(reply['problem'], '')
        self.assertEqual([s['name'] for s in reply['steps']][-1], 'websocket')

    def test_failures_have_their_exit_status(self):
        self.sim.scenario('down')
        out = self.ctl('test', status=FAILED_TO_CONTACT)
        self.assertIn('✘ Failed to contact server', out)
        out = self.ctl('diagnose', status=FAILED_TO_CONTACT)
        self.assertEqual(sum(line.startswith('✘') for line in out.splitlines()), 1, out)
        self.assertEqual(self.json('test', status=FAILED_TO_CONTACT)['result'], 'failed-to-contact')
        self.daemon.wait_prop('State', 'error')
        self.assertIn('● Error', self.ctl('status', status=FAILED_TO_CONTACT))

        self.sim.scenario('invalid-token')
        self.assertIn('Invalid account credentials', self.ctl('test', status=INVALID_CREDENTIALS))
        self.assertEqual(self.json('test', status=INVALID_CREDENTIALS)['result'], 'invalid-credentials')
        # just linked: the guide calls it "still refused after linking again"
        self.daemon.wait_prop('Problem', lambda p: p in ('invalid-credentials', 'still-invalid'))
        self.assertRegex(self.ctl('status', status=INVALID_CREDENTIALS),
                         r'Problem: +(Credentials Refused \(invalid-credentials\)|'
                         r'Still Refused After Linking Again \(still-invalid\))')
        self.ctl('diagnose', status=INVALID_CREDENTIALS)

        self.sim.scenario('not-obico')
        self.assertIn('Unexpected response', self.ctl('test', status=UNEXPECTED_RESPONSE))
        self.assertEqual(self.json('test', status=UNEXPECTED_RESPONSE)['result'], 'unexpected-response')

    def test_report(self):
        self.sim.scenario('server-error')
        for _ in range(3):
            self.ctl('test', status=UNEXPECTED_RESPONSE)
        self.sim.scenario('healthy')
        self.ctl('test')
        out = self.ctl('report')
        self.assertIn('Connectivity report, last 24 hours', out)
        self.assertRegex(out, r'Errors: +3 \(')
        self.assertIn('Outages: 1', out)
        self.assertRegex(out, r'→ \d\d:\d\d:\d\d +\d+ s  3 failed attempts')
        chart = [line for line in out.splitlines() if '│' in line]
        self.assertEqual(len(chart), 2, out)
        attempts = chart[0].split('│')[1]
        errors = chart[1].split('│')[1]
        self.assertEqual(len(attempts), 48)
        self.assertEqual(len(errors), 48)
        self.assertEqual(attempts[-1], '█', out)          # the busiest column is now
        self.assertIn(errors[-1], '▁▂▃▄▅▆▇', out)         # some of its attempts failed
        self.assertEqual(set(errors[:-1]), {' '})
        # the host's history: the server's Date told the clock's skew (no row
        # of its own), no Wi-Fi or power service here
        self.assertIn('The host since ', out)
        self.assertNotIn('Wi-Fi signal:', out)
        report = self.json('report')
        self.assertEqual(list(report), interface()['GetReport'])
        events = report['report']['events']
        self.assertEqual(sum(e['error'] for e in events), 3)
        self.assertEqual(report['report']['errors'], 3)
        self.assertTrue(any('clock_skew' in e for e in report['report']['host_history']))

    def test_log(self):
        self.ctl('test')
        out = self.ctl('log', '-n', '3')
        self.assertEqual(len(out.splitlines()), 3, out)
        self.assertEqual(out.splitlines(), self.daemon.call('GetRecentLog', 'u', 3))
        kept = len(self.daemon.call('GetRecentLog', 'u', 0))
        self.assertEqual(len(self.ctl('log').splitlines()), min(kept, 20))
        self.assertEqual(self.json('log', '--lines=0'), {'lines': self.daemon.call('GetRecentLog', 'u', 0)})
        token = self.sim.printer(self.daemon.get('PrinterId'))['token']
        self.assertNotIn(token, self.ctl('log', '-n', '0'))

    def test_unlink(self):
        self.assertIn('Unlinked', self.ctl('unlink'))
        self.assertEqual(self.daemon.get('Role'), 'unlinked')
        self.ctl('status', status=NOT_LINKED)


class TestRemedies(ObicoctlTestCase):
    """The remedies of wifi-power-save and clock from a terminal (a headless
    Pi over SSH): timedated as python-dbusmock's template on the daemon's bus;
    without NetworkManager, a sentence that says so."""

    def test_network_time_on(self):
        from hostfakes import TIMEDATED, TIMEDATED_PATH, Mock
        timedated = Mock(self.bus, 'timedated', TIMEDATED, {'NTP': False})
        self.addCleanup(timedated.close)
        self.assertIn('Network time is on.', self.ctl('network-time', 'on'))
        self.assertTrue(timedated.call(TIMEDATED_PATH, 'org.freedesktop.DBus.Properties', 'Get', 'ss',
                                       TIMEDATED, 'NTP'))
        self.assertEqual(self.json('network-time', 'on'), {})

    def test_wifi_power_save_without_networkmanager(self):
        self.assertEqual(self.ctl('wifi-power-save', 'off', status=FAILED), '')
        self.assertIn('NetworkManager', self.last_stderr)
        self.assertNotIn('io.obico.Connect1.Error', self.last_stderr)


class TestFollowing(ObicoctlTestCase):
    """The commands that run until interrupted."""

    def start(self, *args):
        proc = subprocess.Popen([OBICOCTL, '--session'] + list(args), env=self.env(),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.addCleanup(lambda: proc.poll() is None and proc.kill())
        # a thread reads the lines: select() on a buffered pipe misses lines already read
        proc.lines = queue.Queue()
        reader = threading.Thread(target=lambda: [proc.lines.put(line) for line in proc.stdout], daemon=True)
        reader.start()
        return proc

    def read_until(self, proc, predicate, timeout=10):
        lines = []
        end = time.monotonic() + timeout * SLOW
        while time.monotonic() < end:
            try:
                line = proc.lines.get(timeout=0.1)
            except queue.Empty:
                continue
            lines.append(line)
            if predicate(line):
                return lines
        self.fail('not seen; got %r, exit %r' % (lines, proc.poll()))

    def stop(self, proc):
        proc.send_signal(signal.SIGINT)
        self.assertEqual(proc.wait(10), OK)
        self.assertEqual(proc.stderr.read(), '')

    def test_monitor_sees_a_change(self):
        proc = self.start('monitor')
        self.read_until(proc, lambda line: line.startswith('Watching /io/obico/Connect1'))
        self.daemon.call('SetDebugLogging', 'b', True)
        lines = self.read_until(proc, lambda line: 'DebugLogging:' in line)
        self.assertRegex(lines[-1], r'^\d\d:\d\d:\d\d  DebugLogging: true$')
        self.link()
        self.read_until(proc, lambda line: 'State: okay' in line)
        self.daemon.stop()
        self.read_until(proc, lambda line: 'The service stopped' in line)
        self.daemon.start()
        self.read_until(proc, lambda line: 'running again' in line)
        self.stop(proc)

    def test_monitor_json(self):
        proc = self.start('--json', 'monitor')
        time.sleep(0.5 * SLOW)        # nothing to wait for in JSON: no greeting line
        self.daemon.call('SetDebugLogging', 'b', True)
        lines = self.read_until(proc, lambda line: 'DebugLogging' in line)
        self.assertEqual(json.loads(lines[-1]), {'DebugLogging': True})
        self.stop(proc)

    def test_log_follow(self):
        proc = self.start('log', '-f', '-n', '1')
        self.read_until(proc, lambda line: True)
        self.daemon.call('SetDebugLogging', 'b', True)
        self.read_until(proc, lambda line: line.endswith('Debug logging on\n'))
        # a restarted service: the follower waits for it, then shows its lines
        self.daemon.stop()
        time.sleep(1.5 * SLOW)
        self.daemon.start()
        self.daemon.call('SetDebugLogging', 'b', False)
        self.read_until(proc, lambda line: line.endswith('Debug logging off\n'))
        self.stop(proc)

    def test_log_follow_json(self):
        proc = self.start('--json', 'log', '-f', '-n', '1')
        first = json.loads(self.read_until(proc, lambda line: True)[-1])
        self.assertEqual(len(first['lines']), 1)
        self.daemon.call('SetDebugLogging', 'b', True)
        lines = self.read_until(proc, lambda line: 'Debug logging on' in line)
        self.assertTrue(json.loads(lines[-1])['lines'][-1].endswith('Debug logging on'))
        self.stop(proc)


class TestSeveralPrinters(ObicoctlTestCase):
    """Two official agents' settings: two printers, --printer picks one."""
    start_daemon = False

    def setUp(self):
        super().setUp()
        fixture = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'agents', 'moonraker-obico.cfg')
        with open(fixture, encoding='utf-8') as f:
            text = f.read()
        self.names = ['Voron 2.4', 'Ender 3']
        paths = []
        for i, name in enumerate(self.names, 1):
            printer = self.sim.add_printer(name)
            # its official agent runs and reports: the app shows it online
            agent = FakeAgent('ws://127.0.0.1:%d/ws/dev/' % self.sim.port, printer['token'], interval=5).start()
            self.addCleanup(agent.kill)
            agent.wait_event('connected')
            data = os.path.join(self.tmp, 'printer_%d_data' % i)
            os.makedirs(os.path.join(data, 'config'))
            path = os.path.join(data, 'config', 'moonraker-obico.cfg')
            with open(path, 'w', encoding='utf-8') as f:
                f.write(text.replace('@URL@', self.sim.url).replace('@TOKEN@', printer['token'])
                            .replace('@LOG@', os.path.join(data, 'moonraker-obico.log')))
            paths.append(path)
        self.daemon.extra_args = [a for p in paths for a in ('--agent-settings', p)]
        self.write_config({'watch': {'hc-interval': 0.5, 'credentials-interval': 0.5,
                                     'websocket-interval': 0.5}})
        self.daemon.start()
        deadline = time.monotonic() + 15 * SLOW
        while time.monotonic() < deadline:
            proc = subprocess.run([OBICOCTL, '--session', '--json', 'status'], env=self.env(),
                                  capture_output=True, text=True)
            lines = [json.loads(line) for line in proc.stdout.splitlines()]
            if proc.returncode == OK and [p['PrinterName'] for p in lines] == self.names:
                return
            time.sleep(0.1)
        self.fail('not two printers, both okay: %s' % proc.stdout)

    def json_lines(self, *args, status=OK):
        return [json.loads(line) for line in self.ctl('--json', *args, status=status).splitlines()]

    def test_status_shows_each(self):
        out = self.ctl('status')
        for i, name in enumerate(self.names, 1):
            self.assertIn(name, out)
        self.assertEqual(out.count('Okay'), 2, out)
        two = self.ctl('--printer', '2', 'status')
        self.assertIn('Ender 3', two)
        self.assertNotIn('Voron', two)
        lines = self.json_lines('--printer', '1', 'status')
        self.assertEqual([p['PrinterName'] for p in lines], ['Voron 2.4'])
        self.ctl('--printer', '3', 'status', status=USAGE)
        self.assertIn('no printer 3', self.last_stderr)

    def test_completion_offers_the_printers(self):
        script = ('. /usr/share/bash-completion/bash_completion; . "$1"; '
                  'COMP_LINE="$2"; COMP_POINT=${#COMP_LINE}; read -r -a COMP_WORDS <<< "$2"; '
                  '[[ $2 == *" " ]] && COMP_WORDS+=(""); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); '
                  '_obicoctl; echo "${COMPREPLY[*]}"')
        out = subprocess.run(['bash', '-c', script, 'bash', COMPLETION, 'obicoctl --session --printer '],
                             env=self.env(), capture_output=True, text=True, check=True).stdout
        self.assertEqual(sorted(out.split()), ['1', '2'])

    def test_commands_of_one_printer(self):
        for command in (['test'], ['diagnose'], ['report'], ['monitor'], ['reset-errors'], ['reconnect']):
            with self.subTest(command=command):
                self.ctl(*command, status=USAGE)
                self.assertIn('2 printers', self.last_stderr)
        reply = self.json('--printer', '2', 'test')
        self.assertEqual(reply['result'], 'succeeded')
        report = self.json('--printer', '2', 'report')
        self.assertEqual([a['path'] for a in report['report']['agents'] if a['watched']],
                         [self.daemon.extra_args[3]])
        self.ctl('--printer', '2', 'reset-errors')
        self.ctl('--printer', '2', 'reconnect')
        # The service's own: its log and debug logging are the host's; a
        # further printer's link is its agent's.
        self.assertTrue(self.ctl('log'))
        self.ctl('--printer', '2', 'link', '123456', status=USAGE)
        self.assertIn('official Obico agent', self.last_stderr)
        self.ctl('--printer', '2', 'server', 'http://127.0.0.1:9', status=USAGE)
class TestCompletion(unittest.TestCase):
    """The bash completion offers the commands, options and arguments."""

    def complete(self, line):
        script = ('. /usr/share/bash-completion/bash_completion; . "$1"; '
                  'COMP_LINE="$2"; COMP_POINT=${#COMP_LINE}; read -r -a COMP_WORDS <<< "$2"; '
                  '[[ $2 == *" " ]] && COMP_WORDS+=(""); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); '
                  '_obicoctl; echo "${COMPREPLY[*]}"')
        out = subprocess.run(['bash', '-c', script, 'bash', COMPLETION, line],
                             capture_output=True, text=True, check=True).stdout
        return sorted(out.split())

    def test_completion(self):
        self.assertEqual(self.complete('obicoctl d'), ['debug', 'diagnose'])
        self.assertEqual(self.complete('obicoctl --json re'), ['reconnect', 'report', 'reset-errors'])
        self.assertEqual(self.complete('obicoctl debug '), ['off', 'on'])
        self.assertIn('--session', self.complete('obicoctl --se'))
        self.assertEqual(self.complete('obicoctl log --fo'), ['--follow'])
        self.assertEqual(self.complete('obicoctl --printer '), [])
        self.assertEqual(len(self.complete('obicoctl ')), len(COMMANDS))


class TestTerminal(ObicoctlTestCase):
    """Colour on a terminal only, and never with NO_COLOR."""

    def on_terminal(self, *args, **env):
        pid, fd = pty.fork()
        if pid == 0:
            os.execve(OBICOCTL, [OBICOCTL, '--session'] + list(args), self.env(TERM='xterm', **env))
        out = b''
        while True:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
        os.close(fd)
        _, status = os.waitpid(pid, 0)
        return os.waitstatus_to_exitcode(status), out.decode()

    def test_colour(self):
        status, out = self.on_terminal('status')
        self.assertEqual(status, NOT_LINKED)
        self.assertIn('\033[1;33m●', out)        # not linked: yellow
        status, out = self.on_terminal('status', NO_COLOR='1')
        self.assertEqual(status, NOT_LINKED)
        self.assertNotIn('\033[', out)
        self.assertIn('● Not linked', out)
        status, out = self.on_terminal('--json', 'status')
        self.assertNotIn('\033[', out)


if __name__ == '__main__':
    main()
