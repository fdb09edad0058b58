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

"""An aggregator cloud in-process, and providers it talks to over HTTP.

``AggregatorTestCase`` is a ``KeystoneTestCase`` with the aggregator
managers and the ``mercador`` catalog driver. The providers are other
clouds: ``FakeProvider`` answers their OS-MERCADOR API (and Keystone's
``POST /v3/auth/tokens``) through ``requests_mock``, from memory, as
doc/api/os-mercador.yaml documents it. Every request body the aggregator
sends and every documented answer the fake gives is validated against that
document, so the fake cannot drift from the contract unnoticed.

A test makes a provider misbehave with ``FakeProvider.fail``: an HTTP
status or a transport exception, for the next matching call(s), optionally
after the call was applied (an answer lost on the way back). With
``FakeProvider.during`` it runs a concurrent request while the provider
handles a call.
"""

import datetime
import re
import urllib.parse
import uuid

import jsonschema
import requests
import requests_mock
import urllib3

from keystone import exception as ks_exception

from keystone_mercador.aggregator import access
from keystone_mercador import extension
from keystone_mercador import models
from tests import openapi
from tests.unit import keystone_fixture

CONF = keystone_fixture.CONF
PROVIDERS = keystone_fixture.PROVIDERS

PROXY_URL = 'https://proxy.test/mercador'
DOC = openapi.load()
_DOC_PREFIX = '/v3'


def _schema(node):
    return openapi.inline(node['content']['application/json']['schema'], DOC)


def _isotime(delta):
    return (datetime.datetime.now(datetime.timezone.utc) + delta).strftime(
        '%Y-%m-%dT%H:%M:%S.%fZ')


def refused():
    """The exception requests raises when nothing listens (not sent)."""
    reason = urllib3.exceptions.NewConnectionError(
        None, 'Failed to establish a new connection: Connection refused')
    return requests.exceptions.ConnectionError(
        urllib3.exceptions.MaxRetryError(None, '/', reason=reason))


