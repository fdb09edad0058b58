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

import os
import tempfile

from django.conf import settings
from django.urls import reverse
from openstack_auth import policy as auth_policy

from horizon import exceptions
from openstack_dashboard.test import helpers

from mercador_dashboard import api
from mercador_dashboard.content.virtual_regions import forms
from tests.dashboard import fixtures

INDEX_URL = reverse('horizon:admin:virtual_regions:index')
CREATE_URL = reverse('horizon:admin:virtual_regions:create')
UPDATE_URL = reverse('horizon:admin:virtual_regions:update', args=['vr1'])
DETAIL_URL = reverse('horizon:admin:virtual_regions:detail', args=['vr1'])
ESCAPED_XSS = '&lt;script&gt;alert(1)&lt;/script&gt;'
CATALOG_MOCKS = ['offerable_services', 'registered_limit_list',
                 'aggregator_list']
CORES = forms.limit_field_name('compute', 'cores')
IMAGE_SIZE = forms.limit_field_name('image', 'image_size_total')


def _messages(response):
    return [str(m) for m in response.context['messages']]


class IndexTests(helpers.BaseAdminViewTests):

    @helpers.create_mocks({api.mercador: ['virtual_region_list']})
    def test_index(self):
        self.mock_virtual_region_list.return_value = [
            fixtures.virtual_region(),
            fixtures.virtual_region(id='vr2', name=fixtures.XSS,
                                    status='published', binding_count=2)]

        res = self.client.get(INDEX_URL)

        self.assertTemplateUsed(res, 'admin/virtual_regions/index.html')
        rows = res.context['table'].data
        self.assertEqual(['vr1', 'vr2'], [vr.id for vr in rows])
        self.assertNotContains(res, fixtures.XSS)
        self.assertContains(res, ESCAPED_XSS)
        self.assertContains(res, 'compute, image')
        self.mock_virtual_region_list.assert_called_once_with(
            helpers.IsHttpRequest())

    @helpers.create_mocks({api.mercador: ['virtual_region_list']})
    def test_index_shows_the_chain(self):
        self.mock_virtual_region_list.return_value = [
            fixtures.virtual_region(),
            fixtures.virtual_region(
                id='vr2', region_id='V1', hops=2,
                upstream={'bound_region_id': 'br1', 'hops': 1})]

        res = self.client.get(INDEX_URL)

        rows = res.context['table'].get_rows()
        self.assertEqual(['RegionOne', 'V1 (bound region)'],
                         [str(r.cells['region'].data) for r in rows])
        self.assertEqual([1, 2], [r.cells['hops'].data for r in rows])

    @helpers.create_mocks({api.mercador: ['virtual_region_list']})
    def test_index_row_actions_follow_status(self):
        self.mock_virtual_region_list.return_value = [
            fixtures.virtual_region(),
            fixtures.virtual_region(id='vr2', name='lyon',
                                    status='published', binding_count=1)]

        res = self.client.get(INDEX_URL)

        table = res.context['table']
        draft, published = table.data

        def actions(datum):
            return {a.name for a in table.get_row_actions(datum)}
        self.assertEqual({'edit', 'publish', 'delete'}, actions(draft))
        self.assertEqual({'edit', 'withdraw'}, actions(published))

    @helpers.create_mocks({api.mercador: ['virtual_region_list']})
    def test_index_error_is_a_message(self):
        self.mock_virtual_region_list.side_effect = exceptions.NotAvailable(
            'Keystone is unreachable: connection refused')

        res = self.client.get(INDEX_URL)

        self.assertEqual(200, res.status_code)
        self.assertEqual([], res.context['table'].data)
        self.assertIn('Keystone is unreachable: connection refused',
                      _messages(res))


