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

"""Bind and unbind through the aggregator against their floor.

The floor is what a bind or an unbind cannot avoid, made directly in the
same round: the provider's API calls (a token from the aggregator's
application credential, the offer, the binding) and the local catalog
writes (the region and its endpoint), here through the aggregator
Keystone's own catalog API.
"""

import uuid

from benchmarks import stats
from harness import client
from tests.functional import aggregation as agg
from tests.functional import publisher as pub

API = pub.API


class _Floor:
    def __init__(self, clouds):
        self.clouds = clouds
        self.admin = clouds.admin
        self.service_id = self.admin.ok(
            'GET', '/v3/services?type=image')['services'][0]['id']

    def _provider(self):
        cred = self.clouds.credential
        return client.Session.login(self.clouds.provider.url,
                                    client.app_cred_auth(
                                        cred['application_credential_id'],
                                        cred['application_credential_secret']))

    def bind(self, vr_id):
        provider = self._provider()
        provider.ok('GET', API + '/offers/' + vr_id)
        binding = provider.ok('POST', API + '/bindings', json={'binding': {
            'virtual_region_id': vr_id,
            'idempotency_key': uuid.uuid4().hex}})['binding']
        region_id = 'F-%s' % uuid.uuid4().hex[:8]
        self.admin.ok('POST', '/v3/regions', json={'region': {
            'id': region_id}})
        endpoint = self.admin.ok('POST', '/v3/endpoints', json={
            'endpoint': {'service_id': self.service_id,
                         'interface': 'public', 'region_id': region_id,
                         'url': 'http://127.0.0.1:8780/%s/image' % region_id}})
        return binding['id'], region_id, endpoint['endpoint']['id']

    def unbind(self, binding_id, region_id, endpoint_id):
        provider = self._provider()
        provider.ok('DELETE', API + '/bindings/' + binding_id, status=204)
        self.admin.ok('DELETE', '/v3/endpoints/' + endpoint_id, status=204)
        self.admin.ok('DELETE', '/v3/regions/' + region_id, status=204)


def run(clouds, results, rounds=5, log=print):
    log('binding: %d rounds of bind and unbind' % rounds)
    floor = _Floor(clouds)
    provider_id = clouds.provider_record['id']
    times = {'bind': [], 'unbind': [], 'floor-bind': [], 'floor-unbind': []}
    for index in range(rounds + 1):
        offers = [pub.create_virtual_region(clouds.provider_admin,
                                            services=['image'])['id']
                  for _ in range(2)]
        measured = {}
        for kind in (('mercador', 'floor') if index % 2 == 0
                     else ('floor', 'mercador')):
            vr_id = offers.pop()
            if kind == 'mercador':
                bound = {}

                def bind():
                    bound.update(agg.bind(clouds.admin, provider_id,
                                          vr_id)['bound_region'])
                measured['bind'] = stats.timed(bind)
                if bound['status'] != 'active':
                    raise RuntimeError('binding failed: %s' % bound)
                measured['unbind'] = stats.timed(
                    clouds.admin.ok, 'DELETE',
                    API + '/bound_regions/' + bound['id'], status=204)
            else:
                made = []
                measured['floor-bind'] = stats.timed(
                    lambda: made.extend(floor.bind(vr_id)))
                measured['floor-unbind'] = stats.timed(floor.unbind, *made)
        if index == 0:
            continue  # warm-up round
        for key, value in measured.items():
            times[key].append(value)
    for action in ('bind', 'unbind'):
        results['figures'].append(stats.figure(
            'binding', '%s latency' % action, 'through the aggregator',
            'floor: provider calls + catalog writes', times[action],
            times['floor-' + action]))
    results['notes'].setdefault('binding', []).append(
        ' '.join(__doc__.split('\n\n')[1].split()) + ' Each round binds '
        'a newly published virtual region of the image service both ways, '
        'then unbinds it; the first round is a warm-up.')
