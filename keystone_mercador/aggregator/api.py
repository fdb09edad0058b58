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

"""Flask resources of the aggregator side, under /v3/OS-MERCADOR.

One collection and one member resource per object, as in Keystone's own
``keystone/api`` modules: validate, enforce policy, call the manager, shape
the view, wrap.
"""

import http.client

import flask

from keystone_mercador.aggregator import access
from keystone_mercador.aggregator import schema
from keystone_mercador.common import schema as types
from keystone_mercador.common import validation
from keystone_mercador import exception
from keystone_mercador import glue
from keystone_mercador.i18n import _

ENFORCER = glue.ENFORCER
PROVIDERS = glue.PROVIDERS
PREFIX = '/OS-MERCADOR'


def _providers():
    return PROVIDERS.mercador_provider_api


def _bound_regions():
    return PROVIDERS.mercador_bound_region_api


def _entitlements():
    return PROVIDERS.mercador_entitlement_api


def _usage():
    return PROVIDERS.mercador_usage_api


def _provider_view(ref):
    return {k: v for k, v in ref.items()
            if k not in ('encrypted_secret', 'key_hash')}


def _bound_region_view(ref):
    return {k: v for k, v in ref.items()
            if k not in ('encrypted_password', 'key_hash', 'request_hash',
                         'binding')}


def _delete(delete, object_id, initiator, action, force_action):
    """``DELETE``, or with ``?force=true`` (both policies enforced) a
    forced one, which answers 200 with what is left at the provider (an
    empty list when nothing is); any other, 204."""
    ENFORCER.enforce_call(action=action)
    force = flask.request.args.get('force') == 'true'
    if force:
        ENFORCER.enforce_call(action=force_action)
    leftovers = delete(object_id, force=force, initiator=initiator)
    if not force:
        return None, http.client.NO_CONTENT
    return {'remote_leftovers': leftovers}, http.client.OK


class _Resource(glue.ResourceBase):
    api_prefix = PREFIX


# providers

class _ProviderBase(_Resource):
    collection_key = 'providers'
    member_key = 'provider'


class ProvidersResource(_ProviderBase):

    @glue.request_query_schema(schema.empty_query)
    def get(self):
        ENFORCER.enforce_call(action='mercador:provider:list')
        return self.wrap_collection(
            [_provider_view(r) for r in _providers().list_providers()])

    @validation.secret_body_schema(schema.provider_create)
    def post(self):
        ENFORCER.enforce_call(action='mercador:provider:create')
        ref = _providers().create_provider(
            self.request_body_json['provider'],
            initiator=self.audit_initiator)
        return self.wrap_member(_provider_view(ref)), http.client.CREATED


class ProviderResource(_ProviderBase):

    @glue.request_query_schema(schema.empty_query)
    def get(self, provider_id):
        ENFORCER.enforce_call(action='mercador:provider:get')
        return self.wrap_member(
            _provider_view(_providers().get_provider(provider_id)))

    @validation.secret_body_schema(schema.provider_update)
    def patch(self, provider_id):
        ENFORCER.enforce_call(action='mercador:provider:update')
        ref = _providers().update_provider(
            provider_id, self.request_body_json['provider'],
            initiator=self.audit_initiator)
        return self.wrap_member(_provider_view(ref))

    @glue.request_body_schema(None)
    @glue.request_query_schema(schema.delete_query)
    def delete(self, provider_id):
        return _delete(_providers().delete_provider, provider_id,
                       self.audit_initiator,
                       action='mercador:provider:delete',
                       force_action='mercador:provider:force_delete')


class _ProviderOfferBase(_Resource):
    collection_key = 'offers'
    member_key = 'offer'
    api_prefix = PREFIX + '/providers/<string:provider_id>'


class ProviderOffersResource(_ProviderOfferBase):

    @glue.request_query_schema(schema.offer_index_query)
    def get(self, provider_id):
        ENFORCER.enforce_call(action='mercador:provider_offer:list')
        return self.wrap_collection(_providers().list_offers(
            provider_id, dict(flask.request.args)))


class ProviderOfferResource(_ProviderOfferBase):

    @glue.request_query_schema(schema.empty_query)
    def get(self, provider_id, offer_id):
        ENFORCER.enforce_call(action='mercador:provider_offer:get')
        return self.wrap_member(_providers().get_offer(provider_id,
                                                       offer_id))


# bound regions

class _BoundRegionBase(_Resource):
    collection_key = 'bound_regions'
    member_key = 'bound_region'


