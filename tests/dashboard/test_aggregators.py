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

from django.urls import reverse

from horizon import exceptions
from openstack_dashboard.test import helpers

from mercador_dashboard import api
from tests.dashboard import fixtures

INDEX_URL = reverse('horizon:admin:aggregators:index')
REGISTER_URL = reverse('horizon:admin:aggregators:register')
SECRET = 'S3cr3t-only-shown-once'


def _registered():
    return fixtures.aggregator(credential={
        'type': 'v3applicationcredential',
        'auth_url': 'https://provider.example.org/v3',
        'application_credential_id': 'ac1',
        'application_credential_secret': SECRET})


class IndexTests(helpers.BaseAdminViewTests):

    @helpers.create_mocks({api.mercador: ['aggregator_list']})
    def test_index_escapes_remote_data(self):
        self.mock_aggregator_list.return_value = [
            fixtures.aggregator(description=fixtures.XSS)]

        res = self.client.get(INDEX_URL)

        self.assertTemplateUsed(res, 'admin/aggregators/index.html')
        self.assertEqual(['agg1'], [a.id for a in res.context['table'].data])
        self.assertNotContains(res, fixtures.XSS)
        self.assertContains(res, '&lt;script&gt;alert(1)&lt;/script&gt;')

    @helpers.create_mocks({api.mercador: ['aggregator_list']})
    def test_index_error_is_a_message(self):
        self.mock_aggregator_list.side_effect = exceptions.NotAvailable(
            'Keystone failed: Internal Server Error')

        res = self.client.get(INDEX_URL)

        self.assertEqual(200, res.status_code)
        self.assertIn('Keystone failed: Internal Server Error',
                      [str(m) for m in res.context['messages']])

    @helpers.create_mocks({api.mercador: ['aggregator_list',
                                          'aggregator_delete']})
    def test_revoke(self):
        self.mock_aggregator_list.return_value = [fixtures.aggregator()]

        res = self.client.post(INDEX_URL,
                               {'action': 'aggregators__revoke__agg1'})

        self.assertRedirectsNoFollow(res, INDEX_URL)
        self.mock_aggregator_delete.assert_called_once_with(
            helpers.IsHttpRequest(), 'agg1')


class RegisterTests(helpers.BaseAdminViewTests):

    def test_form(self):
        res = self.client.get(REGISTER_URL)

        self.assertTemplateUsed(res, 'admin/aggregators/register.html')

    @helpers.create_mocks({api.mercador: ['aggregator_create']})
    def test_credential_is_shown_once_and_kept_nowhere(self):
        self.mock_aggregator_create.return_value = _registered()

        with self.assertLogs(level=logging.DEBUG) as logs:
            logging.getLogger(__name__).debug('capturing')
            res = self.client.post(REGISTER_URL, {'name': 'reseller',
                                                  'description': 'A'})

        self.assertEqual(200, res.status_code)
        self.assertTemplateUsed(res, 'admin/aggregators/credential.html')
        self.assertContains(res, SECRET, count=1)
        self.assertIn('no-store', res['Cache-Control'])
        self.mock_aggregator_create.assert_called_once_with(
            helpers.IsHttpRequest(), name='reseller', description='A')
        self.assertNotIn(SECRET, '\n'.join(logs.output))
        self.assertNotIn(SECRET, str(dict(self.client.session)))
        self.assertNotIn(SECRET, str(res.cookies))

    @helpers.create_mocks({api.mercador: ['aggregator_create']})
    def test_modal_shows_credential(self):
        self.mock_aggregator_create.return_value = _registered()

        res = self.client.post(REGISTER_URL, {'name': 'reseller'},
                               HTTP_X_REQUESTED_WITH='XMLHttpRequest')

        self.assertTemplateUsed(res, 'admin/aggregators/_credential.html')
        self.assertTemplateNotUsed(res, 'base.html')
        self.assertContains(res, SECRET, count=1)

    @helpers.create_mocks({api.mercador: ['aggregator_create']})
    def test_remote_refusal_is_shown(self):
        self.mock_aggregator_create.side_effect = exceptions.Conflict(
            'Aggregator reseller already exists.')

        res = self.client.post(REGISTER_URL, {'name': 'reseller'})

        self.assertTemplateUsed(res, 'admin/aggregators/register.html')
        self.assertIn('Aggregator reseller already exists.',
                      [str(m) for m in res.context['messages']])

    @helpers.create_mocks({api.mercador: ['aggregator_create']})
    def test_bad_name_is_refused(self):
        res = self.client.post(REGISTER_URL, {'name': 'two words'})

        self.assertFormErrors(res, 1)
        self.mock_aggregator_create.assert_not_called()


class NonAdminTests(helpers.TestCase):

    @helpers.create_mocks({api.mercador: ['aggregator_list',
                                          'aggregator_create']})
    def test_refused(self):
        for url in (INDEX_URL, REGISTER_URL):
            self.assertEqual(403, self.client.get(url).status_code, url)
        res = self.client.post(REGISTER_URL, {'name': 'reseller'})
        self.assertEqual(403, res.status_code)
        self.mock_aggregator_list.assert_not_called()
        self.mock_aggregator_create.assert_not_called()
