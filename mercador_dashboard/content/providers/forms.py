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

from mercador_dashboard import api

PEM_CERTIFICATE = '-----BEGIN CERTIFICATE-----'


class RegisterProviderForm(forms.SelfHandlingForm):
    """The credential a provider issued to this cloud, entered once.

    The secret is write-only: it is never rendered back (not even when the
    form is shown again with errors), stored in the session or logged.
    """
    name = forms.CharField(
        label=_("Name"), max_length=255,
        validators=[validators.RegexValidator(
            r'^[A-Za-z0-9][A-Za-z0-9._-]*$',
            _("Letters, digits, '.', '_' and '-', starting with a letter "
              "or a digit."))])
    description = forms.CharField(
        label=_("Description"), required=False,
        widget=forms.Textarea(attrs={'rows': 2}))
    auth_url = forms.URLField(
        label=_("Authentication URL"), max_length=1024, assume_scheme='https',
        help_text=_("The provider's Identity v3 URL, e.g. "
                    "https://keystone.provider.example/v3."))
    ca_certificate = forms.CharField(
        label=_("CA bundle"), required=False,
        widget=forms.Textarea(attrs={'rows': 4}),
        help_text=_("PEM certificates that sign the provider's TLS "
                    "certificate; empty to trust the system's CAs."))
    application_credential_id = forms.CharField(
        label=_("Application credential ID"), max_length=64)
    application_credential_secret = forms.CharField(
        label=_("Application credential secret"), max_length=1024,
        strip=False,
        widget=forms.PasswordInput(render_value=False,
                                   attrs={'autocomplete': 'off'}))

    def clean_ca_certificate(self):
        pem = self.cleaned_data['ca_certificate'].strip()
        if pem and PEM_CERTIFICATE not in pem:
            raise forms.ValidationError(
                _("Paste PEM certificates (-----BEGIN CERTIFICATE-----)."))
        return pem

    def handle(self, request, data):
        try:
            provider = api.mercador.provider_create(
                request, name=data['name'],
                description=data['description'],
                auth_url=data['auth_url'],
                ca_certificate=data['ca_certificate'] or None,
                application_credential_id=data['application_credential_id'],
                application_credential_secret=data[
                    'application_credential_secret'])
        except Exception:
            exceptions.handle(request,
                              _("Unable to register the provider."),
                              details='')
            return False
        messages.success(request, _('Provider "%s" was registered; its '
                                    'credential works.') % provider.name)
        return provider
