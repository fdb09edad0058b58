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

import os

import pytest

from harness import client
from harness import servers
from tests.functional import databases
from tests.functional import faults
from tests.functional import publisher as pub

ARTIFACTS = os.environ.get('MERCADOR_TEST_ARTIFACTS')


@pytest.fixture(scope='session')
def db_backend():
    kind = databases.backend()
    reason = databases.unavailable_reason(kind)
    if reason:
        pytest.skip(reason)
    return kind


@pytest.fixture(scope='session')
def keystone_factory(db_backend, tmp_path_factory):
    """Start Keystones with the extension; stop them at the end."""
    started = []

    def factory(name, **kwargs):
        url = databases.create(db_backend)
        server = servers.KeystoneServer(
            name, database_url=url,
            base=str(tmp_path_factory.mktemp(name)), **kwargs)
        started.append((server, url))
        server.setup().start()
        return server

    yield factory
    for server, url in started:
        server.stop()
        databases.drop(db_backend, url)


@pytest.fixture(scope='session')
def provider(keystone_factory):
    """The provider cloud's Keystone (shared by the publisher suites)."""
    return keystone_factory('provider')


@pytest.fixture(scope='module')
def provider_admin(provider):
    """The provider's admin, the image and placement services in its
    catalog (RegionOne) for virtual regions to offer."""
    session = client.Session.admin(provider)
    pub.ensure_service(session, 'image', 'http://127.0.0.1:9292')
    pub.ensure_service(session, 'placement', 'http://127.0.0.1:8778')
    return session


@pytest.fixture(scope='session')
def compute_clouds(tmp_path_factory):
    """A provider with compute, network and block storage, bound as V1 by
    an aggregator with two entitled tenants (``compute_clouds.Clouds``):
    started for the first module that asks, stopped at the end of the
    session."""
    from tests.functional import compute_clouds as clouds
    yield from clouds.clouds(tmp_path_factory)


@pytest.fixture
def fault_proxy(provider):
    """A ``faults.FaultProxy`` in front of the provider's Keystone."""
    proxy = faults.FaultProxy(provider.url)
    yield proxy
    proxy.stop()


#: Configuration of an aggregator's Keystone: the aggregator side on, the
#: catalog driver that hides bound regions from non-entitled projects.
AGGREGATOR_CONF = """
[mercador]
aggregator = true
proxy_url = http://127.0.0.1:8780/mercador
provider_connect_timeout = 2
provider_timeout = 10
[catalog]
driver = mercador
"""


@pytest.fixture(scope='session')
def aggregator(keystone_factory):
    """The reseller cloud's Keystone (shared by the aggregator suites)."""
    return keystone_factory('aggregator', extra_conf=AGGREGATOR_CONF)


@pytest.fixture(scope='module')
def aggregator_admin(aggregator):
    """The reseller cloud's admin."""
    return client.Session.admin(aggregator)
