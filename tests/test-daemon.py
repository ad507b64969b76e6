#!/usr/bin/python3
"""obico-connectd on a private bus against obico-sim: TEST, linking, the
address, unlinking, persistence, corrupt state, bad input, no token in logs."""
import glob
import os
import stat
import time

from harness import DaemonTestCase, DBusError, main

METHODS_THAT_CHANGE = ('SetServerUrl', 'Link', 'Unlink', 'SetDebugLogging')


class TestUnlinked(DaemonTestCase):
    def test_initial_properties(self):
        props = self.daemon.get_all()
        self.assertEqual(props['Version'], '0.1.0')
        self.assertEqual(props['Role'], 'unlinked')
        self.assertEqual(props['State'], 'unlinked')
        self.assertEqual(props['Problem'], 'not-linked')
        self.assertEqual(props['ServerUrl'], self.sim.url)
        self.assertEqual(props['PrinterId'], -1)
        self.assertEqual(props['CredentialSource'], '')
        self.assertEqual(props['Http'], 'unknown')
        self.assertEqual(props['WebSocket'], 'unknown')
        self.assertEqual(props['LastContact'], 0)
        self.assertEqual(props['ErrorStats']['attempts'], 0)
        self.assertFalse(props['DebugLogging'])

    def test_test_not_linked(self):
        result, detail, facts = self.daemon.call('Test')
        self.assertEqual(result, 'not-linked')
        self.assertIn('6-digit code', detail)
        self.assertEqual(self.sim.requests(), [], 'Test() without credentials sent a request')

    def test_unlink_without_link(self):
        self.assertDBusError('NotLinked', 'Unlink')

    def test_link_bad_codes_send_nothing(self):
        for code in ('', '12345', '1234567', 'abcdef', '12 3456', '١٢٣٤٥٦', '123456\x01', 'x' * 100000):
            with self.subTest(code=code[:20]):
                self.assertDBusError('InvalidArgument', 'Link', 's', code)
        self.assertEqual(self.sim.requests(), [])
        self.assertEqual(self.daemon.get('Role'), 'unlinked')
        self.assertFalse(os.path.exists(os.path.join(self.state_dir, 'link.conf')))

    def test_link_code_with_white_space(self):
        code = self.sim.new_code(name='Voron')
        printer_id, name = self.daemon.call('Link', 's', '  %s\n' % code)
        self.assertEqual(name, 'Voron')
        self.assertEqual(self.daemon.get('PrinterId'), printer_id)

    def test_link_rejected_code(self):
        err = self.assertDBusError('CodeRejected', 'Link', 's', '000000')
        self.assertIn('new code', err.message)
        self.assertEqual(self.daemon.get('Role'), 'unlinked')
        verify = self.sim.requests('/api/v1/octo/verify/')
        self.assertEqual(len(verify), 1)
        self.assertEqual(verify[0]['method'], 'POST')
        self.assertEqual(verify[0]['query'], 'code=000000')
        self.assertNotIn('authorization', verify[0]['headers'])

    def test_link_server_down(self):
        self.sim.kill()
        err = self.assertDBusError('ServerUnreachable', 'Link', 's', '123456')
        self.assertIn('refused', err.message)

    def test_set_server_url_invalid(self):
        bad = ['', '   ', 'ftp://host', 'app.obico.io', 'http://', 'https://:443',
               'http://host:0', 'http://host:65536', 'http://host:99999', 'http://us er@host',
               'http://user:pw@host', 'http://host/?q=1', 'http://host/#x', 'http://ho st',
               'https://' + 'a' * 2048, 'javascript:alert(1)', 'http://host\n.evil', '\udcff'[:0] + 'http://\x00']
        for url in bad:
            with self.subTest(url=url[:40]):
                self.assertDBusError('InvalidArgument', 'SetServerUrl', 's', url)
        self.assertEqual(self.daemon.get('ServerUrl'), self.sim.url)
        self.assertFalse(os.path.exists(os.path.join(self.state_dir, 'link.conf')))

    def test_set_server_url_valid(self):
        cases = {
            ' https://example.com/ ': 'https://example.com',
            'http://192.168.1.10:3334': 'http://192.168.1.10:3334',
            'HTTPS://Example.com:443/obico///': 'https://Example.com:443/obico',
            'http://[::1]:3334/': 'http://[::1]:3334',
            'http://host:1': 'http://host:1',
            'http://host:65535/a/b': 'http://host:65535/a/b',
        }
        for given, wanted in cases.items():
            with self.subTest(url=given):
                self.daemon.call('SetServerUrl', 's', given)
                self.assertEqual(self.daemon.get('ServerUrl').lower(), wanted.lower())
        path = os.path.join(self.state_dir, 'link.conf')
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)

    def test_set_debug_logging_persists(self):
        self.daemon.call('SetDebugLogging', 'b', True)
        self.assertTrue(self.daemon.get('DebugLogging'))
        self.daemon.stop()
        self.daemon.start()
        self.assertTrue(self.daemon.get('DebugLogging'))
        self.daemon.call('SetDebugLogging', 'b', False)
        self.assertFalse(self.daemon.get('DebugLogging'))

    def test_save_fails(self):
        # link.conf's place taken by a directory: the write fails even as root.
        blocker = os.path.join(self.state_dir, 'link.conf')
        os.mkdir(blocker)
        open(os.path.join(blocker, 'keep'), 'w').close()
        before = self.daemon.get_all()
        for call in (('SetServerUrl', 's', 'https://obico.example'), ('SetDebugLogging', 'b', True)):
            with self.subTest(method=call[0]):
                err = self.assertDBusError('StorageFailed', *call)
                self.assertIn('nothing was changed', err.message)
        code = self.sim.new_code(name='Voron')
        self.assertDBusError('StorageFailed', 'Link', 's', code)
        after = self.daemon.get_all()
        for key in ('Role', 'ServerUrl', 'PrinterId', 'DebugLogging'):
            self.assertEqual(before[key], after[key], key)
        self.assertEqual(sorted(os.listdir(self.state_dir)), ['link.conf'])

    def test_get_recent_log(self):
        self.daemon.call('Test')
        self.daemon.call('SetServerUrl', 's', 'http://127.0.0.1:9')
        lines = self.daemon.call('GetRecentLog', 'u', 2)
        self.assertEqual(len(lines), 2)
        self.assertGreater(len(self.daemon.call('GetRecentLog', 'u', 0)), 2)


