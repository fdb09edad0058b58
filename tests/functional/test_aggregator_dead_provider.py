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

"""A provider that goes away, with real servers.

A provider that revokes the reseller (it deletes the aggregator), and one
that stops answering: ``mercador-manage audit`` names it and its bound
regions, ``reconcile`` marks them failed and takes them out of the
tenants' catalogs, the forced unbind and provider delete
(``?force=true``) leave a clean aggregator and say what is left at the
provider.
"""

import pytest

from harness import client
from tests.functional import aggregation as agg
from tests.functional import conftest
from tests.functional import publisher as pub
from tests.functional.test_aggregator_faults import manage

API = agg.API


@pytest.fixture(scope='module')
def aggregator(keystone_factory):
    """An aggregator of its own: its audits see only these stories."""
    return keystone_factory('aggregator-dead',
                            extra_conf=conftest.AGGREGATOR_CONF)


@pytest.fixture(scope='module')
def admin(aggregator):
    return client.Session.admin(aggregator)


def _bind_two(admin, provider_server, provider_admin, credential):
    ref = agg.register_provider(admin, provider_server, credential)
    bound = [agg.bind(admin, ref['id'], pub.create_virtual_region(
        provider_admin)['id'])['bound_region'] for _ in range(2)]
    project, user = agg.tenant(admin)
    for b in bound:
        admin.ok('PUT', API + '/bound_regions/%s/entitlements/projects/%s'
                 % (b['id'], project['id']), status=204)
    return ref, bound, project, user


def _assert_gone(admin, aggregator, bound, project, user):
    """No region, endpoint or catalog entry is left of ``bound``."""
    endpoints = admin.ok('GET', '/v3/endpoints')['endpoints']
    catalog = agg.regions_of(agg.catalog_of(aggregator, user['id'],
                                            project['id']))
    for b in bound:
        assert admin.get('/v3/regions/' + b['region_id']).status_code == 404
        assert b['region_id'] not in {e['region_id'] for e in endpoints}
        assert b['region_id'] not in catalog


def _audit_clean(aggregator):
    out = manage(aggregator, 'audit')
    assert out.returncode == 0 and 'No drift.' in out.stdout, out.stdout


def test_provider_that_revokes_the_reseller(aggregator, admin, provider,
                                            provider_admin):
    reseller, _ = pub.register_aggregator(provider_admin)
    ref, bound, project, user = _bind_two(
        admin, provider, provider_admin, reseller['credential'])
    assert {b['region_id'] for b in bound} <= agg.regions_of(
        agg.catalog_of(aggregator, user['id'], project['id']))
    _audit_clean(aggregator)

    # The provider revokes the reseller: credential and bindings.
    provider_admin.ok('DELETE', API + '/aggregators/' + reseller['id'],
                      status=204)

    # A plain unbind cannot reach agreement with the provider: nothing
    # changes.
    r = admin.delete(API + '/bound_regions/' + bound[0]['id'])
    assert r.status_code == 502, r.text
    assert ref['name'] in r.json()['error']['message']

    out = manage(aggregator, 'audit')
    assert out.returncode == 1, out.stdout + out.stderr
    assert 'provider %s: dead provider' % ref['name'] in out.stdout
    assert 'rejects this aggregator\'s credential' in out.stdout
    for b in bound:
        assert b['region_id'] in out.stdout
        assert ('provider %s region %s: its provider is dead -> would mark '
                'the region failed' % (ref['name'], b['region_id'])
                in out.stdout)

    out = manage(aggregator, 'reconcile')
    # The dead provider itself is left for its admin to delete.
    assert out.returncode == 1, out.stdout + out.stderr
    assert out.stdout.count('-> repaired: mark the region failed') == 2
    for b in bound:
        row = admin.ok('GET', API + '/bound_regions/' + b['id'])[
            'bound_region']
        assert row['status'] == 'failed', row
        assert 'Provider %s is dead' % ref['name'] in row['reason']
    _assert_gone(admin, aggregator, bound, project, user)

    # Forced: the bound region, then the provider with the other one.
    r = admin.delete(API + '/providers/' + ref['id'])
    assert r.status_code == 409, r.text
    r = admin.delete(API + '/bound_regions/%s?force=true' % bound[0]['id'])
    assert r.status_code == 200, r.text
    (leftover,) = r.json()['remote_leftovers']
    assert leftover['bound_region_id'] == bound[0]['id']
    assert leftover['binding_id'] == bound[0]['binding_id']
    assert 'rejected the application credential' in leftover['reason']
    r = admin.delete(API + '/providers/%s?force=true' % ref['id'])
    assert r.status_code == 200, r.text
    assert [lo['bound_region_id'] for lo in r.json()[
        'remote_leftovers']] == [bound[1]['id']]

    # A clean aggregator.
    assert admin.get(API + '/providers/' + ref['id']).status_code == 404
    for b in bound:
        assert admin.get(API + '/bound_regions/' + b['id']).status_code \
            == 404
    assert admin.ok('GET', '/v3/services?type=image')['services'] == []
    _assert_gone(admin, aggregator, bound, project, user)
    _audit_clean(aggregator)


def test_provider_that_stops_answering(aggregator, admin, keystone_factory):
    provider = keystone_factory('provider-away')
    provider_admin = client.Session.admin(provider)
    pub.ensure_service(provider_admin, 'image', 'http://127.0.0.1:9292')
    reseller, _ = pub.register_aggregator(provider_admin)
    ref, bound, project, user = _bind_two(
        admin, provider, provider_admin, reseller['credential'])

    provider.stop()
    try:
        # Down for a while: named, left alone.
        out = manage(aggregator, 'audit')
        assert out.returncode == 1, out.stdout + out.stderr
        assert 'provider %s: unreachable since' % ref['name'] in out.stdout
        assert 'retry later' in out.stdout
        for b in bound:
            assert b['region_id'] in out.stdout
        assert admin.ok('GET', API + '/providers/' + ref['id'])[
            'provider']['unreachable_since']

        # Down for longer than it may be: dead.
        out = manage(aggregator, 'reconcile', '--dead-after', '0')
        assert out.stdout.count('-> repaired: mark the region failed') \
            == 2, out.stdout
        _assert_gone(admin, aggregator, bound, project, user)

        # Forced unbind: what is left at the provider is reported.
        r = admin.delete(API + '/bound_regions/%s?force=true'
                         % bound[0]['id'])
        assert r.status_code == 200, r.text
        (leftover,) = r.json()['remote_leftovers']
        assert leftover['binding_id'] == bound[0]['binding_id']
        assert 'unreachable' in leftover['reason']
    finally:
        provider.start()

    # Back: its bindings have no bound region here any more; reconcile
    # deletes them there.
    out = manage(aggregator, 'audit')
    assert out.returncode == 1, out.stdout + out.stderr
    for b in bound:
        assert ('binding %s at the provider has no bound region here'
                % b['binding_id']) in out.stdout
    out = manage(aggregator, 'reconcile')
    assert out.returncode == 0, out.stdout + out.stderr
    for b in bound:
        assert provider_admin.get(API + '/bindings/' + b['binding_id'])\
            .status_code == 404
    assert admin.ok('GET', API + '/providers/' + ref['id'])['provider'][
        'unreachable_since'] is None
    agg.forget_provider(admin, ref['id'])
    _audit_clean(aggregator)