class ActionTests(helpers.BaseAdminViewTests):

    def _post_action(self, action, virtual_region):
        self.mock_virtual_region_list.return_value = [virtual_region]
        return self.client.post(
            INDEX_URL, {'action': 'virtual_regions__%s__%s'
                        % (action, virtual_region.id)})

    @helpers.create_mocks({api.mercador: ['virtual_region_list',
                                          'virtual_region_update']})
    def test_publish(self):
        res = self._post_action('publish', fixtures.virtual_region())

        self.assertNoFormErrors(res)
        self.assertRedirectsNoFollow(res, INDEX_URL)
        self.mock_virtual_region_update.assert_called_once_with(
            helpers.IsHttpRequest(), 'vr1', status='published')

    @helpers.create_mocks({api.mercador: ['virtual_region_list',
                                          'virtual_region_update']})
    def test_withdraw(self):
        res = self._post_action(
            'withdraw', fixtures.virtual_region(status='published'))

        self.assertRedirectsNoFollow(res, INDEX_URL)
        self.mock_virtual_region_update.assert_called_once_with(
            helpers.IsHttpRequest(), 'vr1', status='withdrawn')

    @helpers.create_mocks({api.mercador: ['virtual_region_list',
                                          'virtual_region_update']})
    def test_withdraw_refused_for_a_draft(self):
        self._post_action('withdraw', fixtures.virtual_region())

        self.mock_virtual_region_update.assert_not_called()

    @helpers.create_mocks({api.mercador: ['virtual_region_list',
                                          'virtual_region_delete']})
    def test_delete(self):
        res = self._post_action('delete', fixtures.virtual_region())

        self.assertRedirectsNoFollow(res, INDEX_URL)
        self.mock_virtual_region_delete.assert_called_once_with(
            helpers.IsHttpRequest(), 'vr1')

    @helpers.create_mocks({api.mercador: ['virtual_region_list',
                                          'virtual_region_delete']})
    def test_delete_refused_with_bindings(self):
        self._post_action('delete',
                          fixtures.virtual_region(binding_count=1))

        self.mock_virtual_region_delete.assert_not_called()

    @helpers.create_mocks({api.mercador: ['virtual_region_list',
                                          'virtual_region_update']})
    def test_remote_reason_is_shown(self):
        self.mock_virtual_region_update.side_effect = exceptions.Conflict(
            'A virtual region cannot go from draft to withdrawn.')

        res = self._post_action('publish', fixtures.virtual_region())

        self.assertRedirectsNoFollow(res, INDEX_URL)
        self.assertCookieMessage(
            res, 'A virtual region cannot go from draft to withdrawn.')