class FakeProvider:
    """One provider cloud, as the aggregator sees it over HTTP.

    State: ``credentials`` ({application credential ID: secret}),
    ``offers``, ``bindings`` (each with its ``password``), ``projects``
    ({(binding ID, reference): project}), ``users`` ({(binding ID,
    reference): user}) and ``grants`` ({(user ID, project ID)}).
    ``calls`` lists every request as ``(method, route)``, the route being
    the documented template relative to the identity URL, e.g.
    ``('DELETE', '/OS-MERCADOR/bindings/{binding_id}')``.
    """

    def __init__(self, mocker, name='provider'):
        self.name = name
        self.url = 'https://%s.test/identity/v3' % name
        self.aggregator_id = uuid.uuid4().hex
        self.credentials = {}
        self.offers = {}
        self.bindings = {}
        self.projects = {}
        self.users = {}
        self.grants = set()
        self.tokens = {}
        self.expiries = {}
        self.calls = []
        self.token_lifetime = datetime.timedelta(hours=1)
        #: Answer a new binding as a replay (200, no credential), as when
        #: an earlier request with its idempotency key reached the provider.
        self.replay_bindings = False
        self._faults = []
        self._during = []
        self._routes = [
            (method, route, re.compile('^%s$' % re.sub(
                r'\{(\w+)\}', r'(?P<\1>[^/]+)', route)), handler)
            for method, route, handler in (
                ('POST', '/auth/tokens', self._authenticate),
                ('GET', '/OS-MERCADOR/offers', self._list_offers),
                ('GET', '/OS-MERCADOR/offers/{offer_id}', self._get_offer),
                ('GET', '/OS-MERCADOR/bindings', self._list_bindings),
                ('POST', '/OS-MERCADOR/bindings', self._create_binding),
                ('GET', '/OS-MERCADOR/bindings/{binding_id}',
                 self._get_binding),
                ('DELETE', '/OS-MERCADOR/bindings/{binding_id}',
                 self._delete_binding),
                ('POST', '/OS-MERCADOR/bindings/{binding_id}/credential',
                 self._rotate_credential),
                ('POST', '/OS-MERCADOR/bindings/{binding_id}/projects',
                 self._create_project),
                ('DELETE', '/OS-MERCADOR/bindings/{binding_id}/projects/'
                 '{project_id}/users', self._revoke_project_users),
                ('POST', '/OS-MERCADOR/bindings/{binding_id}/users',
                 self._create_user),
                ('DELETE', '/OS-MERCADOR/bindings/{binding_id}/users/'
                 '{user_id}', self._delete_user),
                ('POST', '/OS-MERCADOR/bindings/{binding_id}/users/'
                 '{user_id}/tokens', self._issue_user_token),
            )]
        mocker.add_matcher(self._match)

    # what a test sets up

    def add_credential(self):
        """A new application credential, as the provider admin gives it."""
        credential = {'application_credential_id': uuid.uuid4().hex,
                      'application_credential_secret': uuid.uuid4().hex}
        self.credentials[credential['application_credential_id']] = \
            credential['application_credential_secret']
        return credential

    def add_offer(self, services=('compute', 'network'), **kwargs):
        offer = {'id': uuid.uuid4().hex, 'name': uuid.uuid4().hex,
                 'description': '', 'services': list(services),
                 'limits': [], 'metadata': {'country': 'FR'}, 'hops': 1}
        offer.update(kwargs)
        offer['links'] = {'self': self.url + '/OS-MERCADOR/offers/'
                          + offer['id']}
        self.offers[offer['id']] = offer
        return offer

    def add_binding(self, offer_id, idempotency_key=None):
        """A binding made at the provider (behind Mercador's back when
        called by a test)."""
        offer = self.offers[offer_id]
        binding_id = uuid.uuid4().hex
        binding = {
            'id': binding_id, 'virtual_region_id': offer_id,
            'aggregator_id': self.aggregator_id,
            'idempotency_key': idempotency_key or uuid.uuid4().hex,
            'root_project_id': uuid.uuid4().hex,
            'user_id': uuid.uuid4().hex,
            'created_at': _isotime(datetime.timedelta())[:-1],
            'status': 'active', 'reason': None,
            'domain_id': uuid.uuid4().hex, 'region_id': 'RegionOne',
            'auth_url': self.url,
            'endpoints': [
                {'service_type': stype, 'interface': interface,
                 'url': 'https://%s.%s.test/%s' % (stype, self.name,
                                                   interface)}
                for stype in offer['services']
                for interface in ('internal', 'public')],
            'links': {'self': self.url + '/OS-MERCADOR/bindings/'
                      + binding_id},
            'password': uuid.uuid4().hex}
        self.bindings[binding_id] = binding
        return binding

    def fail(self, method, route, status=None, exc=None, apply=False,
             times=1):
        """Make the next ``times`` calls of a route fail (``times=None``:
        every call), with an HTTP ``status`` or by raising ``exc`` (a
        requests exception, or a callable returning one); with ``apply``
        the call takes effect first, as when only the answer is lost."""
        self._faults.append({'method': method, 'route': route,
                             'status': status, 'exc': exc, 'apply': apply,
                             'times': times})

    def during(self, method, route, callback):
        """Run ``callback()`` while the provider handles the next call of
        a route, before it answers: what a concurrent request does while
        this one waits for the provider."""
        self._during.append((method, route, callback))

    def calls_to(self, method, route):
        return self.calls.count((method, route))

    # the HTTP side

    def _match(self, request):
        parts = urllib.parse.urlsplit(request.url)
        base = urllib.parse.urlsplit(self.url)
        if parts.netloc != base.netloc or not parts.path.startswith(
                base.path):
            return None
        path = parts.path[len(base.path):]
        for method, route, pattern, handler in self._routes:
            match = pattern.match(path)
            if request.method == method and match:
                break
        else:
            return requests_mock.create_response(
                request, status_code=404, json=self._error(404))
        self.calls.append((method, route))
        for hook in self._during:
            if hook[:2] == (method, route):
                self._during.remove(hook)
                hook[2]()
                break
        body = request.json() if request.body else None
        operation = self._operation(method, route)
        if operation and 'requestBody' in operation:
            jsonschema.validate(body, _schema(operation['requestBody']))
        args = match.groups()
        query = dict(urllib.parse.parse_qsl(parts.query))
        fault = self._fault(method, route)
        if fault and not fault['apply']:
            return self._failure(request, fault)
        status, answer, headers = self._dispatch(
            handler, request, body, query, args)
        if fault:
            return self._failure(request, fault)
        if operation and str(status) in operation['responses']:
            documented = operation['responses'][str(status)]
            if 'content' in documented:
                jsonschema.validate(answer, _schema(documented))
        return requests_mock.create_response(
            request, status_code=status, json=answer, headers=headers)

    def _dispatch(self, handler, request, body, query, args):
        scope = self.tokens.get(request.headers.get('X-Auth-Token'))
        if handler == self._issue_user_token:
            # The binding's own identity only.
            if scope is None:
                return 401, self._error(401), {}
            if scope != ('binding', args[0]):
                return 403, self._error(403), {}
        elif handler != self._authenticate and scope != ('aggregator',):
            return 401, self._error(401), {}
        return handler(body, query, *args)

    @staticmethod
    def _operation(method, route):
        item = DOC['paths'].get(_DOC_PREFIX + route)
        return item and item.get(method.lower())

    def _fault(self, method, route):
        for fault in self._faults:
            if (fault['method'], fault['route']) == (method, route):
                if fault['times'] is not None:
                    fault['times'] -= 1
                    if not fault['times']:
                        self._faults.remove(fault)
                return fault
        return None

    def _failure(self, request, fault):
        if fault['exc'] is not None:
            exc = fault['exc']
            raise exc() if callable(exc) else exc
        return requests_mock.create_response(
            request, status_code=fault['status'],
            json=self._error(fault['status']))

    @staticmethod
    def _error(status, message='Injected by the test.'):
        return {'error': {'code': status, 'title': 'Error',
                          'message': message}}

    @staticmethod
    def _public(binding):
        return {k: v for k, v in binding.items() if k != 'password'}

    # the API

    def _authenticate(self, body, query):
        identity = body['auth']['identity']
        token = uuid.uuid4().hex
        expires_at = self.expiries[token] = _isotime(self.token_lifetime)
        if identity['methods'] == ['application_credential']:
            cred = identity['application_credential']
            if self.credentials.get(cred['id']) != cred['secret']:
                return 401, self._error(401, 'Invalid credential.'), {}
            self.tokens[token] = ('aggregator',)
        else:
            # The binding identity, unscoped.
            user = identity['password']['user']
            binding = next((b for b in self.bindings.values()
                            if b['user_id'] == user['id']), None)
            if binding is None or binding['password'] != user['password']:
                return 401, self._error(401, 'Invalid password.'), {}
            self.tokens[token] = ('binding', binding['id'])
        return (201, {'token': {'expires_at': expires_at}},
                {'X-Subject-Token': token})

    def _list_offers(self, body, query):
        offers = [o for o in self.offers.values()
                  if all(o['metadata'].get(k) == v
                         or (k == 'service_type' and v in o['services'])
                         or (k == 'name' and v == o['name'])
                         for k, v in query.items())]
        return 200, {'offers': offers, 'links': {
            'self': self.url + '/OS-MERCADOR/offers', 'next': None,
            'previous': None}}, {}

    def _get_offer(self, body, query, offer_id):
        if offer_id not in self.offers:
            return 404, self._error(404, 'No such offer.'), {}
        return 200, {'offer': self.offers[offer_id]}, {}

    def _list_bindings(self, body, query):
        return 200, {'bindings': [
            self._public(b) for b in self.bindings.values()], 'links': {
            'self': self.url + '/OS-MERCADOR/bindings', 'next': None,
            'previous': None}}, {}

    def _create_binding(self, body, query):
        wanted = body['binding']
        for binding in self.bindings.values():
            if binding['idempotency_key'] == wanted['idempotency_key']:
                if binding['virtual_region_id'] != wanted[
                        'virtual_region_id']:
                    return 422, self._error(422), {}
                return 200, {'binding': self._public(binding)}, {}
        if wanted['virtual_region_id'] not in self.offers:
            return 404, self._error(404, 'No such offer.'), {}
        binding = self.add_binding(wanted['virtual_region_id'],
                                   wanted['idempotency_key'])
        ref = self._public(binding)
        if self.replay_bindings:
            return 200, {'binding': ref}, {}
        ref['credential'] = self._credential(binding)
        return 201, {'binding': ref}, {}

    def _credential(self, binding):
        return {'type': 'password', 'auth_url': binding['auth_url'],
                'user_id': binding['user_id'],
                'user_domain_id': binding['domain_id'],
                'password': binding['password']}

    def _get_binding(self, body, query, binding_id):
        if binding_id not in self.bindings:
            return 404, self._error(404), {}
        return 200, {'binding': self._public(self.bindings[binding_id])}, {}

    def _delete_binding(self, body, query, binding_id):
        if self.bindings.pop(binding_id, None) is None:
            return 404, self._error(404), {}
        for objects in (self.projects, self.users):
            for key in [k for k in objects if k[0] == binding_id]:
                del objects[key]
        return 204, None, {}

    def _rotate_credential(self, body, query, binding_id):
        if binding_id not in self.bindings:
            return 404, self._error(404), {}
        binding = self.bindings[binding_id]
        binding['password'] = uuid.uuid4().hex
        return 200, {'credential': self._credential(binding)}, {}

    def _create_project(self, body, query, binding_id):
        if binding_id not in self.bindings:
            return 404, self._error(404), {}
        key = (binding_id, body['project']['reference'])
        if key in self.projects:
            return 200, {'project': self.projects[key]}, {}
        project_id = uuid.uuid4().hex
        self.projects[key] = {
            'id': project_id, 'binding_id': binding_id,
            'reference': key[1], 'created_at': _isotime(
                datetime.timedelta())[:-1],
            'links': {'self': '%s/OS-MERCADOR/bindings/%s/projects/%s' % (
                self.url, binding_id, project_id)}}
        return 201, {'project': self.projects[key]}, {}

    def _binding_object(self, objects, binding_id, object_id):
        return next((o for k, o in objects.items()
                     if k[0] == binding_id and o['id'] == object_id), None)

    def _revoke_project_users(self, body, query, binding_id, project_id):
        if self._binding_object(self.projects, binding_id,
                                project_id) is None:
            return 404, self._error(404), {}
        self.grants = {g for g in self.grants if g[1] != project_id}
        return 204, None, {}

    def _create_user(self, body, query, binding_id):
        if binding_id not in self.bindings:
            return 404, self._error(404), {}
        key = (binding_id, body['user']['reference'])
        if key in self.users:
            return 200, {'user': self.users[key]}, {}
        user_id = uuid.uuid4().hex
        self.users[key] = {
            'id': user_id, 'binding_id': binding_id,
            'reference': key[1], 'created_at': _isotime(
                datetime.timedelta())[:-1],
            'links': {'self': '%s/OS-MERCADOR/bindings/%s/users/%s' % (
                self.url, binding_id, user_id)}}
        return 201, {'user': self.users[key]}, {}

    def _delete_user(self, body, query, binding_id, user_id):
        for key, user in list(self.users.items()):
            if key[0] == binding_id and user['id'] == user_id:
                del self.users[key]
                self.grants = {g for g in self.grants if g[0] != user_id}
                return 204, None, {}
        return 404, self._error(404), {}

    def _issue_user_token(self, body, query, binding_id, user_id):
        project_id = body['token']['project_id']
        if (self._binding_object(self.users, binding_id, user_id) is None
                or self._binding_object(self.projects, binding_id,
                                        project_id) is None):
            return 404, self._error(404), {}
        self.grants.add((user_id, project_id))
        token = uuid.uuid4().hex
        expires_at = self.expiries[token] = _isotime(self.token_lifetime)
        self.tokens[token] = ('user', user_id, project_id)
        return (201, {'token': {
            'user_id': user_id, 'project_id': project_id,
            'expires_at': expires_at, 'audit_ids': [uuid.uuid4().hex]}},
            {'X-Subject-Token': token})


