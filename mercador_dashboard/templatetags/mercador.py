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

"""Template tags of the aggregator's theme."""

import logging

from django import template

from mercador_dashboard import api

LOG = logging.getLogger(__name__)
register = template.Library()


@register.simple_tag
def region_description(region_id):
    """The description of a bound region, for the region menu; else ''."""
    try:
        regions = api.regions.bound_regions()
    except Exception:
        # The menu works without descriptions (e.g. on a provider's Horizon).
        LOG.debug('No bound region descriptions.', exc_info=True)
        return ''
    for bound_region in regions:
        if bound_region.region_id == region_id:
            return bound_region.description
    return ''
