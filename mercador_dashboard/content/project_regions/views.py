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

from horizon import exceptions
from horizon import views
from openstack_dashboard import policy

from mercador_dashboard import api
from mercador_dashboard.content.project_regions import constants

#: Keystone unified limits name Placement resource classes "class:<RC>"
#: (as Nova's do); other limits have no Placement usage to compare with.
CLASS_PREFIX = 'class:'


def limit_rows(limits, current):
    """``[{'resource', 'service_type', 'limit', 'used', 'percent'}]``: the
    provider's limits with the project's current usage against them, then
    what is in use without a limit of its own. ``current`` None: usage
    unknown."""
    known = current is not None
    current = dict(current or {})
    rows = []
    for limit in limits or ():
        name = limit.get('resource_name', '')
        resource = (name[len(CLASS_PREFIX):]
                    if name.startswith(CLASS_PREFIX) else None)
        used = current.pop(resource, 0) if resource and known else None
        value = limit.get('resource_limit')
        percent = None
        if used is not None and value:
            percent = min(100, int(round(100.0 * used / value)))
        elif used is not None and value == 0:
            percent = 100 if used else 0
        rows.append({'resource': name,
                     'service_type': limit.get('service_type', ''),
                     'limit': value, 'used': used, 'percent': percent})
    for resource, used in sorted(current.items()):
        rows.append({'resource': resource, 'service_type': 'placement',
                     'limit': None, 'used': used, 'percent': None})
    return rows


class IndexView(views.HorizonTemplateView):
    template_name = constants.INDEX_TEMPLATE
    page_title = _("Regions")

    def dispatch(self, request, *args, **kwargs):
        if not policy.check(constants.POLICY_LIST, request,
                            target=constants.project_target(request)):
            raise exceptions.NotAuthorized
        return super().dispatch(request, *args, **kwargs)

    def _usage(self, region):
        if region.status != 'active' or not policy.check(
                constants.POLICY_USAGE, self.request,
                target=constants.entitlement_target(self.request)):
            return None
        usage = api.mercador.bound_region_usage(
            self.request, region.id, project_id=self.request.user.project_id)
        for project in usage.projects or ():
            if project['project_id'] == self.request.user.project_id:
                return project.get('current') or {}
        return {}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        try:
            regions = api.mercador.project_region_list(
                self.request, self.request.user.project_id)
        except Exception:
            regions = []
            exceptions.handle(self.request,
                              _("Unable to retrieve the regions."),
                              details='')
        for region in regions:
            try:
                region.current = self._usage(region)
            except Exception:
                region.current = None
                exceptions.handle(
                    self.request,
                    _("Unable to retrieve the usage of %s.")
                    % region.region_id, details='')
            region.limit_rows = limit_rows(region.limits, region.current)
        context['regions'] = regions
        context['services_region'] = self.request.user.services_region
        context['available_regions'] = set(
            self.request.user.available_services_regions)
        return context
