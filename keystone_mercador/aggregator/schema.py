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

"""JSON Schemas of the aggregator-side OS-MERCADOR requests."""

from keystone_mercador.common import schema as types
from keystone_mercador.publisher import schema as publisher_schema

_url = {'type': 'string', 'minLength': 1, 'maxLength': 1024,
        'pattern': r'^https?://[^\s]+$'}
_pem = {'type': 'string', 'minLength': 1, 'maxLength': 65536,
        'pattern': r'-----BEGIN CERTIFICATE-----'}
# Same rules as a Keystone region ID, which it becomes.
_region_id = {'type': 'string', 'minLength': 1, 'maxLength': 255,
              'pattern': r'^[A-Za-z0-9][A-Za-z0-9._-]*$'}

STATUSES = ('requested', 'active', 'compensating', 'failed')

#: Fields whose value must never appear in an error message or a log line.
SECRET_FIELDS = frozenset(['application_credential_secret'])

#: The credential exactly as the provider returned it when it registered
#: this aggregator, so that it can be pasted as is.
_credential = {
    'type': 'object',
    'properties': {
        'type': {'type': 'string', 'enum': ['v3applicationcredential']},
        'auth_url': _url,
        'application_credential_id': types.id_,
        'application_credential_secret': {
            'type': 'string', 'minLength': 1, 'maxLength': 1024},
    },
    'required': ['application_credential_id',
                 'application_credential_secret'],
    'additionalProperties': False,
}

provider_create = {
    'type': 'object',
    'properties': {
        'provider': {
            'type': 'object',
            'properties': {
                'name': types.name,
                'description': types.description,
                'auth_url': _url,
                'ca_certificate': _pem,
                'credential': _credential,
            },
            'required': ['name', 'auth_url', 'credential'],
            'additionalProperties': False,
        },
    },
    'required': ['provider'],
    'additionalProperties': False,
}

provider_update = {
    'type': 'object',
    'properties': {
        'provider': {
            'type': 'object',
            'properties': {
                'description': types.description,
                'auth_url': _url,
                'ca_certificate': {'oneOf': [_pem, {'type': 'null'}]},
                'credential': _credential,
            },
            'minProperties': 1,
            'additionalProperties': False,
        },
    },
    'required': ['provider'],
    'additionalProperties': False,
}

empty_query = types.empty_query
empty_body = types.empty_body
offer_index_query = publisher_schema.offer_index_query

#: DELETE of a bound region or provider: ``force=true`` for a provider that
#: went away.
delete_query = {
    'type': 'object',
    'properties': {
        'force': {'type': 'string', 'enum': ['true', 'false']},
    },
    'additionalProperties': False,
}

bound_region_create = {
    'type': 'object',
    'properties': {
        'bound_region': {
            'type': 'object',
            'properties': {
                'provider_id': types.id_,
                'offer_id': types.id_,
                'region_id': _region_id,
                'description': {'type': 'string', 'maxLength': 255},
                'idempotency_key': types.idempotency_key,
            },
            'required': ['provider_id', 'offer_id', 'region_id',
                         'idempotency_key'],
            'additionalProperties': False,
        },
    },
    'required': ['bound_region'],
    'additionalProperties': False,
}

# A page size, 1 to 1000, as a query string carries it.
_limit = {'type': 'string', 'pattern': r'^([1-9][0-9]{0,2}|1000)$'}

bound_region_index_query = {
    'type': 'object',
    'properties': {
        'provider_id': types.id_,
        'status': {'type': 'string', 'enum': list(STATUSES)},
        'region_id': _region_id,
        'limit': _limit,
        'marker': types.id_,
    },
    'additionalProperties': False,
}

# IDs the proxy found in one request and its response: Keystone's own IDs
# are 32 hexadecimal digits.
_ids = {'type': 'array', 'maxItems': 500, 'uniqueItems': True,
        'items': {'type': 'string', 'pattern': '^[0-9a-f]{32}$'}}
region_mappings = {
    'type': 'object',
    'properties': {'outward': _ids, 'inward': _ids},
    'additionalProperties': False,
}

#: A period and one local project.
bound_region_usage_query = types.usage_query
