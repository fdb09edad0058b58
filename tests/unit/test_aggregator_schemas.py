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

"""Aggregator schemas are strict, and their errors never quote a value."""

import jsonschema
import pytest

from keystone_mercador.aggregator import schema
from keystone_mercador.common import validation
from keystone_mercador import glue

SCHEMAS = {name: value for name, value in vars(schema).items()
           if isinstance(value, dict) and value.get('type') == 'object'}
SECRET = 'Secret-Value-0123456789'


def _objects(node, path='$'):
    if isinstance(node, dict):
        if node.get('type') == 'object' or 'properties' in node:
            yield path, node
        for key, value in node.items():
            yield from _objects(value, '%s.%s' % (path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _objects(value, '%s[%d]' % (path, i))


def _provider(**credential):
    cred = {'application_credential_id': 'abc',
            'application_credential_secret': SECRET}
    cred.update(credential)
    return {'provider': {'name': 'p', 'auth_url': 'https://p.example/v3',
                         'credential': cred}}


def test_schemas_found():
    assert {'provider_create', 'provider_update', 'bound_region_create',
            'bound_region_index_query', 'offer_index_query',
            'empty_query'} <= set(SCHEMAS)


@pytest.mark.parametrize('name', sorted(SCHEMAS))
def test_every_object_is_closed(name):
    for path, node in _objects(SCHEMAS[name]):
        assert node.get('additionalProperties') is False, (name, path)


@pytest.mark.parametrize('name', sorted(SCHEMAS))
def test_schema_is_valid(name):
    jsonschema.Draft4Validator.check_schema(SCHEMAS[name])


def test_valid_provider_passes():
    validation.validate(schema.provider_create, _provider())
    validation.validate(schema.provider_create, _provider(
        type='v3applicationcredential', auth_url='https://p.example/v3'))


@pytest.mark.parametrize('body', [
    _provider(unknown=1),
    _provider(application_credential_secret=SECRET * 100),
    _provider(application_credential_secret=[SECRET]),
    _provider(application_credential_secret={SECRET: SECRET}),
    _provider(type=SECRET),
    {'provider': [SECRET]},
    {'provider': dict(_provider()['provider'], auth_url=SECRET)},
    {'provider': dict(_provider()['provider'], extra=SECRET)},
    [SECRET],
])
def test_errors_never_quote_values(body):
    with pytest.raises(glue.SchemaValidationError) as error:
        validation.validate(schema.provider_create, body)
    assert SECRET not in str(error.value)
    assert 'Invalid input for' in str(error.value)


def test_error_names_the_field():
    with pytest.raises(glue.SchemaValidationError) as error:
        validation.validate(schema.provider_create, _provider(
            application_credential_secret=''))
    assert ('provider/credential/application_credential_secret'
            in str(error.value))


@pytest.mark.parametrize('region_id', ['V1', 'eu-west.1', 'R_2'])
def test_region_ids(region_id):
    validation.validate(schema.bound_region_create, {'bound_region': {
        'provider_id': 'p', 'offer_id': 'o', 'region_id': region_id,
        'idempotency_key': 'key-12345'}})


@pytest.mark.parametrize('region_id', ['', '-V', 'V 1', 'V/1', 'x' * 256])
def test_bad_region_ids(region_id):
    with pytest.raises(glue.SchemaValidationError):
        validation.validate(schema.bound_region_create, {'bound_region': {
            'provider_id': 'p', 'offer_id': 'o', 'region_id': region_id,
            'idempotency_key': 'key-12345'}})


@pytest.mark.parametrize('limit', ['1', '9', '10', '999', '1000'])
def test_page_limits(limit):
    validation.validate(schema.bound_region_index_query, {'limit': limit})


@pytest.mark.parametrize('limit', ['0', '01', '1001', '9999', '-1', '1.5',
                                   'abc', '', ' 1', 1])
def test_bad_page_limits(limit):
    with pytest.raises(glue.SchemaValidationError) as error:
        validation.validate(schema.bound_region_index_query,
                            {'limit': limit})
    assert 'limit' in str(error.value)
