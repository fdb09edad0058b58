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

from django.utils.translation import gettext_lazy as _

from mercador_dashboard import api
from mercador_dashboard.content.binding_usage import constants
from mercador_dashboard import usage


class IndexView(usage.UsageView):
    """Usage of each binding (the virtual region's projects for one
    aggregator), what the provider bills the aggregator for. Projects are
    the provider's own random references: the aggregator's tenants stay
    unknown."""
    page_title = _("Usage of the Bindings")
    subject_label = _("Binding")
    table_class = usage.ProviderUsageTable
    policy_rules = constants.POLICY_GET

    def list_subjects(self):
        bindings = api.mercador.binding_list(self.request)
        regions = {vr.id: vr.name
                   for vr in api.mercador.virtual_region_list(self.request)}
        aggregators = {a.id: a.name
                       for a in api.mercador.aggregator_list(self.request)}
        return sorted(
            ((b.id, '%s / %s' % (
                regions.get(b.virtual_region_id, b.virtual_region_id),
                aggregators.get(b.aggregator_id, b.aggregator_id)))
             for b in bindings if b.status in (None, 'active')),
            key=lambda choice: choice[1])

    def get_usage(self, subject_id, start, end):
        return api.mercador.binding_usage(self.request, subject_id,
                                          start=start, end=end)
