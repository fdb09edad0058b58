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

from unittest import mock

from django.contrib.sessions.backends import db
from django.http import HttpResponse
from django.test import RequestFactory
from openstack_auth import user as auth_user

from horizon import exceptions
from openstack_dashboard.test import helpers

from mercador_dashboard import api
from mercador_dashboard import middleware
from tests.dashboard import fixtures


class CatalogRefreshTests(helpers.TestCase):

    def setUp(self):
        super().setUp()
        self.request = RequestFactory().get('/project/')
        self.request.session = db.SessionStore()
        token = fixtures.token(fixtures.catalog(['RegionOne']))
        self.request.session['token'] = token
        self.request.session['services_region'] = 'RegionOne'
        self.request.user = auth_user.create_user_from_token(
            self.request, token, 'http://localhost/identity/v3',
            'RegionOne')
        self.middleware = middleware.CatalogRefreshMiddleware(
            lambda request: HttpResponse())
        self.catalog = fixtures.catalog(['RegionOne', 'V1'])

    def _call(self):
        return self.middleware(self.request)

    @helpers.create_mocks({api.regions: ['entitled_region_ids'],
                           api.mercador: ['auth_catalog']})
    def test_first_request_only_remembers(self):
        self.mock_entitled_region_ids.return_value = ('V1',)

        self._call()

        self.assertEqual(['V1'],
                         self.request.session[middleware.SESSION_KEY])
        self.mock_auth_catalog.assert_not_called()
        self.mock_entitled_region_ids.assert_called_once_with(
            self.request.user.project_id,
            'default')

    @helpers.create_mocks({api.regions: ['entitled_region_ids'],
                           api.mercador: ['auth_catalog']})
    def test_unchanged_regions_cost_no_call(self):
        self.request.session[middleware.SESSION_KEY] = ['V1']
        self.mock_entitled_region_ids.return_value = ('V1',)

        self._call()

        self.mock_auth_catalog.assert_not_called()

    @helpers.create_mocks({api.regions: ['entitled_region_ids'],
                           api.mercador: ['auth_catalog']})
    def test_new_region_appears_without_login(self):
        self.request.session[middleware.SESSION_KEY] = []
        self.mock_entitled_region_ids.return_value = ('V1',)
        self.mock_auth_catalog.return_value = self.catalog
        self.assertNotIn('V1', self.request.user.available_services_regions)

        self._call()

        self.assertIn('V1', self.request.user.available_services_regions)
        self.assertEqual(['V1'],
                         self.request.session[middleware.SESSION_KEY])
        # The next request rebuilds the user from the session.
        self.request.session.save()
        session = db.SessionStore(self.request.session.session_key)
        user = auth_user.create_user_from_token(
            self.request, session['token'], 'http://localhost/identity/v3',
            session['services_region'])
        self.assertIn('V1', user.available_services_regions)
        self.assertEqual('RegionOne', user.services_region)

    @helpers.create_mocks({api.regions: ['entitled_region_ids'],
                           api.mercador: ['auth_catalog']})
    def test_unbound_current_region_falls_back(self):
        self.request.session['token'].serviceCatalog = self.catalog
        self.request.user.service_catalog = self.catalog
        self.request.user.services_region = 'V1'
        self.request.session[middleware.SESSION_KEY] = ['V1']
        self.mock_entitled_region_ids.return_value = ()
        self.mock_auth_catalog.return_value = fixtures.catalog(
            ['RegionOne'])

        self._call()

        self.assertNotIn('V1', self.request.user.available_services_regions)
        self.assertNotEqual('V1', self.request.session['services_region'])
        self.assertIn(self.request.session['services_region'],
                      self.request.user.available_services_regions)

    @helpers.create_mocks({api.regions: ['entitled_region_ids'],
                           api.mercador: ['auth_catalog']})
    def test_identity_only_login_region_gives_way(self):
        # An aggregator runs only Keystone in RegionOne: openstack_auth
        # still selects RegionOne at login, which hides every panel.
        catalog = fixtures.catalog(['V1'], service_types=('image',))
        token = fixtures.token(catalog)
        self.request.session['token'] = token
        self.request.user = auth_user.create_user_from_token(
            self.request, token, 'http://localhost/identity/v3',
            'RegionOne')
        self.assertFalse(self.request.user.has_perm(
            'openstack.services.image'))
        self.mock_entitled_region_ids.return_value = ('V1',)

        self._call()

        self.assertEqual('V1', self.request.user.services_region)
        self.assertEqual('V1', self.request.session['services_region'])
        self.assertTrue(self.request.user.has_perm(
            'openstack.services.image'))
        self.mock_auth_catalog.assert_not_called()

    @helpers.create_mocks({api.regions: ['entitled_region_ids'],
                           api.mercador: ['auth_catalog']})
    def test_failures_leave_the_page_alone(self):
        self.request.session[middleware.SESSION_KEY] = []
        self.mock_entitled_region_ids.return_value = ('V1',)
        self.mock_auth_catalog.side_effect = exceptions.NotAvailable(
            'Keystone is unreachable: refused')

        response = self._call()

        self.assertEqual(200, response.status_code)
        # Not remembered: tried again on the next request.
        self.assertEqual([], self.request.session[middleware.SESSION_KEY])

        self.mock_entitled_region_ids.side_effect = exceptions.NotAvailable(
            'The region configuration cannot be read: OperationalError')
        self.assertEqual(200, self._call().status_code)

    @helpers.create_mocks({api.regions: ['entitled_region_ids']})
    def test_anonymous_and_unscoped_users_are_skipped(self):
        self.request.user = mock.Mock(is_authenticated=False)
        self._call()
        self.request.user = mock.Mock(is_authenticated=True, project_id=None)
        self._call()

        self.mock_entitled_region_ids.assert_not_called()
