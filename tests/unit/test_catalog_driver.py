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

"""``[catalog] driver = mercador``: bound regions in entitled catalogs only.

The catalogs are those Keystone puts in tokens
(``PROVIDERS.catalog_api.get_v3_catalog``, cached as Keystone caches it).
"""

import uuid

from keystone.catalog.backends import sql as keystone_sql
from keystone.common import render_token

from keystone_mercador.aggregator import catalog
from keystone_mercador import models
from tests.unit import aggregator_fixture

PROVIDERS = aggregator_fixture.PROVIDERS
PROXY_URL = aggregator_fixture.PROXY_URL
LOCAL = 'RegionOne'
BOUND = 'RegionB'


def _normalized(catalog_ref):
    return sorted(
        (dict(s, endpoints=sorted(s['endpoints'], key=lambda e: e['id']))
         for s in catalog_ref), key=lambda s: s['id'])


class CatalogDriverTests(aggregator_fixture.AggregatorTestCase):
    """RegionOne has local compute and volume endpoints (the volume URL
    names the project); RegionB is bound with compute (in the local compute
    service) and network (in a service Mercador created)."""

    def setUp(self):
        super().setUp()
        PROVIDERS.catalog_api.create_region({'id': LOCAL})
        self.services = {}
        for stype, name in (('compute', 'nova'), ('volumev3', 'cinder')):
            service_id = uuid.uuid4().hex
            self.services[stype] = PROVIDERS.catalog_api.create_service(
                service_id, {'id': service_id, 'type': stype, 'name': name,
                             'enabled': True})
        self.local = {}
        for stype, interface, url in (
                ('compute', 'public', 'https://nova.test/v2.1'),
                ('compute', 'internal', 'https://nova.internal/v2.1'),
                ('volumev3', 'public',
                 'https://cinder.test/v3/$(project_id)s')):
            endpoint_id = uuid.uuid4().hex
            self.local[stype, interface] = (
                PROVIDERS.catalog_api.create_endpoint(endpoint_id, {
                    'id': endpoint_id,
                    'service_id': self.services[stype]['id'],
                    'region_id': LOCAL, 'interface': interface, 'url': url,
                    'enabled': True}))
        self.provider_ref, self.row = self.bound_story(region_id=BOUND)
        self.bound = {e['url'].rsplit('/', 1)[1]: e
                      for e in self.region_endpoints(BOUND)}
        self.domain = self.new_domain()
        self.project = self.new_project(self.domain['id'])

    def entitle(self, target_type='project', target_id=None, row=None):
        self.entitlements.create_entitlement(
            (row or self.row)['id'], target_type,
            target_id or self.project['id'])

    def catalog(self, project=None, user_id=None):
        return PROVIDERS.catalog_api.get_v3_catalog(
            user_id or uuid.uuid4().hex, project and project['id'])

    def endpoints(self, catalog_ref):
        """``{(service type, region, interface): url}``."""
        return {(s['type'], e['region'], e['interface']): e['url']
                for s in catalog_ref for e in s['endpoints']}

    def local_endpoints(self, project_id):
        return {('compute', LOCAL, 'public'): 'https://nova.test/v2.1',
                ('compute', LOCAL, 'internal'): 'https://nova.internal/v2.1',
                ('volumev3', LOCAL, 'public'):
                    'https://cinder.test/v3/%s' % project_id}

    def bound_endpoints(self):
        return {('compute', BOUND, 'public'): PROXY_URL + '/RegionB/compute',
                ('network', BOUND, 'public'): PROXY_URL + '/RegionB/network'}

    def test_the_driver_is_mercador(self):
        self.assertIsInstance(PROVIDERS.catalog_api.driver, catalog.Catalog)

    def test_entitled_project_sees_the_bound_region(self):
        self.entitle()

        catalog_ref = self.catalog(self.project)

        self.assertEqual(
            {**self.local_endpoints(self.project['id']),
             **self.bound_endpoints()}, self.endpoints(catalog_ref))
        by_type = {s['type']: s for s in catalog_ref}
        self.assertEqual(self.services['compute']['id'],
                         by_type['compute']['id'])
        self.assertEqual('nova', by_type['compute']['name'])
        self.assertEqual(self.owned_services()['network'],
                         by_type['network']['id'])

    def test_project_not_entitled_sees_local_endpoints_only(self):
        self.entitle(target_id=self.new_project()['id'])

        catalog_ref = self.catalog(self.project)

        self.assertEqual(self.local_endpoints(self.project['id']),
                         self.endpoints(catalog_ref))
        # The service Mercador created for bound regions is not shown
        # empty.
        self.assertEqual(['compute', 'volumev3'],
                         sorted(s['type'] for s in catalog_ref))

    def test_catalog_of_a_real_token(self):
        self.entitle()
        other = self.new_project()

        def token_catalog(project):
            token = PROVIDERS.token_provider_api.validate_token(
                self.project_token(project))
            return render_token.render_token_response_from_model(token)[
                'token']['catalog']

        self.assertIn(('network', BOUND, 'public'),
                      self.endpoints(token_catalog(self.project)))
        self.assertNotIn(('network', BOUND, 'public'),
                         self.endpoints(token_catalog(other)))

    def test_domain_entitlement(self):
        self.entitle('domain', self.domain['id'])

        self.assertEqual(self.bound_endpoints(), {
            k: v for k, v in self.endpoints(self.catalog(self.project)).items()
            if k[1] == BOUND})
        sibling = self.new_project(self.domain['id'])
        self.assertIn(('network', BOUND, 'public'),
                      self.endpoints(self.catalog(sibling)))
        self.assertNotIn(('network', BOUND, 'public'),
                         self.endpoints(self.catalog(self.new_project())))

    def test_catalog_without_a_project(self):
        self.entitle()

        endpoints = self.endpoints(self.catalog())

        # Local endpoints only, those that need no project in their URL.
        self.assertEqual({k: v for k, v in self.local_endpoints('').items()
                          if k[0] != 'volumev3'}, endpoints)

    def test_same_catalog_as_keystone_without_bound_regions(self):
        self.bound_regions.delete_bound_region(self.row['id'])
        keystone = keystone_sql.Catalog()
        mercador = PROVIDERS.catalog_api.driver
        user_id = uuid.uuid4().hex

        for project_id in (self.project['id'], None):
            self.assertEqual(
                _normalized(keystone.get_v3_catalog(user_id, project_id)),
                _normalized(mercador.get_v3_catalog(user_id, project_id)))

    def test_entitled_catalog_is_keystone_catalog(self):
        self.entitle()
        user_id = uuid.uuid4().hex

        self.assertEqual(
            _normalized(keystone_sql.Catalog().get_v3_catalog(
                user_id, self.project['id'])),
            _normalized(PROVIDERS.catalog_api.driver.get_v3_catalog(
                user_id, self.project['id'])))

    def test_bound_region_not_active_is_hidden(self):
        self.entitle()
        self.bound_regions.driver.update_bound_region(
            self.row['id'], {'status': 'compensating'})

        endpoints = self.endpoints(
            PROVIDERS.catalog_api.driver.get_v3_catalog(
                uuid.uuid4().hex, self.project['id']))

        self.assertEqual(self.local_endpoints(self.project['id']), endpoints)

    def test_endpoint_added_by_hand_to_a_mercador_service(self):
        self.entitle()
        endpoint_id = uuid.uuid4().hex
        PROVIDERS.catalog_api.create_endpoint(endpoint_id, {
            'id': endpoint_id, 'service_id': self.owned_services()['network'],
            'region_id': LOCAL, 'interface': 'public',
            'url': 'https://neutron.test', 'enabled': True})

        for project in (self.project, self.new_project()):
            self.assertNotIn(('network', LOCAL, 'public'),
                             self.endpoints(self.catalog(project)))

    def test_disabled_endpoints_and_services_are_left_out(self):
        self.entitle()
        PROVIDERS.catalog_api.update_endpoint(self.bound['network']['id'],
                                              {'enabled': False})
        PROVIDERS.catalog_api.update_endpoint(
            self.local['compute', 'internal']['id'], {'enabled': False})
        PROVIDERS.catalog_api.update_service(self.services['volumev3']['id'],
                                             {'enabled': False})

        catalog_ref = self.catalog(self.project)

        self.assertEqual(
            {('compute', LOCAL, 'public'): 'https://nova.test/v2.1',
             ('compute', BOUND, 'public'): PROXY_URL + '/RegionB/compute'},
            self.endpoints(catalog_ref))
        self.assertEqual(['compute'], [s['type'] for s in catalog_ref])

    def test_computed_catalogs_follow_entitlements(self):
        def sees_bound():
            return ('network', BOUND, 'public') in self.endpoints(
                self.catalog(self.project, user_id='user'))

        self.assertFalse(sees_bound())
        self.entitle()
        self.assertTrue(sees_bound())
        self.entitlements.delete_entitlement(self.row['id'], 'project',
                                             self.project['id'])
        self.assertFalse(sees_bound())
        self.entitle('domain', self.domain['id'])
        self.assertTrue(sees_bound())
        self.bound_regions.delete_bound_region(self.row['id'])
        self.assertFalse(sees_bound())
        self.assertEqual([], self.mercador_rows(models.Entitlement))

    def test_endpoint_filter_cannot_show_a_region_not_entitled(self):
        PROVIDERS.catalog_api.add_endpoint_to_project(
            self.bound['network']['id'], self.project['id'])
        PROVIDERS.catalog_api.add_endpoint_to_project(
            self.local['compute', 'public']['id'], self.project['id'])

        self.assertEqual(
            {('compute', LOCAL, 'public'): 'https://nova.test/v2.1'},
            self.endpoints(self.catalog(self.project)))

        self.entitle()
        self.assertEqual(
            {('compute', LOCAL, 'public'): 'https://nova.test/v2.1',
             ('network', BOUND, 'public'): PROXY_URL + '/RegionB/network'},
            self.endpoints(self.catalog(self.project)))

    def test_no_filter_and_no_fallback_is_an_empty_catalog(self):
        self.config_fixture.config(group='endpoint_filter',
                                   return_all_endpoints_if_no_filter=False)
        self.entitle()

        self.assertEqual([], self.catalog(self.project))

    def test_several_bound_regions(self):
        other = self.bind(self.provider_ref, self.provider.add_offer(
            ('network',)), region_id='RegionC')
        self.entitle(row=other)

        endpoints = self.endpoints(self.catalog(self.project))

        self.assertIn(('network', 'RegionC', 'public'), endpoints)
        self.assertNotIn(('network', BOUND, 'public'), endpoints)
        by_type = {s['type']: s for s in self.catalog(self.project)}
        self.assertEqual(['RegionC'], [
            e['region'] for e in by_type['network']['endpoints']])
