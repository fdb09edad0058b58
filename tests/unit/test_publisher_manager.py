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

"""Business rules of the publisher manager, on Keystone's own managers."""

from unittest import mock
import uuid

from keystone.common import driver_hints
from keystone import exception as ks_exception

from keystone_mercador import exception
from keystone_mercador import models
from keystone_mercador.policies import publisher as publisher_policies
from keystone_mercador.publisher import core
from tests.unit import keystone_fixture

CONF = keystone_fixture.CONF
PROVIDERS = keystone_fixture.PROVIDERS

REGION = 'RegionVR'
OTHER_REGION = 'RegionOther'


def new_virtual_region_ref(**kwargs):
    ref = {'name': uuid.uuid4().hex, 'region_id': REGION,
           'services': ['compute']}
    if 'domain_id' not in kwargs:
        ref['domain_name'] = uuid.uuid4().hex
    ref.update(kwargs)
    return ref


def _hints(**filters):
    hints = driver_hints.Hints()
    for name, value in filters.items():
        hints.add_filter(name, value)
    return hints


class PublisherTestCase(keystone_fixture.KeystoneTestCase):
    """A provider cloud.

    Region RegionVR has compute and network endpoints (one disabled) and an
    endpoint of a disabled image service; volumev3 is only in RegionOther.
    Keystone has registered limits for compute cores in RegionVR, compute
    ram in RegionOther and network ports in every region.
    """

    managers = (core.Manager,)

    def setUp(self):
        super().setUp()
        self.manager = PROVIDERS.mercador_publisher_api
        self.initiator = keystone_fixture.new_initiator()
        for region_id in (REGION, OTHER_REGION):
            PROVIDERS.catalog_api.create_region(
                {'id': region_id, 'description': ''})
        self.services = {}
        for stype, enabled in (('compute', True), ('network', True),
                               ('image', False), ('volumev3', True)):
            service_id = uuid.uuid4().hex
            self.services[stype] = PROVIDERS.catalog_api.create_service(
                service_id, {'id': service_id, 'type': stype,
                             'name': stype, 'enabled': enabled})
        self.endpoints = {}
        for stype, interface, region_id, enabled in (
                ('compute', 'public', REGION, True),
                ('compute', 'internal', REGION, True),
                ('compute', 'admin', REGION, False),
                ('network', 'public', REGION, True),
                ('image', 'public', REGION, True),
                ('volumev3', 'public', OTHER_REGION, True)):
            endpoint_id = uuid.uuid4().hex
            self.endpoints[stype, interface] = (
                PROVIDERS.catalog_api.create_endpoint(endpoint_id, {
                    'id': endpoint_id, 'interface': interface,
                    'region_id': region_id,
                    'service_id': self.services[stype]['id'],
                    'url': 'https://%s.test/%s' % (stype, interface),
                    'enabled': enabled}))
        PROVIDERS.unified_limit_api.create_registered_limits([
            self._registered_limit('compute', 'cores', REGION),
            self._registered_limit('compute', 'ram', OTHER_REGION),
            self._registered_limit('network', 'port', None),
        ])

    def _registered_limit(self, stype, resource_name, region_id):
        return {'id': uuid.uuid4().hex,
                'service_id': self.services[stype]['id'],
                'region_id': region_id, 'resource_name': resource_name,
                'default_limit': 10, 'description': ''}

    def create_aggregator(self, name=None):
        return self.manager.create_aggregator(
            {'name': name or uuid.uuid4().hex}, initiator=self.initiator)

    def create_virtual_region(self, **kwargs):
        return self.manager.create_virtual_region(
            new_virtual_region_ref(**kwargs), initiator=self.initiator)

    def create_offer(self, **kwargs):
        vr = self.create_virtual_region(**kwargs)
        return self.manager.update_virtual_region(
            vr['id'], {'status': 'published'}, initiator=self.initiator)

    def create_binding(self, aggregator, vr, key=None):
        return self.manager.create_binding(
            aggregator, vr['id'], key or uuid.uuid4().hex,
            initiator=self.initiator)

    def mercador_notifications(self):
        return [(event_type, payload['resource_info'])
                for event_type, payload in self.notifications
                if event_type.startswith('identity.OS-MERCADOR:')]

    def assertProjectGone(self, project_id):
        self.assertRaises(ks_exception.ProjectNotFound,
                          PROVIDERS.resource_api.get_project, project_id)

    def assertUserGone(self, user_id):
        self.assertRaises(ks_exception.UserNotFound,
                          PROVIDERS.identity_api.get_user, user_id)


