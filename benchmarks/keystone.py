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

"""Keystone with the extension against stock Keystone, and bound regions at
scale.

Six Keystones run side by side so that every figure can be interleaved
with its baseline: stock Keystone and the aggregator's Keystone (the
extension, its aggregator side and the Mercador catalog driver), each with
1, 200 and 1,000 regions of 5 services. Creating 1,000 real bindings
through a provider would take far longer than the benchmark itself, so the
rows a binding leaves at the aggregator are written directly with SQL:
Keystone's regions, services and endpoints, and Mercador's bound regions,
bound endpoints, owned services and entitlements (the tenant is entitled
to 2 bound regions). Stock Keystone gets the same regions and endpoints.
"""

import functools
import itertools
import os
import shutil
import subprocess
import uuid

import requests
import sqlalchemy as sa

from benchmarks import clouds as clouds_mod
from benchmarks import horizon
from benchmarks import stats
from harness import client
from harness import servers
from keystone_mercador import models
from tests.functional import aggregation as agg
from tests.functional import databases

STOCK_APP = 'tests.functional.stock_keystone_wsgi:application'
SERVICE_TYPES = ('compute', 'image', 'network', 'placement', 'volumev3')
PROXY_URL = 'http://127.0.0.1:8780/mercador'
ENTITLED = 2
REDIS_URL = os.environ.get('MERCADOR_BENCH_REDIS_URL',
                           'redis://127.0.0.1:6379')
#: The multi-process shape: a shared cache for every Keystone worker.
CACHE_CONF = """
[cache]
enabled = true
backend = dogpile.cache.redis
backend_argument = url:%s
"""


def _server(kind, name, base, database_url=None, extra=''):
    if kind == 'stock':
        return servers.KeystoneServer(
            'stock-%s' % name, base=base, app=STOCK_APP, extension=False,
            database_url=database_url, extra_conf=extra)
    return servers.KeystoneServer(
        'mercador-%s' % name, base=base, database_url=database_url,
        extra_conf=clouds_mod.aggregator_conf(PROXY_URL) + extra)


def _template(base, kind, database='sqlite'):
    """A Keystone set up once (databases, keys, bootstrap), copied for
    each level instead of being set up again."""
    return _server(kind, 'template', base,
                   database_url=databases.create(database)).setup()


def _clone_database(url):
    """A copy of a MariaDB database (schema, data, foreign keys)."""
    source = sa.engine.make_url(url)
    copy_url = databases.create('mysql')
    target = sa.engine.make_url(copy_url)
    args = ['-h', source.host or '127.0.0.1', '-P', str(source.port or 3306),
            '-u', source.username or 'root']
    if source.password:
        args.append('-p%s' % source.password)
    dump = subprocess.run(['mariadb-dump', '--single-transaction'] + args +
                          [source.database], check=True,
                          capture_output=True).stdout
    subprocess.run(['mariadb'] + args + [target.database], input=dump,
                   check=True, capture_output=True)
    return copy_url


def _copy(template, kind, level, base, database='sqlite', cache_db=None):
    """A Keystone for one level, from the template; with ``cache_db``, it
    caches in that Redis database."""
    cache_url = None
    if cache_db is not None:
        cache_url = '%s/%d' % (REDIS_URL, cache_db)
    database_url = None
    if database != 'sqlite':
        database_url = _clone_database(template.database_url)
    server = _server(kind, level, base, database_url=database_url,
                     extra=CACHE_CONF % cache_url if cache_url else '')
    server.cache_url = cache_url
    for name in ('fernet-keys', 'credential-keys'):
        shutil.copytree(os.path.join(template.dir, name),
                        os.path.join(server.dir, name))
    if database == 'sqlite':
        shutil.copy(os.path.join(template.dir, 'keystone.db'), server.dir)
    return server


def _rebase_identity(server):
    """Point the identity endpoints the template's bootstrap wrote at the
    copy (Horizon finds Keystone's API version through them)."""
    engine = sa.create_engine(server.database_url)
    meta = sa.MetaData()
    meta.reflect(engine, only=('service', 'endpoint'))
    service_t, endpoint_t = meta.tables['service'], meta.tables['endpoint']
    with engine.begin() as conn:
        conn.execute(endpoint_t.update().where(
            endpoint_t.c.service_id.in_(sa.select(service_t.c.id).where(
                service_t.c.type == 'identity'))).values(
            url=server.auth_url))
    engine.dispose()


