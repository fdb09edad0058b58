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

"""Flask resources of the provider side, under /v3/OS-MERCADOR.

One collection and one member resource per object, as in Keystone's own
``keystone/api`` modules: validate, enforce policy, call the manager, wrap.
"""

import http.client

import flask

from keystone_mercador import exception
from keystone_mercador import glue
from keystone_mercador.publisher import schema

ENFORCER = glue.ENFORCER
PROVIDERS = glue.PROVIDERS
PREFIX = '/OS-MERCADOR'


def _api():
    return PROVIDERS.mercador_publisher_api


def _caller_aggregator():
    """The aggregator whose credential made this request, or ``{}``."""
    return _api().find_aggregator_by_project(glue.current_project_id()) or {}


def _aggregator_target():
    return {'aggregator': _caller_aggregator()}


def _binding_target(binding_id):
    def build():
        try:
            binding = _api().get_binding(binding_id)
            aggregator = _api().get_aggregator(binding['aggregator_id'])
        except glue.NotFound:
            return {}
        return {'binding': binding, 'aggregator': aggregator}
    return build


def _require_aggregator():
    aggregator = _caller_aggregator()
    if not aggregator:
        raise exception.NotAnAggregator()
    return aggregator


class _Resource(glue.ResourceBase):
    api_prefix = PREFIX


# virtual regions

class _VirtualRegionBase(_Resource):
    collection_key = 'virtual_regions'
    member_key = 'virtual_region'

    @staticmethod
    def _with_counts(refs):
        counts = _api().count_bindings([r['id'] for r in refs])
        _api().describe_upstream(refs)
        for ref in refs:
            ref['binding_count'] = counts[ref['id']]
            ref.pop('owns_domain', None)
        return refs


class VirtualRegionsResource(_VirtualRegionBase):

    @glue.request_query_schema(schema.virtual_region_index_query)
    def get(self):
        ENFORCER.enforce_call(action='mercador:virtual_region:list')
        refs = _api().list_virtual_regions(
            status=flask.request.args.get('status'),
            name=flask.request.args.get('name'))
        return self.wrap_collection(self._with_counts(refs))

    @glue.request_body_schema(schema.virtual_region_create)
    def post(self):
        ENFORCER.enforce_call(action='mercador:virtual_region:create')
        ref = _api().create_virtual_region(
            self.request_body_json['virtual_region'],
            initiator=self.audit_initiator)
        return (self.wrap_member(self._with_counts([ref])[0]),
                http.client.CREATED)


class VirtualRegionResource(_VirtualRegionBase):

    @glue.request_query_schema(schema.empty_query)
    def get(self, virtual_region_id):
        ENFORCER.enforce_call(action='mercador:virtual_region:get')
        ref = _api().get_virtual_region(virtual_region_id)
        return self.wrap_member(self._with_counts([ref])[0])

    @glue.request_body_schema(schema.virtual_region_update)
    def patch(self, virtual_region_id):
        ENFORCER.enforce_call(action='mercador:virtual_region:update')
        ref = _api().update_virtual_region(
            virtual_region_id, self.request_body_json['virtual_region'],
            initiator=self.audit_initiator)
        return self.wrap_member(self._with_counts([ref])[0])

    @glue.request_body_schema(None)
    def delete(self, virtual_region_id):
        ENFORCER.enforce_call(action='mercador:virtual_region:delete')
        _api().delete_virtual_region(virtual_region_id,
                                     initiator=self.audit_initiator)
        return None, http.client.NO_CONTENT


class MetadataSchemaResource(_Resource):

    @glue.request_query_schema(schema.empty_query)
    def get(self):
        ENFORCER.enforce_call(action='mercador:metadata_schema:get')
        return {'metadata_schema': schema.metadata}


# aggregators

class _AggregatorBase(_Resource):
    collection_key = 'aggregators'
    member_key = 'aggregator'