class AggregatorTests(PublisherTestCase):

    def test_create_aggregator_creates_its_identity(self):
        aggregator = self.create_aggregator('reseller')

        domain = PROVIDERS.resource_api.get_domain_by_name(
            CONF.mercador.aggregator_domain)
        project = PROVIDERS.resource_api.get_project(
            aggregator['project_id'])
        self.assertEqual('reseller', project['name'])
        self.assertEqual(domain['id'], project['domain_id'])
        self.assertEqual(domain['id'], project['parent_id'])
        user = PROVIDERS.identity_api.get_user(aggregator['user_id'])
        self.assertEqual('reseller', user['name'])
        self.assertEqual(domain['id'], user['domain_id'])

        role = PROVIDERS.role_api.get_unique_role_by_name(
            publisher_policies.AGGREGATOR_ROLE)
        self.assertEqual(
            [role['id']],
            PROVIDERS.assignment_api.get_roles_for_user_and_project(
                user['id'], project['id']))

        app_cred = PROVIDERS.application_credential_api.\
            get_application_credential(
                aggregator['application_credential_id'])
        self.assertEqual(user['id'], app_cred['user_id'])
        self.assertEqual(project['id'], app_cred['project_id'])
        self.assertFalse(app_cred['unrestricted'])
        self.assertEqual([role['id']], [r['id'] for r in app_cred['roles']])

    def test_create_aggregator_under_password_policies(self):
        self.config_fixture.config(group='security_compliance',
                                   change_password_upon_first_use=True)

        aggregator = self.create_aggregator()

        PROVIDERS.application_credential_api.authenticate(
            aggregator['application_credential_id'],
            aggregator['credential']['application_credential_secret'])

    def test_create_aggregator_returns_a_working_credential(self):
        aggregator = self.create_aggregator()

        credential = aggregator['credential']
        self.assertEqual('v3applicationcredential', credential['type'])
        self.assertEqual('https://keystone.test/identity/v3',
                         credential['auth_url'])
        self.assertEqual(aggregator['application_credential_id'],
                         credential['application_credential_id'])
        PROVIDERS.application_credential_api.authenticate(
            credential['application_credential_id'],
            credential['application_credential_secret'])
        self.assertRaises(
            AssertionError,
            PROVIDERS.application_credential_api.authenticate,
            credential['application_credential_id'], uuid.uuid4().hex)

    def test_credential_is_not_stored(self):
        aggregator = self.create_aggregator()

        self.assertNotIn('credential', self.manager.get_aggregator(
            aggregator['id']))
        secret = aggregator['credential']['application_credential_secret']
        for row in self.mercador_rows(models.Aggregator):
            self.assertNotIn(secret, row.values())

    def test_auth_url_defaults_to_keystone_public_endpoint(self):
        self.config_fixture.config(group='mercador', public_auth_url=None)
        self.config_fixture.config(public_endpoint='https://id.test:5000/')

        aggregator = self.create_aggregator()

        self.assertEqual('https://id.test:5000/v3',
                         aggregator['credential']['auth_url'])

    def test_auth_url_keeps_an_explicit_version(self):
        self.config_fixture.config(group='mercador',
                                   public_auth_url='https://id.test/v3/')

        aggregator = self.create_aggregator()

        self.assertEqual('https://id.test/v3',
                         aggregator['credential']['auth_url'])

    def test_aggregators_share_the_domain_and_role(self):
        first = self.create_aggregator()
        second = self.create_aggregator()

        first_project = PROVIDERS.resource_api.get_project(
            first['project_id'])
        second_project = PROVIDERS.resource_api.get_project(
            second['project_id'])
        self.assertEqual(first_project['domain_id'],
                         second_project['domain_id'])
        roles = [r for r in PROVIDERS.role_api.list_roles()
                 if r['name'] == publisher_policies.AGGREGATOR_ROLE]
        self.assertEqual(1, len(roles))

    def test_create_aggregator_with_duplicate_name_is_conflict(self):
        self.create_aggregator('reseller')
        domain = PROVIDERS.resource_api.get_domain_by_name(
            CONF.mercador.aggregator_domain)
        users = PROVIDERS.identity_api.list_users(
            hints=_hints(domain_id=domain['id']))

        self.assertRaises(ks_exception.Conflict,
                          self.create_aggregator, 'reseller')

        # Nothing of the refused aggregator is left behind.
        self.assertEqual(1, len(self.manager.list_aggregators()))
        self.assertEqual(
            len(users), len(PROVIDERS.identity_api.list_users(
                hints=_hints(domain_id=domain['id']))))

    def test_get_aggregator_not_found(self):
        self.assertRaises(exception.AggregatorNotFound,
                          self.manager.get_aggregator, uuid.uuid4().hex)

    def test_find_aggregator_by_project(self):
        aggregator = self.create_aggregator()

        found = self.manager.find_aggregator_by_project(
            aggregator['project_id'])
        self.assertEqual(aggregator['id'], found['id'])
        self.assertIsNone(
            self.manager.find_aggregator_by_project(uuid.uuid4().hex))
        self.assertIsNone(self.manager.find_aggregator_by_project(None))

    def test_update_aggregator(self):
        aggregator = self.create_aggregator()

        ref = self.manager.update_aggregator(
            aggregator['id'], {'description': 'Resells RegionVR.'},
            initiator=self.initiator)

        self.assertEqual('Resells RegionVR.', ref['description'])
        self.assertEqual('Resells RegionVR.', self.manager.get_aggregator(
            aggregator['id'])['description'])

    def test_update_aggregator_not_found(self):
        self.assertRaises(exception.AggregatorNotFound,
                          self.manager.update_aggregator, uuid.uuid4().hex,
                          {'description': ''})


class DeleteAggregatorTests(PublisherTestCase):

    def test_delete_aggregator_revokes_everything(self):
        aggregator = self.create_aggregator()
        other = self.create_aggregator()
        vr = self.create_offer(visibility='listed',
                               aggregator_ids=[aggregator['id'],
                                               other['id']])
        binding, _password = self.create_binding(aggregator, vr)
        project, _created = self.manager.create_binding_project(
            binding['id'], uuid.uuid4().hex)
        kept, _password = self.create_binding(other, vr)

        self.manager.delete_aggregator(aggregator['id'],
                                       initiator=self.initiator)

        self.assertRaises(exception.AggregatorNotFound,
                          self.manager.get_aggregator, aggregator['id'])
        self.assertRaises(exception.BindingNotFound,
                          self.manager.get_binding, binding['id'])
        for project_id in (project['id'], binding['root_project_id'],
                           aggregator['project_id']):
            self.assertProjectGone(project_id)
        for user_id in (binding['user_id'], aggregator['user_id']):
            self.assertUserGone(user_id)
        self.assertRaises(
            ks_exception.ApplicationCredentialNotFound,
            PROVIDERS.application_credential_api.get_application_credential,
            aggregator['application_credential_id'])
        self.assertEqual([other['id']], self.manager.get_virtual_region(
            vr['id'])['aggregator_ids'])
        # The other aggregator keeps its binding.
        self.assertEqual([kept['id']],
                         [b['id'] for b in self.manager.list_bindings()])

    def test_delete_aggregator_invalidates_its_tokens(self):
        aggregator = self.create_aggregator()
        with self.make_request():
            token = PROVIDERS.token_provider_api.issue_token(
                aggregator['user_id'], ['application_credential'],
                project_id=aggregator['project_id'],
                app_cred_id=aggregator['application_credential_id'])
            PROVIDERS.token_provider_api.validate_token(token.id)

            self.manager.delete_aggregator(aggregator['id'])

            self.assertRaises((ks_exception.NotFound,
                               ks_exception.Unauthorized),
                              PROVIDERS.token_provider_api.validate_token,
                              token.id)

    def test_delete_aggregator_not_found(self):
        self.assertRaises(exception.AggregatorNotFound,
                          self.manager.delete_aggregator, uuid.uuid4().hex)

    def test_delete_aggregator_whose_identity_is_already_gone(self):
        aggregator = self.create_aggregator()
        PROVIDERS.identity_api.delete_user(aggregator['user_id'])

        self.manager.delete_aggregator(aggregator['id'])

        self.assertEqual([], self.manager.list_aggregators())
        self.assertProjectGone(aggregator['project_id'])


