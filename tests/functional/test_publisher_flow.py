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

"""The provider's story end to end against a real Keystone."""

from harness import client
from tests.functional import publisher as pub

API = pub.API


def _token_status(admin, token):
    return admin.get('/v3/auth/tokens',
                     headers={'X-Subject-Token': token}).status_code


def test_register_publish_bind_use_revoke(provider, provider_admin):
    aggregator, agg = pub.register_aggregator(provider_admin)
    assert 'application_credential_secret' in aggregator['credential']
    # The credential is shown once: never again.
    shown = provider_admin.ok('GET', API + '/aggregators/' + aggregator['id'])
    assert 'credential' not in shown['aggregator']

    vr = pub.create_virtual_region(provider_admin, publish=False)
    assert vr['status'] == 'draft'
    # A draft is not an offer.
    assert vr['id'] not in [o['id'] for o in agg.ok(
        'GET', API + '/offers')['offers']]
    vr = provider_admin.ok(
        'PATCH', API + '/virtual_regions/' + vr['id'], json={
            'virtual_region': {'status': 'published'}})['virtual_region']

    offers = agg.ok('GET', API + '/offers?country=FR')['offers']
    assert vr['id'] in [o['id'] for o in offers]
    offer = [o for o in offers if o['id'] == vr['id']][0]
    assert offer['services'] == ['image']
    assert offer['metadata']['country'] == 'FR'
    assert 'region_id' not in offer and 'domain_id' not in offer
    assert vr['id'] not in [o['id'] for o in agg.ok(
        'GET', API + '/offers?country=DE')['offers']]

    key = pub.unique('bind-key')
    r = agg.post(API + '/bindings', json={'binding': {
        'virtual_region_id': vr['id'], 'idempotency_key': key}})
    assert r.status_code == 201, r.text
    binding = r.json()['binding']
    cred = binding['credential']
    assert binding['endpoints'] == [{
        'service_type': 'image', 'interface': 'public',
        'url': 'http://127.0.0.1:9292'}]
    assert binding['auth_url'] == provider.auth_url

    # The same key returns the same binding (without the secret).
    again = agg.post(API + '/bindings', json={'binding': {
        'virtual_region_id': vr['id'], 'idempotency_key': key}})
    assert again.status_code == 200, again.text
    assert again.json()['binding']['id'] == binding['id']
    assert 'credential' not in again.json()['binding']

    # The binding's root project sits in the virtual region's domain.
    root = provider_admin.ok('GET',
                             '/v3/projects/' + binding['root_project_id'])
    assert root['project']['domain_id'] == vr['domain_id']
    assert root['project']['parent_id'] == vr['domain_id']

    reference = pub.unique('opaque-tenant-reference')
    project = agg.ok('POST', API + '/bindings/%s/projects' % binding['id'],
                     json={'project': {'reference': reference}})['project']
    same = agg.post(API + '/bindings/%s/projects' % binding['id'],
                    json={'project': {'reference': reference}})
    assert same.status_code == 200
    assert same.json()['project']['id'] == project['id']
    stored = provider_admin.ok('GET', '/v3/projects/' + project['id'])[
        'project']
    assert stored['parent_id'] == binding['root_project_id']
    assert reference not in str(stored)

    tenant = client.Session.login(provider.url, client.password_auth(
        user_id=cred['user_id'], password=cred['password'],
        scope={'project': {'id': project['id']}}))
    assert tenant.token_body['token']['project']['id'] == project['id']
    assert _token_status(provider_admin, tenant.token) == 200
    # The binding identity reaches its own subtree only.
    r = client.requests.post(provider.auth_url + '/auth/tokens',
                             json=client.password_auth(
                                 user_id=cred['user_id'],
                                 password=cred['password'],
                                 scope={'project': {'name': 'admin',
                                                    'domain': {
                                                        'name': 'Default'}}}))
    assert r.status_code == 401

    # Revocation: the binding goes, and with it every token and secret.
    agg.ok('DELETE', API + '/bindings/' + binding['id'], status=204)
    assert _token_status(provider_admin, tenant.token) == 404
    r = client.requests.post(provider.auth_url + '/auth/tokens',
                             json=client.password_auth(
                                 user_id=cred['user_id'],
                                 password=cred['password']))
    assert r.status_code == 401
    assert provider_admin.get(
        '/v3/projects/' + project['id']).status_code == 404
    assert provider_admin.get(
        '/v3/projects/' + binding['root_project_id']).status_code == 404

    # Revoking the aggregator ends its own credential at once.
    provider_admin.ok('DELETE', API + '/aggregators/' + aggregator['id'],
                      status=204)
    assert _token_status(provider_admin, agg.token) == 404
    r = client.requests.post(provider.auth_url + '/auth/tokens',
                             json=client.app_cred_auth(
                                 aggregator['credential'][
                                     'application_credential_id'],
                                 aggregator['credential'][
                                     'application_credential_secret']))
    # Keystone answers 404 for an application credential that is gone.
    assert r.status_code in (401, 404)
    assert 'X-Subject-Token' not in r.headers


def test_revoking_an_aggregator_removes_its_bindings(provider, provider_admin):
    aggregator, agg = pub.register_aggregator(provider_admin)
    vr = pub.create_virtual_region(provider_admin)
    binding = pub.bind(agg, vr['id'])
    provider_admin.ok('DELETE', API + '/aggregators/' + aggregator['id'],
                      status=204)
    assert provider_admin.get(
        API + '/bindings/' + binding['id']).status_code == 404
    assert provider_admin.get(
        '/v3/projects/' + binding['root_project_id']).status_code == 404
    assert provider_admin.ok('GET', API + '/virtual_regions/' + vr['id'])[
        'virtual_region']['binding_count'] == 0


def test_rotate_binding_credential(provider, provider_admin):
    _, agg = pub.register_aggregator(provider_admin)
    vr = pub.create_virtual_region(provider_admin)
    binding = pub.bind(agg, vr['id'])
    old = binding['credential']
    new = agg.ok('POST', API + '/bindings/%s/credential' % binding['id'],
                 json={})['credential']
    assert new['password'] != old['password']
    assert client.requests.post(provider.auth_url + '/auth/tokens', json=(
        client.password_auth(user_id=old['user_id'],
                             password=old['password']))).status_code == 401
    assert client.requests.post(provider.auth_url + '/auth/tokens', json=(
        client.password_auth(user_id=new['user_id'],
                             password=new['password']))).status_code == 201


def test_a_rotated_credential_works_at_once(provider, provider_admin):
    # Keystone revokes the user's tokens up to the second of the password
    # change; a token issued with the new password right after the answer
    # must still be valid.
    _, agg = pub.register_aggregator(provider_admin)
    vr = pub.create_virtual_region(provider_admin)
    binding = pub.bind(agg, vr['id'])
    for _ in range(3):
        new = agg.ok('POST', API + '/bindings/%s/credential' % binding['id'],
                     json={})['credential']
        session = client.Session.login(provider.url, client.password_auth(
            user_id=new['user_id'], password=new['password']))
        assert session.get('/v3/auth/tokens', headers={
            'X-Subject-Token': session.token}).status_code == 200