def _flush_cache(server):
    if server.cache_url:
        import redis
        redis.Redis.from_url(server.cache_url).flushdb()


def _drop_database(server):
    url = sa.engine.make_url(server.database_url)
    if url.get_backend_name() == 'sqlite':
        return
    engine = sa.create_engine(url.set(database=None),
                              isolation_level='AUTOCOMMIT')
    with engine.connect() as conn:
        conn.execute(sa.text('DROP DATABASE IF EXISTS %s' % url.database))
    engine.dispose()


def _populate(server, kind, regions, project_id, provider_id=None):
    """Regions ``B0001``... with one public endpoint per service type;
    for Mercador, the bound-region rows that go with them (of
    ``provider_id``, a provider registered through the API, or else of a
    provider row written here)."""
    engine = sa.create_engine(server.database_url)
    meta = sa.MetaData()
    meta.reflect(engine, only=('region', 'service', 'endpoint'))
    region_t, service_t, endpoint_t = (meta.tables['region'],
                                       meta.tables['service'],
                                       meta.tables['endpoint'])
    services = {t: uuid.uuid4().hex for t in SERVICE_TYPES}
    region_rows, endpoint_rows = [], []
    bound_rows, bound_endpoint_rows, entitlement_rows = [], [], []
    registered = provider_id is not None
    provider_id = provider_id or uuid.uuid4().hex
    for index in range(1, regions + 1):
        region_id = 'B%04d' % index
        bound_id = uuid.uuid4().hex
        region_rows.append({'id': region_id, 'description': '',
                            'parent_region_id': None, 'extra': '{}'})
        bound_rows.append({
            'id': bound_id, 'provider_id': provider_id,
            'offer_id': uuid.uuid4().hex, 'region_id': region_id,
            'description': '', 'idempotency_key': uuid.uuid4().hex,
            'request_hash': uuid.uuid4().hex, 'status': 'active',
            'services': list(SERVICE_TYPES),
            'binding_id': uuid.uuid4().hex, 'binding': {}})
        if index <= ENTITLED:
            entitlement_rows.append({
                'bound_region_id': bound_id, 'target_type': 'project',
                'target_id': project_id})
        for service_type, service_id in services.items():
            endpoint_id = uuid.uuid4().hex
            endpoint_rows.append({
                'id': endpoint_id, 'legacy_endpoint_id': None,
                'interface': 'public', 'service_id': service_id,
                'url': '%s/%s/%s' % (PROXY_URL, region_id, service_type),
                'extra': '{}', 'enabled': True, 'region_id': region_id})
            bound_endpoint_rows.append({
                'endpoint_id': endpoint_id, 'bound_region_id': bound_id,
                'service_id': service_id, 'service_type': service_type})
    with engine.begin() as conn:
        conn.execute(service_t.insert(), [
            {'id': i, 'type': t, 'enabled': True,
             'extra': '{"name": "%s"}' % t} for t, i in services.items()])
        conn.execute(region_t.insert(), region_rows)
        conn.execute(endpoint_t.insert(), endpoint_rows)
        if kind == 'mercador':
            if not registered:
                conn.execute(sa.insert(models.Provider), [{
                    'id': provider_id, 'name': 'bench-provider',
                    'description': '', 'auth_url': 'http://127.0.0.1:1/v3',
                    'application_credential_id': uuid.uuid4().hex,
                    'encrypted_secret': 'unused', 'key_hash': 'unused'}])
            conn.execute(sa.insert(models.OwnedService), [
                {'service_id': i, 'service_type': t}
                for t, i in services.items()])
            conn.execute(sa.insert(models.BoundRegion), bound_rows)
            conn.execute(sa.insert(models.BoundEndpoint),
                         bound_endpoint_rows)
            conn.execute(sa.insert(models.Entitlement), entitlement_rows)
    engine.dispose()


