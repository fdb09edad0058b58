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

"""Who may call what on the provider API: persona x scope matrix.

Every route of the provider side is called by every persona; the expected
outcome is either "allowed" (anything but 401/403) or the exact denial.
Allowed calls that destroy something act on an object made for the call.
"""

import pytest

from harness import client
from tests.functional import personas
from tests.functional import publisher as pub

API = pub.API
ADMINS = {'system_admin', 'domain_admin', 'project_admin'}
READERS = ADMINS | {'system_member', 'system_reader'}
OWNER = {'aggregator'}
EVERYONE = set(['system_%s' % r for r in personas.ROLES]
               + ['domain_%s' % r for r in personas.ROLES]
               + ['project_%s' % r for r in personas.ROLES]
               + ['aggregator', 'other_aggregator', 'binding'])
#: The binding's own identity (its credential): tokens of its users only.
BINDING = {'binding'}
PERSONAS = sorted(EVERYONE | {'anonymous'})


class World:
    """Objects the calls act on, made once per module."""

    def __init__(self, provider):
        self.admin = client.Session.admin(provider)
        pub.ensure_service(self.admin, 'image', 'http://127.0.0.1:9292')
        self.sessions = personas.create(self.admin)
        self.aggregator, agg = pub.register_aggregator(self.admin)
        _, other = pub.register_aggregator(self.admin)
        self.sessions.update(aggregator=agg, other_aggregator=other)
        self.vr = pub.create_virtual_region(self.admin)
        self.binding = pub.bind(agg, self.vr['id'])
        self.project = agg.ok(
            'POST', API + '/bindings/%s/projects' % self.binding['id'],
            json={'project': {'reference': pub.unique('ref-protection')}}
        )['project']
        self.user = agg.ok(
            'POST', API + '/bindings/%s/users' % self.binding['id'],
            json={'user': {'reference': pub.unique('ref-protection')}}
        )['user']
        credential = self.binding['credential']
        self.sessions['binding'] = client.Session.login(
            provider.url, client.password_auth(
                user_id=credential['user_id'],
                password=credential['password']))

    def fresh_vr(self):
        return pub.create_virtual_region(self.admin)['id']

    def fresh_aggregator(self):
        return pub.register_aggregator(self.admin)[0]['id']

    def fresh_binding(self):
        return pub.bind(self.sessions['aggregator'], self.vr['id'])['id']

    def fresh_user(self):
        return self.sessions['aggregator'].ok(
            'POST', API + '/bindings/%s/users' % self.binding['id'],
            json={'user': {'reference': pub.unique('ref-fresh')}}
        )['user']['id']

    def fresh_project(self):
        return self.sessions['aggregator'].ok(
            'POST', API + '/bindings/%s/projects' % self.binding['id'],
            json={'project': {'reference': pub.unique('ref-fresh')}}
        )['project']['id']


def _vr_body():
    return {'virtual_region': {
        'name': pub.unique('vr'), 'region_id': 'RegionOne',
        'domain_name': pub.unique('dom'), 'services': ['image']}}


