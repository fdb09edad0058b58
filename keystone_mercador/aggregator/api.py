"""Flask resources of the aggregator side, under /v3/OS-MERCADOR."""

import http.client

import flask

from keystone_mercador.aggregator import schema
from keystone_mercador.common import validation
from keystone_mercador import glue

ENFORCER = glue.ENFORCER
PROVIDERS = glue.PROVIDERS
PREFIX = '/OS-MERCADOR'


def _api():
    return PROVIDERS.mercador_aggregator_api


class _Resource(glue.ResourceBase):
    api_prefix = PREFIX
    json_home_resource_rel_func = glue.extension_relation
    json_home_parameter_rel_func = glue.extension_parameter


class ProvidersResource(_Resource):
    collection_key = 'providers'
    member_key = 'provider'

    @glue.request_query_schema(schema.empty_query)
    def get(self, provider_id=None):
        if provider_id:
            ENFORCER.enforce_call(action='mercador:provider:get')
            return self.wrap_member(_api().get_provider(provider_id))
        ENFORCER.enforce_call(action='mercador:provider:list')
        return self.wrap_collection(_api().list_providers())

    @validation.secret_body_schema(schema.provider_create)
    def post(self):
        ENFORCER.enforce_call(action='mercador:provider:create')
        ref = _api().create_provider(self.request_body_json['provider'],
                                     initiator=self.audit_initiator)
        return self.wrap_member(ref), http.client.CREATED

    @validation.secret_body_schema(schema.provider_update)
    def patch(self, provider_id):
        ENFORCER.enforce_call(action='mercador:provider:update')
        ref = _api().update_provider(
            provider_id, self.request_body_json['provider'],
            initiator=self.audit_initiator)
        return self.wrap_member(ref)

    @glue.request_body_schema(None)
    def delete(self, provider_id):
        ENFORCER.enforce_call(action='mercador:provider:delete')
        _api().delete_provider(provider_id, initiator=self.audit_initiator)
        return None, http.client.NO_CONTENT


class ProviderOffersResource(glue.ResourceBase):
    collection_key = 'offers'
    member_key = 'offer'
    api_prefix = PREFIX + '/providers/<string:provider_id>'

    @glue.request_query_schema(schema.offer_index_query)
    def get(self, provider_id):
        ENFORCER.enforce_call(action='mercador:provider_offer:list')
        return self.wrap_collection(_api().list_offers(
            provider_id, dict(flask.request.args)))


class ProviderOfferResource(glue.ResourceBase):
    collection_key = 'offers'
    member_key = 'offer'
    api_prefix = PREFIX + '/providers/<string:provider_id>'

    @glue.request_query_schema(schema.empty_query)
    def get(self, provider_id, offer_id):
        ENFORCER.enforce_call(action='mercador:provider_offer:get')
        return self.wrap_member(_api().get_offer(provider_id, offer_id))


class BoundRegionsResource(_Resource):
    collection_key = 'bound_regions'
    member_key = 'bound_region'

    @glue.request_query_schema(schema.bound_region_index_query)
    def get(self, bound_region_id=None):
        if bound_region_id:
            ENFORCER.enforce_call(action='mercador:bound_region:get')
            return self.wrap_member(_api().get_bound_region(bound_region_id))
        ENFORCER.enforce_call(action='mercador:bound_region:list')
        args = flask.request.args
        limit = int(args['limit']) if 'limit' in args else None
        hints = None
        if limit:
            hints = glue.Hints()
            hints.set_limit(limit)
        # One row more than the page: wrap_collection drops it and links
        # the next page only when there is one.
        refs = _api().list_bound_regions(
            provider_id=args.get('provider_id'), status=args.get('status'),
            region_id=args.get('region_id'), marker=args.get('marker'),
            limit=limit and limit + 1)
        return self.wrap_collection(refs, hints)

    @glue.request_body_schema(schema.bound_region_create)
    def post(self):
        ENFORCER.enforce_call(action='mercador:bound_region:create')
        ref, created = _api().create_bound_region(
            self.request_body_json['bound_region'],
            initiator=self.audit_initiator)
        status = http.client.CREATED if created else http.client.OK
        return self.wrap_member(ref), status

    @glue.request_body_schema(None)
    def delete(self, bound_region_id):
        ENFORCER.enforce_call(action='mercador:bound_region:delete')
        _api().delete_bound_region(bound_region_id,
                                   initiator=self.audit_initiator)
        return None, http.client.NO_CONTENT


