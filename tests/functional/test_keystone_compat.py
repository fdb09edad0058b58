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

"""Keystone's own API behaves as before with the extension mounted.

A stock Keystone (``keystone.wsgi.api``) and the provider Keystone
(``keystone_mercador.wsgi``) answer the same requests the same way.
"""

import os
import re
import subprocess

import pytest

from harness import client
from harness import servers


@pytest.fixture(scope='module')
def stock(keystone_factory):
    return keystone_factory(
        'stock', extension=False,
        app='tests.functional.stock_keystone_wsgi:application')


def _manage(server, *args):
    return subprocess.run(
        [os.path.join(servers.BIN, args[0]), '--config-file',
         os.path.join(server.dir, 'keystone.conf')] + list(args[1:]),
        env=server.env, capture_output=True, text=True, timeout=300)


def test_keystone_db_sync_check_stays_green(provider):
    result = _manage(provider, 'keystone-manage', 'db_sync', '--check')
    assert result.returncode == 0, result.stdout + result.stderr
    result = _manage(provider, 'mercador-manage', 'db_version', '--check')
    assert result.returncode == 0, result.stdout + result.stderr
    # db_sync is idempotent.
    assert _manage(provider, 'mercador-manage', 'db_sync').returncode == 0


def _json_home(server):
    r = client.requests.get(server.url + '/',
                            headers={'Accept': 'application/json-home'})
    assert r.status_code == 200
    return r.json()['resources']


def test_json_home_is_a_superset(stock, provider):
    ours, theirs = _json_home(provider), _json_home(stock)
    for rel, value in theirs.items():
        assert ours.get(rel) == value, rel
    extra = set(ours) - set(theirs)
    assert extra and all('OS-MERCADOR' in rel for rel in extra)


# What legitimately differs between two Keystones: generated IDs, times,
# and the catalog (the provider Keystone serves other suites too).
_VARYING = ('id', 'updated', 'expires_at', 'issued_at', 'audit_ids',
            'domain_id', 'parent_id', 'catalog')


def _normalize(value, server):
    if isinstance(value, dict):
        return {k: _normalize(v, server) for k, v in value.items()
                if k not in _VARYING}
    if isinstance(value, list):
        # Keystone does not order role lists.
        return sorted((_normalize(v, server) for v in value), key=repr)
    if isinstance(value, str):
        return re.sub('[0-9a-f]{32}', 'ID',
                      value.replace(server.url, 'URL'))
    return value


def _story(server):
    """The same Keystone calls; returns what a client would observe."""
    admin = client.Session.admin(server)
    seen = []

    def call(method, path, **kw):
        r = admin.request(method, path, **kw)
        try:
            body = r.json() if r.content else None
        except ValueError:
            body = r.text
        seen.append((method, path.split('/')[2], r.status_code,
                     _normalize(body, server)))
        return body

    seen.append(('GET', 'v3', 200, _normalize(
        client.requests.get(server.auth_url).json(), server)))
    call('POST', '/v3/regions', json={'region': {
        'id': 'Compat', 'description': 'compat'}})
    call('GET', '/v3/regions/Compat')
    call('PATCH', '/v3/regions/Compat', json={'region': {
        'description': 'changed'}})
    call('POST', '/v3/regions', json={'region': {'id': 'Bad', 'x': 1}})
    call('GET', '/v3/regions/Nope')
    project = call('POST', '/v3/projects', json={'project': {
        'name': 'compat-project'}})
    call('GET', '/v3/projects?name=compat-project')
    call('POST', '/v3/users', json={'user': {'name': 'compat-user',
                                             'password': 'secret-0'}})
    call('GET', '/v3/auth/tokens', headers={'X-Subject-Token': admin.token})
    catalog = admin.get('/v3/auth/catalog')
    seen.append(('GET', 'catalog', catalog.status_code,
                 sorted(catalog.json())))
    call('GET', '/v3/OS-MERCADORX/nothing')
    call('DELETE', '/v3/projects/' + project['project']['id'])
    call('DELETE', '/v3/regions/Compat')
    return seen


def test_same_answers_to_the_same_calls(stock, provider):
    assert _story(provider) == _story(stock)
