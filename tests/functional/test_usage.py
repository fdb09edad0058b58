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

"""Usage, both sides, against a real Placement.

The session's provider and aggregator Keystones, with a Placement of this
module in a region of its own at the provider and a proxy in front of the
aggregator. Tenants allocate through the bound region's proxy with their
aggregator IDs (as Nova would for them); the provider's binding usage and
the aggregator's bound region usage must report exactly those numbers.
"""

import concurrent.futures
import datetime
import uuid

import pytest

from harness import client
from harness import servers
from tests.functional import aggregation as agg
from tests.functional import publisher as pub
from tests.functional.test_aggregator_faults import manage

API = pub.API
ALPHA = {'VCPU': 2, 'MEMORY_MB': 512}
BETA = {'VCPU': 1, 'MEMORY_MB': 256, 'DISK_GB': 10}


class World:
    pass


def _region(admin, prefix):
    return admin.ok('POST', '/v3/regions', json={'region': {
        'id': pub.unique(prefix)}})['region']['id']


@pytest.fixture(scope='module')
def world(provider, aggregator, tmp_path_factory):
    w = World()
    base = str(tmp_path_factory.mktemp('usage'))
    # Placement validates tokens at a second process of the provider's
    # Keystone: on SQLite it has one worker, busy with the usage read
    # that waits on Placement.
    w.replica = servers.KeystoneReplica(provider)
    w.placement = servers.PlacementServer('usage-placement', base=base)
    w.proxy = servers.ProxyServer('usage-proxy', base=base)
    try:
        _start(w, provider, aggregator)
        yield w
    finally:
        for server in (w.proxy, w.placement, w.replica):
            server.stop()


def _start(w, provider, aggregator):
    w.provider, w.aggregator = provider, aggregator
    w.padmin = client.Session.admin(provider)
    w.region = _region(w.padmin, 'RegionUsage')
    w.replica.start()
    w.placement.setup(provider, region=w.region,
                      validate_at=w.replica).start()
    w.proxy.setup(aggregator, username=pub.unique('usage-proxy')).start()
    w.rp = pub.make_inventory(w.padmin, w.placement.url)

    w.reseller, w.reseller_session = pub.register_aggregator(w.padmin)
    w.vr = pub.create_virtual_region(w.padmin, region_id=w.region,
                                     services=['placement'])
    w.admin = client.Session.admin(aggregator)
    w.provider_ref = agg.register_provider(w.admin, provider,
                                           w.reseller['credential'])
    w.bound = agg.bind(w.admin, w.provider_ref['id'], w.vr['id'])[
        'bound_region']
    assert w.bound['status'] == 'active', w.bound
    w.tenants = {}
    for name in ('alpha', 'beta', 'outsider'):
        project, user = agg.tenant(w.admin, pub.unique('usage-' + name))
        if name != 'outsider':
            w.admin.ok('PUT', API + '/bound_regions/%s/entitlements/'
                       'projects/%s' % (w.bound['id'], project['id']),
                       status=204)
        session = client.Session.login(aggregator.url, client.password_auth(
            user_id=user['id'], password=agg.TENANT_PASSWORD,
            scope={'project': {'id': project['id']}}))
        w.tenants[name] = (project, user, session)
    w.consumers = {}
    for name, resources in (('alpha', ALPHA), ('beta', BETA)):
        w.consumers[name] = str(uuid.uuid4())
        allocate(w, name, resources)


def allocate(w, name, resources):
    """As Nova would for the tenant: its allocation, with its own token
    and IDs, through the bound region's proxy."""
    project, user, session = w.tenants[name]
    r = client.requests.put(
        '%s/%s/placement/allocations/%s' % (
            w.proxy.url, w.bound['region_id'], w.consumers[name]),
        headers={'X-Auth-Token': session.token,
                 'OpenStack-API-Version': 'placement 1.12'},
        json={'allocations': {w.rp: {'resources': resources}},
              'project_id': project['id'], 'user_id': user['id']},
        timeout=60)
    assert r.status_code == 204, r.text


def _usage_path(w, **query):
    path = API + '/bound_regions/%s/usage' % w.bound['id']
    if query:
        path += '?' + '&'.join('%s=%s' % kv for kv in sorted(query.items()))
    return path


def _binding_usage(session, w, **query):
    path = API + '/bindings/%s/usage' % w.bound['binding_id']
    if query:
        path += '?' + '&'.join('%s=%s' % kv for kv in sorted(query.items()))
    return session.ok('GET', path)['usage']


def _project_id(w, name):
    return w.tenants[name][0]['id']


def _by_project(answer):
    return {p['project_id']: p for p in answer['projects']}


