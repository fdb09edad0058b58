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

"""The proxy between real HTTP servers on loopback.

The upstream is a small WSGI service standing in for a provider service;
the access answer of the aggregator's Keystone is given directly (that
exchange is covered by the end-to-end suite). What is under test, the
proxy's forwarding, rewriting and streaming, is real.
"""

import hashlib
import json
import os
import threading
import time

import pytest
import requests
from werkzeug import serving
from werkzeug import wrappers

from mercador_proxy import app as proxy_app
from mercador_proxy import rewrite
from tests.unit import proxy_helpers

TENANT_PROJECT = 'a' * 32
PROVIDER_PROJECT = 'b' * 32
#: Another tenant's project, entitled to V1, and its provider project.
OTHER_PROJECT = 'c' * 32
PROVIDER_OTHER = 'd' * 32
#: A local project that may not use V1.
STRANGER = 'e' * 32
#: An MD5 digest: never asked about.
CHECKSUM = 'f' * 32


class Upstream:
    """Records what reached it; answers like a provider service."""

    def __init__(self):
        self.seen = []
        self.server = serving.make_server('127.0.0.1', 0, self.wsgi,
                                          threaded=True)
        self.url = 'http://127.0.0.1:%d' % self.server.server_port
        threading.Thread(target=self.server.serve_forever,
                         daemon=True).start()

    @wrappers.Request.application
    def wsgi(self, request):
        self.seen.append({'method': request.method, 'path': request.path,
                          'query': request.query_string.decode(),
                          'headers': dict(request.headers)})
        if request.path == '/v2/images' and request.method == 'GET':
            return wrappers.Response(json.dumps({
                'images': [{'owner': PROVIDER_PROJECT,
                            'self': self.url + '/v2/images/1'}],
                'next': self.url + '/v2/images?marker=1',
            }), content_type='application/json')
        if request.path == '/v2/images' and request.method == 'POST':
            body = request.get_json()
            return wrappers.Response(
                json.dumps(dict(body, id='1')), status=201,
                content_type='application/json',
                headers={'Location': self.url + '/v2/images/1'})
        if request.path == '/v2/images/1' and request.method == 'PATCH':
            self.seen[-1]['body'] = request.get_data(as_text=True)
            return wrappers.Response(json.dumps({
                'id': '1', 'owner': PROVIDER_PROJECT,
                'shared_with': PROVIDER_OTHER, 'checksum': CHECKSUM}),
                content_type='application/json')
        if request.path == '/v2/images/1/file' and request.method == 'PUT':
            digest, size = hashlib.sha256(), 0
            while True:
                chunk = request.stream.read(65536)
                if not chunk:
                    break
                digest.update(chunk)
                size += len(chunk)
            self.seen[-1].update(size=size, sha256=digest.hexdigest())
            return wrappers.Response(status=204)
        if request.path == '/v2/images/1/file' and request.method == 'GET':
            size = int(request.args['size'])

            def body():
                block = b'x' * 65536
                sent = 0
                while sent < size:
                    n = min(len(block), size - sent)
                    sent += n
                    yield block[:n]
            return wrappers.Response(body(), headers={
                'Content-Length': str(size),
                'Content-Type': 'application/octet-stream'})
        if request.path == '/compute/v2.1/servers/1':
            # As Nova links: the bookmark without the version, the image
            # on Nova's own host.
            compute = self.url + '/compute'
            return wrappers.Response(json.dumps({'server': {
                'links': [
                    {'rel': 'self', 'href': compute + '/v2.1/servers/1'},
                    {'rel': 'bookmark', 'href': compute + '/servers/1'}],
                'image': {'links': [
                    {'rel': 'bookmark', 'href': compute + '/images/2'}]},
                'elsewhere': self.url + '0/x'}}),
                content_type='application/json')
        if request.path == '/slow':
            time.sleep(3)
            return wrappers.Response('late')
        return wrappers.Response(json.dumps({'error': 'nope'}), status=404,
                                 content_type='application/json')

    def close(self):
        self.server.shutdown()


