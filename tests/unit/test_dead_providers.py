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

"""A provider that went away: forced unbind and provider delete, and what
audit and reconcile do about a dead provider."""

import datetime
import uuid

from oslo_utils import timeutils

from keystone_mercador.aggregator import binding
from keystone_mercador.aggregator import providers
from keystone_mercador.aggregator import reconcile
from keystone_mercador import exception
from keystone_mercador import models
from tests.unit import aggregator_fixture

CONF = aggregator_fixture.CONF
PROVIDERS = aggregator_fixture.PROVIDERS

AUTH = '/auth/tokens'
BINDINGS = '/OS-MERCADOR/bindings'
BINDING = '/OS-MERCADOR/bindings/{binding_id}'


class DeadProviderTestCase(aggregator_fixture.AggregatorTestCase):

    def setUp(self):
        super().setUp()
        self.provider_ref = self.register_provider()
        self.rows = [self.bind(self.provider_ref, self.provider.add_offer(
            services=services)) for services in (('compute', 'network'),
                                                 ('compute',))]
        self.project = self.new_project()
        for row in self.rows:
            self.entitlements.create_entitlement(row['id'], 'project',
                                                 self.project['id'])
        # A tenant used the first one: a project mapping exists.
        PROVIDERS.mercador_access_api.get_access(
            self.rows[0]['region_id'], self.project_token(self.project))
        self.clear_notifications()

    def revoke(self):
        """The provider deleted this aggregator: its credential, and its
        bindings with it."""
        self.provider.credentials.clear()
        self.provider.bindings.clear()

    def go_away(self, times=None):
        """No connection to the provider (``times`` calls, or all)."""
        self.provider.fail('POST', AUTH, times=times,
                           exc=aggregator_fixture.refused)

    def catalog_regions(self):
        return {e['region_id']
                for s in PROVIDERS.catalog_api.get_v3_catalog(
                    uuid.uuid4().hex, self.project['id'])
                for e in s['endpoints']}

    def assertClean(self):
        """Nothing of the provider's bound regions is left here."""
        for row in self.rows:
            self.assertRegionGone(row['region_id'])
        self.assertEqual({}, self.owned_services())
        for model in (models.BoundRegion, models.BoundEndpoint,
                      models.Entitlement, models.ProjectMapping):
            self.assertEqual([], self.mercador_rows(model), model)
        self.assertEqual(set(), self.catalog_regions())