class VirtualRegionCreateTests(PublisherTestCase):

    def test_create_with_domain_name_creates_the_domain(self):
        vr = self.create_virtual_region(
            domain_name='vr-one', description='One.',
            metadata={'country': 'FR'})

        domain = PROVIDERS.resource_api.get_domain(vr['domain_id'])
        self.assertEqual('vr-one', domain['name'])
        self.assertTrue(vr['owns_domain'])
        self.assertEqual('draft', vr['status'])
        self.assertEqual('all', vr['visibility'])
        self.assertEqual([], vr['limits'])
        self.assertEqual([], vr['aggregator_ids'])
        self.assertEqual({'country': 'FR'}, vr['metadata'])
        self.assertEqual(vr, self.manager.get_virtual_region(vr['id']))

    def test_create_with_domain_id_uses_the_domain(self):
        domain_id = CONF.identity.default_domain_id

        vr = self.create_virtual_region(domain_id=domain_id)

        self.assertEqual(domain_id, vr['domain_id'])
        self.assertFalse(vr['owns_domain'])

    def test_domain_id_and_domain_name_are_exclusive(self):
        ref = new_virtual_region_ref(
            domain_id=CONF.identity.default_domain_id, domain_name='vr')
        self.assertRaises(exception.InvalidInput,
                          self.manager.create_virtual_region, ref)
        ref = new_virtual_region_ref()
        del ref['domain_name']
        self.assertRaises(exception.InvalidInput,
                          self.manager.create_virtual_region, ref)

    def test_domain_name_of_an_existing_domain_is_conflict(self):
        self.assertRaises(exception.Conflict, self.create_virtual_region,
                          domain_name='Default')

    def test_unknown_domain_id_is_invalid(self):
        self.assertRaises(exception.InvalidInput, self.create_virtual_region,
                          domain_id=uuid.uuid4().hex)

    def test_domain_backing_a_virtual_region_is_conflict(self):
        vr = self.create_virtual_region()

        self.assertRaises(exception.Conflict, self.create_virtual_region,
                          domain_id=vr['domain_id'])

    def test_aggregator_domain_is_refused(self):
        self.create_aggregator()
        domain = PROVIDERS.resource_api.get_domain_by_name(
            CONF.mercador.aggregator_domain)

        self.assertRaises(exception.InvalidInput, self.create_virtual_region,
                          domain_id=domain['id'])

    def test_aggregator_domain_name_is_refused(self):
        self.assertRaises((exception.InvalidInput, exception.Conflict),
                          self.create_virtual_region,
                          domain_name=CONF.mercador.aggregator_domain)

    def test_unknown_region_is_invalid(self):
        self.assertRaises(exception.InvalidInput, self.create_virtual_region,
                          region_id='Nowhere')

    def test_services_need_an_enabled_endpoint_in_the_region(self):
        vr = self.create_virtual_region(services=['compute', 'network'])
        self.assertEqual(['compute', 'network'], vr['services'])

        # image: disabled service; volumev3: endpoint in another region.
        for stype in ('image', 'volumev3', 'object-store'):
            self.assertRaises(exception.InvalidInput,
                              self.create_virtual_region,
                              services=['compute', stype])

    def test_limit_on_a_service_not_offered_is_invalid(self):
        self.assertRaises(
            exception.InvalidInput, self.create_virtual_region,
            services=['compute'],
            limits=[{'service_type': 'network', 'resource_name': 'port',
                     'resource_limit': 5}])

    def test_limit_needs_a_registered_limit_in_the_region(self):
        vr = self.create_virtual_region(limits=[
            {'service_type': 'compute', 'resource_name': 'cores',
             'resource_limit': 4}])
        self.assertEqual(4, vr['limits'][0]['resource_limit'])

        for resource_name in ('ram', 'instances'):
            self.assertRaises(
                exception.InvalidInput, self.create_virtual_region,
                limits=[{'service_type': 'compute',
                         'resource_name': resource_name,
                         'resource_limit': 4}])

    def test_visibility_all_takes_no_aggregator_ids(self):
        aggregator = self.create_aggregator()

        self.assertRaises(exception.InvalidInput, self.create_virtual_region,
                          aggregator_ids=[aggregator['id']])

    def test_listed_aggregators_must_exist(self):
        aggregator = self.create_aggregator()

        vr = self.create_virtual_region(visibility='listed',
                                        aggregator_ids=[aggregator['id']])
        self.assertEqual([aggregator['id']], vr['aggregator_ids'])
        self.assertRaises(exception.InvalidInput, self.create_virtual_region,
                          visibility='listed',
                          aggregator_ids=[uuid.uuid4().hex])

    def test_duplicate_name_is_conflict_and_leaves_no_domain(self):
        self.create_virtual_region(name='vr')

        self.assertRaises(exception.Conflict, self.create_virtual_region,
                          name='vr', domain_name='vr-two')

        self.assertRaises(ks_exception.DomainNotFound,
                          PROVIDERS.resource_api.get_domain_by_name, 'vr-two')
        # The domain name is free for a retry.
        self.create_virtual_region(name='vr-two', domain_name='vr-two')

    def test_list_virtual_regions(self):
        b = self.create_virtual_region(name='b')
        a = self.create_offer(name='a')

        self.assertEqual(['a', 'b'], [
            vr['name'] for vr in self.manager.list_virtual_regions()])
        self.assertEqual([b['id']], [
            vr['id'] for vr in self.manager.list_virtual_regions(
                status='draft')])
        self.assertEqual([a['id']], [
            vr['id'] for vr in self.manager.list_virtual_regions(name='a')])

    def test_get_virtual_region_not_found(self):
        self.assertRaises(exception.VirtualRegionNotFound,
                          self.manager.get_virtual_region, uuid.uuid4().hex)


class VirtualRegionUpdateTests(PublisherTestCase):

    def _set_status(self, vr, status):
        return self.manager.update_virtual_region(
            vr['id'], {'status': status}, initiator=self.initiator)

    def test_status_transitions(self):
        vr = self.create_virtual_region()

        for status in ('published', 'withdrawn', 'published', 'withdrawn'):
            self.assertEqual(status, self._set_status(vr, status)['status'])

    def test_refused_status_transitions(self):
        for path in (['withdrawn'], ['published', 'draft'],
                     ['published', 'withdrawn', 'draft']):
            vr = self.create_virtual_region()
            for status in path[:-1]:
                self._set_status(vr, status)
            self.assertRaises(exception.Conflict, self._set_status, vr,
                              path[-1])
            self.assertEqual(
                (path[:-1] or ['draft'])[-1],
                self.manager.get_virtual_region(vr['id'])['status'])

    def test_same_status_is_no_change(self):
        vr = self.create_virtual_region()

        self.assertEqual('draft', self._set_status(vr, 'draft')['status'])

    def test_update_services_and_limits(self):
        vr = self.create_virtual_region()
        limits = [{'service_type': 'compute', 'resource_name': 'cores',
                   'resource_limit': 8}]

        ref = self.manager.update_virtual_region(
            vr['id'], {'services': ['compute', 'network'],
                       'limits': limits})

        self.assertEqual(['compute', 'network'], ref['services'])
        self.assertEqual(limits, ref['limits'])

    def test_update_checks_services_and_limits(self):
        vr = self.create_virtual_region(
            services=['compute', 'network'],
            limits=[{'service_type': 'compute', 'resource_name': 'cores',
                     'resource_limit': 1}])

        self.assertRaises(exception.InvalidInput,
                          self.manager.update_virtual_region, vr['id'],
                          {'services': ['image']})
        # New limits are checked against the current services, new services
        # against the current limits.
        self.assertRaises(exception.InvalidInput,
                          self.manager.update_virtual_region, vr['id'],
                          {'limits': [{'service_type': 'compute',
                                       'resource_name': 'ram',
                                       'resource_limit': 1}]})
        self.assertRaises(exception.InvalidInput,
                          self.manager.update_virtual_region, vr['id'],
                          {'services': ['network']})
        self.assertEqual(vr['services'], self.manager.get_virtual_region(
            vr['id'])['services'])

    def test_services_and_limits_are_frozen_while_bound(self):
        vr = self.create_offer()
        self.create_binding(self.create_aggregator(), vr)

        for values in ({'services': ['compute', 'network']},
                       {'limits': []}):
            self.assertRaises(exception.Conflict,
                              self.manager.update_virtual_region, vr['id'],
                              values)
        # Everything else may still change.
        ref = self.manager.update_virtual_region(
            vr['id'], {'description': 'Bound.', 'metadata': {'x-tier': 1},
                       'status': 'withdrawn'})
        self.assertEqual('Bound.', ref['description'])
        self.assertEqual({'x-tier': 1}, ref['metadata'])

    def test_visibility_listed_then_all_clears_the_list(self):
        aggregator = self.create_aggregator()
        vr = self.create_virtual_region()

        ref = self.manager.update_virtual_region(
            vr['id'], {'visibility': 'listed',
                       'aggregator_ids': [aggregator['id']]})
        self.assertEqual([aggregator['id']], ref['aggregator_ids'])
        # Another change keeps the list.
        ref = self.manager.update_virtual_region(
            vr['id'], {'description': 'Listed.'})
        self.assertEqual([aggregator['id']], ref['aggregator_ids'])

        ref = self.manager.update_virtual_region(
            vr['id'], {'visibility': 'all'})
        self.assertEqual('all', ref['visibility'])
        self.assertEqual([], ref['aggregator_ids'])

    def test_update_checks_visibility(self):
        aggregator = self.create_aggregator()
        vr = self.create_virtual_region()

        self.assertRaises(exception.InvalidInput,
                          self.manager.update_virtual_region, vr['id'],
                          {'aggregator_ids': [aggregator['id']]})
        self.assertRaises(exception.InvalidInput,
                          self.manager.update_virtual_region, vr['id'],
                          {'visibility': 'listed',
                           'aggregator_ids': [uuid.uuid4().hex]})

    def test_rename_to_a_taken_name_is_conflict(self):
        self.create_virtual_region(name='taken')
        vr = self.create_virtual_region()

        self.assertRaises(exception.Conflict,
                          self.manager.update_virtual_region, vr['id'],
                          {'name': 'taken'})

    def test_update_not_found(self):
        self.assertRaises(exception.VirtualRegionNotFound,
                          self.manager.update_virtual_region,
                          uuid.uuid4().hex, {'description': ''})


