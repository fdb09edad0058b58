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

"""What a hostile tenant sends through the proxy, and what reaches the
provider.

Real HTTP servers on loopback: the proxy, an upstream of this module that
records the request target exactly as it arrives (its raw request line),
and, for the exchange with the aggregator, a stand-in for its Keystone that
records the same. The provider endpoints have path prefixes, devstack
style (``/image``, ``/compute/v2.1``), and the provider's Keystone
(``/identity``) is on the same host: nothing outside the offered endpoint
may ever be requested.
"""

import http.client
import io
import json
import logging
import threading
import urllib.parse

from oslo_cache import core as cache
import pytest
from werkzeug import serving
from werkzeug import test as wtest
from werkzeug import wrappers

from mercador_proxy import app as proxy_app
from mercador_proxy import paths
from tests.unit import proxy_helpers

TENANT_PROJECT = 'a' * 32
PROVIDER_PROJECT = 'b' * 32
LIMIT = 4096


class Upstream:
    """One host with a provider's services under path prefixes; records
    each request's target as the request line carried it."""

    def __init__(self):
        self.seen = []
        self.server = serving.make_server('127.0.0.1', 0, self.wsgi,
                                          threaded=True)
        self.url = 'http://127.0.0.1:%d' % self.server.server_port
        threading.Thread(target=self.server.serve_forever,
                         daemon=True).start()

    @wrappers.Request.application
    def wsgi(self, request):
        target = request.environ['RAW_URI']
        self.seen.append({'method': request.method, 'target': target,
                          'headers': dict(request.headers),
                          'body': request.get_data()})
        path = target.split('?')[0]
        if path in ('/image', '/image/', '/compute/v2.1'):
            return wrappers.Response(json.dumps({'versions': [{
                'id': 'v2.0', 'status': 'CURRENT',
                'links': [{'rel': 'self', 'href': self.url + '/image/v2/'},
                          {'rel': 'other',
                           'href': self.url + '/compute/v2.1/'}]}]}),
                content_type='application/json')
        if path in ('/volume', '/volume/'):
            # Cinder's root; its versioned endpoint wants a token.
            return wrappers.Response(json.dumps({'versions': [{
                'id': 'v3.0', 'status': 'CURRENT', 'links': [
                    {'rel': 'self', 'href': self.url + '/volume/v3/'}]}]}),
                status=300, content_type='application/json')
        if path.endswith('/unauthorized') or (
                path.startswith('/volume/v3') and
                'X-Auth-Token' not in request.headers):
            return wrappers.Response(
                json.dumps({'error': 'nope'}), status=401,
                content_type='application/json', headers={
                    'WWW-Authenticate':
                        'Keystone uri="%s/identity"' % self.url})
        return wrappers.Response(
            json.dumps({'owner': PROVIDER_PROJECT,
                        'self': self.url + '/image/v2/images/1'}),
            content_type='application/json', headers={
                'Alt-Svc': 'h3=":443"', 'X-Subject-Token': 'provider-secret',
                'Set-Cookie': 'session=provider', 'Server': 'provider/1.0',
                'X-Openstack-Request-Id': 'req-1'})

    def targets(self):
        return [s['target'] for s in self.seen]

    def close(self):
        self.server.shutdown()


def _endpoints(upstream):
    return {'image': upstream.url + '/image',
            'compute': upstream.url + '/compute/v2.1',
            'block-storage': upstream.url + '/volume/v3',
            'identity': upstream.url + '/identity',
            # Offered under another name, yet the provider's Keystone.
            'ident-alias': upstream.url + '/identity/v3'}


class FixedAccess:
    """The aggregator's answers, given directly."""

    def __init__(self, upstream):
        self.asked = []
        self.answer = {
            'token': 'provider-token', 'project_id': TENANT_PROJECT,
            'provider_project_id': PROVIDER_PROJECT,
            'expires_at': '2999-01-01T00:00:00Z',
            'endpoints': _endpoints(upstream)}

    def get(self, token, region_id):
        self.asked.append(region_id)
        if token != 'tenant-token':
            raise proxy_app.ProxyError(401, 'Not valid.')
        if region_id != 'V1':
            raise proxy_app.ProxyError(404, 'No region %s.' % region_id)
        return self.answer

    def mappings(self, token, region_id, direction, ids):
        return {}

    def endpoints(self, region_id):
        self.asked.append(region_id)
        if region_id != 'V1':
            raise proxy_app.ProxyError(404, 'No region %s.' % region_id)
        return self.answer['endpoints']


