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

"""Real servers for the demo, the functional tests and the benchmarks.

Keystone with the extension, the provider services Glance and Placement,
the Mercador proxy and Horizon with the Mercador plugin, each under gunicorn
on a loopback port that is free, configured in a private directory; SQLite
unless a database URL is given. HAProxy, for several of them behind one
address.
"""

import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

from cryptography import fernet
import requests

from harness import client

BIN = os.path.dirname(sys.executable)
#: The checkout: the servers import ``harness`` (and ``tests``) from it,
#: whatever their working directory.
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ADMIN_PASSWORD = 'admin-secret-password'
SERVICE_PASSWORD = 'service-secret-password'


#: The ports ``free_port`` has handed out in this process.
_GIVEN = set()


def _ephemeral_ports():
    """Linux's range of local ports for outgoing connections."""
    try:
        with open('/proc/sys/net/ipv4/ip_local_port_range') as f:
            low, high = (int(n) for n in f.read().split())
    except (OSError, ValueError):
        low, high = 32768, 60999
    return low, high


def _bindable(port):
    with socket.socket() as s:
        # As gunicorn binds: connections of a previous run waiting in
        # TIME_WAIT do not make the port busy.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(('127.0.0.1', port))
            return True
        except OSError:
            return False


def free_port(preferred=None):
    """A free loopback port: ``preferred`` if it is free, else one below
    the ephemeral range. A port the kernel hands out (bind to 0) comes
    from that range, where any outgoing connection may take it as its
    local port before the server binds it (seen: gunicorn's "Address
    already in use" while another suite ran)."""
    if preferred and _bindable(preferred):
        return preferred
    low = _ephemeral_ports()[0]
    if low > 11000:
        for _ in range(100):
            port = random.randrange(10000, low)
            # Not one handed out already, which may not be bound yet.
            if port not in _GIVEN and _bindable(port):
                _GIVEN.add(port)
                return port
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def is_listening(port):
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(('127.0.0.1', port)) == 0


def _pythonpath(*first):
    """``PYTHONPATH`` with ``first`` ahead of the caller's entries."""
    rest = os.environ.get('PYTHONPATH', '').split(os.pathsep)
    return os.pathsep.join(
        dict.fromkeys(p for p in list(first) + rest if p))


def _run(cmd, env, log):
    with open(log, 'a') as out:
        subprocess.run(cmd, env=env, check=True, stdout=out,
                       stderr=subprocess.STDOUT, timeout=300)