class AggregatorTestCase(keystone_fixture.KeystoneTestCase):
    """A reseller cloud with the aggregator side on, and one provider.

    ``self.provider`` is a ``FakeProvider``; ``register_provider`` stores
    it through the provider manager, ``bind`` binds one of its offers.
    """

    managers = extension.AGGREGATOR_MANAGERS
    cache_regions = (access.CACHE,)

    def config_overrides(self):
        super().config_overrides()
        self.config_fixture.config(group='mercador', publisher=False,
                                   aggregator=True, proxy_url=PROXY_URL)
        self.config_fixture.config(group='catalog', driver='mercador')

    def setUp(self):
        super().setUp()
        self.mocker = requests_mock.Mocker(case_sensitive=True)
        self.mocker.start()
        self.addCleanup(self.mocker.stop)
        self.provider = FakeProvider(self.mocker)
        self.initiator = keystone_fixture.new_initiator()
        self.providers = PROVIDERS.mercador_provider_api
        self.bound_regions = PROVIDERS.mercador_bound_region_api
        self.entitlements = PROVIDERS.mercador_entitlement_api

    def assertRaises(self, expected, *args, **kwargs):
        """As testtools' (Keystone's tests): return what was raised."""
        if not args:
            return super().assertRaises(expected, **kwargs)
        with super().assertRaises(expected) as caught:
            args[0](*args[1:], **kwargs)
        return caught.exception

    def new_provider(self, name):
        return FakeProvider(self.mocker, name=name)

    def register_provider(self, fake=None, **kwargs):
        fake = fake or self.provider
        ref = {'name': fake.name, 'auth_url': fake.url,
               'credential': fake.add_credential()}
        ref.update(kwargs)
        return self.providers.create_provider(ref, initiator=self.initiator)

    def bind(self, provider_ref, offer, region_id=None, key=None,
             **kwargs):
        """Bind an offer; return the row (raises what the manager
        raises)."""
        ref = {'provider_id': provider_ref['id'], 'offer_id': offer['id'],
               'region_id': region_id or 'Region' + uuid.uuid4().hex[:8],
               'idempotency_key': key or uuid.uuid4().hex}
        ref.update(kwargs)
        row, created = self.bound_regions.create_bound_region(
            ref, initiator=self.initiator)
        return row

    def bound_story(self, services=('compute', 'network'), region_id=None):
        """A registered provider and one active bound region of it."""
        provider_ref = self.register_provider()
        offer = self.provider.add_offer(services)
        return provider_ref, self.bind(provider_ref, offer,
                                       region_id=region_id)

    # Keystone objects

    def new_domain(self):
        domain_id = uuid.uuid4().hex
        return PROVIDERS.resource_api.create_domain(
            domain_id, {'id': domain_id, 'name': domain_id,
                        'enabled': True})

    def new_project(self, domain_id=None):
        domain_id = domain_id or CONF.identity.default_domain_id
        project_id = uuid.uuid4().hex
        return PROVIDERS.resource_api.create_project(project_id, {
            'id': project_id, 'name': project_id, 'domain_id': domain_id,
            'parent_id': domain_id, 'is_domain': False, 'enabled': True})

    def new_user(self, project, role='member'):
        user = PROVIDERS.identity_api.create_user({
            'name': uuid.uuid4().hex, 'domain_id': project['domain_id'],
            'enabled': True, 'password': uuid.uuid4().hex})
        PROVIDERS.assignment_api.create_grant(
            self.roles[role]['id'], user_id=user['id'],
            project_id=project['id'])
        return user

    def project_token(self, project, user=None):
        """A real Keystone token of a member of ``project``."""
        user = user or self.new_user(project)
        return PROVIDERS.token_provider_api.issue_token(
            user['id'], ['password'], project_id=project['id']).id

    def region_endpoints(self, region_id):
        return sorted((e for e in PROVIDERS.catalog_api.list_endpoints()
                       if e['region_id'] == region_id),
                      key=lambda e: e['url'])

    def assertRegionGone(self, region_id):
        """No region or endpoint left in the catalog, nor in Keystone's
        cache of it."""
        self.assertEqual([], self.region_endpoints(region_id))
        self.assertNotIn(region_id, [
            r['id'] for r in PROVIDERS.catalog_api.list_regions()])
        self.assertRaises(ks_exception.RegionNotFound,
                          PROVIDERS.catalog_api.get_region, region_id)

    def owned_services(self):
        return {r['service_type']: r['service_id']
                for r in self.mercador_rows(models.OwnedService)}

    def mercador_notifications(self):
        return [(event_type, payload['resource_info'])
                for event_type, payload in self.notifications
                if event_type.startswith('identity.OS-MERCADOR:')]