class FixedAccess:
    def __init__(self, upstream_url, token='provider-token'):
        self.answer = {
            'token': token, 'project_id': TENANT_PROJECT,
            'provider_project_id': PROVIDER_PROJECT,
            'expires_at': '2999-01-01T00:00:00Z',
            'endpoints': {'image': upstream_url,
                          'compute': upstream_url + '/compute/v2.1'}}
        self.asked = []

    def get(self, token, region_id):
        if token != 'tenant-token':
            raise proxy_app.ProxyError(401, 'The request you have made '
                                       'requires authentication.')
        if region_id != 'V1':
            raise proxy_app.ProxyError(404, 'No region %s.' % region_id)
        return self.answer

    def apportion(self, token, region_id):
        self.asked.append(('apportion', region_id))

    def mappings(self, token, region_id, direction, ids):
        self.asked.append((direction, set(ids)))
        if direction == 'outward' and STRANGER in ids:
            raise proxy_app.ProxyError(403, 'Project %s cannot be used in '
                                       'region V1.' % STRANGER)
        table = ({OTHER_PROJECT: PROVIDER_OTHER} if direction == 'outward'
                 else {PROVIDER_OTHER: OTHER_PROJECT})
        return {i: table[i] for i in ids if i in table}


def _conf(tmp_path):
    return proxy_helpers.make_conf(
        tmp_path, '[proxy]\nidentity_url = http://127.0.0.1:9\n'
        'username = proxy\npassword = secret\nread_timeout = 1.0\n')


@pytest.fixture(scope='module')
def upstream():
    server = Upstream()
    yield server
    server.close()


@pytest.fixture(scope='module')
def proxy(upstream, tmp_path_factory):
    yield from proxy_helpers.running_proxy(
        _conf(tmp_path_factory.mktemp('proxy')), FixedAccess(upstream.url))


def _get(proxy, path, **kw):
    headers = kw.pop('headers', {'X-Auth-Token': 'tenant-token'})
    return requests.request(kw.pop('method', 'GET'), proxy.url + path,
                            headers=headers, timeout=30, **kw)


def test_json_and_urls_are_rewritten_both_ways(proxy, upstream):
    r = _get(proxy, '/V1/image/v2/images?owner=%s' % TENANT_PROJECT,
             headers={'X-Auth-Token': 'tenant-token',
                      'X-User-Id': 'tenant-user', 'Cookie': 'a=b'})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body['images'][0]['owner'] == TENANT_PROJECT
    assert body['images'][0]['self'] == proxy.url + '/V1/image/v2/images/1'
    assert body['next'] == proxy.url + '/V1/image/v2/images?marker=1'
    seen = upstream.seen[-1]
    assert seen['query'] == 'owner=%s' % PROVIDER_PROJECT
    assert seen['headers']['X-Auth-Token'] == 'provider-token'
    for header in ('X-User-Id', 'Cookie'):
        assert header not in seen['headers']
    assert TENANT_PROJECT not in json.dumps(seen)


def test_other_ids_are_mapped_in_a_json_patch_body(proxy, upstream):
    patch = [{'op': 'add', 'path': '/shared_with', 'value': OTHER_PROJECT},
             {'op': 'add', 'path': '/owner_note', 'value': TENANT_PROJECT}]
    r = _get(proxy, '/V1/image/v2/images/1', method='PATCH',
             data=json.dumps(patch), headers={
                 'X-Auth-Token': 'tenant-token', 'Content-Type':
                 'application/openstack-images-v2.1-json-patch'})
    assert r.status_code == 200, r.text
    sent = json.loads(upstream.seen[-1]['body'])
    assert [op['value'] for op in sent] == [PROVIDER_OTHER, PROVIDER_PROJECT]
    # Back: provider IDs of mapped projects become local IDs; a digest is
    # not asked about and comes back as it was.
    assert r.json() == {'id': '1', 'owner': TENANT_PROJECT,
                        'shared_with': OTHER_PROJECT, 'checksum': CHECKSUM}
    # Asked about once: the way back is known from the way out.
    asked = dict(proxy.access.asked[-2:])
    assert asked == {'outward': {OTHER_PROJECT}, 'inward': set()}


