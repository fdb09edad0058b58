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

"""The topology operators run, and a bounded load on it with faults.

``Topology`` starts, on loopback ports: the provider (Keystone and
Placement on SQLite, Glance on MariaDB); the aggregator: two Keystones with
several gunicorn workers each on one MariaDB database, with the same
fernet and credential keys, two Mercador proxy processes, Keystones and
proxies with their [cache] on one Redis database, and HAProxy with two
frontends, one over both Keystones and one over both proxies. Clients,
the proxies and the catalog only know the frontends.

``Load`` runs a fixed number of client threads for a fixed time: tenants
getting tokens, listing regions and their catalog at the Keystone
frontend; tenants listing, creating, uploading and downloading small
images (and asking Placement) through the proxy frontend; the
aggregator's admin binding an offer, entitling a tenant, the tenant's
first call in the new region, and unbinding, with an idempotency key that
a retry reuses. Meanwhile ``faults`` SIGKILL a server (the whole gunicorn
process group, as a crash would) and start it again. Every request is
recorded with its outcome (``classify``); ``figures`` sums them up and
``check_*`` compare what clients saw with what the databases hold.

Used by tests/functional/test_topology.py and by the benchmarks' page
(``make bench``, section "Topology under faults").
"""

import concurrent.futures
import hashlib
import json
import os
import shutil
import signal
import subprocess
import threading
import time
import urllib.parse

import requests
import sqlalchemy as sa

from harness import client
from harness import servers
from tests.functional import aggregation as agg
from tests.functional import conftest
from tests.functional import databases
from tests.functional import publisher as pub

API = pub.API
REDIS_URL = os.environ.get('MERCADOR_TEST_TOPOLOGY_REDIS_URL',
                           databases.redis_url('topology'))
MANAGE = os.path.join(servers.BIN, 'mercador-manage')
#: Seconds a client waits for an answer: more is a hang.
TIMEOUT = 30
IMAGE_SIZE = 64 * 1024
#: Offers the admin binds and unbinds in turn.
OFFERS = 3
#: A request may fail if it was in flight when a server was killed, or
#: sent at most this many seconds after. Later ones may not: until its
#: health checks see the server fail, HAProxy sends what it cannot
#: connect to that server to the other one, and the server gets requests
#: again only once it passes its health checks again.
AFTER_KILL = 1.5


def unavailable_reason():
    """Why the topology cannot run here (MariaDB, Redis, HAProxy), or
    None."""
    reason = databases.unavailable_reason('mysql')
    if reason:
        return reason
    try:
        import redis
    except ImportError:
        return 'the redis Python client is not installed'
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError as e:
        return 'Redis is unreachable at %s (%s)' % (REDIS_URL, e)
    if not servers.HAProxyServer.available():
        return 'HAProxy is not installed (Debian package haproxy)'
    return None


def _redis():
    import redis
    return redis.Redis.from_url(REDIS_URL)


def _cache_conf():
    url = urllib.parse.urlsplit(REDIS_URL)
    host = '%s:%d' % (url.hostname, url.port or 6379)
    db = int(url.path.strip('/') or 0)
    return host, db, ('\n[cache]\nenabled = true\n'
                      'backend = dogpile.cache.redis\n'
                      'redis_server = %s\nredis_db = %d\n' % (host, db))


def _group_kill(server):
    """SIGKILL a gunicorn master and its workers at once."""
    os.killpg(server.process.pid, signal.SIGKILL)
    server.process.wait()


