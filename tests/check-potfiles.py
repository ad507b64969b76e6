#!/usr/bin/python3
"""Every source file with translatable strings is listed in po/POTFILES.in,
and every listed file exists."""
import glob
import os
import re
import sys

top = sys.argv[1]
with open(os.path.join(top, 'po', 'POTFILES.in')) as f:
    listed = {l.strip() for l in f if l.strip() and not l.startswith('#')}
marker = re.compile(r'\b(_|N_|C_|NC_|ngettext)\s*\(\s*"|translatable="yes"')
problems = []
for path in sorted(glob.glob(os.path.join(top, 'daemon', '*.c')) + glob.glob(os.path.join(top, 'gui', '*.c'))
                   + glob.glob(os.path.join(top, 'common', '*.c'))
                   + glob.glob(os.path.join(top, 'cli', '*.c'))
                   + glob.glob(os.path.join(top, 'gui', '*.ui')) + glob.glob(os.path.join(top, 'gui', '*', '*.ui'))):
    rel = os.path.relpath(path, top)
    with open(path, errors='replace') as f:
        if marker.search(f.read()) and rel not in listed:
            problems.append('not in po/POTFILES.in: ' + rel)
for rel in sorted(listed):
    if not os.path.exists(os.path.join(top, rel)):
        problems.append('listed but missing: ' + rel)
print('\n'.join(problems) or 'po/POTFILES.in is complete (%d files)' % len(listed))
sys.exit(1 if problems else 0)
