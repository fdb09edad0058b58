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

"""Mercador's stored secrets across a real rotation of the aggregator
Keystone's credential keys.

``keystone-manage credential_rotate`` makes a new primary key; the next
one drops the oldest key. ``mercador-manage credential-rotate`` in between
re-encrypts the provider credentials and bound region passwords, so that
the provider still authenticates the aggregator and the bound region
still serves its tenants once the key they were encrypted with is gone.
"""

import os
import subprocess

from harness import client
from harness import servers
from tests.functional import aggregation as agg
from tests.functional import conftest
from tests.functional import publisher as pub
from tests.functional.test_aggregator_faults import manage

API = agg.API


def keystone_manage(server, *args):
    out = subprocess.run(
        [os.path.join(servers.BIN, 'keystone-manage'), '--config-file',
         os.path.join(server.dir, 'keystone.conf')] + list(args)
        + ['--keystone-user', str(os.getuid()),
           '--keystone-group', str(os.getgid())],
        env=server.env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    return out


def _keys(server):
    return sorted(int(k) for k in os.listdir(
        os.path.join(server.dir, 'credential-keys')))


def _access(aggregator, proxy, region_id):
    """The proxy's question for a new entitled tenant: a provider token
    obtained with the bound region's stored password."""
    admin = client.Session.admin(aggregator)
    project, user = agg.tenant(admin)
    bound = admin.ok('GET', API + '/bound_regions?region_id='
                     + region_id)['bound_regions'][0]
    admin.ok('PUT', API + '/bound_regions/%s/entitlements/projects/%s'
             % (bound['id'], project['id']), status=204)
    tenant = client.Session.login(aggregator.url, client.password_auth(
        user_id=user['id'], password=agg.TENANT_PASSWORD,
        scope={'project': {'id': project['id']}}))
    return proxy.get(API + '/regions/%s/access' % region_id,
                     headers={'X-Subject-Token': tenant.token})


def test_secrets_survive_credential_key_rotations(
        keystone_factory, provider, provider_admin):
    aggregator = keystone_factory('aggregator-rotate',
                                  extra_conf=conftest.AGGREGATOR_CONF)
    admin = client.Session.admin(aggregator)
    credential, vr = agg.offer_story(provider_admin)
    ref = agg.register_provider(admin, provider, credential)
    region_id = pub.unique('Vrot')
    agg.bind(admin, ref['id'], vr['id'], region_id)
    user = aggregator.service_user(pub.unique('proxy'), role='service')
    proxy = client.Session.login(aggregator.url, client.password_auth(
        user_id=user['id'], password=servers.SERVICE_PASSWORD,
        scope={'project': {'name': 'service',
                           'domain': {'name': 'Default'}}}))
    assert _access(aggregator, proxy, region_id).status_code == 200
    out = manage(aggregator, 'credential-rotate', '--check')
    assert out.returncode == 0, out.stdout + out.stderr
    first_keys = _keys(aggregator)

    # A new primary key: Mercador's secrets are on the previous one.
    keystone_manage(aggregator, 'credential_rotate')
    out = manage(aggregator, 'credential-rotate', '--check')
    assert out.returncode == 1, out.stdout + out.stderr
    assert 'provider credentials: 1 not on the primary key' in out.stdout
    assert 'bound region passwords: 1 not on the primary key' in out.stdout

    out = manage(aggregator, 'credential-rotate')
    assert out.returncode == 0, out.stdout + out.stderr
    assert ('provider credentials: 1 re-encrypted, 0 already on the '
            'primary key') in out.stdout
    assert ('bound region passwords: 1 re-encrypted, 0 already on the '
            'primary key') in out.stdout
    out = manage(aggregator, 'credential-rotate')
    assert out.returncode == 0, out.stdout + out.stderr
    assert ('provider credentials: 0 re-encrypted, 1 already on the '
            'primary key') in out.stdout

    # Keystone's own credentials, then the rotation that drops the key
    # the secrets were first encrypted with.
    keystone_manage(aggregator, 'credential_migrate')
    keystone_manage(aggregator, 'credential_rotate')
    assert max(first_keys) not in _keys(aggregator)

    # The provider still authenticates the aggregator (live offers) and
    # the bound region still gets provider tokens for its tenants.
    offers = admin.ok('GET', API + '/providers/%s/offers' % ref['id'])[
        'offers']
    assert vr['id'] in [o['id'] for o in offers]
    r = _access(aggregator, proxy, region_id)
    assert r.status_code == 200, r.text
    assert r.json()['access']['token']
    out = manage(aggregator, 'audit')
    assert out.returncode == 0 and 'No drift.' in out.stdout, out.stdout