class Topology:
    """Start with ``start()``; always ``stop()`` (also after a failure)."""

    def __init__(self, base, workers=2, log=print):
        self.base = base
        self.workers = workers
        self.log = log
        self.databases = []
        self.started = []
        self.haproxy = None

    def _database(self):
        url = databases.create('mysql')
        self.databases.append(url)
        return url

    def start(self):
        _redis().flushdb()
        base = self.base
        host, db, cache = _cache_conf()
        # The provider is not the topology under test: SQLite, one
        # process, as in the end-to-end tests.
        self.provider = servers.KeystoneServer('provider', base=base)
        self.glance = servers.GlanceServer('glance', base=base)
        self.placement = servers.PlacementServer('placement', base=base)
        self.proxies = [servers.ProxyServer('proxy-%s' % n, base=base)
                        for n in 'ab']
        self.haproxy = servers.HAProxyServer('haproxy', base=base,
                                             server_timeout=TIMEOUT * 2)
        self.proxy_url = self.haproxy.add('proxy', self.proxies)
        conf = conftest.AGGREGATOR_CONF.replace(
            'http://127.0.0.1:8780/mercador', self.proxy_url) + cache
        aggregator_db = self._database()
        self.aggregators = [servers.KeystoneServer(
            'aggregator-%s' % n, base=base, database_url=aggregator_db,
            extra_conf=conf, workers=self.workers) for n in 'ab']
        self.keystone_url = self.haproxy.add('keystone', self.aggregators,
                                             health_path='/v3',
                                             expect='status 200')
        self.auth_url = self.keystone_url + '/v3'
        for server in self.aggregators:
            # What the bootstrap writes in the catalog: the frontend.
            server.auth_url = self.auth_url
        self.haproxy.setup()

        # Glance on SQLite would lock under concurrent uploads; Placement
        # is only read.
        self.glance_database_url = self._database()

        def provider_side():
            provider = self.provider
            services = (self.glance, self.placement)
            self.started += [provider, self.glance, self.placement]
            # The services' databases while the provider's Keystone is
            # set up; they are registered there once it answers.
            with concurrent.futures.ThreadPoolExecutor(3) as pool:
                for future in [
                        pool.submit(provider.setup),
                        pool.submit(self.glance.setup, provider,
                                    database_url=self.glance_database_url,
                                    register=False),
                        pool.submit(self.placement.setup, provider,
                                    register=False)]:
                    future.result().launch()
            provider.wait_ready()
            for server, kind in zip(services, ('image', 'placement')):
                provider.register_service(kind, server.name, server.url)
            for server in services:
                server.wait_ready()

        def aggregator_side():
            first, second = self.aggregators
            self.started.extend(self.aggregators)
            first.setup()
            # One cloud: tokens and stored secrets of one Keystone are
            # readable by the other.
            for name in ('fernet-keys', 'credential-keys'):
                shutil.copytree(os.path.join(first.dir, name),
                                os.path.join(second.dir, name))
            for server in self.aggregators:
                server.launch()
            for server in self.aggregators:
                server.wait_ready()
            for index, proxy in enumerate(self.proxies):
                self.started.append(proxy)
                proxy.setup(first, cache_backend='dogpile.cache.redis',
                            redis_server=host, create_user=not index,
                            identity_url=self.keystone_url,
                            public_url=self.proxy_url)
                with open(os.path.join(proxy.dir, 'proxy.conf'), 'a') as f:
                    f.write('redis_db = %d\n' % db)
                proxy.launch()

        started = time.monotonic()
        self.log('topology: starting the provider and two aggregator '
                 'Keystones (%d workers each) on MariaDB' % self.workers)
        self.haproxy.start()
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            for future in [pool.submit(provider_side),
                           pool.submit(aggregator_side)]:
                future.result()
        for proxy in self.proxies:
            proxy.wait_ready()
        self.haproxy.wait_up()
        self.log('topology: servers up in %.0f s; seeding'
                 % (time.monotonic() - started))
        self._seed()
        return self

    def _seed(self):
        admin = self.admin()

        def provider_side():
            provider_admin = client.Session.admin(self.provider)
            self.provider_admin = provider_admin
            aggregator, _ = pub.register_aggregator(provider_admin)
            self.aggregator_ref = aggregator
            vr = pub.create_virtual_region(provider_admin,
                                           services=['image', 'placement'])
            self.provider_record = agg.register_provider(
                admin, self.provider, aggregator['credential'])
            self.bound = agg.bind(admin, self.provider_record['id'],
                                  vr['id'], region_id='V1')['bound_region']
            if self.bound['status'] != 'active':
                raise RuntimeError('binding V1 failed: %s' % self.bound)
            self.offers = [pub.create_virtual_region(provider_admin)
                           for _ in range(OFFERS)]

        with concurrent.futures.ThreadPoolExecutor(3) as pool:
            seeding = pool.submit(provider_side)
            tenants = [pool.submit(agg.tenant, admin, pub.unique(name))
                       for name in ('topology-alpha', 'topology-beta')]
            self.tenants = [future.result() for future in tenants]
            seeding.result()
        for project, user in self.tenants:
            admin.ok('PUT', API + '/bound_regions/%s/entitlements/'
                     'projects/%s' % (self.bound['id'], project['id']),
                     status=(200, 201, 204))

    def admin(self):
        """The aggregator's admin, through the Keystone frontend."""
        return client.Session.login(self.keystone_url, client.password_auth(
            username='admin', password=servers.ADMIN_PASSWORD,
            scope=client.project_scope('admin')))

    def manage(self, *args):
        """``mercador-manage`` of the aggregator (either Keystone's
        configuration: they are the same)."""
        server = self.aggregators[0]
        return subprocess.run(
            [MANAGE, '--config-file', os.path.join(server.dir,
                                                   'keystone.conf')]
            + list(args), env=server.env, capture_output=True, text=True,
            timeout=120)

    def stop(self):
        if self.haproxy:
            self.haproxy.stop()
        for server in self.started:
            server.terminate()
        for server in reversed(self.started):
            server.stop()
        self.started = []
        for url in self.databases:
            databases.drop('mysql', url)
        self.databases = []
        try:
            _redis().flushdb()
        except Exception:  # the cache is gone already: nothing to clean
            pass


