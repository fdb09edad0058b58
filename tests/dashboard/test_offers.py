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
from tests.dashboard import fixtures

INDEX_URL = reverse('horizon:admin:offers:index')
BIND_URL = reverse('horizon:admin:offers:bind', args=['prv1', 'vr1'])
BOUND_REGIONS_URL = reverse('horizon:admin:bound_regions:index')
MEMBERS = 'entitled_projects_role_member'
ESCAPED_XSS = '&lt;script&gt;alert(1)&lt;/script&gt;'


def _messages(response):
    return [str(m) for m in response.context['messages']]


class IndexTests(helpers.BaseAdminViewTests):

    @helpers.create_mocks({api.mercador: ['provider_list',
                                          'provider_offer_list']})
    def test_offers_of_every_provider_escaped(self):
        self.mock_provider_list.return_value = [
            fixtures.provider(),
            fixtures.provider(id='prv2', name='globex')]
        self.mock_provider_offer_list.side_effect = [
            [fixtures.offer(name=fixtures.XSS,
                            metadata={'country': 'FR',
                                      'location': fixtures.XSS,
                                      'compliance': ['gdpr', 'hds']})],
            [fixtures.offer(provider_id='prv2')]]

        res = self.client.get(INDEX_URL)

        self.assertTemplateUsed(res, 'admin/offers/index.html')
        rows = res.context['table'].get_rows()
        self.assertEqual(['acme', 'globex'],
                         [r.datum.provider_name for r in rows])
        self.assertEqual('gdpr, hds', rows[0].cells['compliance'].data)
        self.assertNotContains(res, fixtures.XSS)
        self.assertContains(res, ESCAPED_XSS, count=2)
        # Offer IDs repeat across providers: each row binds its own.
        self.assertContains(res, BIND_URL)
        self.assertContains(res, reverse('horizon:admin:offers:bind',
                                         args=['prv2', 'vr1']))

    @helpers.create_mocks({api.mercador: ['provider_list',
                                          'provider_offer_list']})
    def test_hops(self):
        self.mock_provider_list.return_value = [fixtures.provider()]
        older = fixtures.offer(id='vr2')
        del older._apidict['hops']
        self.mock_provider_offer_list.return_value = [
            fixtures.offer(hops=2), older]

        res = self.client.get(INDEX_URL)

        self.assertEqual([2, 1], [r.cells['hops'].data
                                  for r in res.context['table'].get_rows()])

    @helpers.create_mocks({api.mercador: ['provider_list',
                                          'provider_offer_list']})
    def test_filter_by_country_is_sent_to_the_providers(self):
        self.mock_provider_list.return_value = [fixtures.provider()]
        self.mock_provider_offer_list.return_value = [fixtures.offer()]

        # The filter is kept in the session for the page that follows.
        res = self.client.post(INDEX_URL, {'offers__filter__q': 'fr',
                                           'offers__filter__q_field':
                                           'country'}, follow=True)

        self.assertEqual(200, res.status_code)
        self.mock_provider_offer_list.assert_called_once_with(
            helpers.IsHttpRequest(), 'prv1', country='FR')

    @helpers.create_mocks({api.mercador: ['provider_list',
                                          'provider_offer_list']})
    def test_unreachable_provider_hides_only_its_offers(self):
        self.mock_provider_list.return_value = [
            fixtures.provider(),
            fixtures.provider(id='prv2', name='globex')]
        self.mock_provider_offer_list.side_effect = [
            exceptions.NotAvailable('Keystone failed: connection refused'),
            [fixtures.offer(provider_id='prv2')]]

        res = self.client.get(INDEX_URL)

        self.assertEqual(['prv2'],
                         [o.provider_id for o in res.context['table'].data])
        self.assertIn('Unable to retrieve the offers of provider "acme": '
                      'Keystone failed: connection refused', _messages(res))


