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

"""The theme and the plugin's data files are found where pip puts them."""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from mercador_dashboard import conf
from mercador_dashboard import theme

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
SOURCES = ('pyproject.toml', 'setup.py', 'MANIFEST.in', 'README.rst',
           'static', 'templates', 'keystone_mercador', 'mercador_dashboard')
PROBE = """
import os
from mercador_dashboard import conf, theme
import mercador_dashboard
paths = [theme.theme_dir(), conf.policy_file(), conf.default_policy_file(),
         os.path.join(os.path.dirname(mercador_dashboard.__file__),
                      'content', 'virtual_regions', 'templates',
                      'virtual_regions', 'index.html')]
for path in paths:
    print(path, os.path.exists(path))
"""


class ThemeTests(unittest.TestCase):

    def test_theme_files(self):
        name, _label, path = theme.available_theme()
        self.assertEqual('mercador', name)
        for relative in ('static/_variables.scss', 'static/_styles.scss',
                         'static/img/logo.svg', 'static/img/logo-splash.svg',
                         'templates/auth/_splash.html'):
            self.assertTrue(os.path.isfile(os.path.join(path, relative)),
                            relative)

    def test_installed_package_ships_theme_and_data(self):
        with tempfile.TemporaryDirectory() as tmp:
            source = os.path.join(tmp, 'src')
            os.mkdir(source)
            for name in SOURCES:
                src = os.path.join(REPO, name)
                if os.path.isdir(src):
                    shutil.copytree(src, os.path.join(source, name),
                                    ignore=shutil.ignore_patterns(
                                        '__pycache__', '*.pyc'))
                elif os.path.exists(src):
                    shutil.copy(src, os.path.join(source, name))
            build = subprocess.run(
                [sys.executable, '-m', 'pip', 'wheel', '-q', '--no-deps',
                 '-w', os.path.join(tmp, 'dist'), source],
                capture_output=True, text=True)
            if build.returncode and 'No matching distribution' in (
                    build.stderr):
                self.skipTest('No package index to fetch the build backend '
                              'from: %s' % build.stderr.strip()[-200:])
            self.assertEqual(0, build.returncode, build.stderr)
            wheel = os.path.join(tmp, 'dist', os.listdir(
                os.path.join(tmp, 'dist'))[0])
            target = os.path.join(tmp, 'site')
            subprocess.run(
                [sys.executable, '-m', 'pip', 'install', '-q', '--no-deps',
                 '--target', target, wheel], check=True,
                capture_output=True)

            probe = subprocess.run(
                [sys.executable, '-c', PROBE], cwd=tmp, check=True,
                capture_output=True, text=True,
                env=dict(os.environ, PYTHONPATH=target))

        lines = probe.stdout.split('\n')[:-1]
        self.assertEqual(4, len(lines), probe.stdout)
        for line in lines:
            path, exists = line.rsplit(' ', 1)
            self.assertTrue(path.startswith(target), line)
            self.assertEqual('True', exists, line)


class PolicyFileTests(unittest.TestCase):

    def test_files_exist(self):
        self.assertTrue(os.path.isfile(conf.policy_file()))
        self.assertTrue(os.path.isfile(conf.default_policy_file()))
