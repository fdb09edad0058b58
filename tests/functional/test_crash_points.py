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

"""The crash-point matrix of bind and unbind.

At each step of a bind (and of its compensation) and of an unbind, the
aggregator's Keystone or the provider's is killed there (SIGKILL, for
real: see ``crash_wsgi``), and gunicorn starts a new worker in its place,
as a supervisor restarts a dead service. Once every step was killed,
``mercador-manage reconcile`` and then ``audit`` run on the aggregator, as
an operator would after an incident, and neither side may keep an orphan:

- aggregator: no bound region still ``requested`` or ``compensating``, no
  catalog region, endpoint or service without an active bound region (nor
  an active bound region without them), no Mercador row (bound endpoint,
  entitlement, project or user mapping, owned service) whose bound region
  or Keystone object is gone;
- provider: no binding without an active bound region at the aggregator
  (nor the reverse), no project or user in a virtual region's domain that
  is not the root project, user, binding project or binding user of such a
  binding, no Mercador row whose binding is gone.

The cases share two Keystones (one reconcile for all keeps the file within
its time budget: each run of mercador-manage loads a Keystone). Each case
binds its own offer of its own service type, so that its region, binding,
domain and catalog service are its alone: every finding names the case it
belongs to, and an unbind deletes the last endpoint of its service. The
last test prints the table of what each kill left, what reconcile did and
what remained (also written to ``$MERCADOR_TEST_ARTIFACTS``).
"""

import collections
from concurrent import futures
import json
import os
import subprocess
import time

import pytest
import requests
import sqlalchemy as sa
from sqlalchemy import pool

from harness import client
from harness import servers
from tests.functional import aggregation as agg
from tests.functional import conftest
from tests.functional import publisher as pub

API = agg.API
MANAGE = os.path.join(os.path.dirname(agg.OPENSTACK), 'mercador-manage')
APP = 'tests.functional.crash_wsgi:application'
IN_PROGRESS = ('requested', 'compensating')
# Files of crash_wsgi in a server's directory (not imported here: that
# would build a Keystone).
ARMED = 'crash.json'
FIRED = 'crash-fired.json'

BIND = ('POST', API + '/bound_regions')
UNBIND = ('DELETE', API + '/bound_regions/[^/]+')
PROVIDER_BIND = ('POST', API + '/bindings')
PROVIDER_UNBIND = ('DELETE', API + '/bindings/[^/]+')
LOST = 'connection lost'

#: ``arms``: ``(server, (method, path), point)`` in the order they fire,
#: the kill last; ``answer``: what the caller of the aggregator gets;
#: ``after_crash``: the states (status of the bound region or None, number
#: of bindings of the offer at the provider) the kill may leave;
#: ``final``: the state after reconcile.
Case = collections.namedtuple(
    'Case', 'side operation point arms answer after_crash final')


def _aggregator_case(operation, point, after_crash, final, before=()):
    return Case('aggregator', operation, point, list(before) + [(
        'aggregator', BIND if operation == 'bind' else UNBIND, point)],
        LOST, after_crash, final)


def _provider_case(operation, request, point, after_crash, final,
                   before=()):
    return Case('provider', operation, '%s %s' % (request[0], point),
                list(before) + [('provider', request, point)], 'HTTP 502',
                after_crash, final)


# The provider creates its binding, then answers 500: the aggregator
# compensates.
PROVIDER_FAILS = ('provider', PROVIDER_BIND, 'error_reply')