# What clients see

def classify(response, expected):
    """``ok``; ``lb-<status>``: HAProxy's own error (no server could
    answer); ``json-<status>``: an error of a service, with a JSON body;
    ``unclear-<status>``: any other answer (an HTML 500, a body that is
    not JSON)."""
    status = response.status_code
    if status in expected:
        return 'ok'
    body = response.text
    if servers.HAProxyServer.LB_ERRORS.get(status) == body:
        return 'lb-%d' % status
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    # Keystone's and the proxy's {"error": {...}}, webob's (Glance)
    # {"message": ...}, Placement's {"errors": [...]}.
    if isinstance(data, dict) and (
            isinstance(data.get('error'), dict) or 'message' in data
            or isinstance(data.get('errors'), list)):
        return 'json-%d' % status
    return 'unclear-%d' % status


#: Kinds of outcome that are a clear answer (success or a clear error).
CLEAR = ('ok', 'lb-', 'json-', 'connection')


def clear(kind):
    return kind.startswith(CLEAR)


def _holds(check, response):
    try:
        return check(response)
    except (ValueError, KeyError, TypeError):  # not the JSON expected
        return False


class Recorder:
    def __init__(self):
        self.records = []
        self.lock = threading.Lock()
        self.t0 = time.monotonic()

    def now(self):
        return time.monotonic() - self.t0

    def call(self, http, op, method, url, expected=(200,), check=None,
             **kwargs):
        """One request; returns ``(response or None, kind)``."""
        start = self.now()
        response, status, detail = None, None, ''
        try:
            response = http.request(method, url, timeout=TIMEOUT, **kwargs)
            status = response.status_code
            kind = classify(response, expected)
            if kind == 'ok' and check and not _holds(check, response):
                kind, detail = 'wrong', response.text[:300]
            elif kind != 'ok':
                detail = response.text[:300]
        except requests.Timeout as e:
            kind, detail = 'timeout', str(e)[:300]
        except requests.RequestException as e:
            # Refused, reset, or cut in the middle of the body.
            kind, detail = 'connection', '%s: %s' % (
                e.__class__.__name__, str(e)[:300])
        end = self.now()
        with self.lock:
            self.records.append({'op': op, 'start': start, 'end': end,
                                 'kind': kind, 'status': status,
                                 'detail': detail})
        return (response if kind == 'ok' else None), kind


