"""Real servers for the demo and the functional tests.

Keystone with the extension under gunicorn, on a loopback port that is
free, configured in a private directory; SQLite unless a database URL is
given.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

from cryptography import fernet
import requests

BIN = os.path.dirname(sys.executable)
ADMIN_PASSWORD = 'admin-secret-password'


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _run(cmd, env, log):
    with open(log, 'a') as out:
        subprocess.run(cmd, env=env, check=True, stdout=out,
                       stderr=subprocess.STDOUT, timeout=300)


class KeystoneServer:
    """A Keystone (with the Mercador extension) in its own directory."""

    def __init__(self, name, database_url=None, extra_conf='', base=None,
                 app='keystone_mercador.wsgi:application', extension=True):
        self.name = name
        self.app = app
        self.extension = extension
        self.dir = tempfile.mkdtemp(prefix='mercador-%s-' % name, dir=base)
        self.port = free_port()
        self.url = 'http://127.0.0.1:%d' % self.port
        self.auth_url = self.url + '/v3'
        self.database_url = database_url or 'sqlite:///%s' % os.path.join(
            self.dir, 'keystone.db')
        self.log = os.path.join(self.dir, 'keystone.log')
        self.process = None
        self._write_conf(extra_conf)

    @property
    def env(self):
        env = dict(os.environ)
        env.update(OS_KEYSTONE_CONFIG_DIR=self.dir, PYTHONWARNINGS='ignore')
        return env

    def _write_conf(self, extra):
        conf = f"""[DEFAULT]
log_file = {self.log}
[database]
connection = {self.database_url}
[fernet_tokens]
key_repository = {self.dir}/fernet-keys
[fernet_receipts]
key_repository = {self.dir}/fernet-keys
[credential]
key_repository = {self.dir}/credential-keys
[identity]
password_hash_rounds = 4
[oslo_messaging_notifications]
driver = log
[oslo_policy]
policy_file = {self.dir}/policy.yaml
{extra}
"""
        with open(os.path.join(self.dir, 'keystone.conf'), 'w') as f:
            f.write(conf)

    def setup(self):
        conf = ['--config-file', os.path.join(self.dir, 'keystone.conf')]
        km = os.path.join(BIN, 'keystone-manage')
        _run([km] + conf + ['db_sync'], self.env, self.log)
        if self.extension:
            _run([os.path.join(BIN, 'mercador-manage')] + conf + ['db_sync'],
                 self.env, self.log)
        # What keystone-manage fernet_setup / credential_setup write (a
        # staged key 0 and a primary key 1), without two more interpreter
        # start-ups per server.
        for repo in ('fernet-keys', 'credential-keys'):
            path = os.path.join(self.dir, repo)
            os.makedirs(path, mode=0o700)
            for index in ('0', '1'):
                with open(os.path.join(path, index), 'wb') as f:
                    f.write(fernet.Fernet.generate_key())
        _run([km] + conf + [
            'bootstrap', '--bootstrap-password', ADMIN_PASSWORD,
            '--bootstrap-admin-url', self.auth_url,
            '--bootstrap-public-url', self.auth_url,
            '--bootstrap-internal-url', self.auth_url,
            '--bootstrap-region-id', 'RegionOne'], self.env, self.log)
        return self

    def start(self, timeout=60):
        sqlite = self.database_url.startswith('sqlite')
        cmd = [os.path.join(BIN, 'gunicorn'), '--no-control-socket',
               '-b', '127.0.0.1:%d' % self.port,
               '--workers', '1' if sqlite else '2', '--threads', '1',
               '--timeout', '120', '--graceful-timeout', '5',
               self.app]
        out = open(os.path.join(self.dir, 'gunicorn.log'), 'a')
        self.process = subprocess.Popen(
            cmd, env=self.env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError('Keystone %s exited; see %s' % (
                    self.name, self.dir))
            try:
                if requests.get(self.auth_url, timeout=5).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError('Keystone %s did not answer in %ds' % (
            self.name, timeout))

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def read_log(self):
        with open(self.log, errors='replace') as f:
            return f.read()
