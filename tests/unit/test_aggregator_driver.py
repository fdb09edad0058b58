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

"""The aggregator SQL driver, on tables made by Mercador's migrations."""

import uuid

from oslo_db import exception as db_exception

from keystone_mercador.aggregator.backends import sql as aggregator_sql
from keystone_mercador import exception
from keystone_mercador import models
from tests.unit import keystone_fixture

CONF = keystone_fixture.CONF
PROVIDERS = keystone_fixture.PROVIDERS


def new_provider_ref(**kwargs):
    ref = {'id': uuid.uuid4().hex, 'name': uuid.uuid4().hex,
           'description': '', 'auth_url': 'https://provider.test/v3',
           'ca_certificate': None,
           'application_credential_id': uuid.uuid4().hex,
           'encrypted_secret': 'encrypted', 'key_hash': 'a' * 40}
    ref.update(kwargs)
    return ref


def new_bound_region_ref(provider_id, **kwargs):
    ref = {'id': uuid.uuid4().hex, 'provider_id': provider_id,
           'offer_id': uuid.uuid4().hex,
           'region_id': 'Region' + uuid.uuid4().hex[:8], 'description': '',
           'idempotency_key': uuid.uuid4().hex, 'request_hash': 'b' * 64,
           'status': 'active', 'services': ['compute']}
    ref.update(kwargs)
    return ref


def _subset(row, ref):
    return {k: row[k] for k in ref}


class AggregatorDriverTestCase(keystone_fixture.KeystoneTestCase):

    def setUp(self):
        super().setUp()
        self.driver = aggregator_sql.Aggregator()

    def assertRaises(self, expected, *args, **kwargs):
        """As testtools' (Keystone's tests): return what was raised."""
        if not args:
            return super().assertRaises(expected, **kwargs)
        with super().assertRaises(expected) as caught:
            args[0](*args[1:], **kwargs)
        return caught.exception

    def create_provider(self, **kwargs):
        return self.driver.create_provider(new_provider_ref(**kwargs))

    def create_bound_region(self, provider=None, **kwargs):
        provider = provider or self.create_provider()
        return self.driver.create_bound_region(
            new_bound_region_ref(provider['id'], **kwargs))

    def new_project(self, domain_id=None):
        domain_id = domain_id or CONF.identity.default_domain_id
        project_id = uuid.uuid4().hex
        return PROVIDERS.resource_api.create_project(project_id, {
            'id': project_id, 'name': project_id, 'domain_id': domain_id,
            'parent_id': domain_id, 'is_domain': False, 'enabled': True})

    def new_domain(self):
        domain_id = uuid.uuid4().hex
        return PROVIDERS.resource_api.create_domain(
            domain_id, {'id': domain_id, 'name': domain_id,
                        'enabled': True})


class ProviderTests(AggregatorDriverTestCase):

    def test_provider_crud(self):
        ref = new_provider_ref(ca_certificate='PEM')

        provider = self.driver.create_provider(ref)
        self.assertEqual(ref, _subset(provider, ref))
        self.assertIsNotNone(provider['created_at'])
        self.assertEqual(provider, self.driver.get_provider(ref['id']))
        self.assertEqual([provider], self.driver.list_providers())

        updated = self.driver.update_provider(ref['id'],
                                              {'description': 'new'})
        self.assertEqual('new', updated['description'])
        self.assertEqual(updated, self.driver.get_provider(ref['id']))
        self.assertGreaterEqual(updated['updated_at'],
                                provider['updated_at'])

        self.driver.delete_provider(ref['id'])
        self.assertEqual([], self.driver.list_providers())

    def test_not_found(self):
        missing = uuid.uuid4().hex
        self.assertRaises(exception.ProviderNotFound,
                          self.driver.get_provider, missing)
        self.assertRaises(exception.ProviderNotFound,
                          self.driver.update_provider, missing, {})
        self.assertRaises(exception.ProviderNotFound,
                          self.driver.delete_provider, missing)

    def test_duplicate_name_is_conflict(self):
        self.create_provider(name='provider')

        e = self.assertRaises(exception.Conflict, self.create_provider,
                              name='provider')

        self.assertIn('provider', str(e))
        self.assertEqual(1, len(self.driver.list_providers()))

    def test_list_is_sorted_by_name(self):
        for name in ('b', 'c', 'a'):
            self.create_provider(name=name)

        self.assertEqual(['a', 'b', 'c'],
                         [p['name'] for p in self.driver.list_providers()])

    def test_delete_is_refused_while_it_has_bound_regions(self):
        provider = self.create_provider()
        for status in ('failed', 'active'):
            self.create_bound_region(provider, status=status)

        e = self.assertRaises(exception.Conflict,
                              self.driver.delete_provider, provider['id'])

        self.assertIn('2 bound region', str(e))
        self.driver.get_provider(provider['id'])