class CreateTests(helpers.BaseAdminViewTests):

    def _mock_catalog(self):
        self.mock_offerable_services.return_value = fixtures.OFFERABLE
        self.mock_registered_limit_list.return_value = \
            fixtures.REGISTERED_LIMITS
        self.mock_aggregator_list.return_value = [fixtures.aggregator()]
        self.mock_domain_list.return_value = fixtures.DOMAINS

    def _form_data(self, **overrides):
        data = {'name': 'paris', 'description': 'Paris offer',
                'region_id': 'RegionOne', 'domain': '',
                'services': ['compute', 'image'], CORES: '64',
                'visibility': 'all', 'country': 'FR', 'location': 'Paris',
                'compliance': 'gdpr, iso27001', 'api_versions': 'compute=2.1'}
        data.update(overrides)
        return data

    @helpers.create_mocks({api.mercador: CATALOG_MOCKS + ['domain_list']})
    def test_choices_come_from_the_catalog(self):
        self._mock_catalog()

        res = self.client.get(CREATE_URL)

        self.assertTemplateUsed(res, 'admin/virtual_regions/create.html')
        form = res.context['form']
        self.assertEqual([('RegionOne', 'RegionOne'),
                          ('RegionTwo', 'RegionTwo')],
                         form.fields['region_id'].choices)
        self.assertEqual(
            ['compute (RegionOne)', 'image (RegionOne, RegionTwo)',
             'network (RegionOne)'],
            [label for _v, label in form.fields['services'].choices])
        self.assertEqual(['', 'default', 'dom2'],
                         [v for v, _l in form.fields['domain'].choices])
        self.assertIn(CORES, form.fields)
        self.assertIn(IMAGE_SIZE, form.fields)
        self.assertEqual([('agg1', 'reseller')],
                         form.fields['aggregator_ids'].choices)

    @helpers.create_mocks({api.mercador: CATALOG_MOCKS + [
        'domain_list', 'virtual_region_create']})
    def test_create(self):
        self._mock_catalog()
        self.mock_virtual_region_create.return_value = \
            fixtures.virtual_region()

        res = self.client.post(CREATE_URL, self._form_data())

        self.assertNoFormErrors(res)
        self.assertRedirectsNoFollow(res, INDEX_URL)
        self.mock_virtual_region_create.assert_called_once_with(
            helpers.IsHttpRequest(), name='paris', description='Paris offer',
            region_id='RegionOne', domain_name='paris',
            services=['compute', 'image'],
            limits=[{'service_type': 'compute', 'resource_name': 'cores',
                     'resource_limit': 64}],
            metadata={'country': 'FR', 'location': 'Paris',
                      'compliance': ['gdpr', 'iso27001'],
                      'api_versions': {'compute': '2.1'}},
            visibility='all')

    @helpers.create_mocks({api.mercador: CATALOG_MOCKS + [
        'domain_list', 'virtual_region_create']})
    def test_create_listed_in_existing_domain(self):
        self._mock_catalog()
        self.mock_virtual_region_create.return_value = \
            fixtures.virtual_region()

        res = self.client.post(CREATE_URL, self._form_data(
            domain='dom2', visibility='listed', aggregator_ids=['agg1'],
            **{CORES: ''}))

        self.assertNoFormErrors(res)
        kwargs = self.mock_virtual_region_create.call_args.kwargs
        self.assertEqual('dom2', kwargs['domain_id'])
        self.assertNotIn('domain_name', kwargs)
        self.assertEqual([], kwargs['limits'])
        self.assertEqual('listed', kwargs['visibility'])
        self.assertEqual(['agg1'], kwargs['aggregator_ids'])

    @helpers.create_mocks({api.mercador: CATALOG_MOCKS + [
        'domain_list', 'virtual_region_create']})
    def test_service_missing_in_region_is_refused(self):
        self._mock_catalog()

        res = self.client.post(CREATE_URL, self._form_data(
            region_id='RegionTwo', services=['compute', 'image']))

        self.assertFormErrors(res, 2)
        self.assertContains(res, 'Region RegionTwo has no endpoint for '
                                 'compute.')
        self.mock_virtual_region_create.assert_not_called()

    @helpers.create_mocks({api.mercador: CATALOG_MOCKS + [
        'domain_list', 'virtual_region_create']})
    def test_limit_needs_its_service(self):
        self._mock_catalog()

        res = self.client.post(CREATE_URL, self._form_data(
            services=['image']))

        self.assertFormErrors(res, 1, 'Offer the compute service to limit '
                                      'it.')
        self.mock_virtual_region_create.assert_not_called()

    @helpers.create_mocks({api.mercador: CATALOG_MOCKS + [
        'domain_list', 'virtual_region_create']})
    def test_bad_metadata_is_refused(self):
        self._mock_catalog()

        res = self.client.post(CREATE_URL, self._form_data(
            country='France', compliance='GDPR', api_versions='compute'))

        self.assertFormErrors(res, 3)
        self.mock_virtual_region_create.assert_not_called()

    @helpers.create_mocks({api.mercador: CATALOG_MOCKS + [
        'domain_list', 'virtual_region_create']})
    def test_remote_refusal_is_shown(self):
        self._mock_catalog()
        self.mock_virtual_region_create.side_effect = exceptions.BadRequest(
            'Limit on compute/cores: Keystone has no registered limit.')

        res = self.client.post(CREATE_URL, self._form_data())

        self.assertEqual(200, res.status_code)
        self.assertIn(
            'Limit on compute/cores: Keystone has no registered limit.',
            _messages(res))


