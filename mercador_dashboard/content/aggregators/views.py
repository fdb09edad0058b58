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

from django import shortcuts
from django.urls import reverse
from django.urls import reverse_lazy
from django.utils import cache
from django.utils.translation import gettext_lazy as _

from horizon import exceptions
from horizon import forms
from horizon import tables
from horizon.utils import http as http_utils

from mercador_dashboard import api
from mercador_dashboard.content.aggregators import constants
from mercador_dashboard.content.aggregators import forms as agg_forms
from mercador_dashboard.content.aggregators import tables as agg_tables
from mercador_dashboard import views as mercador_views


class IndexView(mercador_views.PolicyMixin, tables.DataTableView):
    table_class = agg_tables.AggregatorsTable
    template_name = constants.INDEX_TEMPLATE
    page_title = _("Aggregators")
    policy_rules = constants.POLICY_LIST

    def get_data(self):
        try:
            return api.mercador.aggregator_list(self.request)
        except Exception:
            exceptions.handle(self.request,
                              _("Unable to retrieve aggregators."),
                              details='')
            return []


class RegisterView(mercador_views.PolicyMixin, forms.ModalFormView):
    form_class = agg_forms.RegisterAggregatorForm
    form_id = 'register_aggregator_form'
    template_name = constants.REGISTER_TEMPLATE
    submit_label = _("Register Aggregator")
    submit_url = reverse_lazy(constants.REGISTER_URL)
    success_url = reverse_lazy(constants.INDEX_URL)
    page_title = _("Register Aggregator")
    policy_rules = constants.POLICY_CREATE

    def form_valid(self, form):
        aggregator = form.handle(self.request, form.cleaned_data)
        if not aggregator:
            return self.form_invalid(form)
        # The secret exists only in this response: it is neither stored
        # (session, messages, cache) nor logged, and must not be cached.
        ajax = http_utils.is_ajax(self.request)
        response = shortcuts.render(
            self.request,
            (constants.CREDENTIAL_AJAX_TEMPLATE if ajax
             else constants.CREDENTIAL_TEMPLATE),
            {'aggregator': aggregator,
             'credential': aggregator.credential,
             'hide': ajax,
             'page_title': _("Aggregator Credential"),
             'done_url': reverse(constants.INDEX_URL)})
        cache.add_never_cache_headers(response)
        return response
