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

"""How the proxy sends: straight to its connection pool, nothing added."""

import io

from oslo_cache import core as cache
import pytest

from mercador_proxy import app as proxy_app
from tests.unit import test_proxy as base


@pytest.fixture(scope='module')
def upstream():
    server = base.Upstream()
    yield server
    server.close()


@pytest.fixture
def proxy(upstream, tmp_path):
    conf = base._conf(tmp_path)
    region = cache.create_region()
    cache.configure_cache_region(conf, region)
    application = proxy_app.Proxy(conf, region)
    application.access = base.FixedAccess(upstream.url)
    return application


def _call(proxy, headers=()):
    environ = {'REQUEST_METHOD': 'GET', 'PATH_INFO': '/V1/image/v2/images',
               'RAW_URI': '/V1/image/v2/images', 'QUERY_STRING': '',
               'SERVER_NAME': 'proxy.test', 'SERVER_PORT': '80',
               'wsgi.url_scheme': 'http', 'HTTP_HOST': 'proxy.test',
               'HTTP_X_AUTH_TOKEN': 'tenant-token',
               'wsgi.input': io.BytesIO(b'')}
    environ.update(headers)
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen.update(status=status, headers=headers)
    body = b''.join(proxy(environ, start_response))
    return seen['status'], body


def test_the_environment_is_read_once_per_origin(proxy, upstream,
                                                 monkeypatch):
    calls = []
    merge = proxy.http.merge_environment_settings

    def counted(*args):
        calls.append(args[0])
        return merge(*args)
    monkeypatch.setattr(proxy.http, 'merge_environment_settings', counted)
    for _ in range(3):
        status, _ = _call(proxy)
        assert status.startswith('200')
    assert calls == [upstream.url + '/']


def test_only_what_the_tenant_sent_is_forwarded(proxy, upstream):
    status, _ = _call(proxy, {'HTTP_ACCEPT': 'application/json'})
    assert status.startswith('200')
    headers = {k.lower(): v for k, v in upstream.seen[-1]['headers'].items()}
    assert headers['accept'] == 'application/json'
    assert headers['x-auth-token'] == 'provider-token'
    # No defaults of requests' sessions: no compression the client did not
    # ask for, no User-Agent of requests'.
    assert headers.get('accept-encoding', 'identity') == 'identity'
    assert 'python-requests' not in headers.get('user-agent', '')


def test_a_provider_cookie_is_never_kept(proxy, upstream):
    _call(proxy)
    assert len(proxy.http.cookies) == 0
