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

from horizon import exceptions

from openstack_dashboard import policy


class PolicyMixin(object):
    """Refuse a view, not only hide the links to it, when policy denies it.

    Horizon checks a panel's ``policy_rules`` on its URLs; a view that needs
    more (creating, editing) declares its own rules here.
    """
    policy_rules = ()

    def dispatch(self, request, *args, **kwargs):
        if not policy.check(self.policy_rules, request):
            raise exceptions.NotAuthorized
        return super().dispatch(request, *args, **kwargs)


class WorkflowTitleMixin(object):
    """Give a workflow shown as a full page its title in the breadcrumb.

    Horizon's ``WorkflowView`` sets no ``page_title``: the breadcrumb of a
    workflow opened in its own page (not in a modal) ends in "None".
    """

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault('page_title', context['workflow'].name)
        return context
