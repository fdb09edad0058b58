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

"""Helpers that set up provider-side objects through the real API."""

import uuid

from harness import client

API = '/v3/OS-MERCADOR'


def unique(prefix):
    return '%s-%s' % (prefix, uuid.uuid4().hex[:8])


def ensure_service(admin, service_type, url, region='RegionOne'):
    """A service of that type with a public endpoint in the region."""
    services = admin.ok('GET', '/v3/services?type=%s' % service_type)
    if services['services']:
        service = services['services'][0]
    else:
        service = admin.ok('POST', '/v3/services', json={'service': {
            'type': service_type, 'name': service_type}})['service']
    endpoints = admin.ok('GET', '/v3/endpoints?service_id=%s' % service['id'])
    if not any(e['region_id'] == region for e in endpoints['endpoints']):
        admin.ok('POST', '/v3/endpoints', json={'endpoint': {
            'service_id': service['id'], 'interface': 'public',
            'url': url, 'region_id': region}})
    return service


def register_aggregator(admin, name=None):
    """Returns (aggregator, Session authenticated with its credential)."""
    ref = admin.ok('POST', API + '/aggregators', json={'aggregator': {
        'name': name or unique('reseller')}})['aggregator']
    cred = ref['credential']
    session = client.Session.login(admin.base, client.app_cred_auth(
        cred['application_credential_id'],
        cred['application_credential_secret']))
    return ref, session


def create_virtual_region(admin, publish=True, **fields):
    body = {'name': unique('vr'), 'region_id': 'RegionOne',
            'domain_name': unique('vr-domain'), 'services': ['image'],
            'metadata': {'country': 'FR', 'compliance': ['gdpr']}}
    body.update(fields)
    vr = admin.ok('POST', API + '/virtual_regions',
                  json={'virtual_region': body})['virtual_region']
    if publish:
        vr = admin.ok('PATCH', API + '/virtual_regions/' + vr['id'], json={
            'virtual_region': {'status': 'published'}})['virtual_region']
    return vr


def bind(aggregator_session, vr_id, key=None):
    return aggregator_session.ok('POST', API + '/bindings', json={
        'binding': {'virtual_region_id': vr_id,
                    'idempotency_key': key or unique('key')}})['binding']


#: Resource classes and totals of the resource provider make_inventory
#: creates.
INVENTORY = {'VCPU': 64, 'MEMORY_MB': 131072, 'DISK_GB': 2000}


def make_inventory(provider_admin, placement_url, inventory=INVENTORY):
    """A resource provider with ``inventory`` at the provider's Placement,
    made by its admin (what nova-compute registers for a host): tenants
    can then allocate against it. Returns its UUID."""
    placement = provider_admin.at(placement_url)
    headers = {'OpenStack-API-Version': 'placement 1.20'}
    rp = placement.ok('POST', '/resource_providers', headers=headers,
                      json={'name': unique('usage-host')})
    placement.ok('PUT', '/resource_providers/%s/inventories' % rp['uuid'],
                 headers=headers, json={
                     'resource_provider_generation': rp['generation'],
                     'inventories': {rc: {'total': total}
                                     for rc, total in inventory.items()}})
    return rp['uuid']