class EntitlementsResource(glue.ResourceBase):
    collection_key = 'entitlements'
    member_key = 'entitlement'
    api_prefix = PREFIX + '/bound_regions/<string:bound_region_id>'

    @glue.request_query_schema(schema.empty_query)
    def get(self, bound_region_id):
        ENFORCER.enforce_call(action='mercador:entitlement:list')
        refs = _api().list_entitlements(bound_region_id)
        return {'entitlements': refs,
                'links': {'self': flask.request.base_url}}


def _target_type(kind):
    return {'projects': 'project', 'domains': 'domain'}[kind]


class EntitlementResource(glue.ResourceBase):
    api_prefix = PREFIX + '/bound_regions/<string:bound_region_id>'

    @glue.request_query_schema(schema.empty_query)
    def get(self, bound_region_id, kind, target_id):
        ENFORCER.enforce_call(action='mercador:entitlement:check')
        target_type = _target_type(kind)
        for ref in _api().list_entitlements(bound_region_id):
            if (ref['target_type'], ref['target_id']) == (target_type,
                                                          target_id):
                return None, http.client.NO_CONTENT
        raise glue.NotFound(target='%s %s' % (target_type, target_id))

    @glue.request_body_schema(None)
    def put(self, bound_region_id, kind, target_id):
        ENFORCER.enforce_call(action='mercador:entitlement:create')
        _api().create_entitlement(bound_region_id, _target_type(kind),
                                  target_id, initiator=self.audit_initiator)
        return None, http.client.NO_CONTENT

    @glue.request_body_schema(None)
    def delete(self, bound_region_id, kind, target_id):
        ENFORCER.enforce_call(action='mercador:entitlement:delete')
        _api().delete_entitlement(bound_region_id, _target_type(kind),
                                  target_id, initiator=self.audit_initiator)
        return None, http.client.NO_CONTENT


def _map(resource, url, rel, path_vars):
    return glue.construct_resource_map(
        resource=resource, url=url, resource_kwargs={},
        rel=rel, path_vars={k: glue.extension_parameter(k)
                            for k in path_vars},
        resource_relation_func=glue.extension_relation)


class AggregatorAPI(glue.APIBase):
    _name = 'OS-MERCADOR-aggregator'
    _import_name = __name__
    _api_url_prefix = PREFIX
    resources = [ProvidersResource, BoundRegionsResource]
    resource_mapping = [
        _map(ProviderOffersResource, '/providers/<string:provider_id>/offers',
             'provider_offers', ['provider_id']),
        _map(ProviderOfferResource,
             '/providers/<string:provider_id>/offers/<string:offer_id>',
             'provider_offer', ['provider_id', 'offer_id']),
        _map(EntitlementsResource,
             '/bound_regions/<string:bound_region_id>/entitlements',
             'entitlements', ['bound_region_id']),
        _map(EntitlementResource,
             '/bound_regions/<string:bound_region_id>/entitlements/'
             '<any(projects,domains):kind>/<string:target_id>',
             'entitlement', ['bound_region_id', 'kind', 'target_id']),
    ]


APIs = (AggregatorAPI,)


# GET /v3/regions and /v3/regions/{id}: a caller who may not list bound
# regions sees only those its project is entitled to.

def _hidden_regions():
    try:
        ENFORCER.enforce_call(action='mercador:bound_region:list')
    except glue.ForbiddenAction:
        return _api().hidden_region_ids(glue.current_project_id())
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
