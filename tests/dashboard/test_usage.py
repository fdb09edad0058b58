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

import csv
import datetime
import io

from django.urls import reverse

from openstack_dashboard.test import helpers

from mercador_dashboard import api
from mercador_dashboard.api import mercador
from tests.dashboard import fixtures

USAGE_URL = reverse('horizon:admin:usage:index')
BINDING_USAGE_URL = reverse('horizon:admin:binding_usage:index')
ESCAPED_XSS = '&lt;script&gt;alert(1)&lt;/script&gt;'
QUERY = {'subject': 'br1', 'start': '2026-01-05', 'end': '2026-01-05'}


def _usage(projects, **overrides):
    samples = [{'sampled_at': '2026-01-05T%02d:00:00Z' % hour,
                'usages': {'VCPU': vcpu, 'MEMORY_MB': 256 * vcpu}}
               for hour, vcpu in ((1, 1), (2, 3), (3, 2))]
    ref = {'bound_region_id': 'br1', 'region_id': 'V1',
           'start': '2026-01-05T00:00:00Z', 'end': '2026-01-06T00:00:00Z',
           'limits': None, 'projects': projects,
           'total': {'current': {'VCPU': 2, 'MEMORY_MB': 512},
                     'period': {'VCPU': {'max': 3, 'average': 2.0},
                                'MEMORY_MB': {'max': 768,
                                              'average': 512.0}},
                     'samples': samples}}
    ref.update(overrides)
    return mercador.Usage(ref)


PROJECT = {'project_id': 'p1', 'project_name': 'alpha',
           'current': {'VCPU': 2, 'MEMORY_MB': 512},
           'period': {'VCPU': {'max': 3, 'average': 2.0},
                      'MEMORY_MB': {'max': 768, 'average': 512.0}},
           'samples': []}


def _csv_rows(res):
    lines = res.content.decode().splitlines()
    header = lines.index('"Project ID","Project","Resource","Current",'
                         '"Max","Average"')
    return list(csv.reader(io.StringIO('\n'.join(lines[header + 1:]))))