# (name, allowed personas, method, path(world, fresh), body(world))
# ``fresh`` is True when the call is expected to succeed and destroys.
ROUTES = [
    ('list virtual regions', READERS, 'GET',
     lambda w, f: '/virtual_regions', None),
    ('create virtual region', ADMINS, 'POST',
     lambda w, f: '/virtual_regions', lambda w: _vr_body()),
    ('get virtual region', READERS, 'GET',
     lambda w, f: '/virtual_regions/' + w.vr['id'], None),
    ('update virtual region', ADMINS, 'PATCH',
     lambda w, f: '/virtual_regions/' + w.vr['id'],
     lambda w: {'virtual_region': {'description': 'changed'}}),
    ('delete virtual region', ADMINS, 'DELETE',
     lambda w, f: '/virtual_regions/' + (
         w.fresh_vr() if f else w.vr['id']), None),
    ('metadata schema', EVERYONE, 'GET',
     lambda w, f: '/metadata_schema', None),
    ('list aggregators', READERS, 'GET', lambda w, f: '/aggregators', None),
    ('register aggregator', ADMINS, 'POST', lambda w, f: '/aggregators',
     lambda w: {'aggregator': {'name': pub.unique('agg')}}),
    ('get aggregator', READERS, 'GET',
     lambda w, f: '/aggregators/' + w.aggregator['id'], None),
    ('update aggregator', ADMINS, 'PATCH',
     lambda w, f: '/aggregators/' + w.aggregator['id'],
     lambda w: {'aggregator': {'description': 'changed'}}),
    ('revoke aggregator', ADMINS, 'DELETE',
     lambda w, f: '/aggregators/' + (
         w.fresh_aggregator() if f else w.aggregator['id']), None),
    ('list offers', OWNER | {'other_aggregator'}, 'GET',
     lambda w, f: '/offers', None),
    ('get offer', OWNER | {'other_aggregator'}, 'GET',
     lambda w, f: '/offers/' + w.vr['id'], None),
    ('create binding', OWNER | {'other_aggregator'}, 'POST',
     lambda w, f: '/bindings',
     lambda w: {'binding': {'virtual_region_id': w.vr['id'],
                            'idempotency_key': pub.unique('key')}}),
    ('list bindings', READERS | OWNER | {'other_aggregator'}, 'GET',
     lambda w, f: '/bindings', None),
    ('get binding', READERS | OWNER, 'GET',
     lambda w, f: '/bindings/' + w.binding['id'], None),
    ('delete binding', ADMINS | OWNER, 'DELETE',
     lambda w, f: '/bindings/' + (
         w.fresh_binding() if f else w.binding['id']), None),
    ('binding usage', READERS | OWNER, 'GET',
     lambda w, f: '/bindings/%s/usage' % w.binding['id'], None),
    ('rotate binding credential', OWNER, 'POST',
     lambda w, f: '/bindings/%s/credential' % (
         w.fresh_binding() if f else w.binding['id']), lambda w: {}),
    ('create binding project', OWNER, 'POST',
     lambda w, f: '/bindings/%s/projects' % w.binding['id'],
     lambda w: {'project': {'reference': pub.unique('ref-matrix')}}),
    ('list binding projects', READERS | OWNER, 'GET',
     lambda w, f: '/bindings/%s/projects' % w.binding['id'], None),
    ('get binding project', READERS | OWNER, 'GET',
     lambda w, f: '/bindings/%s/projects/%s' % (
         w.binding['id'], w.project['id']), None),
    ('delete binding project', ADMINS | OWNER, 'DELETE',
     lambda w, f: '/bindings/%s/projects/%s' % (
         w.binding['id'], w.fresh_project() if f else w.project['id']),
     None),
    ('revoke binding project users', ADMINS | OWNER, 'DELETE',
     lambda w, f: '/bindings/%s/projects/%s/users' % (
         w.binding['id'], w.project['id']), None),
    ('apportion binding project limits', ADMINS | BINDING, 'POST',
     lambda w, f: '/bindings/%s/projects/%s/limits' % (
         w.binding['id'], w.project['id']), None),
    ('create binding user', OWNER, 'POST',
     lambda w, f: '/bindings/%s/users' % w.binding['id'],
     lambda w: {'user': {'reference': pub.unique('ref-matrix')}}),
    ('list binding users', READERS | OWNER, 'GET',
     lambda w, f: '/bindings/%s/users' % w.binding['id'], None),
    ('get binding user', READERS | OWNER, 'GET',
     lambda w, f: '/bindings/%s/users/%s' % (
         w.binding['id'], w.user['id']), None),
    ('delete binding user', ADMINS | OWNER, 'DELETE',
     lambda w, f: '/bindings/%s/users/%s' % (
         w.binding['id'], w.fresh_user() if f else w.user['id']), None),
    ('issue binding user token', BINDING, 'POST',
     lambda w, f: '/bindings/%s/users/%s/tokens' % (
         w.binding['id'], w.user['id']),
     lambda w: {'token': {'project_id': w.project['id']}}),
]


@pytest.fixture(scope='module')
def world(provider):
    return World(provider)


@pytest.mark.parametrize('persona', PERSONAS)
@pytest.mark.parametrize('route', ROUTES, ids=[r[0] for r in ROUTES])
def test_protection(world, route, persona):
    name, allowed, method, path, body = route
    expect_allowed = persona in allowed
    url = API + path(world, expect_allowed)
    kwargs = {'json': body(world)} if body else {}
    r = world.sessions[persona].request(method, url, **kwargs)
    if persona == 'anonymous':
        assert r.status_code == 401, r.text
    elif expect_allowed:
        assert r.status_code in (200, 201, 204), r.text
    else:
        assert r.status_code == 403, r.text
    if r.status_code >= 400:
        assert 'error' in r.json()


def test_provider_view_is_not_filtered(world):
    """A provider reader sees every binding; an aggregator only its own."""
    reader = world.sessions['system_reader']
    other = world.sessions['other_aggregator']
    ids = [b['id'] for b in reader.ok('GET', API + '/bindings')['bindings']]
    assert world.binding['id'] in ids
    ids = [b['id'] for b in other.ok('GET', API + '/bindings')['bindings']]
    assert world.binding['id'] not in ids
    # Asking for someone else's bindings by filter yields nothing either.
    listed = other.ok('GET', API + '/bindings?aggregator_id='
                      + world.aggregator['id'])['bindings']
    assert listed == []
