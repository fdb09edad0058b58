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

from django.core import validators
from django.utils.translation import gettext_lazy as _

from horizon import exceptions
from horizon import forms
from horizon import messages
from horizon import workflows

from mercador_dashboard import api
from mercador_dashboard.content.bound_regions import constants as br_consts
from mercador_dashboard.content.bound_regions import workflows as br_flows


class BindAction(workflows.Action):
    region_id = forms.CharField(
        label=_("Local region ID"), max_length=255,
        validators=[validators.RegexValidator(
            r'^[A-Za-z0-9][A-Za-z0-9._-]*$',
            _("Letters, digits, '.', '_' and '-', starting with a letter "
              "or a digit."))],
        help_text=_("The region name your tenants will pick, e.g. V1."))
    description = forms.CharField(label=_("Description"), max_length=255,
                                  required=False)
    # Generated when the form is shown: submitting it twice binds once.
    idempotency_key = forms.CharField(widget=forms.HiddenInput())

    class Meta(object):
        name = _("Region")
        slug = 'bind_region'
        help_text = _("The offer becomes a region of this cloud: its "
                      "services get endpoints in the catalog, served through "
                      "the Mercador proxy.")


class BindStep(workflows.Step):
    action_class = BindAction
    depends_on = ('provider_id', 'offer_id', 'offer_name')
    contributes = ('region_id', 'description', 'idempotency_key')


class BindOffer(workflows.Workflow):
    slug = 'bind_offer'
    name = _("Bind Offer")
    finalize_button_name = _("Bind")
    success_message = _('Offer "%(offer)s" was bound as region '
                        '"%(region)s".')
    failure_message = _('Unable to bind offer "%(offer)s" as region '
                        '"%(region)s".')
    success_url = br_consts.INDEX_URL
    default_steps = (BindStep, br_flows.EntitlementsStep)

    def format_status_message(self, message):
        return message % {'offer': self.context['offer_name'],
                          'region': self.context['region_id']}

    def handle(self, request, context):
        try:
            bound_region = api.mercador.bound_region_create(
                request, provider_id=context['provider_id'],
                offer_id=context['offer_id'],
                region_id=context['region_id'],
                description=context['description'],
                idempotency_key=context['idempotency_key'])
        except Exception:
            exceptions.handle(request, _("The binding was refused."),
                              details='')
            return False
        if bound_region.status == 'failed':
            # Nothing is left behind on either side; say why.
            messages.error(request, _("The binding failed: %s")
                           % bound_region.reason)
            return False
        return br_flows.apply_entitlements(
            request, bound_region.id, (), context['project_ids'])
