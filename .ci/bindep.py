# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.

"""Install the Debian packages bindep.txt lists for a profile, if missing.

Uses the ``bindep`` tool when it is installed; otherwise reads the file
itself, as far as this project uses bindep's syntax: one package a line,
``#`` comments, an optional ``[...]`` selector of profiles (``test``,
``!test``) and platforms (``platform:dpkg``, ``!platform:rpm``). Version
constraints after the selector are ignored.

    python3 .ci/bindep.py [--profile test] [--dry-run] [bindep.txt]

Exits 0 when every package is installed (after installing the missing ones
with apt-get, as root or through sudo), 1 otherwise.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys

#: Platform names this machine matches (Debian and derivatives).
PLATFORMS = {'dpkg', 'debian', 'ubuntu'}

_LINE = re.compile(r'^(?P<name>[A-Za-z0-9][A-Za-z0-9.+_-]*)\s*'
                   r'(?:\[(?P<selector>[^\]]*)\])?')


def _selected(selector, profile):
    """Whether a line's ``[...]`` selector picks it for ``profile`` on a
    Debian machine."""
    profiles, platforms = [], []
    for word in (selector or '').split():
        negated = word.startswith('!')
        bare = word.lstrip('!')
        if bare.startswith('platform:'):
            platforms.append((negated, bare[len('platform:'):]))
        else:
            profiles.append((negated, bare))
    if any(negated and name == profile for negated, name in profiles):
        return False
    wanted = [name for negated, name in profiles if not negated]
    if wanted and profile not in wanted:
        return False
    if any(negated and name in PLATFORMS for negated, name in platforms):
        return False
    positive = [name for negated, name in platforms if not negated]
    return not positive or bool(PLATFORMS & set(positive))


def packages(text, profile='test'):
    """The packages of a bindep file's text selected for ``profile``."""
    selected = []
    for line in text.splitlines():
        line = line.split('#', 1)[0].strip()
        if not line:
            continue
        match = _LINE.match(line)
        if match is None:
            raise ValueError('Cannot read bindep line: %r' % line)
        if _selected(match.group('selector'), profile):
            selected.append(match.group('name'))
    return selected


def installed(package):
    out = subprocess.run(
        ['dpkg-query', '-W', '-f=${db:Status-Abbrev}', package],
        capture_output=True, text=True)
    return out.returncode == 0 and out.stdout.startswith('ii')


def missing(path, profile):
    if shutil.which('bindep'):
        # bindep -b prints the missing packages, one a line; exit 1 if any.
        out = subprocess.run(['bindep', '-b', '-f', path, profile],
                             capture_output=True, text=True)
        if out.returncode not in (0, 1):
            raise RuntimeError('bindep failed: %s' % out.stderr.strip())
        return out.stdout.split()
    with open(path) as f:
        return [p for p in packages(f.read(), profile) if not installed(p)]


def install(names):
    command = []
    if os.geteuid() != 0:
        if not shutil.which('sudo'):
            print('Not root and no sudo: install %s by hand.'
                  % ' '.join(names), file=sys.stderr)
            return False
        command = ['sudo']
    env = dict(os.environ, DEBIAN_FRONTEND='noninteractive')
    subprocess.run(command + ['apt-get', 'update', '-qq'], env=env,
                   check=True)
    out = subprocess.run(
        command + ['apt-get', 'install', '-y', '-qq',
                   '--no-install-recommends'] + names, env=env)
    return out.returncode == 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('path', nargs='?', default='bindep.txt')
    parser.add_argument('--profile', default='test')
    parser.add_argument('--dry-run', action='store_true',
                        help='Only print the missing packages.')
    args = parser.parse_args(argv)
    names = missing(args.path, args.profile)
    if not names:
        print('bindep: every %s package is installed.' % args.profile)
        return 0
    print('bindep: missing %s' % ' '.join(names))
    if args.dry_run:
        return 1
    if not install(names):
        return 1
    still = missing(args.path, args.profile)
    if still:
        print('bindep: still missing %s' % ' '.join(still), file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
