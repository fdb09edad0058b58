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

"""The publisher SQL driver, on tables made by Mercador's migrations."""

import datetime
import uuid

from alembic import autogenerate
from alembic import migration
import sqlalchemy as sa

from keystone_mercador import exception
from keystone_mercador import models
from keystone_mercador.publisher.backends import sql as publisher_sql
from tests.unit import keystone_fixture

VERSION_TABLE = 'mercador_alembic_version'


def new_aggregator_ref(**kwargs):
    ref = {'id': uuid.uuid4().hex, 'name': uuid.uuid4().hex,
           'description': '', 'user_id': uuid.uuid4().hex,
           'project_id': uuid.uuid4().hex,
           'application_credential_id': uuid.uuid4().hex}
    ref.update(kwargs)
    return ref


def new_virtual_region_ref(**kwargs):
    ref = {'id': uuid.uuid4().hex, 'name': uuid.uuid4().hex,
           'description': '', 'region_id': 'RegionOne',
           'domain_id': uuid.uuid4().hex, 'owns_domain': True,
           'services': ['compute'], 'limits': [], 'metadata': {},
           'visibility': 'all', 'status': 'draft'}
    ref.update(kwargs)
    return ref


def new_binding_ref(aggregator_id, virtual_region_id, **kwargs):
    ref = {'id': uuid.uuid4().hex, 'virtual_region_id': virtual_region_id,
           'aggregator_id': aggregator_id,
           'idempotency_key': uuid.uuid4().hex, 'request_hash': 'a' * 64,
           'root_project_id': uuid.uuid4().hex,
           'user_id': uuid.uuid4().hex}
    ref.update(kwargs)
    return ref


def _without(ref, *keys):
    return {k: v for k, v in ref.items() if k not in keys}


class PublisherDriverTestCase(keystone_fixture.KeystoneTestCase):

    def setUp(self):
        super().setUp()
        self.driver = publisher_sql.Publisher()

    def create_aggregator(self, **kwargs):
        return self.driver.create_aggregator(new_aggregator_ref(**kwargs))

    def create_virtual_region(self, aggregator_ids=(), **kwargs):
        return self.driver.create_virtual_region(
            new_virtual_region_ref(**kwargs), list(aggregator_ids))

    def create_binding(self, aggregator=None, vr=None, **kwargs):
        aggregator = aggregator or self.create_aggregator()
        vr = vr or self.create_virtual_region()
        return self.driver.create_binding(
            new_binding_ref(aggregator['id'], vr['id'], **kwargs))

    def create_binding_project(self, binding, **kwargs):
        ref = {'id': uuid.uuid4().hex, 'binding_id': binding['id'],
               'reference': uuid.uuid4().hex}
        ref.update(kwargs)
        return self.driver.create_binding_project(ref)


class MigrationTests(PublisherDriverTestCase):

    def test_migrations_match_the_models(self):
        with self.engine.connect() as connection:
            context = migration.MigrationContext.configure(
                connection, opts={
                    'version_table': VERSION_TABLE,
                    'include_name': lambda name, type_, parent: (
                        type_ != 'table' or name.startswith('mercador_'))})
            diff = autogenerate.compare_metadata(context,
                                                 models.Base.metadata)

        self.assertEqual([], diff)

    def test_migrations_are_at_head(self):
        with self.engine.connect() as connection:
            context = migration.MigrationContext.configure(
                connection, opts={'version_table': VERSION_TABLE})
            current = context.get_current_heads()
        with self.engine.begin() as connection:
            # Upgrading again is a no-op.
            keystone_fixture.migrate(connection)

        self.assertEqual(1, len(current))
        self.assertEqual(
            set(models.Base.metadata.tables),
            {t for t in sa.inspect(self.engine).get_table_names()
             if t.startswith('mercador_') and t != VERSION_TABLE})


