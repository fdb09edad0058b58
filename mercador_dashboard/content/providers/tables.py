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

from django import shortcuts
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from horizon import exceptions
from horizon import messages
from horizon import tables
from horizon.utils import filters

from mercador_dashboard import api
from mercador_dashboard.content.providers import constants


class RegisterProvider(tables.LinkAction):
    name = 'register'
    verbose_name = _("Register Provider")
    url = constants.REGISTER_URL
    classes = ('ajax-modal',)
    icon = 'plus'
    policy_rules = constants.POLICY_CREATE


class CheckProvider(tables.Action):
    """Authenticate to the provider with its stored credential.

    Listing its offers is the cheapest call that needs the credential, the
    CA bundle and the provider's Keystone all to work.
    """
    name = 'check'
    verbose_name = _("Check Connectivity")
    icon = 'plug'
    policy_rules = constants.POLICY_CHECK

    def single(self, table, request, obj_id):
        provider = table.get_object_by_id(obj_id)
        name = provider.name if provider else obj_id
        try:
            offers = api.mercador.provider_offer_list(request, obj_id)
        except Exception as exc:
            messages.error(request, _(
                'Provider "%(name)s" cannot be reached: %(reason)s') % {
                    'name': name, 'reason': exc})
        else:
            messages.success(request, ngettext_lazy(
                'Provider "%(name)s" answered with %(count)d offer.',
                'Provider "%(name)s" answered with %(count)d offers.',
                len(offers)) % {'name': name, 'count': len(offers)})
        return shortcuts.redirect(request.get_full_path())


class RemoveProvider(tables.DeleteAction):
    name = 'remove'
    help_text = _("Its credential is forgotten. A provider can only be "
                  "removed once none of its offers is bound.")
    policy_rules = constants.POLICY_DELETE

    @staticmethod
    def action_present(count):
        return ngettext_lazy("Remove Provider", "Remove Providers", count)

    @staticmethod
    def action_past(count):
        return ngettext_lazy("Removed Provider", "Removed Providers", count)

    def delete(self, request, obj_id):
        try:
            api.mercador.provider_delete(request, obj_id)
        except Exception:
            # Show the remote Keystone's explanation.
            exceptions.handle(request, escalate=True, details='')


def _ca(provider):
    return _("Custom") if provider.ca_certificate else _("System")


class ProvidersTable(tables.DataTable):
    name = tables.WrappingColumn('name', verbose_name=_("Name"))
    description = tables.Column('description', verbose_name=_("Description"))
    auth_url = tables.Column('auth_url',
                             verbose_name=_("Authentication URL"))
    ca = tables.Column(_ca, verbose_name=_("CA"))
    credential = tables.Column('application_credential_id',
                               verbose_name=_("Application Credential ID"))
    created = tables.Column('created_at', verbose_name=_("Registered"),
                            filters=(filters.parse_isotime,))

    class Meta(object):
        name = 'providers'
        verbose_name = _("Providers")
        table_actions = (RegisterProvider, RemoveProvider)
        row_actions = (CheckProvider, RemoveProvider)