class ForcedUnbindTests(DeadProviderTestCase):

    def test_unreachable_provider_without_force_changes_nothing(self):
        self.go_away()

        self.assertRaises(exception.ProviderError,
                          self.bound_regions.delete_bound_region,
                          self.rows[0]['id'])

        self.assertEqual('active', self.bound_regions.get_bound_region(
            self.rows[0]['id'])['status'])
        self.assertIn(self.rows[0]['region_id'], self.catalog_regions())

    def test_forced_unbind_of_an_unreachable_provider(self):
        self.go_away()
        row = self.rows[0]

        leftovers = self.bound_regions.delete_bound_region(
            row['id'], force=True, initiator=self.initiator)

        (leftover,) = leftovers
        self.assertEqual(
            {'bound_region_id': row['id'], 'region_id': row['region_id'],
             'provider_id': self.provider_ref['id'],
             'provider_name': 'provider', 'binding_id': row['binding_id']},
            {k: v for k, v in leftover.items() if k != 'reason'})
        self.assertIn('unreachable', leftover['reason'])
        self.assertRegionGone(row['region_id'])
        self.assertRaises(exception.BoundRegionNotFound,
                          self.bound_regions.get_bound_region, row['id'])
        for model in (models.BoundEndpoint, models.Entitlement,
                      models.ProjectMapping):
            self.assertEqual([], [r for r in self.mercador_rows(model)
                                  if r['bound_region_id'] == row['id']])
        self.assertEqual({self.rows[1]['region_id']},
                         self.catalog_regions())
        # The other bound region still uses the compute service.
        self.assertEqual(['compute'], sorted(self.owned_services()))
        self.assertEqual(
            [('identity.%s.deleted' % binding.BOUND_REGION, row['id'])],
            self.mercador_notifications())

    def test_forced_unbind_of_a_working_provider_deletes_the_binding(self):
        row = self.rows[0]

        self.assertEqual([], self.bound_regions.delete_bound_region(
            row['id'], force=True))

        self.assertNotIn(row['binding_id'], self.provider.bindings)
        self.assertRegionGone(row['region_id'])

    def test_forced_unbind_of_a_revoked_aggregator(self):
        self.revoke()

        (leftover,) = self.bound_regions.delete_bound_region(
            self.rows[0]['id'], force=True)

        self.assertIn('rejected the application credential',
                      leftover['reason'])
        self.assertRegionGone(self.rows[0]['region_id'])

    def test_bind_in_progress_waits_for_its_grace_period(self):
        self.provider.fail('POST', BINDINGS, status=500, apply=True)
        self.provider.fail('GET', BINDINGS, status=503)
        self.assertRaises(exception.ProviderError, self.bind,
                          self.provider_ref, self.provider.add_offer(),
                          region_id='RegionC')
        row = self.bound_regions.find_bound_region('RegionC')
        self.assertEqual('compensating', row['status'])

        self.assertRaises(exception.Conflict,
                          self.bound_regions.delete_bound_region,
                          row['id'], force=True)

        self.config_fixture.config(group='mercador',
                                   reconcile_grace_period=0)
        self.assertEqual([], self.bound_regions.delete_bound_region(
            row['id'], force=True))
        # The provider's binding, found by its idempotency key, is gone.
        self.assertEqual([], [b for b in self.provider.bindings.values()
                              if b['idempotency_key'] == row['id']])

    def test_forced_unbind_of_a_failed_region(self):
        self.bound_regions.mark_vanished(self.rows[0])

        self.assertEqual([], self.bound_regions.delete_bound_region(
            self.rows[0]['id'], force=True))

        self.assertRegionGone(self.rows[0]['region_id'])


class ForcedProviderDeleteTests(DeadProviderTestCase):

    def test_provider_with_bound_regions_is_refused_without_force(self):
        self.assertRaises(exception.Conflict, self.providers.delete_provider,
                          self.provider_ref['id'])

    def test_forced_delete_of_an_unreachable_provider(self):
        self.go_away()
        calls = self.provider.calls_to('POST', AUTH)

        leftovers = self.providers.delete_provider(
            self.provider_ref['id'], force=True, initiator=self.initiator)

        self.assertEqual(sorted(r['id'] for r in self.rows),
                         sorted(lo['bound_region_id'] for lo in leftovers))
        # The provider was tried once, not once per bound region.
        self.assertEqual(calls + 1, self.provider.calls_to('POST', AUTH))
        self.assertRaises(exception.ProviderNotFound,
                          self.providers.get_provider,
                          self.provider_ref['id'])
        self.assertClean()
        self.assertEqual(
            sorted([('identity.%s.deleted' % binding.BOUND_REGION, r['id'])
                    for r in self.rows]
                   + [('identity.%s.deleted' % providers.PROVIDER,
                       self.provider_ref['id'])]),
            sorted(self.mercador_notifications()))

    def test_forced_delete_of_a_working_provider(self):
        self.assertEqual([], self.providers.delete_provider(
            self.provider_ref['id'], force=True))

        self.assertEqual({}, self.provider.bindings)
        self.assertClean()

    def test_nothing_is_deleted_while_a_bind_is_running(self):
        offer = self.provider.add_offer()
        self.provider.during('POST', BINDINGS, lambda: self.assertRaises(
            exception.Conflict, self.providers.delete_provider,
            self.provider_ref['id'], force=True))

        self.bind(self.provider_ref, offer)

        self.assertEqual(3, len(self.bound_regions.list_bound_regions()))