def _conf(tmp_path, identity_url='http://127.0.0.1:9', extra=''):
    return proxy_helpers.make_conf(
        tmp_path, '[proxy]\nidentity_url = %s\n'
        'www_authenticate_uri = http://aggregator.test/identity\n'
        'username = proxy\npassword = secret\n'
        'read_timeout = 5.0\nmax_rewrite_bytes = %d\n%s'
        % (identity_url, LIMIT, extra))


_serve = proxy_helpers.serve


@pytest.fixture(scope='module')
def upstream():
    server = Upstream()
    yield server
    server.close()


@pytest.fixture(scope='module')
def proxy(upstream, tmp_path_factory):
    yield from proxy_helpers.running_proxy(
        _conf(tmp_path_factory.mktemp('proxy')), FixedAccess(upstream))


class Response:
    def __init__(self, r):
        self.status = r.status
        self.headers = r.headers
        self.body = r.read()

    def json(self):
        return json.loads(self.body)

    def error(self, code):
        assert self.status == code, (self.status, self.body)
        assert self.headers['Content-Type'] == 'application/json'
        error = self.json()['error']
        assert error['code'] == code
        assert error['title'] and error['message']
        return error['message']


def _raw(proxy, method, target, headers=None, body=None):
    """A request with exactly this request target (http.client encodes
    nothing, normalises nothing)."""
    conn = http.client.HTTPConnection('127.0.0.1', proxy.port, timeout=30)
    try:
        conn.putrequest(method, target, skip_accept_encoding=True)
        headers = {'X-Auth-Token': 'tenant-token'} if headers is None \
            else headers
        for name, value in headers.items():
            conn.putheader(name, value)
        if body is not None and not any(
                k.lower() in ('content-length', 'transfer-encoding')
                for k in headers):
            conn.putheader('Content-Length', str(len(body)))
        conn.endheaders(body)
        return Response(conn.getresponse())
    finally:
        conn.close()


def _assert_confined(upstream):
    for target in upstream.targets():
        path = target.split('?')[0]
        assert (path == '/image' or path.startswith('/image/')
                or path == '/compute/v2.1'
                or path.startswith('/compute/v2.1/')), target


# (request target, what the upstream receives)
FAITHFUL = [
    # Encoded names arrive byte-identical; %3F is no query.
    ('/V1/image/v2/images/a%3Fb%20%C3%A9', '/image/v2/images/a%3Fb%20%C3%A9'),
    ('/V1/image/v2/images/a%3Fb?name=%C3%A9%3D%26',
     '/image/v2/images/a%3Fb?name=%C3%A9%3D%26'),
    ('/V1/image/v2/images/%25%2B%40:@!$&\'()*+,;=',
     '/image/v2/images/%25%2B%40:@!$&\'()*+,;='),
    # An encoded slash inside a name stays one.
    ('/V1/image/v2/images/a%2Fb', '/image/v2/images/a%2Fb'),
    # Percent-encodings in upper case (RFC 3986, 6.2.2.1), stray '%' and
    # characters a URI may not carry encoded.
    ('/V1/image/v2/images/%c3%a9', '/image/v2/images/%C3%A9'),
    ('/V1/image/v2/images/100%', '/image/v2/images/100%25'),
    ('/V1/image/v2/images/a\\b', '/image/v2/images/a%5Cb'),
    ('/V1/image/v2/images/"{x}"', '/image/v2/images/%22%7Bx%7D%22'),
    # Normalised, and still under the endpoint.
    ('/V1/image/v2/./images/../images', '/image/v2/images'),
    ('/V1/image/v2/%2e/images/%2E%2e/images/', '/image/v2/images/'),
    ('/V1/image//v2//images', '/image/v2/images'),
    ('/V1/compute/servers/..', '/compute/v2.1/'),
    ('/V1/compute/servers/detail?all_tenants=1',
     '/compute/v2.1/servers/detail?all_tenants=1'),
    # The caller's project ID becomes the provider's.
    ('/V1/compute/%s/servers' % TENANT_PROJECT,
     '/compute/v2.1/%s/servers' % PROVIDER_PROJECT),
]


@pytest.mark.parametrize('target, expected', FAITHFUL,
                         ids=[t for t, _ in FAITHFUL])
