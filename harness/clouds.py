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

"""The demo's two clouds (three with ``chain``), on this machine.

The provider: Keystone with the extension, Glance, Placement, Horizon with
the plugin and, unless ``compute`` is off or MariaDB or RabbitMQ is
missing, Nova, Neutron and Cinder (``harness.compute``). The aggregator:
Keystone with the extension, the Mercador proxy and Horizon with the
plugin and the theme. With ``chain``, the aggregator also re-publishes its
bound region to a second-tier reseller (Keystone and proxy, no Horizon),
which binds it as ``EU-1`` for a tenant of its own (service chaining).
Everything runs on SQLite (but Nova, Neutron and Cinder, on MariaDB) and
loopback ports, with its state in one directory: a second start reuses
the databases, keys, seeded objects and collected static files (and the
same ports, so that catalogs stay right), and only starts the servers.
Nova's, Neutron's and Cinder's databases (on MariaDB) and their RabbitMQ
vhost are the exception: dropped at every stop, made again at every start
(servers, networks and volumes do not outlive a run).
"""

import concurrent.futures
import json
import os
import shutil
import uuid

import requests
import yaml

from harness import client
from harness import compute as compute_stack
from harness import servers

API = '/v3/OS-MERCADOR'
BOUND_REGION = 'V1'
TENANT = 'demo-tenant'
TENANT_PASSWORD = client.TENANT_PASSWORD
VIRTUAL_REGION = 'demo-fr'
SECOND_REGION = 'EU-1'
SECOND_TENANT = 'demo-second-tenant'
SECOND_VIRTUAL_REGION = 'demo-eu'

#: The aggregator Keystone's configuration; the proxy URL is added.
AGGREGATOR_CONF = """
[mercador]
aggregator = true
proxy_url = %s
[catalog]
driver = mercador
"""

#: Servers by name, in start order; the Horizons come last.
CLOUD_SERVERS = ('provider-keystone', 'provider-keystone-replica', 'glance',
                 'placement', 'aggregator-keystone', 'proxy')
HORIZONS = ('provider-horizon', 'aggregator-horizon')
#: What the virtual region offers besides image and placement, with
#: compute.
COMPUTE_SERVICES = ['compute', 'network', 'block-storage']
#: The second-tier reseller's servers, with ``chain``.
CHAIN_SERVERS = ('second-keystone', 'second-proxy')


