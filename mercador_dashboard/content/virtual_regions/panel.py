from django.utils.translation import gettext_lazy as _

import horizon

from mercador_dashboard.content.virtual_regions import constants


class VirtualRegions(horizon.Panel):
    name = _("Virtual Regions")
    slug = 'virtual_regions'
    policy_rules = constants.POLICY_LIST
