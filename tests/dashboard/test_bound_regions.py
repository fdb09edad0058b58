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
from mercador_dashboard.content.bound_regions import workflows
from tests.dashboard import fixtures

INDEX_URL = reverse('horizon:admin:bound_regions:index')
ENTITLEMENTS_URL = reverse('horizon:admin:bound_regions:entitlements',
                           args=['br1'])
MEMBERS = 'entitled_projects_role_member'
ESCAPED_XSS = '&lt;script&gt;alert(1)&lt;/script&gt;'


def _messages(response):
    return [str(m) for m in response.context['messages']]


class IndexTests(helpers.BaseAdminViewTests):

    @helpers.create_mocks({api.mercador: ['bound_region_list',
                                          'provider_list']})
    def test_index_shows_state_and_failure_reason(self):
        self.mock_bound_region_list.return_value = ([
            fixtures.bound_region(),
            fixtures.bound_region(id='br2', region_id='V2', status='failed',
                                  reason='Provider refused: ' +
                                  fixtures.XSS)], False)
        self.mock_provider_list.return_value = [
            fixtures.provider(name=fixtures.XSS)]

        res = self.client.get(INDEX_URL)

        self.assertTemplateUsed(res, 'admin/bound_regions/index.html')
        rows = res.context['table'].get_rows()
        self.assertEqual(['br1', 'br2'], [r.datum.id for r in rows])
        self.assertEqual('', rows[0].cells['reason'].data)
        self.assertEqual('Provider refused: ' + fixtures.XSS,
                         rows[1].cells['reason'].data)
        self.assertNotContains(res, fixtures.XSS)
        self.assertContains(res, ESCAPED_XSS)
        # Entitlements are managed on active regions only.
        self.assertContains(res, ENTITLEMENTS_URL)
        self.assertNotContains(res, reverse(
            'horizon:admin:bound_regions:entitlements', args=['br2']))

    @helpers.create_mocks({api.mercador: ['bound_region_list',
                                          'provider_list']})
    def test_index_links_the_next_page(self):
        self.mock_bound_region_list.return_value = ([
            fixtures.bound_region(),
            fixtures.bound_region(id='br2', region_id='V2')], True)
        self.mock_provider_list.return_value = [fixtures.provider()]

        res = self.client.get(INDEX_URL)

        self.mock_bound_region_list.assert_called_once_with(
            helpers.IsHttpRequest(), marker=None, paginate=True)
        self.assertTrue(res.context['table'].has_more_data())
        self.assertContains(res, 'href="?marker=br2"')
        self.assertContains(res, 'Next&nbsp;&raquo;')

    @helpers.create_mocks({api.mercador: ['bound_region_list',
                                          'provider_list']})
    def test_index_last_page(self):
        self.mock_bound_region_list.return_value = (
            [fixtures.bound_region(id='br3', region_id='V3')], False)
        self.mock_provider_list.return_value = [fixtures.provider()]

        res = self.client.get(INDEX_URL, {'marker': 'br2'})

        self.mock_bound_region_list.assert_called_once_with(
            helpers.IsHttpRequest(), marker='br2', paginate=True)
        self.assertEqual(['br3'], [r.datum.id for r in
                                   res.context['table'].get_rows()])
        self.assertFalse(res.context['table'].has_more_data())
        self.assertNotContains(res, 'href="?marker=')
        self.assertNotContains(res, 'Next&nbsp;&raquo;')

    @helpers.create_mocks({api.mercador: ['bound_region_list']})
    def test_index_bad_marker_is_a_message(self):
        self.mock_bound_region_list.side_effect = exceptions.BadRequest(
            'Marker gone could not be found.')

        res = self.client.get(INDEX_URL, {'marker': 'gone'})

        self.assertEqual(200, res.status_code)
        self.assertIn('Marker gone could not be found.', _messages(res))
        self.assertFalse(res.context['table'].has_more_data())

    @helpers.create_mocks({api.mercador: ['bound_region_list']})
    def test_index_error_is_a_message(self):
        self.mock_bound_region_list.side_effect = exceptions.NotAvailable(
            'Keystone failed: Internal Server Error')

        res = self.client.get(INDEX_URL)

        self.assertEqual(200, res.status_code)
        self.assertIn('Keystone failed: Internal Server Error',
                      _messages(res))

    @helpers.create_mocks({api.mercador: ['bound_region_get',
                                          'provider_get']})
    def test_row_update_while_binding(self):
        self.mock_bound_region_get.return_value = fixtures.bound_region(
            status='requested')
        self.mock_provider_get.return_value = fixtures.provider()

        res = self.client.get(INDEX_URL, {
            'action': 'row_update', 'table': 'bound_regions',
            'obj_id': 'br1'}, HTTP_X_REQUESTED_WITH='XMLHttpRequest')

        self.assertEqual(200, res.status_code)
        self.assertContains(res, 'Requested')
        self.assertContains(res, 'acme')

    @helpers.create_mocks({api.mercador: ['bound_region_list',
                                          'provider_list',
                                          'bound_region_delete']})
    def test_unbind(self):
        self.mock_bound_region_list.return_value = (
            [fixtures.bound_region()], False)
        self.mock_provider_list.return_value = [fixtures.provider()]

        res = self.client.post(INDEX_URL,
                               {'action': 'bound_regions__unbind__br1'})

        self.assertRedirectsNoFollow(res, INDEX_URL)
        self.mock_bound_region_delete.assert_called_once_with(
            helpers.IsHttpRequest(), 'br1')

    @helpers.create_mocks({api.mercador: ['bound_region_list',
                                          'provider_list',
                                          'bound_region_delete']})
    def test_unbind_refused_while_in_progress(self):
        self.mock_bound_region_list.return_value = (
            [fixtures.bound_region(status='compensating')], False)
        self.mock_provider_list.return_value = [fixtures.provider()]

        self.client.post(INDEX_URL, {'action': 'bound_regions__unbind__br1'})

        self.mock_bound_region_delete.assert_not_called()

    @helpers.create_mocks({api.mercador: ['bound_region_list',
                                          'provider_list',
                                          'bound_region_delete']})
    def test_unbind_failure_is_explained(self):
        self.mock_bound_region_list.return_value = (
            [fixtures.bound_region()], False)
        self.mock_provider_list.return_value = [fixtures.provider()]
        self.mock_bound_region_delete.side_effect = exceptions.NotAvailable(
            'Keystone failed: provider acme is unreachable')

        res = self.client.post(INDEX_URL,
                               {'action': 'bound_regions__unbind__br1'})

        self.assertRedirectsNoFollow(res, INDEX_URL)
        self.assertCookieMessage(
            res, 'Keystone failed: provider acme is unreachable')


