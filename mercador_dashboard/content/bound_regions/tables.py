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
from django.utils.translation import pgettext_lazy

from horizon import exceptions
from horizon import tables
from horizon.utils import filters

from mercador_dashboard import api
from mercador_dashboard.content.bound_regions import constants

# A binding is a two-party protocol: requested -> active, or
# requested -> compensating -> failed.
STATUS_CHOICES = (
    ('active', True),
    ('failed', False),
    ('requested', None),
    ('compensating', None),
)
STATUS_DISPLAY_CHOICES = (
    ('requested', pgettext_lazy('Status of a bound region', 'Requested')),
    ('active', pgettext_lazy('Status of a bound region', 'Active')),
    ('compensating', pgettext_lazy('Status of a bound region',
                                   'Compensating')),
    ('failed', pgettext_lazy('Status of a bound region', 'Failed')),
)


class ManageEntitlements(tables.LinkAction):
    name = 'entitlements'
    verbose_name = _("Manage Entitlements")
    url = constants.ENTITLEMENTS_URL
    classes = ('ajax-modal',)
    icon = 'pencil'
    policy_rules = constants.POLICY_ENTITLEMENT_UPDATE

    def allowed(self, request, bound_region=None):
        return bound_region is None or bound_region.status == 'active'


class Unbind(tables.DeleteAction):
    name = 'unbind'
    help_text = _("The region disappears from the catalog of every "
                  "entitled project and the provider's binding is deleted, "
                  "with every resource in it. This action cannot be "
                  "undone.")
    policy_rules = constants.POLICY_DELETE

    @staticmethod
    def action_present(count):
        return ngettext_lazy("Unbind Region", "Unbind Regions", count)

    @staticmethod
    def action_past(count):
        return ngettext_lazy("Unbound Region", "Unbound Regions", count)

    def allowed(self, request, bound_region=None):
        return (bound_region is None or
                bound_region.status in ('active', 'failed'))

    def delete(self, request, obj_id):
        try:
            api.mercador.bound_region_delete(request, obj_id)
        except Exception:
            # Show the remote Keystone's explanation.
            exceptions.handle(request, escalate=True, details='')


class UpdateRow(tables.Row):
    ajax = True

    def get_data(self, request, bound_region_id):
        bound_region = api.mercador.bound_region_get(request, bound_region_id)
        bound_region.provider_name = api.mercador.provider_get(
            request, bound_region.provider_id).name
        return bound_region


def _reason(bound_region):
    # Only meaningful while the binding is failing or failed.
    if bound_region.status in ('compensating', 'failed'):
        return bound_region.reason or ''
    return ''


def _services(bound_region):
    return ', '.join(bound_region.services or ())


class BoundRegionsTable(tables.DataTable):
    region = tables.WrappingColumn('region_id', verbose_name=_("Region"))
    provider = tables.Column('provider_name', verbose_name=_("Provider"))
    description = tables.Column('description',
                                verbose_name=_("Description"))
    status = tables.Column('status', verbose_name=_("Status"), status=True,
                           status_choices=STATUS_CHOICES,
                           display_choices=STATUS_DISPLAY_CHOICES)
    reason = tables.WrappingColumn(_reason, verbose_name=_("Reason"))
    services = tables.Column(_services, verbose_name=_("Services"))
    created = tables.Column('created_at', verbose_name=_("Bound"),
                            filters=(filters.parse_isotime,))

    class Meta(object):
        name = 'bound_regions'
        verbose_name = _("Bound Regions")
        status_columns = ('status',)
        row_class = UpdateRow
        table_actions = (Unbind,)
        row_actions = (ManageEntitlements, Unbind)
