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

import hashlib

from django.core import validators
from django.utils.translation import gettext_lazy as _

from horizon import exceptions
from horizon import forms
from horizon import messages

from mercador_dashboard import api

# Metadata keys the form edits; any other key (``x-...``) is kept as is.
METADATA_KEYS = ('country', 'location', 'compliance', 'api_versions')

_country = validators.RegexValidator(
    r'^[A-Z]{2}$', _("Use an ISO 3166-1 alpha-2 code, e.g. FR."))
_tag = validators.RegexValidator(
    r'^[a-z0-9][a-z0-9._-]*$',
    _("Tags are lower-case letters, digits, '.', '_' and '-'."))


def _split(value):
    return [item.strip() for item in value.split(',') if item.strip()]


def limit_field_name(service_type, resource_name):
    """A stable field name for a limit, whatever characters it has."""
    key = '%s/%s' % (service_type, resource_name)
    return 'limit_' + hashlib.sha256(key.encode('utf-8')).hexdigest()[:16]


class VirtualRegionForm(forms.SelfHandlingForm):
    """Fields shared by creation and edition.

    Service and limit choices come from the provider's own catalog and
    registered limits, so only what really exists can be offered.
    """
    name = forms.CharField(label=_("Name"), max_length=255)
    description = forms.CharField(
        label=_("Description"), required=False,
        widget=forms.Textarea(attrs={'rows': 3}))
    services = forms.MultipleChoiceField(
        label=_("Services"), widget=forms.CheckboxSelectMultiple(),
        help_text=_("Service types offered; each must have an endpoint in "
                    "the region."))
    visibility = forms.ThemableChoiceField(
        label=_("Visibility"),
        choices=(('all', _("All aggregators")),
                 ('listed', _("Only the aggregators listed below"))),
        widget=forms.ThemableSelectWidget(attrs={
            'class': 'switchable', 'data-slug': 'visibility'}))
    aggregator_ids = forms.MultipleChoiceField(
        label=_("Aggregators"), required=False,
        widget=forms.CheckboxSelectMultiple(attrs={
            'class': 'switched', 'data-switch-on': 'visibility',
            'data-visibility-listed': _("Aggregators")}))
    country = forms.CharField(label=_("Country"), max_length=2,
                              required=False, validators=[_country])
    location = forms.CharField(label=_("Location"), max_length=255,
                               required=False)
    compliance = forms.CharField(
        label=_("Compliance tags"), required=False,
        help_text=_("Comma-separated, e.g. gdpr, iso27001."))
    api_versions = forms.CharField(
        label=_("API versions"), required=False,
        help_text=_("Comma-separated service_type=version pairs, "
                    "e.g. compute=2.1, image=2."))

    def __init__(self, request, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        try:
            self.offerable = api.mercador.offerable_services(request)
            limits = api.mercador.registered_limit_list(request)
            aggregators = api.mercador.aggregator_list(request)
        except Exception:
            exceptions.handle(request, _("Unable to retrieve the catalog."),
                              details='')
            self.offerable, limits, aggregators = {}, [], []
        self.fields['aggregator_ids'].choices = [
            (a.id, a.name) for a in aggregators]
        self.limit_fields = {}
        for limit in sorted(limits, key=lambda r: (r['service_type'],
                                                   r['resource_name'])):
            key = (limit['service_type'], limit['resource_name'])
            field_name = limit_field_name(*key)
            if field_name in self.fields:
                continue
            self.limit_fields[field_name] = key
            self.fields[field_name] = forms.IntegerField(
                label=_("Limit: %(service)s %(resource)s") % {
                    'service': key[0], 'resource': key[1]},
                required=False, min_value=-1,
                help_text=_("Empty for the default (%s); -1 for no "
                            "limit.") % limit.get('default_limit'))

    def clean_compliance(self):
        tags = _split(self.cleaned_data['compliance'])
        for tag in tags:
            _tag(tag)
        return tags

    def clean_api_versions(self):
        versions = {}
        for pair in _split(self.cleaned_data['api_versions']):
            service_type, sep, version = pair.partition('=')
            if not sep or not service_type.strip() or not version.strip():
                raise forms.ValidationError(
                    _("%s is not a service_type=version pair.") % pair)
            versions[service_type.strip()] = version.strip()
        return versions

    def _check_offer(self, region_id, data):
        available = set(self.offerable.get(region_id, ()))
        missing = sorted(set(data.get('services', ())) - available)
        if missing:
            self.add_error('services', _(
                "Region %(region)s has no endpoint for %(services)s.") % {
                    'region': region_id, 'services': ', '.join(missing)})
        for field_name, (service_type, _res) in self.limit_fields.items():
            if (data.get(field_name) is not None and
                    service_type not in data.get('services', ())):
                self.add_error(field_name, _(
                    "Offer the %s service to limit it.") % service_type)
        if data.get('visibility') == 'all':
            data['aggregator_ids'] = []

    def api_attrs(self, data):
        """The OS-MERCADOR representation of the cleaned form."""
        metadata = {}
        for key in METADATA_KEYS:
            if data.get(key):
                metadata[key] = data[key]
        limits = [{'service_type': service_type,
                   'resource_name': resource_name,
                   'resource_limit': data[field_name]}
                  for field_name, (service_type, resource_name)
                  in sorted(self.limit_fields.items(), key=lambda i: i[1])
                  if data.get(field_name) is not None]
        attrs = {'name': data['name'],
                 'description': data['description'],
                 'services': sorted(data['services']),
                 'limits': limits,
                 'metadata': metadata,
                 'visibility': data['visibility']}
        if data['visibility'] == 'listed':
            attrs['aggregator_ids'] = sorted(data['aggregator_ids'])
        return attrs


class CreateVirtualRegionForm(VirtualRegionForm):
    region_id = forms.ThemableChoiceField(label=_("Region"))
    domain = forms.ThemableChoiceField(
        label=_("Domain"), required=False,
        help_text=_("The Keystone domain that will hold the projects of "
                    "its bindings."))

    def __init__(self, request, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        regions = sorted(self.offerable)
        self.fields['region_id'].choices = [(r, r) for r in regions]
        services = {}
        for region in regions:
            for service_type in self.offerable[region]:
                services.setdefault(service_type, []).append(region)
        self.fields['services'].choices = [
            (s, '%s (%s)' % (s, ', '.join(services[s])))
            for s in sorted(services)]
        try:
            domains = api.mercador.domain_list(request)
        except Exception:
            exceptions.handle(request, _("Unable to retrieve domains."),
                              details='')
            domains = []
        self.fields['domain'].choices = (
            [('', _("A new domain named after the virtual region"))] +
            [(d['id'], d['name']) for d in
             sorted(domains, key=lambda d: d['name'])])
        self.order_fields(['name', 'description', 'region_id', 'domain',
                           'services'] + list(self.limit_fields))

    def clean(self):
        data = super().clean()
        if data.get('region_id'):
            self._check_offer(data['region_id'], data)
        return data

    def handle(self, request, data):
        attrs = self.api_attrs(data)
        attrs['region_id'] = data['region_id']
        if data['domain']:
            attrs['domain_id'] = data['domain']
        else:
            attrs['domain_name'] = data['name']
        try:
            virtual_region = api.mercador.virtual_region_create(request,
                                                                **attrs)
        except Exception:
            exceptions.handle(request,
                              _("Unable to create the virtual region."),
                              details='')
            return False
        messages.success(request, _('Virtual region "%s" was created as a '
                                    'draft.') % virtual_region.name)
        return virtual_region


class UpdateVirtualRegionForm(VirtualRegionForm):
    region_id = forms.CharField(
        label=_("Region"), required=False,
        widget=forms.TextInput(attrs={'readonly': 'readonly'}))

    def __init__(self, request, *args, **kwargs):
        self.virtual_region = kwargs.pop('virtual_region')
        super().__init__(request, *args, **kwargs)
        region = self.virtual_region.region_id
        self.fields['services'].choices = [
            (s, s) for s in self.offerable.get(region, ())]
        self.order_fields(['name', 'description', 'region_id', 'services'] +
                          list(self.limit_fields))

    @classmethod
    def initial_for(cls, virtual_region):
        metadata = virtual_region.metadata
        initial = {
            'name': virtual_region.name,
            'description': virtual_region.description,
            'region_id': virtual_region.region_id,
            'services': virtual_region.services,
            'visibility': virtual_region.visibility,
            'aggregator_ids': virtual_region.aggregator_ids or [],
            'country': metadata.get('country', ''),
            'location': metadata.get('location', ''),
            'compliance': ', '.join(metadata.get('compliance', ())),
            'api_versions': ', '.join(
                '%s=%s' % item
                for item in sorted(metadata.get('api_versions', {}).items())),
        }
        for limit in virtual_region.limits:
            initial[limit_field_name(limit['service_type'],
                                     limit['resource_name'])] = \
                limit['resource_limit']
        return initial

    def clean(self):
        data = super().clean()
        self._check_offer(self.virtual_region.region_id, data)
        return data

    def handle(self, request, data):
        vr = self.virtual_region
        attrs = self.api_attrs(data)
        # Keep the metadata keys this form does not edit.
        attrs['metadata'] = dict(
            {k: v for k, v in vr.metadata.items() if k not in METADATA_KEYS},
            **attrs['metadata'])
        current = {'name': vr.name, 'description': vr.description,
                   'services': sorted(vr.services),
                   'limits': sorted(vr.limits,
                                    key=lambda limit: (
                                        limit['service_type'],
                                        limit['resource_name'])),
                   'metadata': vr.metadata, 'visibility': vr.visibility,
                   'aggregator_ids': sorted(vr.aggregator_ids or [])}
        # Send only what changed: services and limits cannot be sent at
        # all while the virtual region has bindings.
        changes = {k: v for k, v in attrs.items() if current.get(k) != v}
        if not changes:
            return True
        try:
            api.mercador.virtual_region_update(request, vr.id, **changes)
        except Exception:
            exceptions.handle(request,
                              _("Unable to update the virtual region."),
                              details='')
            return False
        messages.success(request, _('Virtual region "%s" was updated.')
                         % data['name'])
        return True