MATRIX = [
    _aggregator_case('bind', 'bind_after_requested',
                     {('requested', 0)}, ('failed', 0)),
    _aggregator_case('bind', 'bind_after_remote',
                     {('requested', 1)}, ('failed', 0)),
    _aggregator_case('bind', 'bind_before_commit',
                     {('requested', 1)}, ('failed', 0)),
    _aggregator_case('bind', 'bind_after_commit',
                     {('active', 1)}, ('active', 1)),
    _aggregator_case('bind', 'compensate_before_remote',
                     {('compensating', 1)}, ('failed', 0),
                     before=[PROVIDER_FAILS]),
    _aggregator_case('bind', 'compensate_after_remote',
                     {('compensating', 0)}, ('failed', 0),
                     before=[PROVIDER_FAILS]),
    _aggregator_case('unbind', 'unbind_before_remote',
                     {('active', 1)}, ('active', 1)),
    _aggregator_case('unbind', 'unbind_after_remote',
                     {('active', 0)}, ('failed', 0)),
    _aggregator_case('unbind', 'unbind_before_commit',
                     {('active', 0)}, ('failed', 0)),
    _aggregator_case('unbind', 'unbind_after_commit',
                     {(None, 0)}, (None, 0)),
    # The aggregator compensates at once if the provider is back within
    # provider_timeout, else reconcile does.
    _provider_case('bind', PROVIDER_BIND, 'on_arrival',
                   {('failed', 0), ('compensating', 0)}, ('failed', 0)),
    _provider_case('bind', PROVIDER_BIND, 'before_reply',
                   {('failed', 0), ('compensating', 1)}, ('failed', 0)),
    # Killed while the aggregator compensates a bind the provider failed.
    _provider_case('bind', PROVIDER_UNBIND, 'on_arrival',
                   {('compensating', 1)}, ('failed', 0),
                   before=[PROVIDER_FAILS]),
    _provider_case('unbind', PROVIDER_UNBIND, 'on_arrival',
                   {('active', 1)}, ('active', 1)),
    _provider_case('unbind', PROVIDER_UNBIND, 'before_reply',
                   {('active', 0)}, ('failed', 0)),
]


def _case_id(case):
    return '%s-%s-%s' % (case.side, case.operation,
                         case.point.replace(' ', '-'))


def manage(server, *args):
    return subprocess.run(
        [MANAGE, '--config-file', os.path.join(server.dir, 'keystone.conf')]
        + list(args), env=server.env, capture_output=True, text=True,
        timeout=120)


def _read_json(path, default):
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        return default


def _mercador_rows(database_url):
    """``{table name: (Table, [row, ...])}`` of the Mercador tables."""
    engine = sa.create_engine(database_url, poolclass=pool.NullPool)
    try:
        meta = sa.MetaData()
        meta.reflect(engine, only=lambda name, _: name.startswith(
            'mercador_') and name != 'mercador_alembic_version')
        with engine.connect() as conn:
            return {name: (table, [dict(r._mapping) for r in
                                   conn.execute(sa.select(table))])
                    for name, table in meta.tables.items()}
    finally:
        engine.dispose()


def _dangling(side, tables):
    """Rows whose foreign key names a row that is gone (SQLite does not
    enforce foreign keys)."""
    found = []
    for name, (table, rows) in sorted(tables.items()):
        for fk in table.foreign_keys:
            existing = {r[fk.column.name]
                        for r in tables[fk.column.table.name][1]}
            found.extend('%s: %s row %s with %s %s, which is gone' % (
                side, name, row, fk.parent.name, row[fk.parent.name])
                for row in rows if row[fk.parent.name] is not None
                and row[fk.parent.name] not in existing)
    return found


def _show(state):
    status, bindings = state
    return '%s, %d binding%s' % (status or 'deleted', bindings,
                                 '' if bindings == 1 else 's')