class DeadProviderReconcileTests(DeadProviderTestCase):

    def audit(self, dead_after=3600):
        return reconcile.reconcile(repair=False, dead_after=dead_after)

    def repair(self, dead_after=3600):
        return reconcile.reconcile(repair=True, dead_after=dead_after)

    def statuses(self):
        return [self.bound_regions.get_bound_region(r['id'])['status']
                for r in self.rows]

    def test_revoked_aggregator_is_a_dead_provider(self):
        self.revoke()

        findings = self.audit()

        dead = [f for f in findings if f['region_id'] is None]
        (dead,) = dead
        self.assertEqual('provider', dead['provider'])
        self.assertIn('dead provider', dead['problem'])
        self.assertIn('rejects this aggregator\'s credential',
                      dead['problem'])
        for row in self.rows:
            self.assertIn(row['region_id'], dead['problem'])
        self.assertEqual(
            sorted(r['region_id'] for r in self.rows),
            sorted(f['region_id'] for f in findings if f['region_id']))
        # A dry run.
        self.assertEqual(['active', 'active'], self.statuses())

        findings = self.repair()

        self.assertEqual(['failed', 'failed'], self.statuses())
        for row in self.rows:
            reason = self.bound_regions.get_bound_region(row['id'])['reason']
            self.assertIn('Provider provider is dead', reason)
            self.assertRegionGone(row['region_id'])
        self.assertEqual(set(), self.catalog_regions())
        self.assertEqual([None, None], [f['error'] for f in findings
                                        if f['region_id']])
        # The provider stays for its admin to delete.
        self.assertEqual(['the provider is dead'], [
            f['error'] for f in findings if f['region_id'] is None])
        self.assertRaises(
            exception.BoundRegionNotFound,
            PROVIDERS.mercador_access_api.get_access,
            self.rows[0]['region_id'], self.project_token(self.project))
        self.assertEqual([], [r for r in self.mercador_rows(models.BoundRegion)
                              if r['encrypted_password']])

        # Forced delete of the provider leaves a clean aggregator.
        self.providers.delete_provider(self.provider_ref['id'], force=True)
        self.assertClean()
        self.assertEqual([], self.audit())

    def test_unreachable_provider_is_dead_after_a_while(self):
        self.go_away()

        (finding,) = self.repair()

        self.assertEqual('none, retry later', finding['repair'])
        self.assertIn('unreachable since', finding['problem'])
        since = self.providers.get_provider(
            self.provider_ref['id'])['unreachable_since']
        self.assertIsNotNone(since)
        self.assertEqual(['active', 'active'], self.statuses())

        # Still unreachable: the first failure is kept.
        self.repair()
        self.assertEqual(since, self.providers.get_provider(
            self.provider_ref['id'])['unreachable_since'])

        # Past the time it may be unreachable.
        self.providers.set_unreachable(
            self.provider_ref['id'],
            timeutils.utcnow() - datetime.timedelta(seconds=3600))
        findings = self.audit()
        self.assertEqual(3, len(findings))
        self.assertIn('unreachable since', findings[0]['problem'])
        self.repair()
        self.assertEqual(['failed', 'failed'], self.statuses())
        self.assertEqual(set(), self.catalog_regions())

    def test_provider_that_answers_again_is_alive(self):
        self.go_away(times=1)
        self.repair()

        self.assertEqual([], self.repair())

        self.assertIsNone(self.providers.get_provider(
            self.provider_ref['id'])['unreachable_since'])
        self.assertEqual(['active', 'active'], self.statuses())

    def test_dead_after_defaults_to_the_configured_one(self):
        self.config_fixture.config(group='mercador', provider_dead_after=0)
        self.go_away()

        reconcile.reconcile(repair=True)

        self.assertEqual(['failed', 'failed'], self.statuses())
