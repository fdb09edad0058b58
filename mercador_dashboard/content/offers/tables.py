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

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from horizon import tables

from mercador_dashboard.content.offers import constants


class BindOffer(tables.LinkAction):
    name = 'bind'
    verbose_name = _("Bind")
    url = constants.BIND_URL
    classes = ('ajax-modal',)
    icon = 'link'
    policy_rules = constants.POLICY_BIND

    def get_link_url(self, offer):
        return reverse(self.url, args=(offer.provider_id, offer.id))


class OfferFilterAction(tables.FilterAction):
    # The providers filter their offers themselves.
    filter_type = 'server'
    filter_choices = (
        ('country', _("Country ="), True,
         _("ISO 3166-1 alpha-2 code, e.g. FR")),
        ('compliance', _("Compliance tag ="), True),
        ('service_type', _("Service type ="), True),
        ('name', _("Name ="), True),
    )


def _metadata(key):
    def value(offer):
        item = (offer.metadata or {}).get(key, '')
        if isinstance(item, (list, tuple)):
            return ', '.join(str(i) for i in item)
        return item
    return value


def _services(offer):
    return ', '.join(offer.services or ())


def _hops(offer):
    # Providers older than service chaining do not say: one hop.
    return offer.get('hops') or 1


class OffersTable(tables.DataTable):
    provider = tables.Column('provider_name', verbose_name=_("Provider"))
    name = tables.WrappingColumn('name', verbose_name=_("Name"))
    description = tables.Column('description',
                                verbose_name=_("Description"))
    country = tables.Column(_metadata('country'), verbose_name=_("Country"))
    location = tables.Column(_metadata('location'),
                             verbose_name=_("Location"))
    compliance = tables.Column(_metadata('compliance'),
                               verbose_name=_("Compliance"))
    services = tables.Column(_services, verbose_name=_("Services"))
    hops = tables.Column(
        _hops, verbose_name=_("Hops"),
        help_text=_("Clouds a request crosses to reach the provider's own "
                    "region: more than 1 when the offer is a bound region "
                    "re-published by a reseller."))

    def get_object_id(self, offer):
        # Offer IDs are only unique within one provider.
        return '%s:%s' % (offer.provider_id, offer.id)

    class Meta(object):
        name = 'offers'
        verbose_name = _("Offers")
        table_actions = (OfferFilterAction,)
        row_actions = (BindOffer,)
