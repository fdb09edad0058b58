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

"""Drift between providers and the aggregator: audit finds, reconcile
repairs (``keystone_mercador.aggregator.reconcile``)."""

import uuid


from keystone_mercador.aggregator import reconcile
from keystone_mercador import exception
from keystone_mercador import models
from tests.unit import aggregator_fixture

PROVIDERS = aggregator_fixture.PROVIDERS
PROXY_URL = aggregator_fixture.PROXY_URL

BINDINGS = '/OS-MERCADOR/bindings'
BINDING = '/OS-MERCADOR/bindings/{binding_id}'


class ReconcileTests(aggregator_fixture.AggregatorTestCase):

    def setUp(self):
        super().setUp()
        self.provider_ref = self.register_provider()

    def audit(self, grace_period=0):
        return reconcile.reconcile(repair=False, grace_period=grace_period)

    def repair(self, grace_period=0):
        return reconcile.reconcile(repair=True, grace_period=grace_period)

    def assertFindings(self, expected, findings):
        """``expected``: [(region_id, problem, repair)]."""
        self.assertEqual(sorted(expected), sorted(
            (f['region_id'], f['problem'], f['repair']) for f in findings))

    def assertRepaired(self, findings):
        self.assertTrue(findings)
        self.assertEqual([None] * len(findings),
                         [f['error'] for f in findings])

    def bind(self, offer=None, **kwargs):
        return super().bind(self.provider_ref,
                            offer or self.provider.add_offer(), **kwargs)

    def compensating_row(self):
        """A bind whose compensation could not reach the provider: the
        provider holds a binding, the row is compensating."""
        self.provider.fail('POST', BINDINGS, status=500, apply=True)
        self.provider.fail('GET', BINDINGS, status=503)
        self.assertRaises(exception.ProviderError, self.bind,
                          region_id='RegionC')
        row = self.bound_regions.find_bound_region('RegionC')
        self.assertEqual('compensating', row['status'])
        return row

    def test_no_drift(self):
        self.bind()

        self.assertEqual([], self.audit())
        self.assertEqual([], self.repair())

    def test_interrupted_bind_past_grace_is_rolled_back(self):
        row = self.compensating_row()

        findings = self.audit()

        self.assertFindings([('RegionC', 'bind interrupted while '
                              'compensating', 'roll it back (failed)')],
                            findings)
        self.assertEqual('provider', findings[0]['provider'])
        self.assertNotIn('error', findings[0])
        self.assertEqual('compensating',
                         self.bound_regions.get_bound_region(
                             row['id'])['status'])
        self.assertEqual(1, len(self.provider.bindings))

        self.assertRepaired(self.repair())

        row = self.bound_regions.get_bound_region(row['id'])
        self.assertEqual('failed', row['status'])
        self.assertIn('HTTP 500', row['reason'])
        self.assertEqual({}, self.provider.bindings)
        self.assertEqual([], self.audit())

    def test_bind_interrupted_before_the_provider_answered(self):
        # The process died after the provider made the binding: the row
        # is still requested, the binding carries its ID as the key.
        offer = self.provider.add_offer()
        row = self.bound_regions.driver.create_bound_region({
            'id': uuid.uuid4().hex, 'provider_id': self.provider_ref['id'],
            'offer_id': offer['id'], 'region_id': 'RegionR',
            'idempotency_key': uuid.uuid4().hex, 'request_hash': 'h',
            'status': 'requested', 'services': offer['services']})
        self.provider.add_binding(offer['id'], idempotency_key=row['id'])

        self.assertFindings([('RegionR', 'bind interrupted while requested',
                              'roll it back (failed)')], self.audit())
        self.assertRepaired(self.repair())

        row = self.bound_regions.get_bound_region(row['id'])
        self.assertEqual(('failed', 'The bind was interrupted.'),
                         (row['status'], row['reason']))
        self.assertEqual({}, self.provider.bindings)

    def test_bind_in_progress_within_the_grace_period_is_left_alone(self):
        self.compensating_row()

        self.assertEqual([], self.audit(grace_period=3600))
        self.assertEqual([], self.repair(grace_period=3600))

    def test_grace_period_defaults_to_the_configured_one(self):
        self.compensating_row()

        self.assertEqual([], reconcile.reconcile(repair=True))

        self.config_fixture.config(group='mercador',
                                   reconcile_grace_period=0)
        (finding,) = reconcile.reconcile()
        self.assertEqual('bind interrupted while compensating',
                         finding['problem'])

    def test_rollback_without_the_provider_is_reported(self):
        row = self.compensating_row()
        self.provider.fail('DELETE', BINDING, status=503)

        (finding,) = self.repair()

        self.assertEqual('bind interrupted while compensating',
                         finding['problem'])
        self.assertIn('could not be deleted', finding['error'])
        self.assertEqual('compensating', self.bound_regions.get_bound_region(
            row['id'])['status'])
        self.assertEqual(1, len(self.provider.bindings))

    def test_binding_vanished_at_the_provider(self):
        row = self.bind()
        self.provider.bindings.clear()

        self.assertFindings([
            (row['region_id'], 'binding %s vanished at the provider'
             % row['binding_id'], 'remove the local region (failed)')],
            self.audit())
        self.assertEqual(2, len(self.region_endpoints(row['region_id'])))

        self.assertRepaired(self.repair())

        self.assertRegionGone(row['region_id'])
        self.assertEqual({}, self.owned_services())
        row = self.bound_regions.get_bound_region(row['id'])
        self.assertEqual('failed', row['status'])
        self.assertIn('vanished', row['reason'])
        self.assertIsNone(row['encrypted_password'])
        self.assertEqual([], self.mercador_rows(models.BoundEndpoint))
        self.assertEqual([], self.audit())

    def test_endpoint_edited_by_hand_is_rewritten(self):
        row = self.bind()
        compute, network = self.region_endpoints(row['region_id'])
        PROVIDERS.catalog_api.update_endpoint(
            compute['id'], {'url': 'https://elsewhere.test/compute'})

        self.assertFindings([(row['region_id'],
                              'endpoint of compute was changed',
                              'rewrite the region and its endpoints')],
                            self.audit())
        self.assertEqual('https://elsewhere.test/compute',
                         PROVIDERS.catalog_api.get_endpoint(
                             compute['id'])['url'])

        self.assertRepaired(self.repair())

        endpoints = self.region_endpoints(row['region_id'])
        self.assertEqual(
            [PROXY_URL + '/%s/compute' % row['region_id'],
             PROXY_URL + '/%s/network' % row['region_id']],
            [e['url'] for e in endpoints])
        self.assertNotIn(compute['id'], [e['id'] for e in endpoints])
        self.assertEqual(
            sorted(e['id'] for e in endpoints),
            sorted(b['endpoint_id']
                   for b in self.mercador_rows(models.BoundEndpoint)))
        self.assertEqual([], self.audit())

    def test_region_and_endpoints_deleted_by_hand_are_rewritten(self):
        row = self.bind()
        region_id = row['region_id']
        compute, network = self.region_endpoints(region_id)
        PROVIDERS.catalog_api.create_region({'id': 'RegionOne'})
        PROVIDERS.catalog_api.delete_endpoint(network['id'])
        PROVIDERS.catalog_api.update_endpoint(compute['id'],
                                              {'region_id': 'RegionOne'})
        PROVIDERS.catalog_api.delete_region(region_id)

        self.assertFindings([(region_id, 'region %s is missing; endpoint of '
                              'compute was changed; endpoint of network is '
                              'missing' % region_id,
                              'rewrite the region and its endpoints')],
                            self.audit())

        self.assertRepaired(self.repair())

        PROVIDERS.catalog_api.get_region(region_id)
        self.assertEqual(2, len(self.region_endpoints(region_id)))
        # The endpoint moved by hand was Mercador's: it is gone.
        self.assertEqual([], self.region_endpoints('RegionOne'))
        self.assertEqual([], self.audit())

    def test_service_deleted_by_hand_is_recreated(self):
        row = self.bind()
        network = self.owned_services()['network']
        (endpoint,) = [e for e in self.region_endpoints(row['region_id'])
                       if e['service_id'] == network]
        PROVIDERS.catalog_api.delete_service(network)

        self.assertFindings([(row['region_id'],
                              'endpoint of network is missing',
                              'rewrite the region and its endpoints')],
                            self.audit())
        self.assertRepaired(self.repair())

        self.assertNotEqual(network, self.owned_services()['network'])
        self.assertEqual(2, len(self.region_endpoints(row['region_id'])))
        self.assertEqual([], self.audit())

    def test_orphan_binding_is_deleted_at_the_provider(self):
        self.bind()
        orphan = self.provider.add_binding(self.provider.add_offer()['id'])

        self.assertFindings([(None, 'binding %s at the provider has no bound '
                              'region here' % orphan['id'],
                              'delete it at the provider')], self.audit())
        self.assertIn(orphan['id'], self.provider.bindings)

        self.assertRepaired(self.repair())

        self.assertNotIn(orphan['id'], self.provider.bindings)
        self.assertEqual(1, len(self.provider.bindings))
        self.assertEqual(1, self.provider.calls_to('DELETE', BINDING))

    def test_binding_of_a_failed_row_is_an_orphan(self):
        # The row failed (its reason kept) while the provider still has a
        # binding made with its key.
        row = self.compensating_row()
        self.bound_regions.driver.update_bound_region(row['id'],
                                                      {'status': 'failed'})
        (binding,) = self.provider.bindings.values()

        self.assertFindings([(None, 'binding %s at the provider has no bound '
                              'region here' % binding['id'],
                              'delete it at the provider')], self.audit())
        self.assertRepaired(self.repair())
        self.assertEqual({}, self.provider.bindings)

    def test_repair_leaves_a_bind_in_flight_alone(self):
        offer = self.provider.add_offer()
        concurrent = []
        self.provider.during(
            'GET', BINDINGS,
            lambda: concurrent.append(self.bind(offer)))

        self.repair(grace_period=600)

        (row,) = concurrent
        self.assertIn(row['binding_id'], self.provider.bindings)
        self.assertEqual([], self.audit(grace_period=600))

    def test_orphan_that_cannot_be_deleted_is_reported(self):
        orphan = self.provider.add_binding(self.provider.add_offer()['id'])
        self.provider.fail('DELETE', BINDING, status=503)

        (finding,) = self.repair()

        self.assertIn('HTTP 503', finding['error'])
        self.assertIn(orphan['id'], self.provider.bindings)

    def test_entitlement_of_a_deleted_project_is_removed(self):
        row = self.bind()
        project = self.new_project()
        self.entitlements.create_entitlement(row['id'], 'project',
                                             project['id'])
        gone = uuid.uuid4().hex
        # As left by a project deleted while the callback could not run.
        self.entitlements.driver.create_entitlement(row['id'], 'project',
                                                    gone)
        self.entitlements.driver.create_entitlement(row['id'], 'domain',
                                                    gone)

        findings = self.audit()

        self.assertFindings([
            (None, 'project %s of an entitlement no longer exists' % gone,
             'remove the entitlement'),
            (None, 'domain %s of an entitlement no longer exists' % gone,
             'remove the entitlement')], findings)
        self.assertEqual([None, None], [f['provider'] for f in findings])
        self.assertEqual(3, len(self.entitlements.list_entitlements()))

        self.assertRepaired(self.repair())

        self.assertEqual([('project', project['id'])], [
            (e['target_type'], e['target_id'])
            for e in self.entitlements.list_entitlements()])
        self.assertEqual([], self.audit())

    def test_unreachable_provider_is_reported_and_left_alone(self):
        row = self.bind()
        self.provider.fail('GET', BINDINGS, times=None,
                           exc=aggregator_fixture.refused)

        (finding,) = self.audit()

        self.assertEqual(('provider', None, 'none, retry later'),
                         (finding['provider'], finding['region_id'],
                          finding['repair']))
        self.assertIn('unreachable', finding['problem'])
        (finding,) = self.repair()
        self.assertIn('unreachable', finding['error'])
        self.assertEqual('active', self.bound_regions.get_bound_region(
            row['id'])['status'])

    def test_each_provider_on_its_own(self):
        other = self.new_provider('other')
        other_ref = self.register_provider(other)
        row = super().bind(other_ref, other.add_offer())
        mine = self.bind()
        other.bindings.clear()
        self.provider.fail('GET', BINDINGS, times=None, status=503)

        findings = self.repair()

        self.assertEqual(
            [('other', row['region_id']), ('provider', None)],
            sorted((f['provider'], f['region_id']) for f in findings))
        self.assertEqual('failed', self.bound_regions.get_bound_region(
            row['id'])['status'])
        self.assertEqual('active', self.bound_regions.get_bound_region(
            mine['id'])['status'])

    def test_repair_refreshes_computed_catalogs(self):
        row = self.bind()
        project = self.new_project()
        self.entitlements.create_entitlement(row['id'], 'project',
                                             project['id'])
        regions = self._catalog_regions(project)
        self.assertIn(row['region_id'], regions)
        self.provider.bindings.clear()

        self.repair()

        self.assertNotIn(row['region_id'], self._catalog_regions(project))

    @staticmethod
    def _catalog_regions(project):
        return {e['region_id']
                for s in PROVIDERS.catalog_api.get_v3_catalog(
                    uuid.uuid4().hex, project['id'])
                for e in s['endpoints']}