def _total(*usages):
    total = {}
    for usage in usages:
        for rc, amount in usage.items():
            total[rc] = total.get(rc, 0) + amount
    return total


def test_usage_now_and_over_a_period_on_both_sides(world):
    w = world
    # The provider: its own project IDs, Placement's numbers.
    answer = _binding_usage(w.padmin, w)
    assert answer['binding_id'] == w.bound['binding_id']
    assert answer['virtual_region_id'] == w.vr['id']
    assert answer['aggregator_id'] == w.reseller['id']
    currents = sorted((p['current'] for p in answer['projects']),
                      key=len)
    assert currents == [ALPHA, BETA]
    assert answer['total']['current'] == _total(ALPHA, BETA)
    # The first read stored a sample of each project.
    assert [len(p['samples']) for p in answer['projects']] == [1, 1]
    assert answer['total']['period']['VCPU'] == {'max': 3, 'average': 3.0}
    provider_ids = set(_by_project(answer))
    # The aggregator: the same numbers, for its own projects.
    answer = w.admin.ok('GET', _usage_path(w))['usage']
    assert answer['region_id'] == w.bound['region_id']
    projects = _by_project(answer)
    assert set(projects) == {_project_id(w, 'alpha'), _project_id(w, 'beta')}
    assert not provider_ids & set(projects)
    alpha = projects[_project_id(w, 'alpha')]
    assert alpha['project_name'] == w.tenants['alpha'][0]['name']
    assert alpha['current'] == ALPHA
    assert projects[_project_id(w, 'beta')]['current'] == BETA
    assert answer['total']['current'] == _total(ALPHA, BETA)
    assert len(alpha['samples']) == 1

    # More in use: reads within [mercador] usage_sample_interval store no
    # sample, usage-collect does.
    allocate(w, 'alpha', dict(ALPHA, VCPU=4))
    answer = w.admin.ok('GET', _usage_path(w))['usage']
    alpha = _by_project(answer)[_project_id(w, 'alpha')]
    assert alpha['current'] == dict(ALPHA, VCPU=4)
    assert len(alpha['samples']) == 1
    out = manage(w.provider, 'usage-collect')
    assert out.returncode == 0, out.stdout + out.stderr
    assert 'binding %s: 2 project(s) sampled' % w.bound['binding_id'] \
        in out.stdout
    answer = w.admin.ok('GET', _usage_path(w))['usage']
    alpha = _by_project(answer)[_project_id(w, 'alpha')]
    assert [s['usages']['VCPU'] for s in alpha['samples']] == [2, 4]
    assert alpha['period'] == {'VCPU': {'max': 4, 'average': 3.0},
                               'MEMORY_MB': {'max': 512, 'average': 512.0}}
    assert [s['usages'] for s in answer['total']['samples']] == [
        _total(ALPHA, BETA), _total(ALPHA, BETA, {'VCPU': 2})]
    assert answer['total']['period']['VCPU'] == {'max': 5, 'average': 4.0}
    assert answer['total']['period']['DISK_GB'] == {'max': 10,
                                                    'average': 10.0}

    # A period before any sample: current usage, no history.
    now = datetime.datetime.utcnow()
    earlier = {'start': (now - datetime.timedelta(days=3)).strftime(
        '%Y-%m-%dT%H:%M:%SZ'), 'end': (now - datetime.timedelta(
            days=2)).strftime('%Y-%m-%dT%H:%M:%S')}
    answer = w.admin.ok('GET', _usage_path(w, **earlier))['usage']
    assert answer['start'] == earlier['start']
    assert answer['end'] == earlier['end'] + 'Z'
    assert answer['total']['samples'] == []
    assert answer['total']['period'] == {}
    assert answer['total']['current'] == _total(ALPHA, BETA, {'VCPU': 2})


@pytest.mark.parametrize('query', [
    'start=2026-01-02T00:00:00Z&end=2026-01-01T00:00:00Z',
    'start=2026-01-01T00:00:00Z&end=2026-03-01T00:00:00Z',
    'start=yesterday', 'end=2026-13-01T00:00:00Z', 'unknown=1'])
def test_a_bad_period_is_a_400(world, query):
    w = world
    for session, path in (
            (w.admin, API + '/bound_regions/%s/usage' % w.bound['id']),
            (w.padmin, API + '/bindings/%s/usage' % w.bound['binding_id'])):
        r = session.get(path + '?' + query)
        assert r.status_code == 400, r.text
        assert 'error' in r.json()


