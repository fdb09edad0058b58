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

"""Service chaining: a reseller re-publishes a bound region.

Three real Keystones: the provider (with Glance and Placement), the middle
reseller (both sides of the extension, its proxy), which bound the
provider's virtual region as ``V1`` and publishes a virtual region built on
it, and the second-tier reseller (its proxy), which bound that as
``EU-1``. The second-tier tenant uses the provider's Glance with the
unmodified ``openstack`` CLI through both proxies; neither upstream cloud
learns who it is.
"""

import hashlib
import os
import subprocess

import pytest

from harness import client
from harness import servers
from tests.functional import aggregation as agg
from tests.functional import conftest
from tests.functional import databases
from tests.functional import publisher as pub
from tests.functional import traces

API = pub.API
MANAGE = os.path.join(os.path.dirname(agg.OPENSTACK), 'mercador-manage')

pytestmark = pytest.mark.skipif(
    databases.backend() != 'sqlite',
    reason='three clouds are heavy; tested in the SQLite pass')


class Clouds:
    pass


@pytest.fixture(scope='module')
def chain(keystone_factory, tmp_path_factory):
    c = Clouds()
    base = str(tmp_path_factory.mktemp('chain'))
    c.glance = servers.GlanceServer('chain-glance', base=base)
    c.placement = servers.PlacementServer('chain-placement', base=base)
    c.middle_proxy = servers.ProxyServer('chain-middle-proxy', base=base)
    c.second_proxy = servers.ProxyServer('chain-second-proxy', base=base)
    try:
        _start(c, keystone_factory)
        yield c
    finally:
        for server in (c.second_proxy, c.middle_proxy, c.placement,
                       c.glance):
            server.stop()


def _aggregator_conf(proxy):
    return conftest.AGGREGATOR_CONF.replace(
        'http://127.0.0.1:8780/mercador', proxy.url)


def _start(c, keystone_factory):
    c.provider = keystone_factory('chain-provider')
    c.glance.setup(c.provider).start()
    c.placement.setup(c.provider).start()
    c.middle = keystone_factory('chain-middle',
                                extra_conf=_aggregator_conf(c.middle_proxy))
    c.middle_proxy.setup(c.middle).start()
    c.second = keystone_factory('chain-second',
                                extra_conf=_aggregator_conf(c.second_proxy))
    c.second_proxy.setup(c.second).start()

    # The provider publishes a virtual region to the middle reseller.
    provider_admin = client.Session.admin(c.provider)
    middle_at_provider, _ = pub.register_aggregator(provider_admin)
    c.upstream_vr = pub.create_virtual_region(
        provider_admin, services=['image', 'placement'])
    c.provider_admin = provider_admin

    # The middle binds it as V1, serves tenants of its own there ...
    c.middle_admin = client.Session.admin(c.middle)
    provider_record = agg.register_provider(
        c.middle_admin, c.provider, middle_at_provider['credential'])
    c.v1 = agg.bind(c.middle_admin, provider_record['id'],
                    c.upstream_vr['id'], region_id='V1')['bound_region']
    assert c.v1['status'] == 'active', c.v1
    assert c.v1['hops'] == 1
    c.middle_tenant = ('chain-middle-tenant',) + agg.tenant(
        c.middle_admin, 'chain-middle-tenant')
    c.middle_admin.ok('PUT', API + '/bound_regions/%s/entitlements/'
                      'projects/%s' % (c.v1['id'], c.middle_tenant[1]['id']),
                      status=(200, 201, 204))

    # ... and re-publishes it to the second tier, built on V1.
    second_at_middle, _ = pub.register_aggregator(c.middle_admin)
    c.middle_vr = pub.create_virtual_region(
        c.middle_admin, region_id='V1', services=['image'])
    assert c.middle_vr['upstream'] == {'bound_region_id': c.v1['id'],
                                       'hops': 1}
    assert c.middle_vr['hops'] == 2

    # The second tier binds it as EU-1 for its tenant.
    c.second_admin = client.Session.admin(c.second)
    middle_record = agg.register_provider(
        c.second_admin, c.middle, second_at_middle['credential'])
    offers = c.second_admin.ok(
        'GET', API + '/providers/%s/offers' % middle_record['id'])['offers']
    assert [(o['id'], o['hops']) for o in offers] == [(c.middle_vr['id'], 2)]
    c.eu1 = agg.bind(c.second_admin, middle_record['id'], c.middle_vr['id'],
                     region_id='EU-1')['bound_region']
    assert c.eu1['status'] == 'active', c.eu1
    assert c.eu1['hops'] == 2
    c.tenant = ('chain-second-tenant',) + agg.tenant(
        c.second_admin, 'chain-second-tenant')
    c.second_admin.ok('PUT', API + '/bound_regions/%s/entitlements/'
                      'projects/%s' % (c.eu1['id'], c.tenant[1]['id']),
                      status=(200, 201, 204))


def _cli(server, tenant, region, *args):
    return agg.openstack(server, tenant[0], tenant[1]['name'],
                         '--os-region-name', region, *args)