class VirtualRegionDeleteTests(PublisherTestCase):

    def test_delete_removes_the_owned_domain(self):
        vr = self.create_virtual_region()

        self.manager.delete_virtual_region(vr['id'], initiator=self.initiator)

        self.assertRaises(exception.VirtualRegionNotFound,
                          self.manager.get_virtual_region, vr['id'])
        self.assertRaises(ks_exception.DomainNotFound,
                          PROVIDERS.resource_api.get_domain, vr['domain_id'])

    def test_delete_keeps_a_domain_given_by_id(self):
        domain_id = CONF.identity.default_domain_id
        vr = self.create_virtual_region(domain_id=domain_id)

        self.manager.delete_virtual_region(vr['id'])

        PROVIDERS.resource_api.get_domain(domain_id)
        # The domain may back a new virtual region.
        self.create_virtual_region(domain_id=domain_id)

    def test_delete_is_refused_while_bound(self):
        vr = self.create_offer()
        binding, _password = self.create_binding(self.create_aggregator(),
                                                 vr)

        self.assertRaises(exception.Conflict,
                          self.manager.delete_virtual_region, vr['id'])
        self.manager.get_virtual_region(vr['id'])
        PROVIDERS.resource_api.get_domain(vr['domain_id'])

        self.manager.delete_binding(binding['id'])
        self.manager.delete_virtual_region(vr['id'])

    def test_delete_drops_the_access_list(self):
        aggregator = self.create_aggregator()
        vr = self.create_virtual_region(visibility='listed',
                                        aggregator_ids=[aggregator['id']])

        self.manager.delete_virtual_region(vr['id'])

        self.assertEqual([], self.mercador_rows(models.VirtualRegionAccess))
        # The aggregator outlives it.
        self.manager.delete_aggregator(aggregator['id'])

    def test_delete_when_the_domain_is_already_gone(self):
        vr = self.create_virtual_region()
        PROVIDERS.resource_api.update_domain(vr['domain_id'],
                                             {'enabled': False})
        PROVIDERS.resource_api.delete_domain(vr['domain_id'])

        self.manager.delete_virtual_region(vr['id'])

        self.assertEqual([], self.manager.list_virtual_regions())

    def test_delete_not_found(self):
        self.assertRaises(exception.VirtualRegionNotFound,
                          self.manager.delete_virtual_region,
                          uuid.uuid4().hex)


class OfferTests(PublisherTestCase):

    def setUp(self):
        super().setUp()
        self.aggregator = self.create_aggregator()
        self.other = self.create_aggregator()

    def _offer_ids(self, aggregator, **filters):
        return [o['id'] for o in self.manager.list_offers(aggregator,
                                                          filters)]

    def test_only_published_regions_are_offered(self):
        draft = self.create_virtual_region()
        published = self.create_offer()
        withdrawn = self.create_offer()
        self.manager.update_virtual_region(withdrawn['id'],
                                           {'status': 'withdrawn'})

        self.assertEqual([published['id']], self._offer_ids(self.aggregator))
        self.manager.get_offer(self.aggregator, published['id'])
        for vr in (draft, withdrawn):
            self.assertRaises(exception.OfferNotFound,
                              self.manager.get_offer, self.aggregator,
                              vr['id'])

    def test_listed_regions_are_offered_to_listed_aggregators_only(self):
        everyone = self.create_offer(name='a')
        listed = self.create_offer(name='b', visibility='listed',
                                   aggregator_ids=[self.aggregator['id']])

        self.assertEqual([everyone['id'], listed['id']],
                         self._offer_ids(self.aggregator))
        self.assertEqual([everyone['id']], self._offer_ids(self.other))
        self.assertRaises(exception.OfferNotFound, self.manager.get_offer,
                          self.other, listed['id'])

    def test_offers_are_sorted_by_name(self):
        for name in ('c', 'a', 'b'):
            self.create_offer(name=name)

        self.assertEqual(['a', 'b', 'c'], [
            o['name'] for o in self.manager.list_offers(self.aggregator)])

    def test_filters(self):
        fr = self.create_offer(
            services=['compute', 'network'],
            metadata={'country': 'FR', 'compliance': ['gdpr', 'hds']})
        de = self.create_offer(
            metadata={'country': 'DE', 'compliance': ['gdpr']})
        bare = self.create_offer()

        self.assertEqual([fr['id']],
                         self._offer_ids(self.aggregator, country='FR'))
        self.assertEqual(sorted([fr['id'], de['id']]), sorted(
            self._offer_ids(self.aggregator, compliance='gdpr')))
        self.assertEqual([fr['id']],
                         self._offer_ids(self.aggregator, compliance='hds'))
        self.assertEqual([fr['id']], self._offer_ids(
            self.aggregator, service_type='network'))
        self.assertEqual([bare['id']], self._offer_ids(
            self.aggregator, name=bare['name']))
        self.assertEqual([], self._offer_ids(
            self.aggregator, country='DE', compliance='hds'))
        self.assertEqual(3, len(self._offer_ids(self.aggregator)))

    def test_unknown_offer(self):
        self.assertRaises(exception.OfferNotFound, self.manager.get_offer,
                          self.aggregator, uuid.uuid4().hex)


