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

"""The documentation and the release notes build without a warning."""

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))

pytest.importorskip('sphinx', reason='the docs extra is not installed')
pytest.importorskip('reno', reason='the docs extra is not installed')


@pytest.mark.parametrize('source', ['doc/source', 'releasenotes/source'])
def test_build_with_warnings_as_errors(source, tmp_path):
    proc = subprocess.run(
        [sys.executable, '-m', 'sphinx', '-W', '--keep-going', '-q',
         '-b', 'html', '-d', str(tmp_path / 'doctrees'),
         os.path.join(ROOT, source), str(tmp_path / 'html')],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env=dict(os.environ, PYTHONWARNINGS='ignore'))
    assert proc.returncode == 0, proc.stderr


def test_release_notes_lint():
    reno = os.path.join(os.path.dirname(sys.executable), 'reno')
    proc = subprocess.run([reno, 'lint'], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
