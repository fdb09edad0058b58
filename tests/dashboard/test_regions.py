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

"""The region configuration, read from the real Mercador tables."""

import os
import tempfile

from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
import sqlalchemy as sa

from horizon import exceptions
from openstack_dashboard.test import helpers

from keystone_mercador import models
from mercador_dashboard.api import regions


def _bound_region(id, region_id, status='active', description=''):
    return models.BoundRegion(
        id=id, provider_id='prv1', offer_id='offer-' + id,
        region_id=region_id, description=description,
        idempotency_key='key-' + id, request_hash='h', status=status,
        services=['image'])


class RegionConfigTests(helpers.TestCase):

    def setUp(self):
        super().setUp()
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.url = 'sqlite:///' + os.path.join(tmp.name, 'keystone.db')
        engine = sa.create_engine(self.url)
        self.addCleanup(engine.dispose)
        models.Base.metadata.create_all(engine)
        self.session = sa.orm.Session(engine)
        self.addCleanup(self.session.close)
        self.session.add(models.Provider(
            id='prv1', name='acme', auth_url='https://acme.example/v3',
            application_credential_id='ac1', encrypted_secret='x',
            key_hash='k'))
        self.session.flush()
        self.session.add_all([
            _bound_region('br1', 'V1', description='Paris'),
            _bound_region('br2', 'V2'),
            _bound_region('br3', 'V3', status='failed'),
            models.Entitlement(bound_region_id='br1', target_type='project',
                               target_id='p1'),
            models.Entitlement(bound_region_id='br2', target_type='domain',
                               target_id='d1'),
            models.Entitlement(bound_region_id='br3', target_type='project',
                               target_id='p1'),
        ])
        self.session.commit()
        override = override_settings(MERCADOR_DATABASE_URL=self.url)
        override.enable()
        self.addCleanup(override.disable)
        cache.clear()
        self.addCleanup(cache.clear)
        self.addCleanup(regions._engine.cache_clear)

    def test_active_bound_regions(self):
        self.assertEqual((regions.BoundRegion('V1', 'Paris'),
                          regions.BoundRegion('V2', '')),
                         regions.bound_regions())

    def test_entitled_through_project_or_domain(self):
        self.assertEqual(('V1',), regions.entitled_region_ids('p1', 'd0'))
        self.assertEqual(('V1', 'V2'),
                         regions.entitled_region_ids('p1', 'd1'))
        self.assertEqual(('V2',), regions.entitled_region_ids('p2', 'd1'))
        self.assertEqual((), regions.entitled_region_ids('p2', 'd0'))

    def test_cached_for_a_few_seconds_then_read_again(self):
        self.assertEqual((), regions.entitled_region_ids('p9'))
        self.session.add(models.Entitlement(
            bound_region_id='br1', target_type='project', target_id='p9'))
        self.session.commit()

        self.assertEqual((), regions.entitled_region_ids('p9'))
        cache.clear()  # as when MERCADOR_REGION_CACHE_SECONDS have passed
        self.assertEqual(('V1',), regions.entitled_region_ids('p9'))

    def test_unreadable_database(self):
        with override_settings(
                MERCADOR_DATABASE_URL='sqlite:////nonexistent/dir/x.db'):
            with self.assertRaises(exceptions.NotAvailable):
                regions.bound_regions()

    def test_not_configured(self):
        with override_settings(MERCADOR_DATABASE_URL=None):
            with self.assertRaises(ImproperlyConfigured):
                regions.bound_regions()