class World:
    """A provider and an aggregator that may be killed, the aggregator
    registered at the provider and the provider at the aggregator, a
    tenant, the proxy's identity, and what each case made and saw."""

    def __init__(self, keystone_factory):
        # Set up side by side: most of it is waiting for subprocesses.
        with futures.ThreadPoolExecutor(2) as executor:
            provider = executor.submit(keystone_factory, 'crash-provider',
                                       app=APP)
            aggregator = executor.submit(
                keystone_factory, 'crash-aggregator', app=APP,
                extra_conf=conftest.AGGREGATOR_CONF)
            self.provider = provider.result()
            self.aggregator = aggregator.result()
        self.servers = {'provider': self.provider,
                        'aggregator': self.aggregator}
        self.provider_admin = client.Session.admin(self.provider)
        ref, _ = pub.register_aggregator(self.provider_admin)
        self.aggregator_id = ref['id']
        self.admin = client.Session.admin(self.aggregator)
        self.provider_ref = agg.register_provider(
            self.admin, self.provider, ref['credential'])
        self.project, user = agg.tenant(self.admin)
        self.tenant = client.Session.login(
            self.aggregator.url, client.password_auth(
                user_id=user['id'], password=agg.TENANT_PASSWORD,
                scope={'project': {'id': self.project['id']}}))
        proxy = self.aggregator.service_user(pub.unique('proxy'),
                                             role='service')
        self.proxy = client.Session.login(
            self.aggregator.url, client.password_auth(
                user_id=proxy['id'], password=servers.SERVICE_PASSWORD,
                scope={'project': {'name': 'service',
                                   'domain': {'name': 'Default'}}}))
        self.domains = set()
        #: case ID -> what the case made and saw
        self.cases = {}
        #: an ID or name a finding may mention -> the case it belongs to
        self.owners = {}

    def stop(self):
        for server in self.servers.values():
            server.stop()

    # one case

    def own(self, case_id, *keys):
        self.owners.update((key, case_id) for key in keys)

    def owner(self, text):
        return next((case_id for key, case_id in self.owners.items()
                     if key in text), None)

    def offer(self, case_id):
        """A published virtual region of the case's own service type."""
        service_type = pub.unique('crash')
        pub.ensure_service(self.provider_admin, service_type,
                           'http://127.0.0.1:9/' + service_type)
        vr = pub.create_virtual_region(self.provider_admin,
                                       services=[service_type])
        self.domains.add(vr['domain_id'])
        self.own(case_id, service_type, vr['id'], vr['domain_id'])
        return vr

    def use(self, bound):
        """Entitle the tenant and let the proxy ask for its access: the
        bound region then has an entitlement and project and user
        mappings here, and its binding a binding project at the
        provider."""
        self.admin.ok('PUT', API + '/bound_regions/%s/entitlements/'
                      'projects/%s' % (bound['id'], self.project['id']),
                      status=204)
        self.proxy.ok('GET', API + '/regions/%s/access' % bound['region_id'],
                      headers={'X-Subject-Token': self.tenant.token})
        assert self.provider_admin.ok(
            'GET', API + '/bindings/%s/projects' % bound['binding_id'])[
            'projects']

    def arm(self, arms):
        for name, (method, path), point in arms:
            armed_path = os.path.join(self.servers[name].dir, ARMED)
            armed = _read_json(armed_path, [])
            armed.append({'method': method, 'path': path, 'point': point})
            with open(armed_path, 'w') as f:
                json.dump(armed, f)

    def disarm(self):
        """The armed entries that did not fire (removed)."""
        left = []
        for server in self.servers.values():
            armed_path = os.path.join(server.dir, ARMED)
            left.extend(_read_json(armed_path, []))
            if os.path.exists(armed_path):
                os.remove(armed_path)
        return left

    def fired(self, name):
        return _read_json(os.path.join(self.servers[name].dir, FIRED), [])

    def wait_restarted(self, name, pid):
        """Wait until gunicorn reaped the killed worker and a new one
        answers."""
        server = self.servers[name]
        line = 'Worker (pid:%d) was sent SIGKILL' % pid
        deadline = time.monotonic() + 60
        while True:
            with open(os.path.join(server.dir, 'gunicorn.log'),
                      errors='replace') as f:
                if line in f.read():
                    break
            assert time.monotonic() < deadline, (
                '%s: no "%s" in gunicorn.log' % (name, line))
            time.sleep(0.2)
        server.wait_ready()

    def state(self, case_id, region_id, vr_id):
        rows = self.admin.ok('GET', API + '/bound_regions?region_id='
                             + region_id)['bound_regions']
        bindings = [b for b in self.provider_bindings()
                    if b['virtual_region_id'] == vr_id]
        self.own(case_id, *[r['id'] for r in rows])
        self.own(case_id, *[b['id'] for b in bindings])
        return (rows[0]['status'] if rows else None), len(bindings)

    def provider_bindings(self):
        return self.provider_admin.ok(
            'GET', API + '/bindings?aggregator_id=' + self.aggregator_id)[
            'bindings']

    # orphans

    def orphans(self):
        """Every orphan on either side, each a sentence naming it."""
        found = []
        admin = self.admin
        rows = admin.ok('GET', API + '/bound_regions')['bound_regions']
        active = {r['region_id']: r for r in rows if r['status'] == 'active'}
        found.extend('aggregator: bound region %s (%s) is still %s' % (
            r['region_id'], r['id'], r['status'])
            for r in rows if r['status'] in IN_PROGRESS)
        regions = {r['id'] for r in admin.ok('GET', '/v3/regions')[
            'regions']} - {'RegionOne'}
        found.extend('aggregator: region %s without an active bound region'
                     % r for r in sorted(regions - set(active)))
        found.extend('aggregator: active bound region %s without its region'
                     % r for r in sorted(set(active) - regions))
        endpoints = admin.ok('GET', '/v3/endpoints')['endpoints']
        found.extend('aggregator: endpoint %s in region %s without an '
                     'active bound region' % (e['id'], e['region_id'])
                     for e in endpoints
                     if e['region_id'] not in set(active) | {'RegionOne'})
        services = admin.ok('GET', '/v3/services')['services']
        used = {e['service_id'] for e in endpoints}
        found.extend('aggregator: service %s (%s) without an endpoint' % (
            s['id'], s['type']) for s in services if s['id'] not in used)
        tables = _mercador_rows(self.aggregator.database_url)
        found.extend(_dangling('aggregator', tables))
        active_ids = {r['id'] for r in active.values()}
        endpoint_ids = {e['id'] for e in endpoints}
        for row in tables['mercador_bound_endpoint'][1]:
            if row['bound_region_id'] not in active_ids:
                found.append('aggregator: bound endpoint %s of bound region '
                             '%s, which is not active' % (
                                 row['endpoint_id'], row['bound_region_id']))
            elif row['endpoint_id'] not in endpoint_ids:
                found.append('aggregator: bound endpoint %s (%s) is gone '
                             'from the catalog' % (row['endpoint_id'],
                                                   row['service_type']))
        service_ids = {s['id'] for s in services}
        found.extend('aggregator: owned service %s (%s) is gone from the '
                     'catalog' % (row['service_id'], row['service_type'])
                     for row in tables['mercador_service'][1]
                     if row['service_id'] not in service_ids)

        bindings = {b['id']: b for b in self.provider_bindings()}
        live = {r['binding_id'] for r in active.values()}
        found.extend('provider: binding %s (offer %s) without an active '
                     'bound region at the aggregator' % (
                         b['id'], b['virtual_region_id'])
                     for b in bindings.values() if b['id'] not in live)
        found.extend('aggregator: bound region %s: its binding %s is gone '
                     'at the provider' % (r['region_id'], r['binding_id'])
                     for r in active.values()
                     if r['binding_id'] not in bindings)
        tables = _mercador_rows(self.provider.database_url)
        found.extend(_dangling('provider', tables))
        # What a live binding made: its root project and user, and the
        # rows of its binding projects and users (their IDs are
        # Keystone's).
        made = set()
        for name, (table, trows) in tables.items():
            if 'binding_id' in table.c and name != 'mercador_binding':
                made.update(r['id'] for r in trows if r['binding_id'] in live)
        for binding_id in sorted(live & set(bindings)):
            binding = bindings[binding_id]
            made.update((binding['root_project_id'], binding['user_id']))
        for kind in ('project', 'user'):
            for ref in self.provider_admin.ok('GET', '/v3/%ss' % kind)[
                    kind + 's']:
                if ref['domain_id'] not in self.domains:
                    continue
                if ref['id'] in made:
                    made.discard(ref['id'])
                else:
                    found.append('provider: %s %s (%s) of domain %s, of no '
                                 'live binding' % (kind, ref['id'],
                                                   ref['name'],
                                                   ref['domain_id']))
        found.extend('provider: project or user %s of a live binding is '
                     'gone' % ref_id for ref_id in sorted(made))
        return found


