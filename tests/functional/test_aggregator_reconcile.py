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

"""mercador-manage audit and reconcile repair drift between the sides."""

from harness import client
from tests.functional import aggregation as agg
from tests.functional import publisher as pub
from tests.functional.test_aggregator_faults import manage

API = agg.API


def _endpoints(admin, region_id, identity=False):
    """The region's endpoints on the proxy; with ``identity``, the
    aggregator's own identity endpoint, which a bound region lists too."""
    identities = {s['id'] for s in admin.ok(
        'GET', '/v3/services?type=identity')['services']}
    return [e for e in admin.ok('GET', '/v3/endpoints')['endpoints']
            if e['region_id'] == region_id
            and (e['service_id'] in identities) == identity]


def test_reconcile_repairs_drift(provider, aggregator, provider_admin,
                                 aggregator_admin):
    credential, vr = agg.offer_story(provider_admin,
                                     services=('image', 'placement'))
    ref = agg.register_provider(aggregator_admin, provider, credential)
    edited = agg.bind(aggregator_admin, ref['id'], vr['id'])['bound_region']
    credential2, vr2 = agg.offer_story(provider_admin)
    ref2 = agg.register_provider(aggregator_admin, provider, credential2)
    vanished = agg.bind(aggregator_admin, ref2['id'], vr2['id'])[
        'bound_region']
    project, user = agg.tenant(aggregator_admin)
    aggregator_admin.ok(
        'PUT', API + '/bound_regions/%s/entitlements/projects/%s'
        % (edited['id'], project['id']), status=204)
    gone_project, _ = agg.tenant(aggregator_admin)
    aggregator_admin.ok(
        'PUT', API + '/bound_regions/%s/entitlements/projects/%s'
        % (edited['id'], gone_project['id']), status=204)
    assert manage(aggregator, 'audit').returncode == 0

    # By hand: one endpoint edited, the other deleted with the region...
    image, placement = sorted(
        _endpoints(aggregator_admin, edited['region_id']),
        key=lambda e: e['url'])
    aggregator_admin.ok('PATCH', '/v3/endpoints/' + image['id'], json={
        'endpoint': {'url': 'http://elsewhere.example/image'}})
    aggregator_admin.ok('DELETE', '/v3/endpoints/' + placement['id'],
                        status=204)
    aggregator_admin.ok('PATCH', '/v3/endpoints/' + image['id'], json={
        'endpoint': {'region_id': 'RegionOne'}})
    for endpoint in _endpoints(aggregator_admin, edited['region_id'],
                               identity=True):
        aggregator_admin.ok('DELETE', '/v3/endpoints/' + endpoint['id'],
                            status=204)
    aggregator_admin.ok('DELETE', '/v3/regions/' + edited['region_id'],
                        status=204)
    # ... a binding revoked by the provider, a tenant project deleted ...
    provider_admin.ok('DELETE', API + '/bindings/' + vanished['binding_id'],
                      status=204)
    aggregator_admin.ok('DELETE', '/v3/projects/' + gone_project['id'],
                        status=204)
    # ... and a binding made behind Mercador's back.
    session = client.Session.login(provider.url, client.app_cred_auth(
        credential2['application_credential_id'],
        credential2['application_credential_secret']))
    orphan = pub.bind(session, vr2['id'])

    out = manage(aggregator, 'audit')
    assert out.returncode == 1, out.stdout + out.stderr
    report = out.stdout
    assert 'region %s is missing' % edited['region_id'] in report
    assert 'endpoint of image was changed' in report
    assert 'endpoint of placement is missing' in report
    assert 'binding %s vanished' % vanished['binding_id'] in report
    assert 'binding %s at the provider has no bound region' % orphan[
        'id'] in report
    # The dry run changed nothing.
    assert aggregator_admin.get(
        '/v3/regions/' + edited['region_id']).status_code == 404
    assert aggregator_admin.get(
        '/v3/regions/' + vanished['region_id']).status_code == 200

    out = manage(aggregator, 'reconcile')
    assert out.returncode == 0, out.stdout + out.stderr
    assert 'NOT repaired' not in out.stdout

    # Rewritten: the region and one endpoint per service, as bound.
    assert aggregator_admin.get(
        '/v3/regions/' + edited['region_id']).status_code == 200
    assert sorted(e['url'] for e in _endpoints(
        aggregator_admin, edited['region_id'])) == [
        agg_url(edited['region_id'], 'image'),
        agg_url(edited['region_id'], 'placement')]
    assert edited['region_id'] in agg.regions_of(agg.catalog_of(
        aggregator, user['id'], project['id']))
    # The hand-edited endpoint is gone from RegionOne.
    assert image['id'] not in [e['id'] for e in _endpoints(
        aggregator_admin, 'RegionOne')]
    # Vanished: the local region is removed and the row says why.
    assert aggregator_admin.get(
        '/v3/regions/' + vanished['region_id']).status_code == 404
    row = aggregator_admin.ok(
        'GET', API + '/bound_regions/' + vanished['id'])['bound_region']
    assert row['status'] == 'failed' and 'vanished' in row['reason']
    # The orphan binding is deleted at the provider.
    assert provider_admin.get(API + '/bindings/' + orphan['id']).status_code \
        == 404
    assert aggregator_admin.ok('GET', API + '/bound_regions/%s/entitlements'
                               % edited['id'])['entitlements'] == [{
                                   'bound_region_id': edited['id'],
                                   'target_type': 'project',
                                   'target_id': project['id']}]
    out = manage(aggregator, 'audit')
    assert out.returncode == 0 and 'No drift.' in out.stdout, out.stdout

    for bound in (edited, vanished):
        aggregator_admin.ok('DELETE', API + '/bound_regions/' + bound['id'],
                            status=204)


def agg_url(region_id, service_type):
    return 'http://127.0.0.1:8780/mercador/%s/%s' % (region_id, service_type)
