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

"""doc/api/os-mercador.yaml against a running Keystone.

The routes that Keystone advertises in its JSON Home document are the
documented ones, each documented method is served (and no other), and the
responses of a real story validate against the documented schemas.
"""

import functools
import re
import uuid

import jsonschema
import pytest

from harness import client
from harness import servers
from tests.functional import aggregation as agg
from tests.functional import publisher as pub
from tests import openapi

DOC = openapi.load()
PREFIX = '/v3/OS-MERCADOR'
NO_ROUTE = 'No OS-MERCADOR resource at'


def _json_home_paths(server):
    r = client.Session(server.url).get(
        '/', headers={'Accept': 'application/json-home'})
    assert r.status_code == 200, r.text
    paths = set()
    for resource in r.json()['resources'].values():
        path = resource.get('href') or resource['href-template']
        if path.startswith(PREFIX + '/'):
            paths.add(path)
    return paths


def _operation(method, path):
    """The documented (template, operation) of a concrete request."""
    path = path.split('?')[0]
    for template, item in DOC['paths'].items():
        if re.fullmatch(openapi.flask_path(template), path):
            return template, item.get(method.lower())
    return None, None


class CheckedSession(client.Session):
    """A Session whose every response must be as documented."""

    seen = set()

    def request(self, method, path, **kwargs):
        r = super().request(method, path, **kwargs)
        template, op = _operation(method, path)
        assert op, 'undocumented: %s %s' % (method, path)
        responses = op['responses']
        assert str(r.status_code) in responses, (
            'undocumented status', method, template, r.status_code, r.text)
        response = openapi.inline(responses[str(r.status_code)], DOC)
        if 'content' in response:
            schema = response['content']['application/json']['schema']
            jsonschema.Draft202012Validator(schema).validate(r.json())
        else:
            assert not r.content, (method, template, r.text)
        self.seen.add((template, method.lower(), str(r.status_code)))
        return r

    @classmethod
    def wrap(cls, session):
        return cls(session.base, session.token, session.token_body)


def _documented(tag):
    return {path for path, _ in openapi.operations(DOC, tag)}


def _example_path(template):
    """A concrete path of a template: enum values where there are some."""
    path = template
    for p in DOC['paths'][template].get('parameters', []):
        path = path.replace('{%s}' % p['name'],
                            p['schema'].get('enum', ['x'])[0])
    return path


@functools.lru_cache()
def _served_at(url, tag):
    """``{(path, method)}`` that the server routes, among the paths of
    ``tag``: anything else is the catch-all's JSON 404 (unknown path) or
    405 (a known path, another method)."""
    anonymous = client.Session(url)
    served = set()
    for template in _documented(tag):
        path = _example_path(template)
        for method in openapi.METHODS:
            r = anonymous.request(method.upper(), path, json={})
            if r.status_code == 405:
                assert method.upper() not in r.headers['Allow'], r.headers
                if method != 'head':
                    assert r.json()['error']['code'] == 405, r.text
                continue
            if not (r.status_code == 404 and NO_ROUTE in r.text):
                served.add((template, method))
    return frozenset(served)


def _served(server, tag):
    return _served_at(server.url, tag)


def test_json_home_routes_are_the_documented_ones(provider, aggregator):
    assert _json_home_paths(provider) == _documented('provider')
    # An aggregator's Keystone serves both sides.
    assert _json_home_paths(aggregator) == _documented(None)


def test_documented_methods_are_served(provider, aggregator):
    for server, tag in ((provider, 'provider'), (aggregator, 'aggregator')):
        documented = set(openapi.operations(DOC, tag))
        assert documented - _served(server, tag) == set()


@pytest.mark.parametrize('tag', ['provider', 'aggregator'])
def test_undocumented_methods_are_not_served(tag, request):
    server = request.getfixturevalue(tag)
    assert _served(server, tag) - set(openapi.operations(DOC, tag)) == set()


