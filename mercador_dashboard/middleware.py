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

"""Keep a logged-in user's catalog in step with the bound regions."""

import logging

from openstack_auth import utils as auth_utils

from mercador_dashboard import api

LOG = logging.getLogger(__name__)
SESSION_KEY = 'mercador_bound_regions'


class CatalogRefreshMiddleware(object):
    """Refresh the session's catalog when the project's bound regions change.

    Horizon's services-region menu lists the regions of the token's catalog,
    which stays in the session until the user re-scopes or logs in again.
    The bound regions the project is entitled to are read (cached for a
    few seconds) on each request; when they differ from those the session
    last saw, the catalog is fetched again for the same token, so a region
    bound or entitled from any client shows up (or goes away) on the next
    page. Place it after Django's session and authentication middleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        self.refresh(request)
        return self.get_response(request)

    def refresh(self, request):
        user = getattr(request, 'user', None)
        token = request.session.get('token')
        if (not user or not user.is_authenticated or not user.project_id or
                not hasattr(token, 'serviceCatalog')):
            return
        try:
            regions = list(api.regions.entitled_region_ids(
                user.project_id, token.project.get('domain_id')))
        except Exception:
            LOG.warning('Bound regions unknown; catalog not refreshed.',
                        exc_info=True)
            return
        seen = request.session.get(SESSION_KEY)
        if seen is None:
            # The catalog came with the token at login.
            request.session[SESSION_KEY] = regions
        elif seen != regions:
            try:
                catalog = api.mercador.auth_catalog(request)
            except Exception:
                LOG.warning('Catalog not refreshed; trying again on the '
                            'next request.', exc_info=True)
                return
            token.serviceCatalog = catalog
            # Stored again so that every session backend saves it.
            request.session['token'] = token
            request.session[SESSION_KEY] = regions
            user.service_catalog = catalog
        self.settle_services_region(request, user)

    @staticmethod
    def settle_services_region(request, user):
        """Keep the session's services region one the catalog offers.

        At login openstack_auth picks the region of the identity endpoint
        it authenticated against. On an aggregator that region often has
        no other service (its Keystone and Horizon are all it runs), so
        every project panel would be hidden although the catalog offers
        bound regions; and a region unbound or withdrawn must not stay
        selected either. Horizon's own rule picks the replacement.
        """
        available = user.available_services_regions
        if available and user.services_region not in available:
            region = auth_utils.default_services_region(
                user.service_catalog, request)
            user.services_region = region
            request.session['services_region'] = region
