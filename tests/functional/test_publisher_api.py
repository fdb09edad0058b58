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

"""Validation, errors, rules and notifications of the provider API."""

import json
import time

import pytest

from harness import client
from tests.functional import publisher as pub

API = pub.API


@pytest.fixture(scope='module')
def aggregator(provider_admin):
    return pub.register_aggregator(provider_admin)


def _error(response, code):
    assert response.status_code == code, response.text
    assert response.headers['Content-Type'].startswith('application/json')
    error = response.json()['error']
    assert error['code'] == code
    return error['message']


@pytest.mark.parametrize('body, words', [
    ({'virtual_region': {'name': 'x', 'region_id': 'RegionOne',
                         'domain_name': 'd', 'services': ['image'],
                         'colour': 'blue'}}, 'colour'),
    ({'virtual_region': {'name': 'x', 'region_id': 'RegionOne',
                         'domain_name': 'd', 'services': ['image']},
      'extra': 1}, 'extra'),
    ({'virtual_region': {'name': 'x', 'region_id': 'RegionOne',
                         'services': ['image']}}, 'domain'),
    ({'virtual_region': {'name': 'x', 'region_id': 'RegionOne',
                         'domain_name': 'd', 'services': []}}, 'services'),
    ({'virtual_region': {'name': 'x', 'region_id': 'RegionOne',
                         'domain_name': 'd', 'services': ['image'],
                         'metadata': {'country': 'France'}}}, 'France'),
    ({'virtual_region': {'name': 'x', 'region_id': 'RegionOne',
                         'domain_name': 'd', 'services': ['image'],
                         'metadata': {'flavour': 'gold'}}}, 'flavour'),
    ({'virtual_region': {'name': 'x', 'region_id': 'RegionOne',
                         'domain_name': 'd', 'services': ['image'],
                         'limits': [{'service_type': 'image',
                                     'resource_name': 'images'}]}},
     'resource_limit'),
])
def test_create_rejects_bad_bodies(provider_admin, body, words):
    before = provider_admin.ok('GET', API + '/virtual_regions')[
        'virtual_regions']
    message = _error(provider_admin.post(API + '/virtual_regions',
                                         json=body), 400)
    assert words in message
    after = provider_admin.ok('GET', API + '/virtual_regions')[
        'virtual_regions']
    assert after == before


@pytest.mark.parametrize('fields, words', [
    ({'region_id': 'Atlantis'}, 'Region Atlantis does not exist'),
    ({'services': ['compute']}, 'no endpoint for service type(s) compute'),
    ({'domain_name': None, 'domain_id': 'nope'}, 'Domain nope does not'),
    ({'limits': [{'service_type': 'image', 'resource_name': 'unknown_res',
                  'resource_limit': 3}]}, 'no registered limit'),
    ({'limits': [{'service_type': 'compute', 'resource_name': 'cores',
                  'resource_limit': 3}]}, 'is not offered'),
    ({'visibility': 'all', 'aggregator_ids': ['abc']}, 'visibility'),
    ({'visibility': 'listed', 'aggregator_ids': ['abc']},
     'Aggregator abc does not exist'),
])
def test_create_rejects_wrong_references(provider_admin, fields, words):
    body = {'name': pub.unique('vr'), 'region_id': 'RegionOne',
            'domain_name': pub.unique('dom'), 'services': ['image']}
    body.update(fields)
    body = {k: v for k, v in body.items() if v is not None}
    message = _error(provider_admin.post(API + '/virtual_regions',
                                         json={'virtual_region': body}), 400)
    assert words in message
    if 'domain_name' in body:
        # Nothing half-made: the domain was not created either.
        domains = provider_admin.ok(
            'GET', '/v3/domains?name=' + body['domain_name'])
        assert domains['domains'] == []


