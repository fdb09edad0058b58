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

"""The devstack plugin's shell passes bashate (and shellcheck if present)."""

import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))
FILES = [os.path.join(ROOT, 'devstack', name)
         for name in ('plugin.sh', 'settings')]


def _run(cmd):
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def test_bash_syntax():
    for path in FILES:
        _run(['bash', '-n', path])


def test_bashate():
    bashate = os.path.join(os.path.dirname(sys.executable), 'bashate')
    if not os.path.exists(bashate):
        pytest.skip('bashate is not installed (test extra)')
    # Any bashate warning is an error.
    proc = _run([bashate, '-v', '--error', 'E', '--warn', ''] + FILES)
    assert 'warning(s) found' not in proc.stdout


def test_shellcheck():
    shellcheck = shutil.which('shellcheck')
    if not shellcheck:
        pytest.skip('shellcheck is not installed')
    _run([shellcheck, '-s', 'bash'] + FILES)
