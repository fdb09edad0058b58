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

"""Service chaining: one Keystone with both sides, a virtual region built
on one of its bound regions."""

import uuid

from keystone_mercador.aggregator import reconcile
from keystone_mercador import exception
from keystone_mercador import extension
from keystone_mercador import models
from keystone_mercador.publisher import api as publisher_api
from tests.unit import aggregator_fixture

CONF = aggregator_fixture.CONF
PROVIDERS = aggregator_fixture.PROVIDERS

BOUND = 'V1'
LIMITS = [{'service_type': 'compute', 'resource_name': 'cores',
           'resource_limit': 20},
          {'service_type': 'image', 'resource_name': 'image_count_total',
           'resource_limit': -1}]


class ChainTestCase(aggregator_fixture.AggregatorTestCase):
    """A middle cloud: it bound ``V1`` from a provider, and publishes."""

    managers = (extension.PUBLISHER_MANAGERS
                + extension.AGGREGATOR_MANAGERS)

    def config_overrides(self):
        super().config_overrides()
        self.config_fixture.config(group='mercador', publisher=True)

    def setUp(self):
        super().setUp()
        self.publisher = PROVIDERS.mercador_publisher_api
        # This Keystone's own identity endpoint: bound regions list it.
        PROVIDERS.catalog_api.create_region({'id': 'RegionOne'})
        service_id = uuid.uuid4().hex
        PROVIDERS.catalog_api.create_service(service_id, {
            'id': service_id, 'type': 'identity', 'name': 'keystone',
            'enabled': True})
        endpoint_id = uuid.uuid4().hex
        PROVIDERS.catalog_api.create_endpoint(endpoint_id, {
            'id': endpoint_id, 'service_id': service_id,
            'region_id': 'RegionOne', 'interface': 'public',
            'url': 'https://keystone.test/identity', 'enabled': True})
        self.provider_ref = self.register_provider()
        self.offer = self.provider.add_offer(('compute', 'image'),
                                             limits=LIMITS)
        self.row = self.bind(self.provider_ref, self.offer,
                             region_id=BOUND)
        self.aggregator = self.publisher.create_aggregator(
            {'name': 'second-tier'}, initiator=self.initiator)

    def create_vr(self, **kwargs):
        ref = {'name': uuid.uuid4().hex, 'region_id': BOUND,
               'services': ['image'], 'domain_name': uuid.uuid4().hex}
        ref.update(kwargs)
        return self.publisher.create_virtual_region(
            ref, initiator=self.initiator)

    def publish(self, vr):
        return self.publisher.update_virtual_region(
            vr['id'], {'status': 'published'}, initiator=self.initiator)

    def bind_downstream(self, vr):
        binding, _password = self.publisher.create_binding(
            self.aggregator, vr['id'], uuid.uuid4().hex,
            initiator=self.initiator)
        return binding


class BoundRegionRowTests(ChainTestCase):

    def test_the_offers_limits_and_hops_are_kept(self):
        self.assertEqual(LIMITS, self.row['limits'])
        self.assertEqual(1, self.row['hops'])
        # (With this Keystone's own identity endpoint, which is no
        # offered service.)
        self.assertEqual({'compute', 'image'},
                         set(self.row['services']) - {'identity'})


