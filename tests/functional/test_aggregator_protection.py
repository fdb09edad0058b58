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

"""Who may call what on the aggregator API: persona x scope matrix.

Every route of the aggregator side is called by every persona; the
expected outcome is either "allowed" (a success) or the exact denial.
Allowed calls that create or destroy something act on objects made for the
call.
"""

import os

import pytest

from harness import client
from harness import servers
from tests.functional import aggregation as agg
from tests.functional import personas
from tests.functional import publisher as pub

API = agg.API
ADMINS = {'system_admin', 'domain_admin', 'project_admin'}
READERS = ADMINS | {'system_reader', 'system_member'}
EVERYONE = {'%s_%s' % (s, r) for s in personas.SCOPES
            for r in personas.ROLES}
#: Tokens scoped to the personas' project.
PROJECT = {'project_%s' % r for r in personas.ROLES}
PERSONAS = sorted(EVERYONE | {'anonymous'})


class World:
    """Objects the calls act on, made once per module."""

    def __init__(self, provider, aggregator):
        self.provider = provider
        self.provider_admin = client.Session.admin(provider)
        pub.ensure_service(self.provider_admin, 'image',
                           'http://127.0.0.1:9292')
        self.admin = client.Session.admin(aggregator)
        self.sessions = personas.create(self.admin)
        self.credential, self.vr = agg.offer_story(self.provider_admin)
        self.ref = agg.register_provider(self.admin, provider,
                                         self.credential)
        self.bound = self.fresh_bound_region()
        self.project = agg.tenant(self.admin)[0]
        self.entitle(self.bound, self.project['id'])
        # The personas' project, entitled to a bound region of its own.
        self.personas_project = self.sessions['project_member'].token_body[
            'token']['project']['id']
        self.personas_bound = self.fresh_bound_region()
        self.entitle(self.personas_bound, self.personas_project)

    def fresh_provider_body(self):
        credential, _ = agg.offer_story(self.provider_admin)
        return {'provider': {'name': pub.unique('provider'),
                             'auth_url': self.provider.auth_url,
                             'credential': credential}}

    def fresh_provider(self):
        return self.admin.ok('POST', API + '/providers',
                             json=self.fresh_provider_body())['provider']

    def fresh_offer(self):
        return pub.create_virtual_region(self.provider_admin)['id']

    def bind_body(self, offer_id=None):
        return {'bound_region': {
            'provider_id': self.ref['id'],
            'offer_id': offer_id or self.vr['id'],
            'region_id': pub.unique('V'),
            'idempotency_key': pub.unique('key')}}

    def fresh_bound_region(self):
        return self.admin.ok('POST', API + '/bound_regions', json=(
            self.bind_body(self.fresh_offer())))['bound_region']

    def entitle(self, bound, project_id):
        self.admin.ok('PUT', API + '/bound_regions/%s/entitlements/'
                      'projects/%s' % (bound['id'], project_id), status=204)

    def fresh_entitlement(self):
        project = agg.tenant(self.admin)[0]
        self.entitle(self.bound, project['id'])
        return project['id']


def _entitlement(w, project_id):
    return '/bound_regions/%s/entitlements/projects/%s' % (
        w.bound['id'], project_id)


