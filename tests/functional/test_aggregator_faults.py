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

"""Binding when things break, with real processes: the provider down, the
provider failing after it created its binding, the aggregator killed
between the remote call and its local commit. No orphan on either side."""

import os
import subprocess

import pytest

from harness import client
from tests.functional import aggregation as agg
from tests.functional import conftest
from tests.functional import publisher as pub

API = agg.API
MANAGE = os.path.join(os.path.dirname(agg.OPENSTACK), 'mercador-manage')


def _remote_bindings(provider_admin, credential):
    """The provider's bindings of the aggregator owning ``credential``."""
    aggregators = provider_admin.ok('GET', API + '/aggregators')[
        'aggregators']
    owner = [a for a in aggregators if a['application_credential_id']
             == credential['application_credential_id']][0]
    return provider_admin.ok('GET', API + '/bindings?aggregator_id='
                             + owner['id'])['bindings']


def _assert_no_region(admin, region_id):
    assert admin.get('/v3/regions/' + region_id).status_code == 404
    endpoints = admin.ok('GET', '/v3/endpoints')['endpoints']
    assert region_id not in {e['region_id'] for e in endpoints}


def manage(server, *args):
    return subprocess.run(
        [MANAGE, '--config-file', os.path.join(server.dir, 'keystone.conf')]
        + list(args), env=server.env, capture_output=True, text=True,
        timeout=120)


def test_provider_down(keystone_factory, aggregator, aggregator_admin):
    provider = keystone_factory('provider-down')
    provider_admin = client.Session.admin(provider)
    pub.ensure_service(provider_admin, 'image', 'http://127.0.0.1:9292')
    credential, vr = agg.offer_story(provider_admin)
    ref = agg.register_provider(aggregator_admin, provider, credential)
    provider.stop()
    try:
        key = pub.unique('bind')
        r = aggregator_admin.post(API + '/bound_regions', json={
            'bound_region': {
                'provider_id': ref['id'], 'offer_id': vr['id'],
                'region_id': 'Vdown', 'idempotency_key': key}})
        assert r.status_code == 502, r.text
        assert ref['name'] in r.json()['error']['message']
        assert 'unreachable' in r.json()['error']['message']
        r = aggregator_admin.get(API + '/providers/%s/offers' % ref['id'])
        assert r.status_code == 502 and ref['name'] in r.text
        _assert_no_region(aggregator_admin, 'Vdown')
        assert aggregator_admin.ok(
            'GET', API + '/bound_regions?region_id=Vdown')[
            'bound_regions'] == []
    finally:
        provider.start()
    # Once the provider is back the same request succeeds.
    bound = agg.bind(aggregator_admin, ref['id'], vr['id'], 'Vdown', key)[
        'bound_region']
    assert bound['status'] == 'active'
    assert len(_remote_bindings(provider_admin, credential)) == 1

    # Unbinding while the provider is down changes nothing.
    provider.stop()
    try:
        r = aggregator_admin.delete(API + '/bound_regions/' + bound['id'])
        assert r.status_code == 502, r.text
        assert aggregator_admin.ok(
            'GET', API + '/bound_regions/' + bound['id'])[
            'bound_region']['status'] == 'active'
        assert aggregator_admin.get('/v3/regions/Vdown').status_code == 200
    finally:
        provider.start()
    aggregator_admin.ok('DELETE', API + '/bound_regions/' + bound['id'],
                        status=204)
    _assert_no_region(aggregator_admin, 'Vdown')
    assert _remote_bindings(provider_admin, credential) == []
    agg.forget_provider(aggregator_admin, ref['id'])


@pytest.mark.parametrize('fault', ['error', 'drop'])
def test_provider_fails_after_creating_its_binding(
        provider_admin, aggregator_admin, fault_proxy, fault):
    credential, vr = agg.offer_story(provider_admin)
    ref = agg.register_provider(aggregator_admin, fault_proxy, credential)
    fault_proxy.faults.append(('POST', r'/v3/OS-MERCADOR/bindings', fault))
    region_id = pub.unique('Vfail')
    r = aggregator_admin.post(API + '/bound_regions', json={'bound_region': {
        'provider_id': ref['id'], 'offer_id': vr['id'],
        'region_id': region_id, 'idempotency_key': pub.unique('bind')}})
    assert r.status_code == 502, r.text
    assert ref['name'] in r.json()['error']['message']

    # Compensated: the provider's binding is gone, the row says why.
    assert _remote_bindings(provider_admin, credential) == []
    _assert_no_region(aggregator_admin, region_id)
    row = aggregator_admin.ok(
        'GET', API + '/bound_regions?region_id=' + region_id)[
        'bound_regions'][0]
    assert row['status'] == 'failed'
    assert row['reason']
    # A failed row holds its region ID and offer until deleted.
    fault_proxy.faults.clear()
    agg.bind(aggregator_admin, ref['id'], vr['id'], region_id, status=409)
    aggregator_admin.ok('DELETE', API + '/bound_regions/' + row['id'],
                        status=204)
    bound = agg.bind(aggregator_admin, ref['id'], vr['id'], region_id)[
        'bound_region']
    assert bound['status'] == 'active'
    agg.forget_provider(aggregator_admin, ref['id'])


def test_aggregator_killed_between_remote_call_and_commit(
        keystone_factory, provider, provider_admin):
    crashing = keystone_factory(
        'aggregator-crash', extra_conf=conftest.AGGREGATOR_CONF
        + '[mercador]\nfault_injection = bind_after_remote\n')
    admin = client.Session.admin(crashing)
    credential, vr = agg.offer_story(provider_admin)
    ref = agg.register_provider(admin, provider, credential)
    with pytest.raises(client.requests.ConnectionError):
        admin.post(API + '/bound_regions', json={'bound_region': {
            'provider_id': ref['id'], 'offer_id': vr['id'],
            'region_id': 'Vcrash', 'idempotency_key': pub.unique('bind')}})
    # The worker died after the provider bound, before the local commit.
    row = admin.ok('GET', API + '/bound_regions?region_id=Vcrash')[
        'bound_regions'][0]
    assert row['status'] == 'requested'
    assert len(_remote_bindings(provider_admin, credential)) == 1
    _assert_no_region(admin, 'Vcrash')

    # A bind still within its grace period is left alone.
    out = manage(crashing, 'audit')
    assert out.returncode == 0, out.stdout + out.stderr
    assert 'No drift.' in out.stdout

    out = manage(crashing, 'audit', '--grace-period', '0')
    assert out.returncode == 1, out.stdout + out.stderr
    assert 'region Vcrash: bind interrupted while requested' in out.stdout

    out = manage(crashing, 'reconcile', '--grace-period', '0')
    assert out.returncode == 0, out.stdout + out.stderr
    assert 'repaired' in out.stdout
    row = admin.ok('GET', API + '/bound_regions/' + row['id'])[
        'bound_region']
    assert row['status'] == 'failed'
    assert _remote_bindings(provider_admin, credential) == []
    _assert_no_region(admin, 'Vcrash')
    out = manage(crashing, 'audit', '--grace-period', '0')
    assert out.returncode == 0 and 'No drift.' in out.stdout, out.stdout