class CreateTests(ChainTestCase):

    def test_virtual_region_on_a_bound_region(self):
        vr = self.create_vr(services=['compute', 'image'],
                            limits=[dict(LIMITS[0], resource_limit=5)])

        self.assertEqual(self.row['id'], vr['upstream_bound_region_id'])
        (view,) = self.publisher.describe_upstream([dict(vr)])
        self.assertEqual({'bound_region_id': self.row['id'], 'hops': 1},
                         view['upstream'])
        self.assertEqual(2, view['hops'])
        self.assertNotIn('upstream_bound_region_id', view)

    def test_on_a_physical_region_one_hop(self):
        self.assertEqual(
            [{'upstream': None, 'hops': 1}],
            self.publisher.describe_upstream(
                [{'upstream_bound_region_id': None}]))

    def test_hops_add_up(self):
        with aggregator_fixture.keystone_fixture.glue.session_for_write() \
                as session:
            session.query(models.BoundRegion).filter_by(
                id=self.row['id']).update({'hops': 3})
        vr = self.publish(self.create_vr())

        (offer,) = publisher_api._offer_views(
            self.publisher.list_offers(self.aggregator))

        self.assertEqual(vr['id'], offer['id'])
        self.assertEqual(4, offer['hops'])

    def test_no_registered_limit_needed(self):
        # Keystone here has no registered limit at all: the provider
        # upstream enforces the offer's.
        self.assertEqual(
            [], PROVIDERS.unified_limit_api.list_registered_limits())
        vr = self.create_vr(services=['compute'],
                            limits=[dict(LIMITS[0], resource_limit=20)])
        self.assertEqual(20, vr['limits'][0]['resource_limit'])

    def test_identity_is_never_offered(self):
        e = self.assertRaises(exception.InvalidInput, self.create_vr,
                              services=['identity'])
        self.assertIn('cannot offer identity', str(e))

    def test_only_what_the_bound_region_offers(self):
        e = self.assertRaises(exception.InvalidInput, self.create_vr,
                              services=['image', 'network'])
        # This Keystone's identity endpoint in V1 does not count.
        self.assertIn('Region V1 has no endpoint for service type(s) '
                      'network; available: compute, image.', str(e))

    def test_a_limit_beyond_the_offers(self):
        e = self.assertRaises(exception.InvalidInput, self.create_vr,
                              services=['compute'],
                              limits=[dict(LIMITS[0], resource_limit=21)])
        self.assertIn('Limit on compute/cores: 21 exceeds 20, the limit of '
                      'the offer bound as region V1.', str(e))

    def test_unlimited_beyond_a_limited_offer(self):
        e = self.assertRaises(exception.InvalidInput, self.create_vr,
                              services=['compute'],
                              limits=[dict(LIMITS[0], resource_limit=-1)])
        self.assertIn('-1 exceeds 20', str(e))

    def test_any_limit_within_an_unlimited_offer(self):
        vr = self.create_vr(limits=[dict(LIMITS[1], resource_limit=1000)])
        self.assertEqual(1000, vr['limits'][0]['resource_limit'])

    def test_a_limit_the_offer_does_not_set(self):
        e = self.assertRaises(
            exception.InvalidInput, self.create_vr, services=['compute'],
            limits=[{'service_type': 'compute', 'resource_name': 'ram',
                     'resource_limit': 1}])
        self.assertIn('Limit on compute/ram: the offer bound as region V1 '
                      'sets no limit on it', str(e))

    def test_not_on_a_failed_bound_region(self):
        self.bound_regions.mark_vanished(self.row)
        e = self.assertRaises(exception.InvalidInput, self.create_vr)
        self.assertIn('Region V1 is a bound region that is failed', str(e))

    def test_update_checks_the_offers_limits(self):
        vr = self.create_vr(services=['compute'])
        e = self.assertRaises(
            exception.InvalidInput, self.publisher.update_virtual_region,
            vr['id'], {'limits': [dict(LIMITS[0], resource_limit=99)]})
        self.assertIn('99 exceeds 20', str(e))
        ref = self.publisher.update_virtual_region(
            vr['id'], {'limits': [dict(LIMITS[0], resource_limit=19)]})
        self.assertEqual(19, ref['limits'][0]['resource_limit'])

    def test_update_refused_once_the_bound_region_failed(self):
        vr = self.create_vr(services=['compute'])
        self.bound_regions.mark_vanished(self.row)
        e = self.assertRaises(
            exception.Conflict, self.publisher.update_virtual_region,
            vr['id'], {'services': ['image']})
        self.assertIn('built on bound region V1, which is failed', str(e))