def _manage(server, *args):
    return subprocess.run(
        [MANAGE, '--config-file', os.path.join(server.dir, 'keystone.conf')]
        + list(args), env=server.env, capture_output=True, text=True,
        timeout=120)


def test_images_through_two_hops(chain, tmp_path):
    data = os.urandom(2 * 1024 * 1024 + 11)
    source = tmp_path / 'image.raw'
    source.write_bytes(data)
    image = _cli(chain.second, chain.tenant, 'EU-1', 'image', 'create',
                 '--file', str(source), '--disk-format', 'raw',
                 '--container-format', 'bare', 'chained-image')
    # The tenant's own project ID, as on one cloud.
    assert image['owner'] == chain.tenant[1]['id']
    listed = _cli(chain.second, chain.tenant, 'EU-1', 'image', 'list')
    assert image['id'] in [i['ID'] for i in listed]
    shown = _cli(chain.second, chain.tenant, 'EU-1', 'image', 'show',
                 image['id'])
    assert (shown['owner'], shown['status']) == (chain.tenant[1]['id'],
                                                 'active')
    target = tmp_path / 'saved.raw'
    env = dict(os.environ, OS_AUTH_URL=chain.second.auth_url,
               OS_USERNAME=chain.tenant[0], OS_PASSWORD=agg.TENANT_PASSWORD,
               OS_PROJECT_NAME=chain.tenant[1]['name'],
               OS_USER_DOMAIN_NAME='Default',
               OS_PROJECT_DOMAIN_NAME='Default',
               OS_IDENTITY_API_VERSION='3', PYTHONWARNINGS='ignore')
    env.pop('OS_CLOUD', None)
    out = subprocess.run(
        [agg.OPENSTACK, '--os-region-name', 'EU-1', 'image', 'save',
         '--file', str(target), image['id']], env=env, capture_output=True,
        text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert hashlib.sha256(target.read_bytes()).digest() == \
        hashlib.sha256(data).digest()

    # The middle's own tenant uses V1 too, and sees nothing of it.
    middle_images = _cli(chain.middle, chain.middle_tenant, 'V1', 'image',
                         'list')
    assert image['id'] not in [i['ID'] for i in middle_images]

    # The provider knows neither tier's tenants, the middle not the
    # second tier's.
    second = traces.tenant_secrets(chain.tenant)
    provider_stores = traces.provider_stores(chain.provider, chain.glance,
                                             chain.placement)
    traces.assert_absent(
        second | traces.tenant_secrets(chain.middle_tenant), provider_stores)
    middle_stores = traces.logs(chain.middle.dir, chain.middle_proxy.dir)
    middle_stores['middle keystone db'] = traces.db_text(
        chain.middle.database_url)
    traces.assert_absent(second, middle_stores)


def test_upstream_unbind_fails_the_chain(chain):
    # The provider revokes the middle's binding of its virtual region.
    (binding,) = chain.provider_admin.ok(
        'GET', API + '/bindings?virtual_region_id='
        + chain.upstream_vr['id'])['bindings']
    chain.provider_admin.ok('DELETE', API + '/bindings/' + binding['id'],
                            status=204)

    # The middle's audit names the dependents; one reconcile fails V1.
    out = _manage(chain.middle, 'audit')
    assert out.returncode == 1, out.stdout + out.stderr
    assert 'virtual region %s (published, 1 binding(s)) is built on it' % (
        chain.middle_vr['name']) in out.stdout, out.stdout
    out = _manage(chain.middle, 'reconcile')
    assert out.returncode == 0, out.stdout + out.stderr
    v1 = chain.middle_admin.ok(
        'GET', API + '/bound_regions/' + chain.v1['id'])['bound_region']
    assert v1['status'] == 'failed' and v1['reason'], v1
    vr = chain.middle_admin.ok(
        'GET', API + '/virtual_regions/' + chain.middle_vr['id'])[
        'virtual_region']
    assert vr['status'] == 'withdrawn'

    # One reconcile of the second tier fails EU-1, saying why.
    out = _manage(chain.second, 'reconcile')
    assert out.returncode == 0, out.stdout + out.stderr
    eu1 = chain.second_admin.ok(
        'GET', API + '/bound_regions/' + chain.eu1['id'])['bound_region']
    assert eu1['status'] == 'failed', eu1
    assert 'built on bound region V1, which is failed' in eu1['reason']

    # The tenant gets a JSON error naming its region, at once.
    token = client.Session.login(chain.second.url, client.password_auth(
        user_id=chain.tenant[2]['id'], password=agg.TENANT_PASSWORD,
        scope={'project': {'id': chain.tenant[1]['id']}})).token
    r = client.requests.get(
        chain.second_proxy.url + '/EU-1/image/v2/images',
        headers={'X-Auth-Token': token}, timeout=30)
    assert r.status_code == 404, r.text
    assert r.headers['Content-Type'].startswith('application/json')
    assert 'Region EU-1 is out of service' in r.json()['error']['message']
