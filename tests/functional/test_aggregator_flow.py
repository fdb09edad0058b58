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

"""The reseller's story end to end, with two real Keystones."""

import json
import time
from urllib import parse

from harness import servers
from tests.functional import aggregation as agg
from tests.functional import publisher as pub

API = agg.API


def test_register_browse_bind_entitle_unbind(provider, aggregator,
                                             provider_admin, aggregator_admin):
    # Provider side: register the aggregator, publish a virtual region.
    credential, vr = agg.offer_story(provider_admin,
                                     services=('image', 'placement'))

    # Aggregator side: register the provider; its secret never comes back.
    ref = agg.register_provider(aggregator_admin, provider, credential)
    secret = credential['application_credential_secret']
    assert secret not in str(ref)
    assert secret not in aggregator_admin.get(
        API + '/providers/' + ref['id']).text
    assert secret not in aggregator_admin.get(API + '/providers').text

    # Browse, live and filtered.
    offers = aggregator_admin.ok(
        'GET', API + '/providers/%s/offers?country=FR' % ref['id'])['offers']
    assert vr['id'] in [o['id'] for o in offers]
    offer = aggregator_admin.ok('GET', API + '/providers/%s/offers/%s'
                                % (ref['id'], vr['id']))['offer']
    assert offer['services'] == ['image', 'placement']
    assert vr['id'] not in [o['id'] for o in aggregator_admin.ok(
        'GET', API + '/providers/%s/offers?country=DE'
        % ref['id'])['offers']]

    # Bind as V1 (replays are idempotent).
    key = pub.unique('bind')
    bound = agg.bind(aggregator_admin, ref['id'], vr['id'], 'V1', key)[
        'bound_region']
    assert bound['status'] == 'active', bound
    assert bound['services'] == ['image', 'placement']
    assert 'encrypted_password' not in bound
    again = agg.bind(aggregator_admin, ref['id'], vr['id'], 'V1', key,
                     status=200)
    assert again['bound_region']['id'] == bound['id']
    r = aggregator_admin.post(API + '/bound_regions', json={'bound_region': {
        'provider_id': ref['id'], 'offer_id': vr['id'], 'region_id': 'V9',
        'idempotency_key': key}})
    assert r.status_code == 422, r.text
    # The same offer is bound once.
    r = aggregator_admin.post(API + '/bound_regions', json={'bound_region': {
        'provider_id': ref['id'], 'offer_id': vr['id'], 'region_id': 'V2',
        'idempotency_key': pub.unique('bind')}})
    assert r.status_code == 409 and bound['id'] in r.text, r.text

    # The provider sees one binding of the aggregator.
    binding = provider_admin.ok(
        'GET', API + '/bindings/' + bound['binding_id'])['binding']
    assert binding['virtual_region_id'] == vr['id']

    # Two tenants; only one is entitled to V1.
    entitled, entitled_user = agg.tenant(aggregator_admin)
    other, other_user = agg.tenant(aggregator_admin)
    aggregator_admin.ok(
        'PUT', API + '/bound_regions/%s/entitlements/projects/%s'
        % (bound['id'], entitled['id']), status=204)
    assert aggregator_admin.ok('GET', API + '/bound_regions/%s/entitlements'
                               % bound['id'])['entitlements'] == [{
                                   'bound_region_id': bound['id'],
                                   'target_type': 'project',
                                   'target_id': entitled['id']}]

    regions = agg.openstack(aggregator, entitled['name'], entitled['name'],
                            'region', 'list')
    assert {r['Region'] for r in regions} == {'RegionOne', 'V1'}
    catalog = agg.openstack(aggregator, entitled['name'], entitled['name'],
                            'catalog', 'list')
    assert agg.regions_in_catalog(catalog) == {'RegionOne', 'V1'}
    v1 = sorted((s['Type'], e['url']) for s in catalog
                for e in s['Endpoints'] if e['region_id'] == 'V1')
    # The offered services on the proxy, and the aggregator's own identity
    # service, as in every region of a multi-region cloud.
    assert v1 == [
        ('identity', aggregator.auth_url),
        ('image', 'http://127.0.0.1:8780/mercador/V1/image'),
        ('placement', 'http://127.0.0.1:8780/mercador/V1/placement')]

    regions = agg.openstack(aggregator, other['name'], other['name'],
                            'region', 'list')
    assert {r['Region'] for r in regions} == {'RegionOne'}
    catalog = agg.openstack(aggregator, other['name'], other['name'],
                            'catalog', 'list')
    assert agg.regions_in_catalog(catalog) == {'RegionOne'}
    # No empty service entry betrays the bound region either.
    assert {s['Type'] for s in catalog} == {'identity'}

    # The administrator sees every region.
    assert 'V1' in {r['id'] for r in aggregator_admin.ok(
        'GET', '/v3/regions')['regions']}

    # Unbind: gone on both sides.
    aggregator_admin.ok('DELETE', API + '/bound_regions/' + bound['id'],
                        status=204)
    assert aggregator_admin.get('/v3/regions/V1').status_code == 404
    assert aggregator_admin.get(
        API + '/bound_regions/' + bound['id']).status_code == 404
    assert agg.regions_of(agg.catalog_of(
        aggregator, entitled_user['id'], entitled['id'])) == {'RegionOne'}
    assert {s['type'] for s in agg.catalog_of(
        aggregator, entitled_user['id'], entitled['id'])} == {'identity'}
    assert provider_admin.get(
        API + '/bindings/' + bound['binding_id']).status_code == 404
    assert provider_admin.get(
        '/v3/projects/' + binding['root_project_id']).status_code == 404


