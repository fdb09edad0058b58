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

"""The OpenAPI document says what the code does.

Routes, request body and query schemas and policies of every documented
operation are compared with the Flask resources that serve them (the
schemas come from their validation decorators).
"""

import inspect

import jsonschema
import pytest

from keystone_mercador.aggregator import api as aggregator_api
from keystone_mercador import policies
from keystone_mercador.publisher import api as publisher_api
from tests import openapi

DOC = openapi.load()
PREFIX = '/v3/OS-MERCADOR'
SIDES = {'provider': publisher_api.APIs,
         'aggregator': aggregator_api.APIs}


def _template(url):
    """Flask's '/a/<string:b>' -> OpenAPI's '/a/{b}'."""
    out = url
    while '<' in out:
        start, end = out.index('<'), out.index('>')
        out = out[:start] + '{' + out[start:end].split(':')[-1] + '}' + \
            out[end + 1:]
    return out


def _routes(apis):
    """``{path: resource class}`` as the APIs register them."""
    routes = {}
    for api in apis:
        assert not api.resources, 'every route is in resource_mapping'
        for m in api.resource_mapping:
            routes[PREFIX + _template(m.url)] = m.resource
    return routes


ROUTES = {side: _routes(api) for side, api in SIDES.items()}
OPERATIONS = [(side, path, method)
              for side in SIDES
              for path, method in openapi.operations(DOC, side)]


def test_document_is_openapi_3_1():
    assert DOC['openapi'].startswith('3.1.')
    for path, item in DOC['paths'].items():
        for method in openapi.METHODS:
            if method in item:
                assert item[method]['tags'], (path, method)
                assert item[method]['tags'][0] in ('provider', 'aggregator')
    # Every schema in the document is a valid JSON Schema (2020-12).
    for name, schema in DOC['components']['schemas'].items():
        jsonschema.Draft202012Validator.check_schema(
            openapi.inline(schema, DOC))


@pytest.mark.parametrize('side', sorted(SIDES))
def test_every_route_is_documented_and_nothing_else(side):
    documented = {path for path, _ in openapi.operations(DOC, side)}
    assert documented == set(ROUTES[side])


@pytest.mark.parametrize('side', sorted(SIDES))
def test_every_handler_is_documented(side):
    documented = openapi.operations(DOC, side)
    for path, resource in ROUTES[side].items():
        for method in openapi.METHODS:
            if not hasattr(resource, method):
                assert (path, method) not in documented
                continue
            urls = [p for p, r in ROUTES[side].items() if r is resource]
            assert any((url, method) in documented for url in urls), (
                path, method)


def _handler(side, path, method):
    resource = ROUTES[side][path]
    assert hasattr(resource, method), (path, method)
    return getattr(resource, method)


@pytest.mark.parametrize('side,path,method', OPERATIONS)
def test_request_body_schema_is_the_code_s(side, path, method):
    handler = _handler(side, path, method)
    code = getattr(handler, '_request_body_schema', None)
    body = DOC['paths'][path][method].get('requestBody')
    if code is None:
        assert body is None, 'the handler takes no body'
        return
    documented = openapi.inline(
        body['content']['application/json']['schema'], DOC)
    assert documented == code


@pytest.mark.parametrize('side,path,method', OPERATIONS)
def test_query_parameters_are_the_code_s(side, path, method):
    handler = _handler(side, path, method)
    code = getattr(handler, '_request_query_schema', None) or {}
    documented = {
        p['name']: openapi.inline(p['schema'], DOC)
        for p in openapi.inline(
            DOC['paths'][path].get('parameters', []) +
            DOC['paths'][path][method].get('parameters', []), DOC)
        if p['in'] == 'query'}
    assert documented == code.get('properties', {})


@pytest.mark.parametrize('side,path,method', OPERATIONS)
def test_policy_is_the_one_enforced(side, path, method):
    operation = DOC['paths'][path][method]
    source = inspect.getsource(_handler(side, path, method))
    # x-mercador-force-policy: also enforced with ``force=true``.
    for policy in [operation['x-mercador-policy']] + (
            [operation['x-mercador-force-policy']]
            if 'x-mercador-force-policy' in operation else []):
        assert policy in {rule.name for rule in policies.list_rules()}
        assert "action='%s'" % policy in source


def test_force_policies_are_documented_with_their_query():
    forced = {(path, method): op['x-mercador-force-policy']
              for path, method, op in (
                  (p, m, DOC['paths'][p][m]) for _, p, m in OPERATIONS)
              if 'x-mercador-force-policy' in op}
    assert forced == {
        (PREFIX + '/providers/{provider_id}', 'delete'):
            'mercador:provider:force_delete',
        (PREFIX + '/bound_regions/{bound_region_id}', 'delete'):
            'mercador:bound_region:force_delete',
    }
    for path, method in forced:
        params = DOC['paths'][path][method]['parameters']
        assert 'force' in {p['name'] for p in params}
        assert '200' in DOC['paths'][path][method]['responses']