@pytest.fixture(scope='module')
def world(keystone_factory):
    world = World(keystone_factory)
    assert world.orphans() == []
    yield world
    world.stop()


def _answer(request):
    try:
        return 'HTTP %d' % request().status_code
    except requests.ConnectionError:
        return LOST


@pytest.mark.parametrize('case', MATRIX, ids=_case_id)
def test_crash_point(world, case):
    """Kill one step; the killed Keystone must be back, and leave one of
    the states this step may leave (reconcile runs in the last test)."""
    case_id = _case_id(case)
    vr = world.offer(case_id)
    region_id = pub.unique('Vcrash')
    key = pub.unique('bind')
    world.own(case_id, region_id)
    if case.operation == 'bind':
        def request():
            return world.admin.post(API + '/bound_regions', json={
                'bound_region': {
                    'provider_id': world.provider_ref['id'],
                    'offer_id': vr['id'], 'region_id': region_id,
                    'idempotency_key': key}})
    else:
        bound = agg.bind(world.admin, world.provider_ref['id'], vr['id'],
                         region_id, key)['bound_region']
        world.own(case_id, bound['id'], bound['binding_id'])
        world.use(bound)

        def request():
            return world.admin.delete(API + '/bound_regions/' + bound['id'])

    fired = len(world.fired(case.side))
    world.arm(case.arms)
    answer = _answer(request)
    assert world.disarm() == []
    assert answer == case.answer
    kill = world.fired(case.side)[fired:][-1]
    assert kill['point'] == case.arms[-1][2]
    world.wait_restarted(case.side, kill['pid'])
    if case.side == 'aggregator':
        assert ('Fault injection: killing this process at %s.' % case.point
                in world.aggregator.read_log())

    after_crash = world.state(case_id, region_id, vr['id'])
    world.cases[case_id] = {'region_id': region_id, 'vr_id': vr['id'],
                            'answer': answer, 'after_crash': after_crash}
    assert after_crash in case.after_crash