class BindingTests(PublisherTestCase):

    def setUp(self):
        super().setUp()
        self.aggregator = self.create_aggregator()
        self.vr = self.create_offer(
            services=['compute', 'network'],
            limits=[{'service_type': 'compute', 'resource_name': 'cores',
                     'resource_limit': 4}])

    def test_create_binding(self):
        binding, password = self.create_binding(self.aggregator, self.vr)

        self.assertEqual(self.vr['id'], binding['virtual_region_id'])
        self.assertEqual(self.aggregator['id'], binding['aggregator_id'])
        self.assertEqual(binding, self.manager.get_binding(binding['id']))

        root = PROVIDERS.resource_api.get_project(binding['root_project_id'])
        self.assertEqual(self.vr['domain_id'], root['domain_id'])
        self.assertEqual(self.vr['domain_id'], root['parent_id'])
        user = PROVIDERS.identity_api.get_user(binding['user_id'])
        self.assertEqual(self.vr['domain_id'], user['domain_id'])
        with self.make_request():
            PROVIDERS.identity_api.authenticate(user['id'], password)

    def test_binding_password_is_exempt_from_password_policies(self):
        self.config_fixture.config(group='security_compliance',
                                   change_password_upon_first_use=True,
                                   password_expires_days=1)

        binding, password = self.create_binding(self.aggregator, self.vr)

        with self.make_request():
            PROVIDERS.identity_api.authenticate(binding['user_id'], password)
            _binding, password = self.manager.rotate_credential(
                binding['id'])
            PROVIDERS.identity_api.authenticate(binding['user_id'], password)

    def test_binding_roles_are_inherited_on_the_subtree(self):
        binding, _password = self.create_binding(self.aggregator, self.vr)
        root_id = binding['root_project_id']

        assignments = PROVIDERS.assignment_api.list_role_assignments(
            user_id=binding['user_id'])
        self.assertEqual(
            [(self.roles['member']['id'], root_id, True)],
            [(a['role_id'], a['project_id'],
              'inherited_to_projects' in a) for a in assignments])
        project, _created = self.manager.create_binding_project(
            binding['id'], uuid.uuid4().hex)
        self.assertEqual(
            [self.roles['member']['id']],
            PROVIDERS.assignment_api.get_roles_for_user_and_project(
                binding['user_id'], project['id']))

    def test_every_configured_binding_role_is_granted(self):
        self.config_fixture.config(group='mercador',
                                   binding_roles=['member', 'reader'])

        binding, _password = self.create_binding(self.aggregator, self.vr)

        project, _created = self.manager.create_binding_project(
            binding['id'], uuid.uuid4().hex)
        self.assertEqual(
            sorted([self.roles['member']['id'], self.roles['reader']['id']]),
            sorted(PROVIDERS.assignment_api.get_roles_for_user_and_project(
                binding['user_id'], project['id'])))

    def test_missing_binding_role_is_conflict(self):
        self.config_fixture.config(group='mercador',
                                   binding_roles=['member', 'tenant'])

        self.assertRaises(exception.Conflict, self.create_binding,
                          self.aggregator, self.vr)
        self.assertEqual([], self.manager.list_bindings())

    def test_limits_are_applied_to_the_root_project(self):
        binding, _password = self.create_binding(self.aggregator, self.vr)

        limits = PROVIDERS.unified_limit_api.list_limits(
            _hints(project_id=binding['root_project_id']))
        self.assertEqual(
            [(self.services['compute']['id'], REGION, 'cores', 4)],
            [(lim['service_id'], lim['region_id'], lim['resource_name'],
              lim['resource_limit']) for lim in limits])

    def test_accepted_limits_can_be_applied(self):
        # A registered limit without a region is a default for every region.
        limits = [{'service_type': 'network', 'resource_name': 'port',
                   'resource_limit': 3}]
        try:
            vr = self.create_offer(services=['network'], limits=limits)
        except exception.InvalidInput:
            return

        binding, _password = self.create_binding(self.aggregator, vr)

        applied = PROVIDERS.unified_limit_api.list_limits(
            _hints(project_id=binding['root_project_id']))
        self.assertEqual(['port'], [lim['resource_name'] for lim in applied])

    def test_bind_after_the_limited_service_lost_its_endpoints(self):
        for interface in ('public', 'internal', 'admin'):
            PROVIDERS.catalog_api.delete_endpoint(
                self.endpoints['compute', interface]['id'])

        self.assertRaises(ks_exception.Error, self.create_binding,
                          self.aggregator, self.vr)
        self.assertEqual([], self.manager.list_bindings())

    def test_replay_returns_the_binding_without_password(self):
        binding, password = self.create_binding(self.aggregator, self.vr,
                                                key='key-1')
        self.clear_notifications()

        replayed, no_password = self.create_binding(self.aggregator, self.vr,
                                                    key='key-1')

        self.assertIsNotNone(password)
        self.assertIsNone(no_password)
        self.assertEqual(binding, replayed)
        self.assertEqual(1, len(self.manager.list_bindings()))
        self.assertEqual([], self.mercador_notifications())

    def test_key_reused_for_another_region(self):
        other = self.create_offer()
        self.create_binding(self.aggregator, self.vr, key='key-1')

        self.assertRaises(exception.IdempotencyKeyReused,
                          self.create_binding, self.aggregator, other,
                          'key-1')

    def test_keys_belong_to_one_aggregator(self):
        other = self.create_aggregator()
        first, _password = self.create_binding(self.aggregator, self.vr,
                                               key='key-1')

        second, password = self.create_binding(other, self.vr, key='key-1')

        self.assertIsNotNone(password)
        self.assertNotEqual(first['id'], second['id'])

    def test_binding_an_offer_not_visible_is_not_found(self):
        other = self.create_aggregator()
        listed = self.create_offer(visibility='listed',
                                   aggregator_ids=[other['id']])
        draft = self.create_virtual_region()

        for vr in (listed, draft):
            self.assertRaises(exception.OfferNotFound, self.create_binding,
                              self.aggregator, vr)
        self.assertEqual([], self.manager.list_bindings())

    def test_describe_bindings(self):
        binding, _password = self.create_binding(self.aggregator, self.vr)

        described, = self.manager.describe_bindings([binding])

        self.assertEqual(self.vr['domain_id'], described['domain_id'])
        self.assertEqual(REGION, described['region_id'])
        self.assertEqual('https://keystone.test/identity/v3',
                         described['auth_url'])
        self.assertEqual([
            {'service_type': 'compute', 'interface': 'internal',
             'url': 'https://compute.test/internal'},
            {'service_type': 'compute', 'interface': 'public',
             'url': 'https://compute.test/public'},
            {'service_type': 'network', 'interface': 'public',
             'url': 'https://network.test/public'},
        ], described['endpoints'])

    def test_list_bindings_filters(self):
        other = self.create_aggregator()
        vr = self.create_offer()
        first, _password = self.create_binding(self.aggregator, self.vr)
        second, _password = self.create_binding(self.aggregator, vr)
        third, _password = self.create_binding(other, self.vr)

        def ids(**filters):
            return [b['id'] for b in self.manager.list_bindings(**filters)]

        self.assertEqual([first['id'], second['id'], third['id']], ids())
        self.assertEqual([first['id'], second['id']],
                         ids(aggregator_id=self.aggregator['id']))
        self.assertEqual([first['id'], third['id']],
                         ids(virtual_region_id=self.vr['id']))
        self.assertEqual({self.vr['id']: 2, vr['id']: 1},
                         self.manager.count_bindings([self.vr['id'],
                                                      vr['id']]))

    def test_delete_binding(self):
        binding, _password = self.create_binding(self.aggregator, self.vr)
        project, _created = self.manager.create_binding_project(
            binding['id'], uuid.uuid4().hex)
        # A project the provider made under a binding project.
        grandchild_id = uuid.uuid4().hex
        grandchild = PROVIDERS.resource_api.create_project(
            grandchild_id, {'id': grandchild_id, 'name': 'grandchild',
                            'domain_id': self.vr['domain_id'],
                            'parent_id': project['id'], 'is_domain': False,
                            'enabled': True, 'description': ''})
        self.clear_notifications()

        self.manager.delete_binding(binding['id'], initiator=self.initiator)

        self.assertRaises(exception.BindingNotFound,
                          self.manager.get_binding, binding['id'])
        self.assertEqual([], self.mercador_rows(models.BindingProject))
        self.assertUserGone(binding['user_id'])
        self.assertEqual([], PROVIDERS.unified_limit_api.list_limits(
            _hints(project_id=binding['root_project_id'])))
        deleted = [payload['resource_info']
                   for event_type, payload in self.notifications
                   if event_type == 'identity.project.deleted']
        # Leaves first.
        self.assertEqual([grandchild['id'], project['id'],
                          binding['root_project_id']], deleted)
        self.assertEqual(0, self.manager.count_bindings(
            [self.vr['id']])[self.vr['id']])

    def test_delete_binding_invalidates_its_tokens(self):
        binding, _password = self.create_binding(self.aggregator, self.vr)
        project, _created = self.manager.create_binding_project(
            binding['id'], uuid.uuid4().hex)
        with self.make_request():
            token = PROVIDERS.token_provider_api.issue_token(
                binding['user_id'], ['password'], project_id=project['id'])
            PROVIDERS.token_provider_api.validate_token(token.id)

            self.manager.delete_binding(binding['id'])

            self.assertRaises((ks_exception.NotFound,
                               ks_exception.Unauthorized),
                              PROVIDERS.token_provider_api.validate_token,
                              token.id)

    def test_delete_binding_whose_projects_are_already_gone(self):
        binding, _password = self.create_binding(self.aggregator, self.vr)
        PROVIDERS.resource_api.update_project(binding['root_project_id'],
                                              {'enabled': False})
        PROVIDERS.resource_api.delete_project(binding['root_project_id'])

        self.manager.delete_binding(binding['id'])

        self.assertEqual([], self.manager.list_bindings())
        self.assertUserGone(binding['user_id'])

    def test_delete_binding_not_found(self):
        self.assertRaises(exception.BindingNotFound,
                          self.manager.delete_binding, uuid.uuid4().hex)

    def test_rotate_credential(self):
        binding, old_password = self.create_binding(self.aggregator, self.vr)

        rotated, password = self.manager.rotate_credential(
            binding['id'], initiator=self.initiator)

        self.assertEqual(binding, rotated)
        self.assertNotEqual(old_password, password)
        with self.make_request():
            PROVIDERS.identity_api.authenticate(binding['user_id'], password)
            self.assertRaises(AssertionError,
                              PROVIDERS.identity_api.authenticate,
                              binding['user_id'], old_password)