class UpdateTests(helpers.BaseAdminViewTests):

    def _mock(self, virtual_region):
        self.mock_virtual_region_get.return_value = virtual_region
        self.mock_offerable_services.return_value = fixtures.OFFERABLE
        self.mock_registered_limit_list.return_value = \
            fixtures.REGISTERED_LIMITS
        self.mock_aggregator_list.return_value = [fixtures.aggregator()]

    def _form_data(self, **overrides):
        data = {'name': 'paris', 'description': 'Paris offer',
                'services': ['compute', 'image'], CORES: '64',
                'visibility': 'all', 'country': 'FR', 'location': 'Paris',
                'compliance': 'gdpr', 'api_versions': ''}
        data.update(overrides)
        return data

    @helpers.create_mocks({api.mercador: CATALOG_MOCKS + [
        'virtual_region_get']})
    def test_initial_values(self):
        self._mock(fixtures.virtual_region())

        res = self.client.get(UPDATE_URL)

        self.assertTemplateUsed(res, 'admin/virtual_regions/update.html')
        form = res.context['form']
        self.assertEqual('paris', form.initial['name'])
        self.assertEqual(64, form.initial[CORES])
        self.assertEqual('gdpr', form.initial['compliance'])
        self.assertEqual(['compute', 'image', 'network'],
                         [v for v, _l in form.fields['services'].choices])
        self.assertNotIn('domain', form.fields)

    @helpers.create_mocks({api.mercador: CATALOG_MOCKS + [
        'virtual_region_get', 'virtual_region_update']})
    def test_only_changes_are_sent(self):
        self._mock(fixtures.virtual_region(binding_count=3))

        res = self.client.post(UPDATE_URL, self._form_data(
            description='Now with GPUs', country='DE'))

        self.assertNoFormErrors(res)
        self.assertRedirectsNoFollow(res, INDEX_URL)
        self.mock_virtual_region_update.assert_called_once_with(
            helpers.IsHttpRequest(), 'vr1', description='Now with GPUs',
            metadata={'x-tier': 'gold', 'country': 'DE',
                      'location': 'Paris', 'compliance': ['gdpr']})

    @helpers.create_mocks({api.mercador: CATALOG_MOCKS + [
        'virtual_region_get', 'virtual_region_update']})
    def test_services_and_limits(self):
        self._mock(fixtures.virtual_region())

        res = self.client.post(UPDATE_URL, self._form_data(
            services=['compute', 'image', 'network'], **{CORES: '-1'}))

        self.assertNoFormErrors(res)
        self.mock_virtual_region_update.assert_called_once_with(
            helpers.IsHttpRequest(), 'vr1',
            services=['compute', 'image', 'network'],
            limits=[{'service_type': 'compute', 'resource_name': 'cores',
                     'resource_limit': -1}])

    @helpers.create_mocks({api.mercador: CATALOG_MOCKS + [
        'virtual_region_get', 'virtual_region_update']})
    def test_remote_refusal_is_shown(self):
        self._mock(fixtures.virtual_region(binding_count=1))
        self.mock_virtual_region_update.side_effect = exceptions.Conflict(
            'Services and limits of virtual region vr1 cannot change while '
            'it has bindings.')

        res = self.client.post(UPDATE_URL, self._form_data(
            services=['compute']))

        self.assertEqual(200, res.status_code)
        self.assertIn('Services and limits of virtual region vr1 cannot '
                      'change while it has bindings.', _messages(res))

    @helpers.create_mocks({api.mercador: ['virtual_region_get']})
    def test_missing_virtual_region_redirects(self):
        self.mock_virtual_region_get.side_effect = exceptions.NotFound(
            'Could not find virtual region: vr1.')

        res = self.client.get(UPDATE_URL)

        self.assertRedirectsNoFollow(res, INDEX_URL)
        self.assertCookieMessage(res, 'Could not find virtual region: vr1.')


