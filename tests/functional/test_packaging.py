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

"""Each deployable part installs alone and pulls only what it needs.

The wheel is built once from a copy of the working tree; then, for each
extra (``keystone``, ``proxy``, ``dashboard``, ``cli``), a fresh virtualenv
gets ``pip install '<wheel>[<extra>]'`` and, in that virtualenv alone, the
part's modules are imported and its entry points loaded, while what the part
must not pull (Keystone on a Horizon host, Horizon on a Keystone host, ...)
is checked to be absent. The four installs run in parallel and use pip's
cache and configuration; they need the package index.
"""

import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import time
import traceback
import venv

import pytest

from tests.functional import databases

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))

pytestmark = pytest.mark.skipif(
    databases.backend() != 'sqlite',
    reason='packaging involves no database: it is tested in the SQLite pass '
    'only')

PARTS = ('keystone', 'proxy', 'dashboard', 'cli')

#: Distributions that must not be installed with each extra.
ABSENT = {
    'keystone': ['horizon', 'django', 'python-openstackclient'],
    'proxy': ['keystone', 'keystonemiddleware', 'horizon', 'django',
              'sqlalchemy', 'python-openstackclient', 'osc-lib'],
    'dashboard': ['keystone', 'keystonemiddleware',
                  'python-openstackclient'],
    'cli': ['keystone', 'horizon', 'django', 'sqlalchemy'],
}

#: Entry point groups in which each part must load Mercador's entry points.
EXPECTED_GROUPS = {
    'keystone': ['oslo.config.opts', 'oslo.policy.policies',
                 'mercador.publisher', 'mercador.aggregator',
                 'keystone.catalog'],
    'proxy': ['oslo.config.opts'],
    'dashboard': [],
    'cli': ['openstack.cli.extension', 'openstack.mercador.v1'],
}

# Top-level entries of the tree that the wheel does not need; the rest is
# copied so that the build never sees (or leaves) a stale build/ here.
_NOT_COPIED = {'.git', '.venv', '.tox', '.pytest_cache', '.demo', 'build',
               'dist', 'doc', 'tests', 'benchmarks', 'releasenotes',
               'devstack', 'test-artifacts', 'tmp'}