class Tenant:
    """A tenant's calls to one Keystone."""

    def __init__(self, server):
        admin = client.Session.admin(server)
        self.project, self.user = agg.tenant(admin, 'bench-tenant')
        self.url = server.auth_url
        self.http = requests.Session()
        self.token = self._issue('')

    def _issue(self, query):
        r = self.http.post(self.url + '/auth/tokens' + query, timeout=120,
                           json=client.password_auth(
                               user_id=self.user['id'],
                               password=agg.TENANT_PASSWORD,
                               scope={'project': {
                                   'id': self.project['id']}}))
        r.raise_for_status()
        return r.headers['X-Subject-Token']

    def _get(self, path):
        r = self.http.get(self.url + path, timeout=120, headers={
            'X-Auth-Token': self.token, 'X-Subject-Token': self.token})
        r.raise_for_status()
        return r

    def cases(self):
        return {
            'issue': lambda: self._issue(''),
            'issue-nocatalog': lambda: self._issue('?nocatalog'),
            'validate': lambda: self._get('/auth/tokens'),
            'validate-nocatalog': lambda: self._get('/auth/tokens?nocatalog'),
            'catalog': lambda: self._get('/auth/catalog'),
        }

    def regions(self):
        catalog = self._get('/auth/catalog').json()['catalog']
        return {e['region_id'] for s in catalog for e in s['endpoints']}


def _keystone_figures(results, times, section):
    labels = {
        'issue': 'token issue', 'issue-nocatalog': 'token issue, nocatalog',
        'validate': 'token validate',
        'validate-nocatalog': 'token validate, nocatalog',
    }
    for case, label in labels.items():
        results['figures'].append(stats.figure(
            section, label, 'with the extension', 'stock Keystone',
            times[('mercador', 1, case)], times[('stock', 1, case)]))


def _scale_figures(results, times, levels, section):
    labels = {'validate': 'token validate',
              'validate-nocatalog': 'token validate, nocatalog',
              'catalog': 'GET /v3/auth/catalog'}
    for case, label in labels.items():
        for level in levels[1:]:
            results['figures'].append(stats.figure(
                section, '%s, %d regions' % (label, level), 'Mercador',
                'Mercador, 1 region', times[('mercador', level, case)],
                times[('mercador', 1, case)], target=1.2))
        for level in levels[1:]:
            results['figures'].append(stats.figure(
                section, '%s, %d regions' % (label, level), 'stock',
                'stock, 1 region', times[('stock', level, case)],
                times[('stock', 1, case)]))
        for level in levels[1:]:
            results['figures'].append(stats.figure(
                section, '%s, %d regions' % (label, level), 'Mercador',
                'stock, same regions', times[('mercador', level, case)],
                times[('stock', level, case)]))
        results['series']['%s-%s' % (section, case)] = {
            'section': section,
            'title': '%s of a tenant entitled to %d bound regions' % (
                label, ENTITLED),
            'xlabel': 'regions in the catalog', 'ylabel': 'ms (median)',
            'lines': {
                kind: [[level, 1000 * stats.median(
                    times[(kind, level, case)])] for level in levels]
                for kind in ('stock', 'mercador')},
        }


def templates(base, database='sqlite'):
    """Stock and Mercador Keystones set up (not started), to be copied."""
    kinds = ('stock', 'mercador')
    return dict(zip(kinds, stats.parallel(
        *[functools.partial(_template, base, kind, database)
          for kind in kinds])))


