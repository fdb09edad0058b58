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
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from horizon import exceptions
from horizon import forms
from horizon import tables
from horizon.utils import memoized

from mercador_dashboard import api
from mercador_dashboard.content.virtual_regions import constants
from mercador_dashboard.content.virtual_regions import forms as vr_forms
from mercador_dashboard.content.virtual_regions import tables as vr_tables
from mercador_dashboard import views as mercador_views


class IndexView(mercador_views.PolicyMixin, tables.DataTableView):
    table_class = vr_tables.VirtualRegionsTable
    template_name = constants.INDEX_TEMPLATE
    page_title = _("Virtual Regions")
    policy_rules = constants.POLICY_LIST

    def get_data(self):
        try:
            return api.mercador.virtual_region_list(self.request)
        except Exception:
            exceptions.handle(self.request,
                              _("Unable to retrieve virtual regions."),
                              details='')
            return []


class CreateView(mercador_views.PolicyMixin, forms.ModalFormView):
    form_class = vr_forms.CreateVirtualRegionForm
    form_id = 'create_virtual_region_form'
    template_name = constants.CREATE_TEMPLATE
    submit_label = _("Create Virtual Region")
    submit_url = reverse_lazy(constants.CREATE_URL)
    success_url = reverse_lazy(constants.INDEX_URL)
    page_title = _("Create Virtual Region")
    policy_rules = constants.POLICY_CREATE


class UpdateView(mercador_views.PolicyMixin, forms.ModalFormView):
    form_class = vr_forms.UpdateVirtualRegionForm
    form_id = 'update_virtual_region_form'
    template_name = constants.UPDATE_TEMPLATE
    submit_label = _("Save Changes")
    success_url = reverse_lazy(constants.INDEX_URL)
    page_title = _("Edit Virtual Region")
    policy_rules = constants.POLICY_UPDATE

    @memoized.memoized_method
    def get_object(self):
        try:
            return api.mercador.virtual_region_get(
                self.request, self.kwargs['virtual_region_id'])
        except Exception:
            exceptions.handle(self.request,
                              _("Unable to retrieve the virtual region."),
                              redirect=reverse(constants.INDEX_URL),
                              details='')

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs['virtual_region'] = self.get_object()
        return kwargs

    def get_initial(self):
        return self.form_class.initial_for(self.get_object())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context['submit_url'] = reverse(constants.UPDATE_URL,
                                        args=(self.get_object().id,))
        return context


class DetailView(mercador_views.PolicyMixin, tables.DataTableView):
    table_class = vr_tables.BindingsTable
    template_name = constants.DETAIL_TEMPLATE
    page_title = _("Virtual Region: {{ virtual_region.name }}")
    policy_rules = constants.POLICY_GET

    @memoized.memoized_method
    def get_object(self):
        try:
            return api.mercador.virtual_region_get(
                self.request, self.kwargs['virtual_region_id'])
        except Exception:
            exceptions.handle(self.request,
                              _("Unable to retrieve the virtual region."),
                              redirect=reverse(constants.INDEX_URL),
                              details='')

    def get_data(self):
        virtual_region = self.get_object()
        try:
            bindings = api.mercador.binding_list(
                self.request, virtual_region_id=virtual_region.id)
            names = {a.id: a.name
                     for a in api.mercador.aggregator_list(self.request)}
        except Exception:
            exceptions.handle(self.request,
                              _("Unable to retrieve the bindings."),
                              details='')
            return []
        for binding in bindings:
            binding.aggregator_name = names.get(binding.aggregator_id,
                                                binding.aggregator_id)
        return bindings

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context['virtual_region'] = self.get_object()
        context['url'] = reverse(constants.INDEX_URL)
        return context
