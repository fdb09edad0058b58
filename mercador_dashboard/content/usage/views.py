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
from mercador_dashboard.content.usage import constants
from mercador_dashboard import usage


class IndexView(usage.UsageView):
    """Usage of the bound regions, per tenant project (what the reseller
    bills its tenants for)."""
    page_title = _("Usage of the Bound Regions")
    subject_label = _("Bound region")
    policy_rules = constants.POLICY_GET

    def list_subjects(self):
        bound_regions = api.mercador.bound_region_list(self.request,
                                                       status='active')
        return [(br.id, ('%s (%s)' % (br.region_id, br.description)
                         if br.description else br.region_id))
                for br in bound_regions]

    def get_usage(self, subject_id, start, end):
        return api.mercador.bound_region_usage(self.request, subject_id,
                                               start=start, end=end)