class AggregatorTests(PublisherDriverTestCase):

    def test_aggregator_crud(self):
        ref = new_aggregator_ref(description='A reseller.')

        aggregator = self.driver.create_aggregator(ref)
        self.assertEqual(ref, _without(aggregator, 'created_at'))
        self.assertIsInstance(aggregator['created_at'], datetime.datetime)
        self.assertEqual(aggregator, self.driver.get_aggregator(ref['id']))
        self.assertEqual([aggregator], self.driver.list_aggregators())

        updated = self.driver.update_aggregator(ref['id'],
                                                {'description': 'Renamed.'})
        self.assertEqual(dict(aggregator, description='Renamed.'), updated)
        self.assertEqual(updated, self.driver.get_aggregator(ref['id']))

        self.driver.delete_aggregator(ref['id'])
        self.assertRaises(exception.AggregatorNotFound,
                          self.driver.get_aggregator, ref['id'])
        self.assertEqual([], self.driver.list_aggregators())

    def test_duplicate_name_is_conflict(self):
        self.create_aggregator(name='reseller')

        self.assertRaises(exception.Conflict, self.create_aggregator,
                          name='reseller')
        self.assertEqual(1, len(self.driver.list_aggregators()))

    def test_not_found(self):
        aggregator_id = uuid.uuid4().hex
        self.assertRaises(exception.AggregatorNotFound,
                          self.driver.get_aggregator, aggregator_id)
        self.assertRaises(exception.AggregatorNotFound,
                          self.driver.update_aggregator, aggregator_id,
                          {'description': ''})
        self.assertRaises(exception.AggregatorNotFound,
                          self.driver.delete_aggregator, aggregator_id)

    def test_list_is_sorted_by_name(self):
        for name in ('c', 'a', 'b'):
            self.create_aggregator(name=name)

        self.assertEqual(['a', 'b', 'c'], [
            a['name'] for a in self.driver.list_aggregators()])

    def test_find_aggregator_by_project(self):
        aggregator = self.create_aggregator()
        self.create_aggregator()

        self.assertEqual(aggregator, self.driver.find_aggregator_by_project(
            aggregator['project_id']))
        self.assertIsNone(
            self.driver.find_aggregator_by_project(uuid.uuid4().hex))

    def test_delete_removes_it_from_access_lists(self):
        aggregator = self.create_aggregator()
        other = self.create_aggregator()
        vr = self.create_virtual_region(
            visibility='listed', aggregator_ids=[aggregator['id'],
                                                 other['id']])

        self.driver.delete_aggregator(aggregator['id'])

        self.assertEqual([other['id']], self.driver.get_virtual_region(
            vr['id'])['aggregator_ids'])