def test_ids_in_paths_and_queries_are_mapped(proxy, upstream):
    r = _get(proxy, '/V1/image/v2/images?member_status=all&member=%s'
             % OTHER_PROJECT)
    assert r.status_code == 200, r.text
    assert upstream.seen[-1]['query'] == 'member_status=all&member=%s' % (
        PROVIDER_OTHER)


def test_an_id_that_may_not_be_used_is_refused_before_relaying(
        proxy, upstream):
    before = len(upstream.seen)
    patch = {'method': 'PATCH', 'data': json.dumps(
        [{'op': 'add', 'path': '/x', 'value': STRANGER}]), 'headers': {
        'X-Auth-Token': 'tenant-token',
        'Content-Type': 'application/json-patch+json'}}
    query = {'method': 'GET',
             'url': '/V1/image/v2/images?owner=%s' % STRANGER}
    for kwargs in (patch, query):
        r = _get(proxy, kwargs.pop('url', '/V1/image/v2/images/1'),
                 **kwargs)
        assert r.status_code == 403, r.text
        assert STRANGER in r.json()['error']['message']
    assert len(upstream.seen) == before


def test_json_request_body_and_location(proxy, upstream):
    r = _get(proxy, '/V1/image/v2/images', method='POST',
             json={'name': 'img', 'owner': TENANT_PROJECT})
    assert r.status_code == 201
    assert r.headers['Location'] == proxy.url + '/V1/image/v2/images/1'
    assert r.json()['owner'] == TENANT_PROJECT


@pytest.mark.parametrize('chunked', [False, True])
def test_upload_streams(proxy, upstream, chunked):
    size = 8 * 1024 * 1024 + 3
    data = os.urandom(size)
    if chunked:
        body = (data[i:i + 100000] for i in range(0, size, 100000))
    else:
        body = data
    r = _get(proxy, '/V1/image/v2/images/1/file', method='PUT', data=body,
             headers={'X-Auth-Token': 'tenant-token',
                      'Content-Type': 'application/octet-stream'})
    assert r.status_code == 204, r.text
    seen = upstream.seen[-1]
    assert seen['size'] == size
    assert seen['sha256'] == hashlib.sha256(data).hexdigest()


def test_download_streams(proxy):
    size = 16 * 1024 * 1024 + 1
    r = _get(proxy, '/V1/image/v2/images/1/file?size=%d' % size,
             stream=True)
    assert r.status_code == 200
    assert r.headers['Content-Length'] == str(size)
    total = sum(len(c) for c in r.iter_content(1 << 20))
    assert total == size


@pytest.mark.parametrize('path, headers, code, words', [
    ('/V1/image/v2/images', {}, 401, 'X-Auth-Token'),
    ('/V1/image/v2/images', {'X-Auth-Token': 'other'}, 401, 'authentic'),
    ('/V9/image/v2/images', None, 404, 'V9'),
    ('/V1/network/v2.0/ports', None, 404, 'network'),
    ('/', None, 404, 'region'),
    ('/V1/image/slow', None, 504, 'in time'),
])
def test_errors_are_json(proxy, path, headers, code, words):
    kw = {} if headers is None else {'headers': headers}
    r = _get(proxy, path, **kw)
    assert r.status_code == code
    assert r.headers['Content-Type'] == 'application/json'
    assert words in r.json()['error']['message']
    assert r.json()['error']['code'] == code


def test_upstream_down_is_503(proxy):
    saved = proxy.access
    proxy.access = FixedAccess('http://127.0.0.1:9')
    try:
        r = _get(proxy, '/V1/image/v2/images')
    finally:
        proxy.access = saved
    assert r.status_code == 503
    assert 'V1' in r.json()['error']['message']


def test_links_without_the_version_are_rewritten(proxy, upstream):
    r = _get(proxy, '/V1/compute/servers/1')
    assert r.status_code == 200, r.text
    server = r.json()['server']
    base = proxy.url + '/V1/compute'
    assert [link['href'] for link in server['links']] == [
        base + '/servers/1', base + '/servers/1']
    assert server['image']['links'][0]['href'] == base + '/images/2'
    # Not another port of the host.
    assert server['elsewhere'] == upstream.url + '0/x'
    r = _get(proxy, '/V1/compute/servers/1', headers={})
    assert r.status_code == 401