# (name, allowed personas, method, path(world, allowed), body(world, allowed))
ROUTES = [
    ('list providers', READERS, 'GET', lambda w, a: '/providers', None),
    ('register provider', ADMINS, 'POST', lambda w, a: '/providers',
     lambda w, a: w.fresh_provider_body() if a else {'provider': {
         'name': 'denied', 'auth_url': 'http://127.0.0.1:1/v3',
         'credential': {'application_credential_id': 'x',
                        'application_credential_secret': 'y'}}}),
    ('get provider', READERS, 'GET',
     lambda w, a: '/providers/' + w.ref['id'], None),
    ('update provider', ADMINS, 'PATCH',
     lambda w, a: '/providers/' + w.ref['id'],
     lambda w, a: {'provider': {'description': 'changed'}}),
    ('delete provider', ADMINS, 'DELETE',
     lambda w, a: '/providers/' + (
         w.fresh_provider()['id'] if a else w.ref['id']), None),
    ('force delete provider', ADMINS, 'DELETE',
     lambda w, a: '/providers/%s?force=true' % (
         w.fresh_provider()['id'] if a else w.ref['id']), None),
    ('browse offers', READERS, 'GET',
     lambda w, a: '/providers/%s/offers' % w.ref['id'], None),
    ('get offer', READERS, 'GET',
     lambda w, a: '/providers/%s/offers/%s' % (w.ref['id'], w.vr['id']),
     None),
    ('bind', ADMINS, 'POST', lambda w, a: '/bound_regions',
     lambda w, a: w.bind_body(w.fresh_offer() if a else None)),
    ('list bound regions', READERS, 'GET',
     lambda w, a: '/bound_regions', None),
    ('get bound region', READERS, 'GET',
     lambda w, a: '/bound_regions/' + w.bound['id'], None),
    ('unbind', ADMINS, 'DELETE',
     lambda w, a: '/bound_regions/' + (
         w.fresh_bound_region()['id'] if a else w.bound['id']), None),
    ('force unbind', ADMINS, 'DELETE',
     lambda w, a: '/bound_regions/%s?force=true' % (
         w.fresh_bound_region()['id'] if a else w.bound['id']), None),
    ('list project regions', READERS | PROJECT, 'GET',
     lambda w, a: '/projects/%s/regions' % w.personas_project, None),
    ('list regions of another project', READERS, 'GET',
     lambda w, a: '/projects/%s/regions' % w.project['id'], None),
    ('bound region usage', READERS, 'GET',
     lambda w, a: '/bound_regions/%s/usage' % w.personas_bound['id'], None),
    ('project usage', READERS | PROJECT, 'GET',
     lambda w, a: '/bound_regions/%s/usage?project_id=%s' % (
         w.personas_bound['id'], w.personas_project), None),
    ('usage of a project not entitled', READERS, 'GET',
     lambda w, a: '/bound_regions/%s/usage?project_id=%s' % (
         w.bound['id'], w.personas_project), None),
    ('list entitlements', READERS, 'GET',
     lambda w, a: '/bound_regions/%s/entitlements' % w.bound['id'], None),
    ('check entitlement', READERS, 'GET',
     lambda w, a: _entitlement(w, w.project['id']), None),
    ('entitle', ADMINS, 'PUT',
     lambda w, a: _entitlement(w, agg.tenant(w.admin)[0]['id'] if a
                               else w.project['id']), None),
    ('withdraw entitlement', ADMINS, 'DELETE',
     lambda w, a: _entitlement(w, w.fresh_entitlement() if a
                               else w.project['id']), None),
]


@pytest.fixture(scope='module')
def world(provider, aggregator):
    return World(provider, aggregator)


@pytest.mark.parametrize('persona', PERSONAS)
@pytest.mark.parametrize('route', ROUTES, ids=[r[0] for r in ROUTES])
def test_protection(world, route, persona):
    name, allowed, method, path, body = route
    expect_allowed = persona in allowed
    url = API + path(world, expect_allowed)
    kwargs = {'json': body(world, expect_allowed)} if body else {}
    r = world.sessions[persona].request(method, url, **kwargs)
    if persona == 'anonymous':
        assert r.status_code == 401, r.text
    elif expect_allowed:
        assert r.status_code in (200, 201, 204), r.text
    else:
        assert r.status_code == 403, r.text
    if r.status_code >= 400:
        assert 'error' in r.json()