def test_paths_arrive_as_sent(proxy, upstream, target, expected):
    before = len(upstream.seen)
    r = _raw(proxy, 'GET', target)
    assert r.status == 200, r.body
    assert upstream.targets()[before:] == [expected]
    _assert_confined(upstream)


ESCAPES = [
    '/V1/image/..',
    '/V1/image/../identity/v3/users',
    '/V1/image/v2/../../identity/v3/users',
    '/V1/image/%2e%2e/identity/v3/users',
    '/V1/image/%2E%2e/%2e%2E/identity',
    '/V1/image/.%2e/identity',
    '/V1/image/..%2F..%2Fidentity%2Fv3%2Fusers',
    '/V1/image/..%2f..%2fidentity',
    '/V1/image/v2/%2e%2e%2f%2e%2e%2fidentity',
    '/V1/image/v2/..%5C..%5Cidentity',
    '/V1/image/v2\\..\\..\\identity',
    '/V1/image/..;/identity',
    '/V1/image/v2/images/..%2F..%2F..%2Fidentity',
    '/V1/compute/../../identity',
    '/V1/compute/..%2Fcompute%2Fv2.1',
    '/V1/image/v2//..//..//..//identity',
]


@pytest.mark.parametrize('target', ESCAPES)
def test_paths_never_leave_the_endpoint(proxy, upstream, target):
    before = len(upstream.seen)
    message = _raw(proxy, 'GET', target).error(400)
    assert 'endpoint' in message
    assert upstream.seen[before:] == []
    _assert_confined(upstream)


@pytest.mark.parametrize('target', [
    '/V1%3Fx/image/v2/images', '/V1%2F..%2FV2/image/v2', '/.V1/image/v2',
    '/%2e%2e/image/v2', '/' + 'V' * 256 + '/image/v2',
    '/V1/im%20age/v2', '/V1/%2e%2e/v2',
])
def test_region_and_service_must_be_names(proxy, upstream, target):
    before, asked = len(upstream.seen), len(proxy.access.asked)
    message = _raw(proxy, 'GET', target).error(400)
    assert 'valid region ID' in message or 'valid service type' in message
    assert upstream.seen[before:] == []
    assert proxy.access.asked[asked:] == []


def test_identity_is_never_relayed(proxy, upstream):
    before = len(upstream.seen)
    for target, headers in (('/V1/identity/v3/users', None),
                            ('/V1/identity/', {}),
                            ('/V1/ident-alias/users', None),
                            ('/V1/ident-alias/', {})):
        r = _raw(proxy, 'GET', target, headers=headers)
        assert r.status in (403, 404), r.body
        assert r.json()['error']['code'] == r.status
    assert upstream.seen[before:] == []


def _environ(path_info, raw=None, script='', method='GET'):
    environ = wtest.EnvironBuilder(method=method, path='/',
                                   headers={'X-Auth-Token': 'tenant-token'}
                                   ).get_environ()
    environ.pop('RAW_URI', None)
    environ.pop('REQUEST_URI', None)
    environ['SCRIPT_NAME'] = script
    environ['PATH_INFO'] = path_info
    if raw is not None:
        environ['REQUEST_URI'] = raw
    return environ


def _call(application, environ):
    status = []
    body = b''.join(application(
        environ, lambda s, h, e=None: status.append((s, h))))
    return int(status[0][0].split()[0]), dict(status[0][1]), body


def test_path_info_is_encoded_again_when_no_raw_uri(proxy, upstream):
    # PATH_INFO carries the bytes of the decoded path as latin-1 (PEP
    # 3333): "a?b é" in UTF-8, as a server decodes a%3Fb%20%C3%A9.
    path_info = b'/V1/image/v2/a?b \xc3\xa9%'.decode('latin-1')
    before = len(upstream.seen)
    code, _, body = _call(proxy, _environ(path_info))
    assert code == 200, body
    assert upstream.targets()[before:] == ['/image/v2/a%3Fb%20%C3%A9%25']


def test_script_name_is_taken_off_the_raw_uri(proxy, upstream):
    path_info = b'/V1/image/v2/a?b'.decode('latin-1')
    before = len(upstream.seen)
    code, _, body = _call(proxy, _environ(
        path_info, raw='/mer%63ador/V1/image/v2/a%3Fb?x=1',
        script='/mercador'))
    assert code == 200, body
    assert upstream.targets()[before:] == ['/image/v2/a%3Fb']


