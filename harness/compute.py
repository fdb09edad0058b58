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

"""The provider's compute, network and block storage, for tests.

``ComputeStack`` runs, next to a provider Keystone whose Glance and
Placement already answer in RegionOne: nova-api (gunicorn), nova-conductor,
nova-scheduler, nova-compute (``fake.FakeDriver``), neutron-server (ML2,
no agents, ``harness.compute_ml2``'s driver that binds every port), and
cinder-api (gunicorn), cinder-scheduler and cinder-volume (Cinder's
``FakeLoggingVolumeDriver``). It registers their service users and catalog
entries (``compute``, ``network``, ``block-storage``), public flavors
(``FLAVOR``, ``FLAVOR_SMALL``) and the registered limits of Nova's unified
limits (``REGISTERED_LIMITS``).

Databases: MariaDB (``MARIADB_URL``), one database per service with a
prefix unique to the stack, dropped by ``cleanup``. Not SQLite: five
processes write Nova's and Cinder's databases at once (API, conductor,
scheduler; API, scheduler, volume), where SQLite allows one writer and
answers "database is locked"; and Neutron's migrations alter tables in
ways SQLite cannot. Messaging: the local RabbitMQ (``RABBIT``), in a vhost
of the stack's own, deleted by ``cleanup``.

Start, measured on two loaded CPUs: ``prepare`` (the vhost, the
databases, their schemas: all five migrations at once; it needs no
Keystone, so it may run while Keystone sets up) 40-57 s, then ``start``
26-36 s (the catalog entries, the services, nova-compute once Placement
answers, its host mapped, the flavor, cinder-volume up). Stop: 8-10 s,
mostly the graceful shutdowns (SIGTERM, then SIGKILL after
``STOP_TIMEOUT``).
"""

import concurrent.futures
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid

import requests
import sqlalchemy as sa

from harness import client
from harness import servers

MARIADB_URL = os.environ.get('MERCADOR_TEST_MYSQL_URL',
                             'mysql+pymysql://root@127.0.0.1:3306/')
RABBIT = ('127.0.0.1', 5672, 'guest', 'guest')
RABBITMQCTL = shutil.which('rabbitmqctl') or '/usr/sbin/rabbitmqctl'
FLAVOR = {'name': 'm1.tiny', 'vcpus': 1, 'ram': 128, 'disk': 1}
#: Two cores, for tests of the cores limit.
FLAVOR_SMALL = {'name': 'm1.small', 'vcpus': 2, 'ram': 128, 'disk': 1}
#: Nova's unified limits: the defaults each project gets, registered in
#: Keystone, devstack's. Nova refuses a server when ``servers`` has none;
#: it reports any other resource without one as a limit of 0 (and leaves
#: it unlimited), which Horizon would show.
REGISTERED_LIMITS = {'servers': 10, 'class:VCPU': 20,
                     'class:MEMORY_MB': 51200, 'class:DISK_GB': 1000,
                     'server_metadata_items': 128,
                     'server_injected_files': 5,
                     'server_injected_file_content_bytes': 10240,
                     'server_injected_file_path_bytes': 255,
                     'server_key_pairs': 100, 'server_groups': 10,
                     'server_group_members': 10}
STOP_TIMEOUT = 20
ETC = os.path.join(os.path.dirname(servers.BIN), 'etc')
#: The entry point ML2 loads the mechanism driver by.
DRIVER_ENTRY_POINT = """[neutron.ml2.mechanism_drivers]
mercador_bind_all = harness.compute_ml2:BindAllDriver
"""


def unavailable_reason():
    """None if MariaDB and RabbitMQ answer here, else why not."""
    try:
        engine = sa.create_engine(MARIADB_URL)
        with engine.connect():
            pass
        engine.dispose()
    except Exception as e:
        return 'no MariaDB at %s: %s' % (MARIADB_URL,
                                         str(e).splitlines()[0])
    if not servers.is_listening(RABBIT[1]):
        return 'no RabbitMQ on 127.0.0.1:%d' % RABBIT[1]
    if not os.path.exists(RABBITMQCTL):
        return 'no rabbitmqctl'
    return None


