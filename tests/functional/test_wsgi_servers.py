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

"""The extension's WSGI entry under WSGI servers other than gunicorn.

(The rest of the functional suite already runs it under gunicorn, whose
command-line flags must not reach Keystone's option parser.)
"""

import grp
import os
import pathlib
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import pytest

from harness import client
from harness import servers


def _wait(url, process, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, 'server exited'
        try:
            if client.requests.get(url, timeout=5).status_code == 200:
                return
        except client.requests.RequestException:
            pass
        time.sleep(0.3)
    raise AssertionError('no answer from %s' % url)


def _check_extension(url):
    admin = client.Session.login(url, client.password_auth(
        username='admin', password=servers.ADMIN_PASSWORD,
        scope={'project': {'name': 'admin', 'domain': {'name': 'Default'}}}))
    body = admin.ok('GET', '/v3/OS-MERCADOR/metadata_schema')
    assert 'metadata_schema' in body
    r = admin.get('/v3/OS-MERCADOR/virtual_regions?bad=1')
    assert r.status_code == 400 and 'error' in r.json()


WORKER_USER = ('nobody', 'nogroup')


def _can_run_python(user):
    out = subprocess.run(['runuser', '-u', user, '--', sys.executable, '-c',
                          'import encodings'], capture_output=True)
    return out.returncode == 0


def _keystone_for(user):
    """A Keystone set up (not started) in a directory ``user`` owns, out
    of root's private temporary directory; returns (directory, server)."""
    base = pathlib.Path(tempfile.mkdtemp(prefix='mercador-wsgi-'))
    base.chmod(0o755)
    keystone = servers.KeystoneServer('mod-wsgi', base=str(base)).setup()
    uid, gid = pwd.getpwnam(user[0]).pw_uid, grp.getgrnam(user[1]).gr_gid
    for path in [base] + list(base.rglob('*')):
        os.chown(path, uid, gid)
    return base, keystone


@pytest.mark.parametrize('server', ['uwsgi', 'mod_wsgi-express'])
def test_serves_extension(provider, server, tmp_path):
    binary = shutil.which(server, path=servers.BIN) or shutil.which(server)
    if not binary:
        pytest.skip('%s is not installed (pip install %s)' % (
            server, 'uwsgi' if server == 'uwsgi' else 'mod_wsgi, which '
            'needs the Apache development headers'))
    port = servers.free_port()
    env = provider.env
    if server == 'uwsgi':
        cmd = [binary, '--http-socket', '127.0.0.1:%d' % port,
               '--module', 'keystone_mercador.wsgi:application',
               '--master', '--processes', '1', '--threads', '1',
               '--die-on-term', '--need-app', '--lazy-apps',
               '--virtualenv', os.path.dirname(servers.BIN)]
    else:
        if os.geteuid() == 0:
            # Apache refuses to serve as root (CI): its workers run as
            # nobody, on a Keystone of their own that nobody may read.
            if not _can_run_python(WORKER_USER[0]):
                pytest.skip(
                    'mod_wsgi-express as root: Apache serves as another '
                    'user, who cannot run this Python (%s)'
                    % os.path.realpath(sys.executable))
            tmp_path, keystone = _keystone_for(WORKER_USER)
            env = keystone.env
            user = ['--user', WORKER_USER[0], '--group', WORKER_USER[1]]
        else:
            user = []
        script = tmp_path / 'keystone.wsgi'
        script.write_text(
            'from keystone_mercador.wsgi import application\n')
        cmd = [binary, 'start-server', str(script), '--port', str(port),
               '--host', '127.0.0.1', '--server-root', str(tmp_path / 'r'),
               '--processes', '1', '--threads', '1'] + user
    with open(tmp_path / 'server.log', 'w') as log:
        process = subprocess.Popen(cmd, env=env, stdout=log,
                                   stderr=subprocess.STDOUT,
                                   start_new_session=True)
    try:
        url = 'http://127.0.0.1:%d' % port
        _wait(url + '/v3', process)
        _check_extension(url)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(30)
