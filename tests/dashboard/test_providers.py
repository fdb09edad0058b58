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

INDEX_URL = reverse('horizon:admin:providers:index')
REGISTER_URL = reverse('horizon:admin:providers:register')
SECRET = 'Pr0vider-s3cret'
PEM = ('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----')


def _messages(response):
    return [str(m) for m in response.context['messages']]


class IndexTests(helpers.BaseAdminViewTests):

    @helpers.create_mocks({api.mercador: ['provider_list']})
    def test_index_escapes_remote_data(self):
        self.mock_provider_list.return_value = [
            fixtures.provider(description=fixtures.XSS, ca_certificate=PEM)]

        res = self.client.get(INDEX_URL)

        self.assertTemplateUsed(res, 'admin/providers/index.html')
        self.assertEqual(['prv1'], [p.id for p in res.context['table'].data])
        self.assertNotContains(res, fixtures.XSS)
        self.assertContains(res, '&lt;script&gt;alert(1)&lt;/script&gt;')
        self.assertNotContains(res, 'BEGIN CERTIFICATE')

    @helpers.create_mocks({api.mercador: ['provider_list']})
    def test_index_error_is_a_message(self):
        self.mock_provider_list.side_effect = exceptions.NotAvailable(
            'Keystone is unreachable: refused')

        res = self.client.get(INDEX_URL)

        self.assertEqual(200, res.status_code)
        self.assertIn('Keystone is unreachable: refused', _messages(res))

    @helpers.create_mocks({api.mercador: ['provider_list',
                                          'provider_offer_list']})
    def test_check_connectivity(self):
        self.mock_provider_list.return_value = [fixtures.provider()]
        self.mock_provider_offer_list.return_value = [fixtures.offer(),
                                                      fixtures.offer()]

        res = self.client.post(INDEX_URL,
                               {'action': 'providers__check__prv1'})

        self.assertRedirectsNoFollow(res, INDEX_URL)
        self.assertCookieMessage(res,
                                 'Provider "acme" answered with 2 offers.')
        self.mock_provider_offer_list.assert_called_once_with(
            helpers.IsHttpRequest(), 'prv1')

    @helpers.create_mocks({api.mercador: ['provider_list',
                                          'provider_offer_list']})
    def test_check_connectivity_failure(self):
        self.mock_provider_list.return_value = [fixtures.provider()]
        self.mock_provider_offer_list.side_effect = exceptions.NotAvailable(
            'Keystone failed: provider acme: certificate verify failed')

        res = self.client.post(INDEX_URL,
                               {'action': 'providers__check__prv1'})

        self.assertRedirectsNoFollow(res, INDEX_URL)
        self.assertCookieMessage(
            res, 'Provider "acme" cannot be reached: Keystone failed: '
                 'provider acme: certificate verify failed')

    @helpers.create_mocks({api.mercador: ['provider_list',
                                          'provider_delete']})
    def test_remove(self):
        self.mock_provider_list.return_value = [fixtures.provider()]

        res = self.client.post(INDEX_URL,
                               {'action': 'providers__remove__prv1'})

        self.assertRedirectsNoFollow(res, INDEX_URL)
        self.mock_provider_delete.assert_called_once_with(
            helpers.IsHttpRequest(), 'prv1')

    @helpers.create_mocks({api.mercador: ['provider_list',
                                          'provider_delete']})
    def test_remove_refused_is_explained(self):
        self.mock_provider_list.return_value = [fixtures.provider()]
        self.mock_provider_delete.side_effect = exceptions.Conflict(
            'Provider prv1 still has bound regions.')

        res = self.client.post(INDEX_URL,
                               {'action': 'providers__remove__prv1'})

        self.assertRedirectsNoFollow(res, INDEX_URL)
        self.assertCookieMessage(res,
                                 'Provider prv1 still has bound regions.')


class RegisterTests(helpers.BaseAdminViewTests):

    def _form_data(self, **overrides):
        data = {'name': 'acme', 'description': 'ACME cloud',
                'auth_url': 'https://keystone.acme.example/v3',
                'ca_certificate': PEM, 'application_credential_id': 'ac9',
                'application_credential_secret': SECRET}
        data.update(overrides)
        return data

    def test_form(self):
        res = self.client.get(REGISTER_URL)

        self.assertTemplateUsed(res, 'admin/providers/register.html')
        self.assertContains(res, 'type="password"')

    @helpers.create_mocks({api.mercador: ['provider_create']})
    def test_register_keeps_the_secret_nowhere(self):
        self.mock_provider_create.return_value = fixtures.provider()

        with self.assertLogs(level=logging.DEBUG) as logs:
            logging.getLogger(__name__).debug('capturing')
            res = self.client.post(REGISTER_URL, self._form_data())

        self.assertNoFormErrors(res)
        self.assertRedirectsNoFollow(res, INDEX_URL)
        self.mock_provider_create.assert_called_once_with(
            helpers.IsHttpRequest(), name='acme', description='ACME cloud',
            auth_url='https://keystone.acme.example/v3', ca_certificate=PEM,
            application_credential_id='ac9',
            application_credential_secret=SECRET)
        self.assertNotIn(SECRET, '\n'.join(logs.output))
        self.assertNotIn(SECRET, str(dict(self.client.session)))
        self.assertNotIn(SECRET, str(res.cookies))

    @helpers.create_mocks({api.mercador: ['provider_create']})
    def test_secret_is_not_rendered_back(self):
        self.mock_provider_create.side_effect = exceptions.BadRequest(
            'The credential of provider acme was refused: 401.')

        res = self.client.post(REGISTER_URL, self._form_data())

        self.assertTemplateUsed(res, 'admin/providers/register.html')
        self.assertIn('The credential of provider acme was refused: 401.',
                      _messages(res))
        self.assertNotContains(res, SECRET)

    @helpers.create_mocks({api.mercador: ['provider_create']})
    def test_bad_input_is_refused(self):
        res = self.client.post(REGISTER_URL, self._form_data(
            name='two words', auth_url='not a url',
            ca_certificate='not a certificate'))

        self.assertFormErrors(res, 3)
        self.assertNotContains(res, SECRET)
        self.mock_provider_create.assert_not_called()

    @helpers.create_mocks({api.mercador: ['provider_create']})
    def test_no_ca_bundle(self):
        self.mock_provider_create.return_value = fixtures.provider()

        res = self.client.post(REGISTER_URL,
                               self._form_data(ca_certificate=''))

        self.assertNoFormErrors(res)
        self.assertIsNone(
            self.mock_provider_create.call_args.kwargs['ca_certificate'])


class NonAdminTests(helpers.TestCase):

    @helpers.create_mocks({api.mercador: ['provider_list',
                                          'provider_create',
                                          'provider_offer_list']})
    def test_refused(self):
        for url in (INDEX_URL, REGISTER_URL):
            self.assertEqual(403, self.client.get(url).status_code, url)
        res = self.client.post(REGISTER_URL, {'name': 'acme'})
        self.assertEqual(403, res.status_code)
        res = self.client.post(INDEX_URL,
                               {'action': 'providers__check__prv1'})
        self.assertEqual(403, res.status_code)
        self.mock_provider_list.assert_not_called()
        self.mock_provider_create.assert_not_called()
        self.mock_provider_offer_list.assert_not_called()
