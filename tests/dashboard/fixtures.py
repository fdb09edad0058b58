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

"""Remote data the dashboard tests feed to the mocked api module."""

import datetime

from mercador_dashboard.api import mercador

XSS = '<script>alert(1)</script>'


def virtual_region(**overrides):
    ref = {
        'id': 'vr1', 'name': 'paris', 'description': 'Paris offer',
        'region_id': 'RegionOne', 'domain_id': 'dom1',
        'services': ['compute', 'image'],
        'limits': [{'service_type': 'compute', 'resource_name': 'cores',
                    'resource_limit': 64}],
        'metadata': {'country': 'FR', 'location': 'Paris',
                     'compliance': ['gdpr'], 'x-tier': 'gold'},
        'visibility': 'all', 'aggregator_ids': [], 'status': 'draft',
        'binding_count': 0, 'created_at': '2026-01-02T03:04:05.000000',
        'updated_at': '2026-01-02T03:04:05.000000',
        'upstream': None, 'hops': 1,
    }
    ref.update(overrides)
    return mercador.VirtualRegion(ref)


def aggregator(**overrides):
    ref = {'id': 'agg1', 'name': 'reseller', 'description': 'A reseller',
           'user_id': 'u1', 'project_id': 'p1',
           'application_credential_id': 'ac1',
           'created_at': '2026-01-02T03:04:05.000000'}
    ref.update(overrides)
    return mercador.Aggregator(ref)


def binding(**overrides):
    ref = {'id': 'b1', 'virtual_region_id': 'vr1', 'aggregator_id': 'agg1',
           'root_project_id': 'rp1', 'user_id': 'bu1',
           'created_at': '2026-01-03T03:04:05.000000',
           'domain_id': 'dom1', 'region_id': 'RegionOne', 'endpoints': [],
           'status': 'active', 'reason': None}
    ref.update(overrides)
    return mercador.Binding(ref)


OFFERABLE = {'RegionOne': ['compute', 'image', 'network'],
             'RegionTwo': ['image']}
REGISTERED_LIMITS = [
    {'id': 'rl1', 'service_id': 's-compute', 'service_type': 'compute',
     'region_id': None, 'resource_name': 'cores', 'default_limit': 20},
    {'id': 'rl2', 'service_id': 's-image', 'service_type': 'image',
     'region_id': None, 'resource_name': 'image_size_total',
     'default_limit': 1000},
]
DOMAINS = [{'id': 'default', 'name': 'Default'},
           {'id': 'dom2', 'name': 'spare'}]


def provider(**overrides):
    ref = {'id': 'prv1', 'name': 'acme', 'description': 'ACME cloud',
           'auth_url': 'https://keystone.acme.example/v3',
           'ca_certificate': None, 'application_credential_id': 'ac9',
           'created_at': '2026-01-04T03:04:05.000000',
           'updated_at': '2026-01-04T03:04:05.000000'}
    ref.update(overrides)
    return mercador.Provider(ref)


def offer(**overrides):
    ref = {'id': 'vr1', 'provider_id': 'prv1', 'name': 'paris',
           'description': 'Paris offer', 'services': ['compute', 'image'],
           'limits': [], 'metadata': {'country': 'FR', 'location': 'Paris',
                                      'compliance': ['gdpr']}, 'hops': 1}
    ref.update(overrides)
    return mercador.Offer(ref)


def bound_region(**overrides):
    ref = {'id': 'br1', 'provider_id': 'prv1', 'offer_id': 'vr1',
           'region_id': 'V1', 'description': 'Paris', 'status': 'active',
           'reason': None, 'services': ['compute', 'image'],
           'binding_id': 'b1', 'created_at': '2026-01-05T03:04:05.000000',
           'updated_at': '2026-01-05T03:04:05.000000',
           'limits': [], 'hops': 1}
    ref.update(overrides)
    return mercador.BoundRegion(ref)


PROJECTS = [{'id': 'p1', 'name': 'alpha', 'domain_id': 'default'},
            {'id': 'p2', 'name': 'beta', 'domain_id': 'default'}]


def endpoint(service_type, region):
    return {'id': '%s-%s' % (service_type, region), 'interface': 'public',
            'region': region, 'region_id': region,
            'url': 'https://cloud.example/%s/%s' % (region, service_type)}


def catalog(regions, service_types=('compute', 'image', 'network')):
    """A Keystone v3 catalog with one endpoint per service and region."""
    return [{'id': 'svc-identity', 'type': 'identity', 'name': 'keystone',
             'endpoints': [endpoint('identity', 'RegionOne')]}] + [
        {'id': 'svc-' + service_type, 'type': service_type,
         'name': service_type,
         'endpoints': [endpoint(service_type, r) for r in regions]}
        for service_type in service_types]


def token(service_catalog):
    """An openstack_auth token of a project member, as login stores it."""
    from keystoneauth1 import access
    from openstack_auth import user as auth_user
    expires = datetime.datetime.now(datetime.timezone.utc) + \
        datetime.timedelta(hours=1)
    body = {'token': {
        'methods': ['password'],
        'expires_at': expires.strftime('%Y-%m-%dT%H:%M:%S.000000Z'),
        'user': {'id': 'u1', 'name': 'tenant-user',
                 'domain': {'id': 'default', 'name': 'Default'}},
        'project': {'id': 'p1', 'name': 'alpha',
                    'domain': {'id': 'default', 'name': 'Default'}},
        'roles': [{'id': 'r1', 'name': 'member'}],
        'catalog': service_catalog}}
    return auth_user.Token(access.AccessInfoV3(body=body,
                                               auth_token='tok-p1'))