class Load:
    """``threads`` clients (at least 4: Keystone, two image tenants,
    the admin's bind cycles; more share the first roles) for ``duration``
    seconds; ``faults`` are ``(at seconds, server, seconds down)``."""

    def __init__(self, topology, threads=4, duration=40, faults=()):
        if threads < 4:
            raise ValueError('the load needs 4 threads at least')
        self.t = topology
        self.threads = threads
        self.duration = duration
        self.faults = list(faults)
        self.rec = Recorder()
        self.stop = threading.Event()
        self.images = {}        # name -> what the client saw
        self.binds = []         # one dict per bind cycle
        self.fault_log = []
        self.errors = []        # exceptions of the client threads

    # sessions

    def _http(self):
        http = requests.Session()
        http.headers['Accept'] = 'application/json'
        return http

    def _login(self, http, project, user):
        r, kind = self.rec.call(
            http, 'keystone: get a token', 'POST',
            self.t.keystone_url + '/v3/auth/tokens', expected=(201,),
            json=client.password_auth(
                user_id=user['id'], password=agg.TENANT_PASSWORD,
                scope={'project': {'id': project['id']}}))
        if r is not None:
            http.headers['X-Auth-Token'] = r.headers['X-Subject-Token']
        return r is not None

    # the roles

    def _keystone_role(self, index):
        http = self._http()
        n = 0
        while not self.stop.is_set():
            project, user = self.t.tenants[n % len(self.t.tenants)]
            n += 1
            if not self._login(http, project, user):
                time.sleep(0.2)
                continue
            url = self.t.keystone_url
            self.rec.call(http, 'keystone: list regions', 'GET',
                          url + '/v3/regions', check=lambda r: 'V1' in {
                              g['id'] for g in r.json()['regions']})
            self.rec.call(http, 'keystone: catalog', 'GET',
                          url + '/v3/auth/catalog', check=self._catalog)

    def _catalog(self, response):
        """V1 through the proxy frontend, identity at the Keystone
        frontend: clients never meet a server behind HAProxy."""
        urls = {(s['type'], e['region_id']): e['url']
                for s in response.json()['catalog'] for e in s['endpoints']
                if e['interface'] == 'public'}
        return (urls.get(('identity', 'RegionOne')) == self.t.auth_url
                and urls.get(('image', 'V1')) == self.t.proxy_url
                + '/V1/image')

    def _image_role(self, index):
        project, user = self.t.tenants[index % len(self.t.tenants)]
        http = self._http()
        base = self.t.proxy_url + '/V1/image/v2/images'
        n = 0
        while not self.stop.is_set():
            if 'X-Auth-Token' not in http.headers and not self._login(
                    http, project, user):
                time.sleep(0.2)
                continue
            n += 1
            _, kind = self.rec.call(
                http, 'proxy: list images', 'GET', base,
                check=lambda r: isinstance(r.json().get('images'), list))
            if kind == 'json-401':
                del http.headers['X-Auth-Token']
                continue
            if n % 3 == 0:
                # The tenant's own project ID, mapped both ways.
                self.rec.call(
                    http, 'proxy: placement usages', 'GET',
                    self.t.proxy_url + '/V1/placement/usages?project_id='
                    + project['id'],
                    headers={'OpenStack-API-Version': 'placement 1.9'},
                    check=lambda r: 'usages' in r.json())
            self._image_cycle(http, base, project)

    def _image_cycle(self, http, base, project):
        name = pub.unique('topology-image')
        seen = self.images[name] = {'project_id': project['id'],
                                    'created': None, 'uploaded': None,
                                    'downloaded': None}
        r, kind = self.rec.call(
            http, 'proxy: create image', 'POST', base, expected=(201,),
            json={'name': name, 'disk_format': 'raw',
                  'container_format': 'bare'},
            check=lambda r: r.json()['owner'] == project['id'])
        seen['created'] = kind
        if r is None:
            return
        image_id = r.json()['id']
        seen['id'] = image_id
        data = os.urandom(IMAGE_SIZE)
        seen['sha256'] = hashlib.sha256(data).hexdigest()
        _, kind = self.rec.call(
            http, 'proxy: upload image', 'PUT',
            '%s/%s/file' % (base, image_id), expected=(204,), data=data,
            headers={'Content-Type': 'application/octet-stream'})
        seen['uploaded'] = kind
        if kind != 'ok':
            return
        _, kind = self.rec.call(
            http, 'proxy: download image', 'GET',
            '%s/%s/file' % (base, image_id),
            check=lambda r: hashlib.sha256(r.content).hexdigest()
            == seen['sha256'])
        seen['downloaded'] = kind

    def _admin_role(self, index):
        http = self._http()
        offers = list(self.t.offers)
        n = 0
        while not self.stop.is_set() and offers:
            if 'X-Auth-Token' not in http.headers and not self._admin_login(
                    http):
                time.sleep(0.2)
                continue
            offer = offers[n % len(offers)]
            n += 1
            cycle = self._bind_cycle(http, offer)
            if cycle['outcome'] in ('interrupted', 'unknown'):
                # Left for reconcile: its offer may stay bound meanwhile.
                offers.remove(offer)

    def _admin_login(self, http):
        r, kind = self.rec.call(
            http, 'keystone: get a token', 'POST',
            self.t.keystone_url + '/v3/auth/tokens', expected=(201,),
            json=client.password_auth(
                username='admin', password=servers.ADMIN_PASSWORD,
                scope=client.project_scope('admin')))
        if r is not None:
            http.headers['X-Auth-Token'] = r.headers['X-Subject-Token']
        return r is not None

    def _retry(self, attempts, func):
        """``func(attempt)`` until it returns something other than None,
        at most ``attempts`` times, pausing between tries."""
        for attempt in range(attempts):
            result = func(attempt)
            if result is not None:
                return result
            time.sleep(0.5)
        return None

    def _bind_cycle(self, http, offer):
        url = self.t.keystone_url + API + '/bound_regions'
        cycle = {'key': pub.unique('topology-key'),
                 'region_id': pub.unique('T'), 'offer_id': offer['id'],
                 'attempts': 0, 'outcome': None, 'row': None}
        self.binds.append(cycle)
        body = {'bound_region': {
            'provider_id': self.t.provider_record['id'],
            'offer_id': offer['id'], 'region_id': cycle['region_id'],
            'idempotency_key': cycle['key']}}

        def bind(attempt):
            cycle['attempts'] += 1
            # A replay (the same key and body) answers the row as it is.
            r, kind = self.rec.call(http, 'aggregator: bind', 'POST', url,
                                    expected=(200, 201), json=body)
            if r is None:
                return 'refused' if kind.startswith('json-4') else None
            row = cycle['row'] = r.json()['bound_region']
            if row['status'] in ('requested', 'compensating'):
                return None
            return row['status']

        status = self._retry(8, bind)
        if status in (None, 'requested', 'compensating'):
            row = cycle['row']
            cycle['outcome'] = 'interrupted' if row else 'unknown'
            return cycle
        if status == 'refused':
            cycle['outcome'] = 'refused'
            return cycle
        row = cycle['row']
        if status == 'active':
            self._use(http, row)
        cycle['outcome'] = status
        cycle['unbound'] = self._unbind(http, row)
        return cycle

    def _use(self, http, row):
        """Entitle a tenant, list, and its first call in the region."""
        project, user = self.t.tenants[0]
        entitlement = (self.t.keystone_url + API + '/bound_regions/%s/'
                       'entitlements/projects/%s' % (row['id'],
                                                     project['id']))
        self._retry(4, lambda attempt: self.rec.call(
            http, 'aggregator: entitle', 'PUT', entitlement,
            expected=(200, 201, 204))[0])
        self.rec.call(http, 'aggregator: list bound regions', 'GET',
                      self.t.keystone_url + API + '/bound_regions',
                      check=lambda r: row['id'] in {
                          b['id'] for b in r.json()['bound_regions']})
        tenant = self._http()
        if self._login(tenant, project, user):
            self.rec.call(tenant, 'proxy: first call in a new region', 'GET',
                          '%s/%s/image/v2/images' % (self.t.proxy_url,
                                                     row['region_id']))

    def _unbind(self, http, row):
        url = self.t.keystone_url + API + '/bound_regions/' + row['id']

        def unbind(attempt):
            # A retry's 404: an earlier attempt did it.
            r, kind = self.rec.call(
                http, 'aggregator: unbind', 'DELETE', url,
                expected=(204, 404) if attempt else (204,))
            return True if r is not None else None
        return bool(self._retry(6, unbind))

    # faults

    def _fault(self, at, server, down):
        """SIGKILL ``server`` at ``at`` seconds, start it again ``down``
        seconds later (HAProxy has seen it fail by then)."""
        if self.stop.wait(max(0, at - self.rec.now())):
            return
        entry = {'server': server.name, 'signal': 'SIGKILL', 'down_s': down}
        entry['killed_at'] = self.rec.now()
        _group_kill(server)
        time.sleep(down)
        # What it served before it was started again.
        entry['served_before'] = sum(
            int(s['stot']) for (_, name), s in
            self.t.haproxy.servers().items() if name == server.name)
        entry['restarted_at'] = self.rec.now()
        server.launch()
        server.wait_ready(timeout=150)
        entry['ready_at'] = self.rec.now()
        self.fault_log.append(entry)

    # the run

    def _guard(self, func, *args):
        try:
            func(*args)
        except Exception as e:  # a bug of the load, or no restart: reported
            self.errors.append('%s: %r' % (func.__name__, e))
            raise

    def run(self):
        roles = [self._keystone_role, self._image_role, self._image_role,
                 self._admin_role]
        roles += [self._image_role if i % 2 else self._keystone_role
                  for i in range(self.threads - 4)]
        self.rec = Recorder()
        workers = [threading.Thread(target=self._guard, args=(role, i),
                                    daemon=True)
                   for i, role in enumerate(roles)]
        faults = [threading.Thread(target=self._guard,
                                   args=(self._fault,) + tuple(fault),
                                   daemon=True) for fault in self.faults]
        for thread in workers + faults:
            thread.start()
        time.sleep(self.duration)
        self.stop.set()
        self.elapsed = self.rec.now()
        for thread in workers + faults:
            # A request's timeout and a cycle's retries; a restart.
            thread.join(TIMEOUT * 3 if thread in workers else 160)
        self.hung = [t.name for t in workers + faults if t.is_alive()]
        return self


