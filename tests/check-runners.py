#!/usr/bin/python3
"""Every Python test (tests/test-*.py, tests/gui/*.py) ends in the one runner,
harness.main(), where any skipped test fails the run; none runs its tests
another way (unittest.main, a TestRunner of its own, exit status 77)."""
import glob
import os
import re
import sys

top = sys.argv[1]
own_runner = re.compile(r'unittest\.main\s*\(|TextTestRunner|TestRunner\s*\(|exit\s*\(\s*77\s*\)')
problems = []
paths = sorted(glob.glob(os.path.join(top, 'tests', 'test-*.py')) +
               glob.glob(os.path.join(top, 'tests', 'gui', '*.py')))
for path in paths:
    rel = os.path.relpath(path, top)
    with open(path) as f:
        text = f.read()
    if "if __name__ == '__main__':" not in text and 'if __name__ == "__main__":' not in text:
        problems.append(rel + ': no __main__ block')
        continue
    tail = text[text.rindex('__name__'):]
    uses_harness = (re.search(r'^\s+harness\.main\(\)\s*$', tail, re.M) or
                    (re.search(r'^\s+main\(\)\s*$', tail, re.M) and
                     re.search(r'^\s*from harness import [^\n]*\bmain\b', text, re.M)))
    if not uses_harness:
        problems.append(rel + ': does not run through harness.main()')
    for m in own_runner.finditer(text):
        line = text.count('\n', 0, m.start()) + 1
        problems.append('%s:%d: a runner of its own (%s)' % (rel, line, m.group(0)))
print('\n'.join(problems) or '%d Python tests, all through harness.main()' % len(paths))
sys.exit(1 if problems else 0)