class ResellerUsageTests(helpers.BaseAdminViewTests):

    def _mock(self, projects=(PROJECT,)):
        self.mock_bound_region_list.return_value = [
            fixtures.bound_region(description='Paris ' + fixtures.XSS)]
        self.mock_bound_region_usage.return_value = _usage(list(projects))

    @helpers.create_mocks({api.mercador: ['bound_region_list',
                                          'bound_region_usage']})
    def test_usage_of_a_period(self):
        self._mock([dict(PROJECT, project_name=fixtures.XSS)])

        res = self.client.get(USAGE_URL, QUERY)

        self.assertTemplateUsed(res, 'mercador/usage.html')
        self.mock_bound_region_usage.assert_called_once_with(
            helpers.IsHttpRequest(), 'br1', start='2026-01-05T00:00:00Z',
            end='2026-01-06T00:00:00Z')
        rows = res.context['table'].get_rows()
        self.assertEqual(['p1:MEMORY_MB', 'p1:VCPU'],
                         [r.datum['id'] for r in rows])
        self.assertEqual(['2', '3', '2'], [
            str(rows[1].cells[c].data) for c in ('current', 'max',
                                                 'average')])
        # The total over time, one chart per resource class, drawn on the
        # server: three samples over the day.
        charts = res.context['charts']
        self.assertEqual(['MEMORY_MB', 'VCPU'],
                         [c['resource'] for c in charts])
        self.assertEqual(3, charts[1]['count'])
        self.assertContains(res, '<polyline', count=2)
        self.assertContains(res, 'class="usage-point"', count=6)
        self.assertNotContains(res, fixtures.XSS)
        self.assertContains(res, ESCAPED_XSS)
        self.assertContains(res, 'format=csv')

    @helpers.create_mocks({api.mercador: ['bound_region_list',
                                          'bound_region_usage']})
    def test_chart_places_samples_in_the_period(self):
        self._mock()

        res = self.client.get(USAGE_URL, QUERY)

        vcpu = res.context['charts'][1]
        points = [tuple(float(n) for n in p.split(','))
                  for p in vcpu['points'].split()]
        xs = [x for x, _y in points]
        ys = [y for _x, y in points]
        self.assertEqual(sorted(xs), xs)
        # 01:00 of a 24-hour period is 1/24 of the way.
        self.assertAlmostEqual(56 + (560 - 56 - 12) / 24, xs[0], places=0)
        # The highest sample (3) is at the top, 1 lowest.
        self.assertEqual(12, min(ys))
        self.assertEqual(ys[0], max(ys))

    @helpers.create_mocks({api.mercador: ['bound_region_list',
                                          'bound_region_usage']})
    def test_csv_export(self):
        self._mock([dict(PROJECT, project_name='=cmd|evil')])

        res = self.client.get(USAGE_URL, dict(QUERY, format='csv'))

        self.assertEqual('text/csv', res['Content-Type'])
        self.assertIn('usage-br1.csv', res['Content-Disposition'])
        self.assertEqual([
            ['p1', "'=cmd|evil", 'MEMORY_MB', '512', '768', '512'],
            ['p1', "'=cmd|evil", 'VCPU', '2', '3', '2']], _csv_rows(res))
        self.mock_bound_region_usage.assert_called_once()

    @helpers.create_mocks({api.mercador: ['bound_region_list',
                                          'bound_region_usage']})
    def test_period_longer_than_the_api_allows_is_refused(self):
        self._mock()

        res = self.client.get(USAGE_URL, dict(QUERY, start='2026-01-01',
                                              end='2026-02-15'))

        self.assertEqual(200, res.status_code)
        self.assertContains(res, 'A usage period is at most 31 days.')
        self.mock_bound_region_usage.assert_not_called()

    @helpers.create_mocks({api.mercador: ['bound_region_list',
                                          'bound_region_usage']})
    def test_default_period_is_the_last_day_up_to_now(self):
        self._mock()

        self.client.get(USAGE_URL)

        kwargs = self.mock_bound_region_usage.call_args[1]
        start = datetime.datetime.strptime(kwargs['start'],
                                           '%Y-%m-%dT%H:%M:%SZ')
        end = datetime.datetime.strptime(kwargs['end'], '%Y-%m-%dT%H:%M:%SZ')
        now = datetime.datetime.now(datetime.timezone.utc).replace(
            tzinfo=None)
        self.assertLess(abs((end - now).total_seconds()), 60)
        self.assertEqual(datetime.time(), start.time())
        self.assertEqual('br1', self.mock_bound_region_usage.call_args[0][1])

    @helpers.create_mocks({api.mercador: ['bound_region_list',
                                          'bound_region_usage']})
    def test_usage_error_is_a_message(self):
        self.mock_bound_region_list.return_value = [fixtures.bound_region()]
        self.mock_bound_region_usage.side_effect = \
            api.mercador.exceptions.NotAvailable('Keystone failed: boom')

        res = self.client.get(USAGE_URL, QUERY)

        self.assertEqual(200, res.status_code)
        self.assertIn('Keystone failed: boom',
                      [str(m) for m in res.context['messages']])
        self.assertIsNone(res.context['usage'])


class ResellerUsageTenantTests(helpers.TestCase):

    def test_tenant_may_not_open_it(self):
        res = self.client.get(USAGE_URL)

        self.assertEqual(403, res.status_code)


class ProviderUsageTests(helpers.BaseAdminViewTests):

    @helpers.create_mocks({api.mercador: ['binding_list',
                                          'virtual_region_list',
                                          'aggregator_list',
                                          'binding_usage']})
    def test_usage_of_each_binding(self):
        self.mock_binding_list.return_value = [
            fixtures.binding(), fixtures.binding(id='b2', status='failed')]
        self.mock_virtual_region_list.return_value = [
            fixtures.virtual_region(name=fixtures.XSS)]
        self.mock_aggregator_list.return_value = [fixtures.aggregator()]
        self.mock_binding_usage.return_value = _usage(
            [dict(PROJECT, project_id='pp1', project_name=None)],
            binding_id='b1', bound_region_id=None, region_id=None,
            virtual_region_name='paris')

        res = self.client.get(BINDING_USAGE_URL, dict(QUERY, subject='b1'))

        self.mock_binding_usage.assert_called_once_with(
            helpers.IsHttpRequest(), 'b1', start='2026-01-05T00:00:00Z',
            end='2026-01-06T00:00:00Z')
        self.assertEqual([('b1', fixtures.XSS + ' / reseller')],
                         res.context['form'].fields['subject'].choices)
        table = res.context['table']
        self.assertNotIn('project', table.columns)
        self.assertEqual(['pp1', 'pp1'],
                         [r.datum['project_id'] for r in table.get_rows()])
        self.assertNotContains(res, fixtures.XSS)
        self.assertContains(res, '<polyline', count=2)

        res = self.client.get(BINDING_USAGE_URL,
                              dict(QUERY, subject='b1', format='csv'))
        self.assertEqual(['pp1', '', 'VCPU', '2', '3', '2'],
                         _csv_rows(res)[1])
