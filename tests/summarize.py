#!/usr/bin/python3
"""Summarizes meson's testlog.json: 'label: N passed, N failed'.

A skipped test counts as failed: in CI every test must run.
With --total, adds up the summary lines of several runs and prints the
closing line 'N passed, N failed'; exits 1 when anything failed."""
import json
import re
import sys


def summarize(path, label):
    passed, failed, bad = 0, 0, []
    with open(path) as f:
        for line in f:
            if not line.strip():
                continue
            t = json.loads(line)
            if t['result'] in ('OK', 'EXPECTEDFAIL'):
                passed += 1
            else:
                failed += 1
                bad.append('%s (%s)' % (t['name'], t['result']))
    for name in bad:
        print('%s: not passed: %s' % (label, name))
    print('%s: %d passed, %d failed' % (label, passed, failed))


def total(path):
    passed = failed = 0
    with open(path) as f:
        for line in f:
            m = re.match(r'^\S+: (\d+) passed, (\d+) failed$', line.strip())
            if m:
                passed += int(m.group(1))
                failed += int(m.group(2))
    print('%d passed, %d failed' % (passed, failed))
    return 1 if failed or not passed else 0


if __name__ == '__main__':
    if sys.argv[1] == '--total':
        sys.exit(total(sys.argv[2]))
    summarize(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else 'tests')