class BoundRegionTests(AggregatorDriverTestCase):

    def setUp(self):
        super().setUp()
        self.provider = self.create_provider()

    def test_bound_region_crud(self):
        ref = new_bound_region_ref(self.provider['id'],
                                   binding={'endpoints': []})

        row = self.driver.create_bound_region(ref)
        self.assertEqual(ref, _subset(row, ref))
        self.assertIsNone(row['reason'])
        self.assertEqual(row, self.driver.get_bound_region(ref['id']))

        updated = self.driver.update_bound_region(
            ref['id'], {'status': 'failed', 'reason': 'why'})
        self.assertEqual(('failed', 'why'),
                         (updated['status'], updated['reason']))
        self.assertEqual(updated, self.driver.get_bound_region(ref['id']))

        self.driver.delete_bound_region(ref['id'])
        self.assertEqual([], self.driver.list_bound_regions())

    def test_not_found(self):
        missing = uuid.uuid4().hex
        self.assertRaises(exception.BoundRegionNotFound,
                          self.driver.get_bound_region, missing)
        self.assertRaises(exception.BoundRegionNotFound,
                          self.driver.update_bound_region, missing, {})
        self.assertRaises(exception.BoundRegionNotFound,
                          self.driver.delete_bound_region, missing)

    def test_find(self):
        row = self.create_bound_region(self.provider)

        self.assertEqual(row, self.driver.find_bound_region(
            idempotency_key=row['idempotency_key']))
        self.assertEqual(row, self.driver.find_bound_region(
            region_id=row['region_id']))
        self.assertEqual(row, self.driver.find_bound_region(
            idempotency_key=row['idempotency_key'],
            region_id=row['region_id']))
        self.assertIsNone(self.driver.find_bound_region(
            idempotency_key=row['idempotency_key'], region_id='RegionZ'))
        self.assertIsNone(self.driver.find_bound_region(region_id='RegionZ'))
        self.assertIsNone(self.driver.find_bound_region())

    def test_region_id_is_bound_once(self):
        holder = self.create_bound_region(self.provider, region_id='RegionB')

        e = self.assertRaises(exception.Conflict, self.create_bound_region,
                              self.create_provider(), region_id='RegionB')

        self.assertIn(holder['id'], str(e))

    def test_an_offer_is_bound_once_per_provider(self):
        holder = self.create_bound_region(self.provider, offer_id='offer')

        e = self.assertRaises(exception.Conflict, self.create_bound_region,
                              self.provider, offer_id='offer')

        self.assertIn(holder['id'], str(e))
        self.assertIn(holder['region_id'], str(e))
        # The same offer ID at another provider is another offer.
        self.create_bound_region(self.create_provider(), offer_id='offer')

    def test_idempotency_key_is_unique(self):
        self.create_bound_region(self.provider, idempotency_key='key-1')

        self.assertRaises(exception.Conflict, self.create_bound_region,
                          self.create_provider(), idempotency_key='key-1')
        self.assertEqual(1, len(self.driver.list_bound_regions()))

    def test_unique_constraints_decide_a_race(self):
        # A concurrent request that passed the same check first: the
        # insert alone (as _insert does it) still gets a Conflict.
        held = self.create_bound_region(self.provider, offer_id='offer')
        for clash in ({'region_id': held['region_id']},
                      {'offer_id': 'offer'},
                      {'idempotency_key': held['idempotency_key']}):
            self.assertRaises(
                exception.Conflict, self.driver._insert, models.BoundRegion,
                new_bound_region_ref(self.provider['id'], **clash), 'taken')
        self.assertEqual([held], self.driver.list_bound_regions())

    def test_the_provider_must_exist(self):
        self.assertRaises(db_exception.DBReferenceError,
                          self.create_bound_region, {'id': uuid.uuid4().hex})
        self.assertEqual([], self.driver.list_bound_regions())

    def test_list_filters_and_order(self):
        other = self.create_provider()
        b = self.create_bound_region(self.provider, region_id='B')
        c = self.create_bound_region(other, region_id='C', status='failed')
        a = self.create_bound_region(self.provider, region_id='A',
                                     status='failed')

        self.assertEqual([a, b, c], self.driver.list_bound_regions())
        self.assertEqual([a, b], self.driver.list_bound_regions(
            provider_id=self.provider['id']))
        self.assertEqual([a, c], self.driver.list_bound_regions(
            status='failed'))
        self.assertEqual([a], self.driver.list_bound_regions(
            provider_id=self.provider['id'], status='failed'))
        self.assertEqual([c], self.driver.list_bound_regions(region_id='C'))
        self.assertEqual([], self.driver.list_bound_regions(
            provider_id=other['id'], status='active'))

    def test_pages(self):
        rows = [self.create_bound_region(self.provider, region_id=r)
                for r in ('R3', 'R1', 'R5', 'R2', 'R4')]
        by_region = sorted(rows, key=lambda r: r['region_id'])

        self.assertEqual(by_region[:2],
                         self.driver.list_bound_regions(limit=2))
        self.assertEqual(by_region[2:4], self.driver.list_bound_regions(
            marker=by_region[1]['id'], limit=2))
        self.assertEqual(by_region[4:], self.driver.list_bound_regions(
            marker=by_region[3]['id'], limit=2))
        self.assertEqual([], self.driver.list_bound_regions(
            marker=by_region[4]['id']))
        self.assertEqual(by_region[3:], self.driver.list_bound_regions(
            marker=by_region[2]['id']))

    def test_pages_with_a_filter(self):
        self.create_bound_region(self.provider, region_id='R1')
        marker = self.create_bound_region(self.provider, region_id='R2',
                                          status='failed')
        self.create_bound_region(self.provider, region_id='R3')
        last = self.create_bound_region(self.provider, region_id='R4',
                                        status='failed')

        # The marker need not match the filter to mark a position.
        self.assertEqual(['R3', 'R4'], [
            r['region_id'] for r in self.driver.list_bound_regions(
                marker=marker['id'])])
        self.assertEqual([last], self.driver.list_bound_regions(
            status='failed', marker=marker['id'], limit=5))

    def test_marker_not_found(self):
        self.create_bound_region(self.provider)
        missing = uuid.uuid4().hex

        e = self.assertRaises(exception.MarkerNotFound,
                              self.driver.list_bound_regions, marker=missing)

        self.assertIn(missing, str(e))
        self.assertEqual(400, e.code)

    def test_endpoints_are_replaced_when_given(self):
        row = self.create_bound_region(self.provider)
        endpoints = [
            {'endpoint_id': uuid.uuid4().hex, 'service_id': 's1',
             'service_type': 'network'},
            {'endpoint_id': uuid.uuid4().hex, 'service_id': 's2',
             'service_type': 'compute'}]

        self.driver.update_bound_region(row['id'], {}, endpoints)
        self.assertEqual(
            [dict(endpoints[1], bound_region_id=row['id']),
             dict(endpoints[0], bound_region_id=row['id'])],
            self.driver.list_bound_endpoints(row['id']))

        self.driver.update_bound_region(row['id'], {'reason': 'x'})
        self.assertEqual(2, len(self.driver.list_bound_endpoints(row['id'])))

        self.driver.update_bound_region(row['id'], {}, endpoints[:1])
        self.assertEqual([endpoints[0]['endpoint_id']], [
            e['endpoint_id']
            for e in self.driver.list_bound_endpoints(row['id'])])

        self.driver.update_bound_region(row['id'], {}, [])
        self.assertEqual([], self.driver.list_bound_endpoints(row['id']))

    def test_delete_removes_what_belongs_to_it(self):
        row = self.create_bound_region(self.provider)
        kept = self.create_bound_region(self.provider)
        project = self.new_project()
        for bound in (row, kept):
            self.driver.update_bound_region(bound['id'], {}, [{
                'endpoint_id': uuid.uuid4().hex, 'service_id': 's',
                'service_type': 'compute'}])
            self.driver.create_entitlement(bound['id'], 'project',
                                           project['id'])
            self.driver.create_project_mapping({
                'bound_region_id': bound['id'], 'project_id': project['id'],
                'reference': uuid.uuid4().hex})

        self.driver.delete_bound_region(row['id'])

        for model in (models.BoundEndpoint, models.Entitlement,
                      models.ProjectMapping):
            self.assertEqual([kept['id']], [
                r['bound_region_id'] for r in self.mercador_rows(model)])