class Demo:
    """Both clouds, with their state in ``state_dir``; ``compute=False``:
    without the provider's Nova, Neutron and Cinder."""

    def __init__(self, state_dir, progress=print, chain=False,
                 compute=True):
        self.dir = os.path.abspath(state_dir)
        self.progress = progress
        self.chain = chain
        #: Why the demo runs without compute although asked for, if so.
        self.compute_missing = None
        if compute:
            self.compute_missing = compute_stack.unavailable_reason()
        self.compute = compute and not self.compute_missing
        #: The ``harness.compute.ComputeStack``, once ``up``.
        self.stack = None
        self.cloud_servers = CLOUD_SERVERS + (CHAIN_SERVERS if chain
                                              else ())
        self.servers = {}
        self.info_path = os.path.join(self.dir, 'demo.json')
        self.clouds_yaml = os.path.join(self.dir, 'clouds.yaml')
        self.previous = {}
        if os.path.exists(self.info_path):
            with open(self.info_path) as f:
                self.previous = json.load(f)

    def _path(self, name):
        return os.path.join(self.dir, name)

    def _port(self, name):
        return self.previous.get('ports', {}).get(name)

    def _reusable(self):
        """The seeded clouds can be started again on the same ports."""
        if not self.previous.get('seeded'):
            return False
        if self.previous.get('chain', False) != self.chain:
            self.progress('the last run had %s clouds: setting them up '
                          'again' % ('three' if self.previous.get('chain')
                                     else 'two'))
            return False
        if self.previous.get('compute', False) != self.compute:
            self.progress('the last run was %s compute: setting the clouds '
                          'up again' % ('with' if self.previous.get(
                              'compute') else 'without'))
            return False
        ports = self.previous.get('ports', {})
        taken = [name for name in self.cloud_servers + HORIZONS
                 if servers.free_port(ports.get(name)) != ports.get(name)]
        if taken:
            self.progress('ports of the last run are taken (%s): setting '
                          'the clouds up again' % ', '.join(taken))
        return not taken

    def _create_servers(self):
        s = self.servers
        s['provider-keystone'] = servers.KeystoneServer(
            'provider', directory=self._path('provider-keystone'),
            port=self._port('provider-keystone'))
        # Placement validates tokens there: a provider usage read waits on
        # Placement, and the provider Keystone has a single worker (SQLite).
        s['provider-keystone-replica'] = servers.KeystoneReplica(
            s['provider-keystone'],
            port=self._port('provider-keystone-replica'))
        for name, cls in (('glance', servers.GlanceServer),
                          ('placement', servers.PlacementServer),
                          ('proxy', servers.ProxyServer)):
            s[name] = cls(name, directory=self._path(name),
                          port=self._port(name))
        s['aggregator-keystone'] = servers.KeystoneServer(
            'aggregator', directory=self._path('aggregator-keystone'),
            port=self._port('aggregator-keystone'),
            extra_conf=AGGREGATOR_CONF % s['proxy'].url)
        for name in HORIZONS:
            s[name] = servers.HorizonServer(
                name, directory=self._path(name), port=self._port(name))
        if self.compute:
            self.stack = compute_stack.ComputeStack(
                s['provider-keystone'], base=self.dir, ports={
                    kind: self._port(kind)
                    for kind in ('nova', 'neutron', 'cinder')})
        if self.chain:
            s['second-proxy'] = servers.ProxyServer(
                'second-proxy', directory=self._path('second-proxy'),
                port=self._port('second-proxy'))
            s['second-keystone'] = servers.KeystoneServer(
                'second', directory=self._path('second-keystone'),
                port=self._port('second-keystone'),
                extra_conf=AGGREGATOR_CONF % s['second-proxy'].url)

    def up(self, seed=True):
        """Start everything (setting up what is missing); ``seed=False``
        leaves both clouds empty, for a story told another way."""
        os.makedirs(self.dir, exist_ok=True)
        reuse = self._reusable()
        if not reuse:
            for name in CLOUD_SERVERS + CHAIN_SERVERS:
                shutil.rmtree(self._path(name), ignore_errors=True)
            self.previous = {}
        self._create_servers()
        s = self.servers
        provider = s['provider-keystone']
        aggregator = s['aggregator-keystone']
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            if self.stack:
                # Its schemas need no Keystone: made meanwhile.
                self.progress('preparing Nova, Neutron and Cinder (MariaDB, '
                              'RabbitMQ)')
                prepared = pool.submit(self.stack.prepare)
            elif self.compute_missing:
                self.progress('without Nova, Neutron and Cinder: %s'
                              % self.compute_missing)
            # The Horizons' static files are independent of the clouds.
            self.progress('preparing both Horizons')
            horizons = [
                pool.submit(s['provider-horizon'].setup, provider,
                            'provider'),
                pool.submit(s['aggregator-horizon'].setup, aggregator,
                            'aggregator', aggregator.database_url)]
            if reuse:
                self.progress('starting the clouds of the last run (%s)'
                              % self.dir)
                for name in self.cloud_servers:
                    s[name].launch()
            else:
                self._set_up_clouds()
            if self.stack:
                stack = pool.submit(self._start_stack, prepared)
            for future in horizons:
                future.result()
            for name in HORIZONS:
                s[name].launch()
            if self.stack:
                stack.result()
        for name in self.cloud_servers + HORIZONS:
            s[name].wait_ready(timeout=180)
        if not reuse and seed:
            self.progress('seeding: a published virtual region, bound as '
                          '%s, and an entitled tenant' % BOUND_REGION)
            self._seed()
        info = self._write_state(seeded=seed)
        self._check(tenant=seed)
        return info

    def _start_stack(self, prepared):
        prepared.result()
        s = self.servers
        s['provider-keystone'].wait_ready(timeout=180)
        self.progress('starting Nova, Neutron and Cinder')
        try:
            self.stack.start(placement_ready=lambda: s['placement'].wait_ready(
                timeout=180))
        except Exception:
            self.progress('Nova, Neutron or Cinder failed; their logs:\n%s'
                          % self.stack.log_tails())
            raise
        self.progress('Nova, Neutron and Cinder up in %.0f s'
                      % self.stack.started)

    def _set_up_clouds(self):
        s = self.servers
        provider = s['provider-keystone']
        self.progress('setting up the provider Keystone')
        provider.setup().start()
        s['provider-keystone-replica'].start()
        self.progress('setting up Glance and Placement')
        s['glance'].setup(provider)
        s['placement'].setup(provider,
                             validate_at=s['provider-keystone-replica'])
        s['glance'].launch()
        s['placement'].launch()
        self.progress('setting up the aggregator Keystone and the proxy')
        aggregator = s['aggregator-keystone']
        aggregator.setup().start()
        s['proxy'].setup(aggregator).launch()
        if self.chain:
            self.progress('setting up the second-tier Keystone and proxy')
            second = s['second-keystone']
            second.setup().start()
            s['second-proxy'].setup(second).launch()

    def _seed(self):
        self.public_image('demo-image')
        bound = self.resell(VIRTUAL_REGION, BOUND_REGION,
                            ['image', 'placement'] + self.compute_services)
        self.entitle(bound, self.tenant(TENANT))
        if self.chain:
            self.progress('seeding the chain: the aggregator re-publishes '
                          '%s, bound as %s, and a second-tier tenant'
                          % (BOUND_REGION, SECOND_REGION))
            second = self.resell(
                SECOND_VIRTUAL_REGION, SECOND_REGION, ['image'],
                reseller='demo-second-reseller',
                provider_name='demo-reseller', upstream='aggregator',
                downstream='second', region=BOUND_REGION)
            self.entitle(second, self.tenant(SECOND_TENANT, at='second'),
                         at='second')

    @property
    def compute_services(self):
        """The services of the provider's compute stack, if it runs."""
        return COMPUTE_SERVICES if self.stack else []

    def resell(self, name, region_id, services, reseller='demo-reseller',
               provider_name='demo-provider', upstream='provider',
               downstream='aggregator', region='RegionOne'):
        """Publish a virtual region of the provider's RegionOne and bind
        it at the aggregator as ``region_id``, through both APIs (or, with
        ``upstream``, ``downstream`` and ``region``, of any cloud's region
        at any other's)."""
        s = self.servers
        provider = client.Session.admin(s[upstream + '-keystone'])
        aggregator_ref = provider.ok('POST', API + '/aggregators', json={
            'aggregator': {'name': reseller}})['aggregator']
        vr = provider.ok('POST', API + '/virtual_regions', json={
            'virtual_region': {
                'name': name, 'region_id': region, 'domain_name': name,
                'services': services,
                'metadata': {'country': 'FR', 'compliance': ['gdpr']}}})
        vr = vr['virtual_region']
        provider.ok('PATCH', API + '/virtual_regions/' + vr['id'], json={
            'virtual_region': {'status': 'published'}})
        admin = client.Session.admin(s[downstream + '-keystone'])
        provider_ref = admin.ok('POST', API + '/providers', json={
            'provider': {'name': provider_name,
                         'auth_url': s[upstream + '-keystone'].auth_url,
                         'credential': aggregator_ref['credential']}})
        bound = admin.ok('POST', API + '/bound_regions', json={
            'bound_region': {'provider_id': provider_ref['provider']['id'],
                             'offer_id': vr['id'],
                             'region_id': region_id,
                             'description': 'France (%s)' % provider_name,
                             'idempotency_key': uuid.uuid4().hex}})
        return bound['bound_region']

    def tenant(self, name, password=TENANT_PASSWORD, at='aggregator'):
        """A project of the aggregator (or of ``at``) and a member user of
        the same name; returns the project."""
        project, _ = client.tenant(
            client.Session.admin(self.servers[at + '-keystone']), name,
            password)
        return project

    def entitle(self, bound_region, project, at='aggregator'):
        client.Session.admin(self.servers[at + '-keystone']).ok(
            'PUT', API + '/bound_regions/%s/entitlements/projects/%s'
            % (bound_region['id'], project['id']))

    def public_image(self, name):
        """A public image of the provider, for tenants to find through
        the proxy."""
        glance = client.Session.admin(self.servers['provider-keystone']).at(
            self.servers['glance'].url)
        image = glance.ok('POST', '/v2/images', json={
            'name': name, 'disk_format': 'raw', 'container_format': 'bare',
            'visibility': 'public'})
        glance.ok('PUT', '/v2/images/%s/file' % image['id'],
                  data=b'\0' * 1024 * 1024, timeout=60,
                  headers={'Content-Type': 'application/octet-stream'})
        return image

    def _write_state(self, seeded):
        s = self.servers

        def cloud(keystone, username, password, project):
            # No region: identity is in RegionOne, the tenant's services
            # in the bound region; the clients find each.
            return {'auth': {'auth_url': keystone.auth_url,
                             'username': username, 'password': password,
                             'project_name': project,
                             'user_domain_name': 'Default',
                             'project_domain_name': 'Default'},
                    'identity_api_version': '3'}

        clouds = {'clouds': {
            'mercador-provider': cloud(
                s['provider-keystone'], 'admin', servers.ADMIN_PASSWORD,
                'admin'),
            'mercador-aggregator': cloud(
                s['aggregator-keystone'], 'admin', servers.ADMIN_PASSWORD,
                'admin'),
            'mercador-tenant': cloud(
                s['aggregator-keystone'], TENANT, TENANT_PASSWORD, TENANT),
        }}
        if self.chain:
            clouds['clouds'].update({
                'mercador-second-tier': cloud(
                    s['second-keystone'], 'admin', servers.ADMIN_PASSWORD,
                    'admin'),
                'mercador-second-tenant': cloud(
                    s['second-keystone'], SECOND_TENANT, TENANT_PASSWORD,
                    SECOND_TENANT),
            })
        with open(self.clouds_yaml, 'w') as f:
            yaml.safe_dump(clouds, f, default_flow_style=False)
        info = {
            'clouds_yaml': self.clouds_yaml,
            'bound_region': BOUND_REGION,
            'provider_horizon': s['provider-horizon'].url,
            'aggregator_horizon': s['aggregator-horizon'].url,
            'provider_keystone': s['provider-keystone'].auth_url,
            'aggregator_keystone': s['aggregator-keystone'].auth_url,
            'proxy': s['proxy'].url,
            'admin_password': servers.ADMIN_PASSWORD,
            'tenant': TENANT,
            'tenant_password': TENANT_PASSWORD,
            'ports': {name: server.port
                      for name, server in self.servers.items()},
            'seeded': seeded,
            'chain': self.chain,
            'compute': bool(self.stack),
            'compute_missing': self.compute_missing,
        }
        if self.stack:
            info['ports'].update(
                (api.kind, api.port) for api in (
                    self.stack.nova, self.stack.neutron, self.stack.cinder))
            info.update(flavor=compute_stack.FLAVOR['name'],
                        image='demo-image',
                        compute_databases=list(self.stack.databases),
                        compute_vhost=self.stack.vhost)
        if self.chain:
            info.update(second_keystone=s['second-keystone'].auth_url,
                        second_proxy=s['second-proxy'].url,
                        second_region=SECOND_REGION,
                        second_tenant=SECOND_TENANT)
        with open(self.info_path, 'w') as f:
            json.dump(info, f, indent=2)
        return info

    def _check(self, tenant=True):
        """Every server answers, and the tenant has its region."""
        for name, server in self.servers.items():
            r = requests.get(server.url + server.health_path, timeout=30)
            if r.status_code >= 500:
                raise RuntimeError('%s answers %d' % (name, r.status_code))
        if not tenant:
            return
        checks = [('aggregator', TENANT, BOUND_REGION)]
        if self.chain:
            checks.append(('second', SECOND_TENANT, SECOND_REGION))
        for at, name, region_id in checks:
            session = client.Session.login(
                self.servers[at + '-keystone'].url, client.password_auth(
                    username=name, password=TENANT_PASSWORD,
                    scope=client.project_scope(name)))
            catalog = session.ok('GET', '/v3/auth/catalog')['catalog']
            types = {service['type'] for service in catalog
                     for e in service['endpoints']
                     if e['region_id'] == region_id}
            if not types:
                raise RuntimeError('%s is missing from the catalog of %s'
                                   % (region_id, name))
            if at == 'aggregator' and not types.issuperset(
                    self.compute_services):
                raise RuntimeError('%s of %s offers %s only' % (
                    region_id, name, ', '.join(sorted(types))))

    def stop(self):
        """Stop every server started, and wait until they are gone; drop
        the compute stack's databases and vhost."""
        for server in self.servers.values():
            server.terminate()
        try:
            if self.stack:
                self.stack.cleanup()
        finally:
            for server in self.servers.values():
                server.stop()