class BindingProjectTests(PublisherTestCase):

    def setUp(self):
        super().setUp()
        aggregator = self.create_aggregator()
        self.vr = self.create_offer()
        self.binding, _password = self.create_binding(aggregator, self.vr)

    def test_create_binding_project(self):
        reference = uuid.uuid4().hex

        project, created = self.manager.create_binding_project(
            self.binding['id'], reference, initiator=self.initiator)

        self.assertTrue(created)
        self.assertEqual(reference, project['reference'])
        keystone_project = PROVIDERS.resource_api.get_project(project['id'])
        self.assertEqual(self.binding['root_project_id'],
                         keystone_project['parent_id'])
        self.assertEqual(self.vr['domain_id'], keystone_project['domain_id'])
        # Nothing of the reference reaches Keystone.
        self.assertNotIn(reference, keystone_project.values())
        self.assertEqual(project, self.manager.get_binding_project(
            self.binding['id'], project['id']))

    def test_create_is_idempotent_by_reference(self):
        reference = uuid.uuid4().hex
        project, _created = self.manager.create_binding_project(
            self.binding['id'], reference)
        self.clear_notifications()

        again, created = self.manager.create_binding_project(
            self.binding['id'], reference)

        self.assertFalse(created)
        self.assertEqual(project, again)
        self.assertEqual([], self.mercador_notifications())
        self.assertEqual(1, len(self.manager.list_binding_projects(
            self.binding['id'])))

    def test_max_projects_per_binding(self):
        self.config_fixture.config(group='mercador',
                                   max_projects_per_binding=2)
        references = [uuid.uuid4().hex for _i in range(2)]
        for reference in references:
            self.manager.create_binding_project(self.binding['id'],
                                                reference)

        self.assertRaises(exception.Conflict,
                          self.manager.create_binding_project,
                          self.binding['id'], uuid.uuid4().hex)
        # A replay is still answered.
        _project, created = self.manager.create_binding_project(
            self.binding['id'], references[0])
        self.assertFalse(created)

    def test_list_binding_projects(self):
        first, _created = self.manager.create_binding_project(
            self.binding['id'], uuid.uuid4().hex)
        second, _created = self.manager.create_binding_project(
            self.binding['id'], uuid.uuid4().hex)

        self.assertEqual([first, second], self.manager.list_binding_projects(
            self.binding['id']))
        self.assertRaises(exception.BindingNotFound,
                          self.manager.list_binding_projects,
                          uuid.uuid4().hex)

    def test_delete_binding_project(self):
        project, _created = self.manager.create_binding_project(
            self.binding['id'], uuid.uuid4().hex)

        self.manager.delete_binding_project(
            self.binding['id'], project['id'], initiator=self.initiator)

        self.assertProjectGone(project['id'])
        self.assertRaises(exception.BindingProjectNotFound,
                          self.manager.get_binding_project,
                          self.binding['id'], project['id'])

    def test_project_of_another_binding_is_not_found(self):
        aggregator = self.create_aggregator()
        other, _password = self.create_binding(aggregator, self.vr)
        project, _created = self.manager.create_binding_project(
            other['id'], uuid.uuid4().hex)

        self.assertRaises(exception.BindingProjectNotFound,
                          self.manager.get_binding_project,
                          self.binding['id'], project['id'])
        self.assertRaises(exception.BindingProjectNotFound,
                          self.manager.delete_binding_project,
                          self.binding['id'], project['id'])
        PROVIDERS.resource_api.get_project(project['id'])

    def test_unknown_binding(self):
        self.assertRaises(exception.BindingNotFound,
                          self.manager.create_binding_project,
                          uuid.uuid4().hex, uuid.uuid4().hex)


