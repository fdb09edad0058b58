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

import uuid

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from horizon import exceptions
from horizon import messages
from horizon import tables
from horizon.utils import memoized
from horizon import workflows

from mercador_dashboard import api
from mercador_dashboard.content.offers import constants
from mercador_dashboard.content.offers import tables as offer_tables
from mercador_dashboard.content.offers import workflows as offer_flows
from mercador_dashboard import views as mercador_views


class IndexView(mercador_views.PolicyMixin, tables.DataTableView):
    table_class = offer_tables.OffersTable
    template_name = constants.INDEX_TEMPLATE
    page_title = _("Offers")
    policy_rules = constants.POLICY_LIST

    def get_data(self):
        filters = self.get_filters()
        if filters.get('country'):
            filters['country'] = filters['country'].upper()
        try:
            providers = api.mercador.provider_list(self.request)
        except Exception:
            exceptions.handle(self.request,
                              _("Unable to retrieve providers."),
                              details='')
            return []
        offers = []
        for provider in providers:
            # One unreachable provider must not hide the others' offers.
            try:
                found = api.mercador.provider_offer_list(
                    self.request, provider.id, **filters)
            except Exception as exc:
                messages.error(self.request, _(
                    'Unable to retrieve the offers of provider "%(name)s": '
                    '%(reason)s') % {'name': provider.name, 'reason': exc})
                continue
            for offer in found:
                offer.provider_id = provider.id
                offer.provider_name = provider.name
            offers.extend(found)
        return offers


class BindView(mercador_views.PolicyMixin,
               mercador_views.WorkflowTitleMixin,
               workflows.WorkflowView):
    workflow_class = offer_flows.BindOffer
    policy_rules = constants.POLICY_BIND

    @memoized.memoized_method
    def get_object(self):
        try:
            return api.mercador.provider_offer_get(
                self.request, self.kwargs['provider_id'],
                self.kwargs['offer_id'])
        except Exception:
            exceptions.handle(self.request,
                              _("Unable to retrieve the offer."),
                              redirect=reverse(constants.INDEX_URL),
                              details='')

    def get_initial(self):
        offer = self.get_object()
        return {'provider_id': self.kwargs['provider_id'],
                'offer_id': offer.id,
                'offer_name': offer.name,
                'idempotency_key': uuid.uuid4().hex,
                'project_ids': []}
