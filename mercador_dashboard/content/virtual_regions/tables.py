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
from mercador_dashboard.content.virtual_regions import constants

STATUS_CHOICES = (
    ('published', True),
    ('draft', None),
    ('withdrawn', False),
)
STATUS_DISPLAY_CHOICES = (
    ('draft', pgettext_lazy('Status of a virtual region', 'Draft')),
    ('published', pgettext_lazy('Status of a virtual region', 'Published')),
    ('withdrawn', pgettext_lazy('Status of a virtual region', 'Withdrawn')),
)
VISIBILITY_DISPLAY_CHOICES = (
    ('all', _('All aggregators')),
    ('listed', _('Listed aggregators')),
)


def _report(request):
    # The api module raises Horizon exceptions whose text is the remote
    # Keystone's explanation; show it instead of a generic failure.
    exceptions.handle(request, escalate=True, details='')


class CreateVirtualRegion(tables.LinkAction):
    name = 'create'
    verbose_name = _("Create Virtual Region")
    url = constants.CREATE_URL
    classes = ('ajax-modal',)
    icon = 'plus'
    policy_rules = constants.POLICY_CREATE


class EditVirtualRegion(tables.LinkAction):
    name = 'edit'
    verbose_name = _("Edit")
    url = constants.UPDATE_URL
    classes = ('ajax-modal',)
    icon = 'pencil'
    policy_rules = constants.POLICY_UPDATE


class _StatusChange(tables.BatchAction):
    """Move virtual regions to ``status``, after a confirmation."""
    status = None
    from_statuses = ()
    classes = ('btn-danger',)
    policy_rules = constants.POLICY_UPDATE

    def allowed(self, request, virtual_region=None):
        return (virtual_region is None or
                virtual_region.status in self.from_statuses)

    def action(self, request, obj_id):
        try:
            api.mercador.virtual_region_update(request, obj_id,
                                               status=self.status)
        except Exception:
            _report(request)


class PublishVirtualRegion(_StatusChange):
    name = 'publish'
    status = 'published'
    from_statuses = ('draft', 'withdrawn')
    help_text = _("Aggregators allowed by its visibility will be able to "
                  "bind it.")

    @staticmethod
    def action_present(count):
        return ngettext_lazy("Publish Virtual Region",
                             "Publish Virtual Regions", count)

    @staticmethod
    def action_past(count):
        return ngettext_lazy("Published Virtual Region",
                             "Published Virtual Regions", count)


class WithdrawVirtualRegion(_StatusChange):
    name = 'withdraw'
    status = 'withdrawn'
    from_statuses = ('published',)
    help_text = _("No new binding will be possible; existing bindings are "
                  "kept.")

    @staticmethod
    def action_present(count):
        return ngettext_lazy("Withdraw Virtual Region",
                             "Withdraw Virtual Regions", count)

    @staticmethod
    def action_past(count):
        return ngettext_lazy("Withdrew Virtual Region",
                             "Withdrew Virtual Regions", count)


class DeleteVirtualRegion(tables.DeleteAction):
    help_text = _("A virtual region can only be deleted once it has no "
                  "binding. This action cannot be undone.")
    policy_rules = constants.POLICY_DELETE

    @staticmethod
    def action_present(count):
        return ngettext_lazy("Delete Virtual Region",
                             "Delete Virtual Regions", count)

    @staticmethod
    def action_past(count):
        return ngettext_lazy("Deleted Virtual Region",
                             "Deleted Virtual Regions", count)

    def allowed(self, request, virtual_region=None):
        return virtual_region is None or not virtual_region.binding_count

    def delete(self, request, obj_id):
        try:
            api.mercador.virtual_region_delete(request, obj_id)
        except Exception:
            _report(request)


class VirtualRegionFilterAction(tables.FilterAction):
    def filter(self, table, virtual_regions, filter_string):
        q = filter_string.lower()
        return [vr for vr in virtual_regions
                if q in vr.name.lower() or q in vr.region_id.lower()]


def _services(virtual_region):
    return ', '.join(virtual_region.services)


def _region(virtual_region):
    if virtual_region.get('upstream'):
        return _("%s (bound region)") % virtual_region.region_id
    return virtual_region.region_id


def _hops(virtual_region):
    return virtual_region.get('hops') or 1


BINDING_STATUS_CHOICES = (('active', True), ('failed', False))
BINDING_STATUS_DISPLAY_CHOICES = (
    ('active', pgettext_lazy("Current status of a binding", "Active")),
    ('failed', pgettext_lazy("Current status of a binding", "Failed")),
)


class VirtualRegionsTable(tables.DataTable):
    name = tables.WrappingColumn('name', verbose_name=_("Name"),
                                 link=constants.DETAIL_URL)
    region = tables.Column(_region, verbose_name=_("Region"))
    status = tables.Column('status', verbose_name=_("Status"), status=True,
                           status_choices=STATUS_CHOICES,
                           display_choices=STATUS_DISPLAY_CHOICES)
    services = tables.Column(_services, verbose_name=_("Services"))
    visibility = tables.Column('visibility', verbose_name=_("Visibility"),
                               display_choices=VISIBILITY_DISPLAY_CHOICES)
    binding_count = tables.Column('binding_count',
                                  verbose_name=_("Bindings"))
    hops = tables.Column(_hops, verbose_name=_("Hops"))

    class Meta(object):
        name = 'virtual_regions'
        verbose_name = _("Virtual Regions")
        status_columns = ('status',)
        table_actions = (VirtualRegionFilterAction, CreateVirtualRegion,
                         DeleteVirtualRegion)
        row_actions = (EditVirtualRegion, PublishVirtualRegion,
                       WithdrawVirtualRegion, DeleteVirtualRegion)


class RevokeBinding(tables.DeleteAction):
    name = 'revoke'
    help_text = _("The aggregator loses access to the virtual region at "
                  "once, and every project created for it is deleted. This "
                  "action cannot be undone.")
    policy_rules = constants.POLICY_BINDING_DELETE

    @staticmethod
    def action_present(count):
        return ngettext_lazy("Revoke Binding", "Revoke Bindings", count)

    @staticmethod
    def action_past(count):
        return ngettext_lazy("Revoked Binding", "Revoked Bindings", count)

    def delete(self, request, obj_id):
        try:
            api.mercador.binding_delete(request, obj_id)
        except Exception:
            _report(request)


class BindingsTable(tables.DataTable):
    id = tables.Column('id', verbose_name=_("Binding ID"))
    aggregator = tables.Column('aggregator_name',
                               verbose_name=_("Aggregator"))
    root_project = tables.Column('root_project_id',
                                 verbose_name=_("Root Project ID"))
    created = tables.Column('created_at', verbose_name=_("Created"),
                            filters=(filters.parse_isotime,))
    status = tables.Column(lambda b: b.get('status', 'active'),
                           verbose_name=_("Status"), status=True,
                           status_choices=BINDING_STATUS_CHOICES,
                           display_choices=BINDING_STATUS_DISPLAY_CHOICES)
    reason = tables.WrappingColumn(lambda b: b.get('reason') or '',
                                   verbose_name=_("Reason"))

    class Meta(object):
        name = 'bindings'
        verbose_name = _("Bindings")
        status_columns = ('status',)
        table_actions = (RevokeBinding,)
        row_actions = (RevokeBinding,)
