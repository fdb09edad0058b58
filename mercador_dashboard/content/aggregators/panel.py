from django.utils.translation import gettext_lazy as _

import horizon

from mercador_dashboard.content.aggregators import constants


class Aggregators(horizon.Panel):
    name = _("Aggregators")
    slug = 'aggregators'
    policy_rules = constants.POLICY_LIST