class BoundRegionsResource(_BoundRegionBase):

    @glue.request_query_schema(schema.bound_region_index_query)
    def get(self):
        ENFORCER.enforce_call(action='mercador:bound_region:list')
        args = flask.request.args
        limit = int(args['limit']) if 'limit' in args else None
        hints = None
        if limit:
            hints = glue.Hints()
            hints.set_limit(limit)
        # One row more than the page: wrap_collection drops it and links
        # the next page only when there is one.
        refs = _bound_regions().list_bound_regions(
            provider_id=args.get('provider_id'), status=args.get('status'),
            region_id=args.get('region_id'), marker=args.get('marker'),
            limit=limit and limit + 1)
        return self.wrap_collection([_bound_region_view(r) for r in refs],
                                    hints)

    @glue.request_body_schema(schema.bound_region_create)
    def post(self):
        ENFORCER.enforce_call(action='mercador:bound_region:create')
        ref, created = _bound_regions().create_bound_region(
            self.request_body_json['bound_region'],
            initiator=self.audit_initiator)
        status = http.client.CREATED if created else http.client.OK
        return self.wrap_member(_bound_region_view(ref)), status


class BoundRegionResource(_BoundRegionBase):

    @glue.request_query_schema(schema.empty_query)
    def get(self, bound_region_id):
        ENFORCER.enforce_call(action='mercador:bound_region:get')
        return self.wrap_member(_bound_region_view(
            _bound_regions().get_bound_region(bound_region_id)))

    @glue.request_body_schema(None)
    @glue.request_query_schema(schema.delete_query)
    def delete(self, bound_region_id):
        return _delete(_bound_regions().delete_bound_region, bound_region_id,
                       self.audit_initiator,
                       action='mercador:bound_region:delete',
                       force_action='mercador:bound_region:force_delete')


def _project_target(project_id):
    def build():
        try:
            return {'project': _usage().get_project(project_id)}
        except glue.ProjectNotFound:
            return {}
    return build


def _usage_target(bound_region_id):
    """The entitlement of the project asked about, if it is entitled."""
    def build():
        project_id = flask.request.args.get('project_id')
        if project_id and _entitlements().is_entitled(bound_region_id,
                                                      project_id):
            return {'entitlement': {'bound_region_id': bound_region_id,
                                    'project_id': project_id}}
        return {}
    return build


class BoundRegionUsageResource(_Resource):
    api_prefix = PREFIX + '/bound_regions/<string:bound_region_id>'

    @glue.request_query_schema(schema.bound_region_usage_query)
    def get(self, bound_region_id):
        ENFORCER.enforce_call(action='mercador:bound_region_usage:get',
                              build_target=_usage_target(bound_region_id))
        return {'usage': _usage().get_usage(bound_region_id,
                                            dict(flask.request.args))}


class ProjectRegionsResource(_Resource):
    collection_key = 'regions'
    member_key = 'region'
    api_prefix = PREFIX + '/projects/<string:project_id>'

    @glue.request_query_schema(schema.empty_query)
    def get(self, project_id):
        ENFORCER.enforce_call(action='mercador:project_region:list',
                              build_target=_project_target(project_id))
        return {'regions': _usage().list_project_regions(project_id),
                'links': {'self': flask.request.base_url}}


# entitlements

_TARGET_TYPES = {'projects': 'project', 'domains': 'domain'}


class EntitlementsResource(_Resource):
    api_prefix = PREFIX + '/bound_regions/<string:bound_region_id>'

    @glue.request_query_schema(schema.empty_query)
    def get(self, bound_region_id):
        ENFORCER.enforce_call(action='mercador:entitlement:list')
        refs = _entitlements().list_entitlements(bound_region_id)
        return {'entitlements': refs,
                'links': {'self': flask.request.base_url}}


class EntitlementResource(_Resource):
    api_prefix = PREFIX + '/bound_regions/<string:bound_region_id>'

    @glue.request_query_schema(schema.empty_query)
    def get(self, bound_region_id, kind, target_id):
        ENFORCER.enforce_call(action='mercador:entitlement:check')
        _entitlements().get_entitlement(bound_region_id,
                                        _TARGET_TYPES[kind], target_id)
        return None, http.client.NO_CONTENT

    @glue.request_body_schema(None)
    def put(self, bound_region_id, kind, target_id):
        ENFORCER.enforce_call(action='mercador:entitlement:create')
        _entitlements().create_entitlement(
            bound_region_id, _TARGET_TYPES[kind], target_id,
            initiator=self.audit_initiator)
        return None, http.client.NO_CONTENT

    @glue.request_body_schema(None)
    def delete(self, bound_region_id, kind, target_id):
        ENFORCER.enforce_call(action='mercador:entitlement:delete')
        _entitlements().delete_entitlement(
            bound_region_id, _TARGET_TYPES[kind], target_id,
            initiator=self.audit_initiator)
        return None, http.client.NO_CONTENT