class NotificationTests(PublisherTestCase):
    """CADF events (Keystone's default notification format)."""

    def assertAudit(self, operation, resource_type, resource_id, message):
        event_type, payload = message
        self.assertEqual(
            'identity.%s.%s' % (resource_type, operation), event_type)
        self.assertEqual('%s.%s' % (operation, resource_type),
                         payload['action'])
        self.assertEqual('success', payload['outcome'])
        self.assertEqual(resource_id, payload['target']['id'])
        self.assertEqual(resource_id, payload['resource_info'])
        self.assertEqual(self.initiator.id, payload['initiator']['id'])
        self.assertEqual(self.initiator.request_id,
                         payload['initiator']['request_id'])

    def _last(self, resource_type):
        return [(t, p) for t, p in self.notifications
                if t.startswith('identity.%s.' % resource_type)][-1]

    def test_aggregator_notifications(self):
        aggregator = self.create_aggregator()
        self.assertAudit('created', core.AGGREGATOR, aggregator['id'],
                         self._last(core.AGGREGATOR))

        self.manager.update_aggregator(aggregator['id'], {'description': ''},
                                       initiator=self.initiator)
        self.assertAudit('updated', core.AGGREGATOR, aggregator['id'],
                         self._last(core.AGGREGATOR))

        self.manager.delete_aggregator(aggregator['id'],
                                       initiator=self.initiator)
        self.assertAudit('deleted', core.AGGREGATOR, aggregator['id'],
                         self._last(core.AGGREGATOR))

    def test_virtual_region_notifications(self):
        vr = self.create_virtual_region()
        self.assertAudit('created', core.VIRTUAL_REGION, vr['id'],
                         self._last(core.VIRTUAL_REGION))

        self.manager.update_virtual_region(vr['id'], {'status': 'published'},
                                           initiator=self.initiator)
        self.assertAudit('updated', core.VIRTUAL_REGION, vr['id'],
                         self._last(core.VIRTUAL_REGION))

        self.manager.delete_virtual_region(vr['id'], initiator=self.initiator)
        self.assertAudit('deleted', core.VIRTUAL_REGION, vr['id'],
                         self._last(core.VIRTUAL_REGION))

    def test_binding_notifications(self):
        aggregator = self.create_aggregator()
        vr = self.create_offer()

        binding, _password = self.create_binding(aggregator, vr)
        self.assertAudit('created', core.BINDING, binding['id'],
                         self._last(core.BINDING))

        self.manager.rotate_credential(binding['id'],
                                       initiator=self.initiator)
        self.assertAudit('updated', core.BINDING, binding['id'],
                         self._last(core.BINDING))

        project, _created = self.manager.create_binding_project(
            binding['id'], uuid.uuid4().hex, initiator=self.initiator)
        self.assertAudit('created', core.BINDING_PROJECT, project['id'],
                         self._last(core.BINDING_PROJECT))

        self.manager.delete_binding_project(binding['id'], project['id'],
                                            initiator=self.initiator)
        self.assertAudit('deleted', core.BINDING_PROJECT, project['id'],
                         self._last(core.BINDING_PROJECT))

        self.manager.delete_binding(binding['id'], initiator=self.initiator)
        self.assertAudit('deleted', core.BINDING, binding['id'],
                         self._last(core.BINDING))

    def test_delete_aggregator_notifies_each_binding(self):
        aggregator = self.create_aggregator()
        vr = self.create_offer()
        first, _password = self.create_binding(aggregator, vr)
        second, _password = self.create_binding(aggregator, vr)
        self.clear_notifications()

        self.manager.delete_aggregator(aggregator['id'],
                                       initiator=self.initiator)

        self.assertEqual([
            ('identity.%s.deleted' % core.BINDING, first['id']),
            ('identity.%s.deleted' % core.BINDING, second['id']),
            ('identity.%s.deleted' % core.AGGREGATOR, aggregator['id']),
        ], self.mercador_notifications())

    def test_refused_change_sends_nothing(self):
        vr = self.create_virtual_region()
        self.clear_notifications()

        self.assertRaises(exception.Conflict,
                          self.manager.update_virtual_region, vr['id'],
                          {'status': 'withdrawn'})
        self.assertRaises(exception.Conflict, self.create_virtual_region,
                          name=vr['name'])

        self.assertEqual([], self.mercador_notifications())


class BasicNotificationTests(PublisherTestCase):
    """Keystone's "basic" notification format."""

    def config_overrides(self):
        super().config_overrides()
        self.config_fixture.config(notification_format='basic')

    def test_created_updated_deleted(self):
        vr = self.create_virtual_region()
        self.manager.update_virtual_region(vr['id'], {'description': 'x'},
                                           initiator=self.initiator)
        self.manager.delete_virtual_region(vr['id'], initiator=self.initiator)

        resource = core.VIRTUAL_REGION
        self.assertEqual([
            ('identity.%s.%s' % (resource, operation),
             {'resource_info': vr['id'],
              'request_id': self.initiator.request_id})
            for operation in ('created', 'updated', 'deleted')
        ], [(t, p) for t, p in self.notifications
            if t.startswith('identity.%s.' % resource)])

    def test_opted_out_events_are_not_sent(self):
        self.config_fixture.config(notification_opt_out=[
            'identity.%s.created' % core.AGGREGATOR])

        self.create_aggregator()

        self.assertEqual([], self.mercador_notifications())


