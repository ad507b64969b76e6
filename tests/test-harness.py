#!/usr/bin/python3
"""The runner every Python test goes through (harness.main): it fails a run in
which any test was skipped, CI or not, and passes one in which all ran and passed.

Each case is a throwaway test module run in a process of its own, as meson runs
the real ones."""
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def run_module(body, ci=None):
    """(exit status, output) of a test module that ends with harness.main()."""
    source = 'import unittest\nimport harness\n\n' + textwrap.dedent(body) + \
             '\n\nif __name__ == "__main__":\n    harness.main()\n'
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, 'test_throwaway.py')
        with open(path, 'w') as f:
            f.write(source)
        env = {k: v for k, v in os.environ.items() if k != 'CI'}
        env['PYTHONPATH'] = HERE
        if ci is not None:
            env['CI'] = ci
        proc = subprocess.run([sys.executable, path], env=env, capture_output=True, text=True,
                              timeout=60)
        return proc.returncode, proc.stdout + proc.stderr


PASSING = '''
class T(unittest.TestCase):
    def test_a(self):
        self.assertEqual(1 + 1, 2)

    def test_b(self):
        pass
'''


class RunnerTest(unittest.TestCase):
    def assertRunFails(self, body, why, ci=None):
        status, out = run_module(body, ci)
        self.assertNotEqual(status, 0, out)
        self.assertNotEqual(status, 77, 'a skip exit status meson would not count as failed:\n' + out)
        self.assertIn(why, out)
        return out

    def test_all_pass(self):
        status, out = run_module(PASSING)
        self.assertEqual(status, 0, out)
        self.assertIn('Ran 2 tests', out)

    def test_one_skipped_beside_a_pass(self):
        out = self.assertRunFails(PASSING + '''
    def test_c(self):
        self.skipTest('a tool is missing')
''', 'skipped')
        self.assertIn('a tool is missing', out)

    def test_skipped_outside_ci(self):
        # the old runner failed on a skip only when CI was set
        self.assertRunFails('''
class T(unittest.TestCase):
    @unittest.skip('not today')
    def test_a(self):
        pass
''', 'skipped')

    def test_skipped_in_ci(self):
        self.assertRunFails('''
class T(unittest.TestCase):
    @unittest.skipIf(True, 'never')
    def test_a(self):
        pass
''', 'skipped', ci='true')

    def test_class_skipped_in_setup(self):
        self.assertRunFails('''
class T(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        raise unittest.SkipTest('needs root')

    def test_a(self):
        pass
''', 'needs root')

    def test_module_skipped(self):
        self.assertRunFails('''
def setUpModule():
    raise unittest.SkipTest('no bus')

class T(unittest.TestCase):
    def test_a(self):
        pass
''', 'no bus')

    def test_failure(self):
        self.assertRunFails('''
class T(unittest.TestCase):
    def test_a(self):
        self.assertEqual(1, 2)
''', 'FAILED')

    def test_error(self):
        self.assertRunFails('''
class T(unittest.TestCase):
    def test_a(self):
        raise RuntimeError('boom')
''', 'boom')

    def test_expected_failure(self):
        self.assertRunFails('''
class T(unittest.TestCase):
    @unittest.expectedFailure
    def test_a(self):
        self.assertEqual(1, 2)
''', 'expected failure')

    def test_unexpected_success(self):
        self.assertRunFails('''
class T(unittest.TestCase):
    @unittest.expectedFailure
    def test_a(self):
        pass
''', 'unexpected success')

    def test_no_test(self):
        self.assertRunFails('''
class T(unittest.TestCase):
    pass
''', 'no test ran')


if __name__ == '__main__':
    from harness import main
    main()
