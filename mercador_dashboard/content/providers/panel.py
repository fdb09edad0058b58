from django.utils.translation import gettext_lazy as _

import horizon

from mercador_dashboard.content.providers import constants


class Providers(horizon.Panel):
    name = _("Providers")
    slug = 'providers'
    policy_rules = constants.POLICY_LIST
