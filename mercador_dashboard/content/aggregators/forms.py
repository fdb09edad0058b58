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