class OwnedServiceTests(AggregatorDriverTestCase):

    def test_owned_services(self):
        self.assertEqual({}, self.driver.list_owned_services())
        self.driver.add_owned_service('s1', 'compute')
        self.driver.add_owned_service('s2', 'network')

        self.assertEqual({'compute': 's1', 'network': 's2'},
                         self.driver.list_owned_services())
        self.driver.remove_owned_service('s1')
        self.assertEqual({'network': 's2'},
                         self.driver.list_owned_services())
        # Forgetting one that is not there is not an error.
        self.driver.remove_owned_service('s1')

    def test_one_owned_service_per_type(self):
        self.driver.add_owned_service('s1', 'compute')

        e = self.assertRaises(exception.Conflict,
                              self.driver.add_owned_service, 's2', 'compute')

        self.assertIn('compute', str(e))
        self.assertRaises(exception.Conflict, self.driver.add_owned_service,
                          's1', 'network')
        self.assertEqual({'compute': 's1'},
                         self.driver.list_owned_services())


class EntitlementTests(AggregatorDriverTestCase):

    def setUp(self):
        super().setUp()
        self.provider = self.create_provider()
        self.row = self.create_bound_region(self.provider)
        self.domain = self.new_domain()
        self.project = self.new_project(self.domain['id'])

    def test_entitlement_crud(self):
        key = (self.row['id'], 'project', self.project['id'])

        self.driver.create_entitlement(*key)
        expected = {'bound_region_id': key[0], 'target_type': key[1],
                    'target_id': key[2]}
        self.assertEqual(expected, self.driver.get_entitlement(*key))
        self.assertEqual([expected], self.driver.list_entitlements())

        self.driver.delete_entitlement(*key)
        self.assertRaises(exception.EntitlementNotFound,
                          self.driver.get_entitlement, *key)
        self.assertRaises(exception.EntitlementNotFound,
                          self.driver.delete_entitlement, *key)

    def test_create_is_idempotent(self):
        for _ in range(2):
            self.driver.create_entitlement(self.row['id'], 'domain',
                                           self.domain['id'])

        self.assertEqual(1, len(self.driver.list_entitlements()))

    def test_the_bound_region_must_exist(self):
        self.assertRaises(exception.BoundRegionNotFound,
                          self.driver.create_entitlement, uuid.uuid4().hex,
                          'project', self.project['id'])

    def test_target_type_is_part_of_the_key(self):
        self.driver.create_entitlement(self.row['id'], 'domain', 'x')

        self.assertRaises(exception.EntitlementNotFound,
                          self.driver.get_entitlement, self.row['id'],
                          'project', 'x')
        self.assertRaises(exception.EntitlementNotFound,
                          self.driver.delete_entitlement, self.row['id'],
                          'project', 'x')

    def test_list_filters_and_order(self):
        other = self.create_bound_region(self.provider)
        for row, target_type, target_id in (
                (self.row, 'project', 'b'), (self.row, 'domain', 'c'),
                (other, 'project', 'a'), (self.row, 'project', 'a')):
            self.driver.create_entitlement(row['id'], target_type, target_id)

        self.assertEqual(
            [('domain', 'c'), ('project', 'a'), ('project', 'b')],
            [(e['target_type'], e['target_id'])
             for e in self.driver.list_entitlements(
                 bound_region_id=self.row['id'])])
        self.assertEqual(
            sorted([self.row['id'], other['id']]),
            sorted(e['bound_region_id']
                   for e in self.driver.list_entitlements(target_id='a')))
        self.assertEqual(4, len(self.driver.list_entitlements()))

    def test_delete_entitlements_of(self):
        other = self.create_bound_region(self.provider)
        for row in (self.row, other):
            self.driver.create_entitlement(row['id'], 'project', 'gone')
        self.driver.create_entitlement(self.row['id'], 'project', 'kept')

        self.driver.delete_entitlements_of('gone')

        self.assertEqual(['kept'], [
            e['target_id'] for e in self.driver.list_entitlements()])

    def _regions(self, project_id, domain_id=None):
        return sorted(r['region_id'] for r in
                      self.driver.list_entitled_bound_regions(project_id,
                                                              domain_id))

    def test_entitled_bound_regions(self):
        by_project = self.row
        by_domain = self.create_bound_region(self.provider)
        not_active = self.create_bound_region(self.provider,
                                              status='requested')
        self.create_bound_region(self.provider)  # nobody's
        self.driver.create_entitlement(by_project['id'], 'project',
                                       self.project['id'])
        self.driver.create_entitlement(by_domain['id'], 'domain',
                                       self.domain['id'])
        for target_type, target_id in (('project', self.project['id']),
                                       ('domain', self.domain['id'])):
            self.driver.create_entitlement(not_active['id'], target_type,
                                           target_id)

        self.assertEqual(
            sorted([by_project['region_id'], by_domain['region_id']]),
            self._regions(self.project['id']))
        self.assertEqual(
            {'id': by_project['id'], 'region_id': by_project['region_id']},
            [r for r in self.driver.list_entitled_bound_regions(
                self.project['id']) if r['id'] == by_project['id']][0])
        sibling = self.new_project(self.domain['id'])
        self.assertEqual([by_domain['region_id']],
                         self._regions(sibling['id']))
        self.assertEqual([], self._regions(self.new_project()['id']))
        # A domain given (from a token) is used instead of Keystone's.
        self.assertEqual([by_domain['region_id']],
                         self._regions(uuid.uuid4().hex, self.domain['id']))

        self.assertTrue(self.driver.is_entitled(by_project['id'],
                                                self.project['id']))
        self.assertTrue(self.driver.is_entitled(by_domain['id'],
                                                sibling['id']))
        self.assertFalse(self.driver.is_entitled(by_project['id'],
                                                 sibling['id']))
        self.assertFalse(self.driver.is_entitled(not_active['id'],
                                                 self.project['id']))
        self.assertFalse(self.driver.is_entitled(by_domain['id'],
                                                 uuid.uuid4().hex))

    def test_statuses_other_than_active_entitle_nobody(self):
        self.driver.create_entitlement(self.row['id'], 'project',
                                       self.project['id'])
        for status in ('requested', 'compensating', 'failed'):
            self.driver.update_bound_region(self.row['id'],
                                            {'status': status})
            self.assertFalse(self.driver.is_entitled(self.row['id'],
                                                     self.project['id']))
            self.assertEqual([], self._regions(self.project['id']))