class EntitlementTests(ChainTestCase):

    def test_the_domain_is_entitled_and_forgotten(self):
        vr = self.create_vr()
        self.assertEqual(
            [{'bound_region_id': self.row['id'], 'target_type': 'domain',
              'target_id': vr['domain_id']}],
            self.entitlements.list_entitlements(self.row['id']))
        # Every project of the domain (the bindings') may use V1.
        project = self.new_project(vr['domain_id'])
        self.assertTrue(self.entitlements.is_entitled(self.row['id'],
                                                      project['id']))

        self.publisher.delete_virtual_region(vr['id'])

        self.assertEqual([],
                         self.entitlements.list_entitlements(self.row['id']))

    def test_entitled_to_an_existing_domain(self):
        domain = self.new_domain()
        vr = self.publisher.create_virtual_region(
            {'name': 'x', 'region_id': BOUND, 'services': ['image'],
             'domain_id': domain['id']})
        self.assertTrue(self.entitlements.get_entitlement(
            self.row['id'], 'domain', domain['id']))
        self.publisher.delete_virtual_region(vr['id'])
        # The domain stays, its entitlement goes.
        PROVIDERS.resource_api.get_domain(domain['id'])
        self.assertRaises(exception.EntitlementNotFound,
                          self.entitlements.get_entitlement,
                          self.row['id'], 'domain', domain['id'])


class BindingTests(ChainTestCase):

    def test_binding_makes_no_keystone_limit_here(self):
        vr = self.publish(self.create_vr(
            services=['compute'],
            limits=[dict(LIMITS[0], resource_limit=10)]))

        binding = self.bind_downstream(vr)

        self.assertEqual([], PROVIDERS.unified_limit_api.list_limits())
        (ref,) = self.publisher.describe_bindings([binding])
        self.assertEqual(('active', None), (ref['status'], ref['reason']))
        self.assertEqual(
            [('compute', aggregator_fixture.PROXY_URL + '/V1/compute')],
            sorted({(e['service_type'], e['url']) for e in ref['endpoints']}))

    def test_limits_checked_again_when_bound(self):
        vr = self.publish(self.create_vr(
            services=['compute'],
            limits=[dict(LIMITS[0], resource_limit=10)]))
        # The bound region was bound again with a smaller offer, say.
        with aggregator_fixture.keystone_fixture.glue.session_for_write() \
                as session:
            session.query(models.BoundRegion).filter_by(
                id=self.row['id']).update({'limits': [
                    dict(LIMITS[0], resource_limit=8)]})

        e = self.assertRaises(exception.Conflict, self.bind_downstream, vr)

        self.assertEqual(409, e.code)
        self.assertIn('cannot be bound: Limit on compute/cores: 10 exceeds '
                      '8', str(e))

    def test_not_bound_once_the_bound_region_failed(self):
        vr = self.publish(self.create_vr())
        self.bound_regions.mark_vanished(self.row)

        e = self.assertRaises(exception.Conflict, self.bind_downstream, vr)

        self.assertIn('which is failed: Binding %s vanished'
                      % self.row['binding_id'], str(e))

    def test_bindings_say_the_bound_region_failed(self):
        vr = self.publish(self.create_vr())
        binding = self.bind_downstream(vr)
        self.bound_regions.mark_vanished(self.row)

        (ref,) = self.publisher.describe_bindings([binding])

        self.assertEqual('failed', ref['status'])
        self.assertEqual(
            'Virtual region %s is built on bound region V1, which is failed: '
            'Binding %s vanished at the provider.'
            % (vr['name'], self.row['binding_id']), ref['reason'])

    def test_unbind_refused_while_virtual_regions_are_built_on_it(self):
        vr = self.create_vr()
        e = self.assertRaises(exception.Conflict,
                              self.bound_regions.delete_bound_region,
                              self.row['id'])
        self.assertIn('Bound region V1 carries virtual region(s) %s'
                      % vr['name'], str(e))

    def test_forced_unbind_fails_the_bindings(self):
        vr = self.publish(self.create_vr())
        binding = self.bind_downstream(vr)

        self.bound_regions.delete_bound_region(self.row['id'], force=True)

        (ref,) = self.publisher.describe_bindings([binding])
        self.assertEqual('failed', ref['status'])
        self.assertIn('which was unbound', ref['reason'])
        (view,) = self.publisher.describe_upstream(
            [self.publisher.get_virtual_region(vr['id'])])
        self.assertEqual({'bound_region_id': self.row['id'], 'hops': 1},
                         view['upstream'])


