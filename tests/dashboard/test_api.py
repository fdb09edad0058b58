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

import logging

from django.test.utils import override_settings
from keystoneauth1 import exceptions as ks_exceptions
from openstack_auth import utils as auth_utils
import requests_mock

from horizon import exceptions
from openstack_dashboard.test import helpers

from mercador_dashboard.api import mercador

KEYSTONE = 'http://localhost/identity/v3'
VR_URL = KEYSTONE + '/OS-MERCADOR/virtual_regions'
BR_URL = KEYSTONE + '/OS-MERCADOR/bound_regions'


def _error(code, title, message):
    return {'status_code': code,
            'headers': {'Content-Type': 'application/json'},
            'json': {'error': {'code': code, 'title': title,
                               'message': message}}}


class APITests(helpers.APITestCase):

    def setUp(self):
        super().setUp()
        self.request.user = auth_utils.get_user(self.request)
        self.http = requests_mock.Mocker()
        self.http.start()
        self.addCleanup(self.http.stop)

    def test_list_uses_the_users_token(self):
        self.http.get(VR_URL, json={'virtual_regions': [
            {'id': 'vr1', 'name': 'paris', 'binding_count': 0}]})

        regions = mercador.virtual_region_list(self.request,
                                               status='published')

        self.assertEqual(['paris'], [vr.name for vr in regions])
        self.assertEqual(0, regions[0].binding_count)
        sent = self.http.last_request
        self.assertEqual(self.token.id, sent.headers['X-Auth-Token'])
        self.assertEqual({'status': ['published']}, sent.qs)

    def test_one_session_per_request(self):
        self.http.get(VR_URL, json={'virtual_regions': []})
        self.http.get(KEYSTONE + '/OS-MERCADOR/aggregators',
                      json={'aggregators': []})

        mercador.virtual_region_list(self.request)
        mercador.aggregator_list(self.request)

        self.assertIs(mercador.keystone_client(self.request),
                      mercador.keystone_client(self.request))

    def test_create_and_update_bodies(self):
        self.http.post(VR_URL, status_code=201,
                       json={'virtual_region': {'id': 'vr1'}})
        self.http.patch(VR_URL + '/vr1',
                        json={'virtual_region': {'id': 'vr1'}})

        mercador.virtual_region_create(self.request, name='paris',
                                       region_id='RegionOne',
                                       services=['image'])
        self.assertEqual({'virtual_region': {'name': 'paris',
                                             'region_id': 'RegionOne',
                                             'services': ['image']}},
                         self.http.last_request.json())
        mercador.virtual_region_update(self.request, 'vr1',
                                       status='published')
        self.assertEqual({'virtual_region': {'status': 'published'}},
                         self.http.last_request.json())

    def test_delete_calls(self):
        for path in ('virtual_regions/vr1', 'aggregators/agg1',
                     'bindings/b1'):
            self.http.delete(KEYSTONE + '/OS-MERCADOR/' + path,
                             status_code=204)

        mercador.virtual_region_delete(self.request, 'vr1')
        mercador.aggregator_delete(self.request, 'agg1')
        mercador.binding_delete(self.request, 'b1')

        self.assertEqual(3, self.http.call_count)

    def test_http_errors_become_horizon_exceptions(self):
        cases = [
            (400, 'Bad Request', exceptions.BadRequest),
            (401, 'Unauthorized', exceptions.NotAuthorized),
            (403, 'Forbidden', exceptions.NotAuthorized),
            (404, 'Not Found', exceptions.NotFound),
            (409, 'Conflict', exceptions.Conflict),
            (500, 'Internal Server Error', exceptions.NotAvailable),
        ]
        for code, title, expected in cases:
            self.http.get(VR_URL + '/vr1',
                          **_error(code, title, 'Reason %d.' % code))
            with self.assertRaises(expected) as ctx:
                mercador.virtual_region_get(self.request, 'vr1')
            self.assertIn('Reason %d.' % code, str(ctx.exception))

    def test_unreachable_keystone(self):
        self.http.get(VR_URL, exc=ks_exceptions.ConnectFailure('refused'))

        with self.assertRaises(exceptions.NotAvailable) as ctx:
            mercador.virtual_region_list(self.request)
        self.assertIn('Keystone is unreachable', str(ctx.exception))

    def test_registered_credential_is_not_logged(self):
        secret = 'S3cr3t-only-shown-once'
        self.http.post(KEYSTONE + '/OS-MERCADOR/aggregators', status_code=201,
                       json={'aggregator': {
                           'id': 'agg1', 'name': 'reseller',
                           'credential': {
                               'application_credential_secret': secret}}})

        with self.assertLogs(level=logging.DEBUG) as logs:
            logging.getLogger('keystoneauth').debug('capturing')
            aggregator = mercador.aggregator_create(self.request, 'reseller')

        self.assertEqual(secret, aggregator.credential[
            'application_credential_secret'])
        self.assertNotIn(secret, '\n'.join(logs.output))

    def test_catalog_choices(self):
        self.http.get(KEYSTONE + '/services', json={'services': [
            {'id': 's1', 'type': 'compute', 'enabled': True},
            {'id': 's2', 'type': 'image'},
            {'id': 's3', 'type': 'volumev3', 'enabled': False}]})
        self.http.get(KEYSTONE + '/endpoints', json={'endpoints': [
            {'service_id': 's1', 'region_id': 'RegionOne'},
            {'service_id': 's2', 'region_id': 'RegionOne'},
            {'service_id': 's2', 'region_id': 'RegionTwo', 'enabled': False},
            {'service_id': 's3', 'region_id': 'RegionTwo'}]})
        self.http.get(KEYSTONE + '/registered_limits',
                      json={'registered_limits': [
                          {'id': 'rl1', 'service_id': 's1',
                           'resource_name': 'cores', 'default_limit': 20},
                          {'id': 'rl2', 'service_id': 'gone',
                           'resource_name': 'x', 'default_limit': 1}]})

        offerable = mercador.offerable_services(self.request)
        limits = mercador.registered_limit_list(self.request)

        self.assertEqual({'RegionOne': ['compute', 'image']}, offerable)
        self.assertEqual([('compute', 'cores')],
                         [(r['service_type'], r['resource_name'])
                          for r in limits])
        services_calls = [r for r in self.http.request_history
                          if r.path.endswith('/services')]
        self.assertEqual(1, len(services_calls))


