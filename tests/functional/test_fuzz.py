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

"""Schemathesis over doc/api/os-mercador.yaml against real Keystones.

Every documented operation is fuzzed as each identity that may call it or
must be refused: on a provider's Keystone its admin and an aggregator (with
the credential the provider issued), on an aggregator's Keystone the
reseller's admin and a tenant (a member), and the proxy's service identity
on the access route. Requests are generated from the document, valid ones
and invalid ones (where an operation has a body or a query to get wrong);
path parameters and body references are drawn either from the generated
values or from real objects, so that the operations reach past their
``404``. Every answer must be as documented: no 5xx, a documented status,
content type and schema.

The suite has Keystones of its own: what it deletes, rotates and patches
cannot break another suite. Operations that destroy or change an object
(``DELETE``, ``PATCH``, ``PUT``, credential rotation) run last, each on
objects made for it. Generation is derandomised (Hypothesis' seed is the
test's): a failure reproduces with the same command. The budget is
``MERCADOR_FUZZ_EXAMPLES`` examples per operation and identity (default 12
on SQLite, 4 on MariaDB and PostgreSQL, where a backend's own behaviour,
such as NUL characters or case-insensitive names, is what is exercised).
At the end nothing may be half-made: ``mercador-manage audit`` is clean on
the aggregator and every row at the provider has its Keystone objects, and
every object Mercador makes in Keystone has its row.
"""

import collections
import os
import time

import hypothesis
from hypothesis import strategies as st
import pytest
import schemathesis
from schemathesis import checks as st_checks
from schemathesis.specs.openapi import checks as oa_checks
import sqlalchemy as sa

from harness import client
from harness import servers
from tests.functional import aggregation as agg
from tests.functional import conftest
from tests.functional import databases
from tests.functional import publisher as pub
from tests.functional.test_aggregator_faults import manage
from tests import openapi

API = pub.API


@schemathesis.check
def no_server_error(ctx, response, case):
    """Schemathesis' ``not_a_server_error``, but for the gateway errors
    (502, 504) of an operation that documents them: the aggregator's
    answer when the provider refused or could not be reached."""
    if response.status_code in (502, 504) and (
            str(response.status_code) in case.operation.definition.raw[
                'responses']):
        return None
    return st_checks.not_a_server_error(ctx, response, case)


CHECKS = [
    no_server_error,
    oa_checks.status_code_conformance,
    oa_checks.content_type_conformance,
    oa_checks.response_schema_conformance,
]
EXAMPLES = int(os.environ.get(
    'MERCADOR_FUZZ_EXAMPLES',
    12 if databases.backend() == 'sqlite' else 4))

DOC = openapi.load()
SCHEMA = schemathesis.openapi.from_dict(
    DOC, config=schemathesis.Config.from_dict(
        {'generation': {'with-security-parameters': False}}))

#: Identities of each side; the proxy's only where it is the caller.
IDENTITIES = {'provider': ('provider-admin', 'aggregator'),
              'aggregator': ('reseller-admin', 'tenant')}
PROXY_ONLY = '/v3/OS-MERCADOR/regions/{region_id}/access'


def _destructive(method, path):
    return method in ('delete', 'patch', 'put') or path.endswith(
        '/credential')


def _cases():
    safe, destructive = [], []
    for (path, method), op in openapi.operations(DOC).items():
        tag = op['tags'][0]
        identities = IDENTITIES[tag]
        if path == PROXY_ONLY:
            identities = identities + ('proxy',)
        for identity in identities:
            case = pytest.param(tag, identity, method, path,
                                id='%s-%s-%s' % (identity, method.upper(),
                                                 path[len(API):]))
            (destructive if _destructive(method, path) else safe).append(
                case)
    return safe + destructive


#: Figures of the run: {(identity, method, path): Counter(status)}.
FIGURES = collections.defaultdict(collections.Counter)
SPENT = {}


