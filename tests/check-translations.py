#!/usr/bin/python3
"""Every language in po/LINGUAS is complete: its .po translates every message
that xgettext finds in po/POTFILES.in's files, with the project's own gettext
settings (i18n.gettext in po/meson.build, preset glib), none fuzzy, none empty.

Usage: check-translations.py SOURCE_ROOT BUILD_ROOT

The template is made by the very command of meson's <package>-pot target (read
from the build's build.ninja), only written to a temporary directory instead
of po/, so the check sees exactly what a translator would be given."""
import os
import shlex
import shutil
import subprocess
import sys
import tempfile

top, build = sys.argv[1], sys.argv[2]


def pot_command():
    """The argv of meson's gettext pot target, as configured."""
    with open(os.path.join(build, 'build.ninja')) as f:
        lines = f.read().split('\n')
    for i, line in enumerate(lines):
        if line.startswith('build meson-internal__') and line.split(':')[0].endswith('-pot'):
            for follow in lines[i + 1:i + 4]:
                if follow.strip().startswith('COMMAND = '):
                    return shlex.split(follow.strip()[len('COMMAND = '):])
    sys.exit('no gettext pot target in %s/build.ninja (i18n.gettext in po/meson.build?)' % build)


def without_header(po_text):
    return '\n\n'.join(po_text.strip().split('\n\n')[1:])


def msg_tool(*args):
    proc = subprocess.run(args, capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        sys.exit('%s failed:\n%s' % (args[0], proc.stderr))
    return proc


with tempfile.TemporaryDirectory() as tmp:
    cmd = pot_command()
    pkg = next(a[len('--pkgname='):] for a in cmd if a.startswith('--pkgname='))
    # an absolute --subdir wins over --source-root when meson joins them: the
    # template goes to tmp, the sources are still read from the source root
    cmd = [('--subdir=' + tmp) if a.startswith('--subdir=') else a for a in cmd]
    shutil.copy(os.path.join(top, 'po', 'POTFILES.in'), tmp)
    proc = subprocess.run(cmd, capture_output=True, text=True)
    pot = os.path.join(tmp, pkg + '.pot')
    if proc.returncode != 0 or not os.path.exists(pot):
        sys.exit('making the template failed:\n' + proc.stdout + proc.stderr)
    n_messages = subprocess.run(['msgattrib', '--no-obsolete', pot], capture_output=True,
                                text=True, check=True).stdout.count('\nmsgid ') - 1

    with open(os.path.join(top, 'po', 'LINGUAS')) as f:
        langs = [w for line in f if not line.startswith('#') for w in line.split()]
    problems = []
    for lang in langs:
        po = os.path.join(top, 'po', lang + '.po')
        # messages of the template the .po has no (non-fuzzy, non-empty) translation for
        missing = msg_tool('msgcmp', '--no-fuzzy-matching', po, pot)
        if missing.returncode != 0:
            problems.append('%s.po lacks translations:\n%s' % (lang, missing.stderr.strip()))
        fuzzy = without_header(msg_tool('msgattrib', '--only-fuzzy', '--no-obsolete', po).stdout)
        if fuzzy:
            problems.append('%s.po has fuzzy entries:\n%s' % (lang, fuzzy))
        empty = without_header(msg_tool('msgattrib', '--untranslated', '--no-obsolete', po).stdout)
        if empty:
            problems.append('%s.po has untranslated entries:\n%s' % (lang, empty))
    print('\n'.join(problems) or '%s complete: %d messages' % (', '.join(langs), n_messages))
    sys.exit(1 if problems else 0)
