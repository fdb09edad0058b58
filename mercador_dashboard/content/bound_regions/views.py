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
from django.utils.translation import gettext_lazy as _

from horizon import exceptions
from horizon import tables
from horizon import workflows

from mercador_dashboard import api
from mercador_dashboard.content.bound_regions import constants
from mercador_dashboard.content.bound_regions import tables as br_tables
from mercador_dashboard.content.bound_regions import workflows as br_flows
from mercador_dashboard import views as mercador_views


class IndexView(mercador_views.PolicyMixin, tables.DataTableView):
    table_class = br_tables.BoundRegionsTable
    template_name = constants.INDEX_TEMPLATE
    page_title = _("Bound Regions")
    policy_rules = constants.POLICY_LIST

    _more = False

    def has_more_data(self, table):
        return self._more

    def get_data(self):
        # Forward pages only: "Next" passes the page's last bound region
        # as the marker (the API has no reverse order for a "Prev").
        marker = self.request.GET.get(
            self.table_class._meta.pagination_param)
        try:
            bound_regions, self._more = api.mercador.bound_region_list(
                self.request, marker=marker, paginate=True)
            names = {p.id: p.name
                     for p in api.mercador.provider_list(self.request)}
        except Exception:
            self._more = False
            exceptions.handle(self.request,
                              _("Unable to retrieve bound regions."),
                              details='')
            return []
        for bound_region in bound_regions:
            bound_region.provider_name = names.get(bound_region.provider_id,
                                                   bound_region.provider_id)
        return bound_regions


class EntitlementsView(mercador_views.PolicyMixin,
                       mercador_views.WorkflowTitleMixin,
                       workflows.WorkflowView):
    workflow_class = br_flows.UpdateEntitlements
    policy_rules = constants.POLICY_ENTITLEMENT_UPDATE

    def get_initial(self):
        bound_region_id = self.kwargs['bound_region_id']
        try:
            bound_region = api.mercador.bound_region_get(self.request,
                                                         bound_region_id)
            entitlements = api.mercador.entitlement_list(self.request,
                                                         bound_region_id)
        except Exception:
            exceptions.handle(self.request,
                              _("Unable to retrieve the entitlements."),
                              redirect=reverse(constants.INDEX_URL),
                              details='')
        project_ids = [e['target_id'] for e in entitlements
                       if e['target_type'] == 'project']
        return {'bound_region_id': bound_region.id,
                'region_id': bound_region.region_id,
                'current_project_ids': project_ids,
                'project_ids': project_ids}