class ConcurrentCreateTests(PublisherTestCase):
    """What a request loses to a concurrent one that got there first (its
    check before the insert found nothing): a Conflict (409) or the winner's
    object, never a database error, and nothing of the loser is left."""

    def setUp(self):
        super().setUp()
        self.aggregator = self.create_aggregator()
        self.vr = self.create_offer()

    def test_aggregator_whose_home_project_name_is_taken(self):
        domain = PROVIDERS.resource_api.get_domain_by_name(
            CONF.mercador.aggregator_domain)
        project_id = uuid.uuid4().hex
        PROVIDERS.resource_api.create_project(project_id, {
            'id': project_id, 'name': 'taken', 'domain_id': domain['id'],
            'parent_id': domain['id'], 'is_domain': False})
        users = PROVIDERS.identity_api.list_users(
            hints=_hints(domain_id=domain['id']))
        self.clear_notifications()

        with self.assertRaises(ks_exception.Conflict) as e:
            self.create_aggregator('taken')

        self.assertIn('taken', str(e.exception))
        self.assertEqual([self.aggregator['id']],
                         [a['id'] for a in self.manager.list_aggregators()])
        self.assertEqual(len(users), len(PROVIDERS.identity_api.list_users(
            hints=_hints(domain_id=domain['id']))))
        self.assertEqual([], self.notifications)

    def test_virtual_region_name(self):
        with mock.patch.object(self.manager.driver, '_vr_exists'):
            with self.assertRaises(exception.Conflict) as e:
                self.create_virtual_region(name=self.vr['name'],
                                           domain_name='vr-two')

        self.assertIn(self.vr['name'], str(e.exception))
        self.assertRaises(ks_exception.DomainNotFound,
                          PROVIDERS.resource_api.get_domain_by_name, 'vr-two')

    def test_virtual_region_domain(self):
        with mock.patch.object(self.manager, '_check_domain_free'):
            self.assertRaises(exception.Conflict, self.create_virtual_region,
                              domain_id=self.vr['domain_id'])

        self.assertEqual([self.vr['id']], [
            vr['id'] for vr in self.manager.list_virtual_regions()])

    def test_virtual_region_domain_name(self):
        domain_id = uuid.uuid4().hex
        PROVIDERS.resource_api.create_domain(domain_id, {
            'id': domain_id, 'name': 'late', 'enabled': True})
        by_name = PROVIDERS.resource_api.get_domain_by_name
        with mock.patch.object(
                PROVIDERS.resource_api, 'get_domain_by_name',
                side_effect=lambda name: (
                    by_name(name) if name != 'late'
                    else self.fail_lookup(name))):
            with self.assertRaises(ks_exception.Conflict) as e:
                self.create_virtual_region(domain_name='late')

        self.assertIn('late', str(e.exception))
        self.assertEqual([self.vr['id']], [
            vr['id'] for vr in self.manager.list_virtual_regions()])

    @staticmethod
    def fail_lookup(name):
        raise ks_exception.DomainNotFound(domain_id=name)

    def test_virtual_region_rename(self):
        other = self.create_virtual_region()

        with mock.patch.object(self.manager.driver, '_vr_exists'):
            self.assertRaises(exception.Conflict,
                              self.manager.update_virtual_region,
                              other['id'], {'name': self.vr['name']})

        self.assertEqual(other['name'], self.manager.get_virtual_region(
            other['id'])['name'])

    def test_binding_idempotency_key(self):
        binding, _password = self.create_binding(self.aggregator, self.vr,
                                                 key='key-1')
        projects = len(PROVIDERS.resource_api.list_projects())

        with mock.patch.object(self.manager.driver, 'find_binding_by_key',
                               side_effect=[None, binding]):
            replayed, password = self.create_binding(
                self.aggregator, self.vr, key='key-1')

        self.assertEqual(binding, replayed)
        self.assertIsNone(password)
        self.assertEqual(1, len(self.manager.list_bindings()))
        self.assertEqual(projects, len(PROVIDERS.resource_api.list_projects()))

    def test_binding_idempotency_key_for_another_region(self):
        binding, _password = self.create_binding(self.aggregator, self.vr,
                                                 key='key-1')
        other = self.create_offer()

        with mock.patch.object(self.manager.driver, 'find_binding_by_key',
                               side_effect=[None, binding]):
            self.assertRaises(exception.IdempotencyKeyReused,
                              self.create_binding, self.aggregator, other,
                              'key-1')

    def test_binding_project_reference(self):
        binding, _password = self.create_binding(self.aggregator, self.vr)
        project, _created = self.manager.create_binding_project(
            binding['id'], 'reference-0123456789')
        projects = len(PROVIDERS.resource_api.list_projects())

        with mock.patch.object(self.manager.driver, 'find_binding_project',
                               side_effect=[None, project]):
            again, created = self.manager.create_binding_project(
                binding['id'], 'reference-0123456789')

        self.assertEqual((project, False), (again, created))
        self.assertEqual(projects, len(PROVIDERS.resource_api.list_projects()))

    def test_shared_domain_and_role_created_concurrently(self):
        domain_id = uuid.uuid4().hex
        PROVIDERS.resource_api.create_domain(domain_id, {
            'id': domain_id, 'name': 'shared', 'enabled': True})

        # The lookup missed it; the create finds it taken and uses it.
        with mock.patch.object(PROVIDERS.resource_api, 'get_domain_by_name',
                               side_effect=[ks_exception.DomainNotFound(
                                   domain_id='shared'), {'id': domain_id}]):
            domain = self.manager._ensure_domain('shared', '')
        with mock.patch.object(self.manager, '_find_role',
                               side_effect=[None, {'id': 'the-role'}]):
            role = self.manager._ensure_role('member')

        self.assertEqual(domain_id, domain['id'])
        self.assertEqual('the-role', role['id'])


class RollbackTests(PublisherTestCase):
    """Keystone objects made in a transaction that rolls back: their
    notifications are never sent, Keystone's caches forget them."""

    def setUp(self):
        super().setUp()
        self.aggregator = self.create_aggregator()
        self.vr = self.create_offer()
        self.clear_notifications()

    def test_failed_binding_notifies_nothing_and_leaves_nothing(self):
        made = {}
        create_project = self.manager._create_project

        def record(*args, **kwargs):
            made['project'] = create_project(*args, **kwargs)
            # Keystone's manager cached it: the read hits the cache.
            PROVIDERS.resource_api.get_project(made['project']['id'])
            return made['project']

        with mock.patch.object(self.manager, '_create_project', record), \
                mock.patch.object(PROVIDERS.assignment_api, 'create_grant',
                                  side_effect=ks_exception.RoleNotFound(
                                      role_id='gone')):
            self.assertRaises(ks_exception.RoleNotFound, self.create_binding,
                              self.aggregator, self.vr)

        self.assertEqual([], self.notifications)
        self.assertRaises(ks_exception.ProjectNotFound,
                          PROVIDERS.resource_api.get_project,
                          made['project']['id'])
        self.assertEqual([], self.manager.list_bindings())

    def test_caches_forget_objects_whose_events_are_opted_out(self):
        self.config_fixture.config(notification_opt_out=[
            'identity.project.created', 'identity.user.created'])
        made = {}
        create_project = self.manager._create_project

        def record(*args, **kwargs):
            made['project'] = create_project(*args, **kwargs)
            PROVIDERS.resource_api.get_project(made['project']['id'])
            raise ks_exception.RoleNotFound(role_id='gone')

        with mock.patch.object(self.manager, '_create_project', record):
            self.assertRaises(ks_exception.RoleNotFound, self.create_binding,
                              self.aggregator, self.vr)

        self.assertRaises(ks_exception.ProjectNotFound,
                          PROVIDERS.resource_api.get_project,
                          made['project']['id'])

    def test_committed_objects_are_notified_after_the_commit(self):
        binding, _password = self.create_binding(self.aggregator, self.vr)

        sent = [(t, p.get('resource_info')) for t, p in self.notifications]
        self.assertIn(('identity.project.created', binding['root_project_id']),
                      sent)
        self.assertIn(('identity.user.created', binding['user_id']), sent)
        # Keystone's, sent at the commit, come before Mercador's own.
        self.assertEqual(('identity.%s.created' % core.BINDING,
                          binding['id']), sent[-1])

    def test_rolled_back_update_is_not_notified(self):
        with mock.patch.object(self.manager.driver, 'delete_binding',
                               side_effect=exception.Conflict(reason='no')):
            binding, _password = self.create_binding(self.aggregator,
                                                     self.vr)
            self.clear_notifications()
            self.assertRaises(exception.Conflict,
                              self.manager.delete_binding, binding['id'])

        self.assertEqual([], self.notifications)
        PROVIDERS.resource_api.get_project(binding['root_project_id'])
        PROVIDERS.identity_api.get_user(binding['user_id'])