# Run in each virtualenv with ``python -I``: nothing of this tree (or of
# the test virtualenv) is importable there.
CHECK = r'''
import importlib
import importlib.metadata
import importlib.util
import json
import os
import pkgutil
import sys
import tempfile
import traceback

part = sys.argv[1]
imported, errors, entry_points = [], [], {}
# Listed before any import can add to sys.path (pkg_resources adds
# setuptools' vendored distributions).
distributions = sorted({d.metadata['Name']
                        for d in importlib.metadata.distributions()})


def walk(package, skip=()):
    if importlib.util.find_spec(package) is None:
        return
    module = importlib.import_module(package)
    imported.append(package)
    for info in pkgutil.walk_packages(module.__path__, package + '.'):
        if any(info.name == s or info.name.startswith(s + '.')
               for s in skip):
            continue
        try:
            importlib.import_module(info.name)
            imported.append(info.name)
        except (Exception, SystemExit) as e:
            errors.append('%s: %r' % (info.name, e))


def load_entry_points(*groups):
    for group in groups:
        names = entry_points.setdefault(group, [])
        for ep in importlib.metadata.entry_points(group=group):
            if ep.dist is None or ep.dist.name != 'mercador':
                continue
            try:
                ep.load()
                names.append(ep.name)
            except Exception as e:
                errors.append('entry point %s %s: %r' % (group, ep.name, e))


def check_keystone():
    # Not imported: alembic's env.py (run by alembic only) and wsgi (which
    # builds Keystone's application from a configured keystone.conf at
    # import; the functional suites serve it).
    walk('keystone_mercador', skip=('keystone_mercador.migrations.env',
                                    'keystone_mercador.wsgi'))
    walk('mercador_common')
    load_entry_points('oslo.config.opts', 'oslo.policy.policies',
                      'mercador.publisher', 'mercador.aggregator',
                      'keystone.catalog')
    from keystone_mercador import policies
    if not policies.list_rules():
        errors.append('no policy rule')


def check_proxy():
    walk('mercador_proxy', skip=('mercador_proxy.wsgi',))
    load_entry_points('oslo.config.opts')
    # The WSGI application as a server loads it, from a minimal file.
    with tempfile.NamedTemporaryFile('w', suffix='.conf',
                                     delete=False) as f:
        f.write('[proxy]\nidentity_url = http://127.0.0.1:5000\n'
                'username = mercador-proxy\npassword = secret\n')
    os.environ['MERCADOR_PROXY_CONFIG_FILE'] = f.name
    from mercador_proxy import app
    from mercador_proxy import wsgi
    if not isinstance(wsgi.application, app.Proxy):
        errors.append('mercador_proxy.wsgi:application is %r'
                      % wsgi.application)
    imported.append('mercador_proxy.wsgi')
    os.unlink(f.name)


def check_dashboard():
    # Enabled as the installation guide says: the enabled files and the
    # settings file copied into Horizon's local/ directory.
    import shutil
    import mercador_dashboard
    import openstack_dashboard
    plugin = mercador_dashboard.__path__[0]
    local = os.path.join(openstack_dashboard.__path__[0], 'local')
    for name in sorted(os.listdir(os.path.join(plugin, 'enabled'))):
        if name[:2] == '_2' and name.endswith('.py'):
            shutil.copy(os.path.join(plugin, 'enabled', name),
                        os.path.join(local, 'enabled'))
    shutil.copy(os.path.join(plugin, 'local_settings.d',
                             '_90_mercador.py.example'),
                os.path.join(local, 'local_settings.d', '_90_mercador.py'))
    os.environ['DJANGO_SETTINGS_MODULE'] = 'openstack_dashboard.settings'
    import django
    django.setup()
    walk('mercador_dashboard')
    walk('mercador_common')
    import openstack_dashboard.urls  # noqa
    from django.urls import reverse
    for panel in ('virtual_regions', 'aggregators', 'providers', 'offers',
                  'bound_regions'):
        try:
            reverse('horizon:admin:%s:index' % panel)
        except Exception as e:
            errors.append('panel %s: %r' % (panel, e))
    from mercador_dashboard import theme
    try:
        theme.theme_dir()
    except RuntimeError as e:
        errors.append(str(e))


def check_cli():
    walk('mercador_osc')
    load_entry_points('openstack.cli.extension', 'openstack.mercador.v1')


try:
    globals()['check_' + part]()
except (Exception, SystemExit):
    errors.append(traceback.format_exc())

mine = [m for m in imported if not sys.modules[m].__file__.startswith(
    sys.prefix)]
if mine:
    errors.append('imported from outside the virtualenv: %s' % mine)
print(json.dumps({
    'imported': imported, 'errors': errors, 'entry_points': entry_points,
    'distributions': distributions,
}))
'''


def _normalize(name):
    return re.sub(r'[-_.]+', '-', name).lower()


def _environ():
    env = dict(os.environ, PYTHONWARNINGS='ignore')
    for name in ('PYTHONPATH', 'PYTHONHOME', 'VIRTUAL_ENV',
                 'DJANGO_SETTINGS_MODULE', 'OS_CLOUD'):
        env.pop(name, None)
    return env


def _run(cmd, timeout, cwd):
    proc = subprocess.run(cmd, cwd=cwd, env=_environ(), capture_output=True,
                          text=True, timeout=timeout)
    return proc.returncode, proc.stdout, proc.stderr


def _size(path):
    total = 0
    for top, _dirs, files in os.walk(path):
        for name in files:
            full = os.path.join(top, name)
            if not os.path.islink(full):
                total += os.path.getsize(full)
    return total


def _build_wheel(base):
    def ignore(directory, names):
        skipped = {n for n in names
                   if n == '__pycache__' or n.endswith(('.egg-info', '.pyc'))}
        if os.path.samefile(directory, ROOT):
            skipped |= _NOT_COPIED & set(names)
        return skipped

    source = os.path.join(base, 'source')
    shutil.copytree(ROOT, source, ignore=ignore, symlinks=True)
    wheels = os.path.join(base, 'wheel')
    rc, out, err = _run([sys.executable, '-m', 'pip', 'wheel', '--no-deps',
                         '-q', '-w', wheels, source], 600, base)
    assert rc == 0, 'pip wheel failed:\n' + out + err
    [wheel] = os.listdir(wheels)
    return os.path.join(wheels, wheel)