class WsgiService(servers.Server):
    """Nova's, Neutron's or Cinder's API under gunicorn."""

    gunicorn_args = ('--workers', '1', '--worker-class', 'gthread',
                     '--threads', '4')

    def __init__(self, kind, app, directory, env, port=None):
        self.kind = kind
        self.app = app
        self.extra_env = env
        super().__init__(kind, directory=directory, port=port)

    @property
    def env(self):
        env = dict(os.environ, PYTHONWARNINGS='ignore')
        env['PYTHONPATH'] = servers._pythonpath(servers.ROOT)
        env.update(self.extra_env)
        return env


class Daemon:
    """A service of Nova or Cinder that is not an API: its command, its
    log."""

    def __init__(self, name, cmd, directory, env):
        self.name = name
        self.cmd = cmd
        self.env = env
        self.log = os.path.join(directory, '%s.log' % name)
        self.process = None

    def launch(self):
        out = open(self.log + '.out', 'a')
        self.process = subprocess.Popen(
            self.cmd + ['--log-file', self.log], env=self.env, stdout=out,
            stderr=subprocess.STDOUT, start_new_session=True)
        out.close()
        return self

    def check(self):
        if self.process.poll() is not None:
            message = '%s exited; see %s' % (self.name, self.log)
            raise RuntimeError(message)

    def terminate(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)

    def stop(self, timeout=STOP_TIMEOUT):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
        if self.process:
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None


