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

"""Talking to providers over TLS, and bounded waits on slow ones."""

import time

import pytest

from tests.functional import aggregation as agg
from tests.functional import faults
from tests.functional import publisher as pub

API = agg.API


@pytest.fixture
def tls_proxy(provider):
    proxy = faults.FaultProxy(provider.url, tls=True)
    yield proxy
    proxy.stop()


def test_tls_needs_the_provider_ca(provider_admin, aggregator_admin,
                                   tls_proxy):
    credential, vr = agg.offer_story(provider_admin)
    body = {'name': pub.unique('tls'), 'auth_url': tls_proxy.auth_url,
            'credential': credential}
    r = aggregator_admin.post(API + '/providers', json={'provider': body})
    assert r.status_code == 502, r.text
    message = r.json()['error']['message']
    assert body['name'] in message and 'TLS verification' in message

    body['ca_certificate'] = tls_proxy.certificate
    ref = aggregator_admin.ok('POST', API + '/providers',
                              json={'provider': body}, status=201)['provider']
    assert ref['ca_certificate'] == tls_proxy.certificate
    offers = aggregator_admin.ok(
        'GET', API + '/providers/%s/offers' % ref['id'])['offers']
    assert vr['id'] in [o['id'] for o in offers]

    # Dropping the CA later is checked like a registration.
    r = aggregator_admin.patch(API + '/providers/' + ref['id'], json={
        'provider': {'ca_certificate': None}})
    assert r.status_code == 502, r.text
    assert aggregator_admin.ok('GET', API + '/providers/' + ref['id'])[
        'provider']['ca_certificate'] == tls_proxy.certificate
    agg.forget_provider(aggregator_admin, ref['id'])


def test_slow_provider_times_out(provider_admin, aggregator_admin,
                                 fault_proxy):
    credential, vr = agg.offer_story(provider_admin)
    ref = agg.register_provider(aggregator_admin, fault_proxy, credential)
    # provider_timeout = 10 in the aggregator's configuration.
    fault_proxy.faults.append(
        ('GET', r'/v3/OS-MERCADOR/offers.*', ('hang', 15)))
    start = time.monotonic()
    r = aggregator_admin.get(API + '/providers/%s/offers' % ref['id'])
    elapsed = time.monotonic() - start
    assert r.status_code == 504, r.text
    assert ref['name'] in r.json()['error']['message']
    assert elapsed < 14, elapsed
    fault_proxy.faults.clear()
    agg.forget_provider(aggregator_admin, ref['id'])
