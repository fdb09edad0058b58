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
project rewriting, and relaying the bodies. nginx relaying the same calls
to the same Glance (Debian's package, when installed) is the anchor: what
a plain reverse proxy adds on the same machine.
"""

import os
import shutil
import subprocess
import time
import urllib.parse

import requests

from benchmarks import stats
from harness import servers

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


NGINX_CONF = """
worker_processes 2;
pid {dir}/nginx.pid;
error_log {dir}/error.log;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 0;
        location / {{
            proxy_pass {upstream};
            proxy_http_version 1.1;
            proxy_request_buffering off;
            proxy_buffering off;
            proxy_buffer_size 64k;
            proxy_buffers 8 64k;
        }}
    }}
}}
"""


class Nginx:
    """nginx relaying to ``upstream`` as a plain reverse proxy, streaming
    both ways as the Mercador proxy does."""

    def __init__(self, base, upstream):
        self.binary = shutil.which('nginx') or (
            '/usr/sbin/nginx' if os.path.exists('/usr/sbin/nginx') else None)
        self.dir = os.path.join(base, 'nginx')
        self.port = servers.free_port()
        self.url = 'http://127.0.0.1:%d' % self.port
        parts = urllib.parse.urlsplit(upstream)
        self.upstream = '%s://%s' % (parts.scheme, parts.netloc)
        self.path = parts.path
        self.process = None

    def start(self):
        os.makedirs(self.dir, exist_ok=True)
        conf = os.path.join(self.dir, 'nginx.conf')
        with open(conf, 'w') as f:
            f.write(NGINX_CONF.format(dir=self.dir, port=self.port,
                                      upstream=self.upstream))
        self.process = subprocess.Popen(
            [self.binary, '-p', self.dir, '-c', conf, '-g', 'daemon off;'],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
            start_new_session=True)
        deadline = time.monotonic() + 30
        while not servers.is_listening(self.port):
            if self.process.poll() is not None or (
                    time.monotonic() > deadline):
                raise RuntimeError('nginx did not start; see %s' % self.dir)
            time.sleep(0.1)
        return self

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(15)
        self.process = None


def run(clouds, results, rounds=7, batch=20, transfer_rounds=3,
        image_size=1024 * MIB, log=print):
    token = clouds.tenant_token()
    access = clouds.access(token)
    direct = Target(access['endpoints']['image'], access['token'])
    proxied = Target('%s/%s/image' % (clouds.proxy.url, 'V1'), token)
    workers = stats.children(clouds.proxy.process.pid)
    nginx = Nginx(clouds.base, access['endpoints']['image'])
    if nginx.binary:
        nginx.start()
    try:
        _run(clouds, results, direct, proxied, workers, nginx, rounds,
             batch, transfer_rounds, image_size, log)
    finally:
        nginx.stop()


def _run(clouds, results, direct, proxied, workers, nginx, rounds, batch,
         transfer_rounds, image_size, log):
    relayed = None
    if nginx.process:
        relayed = Target(nginx.url + nginx.path,
                         direct.http.headers['X-Auth-Token'])
    else:
        results['notes'].setdefault('proxy', []).append(
            'nginx is not installed (Debian package nginx): no anchor row.')
    log('proxy: small requests (%d rounds of %d)' % (rounds, batch))
    calls = {'direct': direct.list_images, 'proxy': proxied.list_images}
    if relayed:
        calls['nginx'] = relayed.list_images
    times = stats.interleave(calls, rounds=rounds, batch=batch, warmup=5)
    results['figures'].append(stats.figure(
        'proxy', 'GET /v2/images latency', 'proxy',
        'Glance directly', times['proxy'], times['direct'], target=1.2))
    overhead = stats.median([p - d for p, d in zip(times['proxy'],
                                                   times['direct'])])
    if relayed:
        results['figures'].append(stats.figure(
            'proxy', 'GET /v2/images latency', 'nginx relaying',
            'Glance directly', times['nginx'], times['direct'],
            note='the anchor: a plain reverse proxy on the same machine'))
        anchor = stats.median([n - d for n, d in zip(times['nginx'],
                                                     times['direct'])])

    mib = image_size / MIB
    throughput = {name: {'up': [], 'down': []}
                  for name in (['direct', 'proxy'] + (
                      ['nginx'] if relayed else []))}
    idle, peaks, hwm_before = [], [], None
    timeline = {}
    log('proxy: %d rounds of %d MiB uploads and downloads' % (
        transfer_rounds, mib))
    for index in range(transfer_rounds):
        order = list(throughput)
        if index % 2:
            order.reverse()
        for name in order:
            target = {'direct': direct, 'proxy': proxied,
                      'nginx': relayed}[name]
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
        if relayed:
            results['figures'].append(stats.figure(
                'proxy', '%s throughput, %d MiB image' % (label, mib),
                'nginx relaying', 'Glance directly',
                throughput['nginx'][way], throughput['direct'][way],
                unit='MiB/s', scale=1.0, better='higher'))
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
        'differences)%s. Transfers: %d rounds of a %d MiB image uploaded '
        '(chunked) then downloaded through each path.' % (
            overhead * 1000,
            '; nginx relaying the same calls to the same Glance (2 workers, '
            'no buffering, 64 KiB reads as the proxy'
            '): %.2f ms' % (anchor * 1000) if relayed else '',
            transfer_rounds, mib))
    results['series']['proxy-rss'] = {
        'section': 'proxy',
        'title': 'Largest proxy worker RSS during a %d MiB upload then '
                 'download' % mib,
        'xlabel': 'seconds', 'ylabel': 'MiB',
        'lines': {'RSS': [[t, rss / MIB] for t, rss in timeline]},
    }