def test_provider_story_responses_match_the_document(provider):
    admin = CheckedSession.wrap(client.Session.admin(provider))
    pub.ensure_service(client.Session.admin(provider), 'image',
                       'http://127.0.0.1:9292')
    api = pub.API
    admin.ok('GET', api + '/metadata_schema')
    aggregator = admin.ok('POST', api + '/aggregators', json={'aggregator': {
        'name': pub.unique('reseller')}})['aggregator']
    agg_id = aggregator['id']
    admin.ok('GET', api + '/aggregators')
    admin.ok('GET', api + '/aggregators/' + agg_id)
    admin.ok('PATCH', api + '/aggregators/' + agg_id, json={'aggregator': {
        'description': 'A reseller'}})
    cred = aggregator['credential']
    agg = CheckedSession.wrap(client.Session.login(
        provider.url, client.app_cred_auth(
            cred['application_credential_id'],
            cred['application_credential_secret'])))

    vr = pub.create_virtual_region(admin, publish=False,
                                   aggregator_ids=[agg_id],
                                   visibility='listed')
    vr_path = api + '/virtual_regions/' + vr['id']
    admin.ok('PATCH', vr_path, json={'virtual_region': {
        'status': 'published', 'description': 'Paris, tier 3'}})
    admin.ok('GET', api + '/virtual_regions?status=published')
    admin.ok('GET', vr_path)

    agg.ok('GET', api + '/offers?country=FR&service_type=image')
    agg.ok('GET', api + '/offers/' + vr['id'])
    key = pub.unique('openapi-key')
    binding = agg.ok('POST', api + '/bindings', status=201, json={
        'binding': {'virtual_region_id': vr['id'], 'idempotency_key': key}}
    )['binding']
    agg.ok('POST', api + '/bindings', status=200, json={
        'binding': {'virtual_region_id': vr['id'], 'idempotency_key': key}})
    b_path = api + '/bindings/' + binding['id']
    admin.ok('GET', api + '/bindings?virtual_region_id=' + vr['id'])
    agg.ok('GET', b_path)
    credential = agg.ok('POST', b_path + '/credential', json={})[
        'credential']
    reference = pub.unique('tenant-reference')
    project = agg.ok('POST', b_path + '/projects', status=201, json={
        'project': {'reference': reference}})['project']
    agg.ok('POST', b_path + '/projects', status=200, json={
        'project': {'reference': reference}})
    agg.ok('GET', b_path + '/projects')
    agg.ok('GET', b_path + '/projects/' + project['id'])
    agg.ok('GET', b_path + '/usage')
    admin.ok('GET', b_path + '/usage?project_id=%s&start=2026-01-01T00:00Z'
             '&end=2026-01-02T00:00:00%%2B01:00'
             % project['id'])
    admin.ok('GET', b_path + '/usage?start=tomorrow', status=400)
    reference = pub.unique('user-reference')
    user = agg.ok('POST', b_path + '/users', status=201, json={
        'user': {'reference': reference}})['user']
    agg.ok('POST', b_path + '/users', status=200, json={
        'user': {'reference': reference}})
    agg.ok('GET', b_path + '/users')
    agg.ok('GET', b_path + '/users/' + user['id'])
    identity = CheckedSession.wrap(client.Session.login(
        provider.url, client.password_auth(
            user_id=credential['user_id'],
            password=credential['password'])))
    issued = identity.ok('POST', b_path + '/users/%s/tokens' % user['id'],
                         status=201, json={'token': {
                             'project_id': project['id']}})['token']
    assert (issued['user_id'], issued['project_id']) == (
        user['id'], project['id'])
    # The aggregator's own credential may not issue them.
    agg.ok('POST', b_path + '/users/%s/tokens' % user['id'], status=403,
           json={'token': {'project_id': project['id']}})
    # The offer has no limits: the share is none.
    assert identity.ok('POST', b_path + '/projects/%s/limits'
                       % project['id'])['limits'] == []
    identity.ok('POST', b_path + '/projects/%s/limits' % project['id'],
                status=400, json={'limits': []})
    agg.ok('POST', b_path + '/projects/%s/limits' % project['id'],
           status=403)
    agg.ok('DELETE', b_path + '/projects/%s/users' % project['id'])
    agg.ok('DELETE', b_path + '/users/' + user['id'])
    agg.ok('DELETE', b_path + '/projects/' + project['id'])

    # Documented errors.
    admin.ok('DELETE', vr_path, status=409)
    admin.ok('GET', api + '/virtual_regions/nope', status=404)
    admin.ok('POST', api + '/virtual_regions', status=400, json={
        'virtual_region': {'name': 'x', 'unknown': 1}})
    agg.ok('GET', api + '/aggregators', status=403)
    CheckedSession(provider.url).ok('GET', api + '/offers', status=401)
    agg.ok('POST', api + '/bindings', status=422, json={'binding': {
        'virtual_region_id': vr['id'] + 'x', 'idempotency_key': key}})

    admin.ok('DELETE', b_path)
    admin.ok('DELETE', vr_path)
    admin.ok('DELETE', api + '/aggregators/' + agg_id)

    _assert_every_success_seen('provider')


def _assert_every_success_seen(tag):
    successes = {(path, method, status)
                 for (path, method), op in openapi.operations(
                     DOC, tag).items()
                 for status in op['responses'] if status.startswith('2')}
    assert successes - CheckedSession.seen == set()