COLUMNS = (('side', 'side'), ('operation', 'op'), ('point', 'kill point'),
           ('answer', 'caller got'), ('after_crash', 'after the restart'),
           ('repairs', 'reconcile repaired'), ('final', 'after reconcile'),
           ('orphans', 'orphans'))


def _table(results, notes):
    lines = [[title for _, title in COLUMNS]]
    for case in MATRIX:
        result = dict(results[_case_id(case)])
        result['repairs'] = '; '.join(result['repairs']) or 'nothing'
        lines.append([case.side, case.operation, case.point] + [
            str(result.get(key, '')) for key, _ in COLUMNS[3:]])
    widths = [max(len(line[i]) for line in lines)
              for i in range(len(COLUMNS))]
    text = ['  '.join(cell.ljust(width) for cell, width
                      in zip(line, widths)).rstrip() for line in lines]
    text.insert(1, '  '.join('-' * width for width in widths))
    return '\n'.join(text + [''] + notes) + '\n'


def test_crash_point_matrix(world, capsys, tmp_path, record_property):
    """Reconcile and audit after every kill, then: each case in the state
    it must end in, no orphan on either side, and what is left unbinds as
    usual to nothing. Prints the table, and fails with it."""
    problems = []
    results = {}
    for case in MATRIX:
        case_id = _case_id(case)
        seen = world.cases.get(case_id)
        results[case_id] = {'repairs': [], 'orphans': 0}
        if seen is None:
            problems.append('%s did not run to its end' % case_id)
            results[case_id]['answer'] = 'did not run to its end'
            continue
        results[case_id].update(answer=seen['answer'],
                                after_crash=_show(seen['after_crash']))

    out = manage(world.aggregator, 'reconcile', '--grace-period', '0')
    if out.returncode:
        problems.append('reconcile exited %d' % out.returncode)
    notes = ['reconcile (exit %d):' % out.returncode]
    for line in out.stdout.splitlines():
        owner = world.owner(line)
        if owner and ' -> repaired: ' in line:
            results[owner]['repairs'].append(line.split(' -> repaired: ')[1])
        else:
            notes.append('  ' + line)
    audit = manage(world.aggregator, 'audit', '--grace-period', '0')
    notes.append('audit (exit %d):' % audit.returncode)
    notes.extend('  ' + line for line in audit.stdout.splitlines())
    if audit.returncode or 'No drift.' not in audit.stdout:
        problems.append('audit after reconcile: ' + audit.stdout
                        + audit.stderr)

    for case in MATRIX:
        case_id = _case_id(case)
        seen = world.cases.get(case_id)
        if seen is None:
            continue
        final = world.state(case_id, seen['region_id'], seen['vr_id'])
        results[case_id]['final'] = _show(final)
        if final != case.final:
            problems.append('%s ends %s, not %s' % (
                case_id, _show(final), _show(case.final)))
    orphans = world.orphans()
    for orphan in orphans:
        owner = world.owner(orphan)
        if owner:
            results[owner]['orphans'] += 1
        notes.append('orphan of %s: %s' % (owner or 'no case', orphan))
    problems.extend(orphans)

    # What is left unbinds as usual, and then nothing is left.
    for row in world.admin.ok('GET', API + '/bound_regions')[
            'bound_regions']:
        r = world.admin.delete(API + '/bound_regions/' + row['id'])
        if r.status_code != 204:
            problems.append('unbinding %s after reconcile: %d %s' % (
                row['region_id'], r.status_code, r.text))
    left = world.orphans() + [
        'provider: binding %s is left' % b['id']
        for b in world.provider_bindings()]
    notes.extend('left after the last unbinds: %s' % o for o in left)
    problems.extend(left)

    table = _table(results, notes)
    record_property('crash_points', table)
    directory = os.environ.get('MERCADOR_TEST_ARTIFACTS') or str(tmp_path)
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, 'crash-points.txt')
    with open(path, 'w') as f:
        f.write(table)
    with capsys.disabled():
        print('\n\nCrash points of bind and unbind (%s):\n%s'
              % (path, table))
    assert not problems, '%s\n%s' % (table, '\n'.join(problems))