def test_domain_entitlement(provider, aggregator, provider_admin,
                            aggregator_admin):
    credential, vr = agg.offer_story(provider_admin)
    ref = agg.register_provider(aggregator_admin, provider, credential)
    bound = agg.bind(aggregator_admin, ref['id'], vr['id'])['bound_region']
    project, user = agg.tenant(aggregator_admin)
    region = bound['region_id']
    assert region not in agg.regions_of(agg.catalog_of(
        aggregator, user['id'], project['id']))
    aggregator_admin.ok(
        'PUT', API + '/bound_regions/%s/entitlements/domains/default'
        % bound['id'], status=204)
    assert region in agg.regions_of(agg.catalog_of(
        aggregator, user['id'], project['id']))
    aggregator_admin.ok(
        'DELETE', API + '/bound_regions/%s/entitlements/domains/default'
        % bound['id'], status=204)
    assert region not in agg.regions_of(agg.catalog_of(
        aggregator, user['id'], project['id']))
    agg.forget_provider(aggregator_admin, ref['id'])


def _pages(admin, path):
    """The bound regions of each page, following ``links.next``."""
    pages = []
    while path:
        body = admin.ok('GET', path)
        pages.append([b['id'] for b in body['bound_regions']])
        following = body['links']['next']
        assert body.get('truncated', False) is (following is not None)
        assert len(pages) <= 10, pages
        if following:
            assert following.startswith(admin.base + API), following
            path = following[len(admin.base):]
        else:
            path = None
    return pages


def test_bound_regions_page_by_page(provider, aggregator, provider_admin,
                                    aggregator_admin):
    credential, vr = agg.offer_story(provider_admin)
    ref = agg.register_provider(aggregator_admin, provider, credential)
    offers = [vr] + [pub.create_virtual_region(provider_admin)
                     for _ in range(2)]
    bound = sorted((agg.bind(aggregator_admin, ref['id'], o['id'])[
        'bound_region'] for o in offers), key=lambda b: b['region_id'])
    ids = [b['id'] for b in bound]
    listing = API + '/bound_regions?provider_id=' + ref['id']

    # Without a limit, every row at once, as before.
    body = aggregator_admin.ok('GET', listing)
    assert [b['id'] for b in body['bound_regions']] == ids
    assert body['links']['next'] is None and 'truncated' not in body

    # Every row once, in region ID order, whatever the page size; a full
    # last page has no next page.
    assert _pages(aggregator_admin, listing + '&limit=1') == [[i] for i in ids]
    assert _pages(aggregator_admin, listing + '&limit=2') == [ids[:2], ids[2:]]
    assert _pages(aggregator_admin, listing + '&limit=3') == [ids]
    assert _pages(aggregator_admin,
                  listing + '&limit=2&marker=' + ids[0]) == [ids[1:]]

    # The next page keeps the filters and the limit.
    following = aggregator_admin.ok('GET', listing + '&limit=1')['links'][
        'next']
    assert parse.parse_qs(parse.urlsplit(following).query) == {
        'provider_id': [ref['id']], 'limit': ['1'], 'marker': [ids[0]]}

    for limit in ('0', '1001', 'abc', '', '1.5', '-1'):
        r = aggregator_admin.get(listing + '&limit=' + limit)
        assert r.status_code == 400, (limit, r.text)
        error = r.json()['error']
        assert error['code'] == 400 and 'limit' in error['message'], limit
    r = aggregator_admin.get(listing + '&limit=1&marker=no-such-bound-region')
    assert r.status_code == 400, r.text
    assert r.json()['error']['message'] == (
        'Marker no-such-bound-region could not be found.')

    agg.forget_provider(aggregator_admin, ref['id'])


def test_registration_errors_name_the_provider(aggregator, aggregator_admin,
                                               provider, provider_admin):
    credential, _ = agg.offer_story(provider_admin)
    wrong = dict(credential, application_credential_secret='not-the-secret')
    r = aggregator_admin.post(API + '/providers', json={'provider': {
        'name': 'rejected', 'auth_url': provider.auth_url,
        'credential': wrong}})
    assert r.status_code == 502, r.text
    assert 'Provider rejected' in r.json()['error']['message']
    r = aggregator_admin.post(API + '/providers', json={'provider': {
        'name': 'nowhere', 'auth_url': 'http://127.0.0.1:%d/v3'
        % servers.free_port(), 'credential': credential}})
    assert r.status_code == 502, r.text
    assert 'unreachable' in r.json()['error']['message']
    assert aggregator_admin.get(API + '/providers').json()[
        'providers'] == [] or all(
        p['name'] not in ('rejected', 'nowhere')
        for p in aggregator_admin.get(API + '/providers').json()['providers'])