class EntitlementsTests(helpers.BaseAdminViewTests):

    def _mock(self):
        self.mock_bound_region_get.return_value = fixtures.bound_region()
        self.mock_entitlement_list.return_value = [
            {'bound_region_id': 'br1', 'target_type': 'project',
             'target_id': 'p1'},
            {'bound_region_id': 'br1', 'target_type': 'domain',
             'target_id': 'default'}]
        self.mock_project_list.return_value = fixtures.PROJECTS + [
            {'id': 'p3', 'name': fixtures.XSS, 'domain_id': 'default'}]

    @helpers.create_mocks({api.mercador: ['bound_region_get',
                                          'entitlement_list',
                                          'project_list']})
    def test_membership_widget(self):
        self._mock()

        res = self.client.get(ENTITLEMENTS_URL)

        self.assertTemplateUsed(res, 'horizon/common/_workflow_base.html')
        step = res.context['workflow'].get_step('entitled_projects')
        self.assertIsInstance(step, workflows.EntitlementsStep)
        field = step.action.fields[MEMBERS]
        # Sorted by name.
        self.assertEqual(['p3', 'p1', 'p2'], [v for v, _l in field.choices])
        self.assertEqual(['p1'], field.initial)
        self.assertNotContains(res, fixtures.XSS)

    @helpers.create_mocks({api.mercador: ['bound_region_get',
                                          'entitlement_list',
                                          'project_list',
                                          'entitlement_create',
                                          'entitlement_delete']})
    def test_only_changes_are_sent_domains_kept(self):
        self._mock()

        res = self.client.post(ENTITLEMENTS_URL, {
            'bound_region_id': 'br1', MEMBERS: ['p2', 'p3']})

        self.assertNoFormErrors(res)
        self.assertRedirectsNoFollow(res, INDEX_URL)
        self.assertEqual(
            [(('br1', 'project', 'p2'),), (('br1', 'project', 'p3'),)],
            [(c.args[1:],) for c in
             self.mock_entitlement_create.call_args_list])
        self.mock_entitlement_delete.assert_called_once_with(
            helpers.IsHttpRequest(), 'br1', 'project', 'p1')

    @helpers.create_mocks({api.mercador: ['bound_region_get',
                                          'entitlement_list',
                                          'project_list',
                                          'entitlement_create',
                                          'entitlement_delete']})
    def test_partial_failure_is_reported(self):
        self._mock()
        self.mock_entitlement_create.side_effect = [
            exceptions.NotFound('Could not find project: p2.'), None]

        res = self.client.post(ENTITLEMENTS_URL, {MEMBERS: ['p2', 'p3']})

        self.assertRedirectsNoFollow(res, INDEX_URL)
        self.assertEqual(2, self.mock_entitlement_create.call_count)
        self.mock_entitlement_delete.assert_called_once()
        self.assertCookieMessage(
            res, 'Unable to update every entitlement of region "V1".')

    @helpers.create_mocks({api.mercador: ['bound_region_get']})
    def test_missing_bound_region_redirects(self):
        self.mock_bound_region_get.side_effect = exceptions.NotFound(
            'Could not find bound region: br1.')

        res = self.client.get(ENTITLEMENTS_URL)

        self.assertRedirectsNoFollow(res, INDEX_URL)
        self.assertCookieMessage(res, 'Could not find bound region: br1.')


class NonAdminTests(helpers.TestCase):

    @helpers.create_mocks({api.mercador: [
        'bound_region_list', 'bound_region_get', 'entitlement_list',
        'entitlement_create', 'bound_region_delete']})
    def test_refused(self):
        for url in (INDEX_URL, ENTITLEMENTS_URL):
            self.assertEqual(403, self.client.get(url).status_code, url)
        for url, data in ((INDEX_URL,
                           {'action': 'bound_regions__unbind__br1'}),
                          (ENTITLEMENTS_URL, {MEMBERS: ['p1']})):
            self.assertEqual(403, self.client.post(url, data).status_code)
        for name in ('bound_region_list', 'bound_region_get',
                     'entitlement_list', 'entitlement_create',
                     'bound_region_delete'):
            getattr(self, 'mock_' + name).assert_not_called()