class World:
    """The fuzz suite's servers and the real objects it fuzzes with."""

    def __init__(self, keystone_factory):
        self.provider = keystone_factory('fuzz-provider')
        self.aggregator = keystone_factory(
            'fuzz-aggregator', extra_conf=conftest.AGGREGATOR_CONF)
        self.padmin = client.Session.admin(self.provider)
        pub.ensure_service(self.padmin, 'image', 'http://127.0.0.1:9292')
        # The aggregator Keystone's registration at the provider; the
        # provider side is fuzzed with another one, whose bindings are
        # not behind a bound region.
        seller, _ = pub.register_aggregator(self.padmin)
        self.reseller, self.reseller_session = pub.register_aggregator(
            self.padmin)
        self.vr = pub.create_virtual_region(self.padmin)
        self.binding = pub.bind(self.reseller_session, self.vr['id'])
        self.binding_project = self.new_binding_project()

        self.aadmin = client.Session.admin(self.aggregator)
        self.provider_ref = agg.register_provider(
            self.aadmin, self.provider, seller['credential'])
        self.bound = agg.bind(self.aadmin, self.provider_ref['id'],
                              self.vr['id'])['bound_region']
        assert self.bound['status'] == 'active', self.bound
        self.project, user = agg.tenant(self.aadmin)
        self.entitle(self.bound['id'], self.project['id'])
        self.member = client.Session.login(
            self.aggregator.url, client.password_auth(
                user_id=user['id'], password=agg.TENANT_PASSWORD,
                scope={'project': {'id': self.project['id']}}))
        proxy_user = self.aggregator.service_user('fuzz-proxy',
                                                  role='service')
        self.proxy = client.Session.login(
            self.aggregator.url, client.password_auth(
                user_id=proxy_user['id'], password=servers.SERVICE_PASSWORD,
                scope={'project': {'name': 'service',
                                   'domain': {'name': 'Default'}}}))
        self.tokens = {'provider-admin': self.padmin.token,
                       'aggregator': self.reseller_session.token,
                       'reseller-admin': self.aadmin.token,
                       'tenant': self.member.token,
                       'proxy': self.proxy.token}

    def new_binding_project(self):
        return self.reseller_session.ok(
            'POST', API + '/bindings/%s/projects' % self.binding['id'],
            json={'project': {'reference': pub.unique('fuzz-reference')}}
        )['project']

    def entitle(self, bound_region_id, project_id):
        self.aadmin.ok('PUT', API + '/bound_regions/%s/entitlements/'
                       'projects/%s' % (bound_region_id, project_id),
                       status=204)

    def shared(self):
        """Real values of each path parameter, shared by the operations
        that change nothing."""
        return {
            'virtual_region_id': [self.vr['id']],
            'offer_id': [self.vr['id']],
            'aggregator_id': [self.reseller['id']],
            'binding_id': [self.binding['id']],
            # A provider's binding project, and a tenant of the aggregator.
            'project_id': [self.binding_project['id'], self.project['id']],
            'provider_id': [self.provider_ref['id']],
            'bound_region_id': [self.bound['id']],
            'target_id': [self.project['id'], 'default'],
            'region_id': [self.bound['region_id']],
        }

    def victims(self, path):
        """Real values of the path parameters of an operation that
        destroys or changes them: objects made for it alone."""
        values = self.shared()
        if '{virtual_region_id}' in path:
            values['virtual_region_id'] = [pub.create_virtual_region(
                self.padmin, publish=False)['id']]
        if '{aggregator_id}' in path:
            values['aggregator_id'] = [pub.register_aggregator(
                self.padmin)[0]['id']]
        if '{binding_id}' in path and '{project_id}' in path:
            values['project_id'] = [self.new_binding_project()['id']]
        elif '{binding_id}' in path:
            values['binding_id'] = [pub.bind(self.reseller_session,
                                             self.vr['id'])['id']]
        if '{provider_id}' in path:
            seller, _ = pub.register_aggregator(self.padmin)
            values['provider_id'] = [agg.register_provider(
                self.aadmin, self.provider, seller['credential'])['id']]
        if '{bound_region_id}' in path and '{target_id}' in path:
            project, _ = agg.tenant(self.aadmin)
            self.entitle(self.bound['id'], project['id'])
            values['target_id'] = [project['id'], 'default']
        elif '{bound_region_id}' in path:
            # An offer is bound once per provider: another offer.
            offer = pub.create_virtual_region(self.padmin)
            values['bound_region_id'] = [agg.bind(
                self.aadmin, self.provider_ref['id'], offer['id'])[
                'bound_region']['id']]
        return values

    def plug(self, body, draw):
        """A valid body with some of its references made real (drawn, so
        that the example reproduces); every URL on loopback."""
        if not isinstance(body, dict) or len(body) != 1:
            return body
        (kind, fields), = body.items()
        if not isinstance(fields, dict):
            return body
        real = {
            'virtual_region_id': self.vr['id'],
            'provider_id': self.provider_ref['id'],
            'offer_id': self.vr['id'],
        }
        if kind == 'virtual_region':
            real.update(region_id='RegionOne')
            if 'services' in fields:
                real['services'] = ['image']
            if 'aggregator_ids' in fields:
                real['aggregator_ids'] = [self.reseller['id']]
            # An existing domain is taken only when it is free.
            fields.pop('domain_id', None)
        for key, value in real.items():
            if key in fields and draw(st.booleans()):
                fields[key] = value
        # Never leave the machine: every URL is the provider's or a port
        # where nothing listens.
        for holder in (fields, fields.get('credential')):
            if isinstance(holder, dict) and isinstance(
                    holder.get('auth_url'), str):
                holder['auth_url'] = draw(st.sampled_from(
                    [self.provider.auth_url, 'http://127.0.0.1:9/v3']))
        return body