def test_a_rewritten_raw_uri_is_not_trusted(proxy, upstream):
    # A front end rewrote the path: PATH_INFO is what it routed.
    before = len(upstream.seen)
    code, _, body = _call(proxy, _environ(
        '/V1/image/v2/a', raw='/elsewhere/../../identity/v3'))
    assert code == 200, body
    assert upstream.targets()[before:] == ['/image/v2/a']


@pytest.mark.parametrize('raw, path', [
    ('/V1/image/x', '/V1/image/x'),
    ('http://proxy.example/V1/image/x?y', '/V1/image/x'),
    ('*', None),
])
def test_raw_path_forms(raw, path):
    environ = {'PATH_INFO': '/V1/image/x', 'RAW_URI': raw}
    assert paths.raw_path(environ) == (path or '/V1/image/x')


# Headers


DROPPED = {
    'X-Forwarded-For': '10.0.0.1', 'X-Forwarded-Host': 'evil.example',
    'X-Forwarded-Proto': 'https', 'X-Forwarded-Prefix': '/identity',
    'X-Forwarded-Server': 'evil', 'X-Forwarded-Port': '35357',
    'Forwarded': 'for=10.0.0.1;host=evil', 'X-Real-IP': '10.0.0.1',
    'X-Original-URL': '/identity/v3/users', 'X-Rewrite-URL': '/identity',
    'X-Original-Host': 'evil', 'X-Host': 'evil', 'Via': '1.1 evil',
    'OpenStack-System-Scope': 'all', 'X-Service-Token': 'tenant-token',
    'X-Subject-Token': 'tenant-token', 'X-Auth-User': 'admin',
    'X-Auth-Key': 'secret', 'X-Storage-Token': 'tenant-token',
    'X-Service-Catalog': '[]', 'X-Identity-Status': 'Confirmed',
    'X-User-Id': 'u', 'X-Project-Id': TENANT_PROJECT, 'X-Roles': 'admin',
    'X-Is-Admin-Project': 'True', 'X-System-Scope': 'all',
    'X-Tenant-Id': TENANT_PROJECT, 'X-Domain-Id': 'default',
    'X-Trust-Id': 't', 'X-HTTP-Method-Override': 'DELETE',
    'X-Method-Override': 'DELETE', 'Authorization': 'Basic eDp5',
    'Cookie': 'a=b', 'OpenStack-Auth-Receipt': 'r', 'X-Hop': 'named',
    'Connection': 'close, X-Hop', 'Proxy-Authorization': 'Basic eDp5',
}


def test_routing_scope_and_credential_headers_are_dropped(proxy, upstream):
    headers = dict(DROPPED, **{
        'X-Auth-Token': 'tenant-token', 'Accept': 'application/json',
        'OpenStack-API-Version': 'compute 2.90',
        'X-OpenStack-Request-ID': 'req-0', 'User-Agent': 'tenant/1.0'})
    r = _raw(proxy, 'GET', '/V1/compute/servers', headers=headers)
    assert r.status == 200, r.body
    seen = {k.lower(): v for k, v in upstream.seen[-1]['headers'].items()}
    for name in DROPPED:
        if name.lower() != 'connection':
            assert name.lower() not in seen, name
    assert seen['x-auth-token'] == 'provider-token'
    assert seen['host'] == upstream.url[len('http://'):]
    for name in ('Accept', 'OpenStack-API-Version', 'X-OpenStack-Request-ID',
                 'User-Agent'):
        assert seen[name.lower()] == headers[name]
    assert 'tenant-token' not in json.dumps(upstream.seen[-1]['headers'])
    # And back: nothing of the provider's sessions, credentials, software
    # or whereabouts.
    assert r.headers.get('X-Subject-Token') is None
    assert r.headers.get('Alt-Svc') is None
    assert r.headers.get('Set-Cookie') is None
    assert 'provider' not in (r.headers.get('Server') or '')
    assert r.headers['X-Openstack-Request-Id'] == 'req-1'
    assert r.json()['owner'] == TENANT_PROJECT
    assert r.json()['self'] == proxy.url + '/V1/image/v2/images/1'