class AggregatorsResource(_AggregatorBase):

    @glue.request_query_schema(schema.empty_query)
    def get(self):
        ENFORCER.enforce_call(action='mercador:aggregator:list')
        return self.wrap_collection(_api().list_aggregators())

    @glue.request_body_schema(schema.aggregator_create)
    def post(self):
        ENFORCER.enforce_call(action='mercador:aggregator:create')
        ref = _api().create_aggregator(self.request_body_json['aggregator'],
                                       initiator=self.audit_initiator)
        return self.wrap_member(ref), http.client.CREATED


class AggregatorResource(_AggregatorBase):

    @glue.request_query_schema(schema.empty_query)
    def get(self, aggregator_id):
        ENFORCER.enforce_call(action='mercador:aggregator:get')
        return self.wrap_member(_api().get_aggregator(aggregator_id))

    @glue.request_body_schema(schema.aggregator_update)
    def patch(self, aggregator_id):
        ENFORCER.enforce_call(action='mercador:aggregator:update')
        ref = _api().update_aggregator(
            aggregator_id, self.request_body_json['aggregator'],
            initiator=self.audit_initiator)
        return self.wrap_member(ref)

    @glue.request_body_schema(None)
    def delete(self, aggregator_id):
        ENFORCER.enforce_call(action='mercador:aggregator:delete')
        _api().delete_aggregator(aggregator_id,
                                 initiator=self.audit_initiator)
        return None, http.client.NO_CONTENT


# offers

def _offer_views(vrs):
    return [{k: vr[k] for k in ('id', 'name', 'description', 'services',
                                'limits', 'metadata', 'hops')}
            for vr in _api().describe_upstream(vrs)]


class _OfferBase(_Resource):
    collection_key = 'offers'
    member_key = 'offer'


class OffersResource(_OfferBase):

    @glue.request_query_schema(schema.offer_index_query)
    def get(self):
        ENFORCER.enforce_call(action='mercador:offer:list',
                              build_target=_aggregator_target)
        offers = _api().list_offers(_require_aggregator(),
                                    dict(flask.request.args))
        return self.wrap_collection(_offer_views(offers))


class OfferResource(_OfferBase):

    @glue.request_query_schema(schema.empty_query)
    def get(self, offer_id):
        ENFORCER.enforce_call(action='mercador:offer:get',
                              build_target=_aggregator_target)
        return self.wrap_member(_offer_views(
            [_api().get_offer(_require_aggregator(), offer_id)])[0])


# bindings

def _binding_view(ref):
    return {k: v for k, v in ref.items() if k != 'request_hash'}


def _credential(binding, password):
    return {'type': 'password', 'auth_url': binding['auth_url'],
            'user_id': binding['user_id'],
            'user_domain_id': binding['domain_id'], 'password': password}


class _BindingBase(_Resource):
    collection_key = 'bindings'
    member_key = 'binding'


class BindingsResource(_BindingBase):

    @glue.request_query_schema(schema.binding_index_query)
    def get(self):
        ENFORCER.enforce_call(action='mercador:binding:list',
                              build_target=_aggregator_target)
        args = flask.request.args
        aggregator = _caller_aggregator()
        if aggregator and args.get('aggregator_id') not in (
                None, aggregator['id']):
            return self.wrap_collection([])
        bindings = _api().list_bindings(
            aggregator_id=aggregator.get('id') or args.get('aggregator_id'),
            virtual_region_id=args.get('virtual_region_id'))
        return self.wrap_collection(
            [_binding_view(r) for r in _api().describe_bindings(bindings)])

    @glue.request_body_schema(schema.binding_create)
    def post(self):
        ENFORCER.enforce_call(action='mercador:binding:create',
                              build_target=_aggregator_target)
        body = self.request_body_json['binding']
        binding, password = _api().create_binding(
            _require_aggregator(), body['virtual_region_id'],
            body['idempotency_key'], initiator=self.audit_initiator)
        ref = _binding_view(_api().describe_bindings([binding])[0])
        if password is None:
            return self.wrap_member(ref), http.client.OK
        ref['credential'] = _credential(ref, password)
        return self.wrap_member(ref), http.client.CREATED