# the proxy's question

# ``only=endpoints``: the region's provider endpoints, without a tenant.
_region_access_query = dict(types.empty_query, properties={
    'only': {'type': 'string', 'enum': ['endpoints']}})


class RegionAccessResource(_Resource):
    """Called like Keystone's own token validation: the proxy's service
    token in X-Auth-Token, the tenant's in X-Subject-Token. With
    ``only=endpoints``, no tenant: the region's provider endpoints alone,
    for version discovery without a token."""

    @glue.request_query_schema(_region_access_query)
    def get(self, region_id):
        if flask.request.args.get('only') == 'endpoints':
            ENFORCER.enforce_call(action='mercador:region_endpoints:get')
            return {'access': PROVIDERS.mercador_access_api.get_endpoints(
                region_id)}
        return {'access': PROVIDERS.mercador_access_api.get_access(
            region_id, _subject_token(action='mercador:region_access:get'))}


def _subject_token(action):
    try:
        # Keystone's enforcer validates X-Subject-Token first (its
        # target.token), with Keystone's 404 for an invalid one.
        ENFORCER.enforce_call(action=action)
    except glue.NotFound:
        raise access.SubjectTokenNotValid()
    subject = flask.request.headers.get('X-Subject-Token')
    if not subject:
        raise exception.InvalidInput(
            reason=_('Give the token to act for in X-Subject-Token.'))
    return subject


class RegionMappingsResource(_Resource):
    """The proxy's ID translation for the holder of X-Subject-Token:
    local project and user IDs it found in a request (``outward``) and
    provider IDs it found in a response (``inward``)."""

    @glue.request_body_schema(schema.region_mappings)
    def post(self, region_id):
        subject = _subject_token(action='mercador:region_mappings:create')
        body = self.request_body_json
        return {'mappings': PROVIDERS.mercador_access_api.get_mappings(
            region_id, subject, body.get('outward', []),
            body.get('inward', []))}


class RegionLimitsResource(_Resource):
    """Before a request of the holder of X-Subject-Token that may
    allocate, the proxy has the provider set that project's share of the
    region's limits."""

    @glue.request_body_schema(schema.empty_body)
    def post(self, region_id):
        subject = _subject_token(action='mercador:region_limits:apportion')
        return {'limits': PROVIDERS.mercador_access_api.apportion_limits(
            region_id, subject)}


class AggregatorAPI(glue.APIBase):
    _name = 'OS-MERCADOR-aggregator'
    _import_name = __name__
    _api_url_prefix = PREFIX
    resources = []
    resource_mapping = glue.resource_maps([
        (ProvidersResource, '/providers', 'providers'),
        (ProviderResource, '/providers/<string:provider_id>', 'provider'),
        (ProviderOffersResource, '/providers/<string:provider_id>/offers',
         'provider_offers'),
        (ProviderOfferResource,
         '/providers/<string:provider_id>/offers/<string:offer_id>',
         'provider_offer'),
        (BoundRegionsResource, '/bound_regions', 'bound_regions'),
        (BoundRegionResource, '/bound_regions/<string:bound_region_id>',
         'bound_region'),
        (BoundRegionUsageResource,
         '/bound_regions/<string:bound_region_id>/usage',
         'bound_region_usage'),
        (EntitlementsResource,
         '/bound_regions/<string:bound_region_id>/entitlements',
         'entitlements'),
        (EntitlementResource,
         '/bound_regions/<string:bound_region_id>/entitlements/'
         '<any(projects,domains):kind>/<string:target_id>', 'entitlement'),
        (ProjectRegionsResource, '/projects/<string:project_id>/regions',
         'project_regions'),
        (RegionMappingsResource, '/regions/<string:region_id>/mappings',
         'region_mappings'),
        (RegionLimitsResource, '/regions/<string:region_id>/limits',
         'region_limits'),
        (RegionAccessResource, '/regions/<string:region_id>/access',
         'region_access'),
    ])


APIs = (AggregatorAPI,)


# GET /v3/regions and /v3/regions/{id}: a caller who may not list bound
# regions sees only those its project is entitled to.

def _hidden_regions():
    try:
        ENFORCER.enforce_call(action='mercador:bound_region:list')
    except glue.ForbiddenAction:
        return _entitlements().hidden_region_ids(glue.current_project_id())
    return set()


def filter_region_list(body):
    hidden = _hidden_regions()
    if hidden:
        body['regions'] = [r for r in body['regions']
                           if r['id'] not in hidden]
    return body


def filter_region(body):
    if body['region']['id'] in _hidden_regions():
        raise glue.RegionNotFound(region_id=body['region']['id'])
    return body