def test_malformed_json_and_unknown_query(provider_admin):
    r = provider_admin.post(API + '/virtual_regions', data='{not json',
                            headers={'Content-Type': 'application/json'})
    assert r.status_code == 400
    assert 'error' in r.json()
    message = _error(
        provider_admin.get(API + '/virtual_regions?colour=red'), 400)
    assert 'colour' in message
    _error(provider_admin.get(API + '/virtual_regions?status=gone'), 400)
    _error(provider_admin.get(API + '/virtual_regions/nope'), 404)
    # Unknown paths and methods: JSON too, and nothing is created.
    _error(provider_admin.get(API + '/nothing/here'), 404)
    _error(client.Session(provider_admin.base).get(API + '/nothing'), 404)
    # A known path with a method it does not take: a JSON 405 that says
    # which methods it does take.
    r = provider_admin.post(API + '/virtual_regions/abc', json={
        'virtual_region': {'name': 'by-post', 'region_id': 'RegionOne',
                           'domain_name': 'by-post', 'services': [
                               'image']}})
    assert 'PATCH' in _error(r, 405)
    assert set(r.headers['Allow'].split(', ')) >= {'GET', 'PATCH', 'DELETE'}
    assert 'POST' not in r.headers['Allow']
    assert provider_admin.ok('GET', API + '/virtual_regions?name=by-post')[
        'virtual_regions'] == []


def test_status_machine(provider_admin):
    vr = pub.create_virtual_region(provider_admin, publish=False)
    path = API + '/virtual_regions/' + vr['id']
    message = _error(provider_admin.patch(path, json={'virtual_region': {
        'status': 'withdrawn'}}), 409)
    assert 'from draft to withdrawn' in message
    for status in ('published', 'withdrawn', 'published'):
        assert provider_admin.ok('PATCH', path, json={'virtual_region': {
            'status': status}})['virtual_region']['status'] == status
    _error(provider_admin.patch(path, json={'virtual_region': {
        'status': 'draft'}}), 409)


def test_limits_apply_to_binding_root_project(provider_admin, aggregator):
    _, agg = aggregator
    image = provider_admin.ok('GET', '/v3/services?type=image')['services'][0]
    name = pub.unique('image_count')
    provider_admin.ok('POST', '/v3/registered_limits', json={
        'registered_limits': [{
            'service_id': image['id'], 'region_id': 'RegionOne',
            'resource_name': name, 'default_limit': 10}]})
    vr = pub.create_virtual_region(provider_admin, limits=[{
        'service_type': 'image', 'resource_name': name,
        'resource_limit': 4}])
    binding = pub.bind(agg, vr['id'])
    limits = provider_admin.ok('GET', '/v3/limits?project_id=%s'
                               % binding['root_project_id'])['limits']
    assert [(lim['resource_name'], lim['resource_limit'])
            for lim in limits] == [(name, 4)]
    # Services and limits are frozen while bindings exist.
    path = API + '/virtual_regions/' + vr['id']
    _error(provider_admin.patch(path, json={'virtual_region': {
        'limits': []}}), 409)
    agg.ok('DELETE', API + '/bindings/' + binding['id'], status=204)
    assert provider_admin.ok('PATCH', path, json={'virtual_region': {
        'limits': []}})


def test_delete_refused_while_bound(provider_admin, aggregator):
    _, agg = aggregator
    vr = pub.create_virtual_region(provider_admin)
    binding = pub.bind(agg, vr['id'])
    path = API + '/virtual_regions/' + vr['id']
    assert provider_admin.ok('GET', path)['virtual_region'][
        'binding_count'] == 1
    assert 'binding' in _error(provider_admin.delete(path), 409)
    agg.ok('DELETE', API + '/bindings/' + binding['id'], status=204)
    provider_admin.ok('DELETE', path, status=204)
    # The domain created for it goes with it.
    assert provider_admin.get(
        '/v3/domains/' + vr['domain_id']).status_code == 404


def test_idempotency_key_with_other_body_is_422(provider_admin, aggregator):
    _, agg = aggregator
    first = pub.create_virtual_region(provider_admin)
    second = pub.create_virtual_region(provider_admin)
    key = pub.unique('key')
    binding = pub.bind(agg, first['id'], key)
    r = agg.post(API + '/bindings', json={'binding': {
        'virtual_region_id': second['id'], 'idempotency_key': key}})
    assert key in _error(r, 422)
    listed = agg.ok('GET', API + '/bindings')['bindings']
    assert [b['id'] for b in listed if b['idempotency_key'] == key] == [
        binding['id']]


