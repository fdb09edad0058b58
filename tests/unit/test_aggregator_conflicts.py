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

"""What a bind loses to a concurrent request on the aggregator side: the
winner's bound region, a Conflict (409) that is compensated, or a second
try; never a database error, and no Keystone notification of what was
rolled back."""

from unittest import mock

from keystone import exception as ks_exception

from keystone_mercador import models
from tests.unit import aggregator_fixture

PROVIDERS = aggregator_fixture.PROVIDERS

OFFER = '/OS-MERCADOR/offers/{offer_id}'
BINDINGS = '/OS-MERCADOR/bindings'


class ConcurrentBindTests(aggregator_fixture.AggregatorTestCase):

    def setUp(self):
        super().setUp()
        self.provider_ref = self.register_provider()

    def test_same_key_at_once_gives_the_winner_s_bound_region(self):
        offer = self.provider.add_offer()
        ref = {'provider_id': self.provider_ref['id'],
               'offer_id': offer['id'], 'region_id': 'RegionSame',
               'idempotency_key': 'the-key'}
        won = {}
        self.provider.during('GET', OFFER, lambda: won.update(
            row=self.bound_regions.create_bound_region(dict(ref))[0]))

        row, created = self.bound_regions.create_bound_region(dict(ref))

        self.assertFalse(created)
        self.assertEqual(won['row']['id'], row['id'])
        self.assertEqual(1, len(self.bound_regions.list_bound_regions()))
        self.assertEqual(1, len(self.provider.bindings))

    def test_region_made_by_hand_meanwhile_is_a_conflict(self):
        offer = self.provider.add_offer()
        self.provider.during('POST', BINDINGS, lambda: (
            PROVIDERS.catalog_api.create_region(
                {'id': 'RegionTaken', 'description': 'by hand'})))
        self.clear_notifications()

        self.assertRaises(ks_exception.Conflict, self.bind,
                          self.provider_ref, offer, region_id='RegionTaken')

        row = self.bound_regions.find_bound_region('RegionTaken')
        self.assertEqual('failed', row['status'])
        self.assertIn('RegionTaken', row['reason'])
        # Compensated at the provider; the hand-made region is untouched
        # and nothing else was made here.
        self.assertEqual({}, self.provider.bindings)
        self.assertEqual('by hand', PROVIDERS.catalog_api.get_region(
            'RegionTaken')['description'])
        self.assertEqual([], self.region_endpoints('RegionTaken'))
        self.assertEqual({}, self.owned_services())
        self.assertEqual([], [t for t, _p in self.notifications
                              if t.startswith(('identity.service.',
                                               'identity.endpoint.'))])

    def test_service_created_by_a_concurrent_bind_is_used(self):
        first = self.bind(self.provider_ref, self.provider.add_offer(
            services=('compute',)))
        owned = self.owned_services()
        driver = self.bound_regions.driver
        self.clear_notifications()

        # The second bind read the services before the first made its own.
        with mock.patch.object(driver, 'list_owned_services',
                               side_effect=[{}, owned]):
            second = self.bind(self.provider_ref, self.provider.add_offer(
                services=('compute',)))

        self.assertEqual('active', second['status'])
        self.assertEqual(owned, self.owned_services())
        self.assertEqual(1, len([s for s in
                                 PROVIDERS.catalog_api.list_services()
                                 if s['type'] == 'compute']))
        self.assertEqual(
            {owned['compute']},
            {e['service_id'] for e in self.mercador_rows(
                models.BoundEndpoint)})
        # The first try rolled back before it made anything: one region
        # and one endpoint notified, those of the second try.
        sent = [t for t, _p in self.notifications]
        self.assertEqual(1, sent.count('identity.region.created'))
        self.assertEqual(1, sent.count('identity.endpoint.created'))
        self.assertEqual(0, sent.count('identity.service.created'))
        self.assertEqual('active', self.bound_regions.get_bound_region(
            first['id'])['status'])
