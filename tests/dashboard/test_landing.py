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

"""Landing pages where the default panels need a service the region lacks.
"""

from django.test.utils import override_settings
from django.urls import reverse

from openstack_auth import utils as auth_utils

from openstack_dashboard.test import helpers

from mercador_dashboard import api
from mercador_dashboard import landing
from tests.dashboard import fixtures

MIDDLEWARE = 'mercador_dashboard.landing.DashboardLandingMiddleware'
REGIONS_URL = reverse('horizon:project:regions:index')
API_ACCESS_URL = reverse('horizon:project:api_access:index')
# A bound region with Placement only, as on an aggregator.
NO_COMPUTE = fixtures.catalog(['V0'], service_types=('placement',))


def _with_landing():
    from django.conf import settings
    return override_settings(MIDDLEWARE=list(settings.MIDDLEWARE) +
                             [MIDDLEWARE])


class _UserMixin(object):

    def use_catalog(self, catalog, roles=None):
        self.setActiveUser(
            id=self.user.id, token=self.token, username=self.user.name,
            domain_id=self.domain.id, user_domain_name=self.domain.name,
            user_domain_id=self.domain.id, tenant_id=self.tenant.id,
            service_catalog=catalog,
            authorized_tenants=self.context['authorized_tenants'],
            roles=roles or [{'id': '2', 'name': 'member'}])


@_with_landing()
class ProjectLandingTests(_UserMixin, helpers.TestCase):

    def test_project_root_without_compute_opens_a_visible_panel(self):
        self.use_catalog(NO_COMPUTE)

        res = self.client.get(reverse('horizon:project:overview:index'))

        # API Access is the first panel of the project menu.
        self.assertRedirectsNoFollow(res, API_ACCESS_URL)

    def _process(self, path):
        request = self.factory.get(path)
        request.user = auth_utils.get_user(request)
        return landing.DashboardLandingMiddleware(None).process_view(
            request, None, (), {})

    def test_project_root_with_compute_is_horizons(self):
        # Horizon's own Overview answers (its Nova calls are not the
        # subject here).
        self.assertIsNone(
            self._process(reverse('horizon:project:overview:index')))
        self.use_catalog(NO_COMPUTE)
        self.assertEqual(API_ACCESS_URL, self._process(
            reverse('horizon:project:overview:index'))['location'])

    def test_other_pages_are_left_alone(self):
        self.use_catalog(NO_COMPUTE)

        res = self.client.get(reverse('horizon:project:instances:index'))

        # Horizon's own answer for a panel the region lacks.
        self.assertEqual(403, res.status_code)

    def test_user_home_is_the_regions_panel_without_compute(self):
        self.use_catalog(NO_COMPUTE)
        user = self.client.get(API_ACCESS_URL).wsgi_request.user

        self.assertEqual(REGIONS_URL, landing.user_home(user))

    def test_user_home_is_horizons_with_compute(self):
        user = self.client.get(API_ACCESS_URL).wsgi_request.user

        self.assertEqual(reverse('horizon:project:overview:index'),
                         landing.user_home(user))


@_with_landing()
class AdminLandingTests(_UserMixin, helpers.BaseAdminViewTests):

    @helpers.create_mocks({api.mercador: ['virtual_region_list',
                                          'bound_region_list']})
    def test_admin_root_without_compute_opens_a_visible_panel(self):
        self.use_catalog(NO_COMPUTE, roles=[{'id': '1', 'name': 'admin'}])

        res = self.client.get(reverse('horizon:admin:overview:index'))

        # The first admin panel an admin may open without Nova, Cinder,
        # Neutron or Glance.
        self.assertEqual(302, res.status_code)
        target = res['location']
        self.assertNotEqual(reverse('horizon:admin:overview:index'), target)
        followed = self.client.get(target)
        self.assertEqual(200, followed.status_code, target)

    def test_an_admin_without_compute_lands_on_the_federation(self):
        self.use_catalog(NO_COMPUTE, roles=[{'id': '1', 'name': 'admin'}])
        user = self.client.get(API_ACCESS_URL).wsgi_request.user

        home = landing.user_home(user)
        self.assertEqual(reverse('horizon:admin:overview:index'), home)

        # The admin root opens the first federation panel the admin may
        # see (the test settings allow both sides' policies).
        res = self.client.get(home)
        self.assertEqual(302, res.status_code)
        self.assertIn(res['location'], (
            reverse('horizon:admin:bound_regions:index'),
            reverse('horizon:admin:virtual_regions:index')))