class BindingResource(_BindingBase):

    @glue.request_query_schema(schema.empty_query)
    def get(self, binding_id):
        ENFORCER.enforce_call(action='mercador:binding:get',
                              build_target=_binding_target(binding_id))
        binding = _api().get_binding(binding_id)
        return self.wrap_member(
            _binding_view(_api().describe_bindings([binding])[0]))

    @glue.request_body_schema(None)
    def delete(self, binding_id):
        ENFORCER.enforce_call(action='mercador:binding:delete',
                              build_target=_binding_target(binding_id))
        _api().delete_binding(binding_id, initiator=self.audit_initiator)
        return None, http.client.NO_CONTENT


class BindingCredentialResource(_Resource):

    @glue.request_body_schema(schema.empty_body)
    def post(self, binding_id):
        ENFORCER.enforce_call(action='mercador:binding:rotate_credential',
                              build_target=_binding_target(binding_id))
        binding, password = _api().rotate_credential(
            binding_id, initiator=self.audit_initiator)
        ref = _api().describe_bindings([binding])[0]
        return {'credential': _credential(ref, password)}, http.client.OK


class BindingUsageResource(_Resource):

    @glue.request_query_schema(schema.binding_usage_query)
    def get(self, binding_id):
        ENFORCER.enforce_call(action='mercador:binding_usage:get',
                              build_target=_binding_target(binding_id))
        return {'usage': _api().get_binding_usage(
            binding_id, dict(flask.request.args))}


# binding projects

class _BindingProjectBase(_Resource):
    collection_key = 'projects'
    member_key = 'project'
    api_prefix = PREFIX + '/bindings/<string:binding_id>'


class BindingProjectsResource(_BindingProjectBase):

    @glue.request_query_schema(schema.empty_query)
    def get(self, binding_id):
        ENFORCER.enforce_call(action='mercador:binding_project:list',
                              build_target=_binding_target(binding_id))
        return self.wrap_collection(_api().list_binding_projects(binding_id))

    @glue.request_body_schema(schema.binding_project_create)
    def post(self, binding_id):
        ENFORCER.enforce_call(action='mercador:binding_project:create',
                              build_target=_binding_target(binding_id))
        ref, created = _api().create_binding_project(
            binding_id, self.request_body_json['project']['reference'],
            initiator=self.audit_initiator)
        status = http.client.CREATED if created else http.client.OK
        return self.wrap_member(ref), status


class BindingProjectResource(_BindingProjectBase):

    @glue.request_query_schema(schema.empty_query)
    def get(self, binding_id, project_id):
        ENFORCER.enforce_call(action='mercador:binding_project:get',
                              build_target=_binding_target(binding_id))
        return self.wrap_member(
            _api().get_binding_project(binding_id, project_id))

    @glue.request_body_schema(None)
    def delete(self, binding_id, project_id):
        ENFORCER.enforce_call(action='mercador:binding_project:delete',
                              build_target=_binding_target(binding_id))
        _api().delete_binding_project(binding_id, project_id,
                                      initiator=self.audit_initiator)
        return None, http.client.NO_CONTENT


class BindingProjectUsersResource(_BindingProjectBase):

    @glue.request_body_schema(None)
    def delete(self, binding_id, project_id):
        ENFORCER.enforce_call(action='mercador:binding_project:revoke_users',
                              build_target=_binding_target(binding_id))
        _api().revoke_binding_project_users(binding_id, project_id,
                                            initiator=self.audit_initiator)
        return None, http.client.NO_CONTENT


class BindingProjectLimitsResource(_Resource):
    """A binding project's share of its virtual region's limits, set in
    Keystone's limits on the project as it is asked for."""

    collection_key = 'limits'

    @glue.request_body_schema(schema.empty_body)
    def post(self, binding_id, project_id):
        ENFORCER.enforce_call(
            action='mercador:binding_project:apportion_limits',
            build_target=_binding_target(binding_id))
        return {'limits': _api().apportion_limits(binding_id, project_id)}


# binding users

class _BindingUserBase(_Resource):
    collection_key = 'users'
    member_key = 'user'
    api_prefix = PREFIX + '/bindings/<string:binding_id>'