class AggregatorAPITests(helpers.APITestCase):

    def setUp(self):
        super().setUp()
        self.request.user = auth_utils.get_user(self.request)
        self.http = requests_mock.Mocker()
        self.http.start()
        self.addCleanup(self.http.stop)

    def test_provider_secret_is_sent_but_not_logged(self):
        secret = 'Pr0vider-s3cret'
        self.http.post(KEYSTONE + '/OS-MERCADOR/providers', status_code=201,
                       json={'provider': {'id': 'prv1', 'name': 'acme'}})

        with self.assertLogs(level=logging.DEBUG) as logs:
            logging.getLogger('keystoneauth').debug('capturing')
            provider = mercador.provider_create(
                self.request, name='acme',
                auth_url='https://keystone.acme.example/v3',
                application_credential_id='ac9',
                application_credential_secret=secret)

        self.assertEqual('acme', provider.name)
        expected = {'provider': {
            'name': 'acme', 'description': '',
            'auth_url': 'https://keystone.acme.example/v3',
            'credential': {'type': 'v3applicationcredential',
                           'application_credential_id': 'ac9',
                           'application_credential_secret': secret}}}
        self.assertEqual(expected, self.http.last_request.json())
        self.assertNotIn(secret, '\n'.join(logs.output))

    def test_offer_filters(self):
        self.http.get(KEYSTONE + '/OS-MERCADOR/providers/prv1/offers',
                      json={'offers': [{'id': 'vr1', 'name': 'paris'}]})

        offers = mercador.provider_offer_list(self.request, 'prv1',
                                              country='FR')

        self.assertEqual(['paris'], [o.name for o in offers])
        self.assertEqual({'country': ['fr']}, self.http.last_request.qs)

    def test_bind_and_entitle(self):
        base = KEYSTONE + '/OS-MERCADOR/bound_regions'
        self.http.post(base, status_code=201, json={'bound_region': {
            'id': 'br1', 'region_id': 'V1', 'status': 'active'}})
        self.http.put(base + '/br1/entitlements/projects/p1',
                      status_code=204)
        self.http.delete(base + '/br1/entitlements/domains/d1',
                         status_code=204)
        self.http.get(base + '/br1/entitlements', json={'entitlements': [
            {'bound_region_id': 'br1', 'target_type': 'project',
             'target_id': 'p1'}]})

        bound = mercador.bound_region_create(
            self.request, provider_id='prv1', offer_id='vr1', region_id='V1',
            idempotency_key='key-0001')
        mercador.entitlement_create(self.request, 'br1', 'project', 'p1')
        mercador.entitlement_delete(self.request, 'br1', 'domain', 'd1')
        entitlements = mercador.entitlement_list(self.request, 'br1')

        self.assertEqual('active', bound.status)
        self.assertEqual(['p1'], [e['target_id'] for e in entitlements])
        self.assertEqual(
            ['POST', 'PUT', 'DELETE', 'GET'],
            [r.method for r in self.http.request_history])
        self.assertEqual('key-0001', self.http.request_history[0].json()[
            'bound_region']['idempotency_key'])

    def test_bound_regions_all_at_once(self):
        self.http.get(BR_URL, json={'bound_regions': [{'id': 'br1'}],
                                    'links': {'next': None}})

        bound = mercador.bound_region_list(self.request, status='active')

        self.assertEqual(['br1'], [b.id for b in bound])
        self.assertEqual({'status': ['active']}, self.http.last_request.qs)

    @override_settings(API_RESULT_PAGE_SIZE=2)
    def test_bound_regions_page(self):
        self.http.get(BR_URL, [
            {'json': {'bound_regions': [{'id': 'br2'}, {'id': 'br3'}],
                      'links': {'next': BR_URL + '?limit=2&marker=br3'},
                      'truncated': True}},
            {'json': {'bound_regions': [{'id': 'br4'}],
                      'links': {'next': None}}}])

        bound, more = mercador.bound_region_list(self.request, marker='br1',
                                                 paginate=True)
        self.assertEqual((['br2', 'br3'], True), ([b.id for b in bound], more))
        self.assertEqual({'marker': ['br1'], 'limit': ['2']},
                         self.http.last_request.qs)

        bound, more = mercador.bound_region_list(self.request, marker='br3',
                                                 paginate=True)
        self.assertEqual((['br4'], False), ([b.id for b in bound], more))

    def test_bound_regions_page_size_is_capped(self):
        self.http.get(BR_URL, json={'bound_regions': [],
                                    'links': {'next': None}})

        self.assertEqual(([], False), mercador.bound_region_list(
            self.request, limit=5000, paginate=True))
        self.assertEqual({'limit': ['1000']}, self.http.last_request.qs)

    def test_project_list_leaves_domains_out(self):
        self.http.get(KEYSTONE + '/projects', json={'projects': [
            {'id': 'p1', 'name': 'alpha', 'is_domain': False},
            {'id': 'default', 'name': 'Default', 'is_domain': True}]})

        self.assertEqual(['p1'],
                         [p['id'] for p in mercador.project_list(
                             self.request)])

    def test_auth_catalog(self):
        self.http.get(KEYSTONE + '/auth/catalog',
                      json={'catalog': [{'type': 'image'}]})

        self.assertEqual([{'type': 'image'}],
                         mercador.auth_catalog(self.request))
        self.assertEqual(self.token.id,
                         self.http.last_request.headers['X-Auth-Token'])