def _install_and_check(base, wheel, part):
    """Install ``wheel[part]`` in a new virtualenv and run CHECK there."""
    result = {'part': part}
    try:
        return _install_and_check_in(base, wheel, part, result)
    except Exception:  # a time-out: this part fails, not the others
        result.setdefault('install', (None, '', traceback.format_exc()))
        result.setdefault('check', (None, '', traceback.format_exc()))
        result.setdefault('openstack', (None, '', traceback.format_exc()))
        return result


def _install_and_check_in(base, wheel, part, result):
    started = time.monotonic()
    env_dir = os.path.join(base, 'venv-' + part)
    # No pip in the new virtualenv: this pip installs into it (--python),
    # so that what is listed there is what the extra pulled.
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = os.path.join(env_dir, 'bin', 'python')
    rc, out, err = _run([sys.executable, '-m', 'pip', '--python', python,
                         'install', '--no-compile', '-q',
                         '%s[%s]' % (wheel, part)], 900, base)
    result['install_seconds'] = time.monotonic() - started
    result['install'] = (rc, out, err)
    if rc:
        return result
    result['size'] = _size(env_dir)
    rc, out, err = _run([python, '-I', '-c', CHECK, part], 300, base)
    result['check'] = (rc, out, err)
    if part == 'cli':
        # What a user of the extra runs: the openstack command.
        openstack = os.path.join(env_dir, 'bin', 'openstack')
        if os.path.exists(openstack):
            result['openstack'] = _run(
                [openstack, 'virtual', 'region', 'list', '--help'], 120,
                base)
        else:
            result['openstack'] = (None, '', 'the [cli] extra installed no '
                                   'openstack command')
    result['seconds'] = time.monotonic() - started
    return result


@pytest.fixture(scope='module')
def parts(tmp_path_factory):
    base = str(tmp_path_factory.mktemp('packaging'))
    started = time.monotonic()
    wheel = _build_wheel(base)
    with concurrent.futures.ThreadPoolExecutor(len(PARTS)) as pool:
        results = dict(zip(PARTS, pool.map(
            lambda part: _install_and_check(base, wheel, part), PARTS)))
    elapsed = time.monotonic() - started
    summary = ['wheel built and %d extras installed and checked in %.0f s'
               % (len(PARTS), elapsed)]
    for part, result in results.items():
        if 'size' in result:
            summary.append('  [%s] installed in %.0f s, %s distributions, '
                           '%.0f MB' % (
                               part, result['install_seconds'],
                               _report(result).get('count', '?'),
                               result['size'] / 1e6))
    print('\n'.join(summary))
    return results


def _report(result):
    rc, out, err = result.get('check', (None, '', ''))
    if rc != 0:
        return {}
    report = json.loads(out.strip().splitlines()[-1])
    report['count'] = len(report['distributions'])
    return report


def _checked(result):
    rc, out, err = result['install']
    assert rc == 0, 'pip install [%s] failed:\n%s%s' % (
        result['part'], out, err[-5000:])
    rc, out, err = result['check']
    assert rc == 0, 'the check of [%s] failed:\n%s%s' % (
        result['part'], out, err[-5000:])
    return _report(result)


@pytest.mark.parametrize('part', PARTS)
def test_part_imports_alone(parts, part):
    report = _checked(parts[part])
    assert report['errors'] == [], '\n'.join(report['errors'])
    assert report['imported'], 'nothing imported'
    for group in EXPECTED_GROUPS[part]:
        assert report['entry_points'].get(group), (
            'no entry point of %s loaded' % group)


@pytest.mark.parametrize('part', PARTS)
def test_part_pulls_only_what_it_needs(parts, part):
    report = _checked(parts[part])
    installed = {_normalize(n) for n in report['distributions']}
    assert 'mercador' in installed
    unwanted = sorted(set(ABSENT[part]) & installed)
    assert not unwanted, '[%s] pulled %s' % (part, ', '.join(unwanted))


def test_cli_gives_the_openstack_command(parts):
    _checked(parts['cli'])
    rc, out, err = parts['cli']['openstack']
    assert rc == 0, out + err
    assert 'usage: openstack virtual region list' in out
