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

from django.urls import reverse

from horizon import exceptions
from openstack_dashboard.test import helpers

from mercador_dashboard import api
from mercador_dashboard.api import mercador
from mercador_dashboard.content.project_regions import views
from tests.dashboard import fixtures

INDEX_URL = reverse('horizon:project:regions:index')
ESCAPED_XSS = '&lt;script&gt;alert(1)&lt;/script&gt;'


def _region(**overrides):
    ref = {'id': 'br1', 'region_id': 'RegionTwo', 'description': 'Paris',
           'status': 'active', 'reason': None,
           'metadata': {'country': 'FR', 'location': 'Paris ' + fixtures.XSS,
                        'compliance': ['gdpr', 'hds'],
                        'description': 'Tier III'},
           'services': ['image', 'placement'],
           'limits': [{'service_type': 'placement',
                       'resource_name': 'class:VCPU', 'resource_limit': 8},
                      {'service_type': 'image',
                       'resource_name': 'image_count_total',
                       'resource_limit': 10}],
           'hops': 1}
    ref.update(overrides)
    return mercador.ProjectRegion(ref)


class LimitRowsTests(helpers.TestCase):

    def test_usage_against_limits(self):
        rows = views.limit_rows(_region().limits,
                                {'VCPU': 6, 'MEMORY_MB': 512})

        self.assertEqual([
            ('class:VCPU', 6, 8, 75),
            ('image_count_total', None, 10, None),
            ('MEMORY_MB', 512, None, None)],
            [(r['resource'], r['used'], r['limit'], r['percent'])
             for r in rows])


class RegionsTests(helpers.TestCase):

    @helpers.create_mocks({api.mercador: ['project_region_list',
                                          'bound_region_usage']})
    def test_regions_of_the_project(self):
        project_id = self.tenant.id
        self.mock_project_region_list.return_value = [
            _region(),
            _region(id='br2', region_id='V9', status='failed',
                    reason='gone', metadata={}, limits=None)]
        self.mock_bound_region_usage.return_value = mercador.Usage({
            'projects': [{'project_id': project_id,
                          'current': {'VCPU': 6}}]})

        res = self.client.get(INDEX_URL)

        self.assertTemplateUsed(res, 'project/regions/index.html')
        self.mock_project_region_list.assert_called_once_with(
            helpers.IsHttpRequest(), project_id)
        # Usage of active regions only, of the project only.
        self.mock_bound_region_usage.assert_called_once_with(
            helpers.IsHttpRequest(), 'br1', project_id=project_id)
        self.assertContains(res, 'gdpr, hds')
        self.assertContains(res, 'Tier III')
        self.assertContains(res, 'aria-valuenow="75"')
        self.assertContains(res, 'failed: gone')
        self.assertNotContains(res, fixtures.XSS)
        self.assertContains(res, ESCAPED_XSS)
        # RegionTwo is in the user's catalog: a link switches to it.
        self.assertContains(
            res, reverse('switch_services_region', args=['RegionTwo']) +
            '?next=' + INDEX_URL)
        self.assertNotContains(
            res, reverse('switch_services_region', args=['V9']))

    @helpers.create_mocks({api.mercador: ['project_region_list',
                                          'bound_region_usage']})
    def test_usage_failure_is_a_message(self):
        self.mock_project_region_list.return_value = [
            _region(), _region(id='br3', region_id='V3')]
        self.mock_bound_region_usage.side_effect = exceptions.NotAvailable(
            'Keystone failed: provider down')

        res = self.client.get(INDEX_URL)

        self.assertEqual(200, res.status_code)
        self.assertIn('Keystone failed: provider down',
                      [str(m) for m in res.context['messages']])
        self.assertContains(res, 'Usage unknown', count=2)
        self.assertEqual([None, None], [r['used'] for r in
                                        res.context['regions'][0].limit_rows])

    @helpers.create_mocks({api.mercador: ['project_region_list']})
    def test_no_region(self):
        self.mock_project_region_list.return_value = []

        res = self.client.get(INDEX_URL)

        self.assertContains(res, 'This project may use no bound region yet')