def test_provider_cookies_are_never_replayed(proxy, upstream):
    # One session serves every tenant: a cookie set for one must not go
    # out with the requests of another.
    for _ in range(2):
        r = _raw(proxy, 'GET', '/V1/image/v2/images/1')
        assert r.status == 200 and 'Set-Cookie' not in r.headers
        assert 'Cookie' not in upstream.seen[-1]['headers']


def test_a_provider_401_names_the_aggregator(proxy, upstream):
    r = _raw(proxy, 'GET', '/V1/image/unauthorized')
    assert r.status == 401
    assert r.headers.get_all('WWW-Authenticate') == [
        'Keystone uri="http://aggregator.test/identity"']


# Errors


@pytest.mark.parametrize('length', ['abc', '-1', '1.5', '0x10', ' 3 4'])
def test_a_bad_content_length_is_a_json_400(proxy, length):
    environ = _environ('/V1/image/v2/images', method='PUT')
    environ['CONTENT_LENGTH'] = length
    environ['CONTENT_TYPE'] = 'application/octet-stream'
    environ['wsgi.input'] = io.BytesIO(b'abc')
    code, headers, body = _call(proxy, environ)
    assert code == 400, body
    assert headers['Content-Type'] == 'application/json'
    assert 'Content-Length' in json.loads(body)['error']['message']


def test_a_bad_content_length_on_the_wire_is_a_json_400(proxy):
    message = _raw(proxy, 'PUT', '/V1/image/v2/images/1/file', headers={
        'X-Auth-Token': 'tenant-token', 'Content-Length': 'abc',
        'Content-Type': 'application/octet-stream'}, body=b'').error(400)
    assert 'Content-Length' in message


@pytest.mark.parametrize('body, words', [
    (b'{"name": "\xff\xfe"}', 'UTF-8'),
    (b'{"name": ', 'JSON'),
    (b'[' * 2000 + b']' * 2000, 'JSON'),
    (b'not json', 'JSON'),
])
def test_a_bad_json_body_is_a_json_400(proxy, upstream, body, words):
    before = len(upstream.seen)
    r = _raw(proxy, 'POST', '/V1/image/v2/images', headers={
        'X-Auth-Token': 'tenant-token', 'Content-Type': 'application/json'},
        body=body[:LIMIT])
    assert words in r.error(400)
    assert upstream.seen[before:] == []


def _chunked(data):
    return b'%x\r\n%s\r\n0\r\n\r\n' % (len(data), data)


@pytest.mark.parametrize('chunked', [False, True])
def test_a_json_body_over_the_limit_is_refused_either_way(proxy, upstream,
                                                          chunked):
    data = json.dumps({'name': 'x' * LIMIT}).encode()
    headers = {'X-Auth-Token': 'tenant-token',
               'Content-Type': 'application/json'}
    if chunked:
        headers['Transfer-Encoding'] = 'chunked'
        data = _chunked(data)
    before = len(upstream.seen)
    message = _raw(proxy, 'POST', '/V1/image/v2/images', headers=headers,
                   body=data).error(413)
    assert str(LIMIT) in message
    assert upstream.seen[before:] == []


@pytest.mark.parametrize('chunked', [False, True])
def test_a_json_body_under_the_limit_is_rewritten_either_way(
        proxy, upstream, chunked):
    data = json.dumps({'owner': TENANT_PROJECT, 'name': 'é'}).encode()
    headers = {'X-Auth-Token': 'tenant-token',
               'Content-Type': 'application/json'}
    if chunked:
        headers['Transfer-Encoding'] = 'chunked'
        data = _chunked(data)
    r = _raw(proxy, 'POST', '/V1/image/v2/images', headers=headers,
             body=data)
    assert r.status == 200, r.body
    assert json.loads(upstream.seen[-1]['body']) == {
        'owner': PROVIDER_PROJECT, 'name': 'é'}


def test_an_empty_json_body_is_relayed(proxy, upstream):
    r = _raw(proxy, 'POST', '/V1/compute/servers/1/action', headers={
        'X-Auth-Token': 'tenant-token', 'Content-Type': 'application/json',
        'Content-Length': '0'}, body=b'')
    assert r.status == 200, r.body
    assert upstream.seen[-1]['body'] == b''


