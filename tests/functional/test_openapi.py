"""doc/api/os-mercador.yaml against a running Keystone.

The routes that Keystone advertises in its JSON Home document are the
documented ones, each documented method is served (and no other), and the
responses of a real story validate against the documented schemas.
"""

import re

import jsonschema

from tests.functional import client
from tests.functional import publisher as pub
from tests import openapi

DOC = openapi.load()
PREFIX = '/v3/OS-MERCADOR'
NO_ROUTE = 'No OS-MERCADOR resource at'


def _json_home_paths(server):
    r = client.Session(server.url).get(
        '/', headers={'Accept': 'application/json-home'})
    assert r.status_code == 200, r.text
    paths = set()
    for resource in r.json()['resources'].values():
        path = resource.get('href') or resource['href-template']
        if path.startswith(PREFIX + '/'):
            paths.add(path)
    return paths


def _operation(method, path):
    """The documented (template, operation) of a concrete request."""
    path = path.split('?')[0]
    for template, item in DOC['paths'].items():
        if re.fullmatch(openapi.flask_path(template), path):
            return template, item.get(method.lower())
    return None, None


class CheckedSession(client.Session):
    """A Session whose every response must be as documented."""

    seen = set()

    def request(self, method, path, **kwargs):
        r = super().request(method, path, **kwargs)
        template, op = _operation(method, path)
        assert op, 'undocumented: %s %s' % (method, path)
        responses = op['responses']
        assert str(r.status_code) in responses, (
            'undocumented status', method, template, r.status_code, r.text)
        response = openapi.inline(responses[str(r.status_code)], DOC)
        if 'content' in response:
            schema = response['content']['application/json']['schema']
            jsonschema.Draft202012Validator(schema).validate(r.json())
        else:
            assert not r.content, (method, template, r.text)
        self.seen.add((template, method.lower(), str(r.status_code)))
        return r

    @classmethod
    def wrap(cls, session):
        return cls(session.base, session.token, session.token_body)


def test_json_home_routes_are_the_documented_ones(provider):
    documented = {path for path, _ in openapi.operations(DOC, 'provider')}
    assert _json_home_paths(provider) == documented


def test_documented_methods_are_served_and_no_other(provider):
    anonymous = client.Session(provider.url)
    for template, item in DOC['paths'].items():
        if 'provider' not in item.get('get', item.get('post', {})).get(
                'tags', ()):
            continue
        path = re.sub(r'\{[^}]+\}', 'x', template)
        for method in openapi.METHODS:
            r = anonymous.request(method.upper(), path, json={})
            served = not (r.status_code == 404 and NO_ROUTE in r.text)
            assert served == (method in item), (method, template,
                                                r.status_code)


def test_provider_story_responses_match_the_document(provider):
    admin = CheckedSession.wrap(client.Session.admin(provider))
    pub.ensure_service(client.Session.admin(provider), 'image',
                       'http://127.0.0.1:9292')
    api = pub.API
    admin.ok('GET', api + '/metadata_schema')
    aggregator = admin.ok('POST', api + '/aggregators', json={'aggregator': {
        'name': pub.unique('reseller')}})['aggregator']
    agg_id = aggregator['id']
    admin.ok('GET', api + '/aggregators')
    admin.ok('GET', api + '/aggregators/' + agg_id)
    admin.ok('PATCH', api + '/aggregators/' + agg_id, json={'aggregator': {
        'description': 'A reseller'}})
    cred = aggregator['credential']
    agg = CheckedSession.wrap(client.Session.login(
        provider.url, client.app_cred_auth(
            cred['application_credential_id'],
            cred['application_credential_secret'])))

    vr = pub.create_virtual_region(admin, publish=False,
                                   aggregator_ids=[agg_id],
                                   visibility='listed')
    vr_path = api + '/virtual_regions/' + vr['id']
    admin.ok('PATCH', vr_path, json={'virtual_region': {
        'status': 'published', 'description': 'Paris, tier 3'}})
    admin.ok('GET', api + '/virtual_regions?status=published')
    admin.ok('GET', vr_path)

    agg.ok('GET', api + '/offers?country=FR&service_type=image')
    agg.ok('GET', api + '/offers/' + vr['id'])
    key = pub.unique('openapi-key')
    binding = agg.ok('POST', api + '/bindings', status=201, json={
        'binding': {'virtual_region_id': vr['id'], 'idempotency_key': key}}
    )['binding']
    agg.ok('POST', api + '/bindings', status=200, json={
        'binding': {'virtual_region_id': vr['id'], 'idempotency_key': key}})
    b_path = api + '/bindings/' + binding['id']
    admin.ok('GET', api + '/bindings?virtual_region_id=' + vr['id'])
    agg.ok('GET', b_path)
    agg.ok('POST', b_path + '/credential', json={})
    reference = pub.unique('tenant-reference')
    project = agg.ok('POST', b_path + '/projects', status=201, json={
        'project': {'reference': reference}})['project']
    agg.ok('POST', b_path + '/projects', status=200, json={
        'project': {'reference': reference}})
    agg.ok('GET', b_path + '/projects')
    agg.ok('GET', b_path + '/projects/' + project['id'])
    agg.ok('DELETE', b_path + '/projects/' + project['id'])

    # Documented errors.
    admin.ok('DELETE', vr_path, status=409)
    admin.ok('GET', api + '/virtual_regions/nope', status=404)
    admin.ok('POST', api + '/virtual_regions', status=400, json={
        'virtual_region': {'name': 'x', 'unknown': 1}})
    agg.ok('GET', api + '/aggregators', status=403)
    CheckedSession(provider.url).ok('GET', api + '/offers', status=401)
    agg.ok('POST', api + '/bindings', status=422, json={'binding': {
        'virtual_region_id': vr['id'] + 'x', 'idempotency_key': key}})

    admin.ok('DELETE', b_path)
    admin.ok('DELETE', vr_path)
    admin.ok('DELETE', api + '/aggregators/' + agg_id)

    # Every documented success of the provider side was seen.
    successes = {(path, method, status)
                 for (path, method), op in openapi.operations(
                     DOC, 'provider').items()
                 for status in op['responses'] if status.startswith('2')}
    assert successes - CheckedSession.seen == set()