def test_secret_never_echoed(aggregator, aggregator_admin):
    secret = 'S3cret-value-that-must-not-leak'
    bodies = [
        {'provider': {'name': 'x', 'auth_url': 'http://h/v3', 'unknown': 1,
                      'credential': {'application_credential_id': 'i',
                                     'application_credential_secret':
                                         secret}}},
        {'provider': {'name': 'x', 'auth_url': 'http://h/v3',
                      'credential': {'application_credential_id': 'i',
                                     'application_credential_secret':
                                         secret * 100}}},
        {'provider': {'name': 'x', 'auth_url': 'http://h/v3',
                      'credential': {'application_credential_id': 'i',
                                     'application_credential_secret':
                                         [secret]}}},
        {'provider': [secret]},
    ]
    for body in bodies:
        r = aggregator_admin.post(API + '/providers', json=body)
        assert r.status_code == 400, r.text
        assert secret not in r.text
    assert secret not in aggregator.read_log()


def _events(server):
    events = []
    for line in server.read_log().splitlines():
        if 'oslo.messaging.notification.identity.OS-MERCADOR' in line:
            payload = json.loads(line[line.index('{'):])
            events.append((payload['event_type'],
                           payload['payload']['target']['id']))
    return events


def test_every_change_is_notified(provider, aggregator, provider_admin,
                                  aggregator_admin):
    credential, vr = agg.offer_story(provider_admin)
    ref = agg.register_provider(aggregator_admin, provider, credential)
    aggregator_admin.ok('PATCH', API + '/providers/' + ref['id'], json={
        'provider': {'description': 'changed'}})
    bound = agg.bind(aggregator_admin, ref['id'], vr['id'])['bound_region']
    project, _ = agg.tenant(aggregator_admin)
    entitlement = API + '/bound_regions/%s/entitlements/projects/%s' % (
        bound['id'], project['id'])
    aggregator_admin.ok('PUT', entitlement, status=204)
    aggregator_admin.ok('DELETE', entitlement, status=204)
    aggregator_admin.ok('DELETE', API + '/bound_regions/' + bound['id'],
                        status=204)
    aggregator_admin.ok('DELETE', API + '/providers/' + ref['id'], status=204)
    target = '%s/project/%s' % (bound['id'], project['id'])
    expected = [
        ('identity.OS-MERCADOR:provider.created', ref['id']),
        ('identity.OS-MERCADOR:provider.updated', ref['id']),
        ('identity.OS-MERCADOR:bound_region.created', bound['id']),
        ('identity.OS-MERCADOR:bound_region.updated', bound['id']),
        ('identity.OS-MERCADOR:entitlement.created', target),
        ('identity.OS-MERCADOR:entitlement.deleted', target),
        ('identity.OS-MERCADOR:bound_region.deleted', bound['id']),
        ('identity.OS-MERCADOR:provider.deleted', ref['id']),
    ]
    deadline = time.monotonic() + 10
    missing = expected
    while missing and time.monotonic() < deadline:
        events = _events(aggregator)
        missing = [e for e in expected if e not in events]
        time.sleep(0.2)
    assert not missing


def test_four_byte_characters_are_refused_not_a_500(
        provider, provider_admin, aggregator_admin):
    emoji = '\U0001F600'  # four bytes in UTF-8: more than MySQL's utf8
    credential, vr = agg.offer_story(provider_admin)
    ref = agg.register_provider(aggregator_admin, provider, credential)
    bound = agg.bind(aggregator_admin, ref['id'], vr['id'])['bound_region']
    entitlements = API + '/bound_regions/%s/entitlements' % bound['id']
    # No object can have such an ID: the lookups' 404, whether the ID is
    # Mercador's or Keystone's (a project's, a domain's).
    for method, path in [
            ('GET', '/providers/%s' % emoji),
            ('GET', '/providers/%s/offers/%s' % (ref['id'], emoji)),
            ('GET', '/bound_regions/%s' % emoji),
            ('GET', '/bound_regions/%s/entitlements/projects/%s' % (
                bound['id'], emoji)),
            ('PUT', '/bound_regions/%s/entitlements/projects/%s' % (
                bound['id'], emoji)),
            ('DELETE', '/bound_regions/%s/entitlements/domains/%s' % (
                bound['id'], emoji))]:
        r = aggregator_admin.request(method, API + path)
        assert r.status_code == 404, (method, path, r.text)
        assert r.json()['error']['code'] == 404
    # Nor such a name or description: a 400 naming the field.
    r = aggregator_admin.patch(API + '/providers/%s' % ref['id'], json={
        'provider': {'description': emoji}})
    assert r.status_code == 400, r.text
    assert 'provider/description' in r.json()['error']['message']
    r = aggregator_admin.get(API + '/providers?name=' + emoji)
    assert r.status_code == 400, r.text
    assert aggregator_admin.ok('GET', entitlements)['entitlements'] == []
    assert aggregator_admin.ok('GET', API + '/providers/%s' % ref['id'])[
        'provider']['name'] == ref['name']
    agg.forget_provider(aggregator_admin, ref['id'])
