from django.utils.translation import gettext_lazy as _

import horizon

from mercador_dashboard.content.bound_regions import constants


class BoundRegions(horizon.Panel):
    name = _("Bound Regions")
    slug = 'bound_regions'
    policy_rules = constants.POLICY_LIST