class VirtualRegionTests(PublisherDriverTestCase):

    def test_virtual_region_crud(self):
        aggregators = sorted(self.create_aggregator()['id']
                             for _i in range(2))
        ref = new_virtual_region_ref(
            visibility='listed', services=['compute', 'network'],
            limits=[{'service_type': 'compute', 'resource_name': 'cores',
                     'resource_limit': 8}],
            metadata={'country': 'FR', 'compliance': ['gdpr']})

        vr = self.driver.create_virtual_region(ref, list(reversed(
            aggregators)))
        # Built on a physical region: no upstream bound region.
        self.assertEqual(dict(ref, aggregator_ids=aggregators,
                              upstream_bound_region_id=None),
                         _without(vr, 'created_at', 'updated_at'))
        self.assertEqual(vr, self.driver.get_virtual_region(ref['id']))
        self.assertEqual([vr], self.driver.list_virtual_regions())

        updated = self.driver.update_virtual_region(
            ref['id'], {'status': 'published', 'metadata': {'x-tier': 1}})
        self.assertEqual('published', updated['status'])
        self.assertEqual({'x-tier': 1}, updated['metadata'])
        self.assertEqual(aggregators, updated['aggregator_ids'])
        self.assertGreaterEqual(updated['updated_at'], vr['updated_at'])
        self.assertEqual(updated, self.driver.get_virtual_region(ref['id']))

        self.driver.delete_virtual_region(ref['id'])
        self.assertRaises(exception.VirtualRegionNotFound,
                          self.driver.get_virtual_region, ref['id'])
        self.assertEqual([], self.driver.list_virtual_regions())

    def test_not_found(self):
        vr_id = uuid.uuid4().hex
        self.assertRaises(exception.VirtualRegionNotFound,
                          self.driver.get_virtual_region, vr_id)
        self.assertRaises(exception.VirtualRegionNotFound,
                          self.driver.update_virtual_region, vr_id,
                          {'description': ''})
        self.assertRaises(exception.VirtualRegionNotFound,
                          self.driver.delete_virtual_region, vr_id)

    def test_duplicate_name_is_conflict(self):
        self.create_virtual_region(name='taken')
        vr = self.create_virtual_region(name='free')

        self.assertRaises(exception.Conflict, self.create_virtual_region,
                          name='taken')
        self.assertRaises(exception.Conflict,
                          self.driver.update_virtual_region, vr['id'],
                          {'name': 'taken'})
        # Its own name is not a duplicate.
        self.driver.update_virtual_region(vr['id'], {'name': 'free'})

    def test_access_list(self):
        first = self.create_aggregator()
        second = self.create_aggregator()
        vr = self.create_virtual_region(visibility='listed',
                                        aggregator_ids=[first['id']])

        ref = self.driver.update_virtual_region(vr['id'],
                                                {'description': 'x'})
        self.assertEqual([first['id']], ref['aggregator_ids'])
        ref = self.driver.update_virtual_region(vr['id'], {},
                                                [second['id']])
        self.assertEqual([second['id']], ref['aggregator_ids'])
        ref = self.driver.update_virtual_region(vr['id'], {}, [])
        self.assertEqual([], ref['aggregator_ids'])

    def test_delete_removes_the_access_list(self):
        aggregator = self.create_aggregator()
        vr = self.create_virtual_region(visibility='listed',
                                        aggregator_ids=[aggregator['id']])

        self.driver.delete_virtual_region(vr['id'])

        self.assertEqual([], self.mercador_rows(models.VirtualRegionAccess))
        self.driver.get_aggregator(aggregator['id'])

    def test_list_filters_and_order(self):
        b = self.create_virtual_region(name='b', status='published')
        a = self.create_virtual_region(name='a', status='published')
        c = self.create_virtual_region(name='c')

        def ids(**filters):
            return [vr['id']
                    for vr in self.driver.list_virtual_regions(**filters)]

        self.assertEqual([a['id'], b['id'], c['id']], ids())
        self.assertEqual([a['id'], b['id']], ids(status='published'))
        self.assertEqual([c['id']], ids(status='draft'))
        self.assertEqual([b['id']], ids(name='b'))
        self.assertEqual([], ids(name='b', status='draft'))

    def test_list_offers(self):
        aggregator = self.create_aggregator()
        other = self.create_aggregator()
        everyone = self.create_virtual_region(name='a', status='published')
        listed = self.create_virtual_region(
            name='b', status='published', visibility='listed',
            aggregator_ids=[aggregator['id']])
        self.create_virtual_region(name='c', status='published',
                                   visibility='listed')
        self.create_virtual_region(name='d', status='draft')
        self.create_virtual_region(name='e', status='withdrawn')

        self.assertEqual([everyone['id'], listed['id']], [
            vr['id'] for vr in self.driver.list_offers(aggregator['id'])])
        self.assertEqual([everyone['id']], [
            vr['id'] for vr in self.driver.list_offers(other['id'])])
        self.assertEqual([aggregator['id']], self.driver.list_offers(
            aggregator['id'])[1]['aggregator_ids'])


