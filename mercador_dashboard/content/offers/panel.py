from django.utils.translation import gettext_lazy as _

import horizon

from mercador_dashboard.content.offers import constants


class Offers(horizon.Panel):
    name = _("Offers")
    slug = 'offers'
    policy_rules = constants.POLICY_LIST
