"""Talking to providers over TLS, and bounded waits on slow ones."""

import time

import pytest

from tests.functional import aggregation as agg
from tests.functional import client
from tests.functional import faults
from tests.functional import publisher as pub

API = agg.API


@pytest.fixture(scope='module')
def provider_admin(provider):
    session = client.Session.admin(provider)
    pub.ensure_service(session, 'image', 'http://127.0.0.1:9292')
    return session


@pytest.fixture(scope='module')
def admin(aggregator):
    return client.Session.admin(aggregator)


@pytest.fixture
def tls_proxy(provider):
    proxy = faults.FaultProxy(provider.url, tls=True)
    yield proxy
    proxy.stop()


@pytest.fixture
def proxy(provider):
    proxy = faults.FaultProxy(provider.url)
    yield proxy
    proxy.stop()


def test_tls_needs_the_provider_ca(provider_admin, admin, tls_proxy):
    credential, vr = agg.offer_story(provider_admin)
    body = {'name': pub.unique('tls'), 'auth_url': tls_proxy.auth_url,
            'credential': credential}
    r = admin.post(API + '/providers', json={'provider': body})
    assert r.status_code == 502, r.text
    message = r.json()['error']['message']
    assert body['name'] in message and 'TLS verification' in message

    body['ca_certificate'] = tls_proxy.certificate
    ref = admin.ok('POST', API + '/providers', json={'provider': body},
                   status=201)['provider']
    assert ref['ca_certificate'] == tls_proxy.certificate
    offers = admin.ok('GET', API + '/providers/%s/offers' % ref['id'])[
        'offers']
    assert vr['id'] in [o['id'] for o in offers]

    # Dropping the CA later is checked like a registration.
    r = admin.patch(API + '/providers/' + ref['id'], json={
        'provider': {'ca_certificate': None}})
    assert r.status_code == 502, r.text
    assert admin.ok('GET', API + '/providers/' + ref['id'])['provider'][
        'ca_certificate'] == tls_proxy.certificate
    agg.forget_provider(admin, ref['id'])


def test_slow_provider_times_out(provider_admin, admin, proxy):
    credential, vr = agg.offer_story(provider_admin)
    ref = agg.register_provider(admin, proxy, credential)
    # provider_timeout = 10 in the aggregator's configuration.
    proxy.faults.append(('GET', r'/v3/OS-MERCADOR/offers.*', ('hang', 15)))
    start = time.monotonic()
    r = admin.get(API + '/providers/%s/offers' % ref['id'])
    elapsed = time.monotonic() - start
    assert r.status_code == 504, r.text
    assert ref['name'] in r.json()['error']['message']
    assert elapsed < 14, elapsed
    proxy.faults.clear()
    agg.forget_provider(admin, ref['id'])
