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

"""The proxy against calling the provider's Glance directly (issue 4).

The baseline uses exactly what the proxy forwards with: the provider token
of the tenant's provider project and the provider's Glance endpoint, both
obtained from the aggregator's access route. The differences measured are
therefore the proxy's own: token and entitlement check (cached), URL and
project rewriting, and relaying the bodies.
"""

import os

import requests

from benchmarks import stats

MIB = 1024 * 1024


class _Body:
    """``size`` bytes of incompressible data: a file-like object of known
    length (sent with a Content-Length) or, iterated, chunks (sent with
    chunked transfer encoding, as glanceclient does)."""

    def __init__(self, size, chunk=MIB):
        self.size = size
        self.left = size
        self.block = os.urandom(chunk)

    def __len__(self):
        return self.left

    def read(self, size=-1):
        if size is None or size < 0:
            size = len(self.block)
        size = min(size, self.left, len(self.block))
        self.left -= size
        return self.block[:size]

    def __iter__(self):
        while self.left > 0:
            yield self.read()


class Target:
    def __init__(self, base, token):
        self.base = base.rstrip('/')
        self.http = requests.Session()
        self.http.headers['X-Auth-Token'] = token

    def list_images(self):
        r = self.http.get(self.base + '/v2/images', timeout=60)
        r.raise_for_status()

    def create_image(self, name):
        r = self.http.post(self.base + '/v2/images', timeout=60, json={
            'name': name, 'disk_format': 'raw', 'container_format': 'bare'})
        r.raise_for_status()
        return r.json()['id']

    def upload(self, image_id, size, chunked=False):
        body = _Body(size)
        r = self.http.put(
            self.base + '/v2/images/%s/file' % image_id,
            data=iter(body) if chunked else body, timeout=600,
            headers={'Content-Type': 'application/octet-stream'})
        r.raise_for_status()

    def download(self, image_id, size):
        received = 0
        with self.http.get(self.base + '/v2/images/%s/file' % image_id,
                           stream=True, timeout=600) as r:
            r.raise_for_status()
            for chunk in r.iter_content(MIB):
                received += len(chunk)
        if received != size:
            raise RuntimeError('downloaded %d bytes of %d' % (received, size))

    def delete(self, image_id):
        self.http.delete(self.base + '/v2/images/%s' % image_id, timeout=60)


def run(clouds, results, rounds=7, batch=20, transfer_rounds=3,
        image_size=1024 * MIB, log=print):
    token = clouds.tenant_token()
    access = clouds.access(token)
    direct = Target(access['endpoints']['image'], access['token'])
    proxied = Target('%s/%s/image' % (clouds.proxy.url, 'V1'), token)
    workers = stats.children(clouds.proxy.process.pid)

    log('proxy: small requests (%d rounds of %d)' % (rounds, batch))
    times = stats.interleave({'direct': direct.list_images,
                              'proxy': proxied.list_images},
                             rounds=rounds, batch=batch, warmup=5)
    results['figures'].append(stats.figure(
        'proxy', 'GET /v2/images latency', 'proxy',
        'Glance directly', times['proxy'], times['direct'], target=None))
    overhead = stats.median([p - d for p, d in zip(times['proxy'],
                                                   times['direct'])])

    mib = image_size / MIB
    throughput = {'direct': {'up': [], 'down': []},
                  'proxy': {'up': [], 'down': []}}
    idle, peaks, hwm_before = [], [], None
    timeline = {}
    log('proxy: %d rounds of %d MiB uploads and downloads' % (
        transfer_rounds, mib))
    for index in range(transfer_rounds):
        order = ['direct', 'proxy'] if index % 2 == 0 else [
            'proxy', 'direct']
        for name in order:
            target = direct if name == 'direct' else proxied
            image_id = target.create_image('bench-%s-%d' % (name, index))
            try:
                if name == 'proxy':
                    idle.append(max(stats.memory(p)[0] for p in workers))
                    if hwm_before is None:
                        hwm_before = max(stats.memory(p)[1] for p in workers)
                    sampler = stats.RSSSampler(workers)
                    with sampler:
                        up = stats.timed(target.upload, image_id,
                                         image_size, chunked=True)
                        down = stats.timed(target.download, image_id,
                                           image_size)
                    peaks.append(sampler.peak)
                    if not timeline:
                        timeline = sampler.samples
                else:
                    up = stats.timed(target.upload, image_id, image_size,
                                     chunked=True)
                    down = stats.timed(target.download, image_id, image_size)
            finally:
                target.delete(image_id)
            throughput[name]['up'].append(mib / up)
            throughput[name]['down'].append(mib / down)
            log('  %s: up %.0f MiB/s, down %.0f MiB/s' % (
                name, mib / up, mib / down))
    hwm_after = max(stats.memory(p)[1] for p in workers)
    for way, label in (('up', 'upload'), ('down', 'download')):
        results['figures'].append(stats.figure(
            'proxy', '%s throughput, %d MiB image' % (label, mib), 'proxy',
            'Glance directly', throughput['proxy'][way],
            throughput['direct'][way], unit='MiB/s', scale=1.0,
            better='higher'))
    results['figures'].append(stats.figure(
        'proxy', 'worker RSS during the transfers', 'peak',
        'idle RSS before each transfer', peaks, idle, unit='MiB',
        scale=1.0 / MIB, target=1.1,
        note='largest proxy worker, sampled every 50 ms from '
             '/proc/<pid>/status; VmHWM of the workers went from %.0f MiB '
             'before the transfers to %.0f MiB after them' % (
                 hwm_before / MIB, hwm_after / MIB)))
    results['notes'].setdefault('proxy', []).append(
        'The proxy runs as the end-to-end tests run it: gunicorn, 2 gthread '
        'workers of 8 threads, an in-process token cache, Glance with a '
        'file store, both on SQLite. The baseline calls the provider\'s '
        'Glance with the very provider token and endpoint the proxy uses. '
        'Small-request overhead: %.1f ms (median of the per-round '
        'differences). Transfers: %d rounds of a %d MiB image uploaded '
        '(chunked) then downloaded through each path.' % (
            overhead * 1000, transfer_rounds, mib))
    results['series']['proxy-rss'] = {
        'section': 'proxy',
        'title': 'Largest proxy worker RSS during a %d MiB upload then '
                 'download' % mib,
        'xlabel': 'seconds', 'ylabel': 'MiB',
        'lines': {'RSS': [[t, rss / MIB] for t, rss in timeline]},
    }