# Figures

def percentile(values, p):
    """Nearest-rank percentile; NaN without values."""
    if not values:
        return float('nan')
    values = sorted(values)
    rank = max(1, -(-len(values) * p // 100))
    return values[int(rank) - 1]


def figures(load):
    records = load.rec.records
    latencies = [r['end'] - r['start'] for r in records]
    errors, by_op = {}, {}
    for r in records:
        op = by_op.setdefault(r['op'], {'requests': 0, 'errors': {},
                                        'latencies': []})
        op['requests'] += 1
        op['latencies'].append(r['end'] - r['start'])
        if r['kind'] != 'ok':
            errors[r['kind']] = errors.get(r['kind'], 0) + 1
            op['errors'][r['kind']] = op['errors'].get(r['kind'], 0) + 1
    for op in by_op.values():
        values = op.pop('latencies')
        op['p50_ms'] = round(percentile(values, 50) * 1000, 1)
        op['p99_ms'] = round(percentile(values, 99) * 1000, 1)
    images = load.images.values()
    t = load.t
    return {
        'topology': '2 aggregator Keystones x %d gunicorn workers on one '
                    'MariaDB database, 2 proxy processes, Redis cache, '
                    'HAProxy in front of both; provider Keystone, Glance, '
                    'Placement' % t.workers,
        'threads': load.threads,
        'timeout': '%d s' % TIMEOUT,
        'duration_s': round(load.elapsed, 1),
        'requests': len(records),
        'ok': sum(1 for r in records if r['kind'] == 'ok'),
        'errors': dict(sorted(errors.items())),
        'latency_ms': {
            'p50': round(percentile(latencies, 50) * 1000, 1),
            'p99': round(percentile(latencies, 99) * 1000, 1),
            'max': round(max(latencies, default=float('nan')) * 1000, 1)},
        'requests_per_s': round(len(records) / load.elapsed, 1),
        'operations': dict(sorted(by_op.items())),
        'faults': [{k: (round(v, 1) if isinstance(v, float) else v)
                    for k, v in f.items()} for f in sorted(
                        load.fault_log, key=lambda f: f['killed_at'])],
        'failed_requests': [
            {'op': r['op'], 'at_s': round(r['start'], 1),
             'latency_ms': round((r['end'] - r['start']) * 1000, 1),
             'kind': r['kind'], 'detail': r['detail'][:200]}
            for r in sorted(records, key=lambda r: r['start'])
            if r['kind'] != 'ok'],
        'images': {
            'created': sum(1 for i in images if i['created'] == 'ok'),
            'create_failed': sum(1 for i in images
                                 if i['created'] not in (None, 'ok')),
            'uploaded': sum(1 for i in images if i['uploaded'] == 'ok'),
            'downloaded': sum(1 for i in images
                              if i['downloaded'] == 'ok')},
        'binds': {outcome: sum(1 for c in load.binds
                               if c['outcome'] == outcome)
                  for outcome in sorted({str(c['outcome'])
                                         for c in load.binds})},
    }


# What the databases hold

def _rows(url, query, **params):
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(sa.text(query),
                                                       params)]
    finally:
        engine.dispose()


def check_requests(load):
    """Every request answered clearly and in time; errors only for
    requests a kill cut (see ``AFTER_KILL``); every client thread
    finished."""
    problems = ['thread still running: %s' % name for name in load.hung]
    problems += ['thread failed: %s' % e for e in load.errors]
    windows = [(f['killed_at'] - 0.5, f['killed_at'] + AFTER_KILL)
               for f in load.fault_log]
    if len(load.fault_log) != len(load.faults):
        problems.append('%d of %d faults happened' % (
            len(load.fault_log), len(load.faults)))
    for r in load.rec.records:
        if r['kind'] == 'ok':
            continue
        where = '%s at %.1f-%.1f s: %s %s' % (
            r['op'], r['start'], r['end'], r['kind'], r['detail'])
        if not clear(r['kind']):
            problems.append('not a clear answer: ' + where)
        elif not any(r['end'] >= low and r['start'] <= high
                     for low, high in windows):
            problems.append('an error no kill explains: ' + where)
    return problems


def check_images(load):
    """At the provider's Glance: one image per name the client created,
    none or one per name whose create failed, uploads that succeeded
    complete."""
    found = {}
    for name, count, status, checksum, size in _rows(
            load.t.glance_database_url,
            'SELECT name, COUNT(*), MAX(status), MAX(os_hash_value), '
            'MAX(size) FROM images WHERE deleted = 0 AND name LIKE '
            "'topology-image-%' GROUP BY name"):
        found[name] = (count, status, checksum, size)
    problems = []
    for name, seen in sorted(load.images.items()):
        count = found.get(name, (0,))[0]
        if seen['created'] == 'ok' and count != 1:
            problems.append('%s: created once, %d at the provider'
                            % (name, count))
        elif count > 1:
            problems.append('%s: create failed (%s), %d at the provider'
                            % (name, seen['created'], count))
        if seen['uploaded'] == 'ok':
            _, status, _, size = found[name]
            if status != 'active' or size != IMAGE_SIZE:
                problems.append('%s: uploaded, but %s with %s bytes at the '
                                'provider' % (name, status, size))
    for name in sorted(set(found) - set(load.images)):
        problems.append('%s: at the provider, never created' % name)
    return problems


def check_binds(load):
    """Each bind cycle: one row at most per key, and the provider's
    bindings of this aggregator are exactly those of the live rows; the
    lazily made provider projects and users are exactly those the
    aggregator's mappings know."""
    t = load.t
    aggregator_db = t.aggregators[0].database_url
    provider_db = t.provider.database_url
    rows = {r[0]: r for r in _rows(
        aggregator_db, 'SELECT id, idempotency_key, region_id, status, '
        'binding_id FROM mercador_bound_region')}
    by_key = {}
    for row in rows.values():
        by_key.setdefault(row[1], []).append(row)
    problems = []
    for cycle in load.binds:
        held = by_key.get(cycle['key'], [])
        if len(held) > 1:
            problems.append('key %s: %d bound regions' % (cycle['key'],
                                                          len(held)))
        if cycle.get('unbound') and held:
            problems.append('%s: unbound, but still %s' % (
                cycle['region_id'], held[0][3]))
    problems += ['%s: bind refused' % c['region_id'] for c in load.binds
                 if c['outcome'] == 'refused']
    aggregator_id = t.aggregator_ref['id']
    bindings = {b[0]: b for b in _rows(
        provider_db, 'SELECT id, idempotency_key, virtual_region_id FROM '
        'mercador_binding WHERE aggregator_id = :a', a=aggregator_id)}
    live = {r[0]: r for r in rows.values() if r[3] != 'failed'}
    remote_keys = {}
    for binding in bindings.values():
        remote_keys.setdefault(binding[1], []).append(binding[0])
    for row_id, row in sorted(live.items()):
        held = remote_keys.get(row_id, [])
        if len(held) != 1 and row[3] == 'active':
            problems.append('%s (%s): %d bindings at the provider' % (
                row[2], row[3], len(held)))
    for key, ids in sorted(remote_keys.items()):
        if key not in live:
            problems.append('binding %s at the provider: no live bound '
                            'region' % ', '.join(ids))
    if t.bound['id'] not in live:
        problems.append('V1 is gone')
    for table, remote in (('mercador_project_mapping',
                           'mercador_binding_project'),
                          ('mercador_user_mapping', 'mercador_binding_user')):
        local = {}
        for bound_region_id, reference in _rows(
                aggregator_db, 'SELECT bound_region_id, reference FROM %s'
                % table):
            local.setdefault(bound_region_id, set()).add(reference)
        # Both tenants used V1: one mapping each, made on first use.
        if len(local.get(t.bound['id'], ())) != len(t.tenants):
            problems.append('V1: %d rows in %s for %d tenants' % (
                len(local.get(t.bound['id'], ())), table, len(t.tenants)))
        for row_id, row in sorted(live.items()):
            if row[3] != 'active':
                continue
            there = {r[0] for r in _rows(
                provider_db, 'SELECT reference FROM %s WHERE binding_id = '
                ':b' % remote, b=row[4])}
            if there != local.get(row_id, set()):
                problems.append(
                    '%s: %s at the provider %s, mappings here %s' % (
                        row[2], remote, sorted(there),
                        sorted(local.get(row_id, set()))))
    return problems


def check_audit(load):
    """``mercador-manage audit`` is clean; binds a kill interrupted (the
    row of a cycle the client saw fail) are the only findings once the
    grace period is waived, and reconcile finishes them."""
    t = load.t
    problems = []
    out = t.manage('audit')
    if out.returncode != 0 or 'No drift.' not in out.stdout:
        problems.append('audit: exit %d: %s%s' % (
            out.returncode, out.stdout, out.stderr))
    interrupted = {c['region_id'] for c in load.binds
                   if c['outcome'] in ('interrupted', 'unknown')}
    out = t.manage('audit', '--grace-period', '0')
    if out.returncode != 0:
        findings = [line for line in out.stdout.splitlines()
                    if ' -> would ' in line]
        strays = [line for line in findings
                  if 'bind interrupted' not in line
                  or not any('region %s:' % r in line for r in interrupted)]
        if strays or not findings:
            problems.append('audit --grace-period 0: exit %d: %s%s' % (
                out.returncode, out.stdout, out.stderr))
        fixed = t.manage('reconcile', '--grace-period', '0')
        again = t.manage('audit', '--grace-period', '0')
        if fixed.returncode != 0 or again.returncode != 0:
            problems.append('reconcile left drift: %s%s' % (
                fixed.stdout, again.stdout))
    load.interrupted_binds_reconciled = len(interrupted)
    return problems


def check_balancer(load):
    """Every server is up again and served requests, the restarted ones
    also after their restart (a few more requests make sure of it when
    one came back as the load ended)."""
    t = load.t
    t.haproxy.wait_up(timeout=60)
    for url in (t.keystone_url + '/v3', t.proxy_url + '/'):
        for _ in range(8):
            requests.get(url, timeout=TIMEOUT, headers={'Connection': 'close'})
    stats = t.haproxy.servers()
    problems = ['%s/%s served nothing' % key for key, s in stats.items()
                if int(s['stot']) == 0]
    for fault in load.fault_log:
        served = sum(int(s['stot']) for (_, name), s in stats.items()
                     if name == fault['server'])
        fault['served_after'] = served - fault['served_before']
        if fault['served_after'] <= 0:
            problems.append('%s served nothing after its restart'
                            % fault['server'])
    return problems


def write(data, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(data, f, indent=1, sort_keys=True)
    return path


def run(base, threads=4, duration=40, workers=2, down=3, log=print):
    """Start the topology, run the load with its two faults (an aggregator
    Keystone early in the run, a proxy half-way through, each down for
    ``down`` seconds), check everything; return ``(figures,
    problems)``."""
    topology = Topology(base, workers=workers, log=log)
    started = time.monotonic()
    try:
        topology.start()
        setup = time.monotonic() - started
        log('topology: up in %.0f s; %d threads for %d s, SIGKILL of %s '
            'and %s' % (setup, threads, duration, topology.aggregators[0].name,
                        topology.proxies[0].name))
        load = Load(topology, threads=threads, duration=duration, faults=[
            (duration * 0.15, topology.aggregators[0], down),
            (duration * 0.5, topology.proxies[0], down)]).run()
        checked = time.monotonic()
        problems = {}
        for check in (check_requests, check_balancer, check_images,
                      check_binds, check_audit):
            found = check(load)
            if found:
                problems[check.__name__] = found
        log('topology: load and restarts done in %.0f s, checks in %.0f s'
            % (checked - started - setup, time.monotonic() - checked))
        data = figures(load)
        data['setup_s'] = round(setup, 1)
        data['interrupted_binds_reconciled'] = getattr(
            load, 'interrupted_binds_reconciled', 0)
        data['invariants'] = 'all held' if not problems else problems
        return data, problems
    finally:
        stopping = time.monotonic()
        topology.stop()
        log('topology: stopped in %.0f s' % (time.monotonic() - stopping))