def test_visibility_and_withdrawal(provider_admin, aggregator):
    listed_agg, agg = aggregator
    _, other = pub.register_aggregator(provider_admin)
    vr = pub.create_virtual_region(provider_admin, visibility='listed',
                                   aggregator_ids=[listed_agg['id']])
    assert vr['id'] in [o['id'] for o in agg.ok(
        'GET', API + '/offers')['offers']]
    assert vr['id'] not in [o['id'] for o in other.ok(
        'GET', API + '/offers')['offers']]
    _error(other.get(API + '/offers/' + vr['id']), 404)
    r = other.post(API + '/bindings', json={'binding': {
        'virtual_region_id': vr['id'], 'idempotency_key': pub.unique('k')}})
    _error(r, 404)
    provider_admin.ok('PATCH', API + '/virtual_regions/' + vr['id'], json={
        'virtual_region': {'status': 'withdrawn'}})
    assert vr['id'] not in [o['id'] for o in agg.ok(
        'GET', API + '/offers')['offers']]
    _error(agg.post(API + '/bindings', json={'binding': {
        'virtual_region_id': vr['id'],
        'idempotency_key': pub.unique('k')}}), 404)


def test_offer_filters(provider_admin, aggregator):
    _, agg = aggregator
    vr = pub.create_virtual_region(provider_admin, metadata={
        'country': 'PT', 'compliance': ['iso27001'], 'x-tier': 'gold'})
    for query, seen in [('country=PT', True), ('country=ES', False),
                        ('compliance=iso27001', True),
                        ('compliance=gdpr', False),
                        ('service_type=image', True),
                        ('service_type=compute', False)]:
        ids = [o['id'] for o in agg.ok('GET', API + '/offers?' + query)[
            'offers']]
        assert (vr['id'] in ids) is seen, query
    _error(agg.get(API + '/offers?colour=red'), 400)


def test_binding_project_reference_rules(provider_admin, aggregator):
    _, agg = aggregator
    binding = pub.bind(agg, pub.create_virtual_region(provider_admin)['id'])
    path = API + '/bindings/%s/projects' % binding['id']
    _error(agg.post(path, json={'project': {'reference': 'short'}}), 400)
    _error(agg.post(path, json={'project': {
        'reference': 'has spaces in it, which are refused'}}), 400)
    _error(agg.post(path, json={'project': {
        'reference': pub.unique('ref-long-enough'), 'name': 'x'}}), 400)
    assert agg.ok('GET', path)['projects'] == []


def test_metadata_schema_is_published(provider_admin, aggregator):
    _, agg = aggregator
    schema = agg.ok('GET', API + '/metadata_schema')['metadata_schema']
    assert schema['additionalProperties'] is False
    assert 'country' in schema['properties']


def test_every_change_is_notified(provider, provider_admin, aggregator):
    _, agg = aggregator
    vr = pub.create_virtual_region(provider_admin)
    binding = pub.bind(agg, vr['id'])
    project = agg.ok('POST', API + '/bindings/%s/projects' % binding['id'],
                     json={'project': {'reference': pub.unique(
                         'ref-notified')}})['project']
    agg.ok('DELETE', API + '/bindings/' + binding['id'], status=204)
    provider_admin.ok('DELETE', API + '/virtual_regions/' + vr['id'],
                      status=204)
    expected = [
        ('identity.OS-MERCADOR:virtual_region.created', vr['id']),
        ('identity.OS-MERCADOR:virtual_region.updated', vr['id']),
        ('identity.OS-MERCADOR:binding.created', binding['id']),
        ('identity.OS-MERCADOR:binding_project.created', project['id']),
        ('identity.OS-MERCADOR:binding.deleted', binding['id']),
        ('identity.OS-MERCADOR:virtual_region.deleted', vr['id']),
    ]
    deadline = time.monotonic() + 10
    while True:
        events = []
        for line in provider.read_log().splitlines():
            if 'oslo.messaging.notification.identity.OS-MERCADOR' in line:
                payload = json.loads(line[line.index('{'):])
                events.append((payload['event_type'],
                               payload['payload']['target']['id']))
        missing = [e for e in expected if e not in events]
        if not missing or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert not missing