def test_a_tenant_reads_its_own_project_only(world):
    w = world
    alpha, beta = _project_id(w, 'alpha'), _project_id(w, 'beta')
    session = w.tenants['alpha'][2]
    answer = session.ok('GET', _usage_path(w, project_id=alpha))['usage']
    assert [p['project_id'] for p in answer['projects']] == [alpha]
    assert answer['projects'][0]['current'] == dict(ALPHA, VCPU=4)
    assert answer['total']['current'] == dict(ALPHA, VCPU=4)
    for path in (_usage_path(w, project_id=beta), _usage_path(w)):
        r = session.get(path)
        assert r.status_code == 403, r.text
    # Not entitled: not even about itself.
    outsider = w.tenants['outsider']
    r = outsider[2].get(_usage_path(w, project_id=outsider[0]['id']))
    assert r.status_code == 403, r.text
    # The reseller asks about a project that never used the region.
    answer = w.admin.ok('GET', _usage_path(
        w, project_id=outsider[0]['id']))['usage']
    assert answer['projects'] == []
    assert answer['total']['current'] == {}


def test_a_tenant_sees_the_regions_of_its_project(world):
    w = world
    project, _, session = w.tenants['alpha']
    regions = session.ok('GET', API + '/projects/%s/regions'
                         % project['id'])['regions']
    mine = [r for r in regions if r['id'] == w.bound['id']]
    assert mine == [{
        'id': w.bound['id'], 'region_id': w.bound['region_id'],
        'description': '', 'status': 'active', 'reason': None,
        'metadata': {'country': 'FR', 'compliance': ['gdpr']},
        'services': ['placement'], 'limits': [], 'hops': 1}]
    r = session.get(API + '/projects/%s/regions' % _project_id(w, 'beta'))
    assert r.status_code == 403, r.text
    outsider = w.tenants['outsider']
    regions = outsider[2].ok('GET', API + '/projects/%s/regions'
                             % outsider[0]['id'])['regions']
    assert w.bound['id'] not in {r['id'] for r in regions}
    r = w.admin.get(API + '/projects/%s/regions' % uuid.uuid4().hex)
    assert r.status_code == 404, r.text
    assert w.admin.ok('GET', API + '/bound_regions/' + w.bound['id'])[
        'bound_region']['metadata'] == {'country': 'FR',
                                        'compliance': ['gdpr']}


def test_the_provider_answers_about_the_binding_only(world):
    w = world
    answer = _binding_usage(w.reseller_session, w)
    listed = {p['project_id'] for p in answer['projects']}
    projects = w.padmin.ok('GET', API + '/bindings/%s/projects'
                           % w.bound['binding_id'])['projects']
    assert listed == {p['id'] for p in projects}
    # Another aggregator may not look; a project of another binding is
    # not one of this binding's.
    _, other = pub.register_aggregator(w.padmin)
    r = other.get(API + '/bindings/%s/usage' % w.bound['binding_id'])
    assert r.status_code == 403, r.text
    binding = pub.bind(w.reseller_session, w.vr['id'])
    foreign = w.reseller_session.ok(
        'POST', API + '/bindings/%s/projects' % binding['id'],
        json={'project': {'reference': pub.unique('usage-ref')}})['project']
    r = w.padmin.get(API + '/bindings/%s/usage?project_id=%s' % (
        w.bound['binding_id'], foreign['id']))
    assert r.status_code == 404, r.text
    one = _binding_usage(w.padmin, w, project_id=sorted(listed)[0])
    assert [p['project_id'] for p in one['projects']] == [sorted(listed)[0]]
    w.padmin.ok('DELETE', API + '/bindings/' + binding['id'])


def test_the_provider_never_learns_who_the_tenants_are(world):
    w = world
    r = w.padmin.get(API + '/bindings/%s/usage' % w.bound['binding_id'])
    assert r.status_code == 200, r.text
    for project, user, _ in w.tenants.values():
        for secret in (project['id'], project['name'], user['id'],
                       user['name']):
            assert secret not in r.text


def test_placement_unreachable_is_a_502_naming_the_region(world):
    w = world
    region = _region(w.padmin, 'RegionDead')
    pub.ensure_service(w.padmin, 'placement', 'http://127.0.0.1:9', region)
    vr = pub.create_virtual_region(w.padmin, region_id=region,
                                   services=['placement'])
    bound = agg.bind(w.admin, w.provider_ref['id'], vr['id'])['bound_region']
    project, _, session = w.tenants['alpha']
    w.admin.ok('PUT', API + '/bound_regions/%s/entitlements/projects/%s'
               % (bound['id'], project['id']), status=204)
    # The tenant's first call makes its provider project (Placement
    # itself cannot answer).
    r = client.requests.get('%s/%s/placement/usages?project_id=%s' % (
        w.proxy.url, bound['region_id'], project['id']),
        headers={'X-Auth-Token': session.token}, timeout=60)
    assert r.status_code == 503, r.text
    try:
        r = w.padmin.get(API + '/bindings/%s/usage' % bound['binding_id'])
        assert r.status_code == 502, r.text
        assert region in r.json()['error']['message']
        r = w.admin.get(API + '/bound_regions/%s/usage' % bound['id'])
        assert r.status_code == 502, r.text
        assert bound['region_id'] in r.json()['error']['message']
    finally:
        w.admin.ok('DELETE', API + '/bound_regions/' + bound['id'])


