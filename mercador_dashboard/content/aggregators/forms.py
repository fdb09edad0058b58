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

from mercador_dashboard import api


class RegisterAggregatorForm(forms.SelfHandlingForm):
    name = forms.CharField(
        label=_("Name"), max_length=64,
        validators=[validators.RegexValidator(
            r'^[A-Za-z0-9][A-Za-z0-9._-]*$',
            _("Letters, digits, '.', '_' and '-', starting with a letter "
              "or a digit."))])
    description = forms.CharField(
        label=_("Description"), required=False,
        widget=forms.Textarea(attrs={'rows': 3}))

    def handle(self, request, data):
        """Register the aggregator; the result carries its credential."""
        try:
            return api.mercador.aggregator_create(
                request, name=data['name'], description=data['description'])
        except Exception:
            exceptions.handle(request,
                              _("Unable to register the aggregator."),
                              details='')
            return False
