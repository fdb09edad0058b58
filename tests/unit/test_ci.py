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

"""CI never skips silently: .ci/run's system packages and the skip rule.

The rule (tests/conftest.py) is run on a small suite of its own in a
temporary directory, with and without ``CI=true``.
"""

import importlib.util
import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


def _load_bindep():
    spec = importlib.util.spec_from_file_location(
        'ci_bindep', os.path.join(ROOT, '.ci', 'bindep.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bindep = _load_bindep()

SUITE = {
    'test_skips.py': '''
import pytest

def test_missing_tool():
    pytest.skip('shellcheck is not installed')

def test_other_pass():
    pytest.skip('it is tested in the SQLite pass only')

@pytest.mark.skipif(True, reason='MariaDB server not reachable')
def test_missing_server():
    pass

@pytest.mark.xfail(strict=True, reason='a known bug')
def test_known_bug():
    assert False

def test_runs():
    pass
''',
    'test_module_skip.py': '''
import pytest

pytest.importorskip('no_such_module_here', reason='the docs extra is not '
                    'installed')

def test_never_collected():
    pass
''',
}


def _run(tmp_path, ci):
    for name, text in SUITE.items():
        (tmp_path / name).write_text(text)
    shutil.copy(os.path.join(ROOT, 'tests', 'conftest.py'),
                tmp_path / 'conftest.py')
    env = dict(os.environ)
    env.pop('CI', None)
    if ci:
        env['CI'] = 'true'
    out = subprocess.run(
        [sys.executable, '-m', 'pytest', '-q', '-rfs', '-p',
         'no:cacheprovider', str(tmp_path)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    return out.returncode, out.stdout


def test_without_ci_missing_dependencies_skip(tmp_path):
    code, out = _run(tmp_path, ci=False)
    assert code == 0, out
    assert '1 passed, 4 skipped, 1 xfailed' in out


def test_under_ci_missing_dependencies_fail_saying_why(tmp_path):
    code, out = _run(tmp_path, ci=True)
    assert code == 1, out
    # The skipif mark skips in the set-up: that failure is an error.
    assert '2 failed, 1 passed, 1 skipped, 1 xfailed, 1 error' in out
    for reason in ('shellcheck is not installed',
                   'MariaDB server not reachable',
                   'the docs extra is not installed'):
        assert 'CI=true: this test would be skipped' in out
        assert reason in out
    # A skip by design stays a skip.
    assert 'tested in the SQLite pass only' in out
    assert 'FAILED test_skips.py::test_other_pass' not in out


@pytest.mark.parametrize('line,selected', [
    ('chromium [test platform:dpkg]', True),
    ('plain-package', True),
    ('docs-tool [doc]', False),
    ('not-in-test [!test]', False),
    ('rpm-only [test platform:rpm]', False),
    ('not-on-debian [test !platform:dpkg]', False),
    ('both [test platform:rpm platform:dpkg]', True),
    ('versioned [test platform:dpkg] >=1.2', True),
])
def test_bindep_selection(line, selected):
    name = line.split()[0]
    assert (bindep.packages(line, 'test') == [name]) == selected


def test_bindep_file_of_the_repository():
    with open(os.path.join(ROOT, 'bindep.txt')) as f:
        names = bindep.packages(f.read(), 'test')
    for name in ('chromium', 'chromium-driver', 'mariadb-server',
                 'postgresql', 'shellcheck', 'apache2-dev'):
        assert name in names


def test_ci_run_installs_bindep_then_runs_make_test():
    with open(os.path.join(ROOT, '.ci', 'run')) as f:
        script = f.read()
    assert script.index('.ci/bindep.py') < script.index('make test')
    assert 'CI="${CI:-true}"' in script
