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