class DetailTests(helpers.BaseAdminViewTests):

    @helpers.create_mocks({api.mercador: ['virtual_region_get',
                                          'binding_list', 'aggregator_list']})
    def test_detail_lists_bindings_escaped(self):
        self.mock_virtual_region_get.return_value = fixtures.virtual_region(
            name=fixtures.XSS, description=fixtures.XSS,
            metadata={'location': fixtures.XSS}, binding_count=2)
        self.mock_binding_list.return_value = [
            fixtures.binding(),
            fixtures.binding(id='b2', aggregator_id='gone')]
        self.mock_aggregator_list.return_value = [
            fixtures.aggregator(name=fixtures.XSS)]

        res = self.client.get(DETAIL_URL)

        self.assertTemplateUsed(res, 'admin/virtual_regions/detail.html')
        self.assertEqual([fixtures.XSS, 'gone'],
                         [b.aggregator_name
                          for b in res.context['table'].data])
        self.assertNotContains(res, fixtures.XSS)
        self.assertContains(res, ESCAPED_XSS)
        self.mock_binding_list.assert_called_once_with(
            helpers.IsHttpRequest(), virtual_region_id='vr1')

    @helpers.create_mocks({api.mercador: ['virtual_region_get',
                                          'binding_list', 'aggregator_list']})
    def test_built_on_a_bound_region_and_failed_bindings(self):
        self.mock_virtual_region_get.return_value = fixtures.virtual_region(
            region_id='V1', upstream={'bound_region_id': 'br1', 'hops': 2},
            hops=3)
        self.mock_binding_list.return_value = [fixtures.binding(
            status='failed', reason=fixtures.XSS)]
        self.mock_aggregator_list.return_value = [fixtures.aggregator()]

        res = self.client.get(DETAIL_URL)

        self.assertContains(res, 'Bound region br1 (an offer of 2 hop(s))')
        (row,) = res.context['table'].get_rows()
        self.assertEqual('Failed', str(row.cells['status'].data))
        self.assertNotContains(res, fixtures.XSS)
        self.assertContains(res, ESCAPED_XSS)

    @helpers.create_mocks({api.mercador: ['virtual_region_get',
                                          'binding_list', 'aggregator_list',
                                          'binding_delete']})
    def test_revoke_binding(self):
        self.mock_virtual_region_get.return_value = fixtures.virtual_region()
        self.mock_binding_list.return_value = [fixtures.binding()]
        self.mock_aggregator_list.return_value = [fixtures.aggregator()]

        res = self.client.post(DETAIL_URL, {'action': 'bindings__revoke__b1'})

        self.assertRedirectsNoFollow(res, DETAIL_URL)
        self.mock_binding_delete.assert_called_once_with(
            helpers.IsHttpRequest(), 'b1')

    @helpers.create_mocks({api.mercador: ['virtual_region_get']})
    def test_missing_virtual_region_redirects(self):
        self.mock_virtual_region_get.side_effect = exceptions.NotFound(
            'Could not find virtual region: vr1.')

        res = self.client.get(DETAIL_URL)

        self.assertRedirectsNoFollow(res, INDEX_URL)


class NonAdminTests(helpers.TestCase):
    """A project member gets a 403 page on every URL, nothing is called."""

    @helpers.create_mocks({api.mercador: [
        'virtual_region_list', 'virtual_region_get', 'offerable_services',
        'virtual_region_create', 'virtual_region_update']})
    def test_refused(self):
        for url in (INDEX_URL, CREATE_URL, UPDATE_URL, DETAIL_URL):
            res = self.client.get(url)
            self.assertEqual(403, res.status_code, url)
        res = self.client.post(INDEX_URL,
                               {'action': 'virtual_regions__publish__vr1'})
        self.assertEqual(403, res.status_code)
        for name in ('virtual_region_list', 'virtual_region_get',
                     'offerable_services', 'virtual_region_create',
                     'virtual_region_update'):
            getattr(self, 'mock_' + name).assert_not_called()


class ViewPolicyTests(helpers.BaseAdminViewTests):
    """Views enforce their own rules, not only the panel's."""

    def setUp(self):
        super().setUp()
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        overrides = os.path.join(tmp.name, 'mercador_policy.yaml')
        with open(overrides, 'w') as f:
            f.write('"mercador:virtual_region:create": "!"\n')
        policy_files = dict(settings.POLICY_FILES, mercador=overrides)
        override = self.settings(POLICY_FILES=policy_files)
        override.enable()
        self.addCleanup(override.disable)
        auth_policy.reset()
        self.addCleanup(auth_policy.reset)

    @helpers.create_mocks({api.mercador: ['virtual_region_list',
                                          'offerable_services']})
    def test_create_refused_listing_allowed(self):
        self.mock_virtual_region_list.return_value = []

        self.assertEqual(403, self.client.get(CREATE_URL).status_code)
        res = self.client.get(INDEX_URL)

        self.assertEqual(200, res.status_code)
        self.assertNotContains(res, 'Create Virtual Region')
        self.mock_offerable_services.assert_not_called()
