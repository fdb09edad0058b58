"""GET /v3/OS-MERCADOR/regions/{region_id}/access, for the Mercador proxy.

Called like Keystone's own token validation: the proxy's service token in
``X-Auth-Token``, the tenant's token in ``X-Subject-Token``. The answer
(a provider token for the provider project that serves the tenant's
project, and the provider endpoints) is for the proxy only, which is why
the default policy asks for the ``service`` role.
"""

import flask

from keystone_mercador import exception
from keystone_mercador import glue

ENFORCER = glue.ENFORCER
PROVIDERS = glue.PROVIDERS
EMPTY_QUERY = {'type': 'object', 'additionalProperties': False}


class RegionAccessResource(glue.ResourceBase):

    @glue.request_query_schema(EMPTY_QUERY)
    def get(self, region_id):
        ENFORCER.enforce_call(action='mercador:region_access:get')
        subject = flask.request.headers.get('X-Subject-Token')
        if not subject:
            raise exception.InvalidInput(
                reason='Give the token to act for in X-Subject-Token.')
        return {'access': PROVIDERS.mercador_aggregator_api.get_access(
            region_id, subject)}


class RegionAccessAPI(glue.APIBase):
    _name = 'OS-MERCADOR-access'
    _import_name = __name__
    _api_url_prefix = '/OS-MERCADOR'
    resources = []
    resource_mapping = glue.resource_maps([
        (RegionAccessResource, '/regions/<string:region_id>/access',
         'region_access'),
    ])


APIs = (RegionAccessAPI,)
