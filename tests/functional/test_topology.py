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

"""The multi-process topology operators run, under load, with crashes.

Two aggregator Keystones with several workers each on one MariaDB
database, a Redis cache, two proxy processes and HAProxy in front of both
(see ``tests.functional.topology``), and the provider's Keystone, Glance
and Placement. Four client threads for 40 seconds; an aggregator Keystone
and then a proxy are killed with SIGKILL and started again meanwhile.

Every request succeeds or fails clearly (a JSON error of a service, an
error HAProxy answers, a refused or cut connection), in time, and only
around a fault; no write is applied twice (images, binds, the provider
projects and users made on first use); ``mercador-manage audit`` finds
nothing. The figures go to test-artifacts/topology/topology.json.

It runs in the MariaDB pass of the functional suite (MERCADOR_TEST_DB=mysql)
only: the topology is MariaDB's whatever the pass, and once is enough.
"""

import json
import os

import pytest

from tests.functional import databases
from tests.functional import topology

THREADS = 4
DURATION = 40
RESULTS = os.path.join(os.path.dirname(__file__), '..', '..',
                       'test-artifacts', 'topology', 'topology.json')


@pytest.fixture(scope='module')
def run(tmp_path_factory):
    if databases.backend() != 'mysql':
        pytest.skip('the topology test (MariaDB, Redis, HAProxy) is run on '
                    'the MariaDB pass only')
    reason = topology.unavailable_reason()
    if reason:
        pytest.skip(reason)
    data, problems = topology.run(
        str(tmp_path_factory.mktemp('topology')), threads=THREADS,
        duration=DURATION)
    path = topology.write(data, os.path.abspath(RESULTS))
    print('\ntopology under faults (%s):\n%s' % (path, json.dumps({
        k: data[k] for k in ('requests', 'ok', 'errors', 'latency_ms',
                             'faults', 'images', 'binds')}, indent=1)))
    return data, problems


def test_every_request_is_answered_clearly_and_in_time(run):
    data, problems = run
    assert not problems.get('check_requests'), problems['check_requests']
    assert data['latency_ms']['max'] < topology.TIMEOUT * 1000
    # The load did run, on every path, and the faults were not in vain.
    for op in ('keystone: get a token', 'keystone: list regions',
               'proxy: list images', 'proxy: create image',
               'proxy: download image', 'aggregator: bind',
               'aggregator: unbind'):
        assert data['operations'].get(op, {}).get('requests'), (op, data)
    assert [f['server'] for f in data['faults']] == [
        'aggregator-a', 'proxy-a']
    assert data['ok'] >= 0.95 * data['requests'], data['errors']


def test_every_server_serves_again(run):
    _, problems = run
    assert not problems.get('check_balancer'), problems['check_balancer']


def test_no_write_is_applied_twice(run):
    data, problems = run
    assert data['images']['created'] > 0 and data['binds'].get('active')
    assert not problems.get('check_images'), problems['check_images']
    assert not problems.get('check_binds'), problems['check_binds']


def test_nothing_is_orphaned(run):
    _, problems = run
    assert not problems.get('check_audit'), problems['check_audit']