@pytest.fixture(scope='module')
def world(db_backend, keystone_factory):
    return World(keystone_factory)


def _strategy(operation, path):
    op = DOC['paths'][path][operation.method.lower()]
    params = op.get('parameters', []) + DOC['paths'][path].get(
        'parameters', [])
    strategies = [operation.as_strategy(
        generation_mode=schemathesis.GenerationMode.POSITIVE)]
    if 'requestBody' in op or any(p['in'] in ('query', 'header')
                                  for p in params):
        strategies.append(operation.as_strategy(
            generation_mode=schemathesis.GenerationMode.NEGATIVE))
    return st.one_of(strategies)


@pytest.mark.parametrize('tag,identity,method,path', _cases())
def test_fuzz(world, tag, identity, method, path):
    server = world.provider if tag == 'provider' else world.aggregator
    token = world.tokens[identity]
    operation = SCHEMA[path][method.upper()]
    values = (world.victims(path) if _destructive(method, path)
              else world.shared())
    figures = FIGURES[(identity, method.upper(), path)]

    @hypothesis.settings(
        max_examples=EXAMPLES, derandomize=True, database=None,
        deadline=None, suppress_health_check=list(hypothesis.HealthCheck),
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate])
    @hypothesis.given(case=_strategy(operation, path), data=st.data())
    def fuzz(case, data):
        for name in case.path_parameters or {}:
            if name in values and data.draw(st.booleans(), label=name):
                case.path_parameters[name] = data.draw(
                    st.sampled_from(values[name]), label=name)
        positive = case.meta is None or (
            case.meta.generation.mode
            == schemathesis.GenerationMode.POSITIVE)
        if positive and case.body is not None:
            case.body = world.plug(case.body, data.draw)
        if path == PROXY_ONLY and data.draw(st.booleans()):
            case.headers = dict(case.headers or {},
                                **{'X-Subject-Token': world.member.token})
        response = case.call_and_validate(
            base_url=server.url, headers={'X-Auth-Token': token},
            checks=CHECKS, timeout=60)
        figures[response.status_code] += 1

    started = time.monotonic()
    fuzz()
    SPENT[(identity, method.upper(), path)] = time.monotonic() - started


def _rows(engine, table, *columns):
    meta = sa.MetaData()
    t = sa.Table(table, meta, autoload_with=engine)
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(
            sa.select(*[t.c[c] for c in columns]))]