def run(base, results, sections, quick=False, log=print, prepared=None,
        database='sqlite', clouds=None, horizon_template=None):
    """Time the keystone, scale and horizon sections.

    ``prepared``: what templates() returned, if it was already run;
    ``database``: 'sqlite' (one worker per Keystone, no cache) or 'mysql'
    (MariaDB, two workers per Keystone and a Redis cache); ``clouds``: the
    running provider, registered at each Mercador Keystone so that the
    Horizon pages list its real offers; ``horizon_template``: what
    horizon.setup_template() returned, for the horizon section.
    """
    suffix = '' if database == 'sqlite' else '-mariadb'
    levels = (1, 200, 1000)
    rounds = 3 if quick else 5
    batch = 3
    scale = 'scale' in sections
    with_horizon = 'horizon' in sections and horizon_template and clouds
    if not scale and not with_horizon:
        levels = (1,)
    if not scale and with_horizon:
        levels = (1, 1000)
    cache_dbs = itertools.count(1) if database != 'sqlite' else None
    started, made, horizons = [], {}, {}
    try:
        kinds = ('stock', 'mercador')
        if not prepared:
            log('keystone: setting up stock and Mercador Keystones (%s)'
                % database)
        made.update(prepared or templates(base, database))
        copies = {}
        for kind in kinds:
            for level in levels:
                copies[(kind, level)] = _copy(
                    made[kind], kind, level, base, database,
                    next(cache_dbs) if cache_dbs else None)
        started.extend(copies.values())
        for server in copies.values():
            _rebase_identity(server)
            _flush_cache(server)
        stats.parallel(*[server.start for server in copies.values()])
        tenants = {}
        for (kind, level), server in copies.items():
            tenant = Tenant(server)
            provider_id = None
            if kind == 'mercador' and clouds:
                provider_id = agg.register_provider(
                    client.Session.admin(server), clouds.provider,
                    clouds.credential)['id']
            _populate(server, kind, level, tenant.project['id'],
                      provider_id)
            # Rows written behind Keystone's back: drop what it cached.
            _flush_cache(server)
            tenants[(kind, level)] = tenant
            seen = len(tenant.regions() - {'RegionOne'})
            expected = level if kind == 'stock' else min(level, ENTITLED)
            if seen != expected:
                raise RuntimeError('%s-%d: the tenant sees %d regions, '
                                   'not %d' % (kind, level, seen,
                                               expected))
            log('keystone: %s with %d regions ready' % (kind, level))
        cases = {}
        if 'keystone' in sections:
            for kind in ('stock', 'mercador'):
                for case, func in tenants[(kind, 1)].cases().items():
                    if case != 'catalog':
                        cases[(kind, 1, case)] = func
        if scale:
            for (kind, level), tenant in tenants.items():
                for case, func in tenant.cases().items():
                    if not case.startswith('issue'):
                        cases[(kind, level, case)] = func
        if with_horizon:
            log('horizon: starting a Horizon for 1 and %d bound regions'
                % levels[-1])
            horizons.update(zip(
                (levels[0], levels[-1]), stats.parallel(*[
                    functools.partial(horizon.start, horizon_template,
                                      copies[('mercador', level)], level,
                                      base)
                    for level in (levels[0], levels[-1])])))
            started.extend(horizons.values())
            cases.update(horizon.cases(horizons, clouds.offer['name']))
        log('keystone: %d cases, %d rounds of %d' % (len(cases), rounds,
                                                     batch))
        times = stats.interleave(cases, rounds=rounds, batch=batch)
    finally:
        for server in started:
            server.cleanup()
        for server in list(made.values()) + started:
            if isinstance(server, servers.KeystoneServer):
                _drop_database(server)
        for server in made.values():
            server.cleanup()
    shape = ('SQLite, one gunicorn worker, no cache' if database == 'sqlite'
             else 'MariaDB, two gunicorn workers and a Redis cache (one '
             'Redis database each)')
    if 'keystone' in sections:
        _keystone_figures(results, times, 'keystone' + suffix)
        results['notes'].setdefault('keystone' + suffix, []).append(
            'Both Keystones have the same catalog (the bootstrap\'s identity '
            'endpoint and 1 region of 5 services, bound at the aggregator); '
            'the one with the extension runs the aggregator side and the '
            'Mercador catalog driver. A tenant issues project-scoped tokens '
            '(password, 4 bcrypt rounds) and validates its own token. Both '
            'on %s.' % shape)
    if scale:
        _scale_figures(results, times, levels, 'scale' + suffix)
        results['notes'].setdefault('scale' + suffix, []).append(
            ' '.join(__doc__.split('\n\n')[1].split()) + ' Each level is a '
            'Keystone of its own, so that every level is measured in the '
            'same rounds as its baseline; %s.' % shape)
    if with_horizon:
        horizon.figures(results, times, (levels[0], levels[-1]),
                        'horizon' + suffix)
