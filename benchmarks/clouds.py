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

"""The servers a benchmark runs against: the same as the end-to-end tests.

A provider (Keystone and Glance) publishes a virtual region offering the
image service; an aggregator (Keystone with the aggregator side and the
Mercador catalog driver, and the proxy) binds it as region ``V1`` and
entitles a tenant project to it.
"""

from benchmarks import stats
from harness import client
from harness import servers
from tests.functional import aggregation as agg
from tests.functional import conftest
from tests.functional import publisher as pub

API = pub.API
REGION = 'V1'


def aggregator_conf(proxy_url):
    return conftest.AGGREGATOR_CONF.replace(
        'http://127.0.0.1:8780/mercador', proxy_url)


class Clouds:
    """Start with ``start()``; always ``stop()`` (also after a failure)."""

    def __init__(self, base, database_url=None):
        self.base = base
        self.database_url = database_url
        self.started = []

    def _start(self, server, *setup_args, **setup_kwargs):
        self.started.append(server)
        server.setup(*setup_args, **setup_kwargs)
        server.start()
        return server

    def start(self):
        self.provider = servers.KeystoneServer('provider', base=self.base)
        self.glance = servers.GlanceServer('glance', base=self.base)
        self.proxy = servers.ProxyServer('proxy', base=self.base)
        self.aggregator = servers.KeystoneServer(
            'aggregator', base=self.base, database_url=self.database_url,
            extra_conf=aggregator_conf(self.proxy.url))

        def provider_side():
            self._start(self.provider)
            self._start(self.glance, self.provider)

        def aggregator_side():
            self._start(self.aggregator)
            self._start(self.proxy, self.aggregator)

        stats.parallel(provider_side, aggregator_side)

        provider_admin = client.Session.admin(self.provider)
        aggregator, self.provider_session = pub.register_aggregator(
            provider_admin)
        self.provider_admin = provider_admin
        self.credential = aggregator['credential']
        vr = pub.create_virtual_region(provider_admin, services=['image'])
        self.offer = vr
        self.admin = client.Session.admin(self.aggregator)
        self.provider_record = agg.register_provider(
            self.admin, self.provider, self.credential)
        self.bound = agg.bind(self.admin, self.provider_record['id'],
                              vr['id'], region_id=REGION)['bound_region']
        if self.bound['status'] != 'active':
            raise RuntimeError('binding failed: %s' % self.bound)
        self.project, self.user = agg.tenant(self.admin, 'bench-tenant')
        self.admin.ok('PUT', API + '/bound_regions/%s/entitlements/'
                      'projects/%s' % (self.bound['id'], self.project['id']),
                      status=(200, 201, 204))
        return self

    def tenant_token(self):
        return client.Session.login(
            self.aggregator.url, client.password_auth(
                user_id=self.user['id'], password=agg.TENANT_PASSWORD,
                scope={'project': {'id': self.project['id']}})).token

    def access(self, token):
        """What the proxy obtains for the tenant's token: the provider
        token and endpoints of the tenant's provider project."""
        proxy = client.Session.login(
            self.aggregator.url, client.password_auth(
                username='mercador-proxy',
                password=servers.SERVICE_PASSWORD,
                scope={'project': {'name': 'service',
                                   'domain': {'name': 'Default'}}}))
        return proxy.ok('GET', API + '/regions/%s/access' % REGION,
                        headers={'X-Subject-Token': token})['access']

    def stop(self):
        for server in reversed(self.started):
            server.cleanup()
        self.started = []