class Server:
    """A WSGI application under gunicorn, in its own directory."""

    kind = 'server'
    app = None
    health_path = '/'
    config_env = None
    gunicorn_args = ('--workers', '1', '--threads', '1')

    def __init__(self, name, base=None, directory=None, port=None):
        self.name = name
        if directory:
            os.makedirs(directory, exist_ok=True)
            self.dir = directory
        else:
            self.dir = tempfile.mkdtemp(prefix='mercador-%s-' % name,
                                        dir=base)
        self.port = free_port(port)
        self.url = 'http://127.0.0.1:%d' % self.port
        self.log = os.path.join(self.dir, '%s.log' % self.kind)
        self.process = None

    @property
    def env(self):
        env = dict(os.environ)
        env.update({self.config_env: self.dir, 'PYTHONWARNINGS': 'ignore'})
        env['PYTHONPATH'] = _pythonpath(ROOT)
        return env

    def start(self, timeout=90):
        return self.launch().wait_ready(timeout)

    def launch(self):
        """Start gunicorn without waiting for the application."""
        cmd = [os.path.join(BIN, 'gunicorn'), '--no-control-socket',
               '-b', '127.0.0.1:%d' % self.port, '--timeout', '600',
               '--graceful-timeout', '5'] + list(self.gunicorn_args) + [
                   self.app]
        out = open(os.path.join(self.dir, 'gunicorn.log'), 'a')
        self.process = subprocess.Popen(
            cmd, env=self.env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True)
        out.close()
        return self

    def wait_ready(self, timeout=90):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError('%s %s exited; see %s' % (
                    self.kind, self.name, self.dir))
            try:
                r = requests.get(self.url + self.health_path, timeout=5)
                if r.status_code < 500:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError('%s %s did not answer in %ds' % (
            self.kind, self.name, timeout))

    def terminate(self):
        """Ask gunicorn to stop, without waiting."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)

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


class KeystoneServer(Server):
    """A Keystone (with the Mercador extension unless told otherwise)."""

    kind = 'keystone'
    config_env = 'OS_KEYSTONE_CONFIG_DIR'
    health_path = '/v3'
    #: The bootstrap admin's (user 'admin', project 'admin').
    admin_password = ADMIN_PASSWORD

    def __init__(self, name, database_url=None, extra_conf='', base=None,
                 app='keystone_mercador.wsgi:application', extension=True,
                 directory=None, port=None, workers=None):
        super().__init__(name, base=base, directory=directory, port=port)
        self.app = app
        self.extension = extension
        self.auth_url = self.url + '/v3'
        self.database_url = database_url or 'sqlite:///%s' % os.path.join(
            self.dir, 'keystone.db')
        # SQLite allows one writer: more than one worker gives 500s.
        if workers is None:
            workers = 1 if self.database_url.startswith('sqlite') else 2
        self.gunicorn_args = ('--workers', str(workers), '--threads', '1')
        self._write_conf(extra_conf)

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
            if os.path.isdir(path):
                continue
            os.makedirs(path, mode=0o700)
            for index in ('0', '1'):
                with open(os.path.join(path, index), 'wb') as f:
                    f.write(fernet.Fernet.generate_key())
        _run([km] + conf + [
            'bootstrap', '--bootstrap-password', self.admin_password,
            '--bootstrap-admin-url', self.auth_url,
            '--bootstrap-public-url', self.auth_url,
            '--bootstrap-internal-url', self.auth_url,
            '--bootstrap-region-id', 'RegionOne'], self.env, self.log)
        return self

    def service_user(self, name, role='admin'):
        """A user holding ``role`` in project 'service' (both created as
        needed)."""
        admin = client.Session.admin(self)
        projects = admin.ok('GET', '/v3/projects?name=service')['projects']
        project = projects[0] if projects else admin.ok(
            'POST', '/v3/projects', json={'project': {
                'name': 'service', 'domain_id': 'default'}})['project']
        return client.user(admin, name, SERVICE_PASSWORD, project, role)

    def register_service(self, service_type, name, url,
                         region='RegionOne'):
        """Catalog entry and service user (admin in project 'service')."""
        self.service_user(name)
        admin = client.Session.admin(self)
        service = admin.ok('POST', '/v3/services', json={'service': {
            'type': service_type, 'name': name}})['service']
        for interface in ('public', 'internal', 'admin'):
            admin.ok('POST', '/v3/endpoints', json={'endpoint': {
                'service_id': service['id'], 'interface': interface,
                'url': url, 'region_id': region}})
        return service

    def authtoken_conf(self, username, auth_url=None):
        """keystonemiddleware's section for a service user, which
        authenticates at ``auth_url`` (default: this Keystone's)."""
        return f"""[keystone_authtoken]
www_authenticate_uri = {self.auth_url}
auth_url = {auth_url or self.auth_url}
auth_type = password
username = {username}
password = {SERVICE_PASSWORD}
project_name = service
user_domain_name = Default
project_domain_name = Default
"""


class KeystoneReplica(Server):
    """Another gunicorn of a Keystone: its configuration, database and
    keys, on a port of its own.

    For a service whose tokens must be validated while the Keystone
    waits on that service (a provider's usage read waits on Placement):
    a Keystone on SQLite has one worker, which would wait for itself.
    """

    kind = 'keystone'
    config_env = 'OS_KEYSTONE_CONFIG_DIR'
    health_path = '/v3'

    def __init__(self, keystone, port=None):
        super().__init__(keystone.name + '-replica', directory=keystone.dir,
                         port=port)
        self.app = keystone.app
        self.auth_url = self.url + '/v3'
        self.keystone = keystone

    def register(self, region):
        """Make it the ``admin`` identity endpoint of ``region`` (the one
        keystonemiddleware validates at with ``interface = admin`` and
        that ``region_name``); nothing else uses that interface here."""
        admin = client.Session.admin(self.keystone)
        service = admin.ok('GET', '/v3/services?type=identity')[
            'services'][0]
        endpoints = admin.ok('GET', '/v3/endpoints?interface=admin&'
                             'service_id=' + service['id'])['endpoints']
        for endpoint in endpoints:
            if endpoint['region_id'] == region:
                admin.ok('PATCH', '/v3/endpoints/' + endpoint['id'],
                         json={'endpoint': {'url': self.auth_url}})
                return self
        admin.ok('POST', '/v3/endpoints', json={'endpoint': {
            'service_id': service['id'], 'interface': 'admin',
            'url': self.auth_url, 'region_id': region}})
        return self


class GlanceServer(Server):
    """Glance (images, the binary data path) behind a Keystone."""

    kind = 'glance'
    app = 'glance.wsgi.api:application'
    config_env = 'OS_GLANCE_CONFIG_DIR'
    health_path = '/healthcheck'
    # A sync worker would be killed mid-upload and block everything else.
    gunicorn_args = ('--workers', '1', '--worker-class', 'gthread',
                     '--threads', '4')

    def setup(self, keystone, region='RegionOne', database_url=None,
              register=True):
        """Configure, create the database, and (with ``register``: the
        Keystone must answer) register the service and its user."""
        paste = os.path.join(os.path.dirname(BIN), 'etc', 'glance',
                             'glance-api-paste.ini')
        with open(paste) as f:
            text = f.read().replace(
                '/etc/glance/healthcheck_disable',
                os.path.join(self.dir, 'healthcheck_disable'))
        with open(os.path.join(self.dir, 'glance-api-paste.ini'), 'w') as f:
            f.write(text)
        data = {d: os.path.join(self.dir, d)
                for d in ('images', 'staging', 'tasks')}
        for path in data.values():
            os.makedirs(path, exist_ok=True)
        conf = f"""[DEFAULT]
log_file = {self.log}
enabled_backends = fs:file
worker_self_reference_url = {self.url}
[database]
connection = {database_url or 'sqlite:///%s/glance.db' % self.dir}
[glance_store]
default_backend = fs
[fs]
filesystem_store_datadir = {data['images']}
[os_glance_staging_store]
filesystem_store_datadir = {data['staging']}
[os_glance_tasks_store]
filesystem_store_datadir = {data['tasks']}
[paste_deploy]
flavor = keystone
config_file = {self.dir}/glance-api-paste.ini
{keystone.authtoken_conf('glance')}
"""
        with open(os.path.join(self.dir, 'glance-api.conf'), 'w') as f:
            f.write(conf)
        manage = [os.path.join(BIN, 'glance-manage'), '--config-file',
                  os.path.join(self.dir, 'glance-api.conf')]
        _run(manage + ['db_sync'], self.env, self.log)
        # Its metadata definitions, as a deployment loads them (Horizon's
        # Launch Instance reads them, and fails on an empty list); 2 s.
        metadefs = os.path.join(os.path.dirname(BIN), 'etc', 'glance',
                                'metadefs')
        _run(manage + ['db_load_metadefs', metadefs], self.env, self.log)
        if register:
            keystone.register_service('image', 'glance', self.url, region)
        return self


class PlacementServer(Server):
    """Placement behind a Keystone."""

    kind = 'placement'
    app = 'placement.wsgi.api:application'
    config_env = 'OS_PLACEMENT_CONFIG_DIR'

    #: Nova makes allocations on a tenant's behalf, with its service
    #: token; there is no Nova here, so a project's members may write
    #: allocations themselves (only that: resource providers and their
    #: inventories stay the admin's). A tenant of a bound region then
    #: allocates through the proxy with its own token, as Nova would for
    #: it, and usage reads have real numbers to report.
    POLICY = '"placement:allocations:update": "role:member or role:admin"\n'

    def setup(self, keystone, region='RegionOne', register=True,
              validate_at=None):
        """As ``GlanceServer.setup``; tokens are validated at
        ``validate_at`` (a started ``KeystoneReplica``) if given."""
        policy = os.path.join(self.dir, 'policy.yaml')
        with open(policy, 'w') as f:
            f.write(self.POLICY)
        conf = f"""[DEFAULT]
log_file = {self.log}
[placement_database]
connection = sqlite:///{self.dir}/placement.db
[api]
auth_strategy = keystone
[oslo_policy]
policy_file = {policy}
{keystone.authtoken_conf('placement', validate_at and validate_at.auth_url)}
"""
        if validate_at:
            validate_at.register(region)
            conf += 'region_name = %s\ninterface = admin\n' % region
        path = os.path.join(self.dir, 'placement.conf')
        with open(path, 'w') as f:
            f.write(conf)
        _run([os.path.join(BIN, 'placement-manage'), '--config-file', path,
              'db', 'sync'], self.env, self.log)
        if register:
            keystone.register_service('placement', 'placement', self.url,
                                      region)
        return self


class ProxyServer(Server):
    """The Mercador proxy in front of an aggregator Keystone."""

    kind = 'proxy'
    app = 'mercador_proxy.wsgi:application'
    config_env = 'MERCADOR_PROXY_CONFIG_FILE'
    health_path = '/'
    # Threads: large transfers must not block other requests.
    gunicorn_args = ('--workers', '2', '--worker-class', 'gthread',
                     '--threads', '8')

    @property
    def env(self):
        env = super().env
        env[self.config_env] = os.path.join(self.dir, 'proxy.conf')
        return env

    def setup(self, keystone, cache_backend='oslo_cache.dict',
              redis_server=None, username='mercador-proxy',
              identity_url=None, public_url=None, create_user=True):
        """Configure against an aggregator Keystone, creating the proxy's
        service user there (service role in project 'service').

        ``identity_url`` and ``public_url`` (default: the Keystone's URL and
        this server's) are for a load balancer in front of several
        Keystones or proxies; ``create_user=False`` reuses the user that
        another proxy process created."""
        if create_user:
            keystone.service_user(username, role='service')
        cache = 'backend = %s\nenabled = true\n' % cache_backend
        if redis_server:
            cache += 'redis_server = %s\n' % redis_server
        with open(os.path.join(self.dir, 'proxy.conf'), 'w') as f:
            f.write(f"""[DEFAULT]
log_file = {self.log}
[proxy]
identity_url = {identity_url or keystone.url}
public_url = {public_url or self.url}
username = {username}
password = {SERVICE_PASSWORD}
[cache]
{cache}""")
        return self


class HorizonServer(Server):
    """Horizon with the Mercador plugin.

    ``role`` picks the plugin's panels: 'provider' (virtual regions,
    aggregators) or 'aggregator' (providers, offers, bound regions, with
    the theme and the region menu fed from ``mercador_database_url``).
    Settings come from ``harness.horizon_settings`` through a ``local``
    package of the server's directory, static files are collected and
    compressed there, and sessions live in a SQLite database there.
    """

    kind = 'horizon'
    app = 'harness.horizon_wsgi:application'
    config_env = 'MERCADOR_HORIZON_DIR'
    health_path = '/auth/login/'
    gunicorn_args = ('--workers', '1', '--worker-class', 'gthread',
                     '--threads', '4')
    PANELS = {
        'provider': ('_2900', '_2910', '_2920'),
        'aggregator': ('_2900', '_2930', '_2940', '_2950'),
    }

    @property
    def env(self):
        env = super().env
        env['DJANGO_SETTINGS_MODULE'] = 'openstack_dashboard.settings'
        # Horizon imports ``local.local_settings`` from the server's
        # directory, which imports ``harness.horizon_settings``.
        env['PYTHONPATH'] = _pythonpath(self.dir, ROOT)
        return env

    def setup(self, keystone, role, mercador_database_url=None):
        from mercador_dashboard import enabled
        settings_path = os.path.join(self.dir, 'horizon.json')
        previous = {}
        if os.path.exists(settings_path):
            with open(settings_path) as f:
                previous = json.load(f)
        settings = {
            'keystone_url': keystone.auth_url,
            'secret_key': previous.get('secret_key') or
            fernet.Fernet.generate_key().decode(),
            'role': role,
            'theme': role == 'aggregator',
            'mercador_database_url': mercador_database_url,
        }
        with open(settings_path, 'w') as f:
            json.dump(settings, f, indent=2)
        local = os.path.join(self.dir, 'local')
        os.makedirs(local, exist_ok=True)
        with open(os.path.join(local, '__init__.py'), 'w'):
            pass
        with open(os.path.join(local, 'local_settings.py'), 'w') as f:
            f.write('from harness.horizon_settings import *  # noqa\n')
        panels = os.path.join(self.dir, 'enabled')
        shutil.rmtree(panels, ignore_errors=True)
        os.makedirs(panels)
        source = os.path.dirname(enabled.__file__)
        files = sorted(name for name in os.listdir(source)
                       if name.startswith(self.PANELS[role]))
        for name in files:
            shutil.copy(os.path.join(source, name), panels)

        django = [sys.executable, '-m', 'django']
        if not os.path.exists(os.path.join(self.dir, 'horizon.db')):
            _run(django + ['migrate', '--noinput'], self.env, self.log)
        # Static files depend on the panels and the theme; compressing
        # them again is only needed when those change.
        stamp = os.path.join(self.dir, 'static', 'mercador-stamp.json')
        wanted = json.dumps({'panels': files, 'theme': settings['theme']})
        if not os.path.exists(stamp) or open(stamp).read() != wanted:
            _run(django + ['collectstatic', '--noinput', '--clear',
                           '--verbosity', '0'], self.env, self.log)
            _run(django + ['compress', '--force'], self.env, self.log)
            with open(stamp, 'w') as f:
                f.write(wanted)
        return self


class HAProxyServer:
    """HAProxy in front of several servers of one kind, as operators run
    Keystones and proxies: one loopback frontend per ``add``, round robin
    over its servers, health checks, and a request that cannot connect to
    one server tried on another (never a request a server received).

    Errors HAProxy answers itself (no server left, a server that died
    mid-answer, a server too slow) are JSON bodies like the services'
    own, ``LB_ERRORS``, so clients print a message and tests can tell
    them from the services' errors.
    """

    kind = 'haproxy'
    #: The errors HAProxy answers itself: status -> JSON body.
    LB_ERRORS = {
        code: json.dumps({'error': {
            'code': code, 'title': title,
            'message': 'The load balancer: %s' % message}})
        for code, title, message in (
            (502, 'Bad Gateway', 'the server answered nothing or an '
             'invalid response.'),
            (503, 'Service Unavailable', 'no server is available to '
             'handle this request.'),
            (504, 'Gateway Timeout', 'the server did not answer in time.'))}

    def __init__(self, name, base=None, directory=None,
                 binary=None, server_timeout=60):
        self.name = name
        if directory:
            os.makedirs(directory, exist_ok=True)
            self.dir = directory
        else:
            self.dir = tempfile.mkdtemp(prefix='mercador-%s-' % name,
                                        dir=base)
        self.binary = binary or shutil.which('haproxy') or '/usr/sbin/haproxy'
        self.server_timeout = server_timeout
        self.config = os.path.join(self.dir, 'haproxy.cfg')
        self.socket = os.path.join(self.dir, 'admin.sock')
        if len(self.socket) > 100:  # the limit of a Unix socket's path
            self.socket = os.path.join(
                tempfile.mkdtemp(prefix='mercador-haproxy-'), 'admin.sock')
        self.log = os.path.join(self.dir, '%s.log' % self.kind)
        self.frontends = {}
        self.process = None

    @classmethod
    def available(cls):
        return bool(shutil.which('haproxy')
                    or os.path.exists('/usr/sbin/haproxy'))

    def add(self, name, backends, health_path='/', port=None,
            expect='rstatus ^[234]'):
        """A frontend ``name`` over ``backends`` (servers of this module,
        or ``(name, port)`` pairs of loopback servers); return its URL."""
        port = free_port(port)
        self.frontends[name] = {
            'port': port, 'health_path': health_path, 'expect': expect,
            'servers': [(b.name, b.port) if isinstance(b, Server) else
                        tuple(b) for b in backends]}
        return 'http://127.0.0.1:%d' % port

    def _write_conf(self):
        errors = []
        for code, body in self.LB_ERRORS.items():
            path = os.path.join(self.dir, '%d.http' % code)
            data = body.encode('utf-8')
            with open(path, 'wb') as f:
                f.write(('HTTP/1.1 %d %s\r\nContent-Type: application/json\r\n'
                         'Cache-Control: no-cache\r\nConnection: close\r\n'
                         'Content-Length: %d\r\n\r\n' % (
                             code, json.loads(body)['error']['title'],
                             len(data))).encode('ascii') + data)
            errors.append('    errorfile %d %s' % (code, path))
        lines = [
            'global',
            '    maxconn 512',
            '    stats socket %s mode 600 level admin' % self.socket,
            # Requests logged: only those that failed (dontlog-normal).
            '    log stderr format short local0 info',
            'defaults',
            '    mode http',
            '    log global',
            '    option httplog',
            '    option dontlog-normal',
            # A request that could not be sent to a server (refused: the
            # process is gone) is sent to another one; HAProxy's default
            # retry-on (conn-failure) never resends one a server received.
            '    retries 2',
            '    option redispatch 1',
            '    timeout connect 2s',
            '    timeout queue 10s',
            '    timeout http-request 30s',
            '    timeout client %ds' % self.server_timeout,
            '    timeout server %ds' % self.server_timeout,
            '    timeout check 2s',
            '    default-server inter 500ms fall 2 rise 2',
        ] + errors
        for name, frontend in sorted(self.frontends.items()):
            lines += [
                'frontend %s' % name,
                '    bind 127.0.0.1:%d' % frontend['port'],
                '    default_backend %s-servers' % name,
                'backend %s-servers' % name,
                '    balance roundrobin',
                '    option httpchk GET %s' % frontend['health_path'],
                '    http-check expect %s' % frontend['expect'],
            ] + ['    server %s 127.0.0.1:%d check' % (server, port)
                 for server, port in frontend['servers']]
        with open(self.config, 'w') as f:
            f.write('\n'.join(lines) + '\n')

    def setup(self):
        self._write_conf()
        _run([self.binary, '-c', '-q', '-f', self.config], dict(os.environ),
             self.log)
        return self

    def start(self, timeout=30):
        out = open(self.log, 'a')
        self.process = subprocess.Popen(
            [self.binary, '-db', '-f', self.config], stdout=out,
            stderr=subprocess.STDOUT, start_new_session=True)
        out.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError('haproxy %s exited; see %s' % (
                    self.name, self.log))
            if all(is_listening(f['port']) for f in self.frontends.values()):
                return self
            time.sleep(0.1)
        raise RuntimeError('haproxy %s did not listen in %ds' % (
            self.name, timeout))

    def command(self, line):
        """One command on the admin socket; its answer."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(5)
            s.connect(self.socket)
            s.sendall(line.encode('ascii') + b'\n')
            chunks = []
            while True:
                data = s.recv(65536)
                if not data:
                    break
                chunks.append(data)
        return b''.join(chunks).decode('utf-8', 'replace')

    def servers(self):
        """``{(frontend, server): row of "show stat"}`` (status, stot,
        ...) of every server."""
        text = self.command('show stat')
        header, *rows = [line for line in text.splitlines() if line]
        names = header.lstrip('# ').split(',')
        found = {}
        for row in rows:
            stat = dict(zip(names, row.split(',')))
            if stat['svname'] in ('FRONTEND', 'BACKEND'):
                continue
            frontend = stat['pxname'][:-len('-servers')]
            found[(frontend, stat['svname'])] = stat
        return found

    def wait_up(self, timeout=30):
        """Wait until every server passes its health check."""
        deadline = time.monotonic() + timeout
        while True:
            down = sorted('%s/%s' % key for key, stat in
                          self.servers().items()
                          if not stat['status'].startswith(
                              ('UP', 'no check')))
            if not down:
                return self
            if time.monotonic() > deadline:
                raise RuntimeError('haproxy %s: still down after %ds: %s'
                                   % (self.name, timeout, ', '.join(down)))
            time.sleep(0.2)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        if os.path.dirname(self.socket) != self.dir:
            shutil.rmtree(os.path.dirname(self.socket), ignore_errors=True)

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def read_log(self):
        with open(self.log, errors='replace') as f:
            return f.read()