USAGE = {'current': {'VCPU': 2},
         'period': {'VCPU': {'max': 2, 'average': 1.5}},
         'samples': [{'sampled_at': '2026-01-05T10:00:00Z',
                      'usages': {'VCPU': 2}}]}


class UsageAPITests(helpers.APITestCase):

    def setUp(self):
        super().setUp()
        self.request.user = auth_utils.get_user(self.request)
        self.http = requests_mock.Mocker()
        self.http.start()
        self.addCleanup(self.http.stop)

    def test_project_regions(self):
        self.http.get(KEYSTONE + '/OS-MERCADOR/projects/p1/regions',
                      json={'regions': [{
                          'id': 'br1', 'region_id': 'V1',
                          'metadata': {'country': 'FR'},
                          'services': ['image'], 'limits': None}]})

        regions = mercador.project_region_list(self.request, 'p1')

        self.assertEqual(['V1'], [r.region_id for r in regions])
        self.assertEqual({'country': 'FR'}, regions[0].metadata)
        self.assertEqual({}, self.http.last_request.qs)

    def test_bound_region_usage_of_a_period(self):
        self.http.get(BR_URL + '/br1/usage', json={'usage': {
            'bound_region_id': 'br1', 'region_id': 'V1',
            'start': '2026-01-05T00:00:00Z', 'end': '2026-01-06T00:00:00Z',
            'limits': None,
            'projects': [dict(USAGE, project_id='p1', project_name='alpha')],
            'total': USAGE}})

        usage = mercador.bound_region_usage(
            self.request, 'br1', project_id='p1',
            start='2026-01-05T00:00:00Z', end='2026-01-06T00:00:00Z')

        self.assertEqual('V1', usage.region_id)
        self.assertEqual([{'VCPU': 2}],
                         [p['current'] for p in usage.projects])
        self.assertEqual({'project_id': ['p1'],
                          'start': ['2026-01-05t00:00:00z'],
                          'end': ['2026-01-06t00:00:00z']},
                         self.http.last_request.qs)
        self.assertEqual(self.token.id,
                         self.http.last_request.headers['X-Auth-Token'])

    def test_bound_region_usage_defaults_to_the_providers_period(self):
        self.http.get(BR_URL + '/br1/usage', json={'usage': {
            'bound_region_id': 'br1', 'projects': [], 'total': USAGE}})

        mercador.bound_region_usage(self.request, 'br1')

        self.assertEqual({}, self.http.last_request.qs)

    def test_binding_usage(self):
        self.http.get(KEYSTONE + '/OS-MERCADOR/bindings/b1/usage',
                      json={'usage': {
                          'binding_id': 'b1', 'virtual_region_name': 'paris',
                          'projects': [dict(USAGE, project_id='pp1')],
                          'total': USAGE}})

        usage = mercador.binding_usage(self.request, 'b1',
                                       start='2026-01-05T00:00:00Z')

        self.assertEqual('paris', usage.virtual_region_name)
        self.assertEqual(['pp1'], [p['project_id'] for p in usage.projects])
        self.assertEqual({'start': ['2026-01-05t00:00:00z']},
                         self.http.last_request.qs)

    def test_usage_refused(self):
        self.http.get(BR_URL + '/br1/usage', **_error(
            400, 'Bad Request', 'A usage period is at most 31 days.'))

        with self.assertRaisesRegex(exceptions.BadRequest, '31 days'):
            mercador.bound_region_usage(self.request, 'br1')
