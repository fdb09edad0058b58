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
from django.utils.translation import ngettext_lazy

from horizon import exceptions
from horizon import tables
from horizon.utils import filters

from mercador_dashboard import api
from mercador_dashboard.content.aggregators import constants


class RegisterAggregator(tables.LinkAction):
    name = 'register'
    verbose_name = _("Register Aggregator")
    url = constants.REGISTER_URL
    classes = ('ajax-modal',)
    icon = 'plus'
    policy_rules = constants.POLICY_CREATE


class RevokeAggregator(tables.DeleteAction):
    name = 'revoke'
    help_text = _("Its credential stops working at once and all its "
                  "bindings are revoked. This action cannot be undone.")
    policy_rules = constants.POLICY_DELETE

    @staticmethod
    def action_present(count):
        return ngettext_lazy("Revoke Aggregator", "Revoke Aggregators",
                             count)

    @staticmethod
    def action_past(count):
        return ngettext_lazy("Revoked Aggregator", "Revoked Aggregators",
                             count)

    def delete(self, request, obj_id):
        try:
            api.mercador.aggregator_delete(request, obj_id)
        except Exception:
            # Show the remote Keystone's explanation.
            exceptions.handle(request, escalate=True, details='')


class AggregatorsTable(tables.DataTable):
    name = tables.WrappingColumn('name', verbose_name=_("Name"))
    description = tables.Column('description', verbose_name=_("Description"))
    id = tables.Column('id', verbose_name=_("Aggregator ID"))
    created = tables.Column('created_at', verbose_name=_("Registered"),
                            filters=(filters.parse_isotime,))

    class Meta(object):
        name = 'aggregators'
        verbose_name = _("Aggregators")
        table_actions = (RegisterAggregator, RevokeAggregator)
        row_actions = (RevokeAggregator,)
