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

"""The proxy's access cache: shared entries, a deadline, a generation;
and how it asks the identity service."""

import socket
import threading

from oslo_cache import core as cache
from oslo_config import cfg
import pytest
import requests

from mercador_common import proxy_cache
from mercador_proxy import app as proxy_app
from mercador_proxy import conf as proxy_conf
from tests.unit import proxy_helpers


def _conf(tmp_path, extra=''):
    path = tmp_path / 'proxy.conf'
    path.write_text('[proxy]\nidentity_url = http://127.0.0.1:9\n'
                    'username = proxy\npassword = secret\n%s'
                    '[cache]\nenabled = true\nbackend = oslo_cache.dict\n'
                    % extra)
    conf = cfg.ConfigOpts()
    proxy_conf.register_opts(conf)
    conf([], project='mercador-test', default_config_files=[str(path)])
    return conf


class Client(proxy_app.AccessClient):
    """An AccessClient that counts what it asks; ``during`` runs while the
    identity service answers."""

    def __init__(self, conf, region):
        super().__init__(conf, None, region)
        self.asked = 0
        self.during = None

    def _fetch(self, token, region_id):
        self.asked += 1
        if self.during:
            self.during()
        return {'token': 'provider-%d' % self.asked, 'project_id': 'p',
                'provider_project_id': 'q',
                'expires_at': '2999-01-01T00:00:00Z', 'endpoints': {}}


@pytest.fixture
def make(tmp_path):
    def make(extra=''):
        conf = _conf(tmp_path, extra)
        region = cache.create_region()
        cache.configure_cache_region(conf, region)
        return Client(conf, region), region
    return make


def test_the_default_cache_time_is_seconds(make):
    client, _ = make()
    assert client.conf.proxy.access_cache_time == 5


def test_answers_are_reused_until_the_generation_changes(make):
    client, region = make()
    assert client.get('t', 'V1')['token'] == 'provider-1'
    assert client.get('t', 'V1')['token'] == 'provider-1'
    assert client.asked == 1
    # Another process of the proxy, on the same backend, shares it.
    other = Client(client.conf, region)
    assert other.get('t', 'V1')['token'] == 'provider-1'
    # The aggregator's Keystone writes a new generation: asked again, by
    # every process, once.
    region.set(proxy_cache.GENERATION, 'g2')
    other.get('t', 'V1')
    client.get('t', 'V1')
    assert (client.asked, other.asked) == (1, 1)
    # Evicted: asked again as well.
    region.delete(proxy_cache.GENERATION)
    client.get('t', 'V1')
    assert client.asked == 2


def test_a_change_during_the_call_makes_the_answer_stale(make):
    client, region = make()
    client.during = lambda: region.set(proxy_cache.GENERATION, 'during')
    client.get('t', 'V1')
    client.during = None
    client.get('t', 'V1')
    assert client.asked == 2
    client.get('t', 'V1')
    assert client.asked == 2


def test_answers_end_with_the_cache_time(make, monkeypatch):
    client, _ = make()
    now = [1000000.0]
    monkeypatch.setattr(proxy_app.time, 'time', lambda: now[0])
    client.get('t', 'V1')
    now[0] += 4.9
    client.get('t', 'V1')
    assert client.asked == 1
    now[0] += 0.2
    client.get('t', 'V1')
    assert client.asked == 2


def test_answers_end_with_the_tokens(make):
    client, _ = make('access_cache_time = 3600\n')
    fetch = client._fetch

    def expiring(token, region_id):
        return dict(fetch(token, region_id),
                    expires_at='2000-01-01T00:00:00Z')
    client._fetch = expiring
    client.get('t', 'V1')
    client.get('t', 'V1')
    assert client.asked == 2


def test_no_cache_time_asks_each_time(make):
    client, _ = make('access_cache_time = 0\n')
    client.get('t', 'V1')
    client.get('t', 'V1')
    assert client.asked == 2


class _Flaky:
    """An identity service that drops the first ``drops`` connections
    without answering (a Keystone process that died), then answers."""

    def __init__(self, drops):
        self.drops = drops
        self.seen = 0
        self.sock = socket.socket()
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(8)
        self.url = 'http://127.0.0.1:%d' % self.sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        # The two connections a test expects, then no more listening.
        with self.sock:
            for _ in range(2):
                self._answer()

    def _answer(self):
        conn, _ = self.sock.accept()
        with conn:
            conn.recv(65536)
            self.seen += 1
            if self.seen > self.drops:
                body = b'{"ok": true}'
                conn.sendall(b'HTTP/1.1 200 OK\r\nContent-Type: '
                             b'application/json\r\nConnection: close\r\n'
                             b'Content-Length: %d\r\n\r\n%s'
                             % (len(body), body))


@pytest.mark.parametrize('drops, status', [(1, 200), (2, 503)])
def test_a_lost_connection_to_the_identity_service_is_tried_once_more(
        tmp_path, drops, status):
    flaky = _Flaky(drops)
    # Not set_override: oslo.config keeps overrides with the options of a
    # group, which every ConfigOpts of the proxy shares.
    conf = proxy_helpers.make_conf(
        tmp_path, '[proxy]\nidentity_url = %s\nusername = proxy\n'
        'password = secret\n' % flaky.url)
    client = proxy_app.AccessClient(conf, requests.Session(),
                                    cache.create_region())
    try:
        got = client._request('GET', '/auth/tokens').status_code
    except proxy_app.ProxyError as e:
        got = e.code
    assert (got, flaky.seen) == (status, 2)