def test_aggregator_story_responses_match_the_document(
        provider, aggregator):
    provider_admin = client.Session.admin(provider)
    pub.ensure_service(provider_admin, 'image', 'http://127.0.0.1:9292')
    credential, vr = agg.offer_story(provider_admin)
    admin = CheckedSession.wrap(client.Session.admin(aggregator))
    api = pub.API

    ref = admin.ok('POST', api + '/providers', status=201, json={
        'provider': {'name': pub.unique('provider'),
                     'auth_url': provider.auth_url,
                     'credential': credential}})['provider']
    p_path = api + '/providers/' + ref['id']
    admin.ok('GET', api + '/providers')
    admin.ok('GET', p_path)
    admin.ok('PATCH', p_path, json={'provider': {'description': 'ACME'}})
    admin.ok('GET', p_path + '/offers?country=FR')
    admin.ok('GET', p_path + '/offers/' + vr['id'])

    key = pub.unique('openapi-key')
    body = {'bound_region': {'provider_id': ref['id'], 'offer_id': vr['id'],
                             'region_id': pub.unique('Bound'),
                             'idempotency_key': key}}
    bound = admin.ok('POST', api + '/bound_regions', status=201,
                     json=body)['bound_region']
    admin.ok('POST', api + '/bound_regions', status=200, json=body)
    body['bound_region']['description'] = 'another body'
    admin.ok('POST', api + '/bound_regions', status=422, json=body)
    br_path = api + '/bound_regions/' + bound['id']
    admin.ok('GET', api + '/bound_regions?provider_id=' + ref['id'])
    admin.ok('GET', api + '/bound_regions?limit=1')
    admin.ok('GET', api + '/bound_regions?limit=1&marker=' + bound['id'])
    admin.ok('GET', br_path)

    project, user = agg.tenant(client.Session.admin(aggregator))
    entitlement = br_path + '/entitlements/projects/' + project['id']
    admin.ok('PUT', entitlement)
    admin.ok('GET', entitlement)
    admin.ok('GET', br_path + '/entitlements')

    # The proxy's access to the region for that tenant.
    member = CheckedSession.wrap(client.Session.login(
        aggregator.url, client.password_auth(
            user_id=user['id'], password=agg.TENANT_PASSWORD,
            scope={'project': {'id': project['id']}})))
    proxy_user = aggregator.service_user(pub.unique('proxy'), role='service')
    proxy = CheckedSession.wrap(client.Session.login(
        aggregator.url, client.password_auth(
            user_id=proxy_user['id'], password=servers.SERVICE_PASSWORD,
            scope={'project': {'name': 'service',
                               'domain': {'name': 'Default'}}})))
    access = api + '/regions/%s/access' % bound['region_id']
    got = proxy.ok('GET', access, headers={
        'X-Subject-Token': member.token})['access']
    proxy.ok('GET', access, status=400)
    mappings = api + '/regions/%s/mappings' % bound['region_id']
    mapped = proxy.ok('POST', mappings, headers={
        'X-Subject-Token': member.token}, json={
        'outward': [project['id'], user['id'], uuid.uuid4().hex],
        'inward': [got['provider_project_id']]})['mappings']
    assert mapped == {
        'outward': {project['id']: got['provider_project_id'],
                    user['id']: got['provider_user_id']},
        'inward': {got['provider_project_id']: project['id']}}
    proxy.ok('POST', mappings, status=400, headers={
        'X-Subject-Token': member.token}, json={'outward': ['not-an-id']})
    stranger, _ = agg.tenant(client.Session.admin(aggregator))
    proxy.ok('POST', mappings, status=403, headers={
        'X-Subject-Token': member.token}, json={'outward': [stranger['id']]})
    limits = api + '/regions/%s/limits' % bound['region_id']
    assert proxy.ok('POST', limits, headers={
        'X-Subject-Token': member.token})['limits'] == []
    proxy.ok('POST', limits, status=401, headers={
        'X-Subject-Token': 'not-a-token'})

    # What the tenant sees of its regions, and usage.
    regions = member.ok('GET', api + '/projects/%s/regions'
                        % project['id'])['regions']
    assert [r['id'] for r in regions] == [bound['id']]
    member.ok('GET', br_path + '/usage?project_id=' + project['id'])
    admin.ok('GET', br_path + '/usage')
    member.ok('GET', br_path + '/usage', status=403)

    admin.ok('DELETE', entitlement)
    admin.ok('GET', entitlement, status=404)

    # Documented errors.
    member.ok('GET', api + '/providers', status=403)
    CheckedSession(aggregator.url).ok('GET', api + '/providers', status=401)
    admin.ok('GET', api + '/bound_regions/nope', status=404)
    admin.ok('GET', api + '/bound_regions?marker=nope', status=400)
    admin.ok('GET', api + '/bound_regions?limit=0', status=400)
    admin.ok('POST', api + '/providers', status=400, json={'provider': {}})

    admin.ok('DELETE', br_path)
    admin.ok('DELETE', p_path)

    # Forced deletes (for a provider that went away; this one answers).
    credential, vr = agg.offer_story(provider_admin)
    ref = admin.ok('POST', api + '/providers', status=201, json={
        'provider': {'name': pub.unique('provider'),
                     'auth_url': provider.auth_url,
                     'credential': credential}})['provider']
    p_path = api + '/providers/' + ref['id']

    def bind():
        return admin.ok('POST', api + '/bound_regions', status=201, json={
            'bound_region': {'provider_id': ref['id'], 'offer_id': vr['id'],
                             'region_id': pub.unique('Forced'),
                             'idempotency_key': pub.unique('key')}})[
            'bound_region']

    br_path = api + '/bound_regions/' + bind()['id']
    admin.ok('DELETE', br_path + '?force=nope', status=400)
    admin.ok('DELETE', br_path + '?force=true')
    bind()
    admin.ok('DELETE', p_path, status=409)
    admin.ok('DELETE', p_path + '?force=true')
    _assert_every_success_seen('aggregator')