class BindingUsersResource(_BindingUserBase):

    @glue.request_query_schema(schema.empty_query)
    def get(self, binding_id):
        ENFORCER.enforce_call(action='mercador:binding_user:list',
                              build_target=_binding_target(binding_id))
        return self.wrap_collection(_api().list_binding_users(binding_id))

    @glue.request_body_schema(schema.binding_user_create)
    def post(self, binding_id):
        ENFORCER.enforce_call(action='mercador:binding_user:create',
                              build_target=_binding_target(binding_id))
        ref, created = _api().create_binding_user(
            binding_id, self.request_body_json['user']['reference'],
            initiator=self.audit_initiator)
        status = http.client.CREATED if created else http.client.OK
        return self.wrap_member(ref), status


class BindingUserResource(_BindingUserBase):

    @glue.request_query_schema(schema.empty_query)
    def get(self, binding_id, user_id):
        ENFORCER.enforce_call(action='mercador:binding_user:get',
                              build_target=_binding_target(binding_id))
        return self.wrap_member(_api().get_binding_user(binding_id, user_id))

    @glue.request_body_schema(None)
    def delete(self, binding_id, user_id):
        ENFORCER.enforce_call(action='mercador:binding_user:delete',
                              build_target=_binding_target(binding_id))
        _api().delete_binding_user(binding_id, user_id,
                                   initiator=self.audit_initiator)
        return None, http.client.NO_CONTENT


class BindingUserTokensResource(_Resource):
    """Tokens for a binding user, as Keystone's POST /v3/auth/tokens
    answers: the token in X-Subject-Token, what it is for in the body."""

    @glue.request_body_schema(schema.binding_user_token)
    def post(self, binding_id, user_id):
        ENFORCER.enforce_call(action='mercador:binding_user:issue_token',
                              build_target=_binding_target(binding_id))
        token = _api().issue_binding_user_token(
            binding_id, user_id,
            self.request_body_json['token']['project_id'])
        body = {'token': {'user_id': user_id,
                          'project_id': token.project_id,
                          'expires_at': token.expires_at,
                          'audit_ids': token.audit_ids}}
        response = flask.make_response(flask.jsonify(body),
                                       http.client.CREATED)
        response.headers['X-Subject-Token'] = token.id
        return response


class PublisherAPI(glue.APIBase):
    _name = 'OS-MERCADOR-publisher'
    _import_name = __name__
    _api_url_prefix = PREFIX
    resources = []
    resource_mapping = glue.resource_maps([
        (VirtualRegionsResource, '/virtual_regions', 'virtual_regions'),
        (VirtualRegionResource, '/virtual_regions/<string:virtual_region_id>',
         'virtual_region'),
        (MetadataSchemaResource, '/metadata_schema', 'metadata_schema'),
        (AggregatorsResource, '/aggregators', 'aggregators'),
        (AggregatorResource, '/aggregators/<string:aggregator_id>',
         'aggregator'),
        (OffersResource, '/offers', 'offers'),
        (OfferResource, '/offers/<string:offer_id>', 'offer'),
        (BindingsResource, '/bindings', 'bindings'),
        (BindingResource, '/bindings/<string:binding_id>', 'binding'),
        (BindingCredentialResource,
         '/bindings/<string:binding_id>/credential', 'binding_credential'),
        (BindingUsageResource, '/bindings/<string:binding_id>/usage',
         'binding_usage'),
        (BindingProjectsResource, '/bindings/<string:binding_id>/projects',
         'binding_projects'),
        (BindingProjectResource,
         '/bindings/<string:binding_id>/projects/<string:project_id>',
         'binding_project'),
        (BindingProjectUsersResource,
         '/bindings/<string:binding_id>/projects/<string:project_id>/users',
         'binding_project_users'),
        (BindingProjectLimitsResource,
         '/bindings/<string:binding_id>/projects/<string:project_id>/limits',
         'binding_project_limits'),
        (BindingUsersResource, '/bindings/<string:binding_id>/users',
         'binding_users'),
        (BindingUserResource,
         '/bindings/<string:binding_id>/users/<string:user_id>',
         'binding_user'),
        (BindingUserTokensResource,
         '/bindings/<string:binding_id>/users/<string:user_id>/tokens',
         'binding_user_tokens'),
    ])


APIs = (PublisherAPI,)
