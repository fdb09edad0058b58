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
from horizon import forms
from horizon import workflows

from mercador_dashboard import api
from mercador_dashboard.content.bound_regions import constants


class EntitlementsAction(workflows.MembershipAction):
    """The projects that see a bound region, in Horizon's membership widget.

    Binding an offer and editing a bound region's entitlements share it.
    """

    def __init__(self, request, context, *args, **kwargs):
        super().__init__(request, context, *args, **kwargs)
        self.fields[self.get_default_role_field_name()] = forms.CharField(
            required=False, initial='member')
        field_name = self.get_member_field_name('member')
        self.fields[field_name] = forms.MultipleChoiceField(required=False)
        try:
            projects = api.mercador.project_list(request)
        except Exception:
            exceptions.handle(request, _("Unable to retrieve projects."),
                              details='')
            projects = []
        self.fields[field_name].choices = [
            (p['id'], p['name'])
            for p in sorted(projects, key=lambda p: p['name'].lower())]
        self.fields[field_name].initial = context.get('project_ids', [])

    class Meta(object):
        name = _("Entitled Projects")
        slug = 'entitled_projects'


class EntitlementsStep(workflows.UpdateMembersStep):
    action_class = EntitlementsAction
    help_text = _("Users of the entitled projects see the region in their "
                  "region menu and can use it. Entitlements of whole "
                  "domains are kept as they are.")
    available_list_title = _("All Projects")
    members_list_title = _("Entitled Projects")
    no_available_text = _("No project found.")
    no_members_text = _("No project entitled.")
    show_roles = False
    contributes = ('project_ids',)
    template_name = 'admin/bound_regions/_entitlements_step.html'

    def contribute(self, data, context):
        if data:
            context['project_ids'] = data.get(
                self.get_member_field_name('member'), [])
        return context


def apply_entitlements(request, bound_region_id, current, wanted):
    """Entitle ``wanted`` projects and withdraw the others of ``current``.

    Every change is tried; returns whether all of them succeeded.
    """
    changes = ([(api.mercador.entitlement_create, project_id,
                 _("Unable to entitle project %s."))
                for project_id in sorted(set(wanted) - set(current))] +
               [(api.mercador.entitlement_delete, project_id,
                 _("Unable to withdraw the entitlement of project %s."))
                for project_id in sorted(set(current) - set(wanted))])
    success = True
    for call, project_id, message in changes:
        try:
            call(request, bound_region_id, 'project', project_id)
        except Exception:
            success = False
            exceptions.handle(request, message % project_id, details='')
    return success


class UpdateEntitlementsStep(EntitlementsStep):
    depends_on = ('bound_region_id', 'region_id', 'current_project_ids')


class UpdateEntitlements(workflows.Workflow):
    slug = 'update_entitlements'
    name = _("Manage Entitlements")
    finalize_button_name = _("Save")
    success_message = _('Entitlements of region "%s" were updated.')
    failure_message = _('Unable to update every entitlement of region "%s".')
    success_url = constants.INDEX_URL
    default_steps = (UpdateEntitlementsStep,)

    def format_status_message(self, message):
        return message % self.context['region_id']

    def handle(self, request, context):
        return apply_entitlements(request, context['bound_region_id'],
                                  context['current_project_ids'],
                                  context['project_ids'])
