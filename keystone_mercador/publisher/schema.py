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

"""JSON Schemas of the provider-side OS-MERCADOR requests."""

from keystone_mercador.common import schema as types

STATUSES = ('draft', 'published', 'withdrawn')
VISIBILITIES = ('all', 'listed')

#: Published at GET /v3/OS-MERCADOR/metadata_schema. Keys beyond the
#: well-known ones must start with ``x-`` so that additions stay explicit.
metadata = {
    '$schema': 'https://json-schema.org/draft/2020-12/schema',
    'title': 'Virtual region metadata',
    'type': 'object',
    'properties': {
        'country': {
            'type': 'string', 'pattern': '^[A-Z]{2}$',
            'description': 'ISO 3166-1 alpha-2 country code, e.g. FR.'},
        'location': {'type': 'string', 'maxLength': 255,
                     'description': 'Free-form location, e.g. a city.'},
        'compliance': {
            'type': 'array', 'uniqueItems': True, 'maxItems': 32,
            'items': {'type': 'string', 'pattern': '^[a-z0-9][a-z0-9._-]*$',
                      'maxLength': 64},
            'description': 'Compliance tags, e.g. gdpr, iso27001.'},
        'api_versions': {
            'type': 'object', 'maxProperties': 64,
            'additionalProperties': {'type': 'string', 'maxLength': 32},
            'propertyNames': types.service_type,
            'description': 'API version per offered service type.'},
    },
    'patternProperties': {
        '^x-[a-z0-9_-]{1,60}$': {'type': ['string', 'number', 'boolean']},
    },
    'additionalProperties': False,
}

_limit = {
    'type': 'object',
    'properties': {
        'service_type': types.service_type,
        'resource_name': {'type': 'string', 'minLength': 1,
                          'maxLength': 255},
        'resource_limit': {'type': 'integer', 'minimum': -1,
                           'maximum': 2147483647},
    },
    'required': ['service_type', 'resource_name', 'resource_limit'],
    'additionalProperties': False,
}

_vr_properties = {
    'name': types.name,
    'description': types.description,
    'services': {'type': 'array', 'items': types.service_type, 'minItems': 1,
                 'maxItems': 64, 'uniqueItems': True},
    'limits': {'type': 'array', 'items': _limit, 'maxItems': 256},
    'metadata': metadata,
    'visibility': {'type': 'string', 'enum': list(VISIBILITIES)},
    'aggregator_ids': {'type': 'array', 'items': types.id_,
                       'uniqueItems': True, 'maxItems': 1024},
}

virtual_region_create = {
    'type': 'object',
    'properties': {
        'virtual_region': {
            'type': 'object',
            'properties': dict(
                _vr_properties,
                region_id={'type': 'string', 'minLength': 1,
                           'maxLength': 255},
                domain_id=types.id_,
                domain_name=types.name,
            ),
            'required': ['name', 'region_id', 'services'],
            'additionalProperties': False,
        },
    },
    'required': ['virtual_region'],
    'additionalProperties': False,
}

virtual_region_update = {
    'type': 'object',
    'properties': {
        'virtual_region': {
            'type': 'object',
            'properties': dict(
                _vr_properties,
                status={'type': 'string', 'enum': list(STATUSES)}),
            'minProperties': 1,
            'additionalProperties': False,
        },
    },
    'required': ['virtual_region'],
    'additionalProperties': False,
}

virtual_region_index_query = {
    'type': 'object',
    'properties': {
        'status': {'type': 'string', 'enum': list(STATUSES)},
        'name': types.name,
    },
    'additionalProperties': False,
}

aggregator_create = {
    'type': 'object',
    'properties': {
        'aggregator': {
            'type': 'object',
            'properties': {
                'name': {'type': 'string', 'minLength': 1, 'maxLength': 64,
                         'pattern': r'^[A-Za-z0-9][A-Za-z0-9._-]*$'},
                'description': types.description,
            },
            'required': ['name'],
            'additionalProperties': False,
        },
    },
    'required': ['aggregator'],
    'additionalProperties': False,
}

aggregator_update = {
    'type': 'object',
    'properties': {
        'aggregator': {
            'type': 'object',
            'properties': {'description': types.description},
            'minProperties': 1,
            'additionalProperties': False,
        },
    },
    'required': ['aggregator'],
    'additionalProperties': False,
}

empty_query = types.empty_query
empty_body = types.empty_body

offer_index_query = {
    'type': 'object',
    'properties': {
        'country': metadata['properties']['country'],
        'compliance': {'type': 'string', 'maxLength': 64},
        'service_type': types.service_type,
        'name': types.name,
    },
    'additionalProperties': False,
}

binding_create = {
    'type': 'object',
    'properties': {
        'binding': {
            'type': 'object',
            'properties': {
                'virtual_region_id': types.id_,
                'idempotency_key': types.idempotency_key,
            },
            'required': ['virtual_region_id', 'idempotency_key'],
            'additionalProperties': False,
        },
    },
    'required': ['binding'],
    'additionalProperties': False,
}

binding_index_query = {
    'type': 'object',
    'properties': {
        'virtual_region_id': types.id_,
        'aggregator_id': types.id_,
    },
    'additionalProperties': False,
}

_reference = {
    'type': 'string', 'minLength': 16, 'maxLength': 255,
    'pattern': r'^[A-Za-z0-9._:-]+$',
    'description': 'Opaque, aggregator-chosen reference of a tenant; it '
    'must not be a tenant identifier.'}


def _member(key, properties, required):
    return {
        'type': 'object',
        'properties': {key: {
            'type': 'object', 'properties': properties,
            'required': required, 'additionalProperties': False}},
        'required': [key],
        'additionalProperties': False,
    }


binding_project_create = _member('project', {'reference': _reference},
                                 ['reference'])
binding_user_create = _member('user', {'reference': _reference},
                              ['reference'])
binding_user_token = _member('token', {'project_id': types.id_},
                             ['project_id'])

#: A period and one project of the binding.
binding_usage_query = types.usage_query