def _half_made_at_provider(server):
    """What is half-made at the provider: a Mercador row without its
    Keystone objects, a Keystone object Mercador made without its row."""
    engine = sa.create_engine(server.database_url)
    try:
        projects = {p['id']: p for p in _rows(
            engine, 'project', 'id', 'name', 'domain_id', 'parent_id',
            'is_domain')}
        users = {u['id']: u for u in _rows(engine, 'user', 'id',
                                           'domain_id')}
        app_creds = {c['id'] for c in _rows(
            engine, 'application_credential', 'id')}
        aggregators = _rows(engine, 'mercador_aggregator', 'id', 'user_id',
                            'project_id', 'application_credential_id')
        vrs = {v['id']: v for v in _rows(
            engine, 'mercador_virtual_region', 'id', 'domain_id')}
        bindings = {b['id']: b for b in _rows(
            engine, 'mercador_binding', 'id', 'virtual_region_id',
            'root_project_id', 'user_id')}
        binding_projects = _rows(engine, 'mercador_binding_project', 'id',
                                 'binding_id')
        binding_users = _rows(engine, 'mercador_binding_user', 'id',
                              'binding_id')
    finally:
        engine.dispose()
    found = []
    domains = {i: p for i, p in projects.items() if p['is_domain']}
    by_name = {p['name']: i for i, p in domains.items()}
    aggregator_domain = by_name.get('mercador_aggregators')
    for a in aggregators:
        if a['project_id'] not in projects:
            found.append('aggregator %s: no home project' % a['id'])
        if a['user_id'] not in users:
            found.append('aggregator %s: no user' % a['id'])
        if a['application_credential_id'] not in app_creds:
            found.append('aggregator %s: no credential' % a['id'])
    for b in bindings.values():
        root = projects.get(b['root_project_id'])
        vr = vrs.get(b['virtual_region_id'])
        if root is None:
            found.append('binding %s: no root project' % b['id'])
        elif vr is None or root['domain_id'] != vr['domain_id']:
            found.append('binding %s: root project outside its virtual '
                         'region\'s domain' % b['id'])
        if b['user_id'] not in users:
            found.append('binding %s: no user' % b['id'])
    for bp in binding_projects:
        project = projects.get(bp['id'])
        binding = bindings.get(bp['binding_id'])
        if project is None or binding is None or (
                project['parent_id'] != binding['root_project_id']):
            found.append('binding project %s: not under its binding\'s '
                         'root project' % bp['id'])
    for bu in binding_users:
        binding = bindings.get(bu['binding_id'])
        user = users.get(bu['id'])
        if binding is None or user is None or (
                user['domain_id'] != vrs[binding['virtual_region_id']][
                    'domain_id']):
            found.append('binding user %s: not in its binding\'s virtual '
                         'region' % bu['id'])
    # The other way: what Mercador makes in Keystone has its row.
    known_projects = (
        {a['project_id'] for a in aggregators}
        | {b['root_project_id'] for b in bindings.values()}
        | {bp['id'] for bp in binding_projects})
    known_users = ({a['user_id'] for a in aggregators}
                   | {b['user_id'] for b in bindings.values()}
                   | {bu['id'] for bu in binding_users})
    mercador_domains = {v['domain_id'] for v in vrs.values()} | {
        aggregator_domain}
    for i, p in projects.items():
        if p['is_domain']:
            if i not in mercador_domains and p['name'] != 'Default' and (
                    i != '<<keystone.domain.root>>'):
                found.append('domain %s (%s): no virtual region'
                             % (i, p['name']))
        elif p['domain_id'] in mercador_domains and i not in known_projects:
            found.append('project %s: no aggregator, binding or binding '
                         'project' % i)
    for i, u in users.items():
        if u['domain_id'] in mercador_domains and i not in known_users:
            found.append('user %s: no aggregator, binding or binding user'
                         % i)
    return found


def test_fuzz_left_nothing_half_made(world):
    """Runs after the fuzzing (the last test of the module)."""
    out = manage(world.aggregator, 'audit', '--grace-period', '0')
    assert out.returncode == 0, out.stdout + out.stderr
    assert _half_made_at_provider(world.provider) == []
    # The bound region everything was fuzzed through still works.
    world.proxy.ok('GET', API + '/regions/%s/access'
                   % world.bound['region_id'],
                   headers={'X-Subject-Token': world.member.token})
    lines = ['%-14s %-6s %-62s %5.1fs %s' % (
        identity, method, path[len(API):], SPENT.get(
            (identity, method, path), 0.0),
        ' '.join('%s:%d' % kv for kv in sorted(counter.items())))
        for (identity, method, path), counter in sorted(FIGURES.items())]
    total = sum(sum(c.values()) for c in FIGURES.values())
    print('\nFuzzed %d operation/identity pairs, %d requests, %.0fs:\n%s'
          % (len(FIGURES), total, sum(SPENT.values()), '\n'.join(lines)))