def test_identity_is_never_offered(provider_admin):
    """Tenants authenticate at their aggregator; through a binding the
    provider's Keystone would be shared by all the tenants of a binding."""
    before = provider_admin.ok('GET', API + '/virtual_regions')[
        'virtual_regions']
    message = _error(provider_admin.post(API + '/virtual_regions', json={
        'virtual_region': {'name': pub.unique('vr'), 'region_id': 'RegionOne',
                           'domain_name': pub.unique('vr-domain'),
                           'services': ['image', 'identity']}}), 400)
    assert 'cannot offer identity' in message
    assert provider_admin.ok('GET', API + '/virtual_regions')[
        'virtual_regions'] == before
    vr = pub.create_virtual_region(provider_admin, publish=False)
    path = API + '/virtual_regions/' + vr['id']
    message = _error(provider_admin.patch(path, json={'virtual_region': {
        'services': ['identity']}}), 400)
    assert 'cannot offer identity' in message
    assert provider_admin.ok('GET', path)['virtual_region']['services'] == \
        ['image']
    provider_admin.ok('DELETE', path, status=204)


#: Beyond the Basic Multilingual Plane: four bytes in UTF-8, more than a
#: column of MySQL's ``utf8`` holds.
EMOJI = '\U0001F600'


def test_four_byte_characters_are_refused_not_a_500(provider_admin,
                                                    aggregator):
    seller, agg = aggregator
    vr = pub.create_virtual_region(provider_admin)
    binding = pub.bind(agg, vr['id'])
    project = agg.ok('POST', API + '/bindings/%s/projects' % binding['id'],
                     json={'project': {'reference': pub.unique(
                         'emoji-reference')}})['project']
    # No object can have such an ID: the lookups' 404.
    for session, method, path in [
            (provider_admin, 'GET', '/virtual_regions/%s' % EMOJI),
            (provider_admin, 'PATCH', '/virtual_regions/%s' % EMOJI),
            (provider_admin, 'DELETE', '/aggregators/%s' % EMOJI),
            (agg, 'GET', '/offers/%s' % EMOJI),
            (agg, 'GET', '/bindings/%s' % EMOJI),
            (agg, 'GET', '/bindings/%s/projects/%s' % (binding['id'],
                                                       EMOJI)),
            (agg, 'DELETE', '/bindings/%s/projects/%s' % (binding['id'],
                                                          EMOJI))]:
        kwargs = {'json': {'virtual_region': {'name': 'x'}}} if (
            method == 'PATCH') else {}
        _error(session.request(method, API + path, **kwargs), 404)
    # Nor such a name, or any other value: a 400 naming the field.
    for query in ('name=' + EMOJI, 'status=' + EMOJI, EMOJI + '=1'):
        _error(provider_admin.get(API + '/virtual_regions?' + query), 400)
    assert 'virtual_region_id' in _error(agg.get(
        API + '/bindings?virtual_region_id=' + EMOJI), 400)
    for field in ('name', 'description'):
        assert 'virtual_region/' + field in _error(provider_admin.patch(
            API + '/virtual_regions/%s' % vr['id'], json={
                'virtual_region': {field: 'a' + EMOJI}}), 400)
    assert 'aggregator/description' in _error(provider_admin.patch(
        API + '/aggregators/%s' % seller['id'], json={
            'aggregator': {'description': EMOJI}}), 400)
    _error(agg.post(API + '/bindings/%s/projects' % binding['id'], json={
        'project': {'reference': pub.unique('emoji') + EMOJI}}), 400)
    # Nothing was changed, and the real objects are still found.
    assert provider_admin.ok('GET', API + '/virtual_regions/%s' % vr['id'])[
        'virtual_region']['name'] == vr['name']
    agg.ok('GET', API + '/bindings/%s/projects/%s' % (binding['id'],
                                                      project['id']))