def test_the_cli_on_both_sides(world):
    w = world
    project, user, _ = w.tenants['alpha']
    rows = agg.openstack(w.aggregator, user['name'], project['name'],
                         'bound', 'region', 'usage', w.bound['region_id'],
                         '--project', project['id'])
    assert {(r['Project'], r['Resource'], r['Current']) for r in rows} == {
        (project['id'], 'MEMORY_MB', 512), (project['id'], 'VCPU', 4)}
    rows = agg.openstack(w.provider, 'admin', 'admin', 'binding', 'usage',
                         w.bound['binding_id'], '--total',
                         password=w.provider.admin_password)
    assert {r['Resource']: r['Current'] for r in rows} == _total(
        ALPHA, BETA, {'VCPU': 2})


def _vcpu_limit(w, project_id, service_id):
    limits = w.padmin.ok('GET', '/v3/limits?project_id=%s&service_id=%s'
                         % (project_id, service_id))['limits']
    return [limit['resource_limit'] for limit in limits
            if limit['resource_name'] == 'class:VCPU']


def test_shares_of_a_limit_are_taken_back(world):
    """A virtual region's limit on a resource class, split between two
    projects of one binding: each that asks for its share gets what the
    binding leaves, and every other project is left what it uses, down to
    0 (which Keystone's SQL driver would not set by an update); the
    shares never add up to more than the limit, even asked for at
    once."""
    w = world
    limit = 5
    placement = [e for e in w.padmin.ok(
        'GET', '/v3/endpoints?interface=public')['endpoints']
        if e['region_id'] == w.region]
    assert len(placement) == 1, placement
    service_id = placement[0]['service_id']
    registered = w.padmin.ok('POST', '/v3/registered_limits', json={
        'registered_limits': [{
            'service_id': service_id, 'region_id': w.region,
            'resource_name': 'class:VCPU', 'default_limit': 10}]})[
        'registered_limits'][0]
    vr = pub.create_virtual_region(
        w.padmin, region_id=w.region, services=['placement'],
        limits=[{'service_type': 'placement', 'resource_name': 'class:VCPU',
                 'resource_limit': limit}])
    binding = pub.bind(w.reseller_session, vr['id'])
    path = API + '/bindings/' + binding['id']
    consumer = str(uuid.uuid4())
    placement = w.padmin.at(w.placement.url)
    try:
        # One that allocates, one that does not, one that never asks.
        using, idle, silent = [w.reseller_session.ok(
            'POST', path + '/projects', status=201, json={'project': {
                'reference': uuid.uuid4().hex}})['project']['id']
            for _ in range(3)]
        # A new project has nothing of it.
        assert _vcpu_limit(w, using, service_id) == [0]
        placement.ok('PUT', '/allocations/' + consumer, headers={
            'OpenStack-API-Version': 'placement 1.12'}, json={
                'allocations': {w.rp: {'resources': {'VCPU': 2}}},
                'project_id': using, 'user_id': uuid.uuid4().hex})

        def share(project_id):
            return w.padmin.ok('POST', path + '/projects/%s/limits'
                               % project_id)['limits']

        # The idle project: what the binding leaves.
        [mine] = share(idle)
        assert (mine['resource_limit'], mine['usage']) == (3, 0), mine
        assert _vcpu_limit(w, idle, service_id) == [3]
        # The one that uses two: those, and the rest; the idle one is
        # left its usage, 0.
        [mine] = share(using)
        assert (mine['resource_limit'], mine['usage']) == (5, 2), mine
        assert _vcpu_limit(w, using, service_id) == [5]
        assert _vcpu_limit(w, idle, service_id) == [0]
        # Asked for at once, again and again.
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            list(pool.map(share, [using, idle] * 6))
        total = sum(_vcpu_limit(w, p, service_id)[0]
                    for p in (using, idle, silent))
        assert total <= limit, total
        assert _vcpu_limit(w, silent, service_id) == [0]
    finally:
        placement.ok('DELETE', '/allocations/' + consumer,
                     status=(204, 404))
        w.reseller_session.ok('DELETE', path)
        w.padmin.ok('DELETE', API + '/virtual_regions/' + vr['id'])
        w.padmin.ok('DELETE', '/v3/registered_limits/' + registered['id'])
