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

"""The clouds of the compute tests, started once per test session.

Real servers: the provider's Keystone, Glance and Placement, and its Nova
(fake driver), Neutron (ML2, no agents) and Cinder (fake driver) from
``harness.compute``; the aggregator's Keystone and the Mercador proxy; a
virtual region ``V1`` offering them with a cores limit (``CORES``), bound,
with three entitled tenants.
Both Keystones and the services' databases are on MariaDB (Nova, Neutron
and Cinder need a database server: see ``harness.compute``), messages go
through a RabbitMQ vhost of their own.

The ``compute_clouds`` fixture (``tests/functional/conftest.py``) starts
them once for every module of the MariaDB pass that uses it
(``test_compute*.py``), and stops them at the end of the pass.
"""

import concurrent.futures
import time

import openstack
import pytest

from harness import client
from harness import compute
from harness import servers
from tests.functional import aggregation as agg
from tests.functional import conftest
from tests.functional import databases
from tests.functional import publisher as pub

API = pub.API
REGION = 'V1'
SERVICES = ['compute', 'network', 'block-storage', 'image', 'placement']
TENANTS = ('compute-tenant-alpha', 'compute-tenant-beta',
           'compute-tenant-gamma')
#: What the virtual region caps the reseller's tenants to, together.
CORES = 4
LIMITS = [{'service_type': 'compute', 'resource_name': 'class:VCPU',
           'resource_limit': CORES}]
WAIT = 180


def require():
    """Skip the calling module (at its import) unless this is the MariaDB
    pass and Nova, Neutron and Cinder are installed: the compute modules
    need the MariaDB server anyway, and RabbitMQ (``CI=true`` turns a skip
    for a missing one into a failure)."""
    if databases.backend() != 'mysql':
        pytest.skip('each compute module (MariaDB, RabbitMQ) is run on the '
                    'MariaDB pass only', allow_module_level=True)
    for name in ('nova', 'neutron', 'cinder'):
        pytest.importorskip(name, reason='%s is not installed' % name)


class Clouds:
    pass


def _database(c):
    url = databases.create('mysql')
    c.database_urls.append(url)
    return url


def _keystone(c, name, **kwargs):
    server = servers.KeystoneServer(name, database_url=_database(c),
                                    base=c.base, **kwargs)
    c.keystones.append(server)
    return server.setup().start()


def clouds(tmp_path_factory):
    """Yield the started clouds (a ``Clouds``); stop them after."""
    reason = compute.unavailable_reason()
    if reason:
        pytest.skip(reason)
    c = Clouds()
    c.base = str(tmp_path_factory.mktemp('compute'))
    c.database_urls, c.keystones, c.stack = [], [], None
    c.glance = servers.GlanceServer('glance', base=c.base)
    c.placement = servers.PlacementServer('placement', base=c.base)
    c.proxy = servers.ProxyServer('proxy', base=c.base)
    began = time.monotonic()
    try:
        _start(c)
        c.started = time.monotonic() - began
        print('\nclouds started in %.1f s (compute stack: %.1f s, %s)' % (
            c.started, c.stack.started, ', '.join(
                '%s %.1f' % item for item in c.stack.timings.items())))
        yield c
    finally:
        try:
            if c.stack:
                # Its logs stay in pytest's temporary directory.
                c.stack.cleanup(keep_dir=True)
        finally:
            started = [c.proxy, c.placement, c.glance] + c.keystones
            for server in started:
                server.terminate()
            for server in started:
                server.stop()
            for url in c.database_urls:
                databases.drop('mysql', url)


def _start(c):
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        c.provider = servers.KeystoneServer(
            'compute-provider', database_url=_database(c), base=c.base)
        c.keystones.append(c.provider)
        c.stack = compute.ComputeStack(c.provider, base=c.base)
        # The schemas of Nova, Neutron and Cinder while both Keystones
        # set up theirs.
        prepared = pool.submit(c.stack.prepare)
        aggregator = pool.submit(
            _keystone, c, 'compute-aggregator',
            extra_conf=conftest.AGGREGATOR_CONF.replace(
                'http://127.0.0.1:8780/mercador', c.proxy.url))
        c.provider.setup().start()
        # The project of the service users, which the threads below would
        # otherwise race to create.
        client.Session.admin(c.provider).ok('POST', '/v3/projects', json={
            'project': {'name': 'service', 'domain_id': 'default'}})
        # Placement validates tokens at another gunicorn of the provider's
        # Keystone: the provider's workers may all be waiting on Placement
        # (a share of the region's limits reads its usage).
        c.replica = servers.KeystoneReplica(c.provider)
        c.keystones.append(c.replica)
        placement = pool.submit(lambda: c.placement.setup(
            c.provider, validate_at=c.replica.start()).launch().wait_ready())
        stack = pool.submit(lambda: prepared.result() and c.stack.start(
            placement_ready=placement.result))
        c.glance.setup(c.provider).launch()
        c.aggregator = aggregator.result()
        c.proxy.setup(c.aggregator).launch()
        c.image = _public_image(c)
        stack.result()
    c.proxy.wait_ready()

    provider_admin = client.Session.admin(c.provider)
    reseller, _ = pub.register_aggregator(provider_admin)
    vr = pub.create_virtual_region(provider_admin, services=SERVICES,
                                   limits=LIMITS)
    c.admin = client.Session.admin(c.aggregator)
    record = agg.register_provider(c.admin, c.provider,
                                   reseller['credential'])
    c.bound = agg.bind(c.admin, record['id'], vr['id'],
                       region_id=REGION)['bound_region']
    assert c.bound['status'] == 'active', c.bound
    c.tenants = []
    for name in TENANTS:
        project, user = agg.tenant(c.admin, name)
        c.admin.ok('PUT', API + '/bound_regions/%s/entitlements/projects/%s'
                   % (c.bound['id'], project['id']), status=(200, 201, 204))
        c.tenants.append((name, project, user))
    c.alpha, c.beta, c.gamma = (connect(c, t) for t in c.tenants)


def _public_image(c):
    c.glance.wait_ready()
    glance = client.Session.admin(c.provider).at(c.glance.url)
    image = glance.ok('POST', '/v2/images', json={
        'name': 'compute-image', 'disk_format': 'raw',
        'container_format': 'bare', 'visibility': 'public'})
    glance.ok('PUT', '/v2/images/%s/file' % image['id'], data=b'\0' * 4096,
              headers={'Content-Type': 'application/octet-stream'})
    return image


def connect(c, tenant):
    return openstack.connect(
        auth_url=c.aggregator.auth_url, username=tenant[0],
        password=agg.TENANT_PASSWORD, project_name=tenant[1]['name'],
        user_domain_name='Default', project_domain_name='Default',
        region_name=REGION, identity_api_version='3')


def provider_urls(c):
    return [s.url for s in (c.stack.nova, c.stack.neutron, c.stack.cinder,
                            c.glance, c.placement, c.provider)]


def assert_proxy_urls_only(c, text):
    for url in provider_urls(c):
        assert url not in text, '%s in %s' % (url, text)
