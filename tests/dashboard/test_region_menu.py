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

"""The theme's services-region menu shows bound region descriptions."""

import os

from django.core.exceptions import ImproperlyConfigured
from django import template

from openstack_dashboard.test import helpers

from mercador_dashboard import api
from mercador_dashboard import theme
from tests.dashboard import fixtures


def _render(**context):
    path = os.path.join(theme.theme_dir(), 'templates', 'context_selection',
                        '_region_list.html')
    with open(path) as f:
        return template.Template(f.read()).render(template.Context(context))


class RegionMenuTests(helpers.TestCase):

    @helpers.create_mocks({api.regions: ['bound_regions']})
    def test_bound_regions_are_described_escaped(self):
        self.mock_bound_regions.return_value = (
            api.regions.BoundRegion('V1', 'Paris ' + fixtures.XSS),)

        html = _render(regions=['RegionOne', 'V1'], region_name='V1')

        self.assertIn('switch_services_region/V1/', html)
        self.assertIn('title="Paris &lt;script&gt;alert(1)&lt;/script&gt;"',
                      html)
        self.assertNotIn(fixtures.XSS, html)
        self.assertEqual(1, html.count('title='))

    @helpers.create_mocks({api.regions: ['bound_regions']})
    def test_menu_works_without_the_database(self):
        self.mock_bound_regions.side_effect = ImproperlyConfigured('no URL')

        html = _render(regions=['RegionOne', 'RegionTwo'],
                       region_name='RegionOne')

        self.assertIn('RegionTwo', html)
        self.assertNotIn('title=', html)