class ReconcileTests(ChainTestCase):

    def findings(self, repair=False):
        return [(f['region_id'], f['problem'], f['repair'])
                for f in reconcile.reconcile(repair=repair)]

    def test_audit_reports_the_dependents_of_a_vanished_binding(self):
        vr = self.publish(self.create_vr())
        self.bind_downstream(vr)
        del self.provider.bindings[self.row['binding_id']]

        self.assertEqual([
            (BOUND, 'binding %s vanished at the provider'
             % self.row['binding_id'], 'remove the local region (failed)'),
            (BOUND, 'virtual region %s (published, 1 binding(s)) is built '
             'on it; its bindings report it failed' % vr['name'],
             'withdraw the virtual region')], self.findings())
        self.assertEqual('published',
                         self.publisher.get_virtual_region(vr['id'])['status'])

    def test_reconcile_withdraws_them(self):
        vr = self.publish(self.create_vr())
        del self.provider.bindings[self.row['binding_id']]

        findings = reconcile.reconcile(repair=True)

        self.assertEqual([None, None], [f['error'] for f in findings])
        self.assertEqual('withdrawn',
                         self.publisher.get_virtual_region(vr['id'])['status'])
        self.assertEqual('failed', self.bound_regions.get_bound_region(
            self.row['id'])['status'])
        self.assertEqual([], self.findings())

    def test_a_dependent_of_a_gone_bound_region(self):
        vr = self.publish(self.create_vr())
        self.bound_regions.delete_bound_region(self.row['id'], force=True)

        self.assertEqual([
            (None, 'virtual region %s is built on bound region %s, which is '
             'gone' % (vr['name'], self.row['id']),
             'withdraw the virtual region')], self.findings())
        reconcile.reconcile(repair=True)
        self.assertEqual('withdrawn',
                         self.publisher.get_virtual_region(vr['id'])['status'])

    def test_a_dead_provider_fails_the_dependents_too(self):
        vr = self.publish(self.create_vr())
        # The provider revoked this cloud: its credential and bindings.
        self.provider.credentials.clear()
        self.provider.bindings.clear()

        findings = reconcile.reconcile(repair=True)

        self.assertIn(
            (BOUND, 'virtual region %s (published, 0 binding(s)) is built '
             'on it; its bindings report it failed' % vr['name']),
            [(f['region_id'], f['problem']) for f in findings])
        self.assertEqual('withdrawn',
                         self.publisher.get_virtual_region(vr['id'])['status'])
        self.assertIn('is dead', self.bound_regions.get_bound_region(
            self.row['id'])['reason'])


class DownstreamReconcileTests(aggregator_fixture.AggregatorTestCase):
    """The second tier: its provider (the middle) says a binding failed."""

    def test_a_failed_binding_fails_the_region(self):
        provider_ref, row = self.bound_story()
        remote = self.provider.bindings[row['binding_id']]
        remote.update(status='failed', reason='Upstream is gone.')

        (finding,) = reconcile.reconcile(repair=False)
        self.assertEqual('binding %s failed at the provider: Upstream is '
                         'gone.' % row['binding_id'], finding['problem'])

        (finding,) = reconcile.reconcile(repair=True)

        self.assertIsNone(finding['error'])
        got = self.bound_regions.get_bound_region(row['id'])
        self.assertEqual('failed', got['status'])
        self.assertEqual('The provider reports binding %s failed: Upstream '
                         'is gone.' % row['binding_id'], got['reason'])
        self.assertRegionGone(row['region_id'])
        # The tenant's proxy is told which region and why.
        e = self.assertRaises(exception.BoundRegionFailed,
                              PROVIDERS.mercador_access_api.get_endpoints,
                              row['region_id'])
        self.assertIn('Region %s is out of service: The provider reports '
                      'binding' % row['region_id'], str(e))
        # The next reconcile deletes the failed binding at the provider.
        reconcile.reconcile(repair=True)
        self.assertNotIn(row['binding_id'], self.provider.bindings)