class TestLinked(DaemonTestCase):
    def setUp(self):
        super().setUp()
        self.printer_id, self.printer_name = self.link('Prusa MK4')
        self.token = self.sim.printer(self.printer_id)['token']

    def test_link_stores_credentials(self):
        self.assertEqual(self.printer_name, 'Prusa MK4')
        props = self.daemon.get_all()
        self.assertEqual(props['Role'], 'agent')
        self.assertEqual(props['CredentialSource'], 'daemon')
        self.assertEqual(props['PrinterId'], self.printer_id)
        self.assertEqual(props['PrinterName'], 'Prusa MK4')
        path = os.path.join(self.state_dir, 'link.conf')
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        with open(path) as f:
            content = f.read()
        self.assertIn(self.token, content)
        self.assertIn(self.sim.url, content)
        self.assertEqual(glob.glob(os.path.join(self.state_dir, '*.tmp*')) +
                         glob.glob(os.path.join(self.state_dir, '.goutputstream*')), [])

    def test_test_succeeded(self):
        result, detail, facts = self.daemon.call('Test')
        self.assertEqual(result, 'succeeded', detail)
        self.assertEqual(facts['http_status'], 200)
        self.assertGreater(facts['elapsed_ms'], 0)
        self.assertTrue(facts['address'].startswith('127.0.0.1:'))
        self.assertEqual(facts['tls'], '')
        req = [r for r in self.sim.requests('/api/v1/octo/printer/')][-1]
        self.assertEqual(req['headers']['authorization'], 'Token ' + self.token)
        self.daemon.wait_prop('Http', 'ok')
        self.assertGreater(self.daemon.get('LastContact'), 0)

    def test_test_failed_to_contact_refused(self):
        self.sim.kill()
        start = time.monotonic()
        result, detail, facts = self.daemon.call('Test')
        self.assertLess(time.monotonic() - start, 2, 'refused must answer at once')
        self.assertEqual(result, 'failed-to-contact')
        self.assertIn('refused', detail)
        self.assertEqual(facts['failure'], 'refused')
        self.daemon.wait_prop('Http', 'unreachable')
        self.daemon.wait_prop('State', 'error')
        self.assertEqual(self.daemon.get('Problem'), 'server-address')

    def test_test_failed_to_contact_unresolvable(self):
        self.daemon.call('SetServerUrl', 's', 'http://nonexistent.invalid:3334')
        start = time.monotonic()
        result, detail, facts = self.daemon.call('Test')
        self.assertLess(time.monotonic() - start, 3)
        self.assertEqual(result, 'failed-to-contact')
        self.assertIn('nonexistent.invalid', detail)
        self.assertIn('does not resolve', detail)
        self.assertEqual(facts['failure'], 'resolve')

    def test_test_timeout(self):
        self.sim.scenario('slow', latency_ms=10000)
        start = time.monotonic()
        result, detail, facts = self.daemon.call('Test')
        elapsed = time.monotonic() - start
        self.assertEqual(result, 'failed-to-contact')
        self.assertEqual(facts['failure'], 'timeout')
        self.assertLess(elapsed, 3 + 1.5)   # configured timeout: 3 s
        self.assertGreater(elapsed, 2.5)

    def test_test_invalid_credentials(self):
        self.sim.revoke(self.printer_id, how='deleted')
        result, detail, facts = self.daemon.call('Test')
        self.assertEqual(result, 'invalid-credentials')
        self.assertEqual(facts['http_status'], 401)
        self.daemon.wait_prop('State', 'error')
        # Just linked: the guide's 2.2.4, "still invalid after re-linking".
        self.assertEqual(self.daemon.get('Problem'), 'still-invalid')

    def test_test_html_200(self):
        self.sim.scenario('not-obico')
        result, detail, facts = self.daemon.call('Test')
        self.assertEqual(result, 'unexpected-response')
        self.assertEqual(facts['http_status'], 200)
        self.assertIn('text/html', detail)
        self.daemon.wait_prop('Problem', 'not-obico-server')

    def test_test_200_without_printer_id(self):
        self.sim.scenario('printer-no-id')
        result, detail, facts = self.daemon.call('Test')
        self.assertEqual(result, 'unexpected-response')

    def test_test_500(self):
        self.sim.scenario('server-error')
        result, detail, facts = self.daemon.call('Test')
        self.assertEqual(result, 'unexpected-response')
        self.assertEqual(facts['http_status'], 500)
        self.assertIn('500', detail)

    def test_test_5xx_is_server_error(self):
        # The cloud during maintenance, a self-hosted server's web container
        # down behind its proxy: the server was reached and failed; the
        # address is right, so not not-obico-server.
        for status in (500, 502, 503):
            with self.subTest(status=status):
                self.daemon.call('ResetErrors')
                self.sim.scenario('server-error', status=status)
                result, detail, facts = self.daemon.call('Test')
                self.assertEqual(result, 'unexpected-response')
                self.assertEqual(facts['http_status'], status)
                self.assertEqual(facts['failure'], '')
                self.assertIn('reached but failed', detail)
                self.daemon.wait_prop('Problem', 'server-error')
                self.assertEqual(self.daemon.get('State'), 'error')
                self.assertEqual(self.daemon.get('Http'), 'server-error')
                self.assertIn(str(status), self.daemon.get('ProblemDetail'))
                # It counts toward the error report like any error.
                self.assertEqual(self.daemon.get('ErrorStats')['errors'], 1)
                report = self.daemon.call('GetReport')
                self.assertEqual(report['problem'], 'server-error')
                self.assertTrue(any(e['error'] and str(status) in e['cause'] for e in report['events']),
                                report['events'])
                self.sim.scenario('healthy')
                self.assertEqual(self.daemon.call('Test')[0], 'succeeded')
                self.daemon.wait_prop('Problem', '')
                self.assertEqual(self.daemon.get('Http'), 'ok')

    def test_test_captive_portal(self):
        self.sim.scenario('captive-portal')
        result, detail, facts = self.daemon.call('Test')
        self.assertEqual(result, 'unexpected-response')
        self.assertEqual(facts['http_status'], 302)
        self.assertIn('captive portal', detail)

    def test_concurrent_tests_share_one_request(self):
        import threading
        results = []
        from harness import PrivateBus  # noqa: F401
        def one():
            results.append(self.daemon.call('Test')[0])
        threads = [threading.Thread(target=one) for _ in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(results, ['succeeded'] * 20)

    def test_restart_keeps_link(self):
        self.daemon.stop()
        self.daemon.start()
        props = self.daemon.get_all()
        self.assertEqual(props['Role'], 'agent')
        self.assertEqual(props['PrinterId'], self.printer_id)
        self.assertEqual(props['PrinterName'], 'Prusa MK4')
        self.assertEqual(props['ServerUrl'], self.sim.url)
        self.assertEqual(self.daemon.call('Test')[0], 'succeeded')

    def test_unlink(self):
        self.daemon.call('Unlink')
        self.assertEqual(self.daemon.get('Role'), 'unlinked')
        self.assertEqual(self.daemon.get('PrinterId'), -1)
        with open(os.path.join(self.state_dir, 'link.conf')) as f:
            self.assertNotIn(self.token, f.read())
        self.daemon.stop()
        self.daemon.start()
        self.assertEqual(self.daemon.get('Role'), 'unlinked')
        self.assertEqual(self.daemon.call('Test')[0], 'not-linked')

    def test_bad_input_changes_nothing(self):
        before = self.daemon.get_all()
        with open(os.path.join(self.state_dir, 'link.conf'), 'rb') as f:
            stored = f.read()
        self.assertDBusError('InvalidArgument', 'SetServerUrl', 's', 'gopher://x')
        self.assertDBusError('InvalidArgument', 'Link', 's', '12')
        self.assertDBusError('CodeRejected', 'Link', 's', '999999')
        after = self.daemon.get_all()
        for key in ('Role', 'ServerUrl', 'PrinterId', 'PrinterName', 'CredentialSource'):
            self.assertEqual(before[key], after[key], key)
        with open(os.path.join(self.state_dir, 'link.conf'), 'rb') as f:
            self.assertEqual(f.read(), stored)

    def test_no_token_anywhere(self):
        self.daemon.call('SetDebugLogging', 'b', True)
        self.daemon.call('Test')
        self.daemon.call('Diagnose')
        self.sim.revoke(self.printer_id)
        self.daemon.call('Test')
        self.daemon.call('Reconnect')
        time.sleep(1)
        log = self.daemon.log()
        self.assertNotIn(self.token, log)
        self.assertNotIn(self.token, str(self.daemon.get_all()))
        self.assertNotIn(self.token, str(self.daemon.call('GetReport')))
        self.assertNotIn(self.token, '\n'.join(self.daemon.call('GetRecentLog', 'u', 0)))
        self.assertIn('Test:', log)   # the log is not simply empty


class TestReportConfiguration(DaemonTestCase):
    """GetReport's configuration is the daemon's own, as it runs with it."""
    config = {'session': {'heartbeat-interval': 7}, 'watch': {'settings-files': '/nowhere/a.cfg;'}}

    def test_unlinked(self):
        conf = self.daemon.call('GetReport')['configuration']
        self.assertEqual(conf['config_file'], self.config_path)
        self.assertTrue(conf['config_file_read'])
        self.assertEqual(conf['state_dir'], self.state_dir)
        self.assertEqual(conf['server_url'], self.sim.url)
        self.assertEqual(conf['default_server_url'], self.sim.url)
        self.assertEqual(conf['role'], 'unlinked')
        self.assertEqual(conf['credential_source'], '')
        self.assertNotIn('token', conf)
        self.assertFalse(conf['debug_logging'])
        self.assertEqual(conf['timeout'], 3)
        self.assertEqual(conf['heartbeat_interval'], 7)
        self.assertEqual(conf['settings_files'], ['/nowhere/a.cfg'])
        self.assertFalse(conf['usual_places'])
        self.assertEqual(conf['agent_settings'], [])

    def test_follows_changes(self):
        self.daemon.call('SetServerUrl', 's', 'http://127.0.0.1:9')
        self.daemon.call('SetDebugLogging', 'b', True)
        conf = self.daemon.call('GetReport')['configuration']
        self.assertEqual(conf['server_url'], 'http://127.0.0.1:9')
        self.assertEqual(conf['default_server_url'], self.sim.url)
        self.assertTrue(conf['debug_logging'])

    def test_linked_token_redacted(self):
        printer_id, _ = self.link()
        token = self.sim.printer(printer_id)['token']
        report = self.daemon.call('GetReport')
        self.assertEqual(report['configuration']['role'], 'agent')
        self.assertEqual(report['configuration']['token'], '…' + token[-4:])
        self.assertNotIn(token, str(report))

    def test_missing_config_file(self):
        self.daemon.stop()
        os.unlink(self.config_path)
        self.daemon.start()
        conf = self.daemon.call('GetReport')['configuration']
        self.assertEqual(conf['config_file'], self.config_path)
        self.assertFalse(conf['config_file_read'])
        self.assertEqual(conf['timeout'], 10)


class TestNoTokenWithDebugEnv(DaemonTestCase):
    """G_MESSAGES_DEBUG=all turns on every library's debug output too."""
    def setUp(self):
        super().setUp()
        self.daemon.stop()
        self.daemon.env = {'G_MESSAGES_DEBUG': 'all'}
        self.daemon.start()

    def test_no_token_in_debug_log(self):
        printer_id, _ = self.link()
        token = self.sim.printer(printer_id)['token']
        self.daemon.call('Test')
        self.daemon.wait_prop('WebSocket', 'connected')
        self.daemon.stop()
        log = self.daemon.log()
        self.assertIn('DEBUG', log)
        self.assertNotIn(token, log)
        self.assertIn('…' + token[-4:], log + '…' + token[-4:])


class TestCorruptState(DaemonTestCase):
    start_daemon = False

    def check_set_aside(self, content, mode=0o600):
        path = os.path.join(self.state_dir, 'link.conf')
        with open(path, 'wb') as f:
            f.write(content)
        os.chmod(path, mode)
        self.daemon.start()
        self.assertEqual(self.daemon.get('Role'), 'unlinked')
        aside = glob.glob(path + '.corrupt-*')
        self.assertEqual(len(aside), 1, os.listdir(self.state_dir))
        with open(aside[0], 'rb') as f:
            self.assertEqual(f.read(), content, 'the corrupt file must be kept as it was')
        self.assertIn(aside[0], self.daemon.log())
        # Linking afterwards works and writes a fresh file.
        self.link()
        self.assertEqual(self.daemon.get('Role'), 'agent')
        self.assertEqual(len(glob.glob(path + '.corrupt-*')), 1)

    def test_garbage(self):
        self.check_set_aside(b'\x00\xff\xfe garbage [[[')

    def test_bad_token(self):
        self.check_set_aside(b'[link]\ntoken=has space\nprinter-id=1\n')

    def test_bad_printer_id(self):
        self.check_set_aside(b'[link]\ntoken=0123456789abcdef0123\nprinter-id=one\n')

    def test_bad_url(self):
        self.check_set_aside(b'[server]\nurl=ftp://x\n')

    def test_truncated(self):
        self.check_set_aside(b'[link]\ntoken=0123456789abcdef0123\nprinter-id=1\n[log')

    def test_valid_file_written_by_admin(self):
        printer = self.sim.add_printer('Admin Printer')
        path = os.path.join(self.state_dir, 'link.conf')
        with open(path, 'w') as f:
            f.write('[server]\nurl=%s\n[link]\ntoken=%s\nprinter-id=%d\nprinter-name=Admin Printer\n'
                    % (self.sim.url, printer['token'], printer['id']))
        os.chmod(path, 0o600)
        self.daemon.start()
        self.assertEqual(self.daemon.get('Role'), 'agent')
        self.assertEqual(self.daemon.call('Test')[0], 'succeeded')
        self.assertEqual(glob.glob(path + '.corrupt-*'), [])


if __name__ == '__main__':
    main()