def test_an_unexpected_error_is_a_json_502_without_tokens_in_the_log(
        proxy, caplog):
    saved = proxy.access.get

    def broken(token, region_id):
        raise RuntimeError('broken by %s' % token)
    proxy.access.get = broken
    try:
        with caplog.at_level(logging.ERROR, logger='mercador_proxy.app'):
            message = _raw(proxy, 'GET', '/V1/image/v2/images').error(502)
    finally:
        proxy.access.get = saved
    assert 'V1' in message
    logged = '\n'.join(r.getMessage() for r in caplog.records)
    assert 'Traceback' in logged and 'RuntimeError' in logged
    assert 'V1' in logged
    assert 'tenant-token' not in logged


# Version discovery without a token


@pytest.mark.parametrize('target, expected', [
    ('/V1/image', '/image'), ('/V1/image/', '/image/'),
    ('/V1/compute', '/compute/v2.1'),
])
@pytest.mark.parametrize('method', ['GET', 'HEAD'])
def test_the_version_document_needs_no_token(proxy, upstream, target,
                                             expected, method):
    before = len(upstream.seen)
    r = _raw(proxy, method, target, headers={'Accept': 'application/json'})
    assert r.status == 200, r.body
    [seen] = upstream.seen[before:]
    assert (seen['method'], seen['target']) == (method, expected)
    assert not any(k.lower().startswith('x-auth') for k in seen['headers'])
    if method == 'GET':
        assert upstream.url not in r.body.decode()
        links = [link['href'] for link in r.json()['versions'][0]['links']]
        assert links == [proxy.url + '/V1/image/v2/',
                         proxy.url + '/V1/compute/']


@pytest.mark.parametrize('target', ['/V1/block-storage',
                                    '/V1/block-storage/'])
def test_the_root_document_of_a_versioned_endpoint_that_wants_a_token(
        proxy, upstream, target):
    """Cinder's .../v3 answers 401 without a token: the proxy relays its
    root's document, where cinderclient looks for the versions."""
    before = len(upstream.seen)
    r = _raw(proxy, 'GET', target, headers={'Accept': 'application/json'})
    assert r.status == 300, r.body
    rest = target[len('/V1/block-storage'):]
    assert [s['target'] for s in upstream.seen[before:]] == [
        '/volume/v3' + rest, '/volume' + rest]
    assert not any(k.lower().startswith('x-auth')
                   for s in upstream.seen[before:] for k in s['headers'])
    links = [link['href'] for link in r.json()['versions'][0]['links']]
    assert links == [proxy.url + '/V1/block-storage/']


@pytest.mark.parametrize('method, target', [
    ('GET', '/V1/image/v2/images'), ('GET', '/V1/image/v2'),
    ('GET', '/V1/image/?marker=x'), ('GET', '/V1/image/.'),
    ('GET', '/V1/image//'), ('POST', '/V1/image/'), ('PUT', '/V1/image'),
    ('DELETE', '/V1/image/'),
])
def test_nothing_else_without_a_token(proxy, upstream, method, target):
    before = len(upstream.seen)
    r = _raw(proxy, method, target, headers={})
    assert 'X-Auth-Token' in r.error(401)
    assert r.headers['WWW-Authenticate'] == \
        'Keystone uri="http://aggregator.test/identity"'
    assert upstream.seen[before:] == []


def test_version_document_of_an_unknown_region_or_service(proxy, upstream):
    before = len(upstream.seen)
    _raw(proxy, 'GET', '/V9/image/', headers={}).error(404)
    _raw(proxy, 'GET', '/V1/volume/', headers={}).error(404)
    assert upstream.seen[before:] == []


# With the aggregator's Keystone: the real AccessClient


