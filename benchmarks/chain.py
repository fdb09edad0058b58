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

"""Two hops against one (service chaining, issue 16).

The aggregator of the benchmark's clouds is also a provider: it publishes a
virtual region built on its bound region ``V1``, which a second-tier
reseller (its own Keystone and proxy) binds as ``EU-1`` for a tenant. The
same calls to the provider's Glance go through one proxy (a tenant of the
aggregator in ``V1``) and through two (the second tier's tenant in
``EU-1``): the ratios are what the second hop costs.
"""

from benchmarks import proxy
from benchmarks import stats
from harness import client
from harness import servers
from tests.functional import aggregation as agg
from tests.functional import conftest
from tests.functional import publisher as pub

API = pub.API
REGION = 'EU-1'


def _second_tier(clouds):
    """Start the second tier and bind the re-published V1; return
    ``(servers started, token of its tenant)``."""
    second_proxy = servers.ProxyServer('second-proxy', base=clouds.base)
    conf = conftest.AGGREGATOR_CONF.replace(
        'http://127.0.0.1:8780/mercador', second_proxy.url)
    second = servers.KeystoneServer('second', base=clouds.base,
                                    extra_conf=conf)
    started = []
    for server, args in ((second, ()), (second_proxy, (second,))):
        started.append(server)
        server.setup(*args)
        server.start()
    reseller, _ = pub.register_aggregator(clouds.admin)
    vr = pub.create_virtual_region(clouds.admin, region_id=clouds.bound[
        'region_id'], services=['image'])
    admin = client.Session.admin(second)
    provider = agg.register_provider(admin, clouds.aggregator,
                                     reseller['credential'])
    bound = agg.bind(admin, provider['id'], vr['id'],
                     region_id=REGION)['bound_region']
    if bound['status'] != 'active':
        raise RuntimeError('second-tier binding failed: %s' % bound)
    project, user = agg.tenant(admin, 'bench-second-tenant')
    admin.ok('PUT', API + '/bound_regions/%s/entitlements/projects/%s'
             % (bound['id'], project['id']), status=(200, 201, 204))
    token = client.Session.login(second.url, client.password_auth(
        user_id=user['id'], password=agg.TENANT_PASSWORD,
        scope={'project': {'id': project['id']}})).token
    return started, proxy.Target(
        '%s/%s/image' % (second_proxy.url, REGION), token)


def run(clouds, results, rounds=7, batch=20, transfer_rounds=3,
        image_size=1024 * proxy.MIB, log=print):
    log('chain: starting a second-tier reseller on top of %s'
        % clouds.bound['region_id'])
    started, two_hops = _second_tier(clouds)
    try:
        one_hop = proxy.Target('%s/%s/image' % (
            clouds.proxy.url, clouds.bound['region_id']),
            clouds.tenant_token())
        _run(results, one_hop, two_hops, rounds, batch, transfer_rounds,
             image_size, log)
    finally:
        for server in reversed(started):
            server.cleanup()


def _run(results, one_hop, two_hops, rounds, batch, transfer_rounds,
         image_size, log):
    log('chain: small requests (%d rounds of %d)' % (rounds, batch))
    times = stats.interleave({'one': one_hop.list_images,
                              'two': two_hops.list_images},
                             rounds=rounds, batch=batch, warmup=5)
    results['figures'].append(stats.figure(
        'chain', 'GET /v2/images latency', 'two hops', 'one hop',
        times['two'], times['one']))
    mib = image_size / proxy.MIB
    down = {'one': [], 'two': []}
    log('chain: %d rounds of %d MiB downloads' % (transfer_rounds, mib))
    images = {}
    try:
        for name, target in (('one', one_hop), ('two', two_hops)):
            images[name] = target.create_image('bench-chain-' + name)
            target.upload(images[name], image_size, chunked=True)
        for index in range(transfer_rounds):
            order = ['one', 'two'] if index % 2 == 0 else ['two', 'one']
            for name in order:
                target = one_hop if name == 'one' else two_hops
                seconds = stats.timed(target.download, images[name],
                                      image_size)
                down[name].append(mib / seconds)
                log('  %s hop(s): down %.0f MiB/s' % (name, mib / seconds))
    finally:
        for name, image_id in images.items():
            (one_hop if name == 'one' else two_hops).delete(image_id)
    results['figures'].append(stats.figure(
        'chain', 'download throughput, %d MiB image' % mib, 'two hops',
        'one hop', down['two'], down['one'], unit='MiB/s', scale=1.0,
        better='higher'))
    overhead = stats.median([t - o for t, o in zip(times['two'],
                                                   times['one'])])
    results['notes'].setdefault('chain', []).append(
        'One hop: a tenant of the aggregator in V1 (one proxy). Two hops: '
        'a tenant of a second-tier reseller in EU-1, a virtual region the '
        'aggregator built on V1 (the second tier\'s proxy, then the '
        'aggregator\'s). Second-hop small-request overhead: %.1f ms (median '
        'of the per-round differences). Downloads: %d rounds of a %d MiB '
        'image per path.' % (overhead * 1000, transfer_rounds, mib))