def test_a_url_is_not_the_start_of_a_longer_one():
    w = rewrite.Rewriter([('http://h:92', 'http://p/V1/image'),
                          ('http://h/compute', 'http://p/V1/compute')])
    assert w.text('http://h:92/v2 "http://h:92" http://h:92') == (
        'http://p/V1/image/v2 "http://p/V1/image" http://p/V1/image')
    for other in ('http://h:9292/v2', 'http://h:92.example/x',
                  'http://h/compute2/x', 'http://h/compute-api',
                  'http://h/compute%2F'):
        assert w.text(other) == other
    assert w.text('http://h/compute?x=1#y') == 'http://p/V1/compute?x=1#y'


def test_version_roots():
    endpoints = {'compute': 'http://h/compute/v2.1',
                 'block-storage': 'http://h:8776/v3/',
                 'image': 'http://h/image', 'network': 'http://h:9696/',
                 'placement': 'http://h/placement/v1x'}
    assert rewrite.version_roots(endpoints, endpoints) == {
        'compute': 'http://h/compute', 'block-storage': 'http://h:8776'}
    # A root another service (relayed or not) lies under is not one.
    every = dict(endpoints, identity='http://h:8776/identity')
    assert rewrite.version_roots(endpoints, every) == {
        'compute': 'http://h/compute'}
    assert rewrite.version_roots({'compute': 'http://h:8774/v2.1'}, {
        'compute': 'http://h:8774/v2.1', 'x': 'http://h:8774'}) == {}
    assert rewrite.version_roots({'x': '/v2'}, {'x': '/v2'}) == {}


def test_rewriter_prefers_longest_match():
    w = rewrite.Rewriter([('abc', 'X'), ('http://h/abc', 'http://p/V1')])
    assert w.text('http://h/abc/abc') == 'http://p/V1/X'
    assert w.json({'abc': ['abc', 1, None]}) == {'X': ['X', 1, None]}
    assert rewrite.is_json('application/json; charset=UTF-8')
    assert rewrite.is_json('application/vnd.openstack.image+json')
    assert not rewrite.is_json('application/octet-stream')


@pytest.mark.parametrize('method,path,body,asked', [
    ('POST', '/servers', {'server': {'name': 'a'}}, True),
    ('POST', '/servers/', {'server': {'name': 'a'}}, True),
    ('POST', '/servers/1/action', {'resize': {'flavorRef': '2'}}, True),
    ('POST', '/servers/1/action', {'unshelve': None}, True),
    ('POST', '/servers/1/action', {'reboot': {'type': 'SOFT'}}, False),
    ('POST', '/servers/1/action', {'os-getConsoleOutput': {}}, False),
    ('GET', '/servers', None, False),
    ('GET', '/limits', None, True),
    ('GET', '/os-keypairs', None, False),
    ('PUT', '/servers/1', {'server': {'name': 'b'}}, False),
    ('POST', '/os-keypairs', {'keypair': {'name': 'k'}}, False),
])
@pytest.mark.parametrize('version', ['', '/v2.1'])
def test_the_share_of_limits_is_asked_before_an_allocation(
        proxy, method, path, body, asked, version):
    # Under the endpoint, with or without the version (as the catalog's
    # endpoint has it or not).
    access = proxy.access
    del access.asked[:]
    _get(proxy, '/V1/compute' + version + path, method=method, json=body)
    assert (('apportion', 'V1') in access.asked) is asked, access.asked


def test_an_allocation_is_not_relayed_when_its_share_cannot_be_set(
        proxy, upstream):
    access = proxy.access

    def unavailable(token, region_id):
        raise proxy_app.ProxyError(503, 'Region V1 cannot check its limits '
                                   'now; try again later.')

    access.apportion = unavailable
    try:
        seen = len(upstream.seen)
        r = _get(proxy, '/V1/compute/v2.1/servers', method='POST',
                 json={'server': {'name': 'a'}})
        assert r.status_code == 503
        assert 'limits' in r.json()['error']['message']
        assert len(upstream.seen) == seen
    finally:
        del access.apportion