class ComputeStack:
    """Nova, Neutron and Cinder of a provider ``keystone``, whose Glance
    and Placement answer in ``region``. ``ports``: the APIs' preferred
    ports, by kind (``nova``, ``neutron``, ``cinder``), as for a second
    start behind the same catalog."""

    def __init__(self, keystone, base=None, region='RegionOne', ports=None):
        self.keystone = keystone
        self.region = region
        self.ports = ports or {}
        self.dir = tempfile.mkdtemp(prefix='mercador-compute-', dir=base)
        self.id = uuid.uuid4().hex[:10]
        self.prefix = 'mercador_%s' % self.id
        self.vhost = 'mercador-%s' % self.id
        self.host = 'compute-%s' % self.id
        self.flavor = self.flavor_small = None
        self.started = None
        self.databases = []
        self.urls = {}
        #: Seconds each phase of ``start`` took.
        self.timings = {}
        self.vhost_created = False
        self.nova = self._api('nova', 'harness.compute_wsgi:nova()')
        self.neutron = self._api('neutron', 'harness.compute_wsgi:neutron()')
        self.cinder = self._api('cinder', 'harness.compute_wsgi:cinder()')
        self.nova.extra_env['OS_NOVA_CONFIG_DIR'] = self.nova.dir
        self.neutron.extra_env.update(
            OS_NEUTRON_CONFIG_DIR=self.neutron.dir,
            PYTHONPATH=servers._pythonpath(
                os.path.join(self.neutron.dir, 'site'), servers.ROOT))
        self.cinder.extra_env['MERCADOR_CINDER_CONFIG_FILE'] = os.path.join(
            self.cinder.dir, 'cinder.conf')
        self.nova.health_path = '/'
        self.neutron.health_path = '/'
        self.cinder.health_path = '/'
        self.daemons = []
        self.compute = None

    def _api(self, kind, app):
        return WsgiService(kind, app, os.path.join(self.dir, kind), {},
                           port=self.ports.get(kind))

    def _env(self):
        env = dict(os.environ, PYTHONWARNINGS='ignore')
        env['PYTHONPATH'] = servers._pythonpath(servers.ROOT)
        return env

    # Databases and messaging.

    def _database(self, name):
        database = '%s_%s' % (self.prefix, name)
        engine = sa.create_engine(MARIADB_URL)
        with engine.connect() as conn:
            conn.execute(sa.text('CREATE DATABASE `%s` CHARACTER SET utf8mb4'
                                 % database))
        engine.dispose()
        self.databases.append(database)
        return MARIADB_URL.rstrip('/') + '/' + database + '?charset=utf8mb4'

    def _drop_databases(self):
        if not self.databases:
            return
        engine = sa.create_engine(MARIADB_URL)
        with engine.connect() as conn:
            for database in self.databases:
                conn.execute(sa.text('DROP DATABASE IF EXISTS `%s`'
                                     % database))
        engine.dispose()
        self.databases = []

    def _rabbitmqctl(self, *args):
        subprocess.run([RABBITMQCTL] + list(args), check=True,
                       capture_output=True, timeout=60)

    @property
    def transport_url(self):
        host, port, user, password = RABBIT
        return 'rabbit://%s:%s@%s:%d/%s' % (user, password, host, port,
                                            self.vhost)

    # Configuration.

    def _auth(self, section, username, extra=''):
        ks = self.keystone
        return f"""[{section}]
auth_type = password
auth_url = {ks.auth_url}
username = {username}
password = {servers.SERVICE_PASSWORD}
project_name = service
user_domain_name = Default
project_domain_name = Default
region_name = {self.region}
{extra}"""

    def _write(self, path, text):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w') as f:
            f.write(text)
        return path

    def _nova_conf(self, urls):
        d = self.nova.dir
        common = f"""[DEFAULT]
transport_url = {self.transport_url}
compute_driver = fake.FakeDriver
host = {self.host}
my_ip = 127.0.0.1
state_path = {d}
instances_path = {d}/instances
[api]
auth_strategy = keystone
[wsgi]
api_paste_config = {d}/api-paste.ini
[quota]
driver = nova.quota.UnifiedLimitsDriver
[conductor]
workers = 1
[scheduler]
workers = 1
[compute]
vif_plugging_is_fatal = false
vif_plugging_timeout = 0
[oslo_concurrency]
lock_path = {d}/locks
[oslo_messaging_notifications]
driver = noop
[vnc]
enabled = false
[os_vif_ovs]
[glance]
region_name = {self.region}
[cinder]
catalog_info = block-storage::publicURL
os_region_name = {self.region}
{self.keystone.authtoken_conf('nova')}
{self._auth('placement', 'nova')}
{self._auth('neutron', 'nova')}
{self._auth('service_user', 'nova', 'send_service_user_token = true')}
{self._auth('oslo_limit', 'nova', 'endpoint_service_type = compute')}
endpoint_region_name = {self.region}
"""
        databases = f"""[database]
connection = {urls['nova_cell1']}
[api_database]
connection = {urls['nova_api']}
"""
        shutil.copy(os.path.join(ETC, 'nova', 'api-paste.ini'), d)
        # periodic_enable: the conductor and the scheduler have no periodic
        # task enabled here, but their timer still fires (every 60 s); in
        # a graceful shutdown Nova's manager answers it with no interval,
        # and oslo.service raises "A dynamic interval looping call should
        # supply either an interval or periodic_interval_max".
        self._write(os.path.join(d, 'nova.conf'), common.replace(
            '[DEFAULT]', '[DEFAULT]\nlog_file = %s\nperiodic_enable = false'
            % self.nova.log, 1) + databases)
        # Without the database sections (no DB access from nova-compute).
        self._write(os.path.join(d, 'nova-cpu.conf'), common)

    def _neutron_conf(self, urls):
        d = self.neutron.dir
        shutil.copy(os.path.join(ETC, 'neutron', 'api-paste.ini'), d)
        ml2 = """[ml2]
type_drivers = flat,vxlan
tenant_network_types = vxlan
mechanism_drivers = mercador_bind_all
extension_drivers = port_security
[ml2_type_vxlan]
vni_ranges = 1:1000
[securitygroup]
enable_security_group = true
"""
        self._write(os.path.join(d, 'plugins', 'ml2', 'ml2_conf.ini'), ml2)
        self._write(os.path.join(d, 'neutron.conf'), f"""[DEFAULT]
log_file = {self.neutron.log}
core_plugin = ml2
service_plugins = router
auth_strategy = keystone
transport_url = {self.transport_url}
state_path = {d}
api_paste_config = {d}/api-paste.ini
notify_nova_on_port_status_changes = false
notify_nova_on_port_data_changes = false
[database]
connection = {urls['neutron']}
[oslo_concurrency]
lock_path = {d}/locks
[oslo_messaging_notifications]
driver = noop
{self.keystone.authtoken_conf('neutron')}
{self._auth('nova', 'neutron')}
{ml2}""")
        info = os.path.join(d, 'site', 'mercador_harness_ml2-0.dist-info')
        self._write(os.path.join(info, 'METADATA'),
                    'Metadata-Version: 2.1\nName: mercador-harness-ml2\n'
                    'Version: 0\n')
        self._write(os.path.join(info, 'entry_points.txt'),
                    DRIVER_ENTRY_POINT)

    def _cinder_conf(self, urls):
        d = self.cinder.dir
        shutil.copy(os.path.join(ETC, 'cinder', 'api-paste.ini'), d)
        shutil.copy(os.path.join(ETC, 'cinder', 'resource_filters.json'), d)
        self._write(os.path.join(d, 'cinder.conf'), f"""[DEFAULT]
transport_url = {self.transport_url}
auth_strategy = keystone
host = cinder-{self.id}
my_ip = 127.0.0.1
state_path = {d}
api_paste_config = {d}/api-paste.ini
resource_query_filters_file = {d}/resource_filters.json
enabled_backends = fake
osapi_volume_workers = 1
[fake]
volume_driver = cinder.tests.fake_driver.FakeLoggingVolumeDriver
volume_backend_name = fake
[database]
connection = {urls['cinder']}
[oslo_concurrency]
lock_path = {d}/locks
[oslo_messaging_notifications]
driver = noop
{self.keystone.authtoken_conf('cinder')}
{self._auth('nova', 'cinder')}
""")

    # Life cycle.

    def _migrate(self, urls):
        env = self._env()
        nova = os.path.join(servers.BIN, 'nova-manage')
        conf = ['--config-file', os.path.join(self.nova.dir, 'nova.conf')]
        cell0 = self._write(os.path.join(self.nova.dir, 'nova-cell0.conf'),
                            '[database]\nconnection = %s\n'
                            % urls['nova_cell0'])

        def nova_api_sync():
            servers._run([nova] + conf + ['api_db', 'sync'], env,
                         self.nova.log + '.manage')
            servers._run([nova] + conf + [
                'cell_v2', 'map_cell0', '--database_connection',
                urls['nova_cell0']], env, self.nova.log + '.manage')
            servers._run([nova] + conf + [
                'cell_v2', 'create_cell', '--name', 'cell1',
                '--database_connection', urls['nova_cell1'],
                '--transport-url', self.transport_url], env,
                self.nova.log + '.manage')

        # Each cell database on its own (--local_cell: without the cell
        # mappings the API database holds), at the same time as the rest.
        def nova_cell1_sync():
            servers._run([nova] + conf + ['db', 'sync', '--local_cell'],
                         env, self.nova.log + '.manage')

        def nova_cell0_sync():
            servers._run([nova] + conf + ['--config-file', cell0, 'db',
                                          'sync', '--local_cell'],
                         env, self.nova.log + '.manage')

        def neutron_sync():
            servers._run([os.path.join(servers.BIN, 'neutron-db-manage'),
                          '--config-file',
                          os.path.join(self.neutron.dir, 'neutron.conf'),
                          'upgrade', 'heads'], env,
                         self.neutron.log + '.manage')

        def cinder_sync():
            servers._run([os.path.join(servers.BIN, 'cinder-manage'),
                          '--config-file',
                          os.path.join(self.cinder.dir, 'cinder.conf'),
                          'db', 'sync'], env, self.cinder.log + '.manage')

        def timed(f):
            began = time.monotonic()
            f()
            self.timings[f.__name__] = time.monotonic() - began

        steps = (neutron_sync, nova_api_sync, nova_cell1_sync,
                 nova_cell0_sync, cinder_sync)
        with concurrent.futures.ThreadPoolExecutor(len(steps)) as pool:
            for future in [pool.submit(timed, f) for f in steps]:
                future.result()

    def _service(self, service_type, name, url):
        """Register the service, or point its endpoints of the region at
        ``url`` if a previous stack registered it (a second start next to
        the same Keystone, as the demo's)."""
        admin = client.Session.admin(self.keystone)
        found = admin.ok('GET', '/v3/services?type=' + service_type)[
            'services']
        if not found:
            return self.keystone.register_service(service_type, name, url,
                                                  self.region)
        endpoints = admin.ok('GET', '/v3/endpoints?service_id=' +
                             found[0]['id'])['endpoints']
        for endpoint in endpoints:
            if endpoint['region_id'] == self.region and \
                    endpoint['url'] != url:
                admin.ok('PATCH', '/v3/endpoints/' + endpoint['id'],
                         json={'endpoint': {'url': url}})
        return found[0]

    def _register(self):
        services = [
            self._service('compute', 'nova', self.nova.url + '/v2.1'),
            self._service('network', 'neutron', self.neutron.url),
            self._service('block-storage', 'cinder',
                          self.cinder.url + '/v3')]
        # Nova sends its own token along with the user's (X-Service-Token)
        # to Glance, Neutron and Cinder; keystonemiddleware accepts it
        # only from a user with the 'service' role (service_token_roles),
        # and answers 401 to the request otherwise.
        admin = client.Session.admin(self.keystone)
        project = admin.ok('GET', '/v3/projects?name=service')[
            'projects'][0]
        role = client.role(admin, 'service')
        for service in services:
            user = admin.ok('GET', '/v3/users?name=' + service['name'])[
                'users'][0]
            admin.ok('PUT', '/v3/projects/%s/users/%s/roles/%s' % (
                project['id'], user['id'], role['id']), status=204)
        # Those a Keystone started again has kept.
        kept = {r['resource_name'] for r in admin.ok(
            'GET', '/v3/registered_limits?service_id=%s&region_id=%s' % (
                services[0]['id'], self.region))['registered_limits']}
        missing = [{'service_id': services[0]['id'], 'region_id': self.region,
                    'resource_name': name, 'default_limit': value}
                   for name, value in REGISTERED_LIMITS.items()
                   if name not in kept]
        if missing:
            admin.ok('POST', '/v3/registered_limits',
                     json={'registered_limits': missing})

    def prepare(self):
        """What needs no Keystone: the vhost, the databases and their
        schemas, the configuration files."""
        began = time.monotonic()
        self._rabbitmqctl('add_vhost', self.vhost)
        self.vhost_created = True
        self._rabbitmqctl('set_permissions', '-p', self.vhost, RABBIT[2],
                          '.*', '.*', '.*')
        self.urls = urls = {name: self._database(name) for name in (
            'nova_api', 'nova_cell0', 'nova_cell1', 'neutron', 'cinder')}
        self._nova_conf(urls)
        self._neutron_conf(urls)
        self._cinder_conf(urls)
        self._migrate(urls)
        self.timings['migrated'] = time.monotonic() - began
        return self

    def start(self, timeout=240, placement_ready=None):
        """Start everything (``prepare`` first, unless done); the
        Keystone must answer. ``placement_ready``: called before Nova
        starts. Placement must be in the catalog and answer by then: Nova's
        services look it up once, and one that found none keeps failing
        ("Service 'placement' is disabled"), and nova-compute reports its
        inventory there as it starts."""
        began = time.monotonic()
        if not self.urls:
            self.prepare()
        self._register()
        if placement_ready:
            placement_ready()
        for api in (self.nova, self.neutron, self.cinder):
            api.launch()
        nova_conf = ['--config-file', os.path.join(self.nova.dir,
                                                   'nova.conf')]
        cinder_conf = ['--config-file', os.path.join(self.cinder.dir,
                                                     'cinder.conf')]
        env = self._env()
        self.daemons = [
            Daemon(name, [os.path.join(servers.BIN, binary)] + conf,
                   os.path.join(self.dir, name.split('-')[0]), env)
            for name, binary, conf in (
                ('nova-conductor', 'nova-conductor', nova_conf),
                ('nova-scheduler', 'nova-scheduler', nova_conf),
                ('cinder-scheduler', 'cinder-scheduler', cinder_conf),
                ('cinder-volume', 'cinder-volume', cinder_conf))]
        for daemon in self.daemons:
            daemon.launch()
        deadline = time.monotonic() + timeout
        # It waits for the conductor itself.
        self.compute = Daemon(
            'nova-compute', [os.path.join(servers.BIN, 'nova-compute'),
                             '--config-file',
                             os.path.join(self.nova.dir, 'nova-cpu.conf')],
            self.nova.dir, env).launch()
        self.daemons.append(self.compute)
        for api in (self.nova, self.neutron, self.cinder):
            api.wait_ready(max(1, deadline - time.monotonic()))
        self.timings['apis'] = time.monotonic() - began
        self._map_host(deadline, nova_conf, env)
        self.timings['mapped'] = time.monotonic() - began
        admin = client.Session.admin(self.keystone).at(
            self.nova.url + '/v2.1')
        self.flavor, self.flavor_small = (
            admin.ok('POST', '/flavors', json={'flavor': dict(
                flavor, **{'os-flavor-access:is_public': True})})['flavor']
            for flavor in (FLAVOR, FLAVOR_SMALL))
        volume = client.Session.admin(self.keystone).at(self.cinder.url)
        self._wait(deadline, lambda: any(
            s['binary'] == 'cinder-volume' and s['state'] == 'up'
            for s in volume.ok('GET', '/v3/os-services')['services']),
            'cinder-volume up')
        self.started = time.monotonic() - began
        return self

    def _rows(self, database, query, **params):
        engine = sa.create_engine(self.urls[database])
        try:
            with engine.connect() as conn:
                return conn.execute(sa.text(query), params).fetchall()
        finally:
            engine.dispose()

    def _map_host(self, deadline, nova_conf, env):
        """Wait for nova-compute's compute node, then map its host to
        cell1 (``discover_hosts``) until the mapping exists. Nova's API
        lists hypervisors of mapped hosts only, and the scheduler picks
        among them."""
        self._wait(deadline, lambda: self._rows(
            'nova_cell1', 'SELECT id FROM compute_nodes WHERE host = :h '
            'AND deleted = 0', h=self.host), 'nova-compute registered')
        manage = [os.path.join(servers.BIN, 'nova-manage')] + nova_conf

        def mapped():
            servers._run(manage + ['cell_v2', 'discover_hosts'], env,
                         self.nova.log + '.manage')
            return self._rows('nova_api', 'SELECT id FROM host_mappings '
                              'WHERE host = :h', h=self.host)

        self._wait(deadline, mapped, 'host %s mapped' % self.host)
        # The scheduler asks Placement for allocation candidates: until
        # nova-compute has reported its inventory, a boot ends in ERROR
        # ("No valid host was found").
        admin = client.Session.admin(self.keystone)
        placement = admin.at(self._endpoint(admin, 'placement'))
        headers = {'OpenStack-API-Version': 'placement 1.14'}

        def inventory():
            providers = placement.ok(
                'GET', '/resource_providers?name=' + self.host,
                headers=headers)['resource_providers']
            return providers and 'VCPU' in placement.ok(
                'GET', '/resource_providers/%s/inventories'
                % providers[0]['uuid'], headers=headers)['inventories']

        self._wait(deadline, inventory, 'inventory of %s in Placement'
                   % self.host)

    def _endpoint(self, session, service_type):
        for service in session.token_body['token']['catalog']:
            if service['type'] == service_type:
                for endpoint in service['endpoints']:
                    if endpoint['interface'] == 'public' and \
                            endpoint['region_id'] == self.region:
                        return endpoint['url']
        raise RuntimeError('no %s endpoint in %s' % (service_type,
                                                     self.region))

    def _wait(self, deadline, condition, what):
        while True:
            for daemon in self.daemons:
                daemon.check()
            try:
                if condition():
                    return
            except (AssertionError, requests.RequestException,
                    sa.exc.DBAPIError):
                pass
            if time.monotonic() > deadline:
                message = '%s: not in time; see %s' % (what, self.dir)
                raise RuntimeError(message)
            time.sleep(0.5)

    def log_tails(self, lines=40):
        """The last ``lines`` of each service's log, for a failure's
        message."""
        logs = [self.nova.log, self.neutron.log, self.cinder.log] + [
            d.log for d in self.daemons]
        chunks = []
        for path in logs:
            try:
                with open(path, errors='replace') as f:
                    tail = f.readlines()[-lines:]
            except OSError as e:
                tail = [str(e)]
            chunks.append('==> %s <==\n%s' % (path, ''.join(tail)))
        return '\n'.join(chunks)

    def stop(self):
        """SIGTERM to every process, then SIGKILL what is left after
        ``STOP_TIMEOUT``."""
        for process in [self.nova, self.neutron, self.cinder] + self.daemons:
            process.terminate()
        for process in self.daemons:
            process.stop()
        for api in (self.nova, self.neutron, self.cinder):
            api.stop()
        self.daemons = []

    def cleanup(self, keep_dir=False):
        """Stop, drop the databases and the vhost (and the directory,
        unless ``keep_dir``)."""
        self.stop()
        try:
            self._drop_databases()
        finally:
            if self.vhost_created:
                self._rabbitmqctl('delete_vhost', self.vhost)
                self.vhost_created = False
        if not keep_dir:
            shutil.rmtree(self.dir, ignore_errors=True)
