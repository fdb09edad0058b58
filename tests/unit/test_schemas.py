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

"""Every schema of the API is strict: no object accepts unknown keys."""

import jsonschema
import pytest

from keystone_mercador.publisher import schema

SCHEMAS = {name: value for name, value in vars(schema).items()
           if isinstance(value, dict) and value.get('type') == 'object'}


def _objects(node, path='$'):
    if isinstance(node, dict):
        if node.get('type') == 'object' or 'properties' in node:
            yield path, node
        for key, value in node.items():
            yield from _objects(value, '%s.%s' % (path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _objects(value, '%s[%d]' % (path, i))


def test_schemas_found():
    assert {'virtual_region_create', 'virtual_region_update',
            'aggregator_create', 'binding_create', 'binding_project_create',
            'offer_index_query', 'metadata'} <= set(SCHEMAS)


@pytest.mark.parametrize('name', sorted(SCHEMAS))
def test_every_object_is_closed(name):
    for path, node in _objects(SCHEMAS[name]):
        # The misspelling Keystone once shipped ("additionalProperties"
        # written wrong) would leave the object open: look for the exact key.
        assert 'additionalProperties' in node, '%s.%s is open' % (name, path)
        closed = node['additionalProperties']
        assert closed is False or isinstance(closed, dict), (name, path)


@pytest.mark.parametrize('name', sorted(SCHEMAS))
def test_schema_is_valid_draft_2020_12(name):
    jsonschema.Draft202012Validator.check_schema(SCHEMAS[name])


def _valid(schema_, instance):
    return jsonschema.Draft202012Validator(schema_).is_valid(instance)


def test_metadata_rules():
    assert _valid(schema.metadata, {'country': 'FR', 'compliance': ['gdpr'],
                                    'api_versions': {'image': '2.16'},
                                    'x-tier': 'gold'})
    assert not _valid(schema.metadata, {'country': 'fr'})
    assert not _valid(schema.metadata, {'tier': 'gold'})
    assert not _valid(schema.metadata, {'x-Tier': 'gold'})
    assert not _valid(schema.metadata, {'api_versions': {'Image': '2'}})


def test_nested_unknown_keys_rejected():
    body = {'virtual_region': {'name': 'a', 'region_id': 'r',
                               'domain_id': 'd', 'services': ['image'],
                               'limits': [{'service_type': 'image',
                                           'resource_name': 'x',
                                           'resource_limit': 1,
                                           'unit': 'GB'}]}}
    assert not _valid(schema.virtual_region_create, body)
    del body['virtual_region']['limits'][0]['unit']
    assert _valid(schema.virtual_region_create, body)


def test_idempotency_key_and_reference_shapes():
    ok = {'binding': {'virtual_region_id': 'v', 'idempotency_key': 'k' * 8}}
    assert _valid(schema.binding_create, ok)
    short = {'binding': {'virtual_region_id': 'v', 'idempotency_key': 'k'}}
    assert not _valid(schema.binding_create, short)
    assert not _valid(schema.binding_project_create,
                      {'project': {'reference': 'tenant name with spaces'}})