class BindingTests(PublisherDriverTestCase):

    def setUp(self):
        super().setUp()
        self.aggregator = self.create_aggregator()
        self.vr = self.create_virtual_region(status='published')

    def test_binding_crud(self):
        ref = new_binding_ref(self.aggregator['id'], self.vr['id'])

        binding = self.driver.create_binding(ref)
        self.assertEqual(ref, _without(binding, 'created_at'))
        self.assertEqual(binding, self.driver.get_binding(ref['id']))
        self.assertEqual([binding], self.driver.list_bindings())

        self.driver.delete_binding(ref['id'])
        self.assertRaises(exception.BindingNotFound,
                          self.driver.get_binding, ref['id'])
        self.assertRaises(exception.BindingNotFound,
                          self.driver.delete_binding, ref['id'])

    def test_find_binding_by_key(self):
        binding = self.create_binding(self.aggregator, self.vr,
                                      idempotency_key='key-1')
        other = self.create_aggregator()

        self.assertEqual(binding, self.driver.find_binding_by_key(
            self.aggregator['id'], 'key-1'))
        self.assertIsNone(self.driver.find_binding_by_key(
            self.aggregator['id'], 'key-2'))
        self.assertIsNone(self.driver.find_binding_by_key(other['id'],
                                                          'key-1'))

    def test_idempotency_key_is_unique_per_aggregator(self):
        self.create_binding(self.aggregator, self.vr,
                            idempotency_key='key-1')

        self.assertRaises(exception.Conflict, self.create_binding,
                          self.aggregator, self.vr, idempotency_key='key-1')
        self.create_binding(self.create_aggregator(), self.vr,
                            idempotency_key='key-1')
        self.assertEqual(2, len(self.driver.list_bindings()))

    def test_list_filters_and_order(self):
        other_aggregator = self.create_aggregator()
        other_vr = self.create_virtual_region()
        when = datetime.datetime(2025, 1, 1)
        # Creation time first, then ID.
        third = self.create_binding(self.aggregator, self.vr, id='c' * 32,
                                    created_at=when)
        second = self.create_binding(other_aggregator, self.vr, id='b' * 32,
                                     created_at=when)
        first = self.create_binding(self.aggregator, other_vr, id='d' * 32,
                                    created_at=when - datetime.timedelta(
                                        seconds=1))

        def ids(**filters):
            return [b['id'] for b in self.driver.list_bindings(**filters)]

        self.assertEqual([first['id'], second['id'], third['id']], ids())
        self.assertEqual([first['id'], third['id']],
                         ids(aggregator_id=self.aggregator['id']))
        self.assertEqual([second['id'], third['id']],
                         ids(virtual_region_id=self.vr['id']))
        self.assertEqual([third['id']],
                         ids(aggregator_id=self.aggregator['id'],
                             virtual_region_id=self.vr['id']))

    def test_count_bindings(self):
        other_vr = self.create_virtual_region()
        unbound = self.create_virtual_region()
        for vr in (self.vr, self.vr, other_vr):
            self.create_binding(self.aggregator, vr)

        self.assertEqual(
            {self.vr['id']: 2, other_vr['id']: 1, unbound['id']: 0},
            self.driver.count_bindings([self.vr['id'], other_vr['id'],
                                        unbound['id']]))
        self.assertEqual({}, self.driver.count_bindings([]))
        missing = uuid.uuid4().hex
        self.assertEqual({missing: 0}, self.driver.count_bindings([missing]))

    def test_delete_binding_removes_its_projects(self):
        binding = self.create_binding(self.aggregator, self.vr)
        other = self.create_binding(self.aggregator, self.vr)
        self.create_binding_project(binding)
        kept = self.create_binding_project(other)

        self.driver.delete_binding(binding['id'])

        self.assertEqual([kept], self.mercador_rows(models.BindingProject))


class BindingProjectTests(PublisherDriverTestCase):

    def setUp(self):
        super().setUp()
        self.binding = self.create_binding()

    def test_binding_project_crud(self):
        ref = {'id': uuid.uuid4().hex, 'binding_id': self.binding['id'],
               'reference': uuid.uuid4().hex}

        project = self.driver.create_binding_project(ref)
        self.assertEqual(ref, _without(project, 'created_at'))
        self.assertEqual(project, self.driver.get_binding_project(
            self.binding['id'], ref['id']))
        self.assertEqual(project, self.driver.find_binding_project(
            self.binding['id'], ref['reference']))
        self.assertEqual([project], self.driver.list_binding_projects(
            self.binding['id']))

        self.driver.delete_binding_project(self.binding['id'], ref['id'])
        self.assertRaises(exception.BindingProjectNotFound,
                          self.driver.get_binding_project,
                          self.binding['id'], ref['id'])
        self.assertRaises(exception.BindingProjectNotFound,
                          self.driver.delete_binding_project,
                          self.binding['id'], ref['id'])
        self.assertIsNone(self.driver.find_binding_project(
            self.binding['id'], ref['reference']))

    def test_reference_is_unique_per_binding(self):
        self.create_binding_project(self.binding, reference='ref-1')

        self.assertRaises(exception.Conflict, self.create_binding_project,
                          self.binding, reference='ref-1')
        other = self.create_binding()
        self.create_binding_project(other, reference='ref-1')

    def test_project_belongs_to_one_binding(self):
        other = self.create_binding()
        project = self.create_binding_project(other)

        self.assertRaises(exception.BindingProjectNotFound,
                          self.driver.get_binding_project,
                          self.binding['id'], project['id'])
        self.assertRaises(exception.BindingProjectNotFound,
                          self.driver.delete_binding_project,
                          self.binding['id'], project['id'])
        self.assertIsNone(self.driver.find_binding_project(
            self.binding['id'], project['reference']))
        self.assertEqual([], self.driver.list_binding_projects(
            self.binding['id']))

    def test_list_order(self):
        when = datetime.datetime(2025, 1, 1)
        second = self.create_binding_project(self.binding, id='b' * 32,
                                             created_at=when)
        third = self.create_binding_project(self.binding, id='c' * 32,
                                            created_at=when)
        first = self.create_binding_project(
            self.binding, id='d' * 32,
            created_at=when - datetime.timedelta(seconds=1))

        self.assertEqual([first, second, third],
                         self.driver.list_binding_projects(
                             self.binding['id']))