class Keystone:
    """The two routes the proxy calls, answering as Mercador's extension
    does; records each request's target as it arrives."""

    def __init__(self, upstream):
        self.upstream = upstream
        self.seen = []
        self.issued = 0
        self.server = serving.make_server('127.0.0.1', 0, self.wsgi,
                                          threaded=True)
        self.url = 'http://127.0.0.1:%d' % self.server.server_port
        threading.Thread(target=self.server.serve_forever,
                         daemon=True).start()

    def _error(self, code, message):
        return wrappers.Response(json.dumps({'error': {
            'code': code, 'title': 'x', 'message': message}}), status=code,
            content_type='application/json')

    @wrappers.Request.application
    def wsgi(self, request):
        target = request.environ['RAW_URI']
        if target == '/v3/auth/tokens' and request.method == 'POST':
            self.issued += 1
            return wrappers.Response(
                json.dumps({'token': {
                    'expires_at': '2999-01-01T00:00:00.000000Z'}}),
                status=201, content_type='application/json',
                headers={'X-Subject-Token': 'service-%d' % self.issued})
        self.seen.append({'target': target,
                          'headers': dict(request.headers)})
        prefix = '/v3/OS-MERCADOR/regions/'
        if not (target.startswith(prefix) and '/access' in target):
            return self._error(404, 'No route.')
        if not request.headers.get('X-Auth-Token', '').startswith(
                'service-'):
            return self._error(401, 'The request you have made requires '
                               'authentication.')
        region = urllib.parse.unquote(target[len(prefix):].split('/')[0])
        if region != 'V1':
            return self._error(404, 'Could not find bound region: %s.'
                               % region)
        if request.args.get('only') == 'endpoints':
            return wrappers.Response(json.dumps({'access': {
                'region_id': region,
                'endpoints': _endpoints(self.upstream)}}),
                content_type='application/json')
        if request.headers.get('X-Subject-Token') != 'tenant-token':
            return self._error(401, 'The token in X-Subject-Token is not '
                               'valid (unknown, expired or revoked).')
        return wrappers.Response(json.dumps({'access': dict(
            FixedAccess(self.upstream).answer, region_id=region)}),
            content_type='application/json')

    def close(self):
        self.server.shutdown()


@pytest.fixture(scope='module')
def keystone(upstream):
    server = Keystone(upstream)
    yield server
    server.close()


@pytest.fixture(scope='module')
def real(upstream, keystone, tmp_path_factory):
    """A proxy that asks the stand-in Keystone, with a cache."""
    conf = _conf(tmp_path_factory.mktemp('real'), identity_url=keystone.url,
                 extra='[cache]\nenabled = true\n'
                 'backend = oslo_cache.dict\n')
    region = cache.create_region()
    cache.configure_cache_region(conf, region)
    application = proxy_app.Proxy(conf, region)
    server = _serve(application)
    yield application
    server.shutdown()


def test_an_unknown_token_is_a_401_that_names_the_aggregator(real, keystone,
                                                             upstream):
    before = len(upstream.seen)
    issued = keystone.issued
    for _ in range(3):
        r = _raw(real, 'GET', '/V1/image/v2/images',
                 headers={'X-Auth-Token': 'unknown-token'})
        assert 'authenticate again' in r.error(401)
        assert r.headers['WWW-Authenticate'] == \
            'Keystone uri="http://aggregator.test/identity"'
    assert upstream.seen[before:] == []
    # A 401 may be about the proxy's own token, renewed at most once in a
    # while: unknown tokens do not each cost a password check.
    assert keystone.issued - issued <= 2


def test_the_region_reaches_keystone_as_a_quoted_name(real, keystone):
    before = len(keystone.seen)
    r = _raw(real, 'GET', '/V1/image/v2/images')
    assert r.status == 200, r.body
    r = _raw(real, 'GET', '/V1.x_y-z/image/v2/images')
    assert 'V1.x_y-z' in r.error(404)
    targets = [s['target'] for s in keystone.seen[before:]]
    assert targets == ['/v3/OS-MERCADOR/regions/V1/access',
                       '/v3/OS-MERCADOR/regions/V1.x_y-z/access']
    assert keystone.seen[-1]['headers']['X-Subject-Token'] == 'tenant-token'
    assert proxy_app.AccessClient._route('V1?x/../y') == \
        '/OS-MERCADOR/regions/V1%3Fx%2F..%2Fy/access'


def test_version_discovery_asks_for_the_endpoints_only(real, keystone,
                                                       upstream):
    before, seen = len(keystone.seen), len(upstream.seen)
    for _ in range(2):
        r = _raw(real, 'GET', '/V1/image/', headers={})
        assert r.status == 200, r.body
        assert upstream.url not in r.body.decode()
    # Asked once (then cached), with the proxy's token and no tenant's.
    [asked] = keystone.seen[before:]
    assert asked['target'] == \
        '/v3/OS-MERCADOR/regions/V1/access?only=endpoints'
    assert 'X-Subject-Token' not in asked['headers']
    assert [s['target'] for s in upstream.seen[seen:]] == ['/image/'] * 2
    assert not any('X-Auth-Token' in s['headers']
                   for s in upstream.seen[seen:])
    _raw(real, 'GET', '/V9/image/', headers={}).error(404)