class ProjectMappingTests(AggregatorDriverTestCase):

    def setUp(self):
        super().setUp()
        self.row = self.create_bound_region()

    def test_project_mapping(self):
        self.assertIsNone(self.driver.get_project_mapping(self.row['id'],
                                                          'p1'))
        mapping = self.driver.create_project_mapping({
            'bound_region_id': self.row['id'], 'project_id': 'p1',
            'reference': 'ref-1'})

        self.assertEqual(('p1', 'ref-1', None),
                         (mapping['project_id'], mapping['reference'],
                          mapping['provider_project_id']))
        self.assertEqual(mapping, self.driver.get_project_mapping(
            self.row['id'], 'p1'))
        self.driver.set_provider_project(self.row['id'], 'p1', 'remote')
        self.assertEqual('remote', self.driver.get_project_mapping(
            self.row['id'], 'p1')['provider_project_id'])

    def test_a_concurrent_mapping_is_the_one_returned(self):
        first = self.driver.create_project_mapping({
            'bound_region_id': self.row['id'], 'project_id': 'p1',
            'reference': 'ref-1'})

        second = self.driver.create_project_mapping({
            'bound_region_id': self.row['id'], 'project_id': 'p1',
            'reference': 'ref-2'})

        self.assertEqual(first, second)
        self.assertEqual(1, len(self.mercador_rows(models.ProjectMapping)))

    def test_mappings_are_per_bound_region(self):
        other = self.create_bound_region()
        for row, reference in ((self.row, 'ref-1'), (other, 'ref-2')):
            self.driver.create_project_mapping({
                'bound_region_id': row['id'], 'project_id': 'p1',
                'reference': reference})

        self.driver.set_provider_project(other['id'], 'p1', 'remote')

        self.assertIsNone(self.driver.get_project_mapping(
            self.row['id'], 'p1')['provider_project_id'])
        self.assertEqual('ref-2', self.driver.get_project_mapping(
            other['id'], 'p1')['reference'])