class BindTests(helpers.BaseAdminViewTests):

    def _mock(self):
        self.mock_provider_offer_get.return_value = fixtures.offer()
        self.mock_project_list.return_value = fixtures.PROJECTS

    def _form_data(self, **overrides):
        data = {'provider_id': 'prv1', 'offer_id': 'vr1',
                'offer_name': 'paris', 'region_id': 'V1',
                'description': 'Paris', 'idempotency_key': 'key-0001',
                MEMBERS: ['p1', 'p2']}
        data.update(overrides)
        return data

    @helpers.create_mocks({api.mercador: ['provider_offer_get',
                                          'project_list']})
    def test_form(self):
        self._mock()

        res = self.client.get(BIND_URL)

        self.assertTemplateUsed(res, 'horizon/common/_workflow_base.html')
        workflow = res.context['workflow']
        self.assertEqual(['bind_region', 'entitled_projects'],
                         [step.slug for step in workflow.steps])
        self.assertEqual(32, len(workflow.context['idempotency_key']))
        # Opened as a page of its own, not in a modal.
        self.assertEqual('Bind Offer', res.context['page_title'])
        self.assertContains(res, '<li class="breadcrumb-item-truncate '
                                 'active">Bind Offer</li>', html=True)

    @helpers.create_mocks({api.mercador: ['provider_offer_get',
                                          'project_list',
                                          'bound_region_create',
                                          'entitlement_create']})
    def test_bind_and_entitle(self):
        self._mock()
        self.mock_bound_region_create.return_value = fixtures.bound_region()

        res = self.client.post(BIND_URL, self._form_data())

        self.assertNoFormErrors(res)
        self.assertRedirectsNoFollow(res, BOUND_REGIONS_URL)
        self.assertCookieMessage(res,
                                 'Offer "paris" was bound as region "V1".')
        self.mock_bound_region_create.assert_called_once_with(
            helpers.IsHttpRequest(), provider_id='prv1', offer_id='vr1',
            region_id='V1', description='Paris',
            idempotency_key='key-0001')
        self.assertEqual(
            [('br1', 'project', 'p1'), ('br1', 'project', 'p2')],
            [c.args[1:] for c in self.mock_entitlement_create.call_args_list])

    @helpers.create_mocks({api.mercador: ['provider_offer_get',
                                          'project_list',
                                          'bound_region_create',
                                          'entitlement_create']})
    def test_failed_binding_says_why(self):
        self._mock()
        self.mock_bound_region_create.return_value = fixtures.bound_region(
            status='failed', reason='Offer vr1 was withdrawn.')

        res = self.client.post(BIND_URL, self._form_data())

        self.assertRedirectsNoFollow(res, BOUND_REGIONS_URL)
        self.mock_entitlement_create.assert_not_called()
        self.assertCookieMessage(
            res, 'The binding failed: Offer vr1 was withdrawn.')

    @helpers.create_mocks({api.mercador: ['provider_offer_get',
                                          'project_list',
                                          'bound_region_create']})
    def test_refused_binding_is_explained(self):
        self._mock()
        self.mock_bound_region_create.side_effect = exceptions.Conflict(
            'Region V1 already exists.')

        res = self.client.post(BIND_URL, self._form_data())

        self.assertRedirectsNoFollow(res, BOUND_REGIONS_URL)
        self.assertCookieMessage(res, 'Region V1 already exists.')

    @helpers.create_mocks({api.mercador: ['provider_offer_get',
                                          'project_list',
                                          'bound_region_create']})
    def test_bad_region_id(self):
        self._mock()

        res = self.client.post(BIND_URL, self._form_data(region_id='V 1'))

        self.assertFormErrors(res, 1)
        self.mock_bound_region_create.assert_not_called()

    @helpers.create_mocks({api.mercador: ['provider_offer_get']})
    def test_missing_offer_redirects(self):
        self.mock_provider_offer_get.side_effect = exceptions.NotFound(
            'Could not find offer: vr1.')

        res = self.client.get(BIND_URL)

        self.assertRedirectsNoFollow(res, INDEX_URL)
        self.assertCookieMessage(res, 'Could not find offer: vr1.')


class NonAdminTests(helpers.TestCase):

    @helpers.create_mocks({api.mercador: ['provider_list',
                                          'provider_offer_list',
                                          'provider_offer_get',
                                          'bound_region_create']})
    def test_refused(self):
        for url in (INDEX_URL, BIND_URL):
            self.assertEqual(403, self.client.get(url).status_code, url)
        res = self.client.post(BIND_URL, {'region_id': 'V1',
                                          'idempotency_key': 'key-0001'})
        self.assertEqual(403, res.status_code)
        for name in ('provider_list', 'provider_offer_list',
                     'provider_offer_get', 'bound_region_create'):
            getattr(self, 'mock_' + name).assert_not_called()
