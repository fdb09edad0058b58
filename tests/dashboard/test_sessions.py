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

"""A session holding the catalog of 150 regions survives a round trip."""

from django.contrib.sessions.backends import cache as cache_sessions
from django.contrib.sessions.backends import db as db_sessions
from django.contrib.sessions.backends import signed_cookies
from django.test import override_settings
from django.test import RequestFactory
from openstack_auth import user as auth_user

from openstack_dashboard.test import helpers

from tests.dashboard import fixtures

REGIONS = ['Region%03d' % i for i in range(150)]


class LargeCatalogSessionTests(helpers.TestCase):

    def setUp(self):
        super().setUp()
        self.token = fixtures.token(fixtures.catalog(REGIONS))

    def _round_trip(self, store_class):
        session = store_class()
        session['token'] = self.token
        session['services_region'] = 'Region149'
        session.save()
        request = RequestFactory().get('/project/')
        request.session = store_class(session.session_key)
        return auth_user.create_user_from_token(
            request, request.session['token'],
            'http://localhost/identity/v3',
            request.session['services_region'])

    def test_database_sessions(self):
        user = self._round_trip(db_sessions.SessionStore)

        self.assertEqual(REGIONS, sorted(user.available_services_regions))
        self.assertEqual('Region149', user.services_region)

    @override_settings(CACHES={'default': {
        'BACKEND': 'django.core.cache.backends.locmem.LocMemCache'}})
    def test_cache_sessions(self):
        user = self._round_trip(cache_sessions.SessionStore)

        self.assertEqual(REGIONS, sorted(user.available_services_regions))

    def test_signed_cookies_cannot_hold_it(self):
        session = signed_cookies.SessionStore()
        session['token'] = self.token
        session.save()

        # Browsers drop cookies over 4 KB: the user could never log in.
        self.assertGreater(len(session.session_key), 4096)
