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

"""Helpers that set up aggregator-side objects through the real API, and
run the real OpenStack client against an aggregator."""

import json
import os
import subprocess
import sys

from harness import client
from tests.functional import publisher as pub

API = pub.API
OPENSTACK = os.path.join(os.path.dirname(sys.executable), 'openstack')
TENANT_PASSWORD = client.TENANT_PASSWORD


def register_provider(admin, provider_server, credential, **fields):
    body = {'name': pub.unique('provider'),
            'auth_url': provider_server.auth_url, 'credential': credential}
    body.update(fields)
    return admin.ok('POST', API + '/providers',
                    json={'provider': body}, status=201)['provider']


def offer_story(provider_admin, services=('image',)):
    """A new aggregator registered at the provider and a published virtual
    region for it: returns (aggregator credential, virtual region)."""
    aggregator, _ = pub.register_aggregator(provider_admin)
    vr = pub.create_virtual_region(provider_admin, services=list(services))
    return aggregator['credential'], vr


def bind(admin, provider_id, offer_id, region_id=None, key=None, status=201):
    r = admin.post(API + '/bound_regions', json={'bound_region': {
        'provider_id': provider_id, 'offer_id': offer_id,
        'region_id': region_id or pub.unique('V'),
        'idempotency_key': key or pub.unique('key')}})
    assert r.status_code == status, r.text
    return r.json()


def tenant(admin, name=None):
    """A project of the Default domain and a member user of it: returns
    (project, user)."""
    return client.tenant(admin, name or pub.unique('tenant'))


def openstack(server, username, project_name, *args,
              password=TENANT_PASSWORD):
    """Run the real CLI as a Default-domain user; return parsed JSON."""
    env = dict(os.environ, OS_AUTH_URL=server.auth_url,
               OS_IDENTITY_API_VERSION='3', OS_USERNAME=username,
               OS_PASSWORD=password, OS_PROJECT_NAME=project_name,
               OS_USER_DOMAIN_NAME='Default',
               OS_PROJECT_DOMAIN_NAME='Default', PYTHONWARNINGS='ignore')
    for key in ('OS_CLOUD', 'OS_REGION_NAME', 'OS_TOKEN'):
        env.pop(key, None)
    out = subprocess.run([OPENSTACK] + list(args) + ['-f', 'json'],
                         env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def regions_in_catalog(catalog):
    """Region IDs of the `openstack catalog list -f json` output."""
    return {e['region_id'] for service in catalog
            for e in service['Endpoints']}


def catalog_of(server, user_id, project_id, password=TENANT_PASSWORD):
    """The catalog of a fresh project-scoped token."""
    return client.Session.login(server.url, client.password_auth(
        user_id=user_id, password=password,
        scope={'project': {'id': project_id}})).token_body['token'][
        'catalog']


def regions_of(catalog):
    """Region IDs of a token's catalog."""
    return {e['region_id'] for service in catalog
            for e in service['endpoints']}


def forget_provider(admin, provider_id):
    """Unbind everything of a provider and delete it, so that later audits
    of the shared aggregator only see their own objects."""
    for bound in admin.ok('GET', API + '/bound_regions?provider_id='
                          + provider_id)['bound_regions']:
        admin.ok('DELETE', API + '/bound_regions/' + bound['id'],
                 status=204)
    admin.ok('DELETE', API + '/providers/' + provider_id, status=204)
