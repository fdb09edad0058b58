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

from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from horizon import exceptions
from horizon import forms
from horizon import tables

from mercador_dashboard import api
from mercador_dashboard.content.providers import constants
from mercador_dashboard.content.providers import forms as provider_forms
from mercador_dashboard.content.providers import tables as provider_tables
from mercador_dashboard import views as mercador_views


class IndexView(mercador_views.PolicyMixin, tables.DataTableView):
    table_class = provider_tables.ProvidersTable
    template_name = constants.INDEX_TEMPLATE
    page_title = _("Providers")
    policy_rules = constants.POLICY_LIST

    def get_data(self):
        try:
            return api.mercador.provider_list(self.request)
        except Exception:
            exceptions.handle(self.request,
                              _("Unable to retrieve providers."),
                              details='')
            return []


class RegisterView(mercador_views.PolicyMixin, forms.ModalFormView):
    form_class = provider_forms.RegisterProviderForm
    form_id = 'register_provider_form'
    template_name = constants.REGISTER_TEMPLATE
    submit_label = _("Register Provider")
    submit_url = reverse_lazy(constants.REGISTER_URL)
    success_url = reverse_lazy(constants.INDEX_URL)
    page_title = _("Register Provider")
    policy_rules = constants.POLICY_CREATE