@pytest.mark.parametrize('persona', sorted(EVERYONE))
def test_region_list_shows_bound_regions_to_readers_only(world, persona):
    """Keystone's own GET /v3/regions: bound regions are visible to those
    who may list bound regions, and to entitled projects only."""
    session = world.sessions[persona]
    regions = {r['id'] for r in session.ok('GET', '/v3/regions')['regions']}
    assert 'RegionOne' in regions
    # The personas' project is not entitled to world.bound.
    visible = persona in READERS
    assert (world.bound['region_id'] in regions) == visible
    r = session.get('/v3/regions/' + world.bound['region_id'])
    assert r.status_code == (200 if visible else 404), r.text


@pytest.mark.parametrize('persona', PERSONAS)
@pytest.mark.parametrize('query', ['', '?only=endpoints'],
                         ids=['access', 'endpoints'])
def test_region_access_is_the_proxy_s_only(world, persona, query):
    """No persona, administrators included, may ask the proxy's question
    (with a valid tenant token, or for the endpoints alone)."""
    path = API + '/regions/%s/access%s' % (world.bound['region_id'], query)
    headers = {} if query else {
        'X-Subject-Token': world.sessions['project_member'].token}
    r = world.sessions[persona].get(path, headers=headers)
    assert r.status_code == (401 if persona == 'anonymous' else 403), r.text
    assert 'error' in r.json()


def test_region_access_answers_the_service_role(world, aggregator):
    user = aggregator.service_user(pub.unique('proxy'), role='service')
    proxy = client.Session.login(aggregator.url, client.password_auth(
        user_id=user['id'], password=servers.SERVICE_PASSWORD,
        scope={'project': {'name': 'service',
                           'domain': {'name': 'Default'}}}))
    path = API + '/regions/%s/access' % world.bound['region_id']
    access = proxy.ok('GET', path + '?only=endpoints')['access']
    assert access == {'region_id': world.bound['region_id'],
                      'endpoints': {'image': 'http://127.0.0.1:9292'}}
    # A tenant token that is not valid: 401, so that clients authenticate
    # again (Keystone's own answer would be a 404).
    r = proxy.get(path, headers={'X-Subject-Token': 'not-a-token'})
    assert r.status_code == 401, r.text
    assert 'X-Subject-Token' in r.json()['error']['message']
    assert proxy.get(path).status_code == 400
    assert proxy.get(path + '?only=everything').status_code == 400
    assert proxy.get(API + '/regions/V404/access?only=endpoints')\
        .status_code == 404


def test_forced_deletes_have_policies_of_their_own(world, aggregator):
    """An operator may keep forced deletes to system administrators while
    other administrators still unbind and delete providers."""
    policy = os.path.join(aggregator.dir, 'policy.yaml')
    with open(policy, 'w') as f:
        for resource in ('bound_region', 'provider'):
            f.write('"mercador:%s:force_delete": "role:admin and '
                    'system_scope:all"\n' % resource)
    try:
        project_admin = world.sessions['project_admin']
        system_admin = world.sessions['system_admin']
        for collection, fresh in (('bound_regions', world.fresh_bound_region),
                                  ('providers', world.fresh_provider)):
            path = API + '/%s/%s' % (collection, fresh()['id'])
            r = project_admin.delete(path + '?force=true')
            assert r.status_code == 403, r.text
            assert system_admin.ok('DELETE', path + '?force=true') == {
                'remote_leftovers': []}
            path = API + '/%s/%s' % (collection, fresh()['id'])
            project_admin.ok('DELETE', path, status=204)
    finally:
        # Back to the defaults (oslo.policy reloads a changed file).
        with open(policy, 'w') as f:
            f.write('{}\n')


def test_force_is_true_or_false(world):
    r = world.admin.delete(API + '/bound_regions/%s?force=yes'
                           % world.bound['id'])
    assert r.status_code == 400, r.text
    r = world.admin.delete(API + '/providers/%s?forced=true'
                           % world.ref['id'])
    assert r.status_code == 400, r.text
