"""Business rules of the aggregator side of Mercador.

Binding is a two-party protocol, so a bound region is a persisted state
machine::

    requested --> active
        |
        +--> compensating --> failed

The row is committed as ``requested`` before the provider is called; the
provider is called outside any local transaction (with the row's ID as its
idempotency key); then the local region, its endpoints and the row's
``active`` state are written in one transaction through Keystone's catalog
manager. When a step fails, the provider's half is undone (``compensating``)
and the row ends ``failed`` with the reason. A process that dies half-way
leaves a ``requested`` or ``compensating`` row that ``mercador-manage
reconcile`` finishes.

Rules:

- an offer of a provider is bound at most once (409 naming the bound region
  that holds it): two local regions over the same remote capacity would only
  confuse tenants; entitlements decide who sees it;
- a row holds its region ID, offer and idempotency key until deleted, also
  when it failed (its reason stays readable); delete it to try again;
- each bound region gets one ``public`` endpoint per offered service type,
  pointing at the Mercador proxy (``<proxy_url>/<region_id>/<type>``), in
  the aggregator's catalog service of that type (created if there is none,
  and deleted with the last bound endpoint that needed it).
"""

import datetime
import hashlib
import json
import os
import secrets
import signal
import uuid

from oslo_log import log

from keystone_mercador.aggregator import client as provider_client
from keystone_mercador import exception
from keystone_mercador import glue

CONF = glue.CONF
LOG = log.getLogger(__name__)
PROVIDERS = glue.PROVIDERS

PROVIDER = 'OS-MERCADOR:provider'
BOUND_REGION = 'OS-MERCADOR:bound_region'
ENTITLEMENT = 'OS-MERCADOR:entitlement'

IN_PROGRESS = ('requested', 'compensating')
TARGET_TYPES = ('project', 'domain')
INTERFACE = 'public'


def _request_hash(body):
    canonical = json.dumps(body, sort_keys=True, separators=(',', ':'))
    return hashlib.sha256(canonical.encode('utf-8')).hexdigest()


def _provider_view(row):
    ref = dict(row)
    ref.pop('encrypted_secret', None)
    ref.pop('key_hash', None)
    return ref


def _bound_region_view(row):
    ref = dict(row)
    for key in ('encrypted_password', 'key_hash', 'request_hash', 'binding'):
        ref.pop(key, None)
    return ref


def _fault(point):
    # Test-only: lets functional tests kill the process at a chosen point.
    if point in CONF.mercador.fault_injection:
        LOG.critical('Fault injection: killing this process at %s.', point)
        os.kill(os.getpid(), signal.SIGKILL)


def _utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


class Manager(glue.Manager):
    """Providers, their offers, bound regions and entitlements."""

    driver_namespace = 'mercador.aggregator'
    _provides_api = 'mercador_aggregator_api'

    def __init__(self):
        super().__init__('sql')
        for resource_type in TARGET_TYPES:
            glue.on_deleted(resource_type, self.driver.delete_entitlements_of)

    # providers

    def _client(self, provider, secret=None):
        if secret is None:
            secret = glue.decrypt(provider['encrypted_secret'])
        return provider_client.ProviderClient(provider, secret)

    def _check_provider(self, provider, secret):
        with self._client(provider, secret) as client:
            client.authenticate()

    def create_provider(self, provider, initiator=None):
        """Register a provider once its credential works."""
        values = dict(provider)
        credential = values.pop('credential')
        secret = credential['application_credential_secret']
        values.setdefault('description', '')
        values.setdefault('ca_certificate', None)
        values['application_credential_id'] = credential[
            'application_credential_id']
        self._check_provider(values, secret)
        values['encrypted_secret'], values['key_hash'] = glue.encrypt(secret)
        values['id'] = uuid.uuid4().hex
        ref = self.driver.create_provider(values)
        glue.Audit.created(PROVIDER, ref['id'], initiator)
        return _provider_view(ref)

    def get_provider(self, provider_id):
        return _provider_view(self.driver.get_provider(provider_id))

    def list_providers(self):
        return [_provider_view(p) for p in self.driver.list_providers()]

    def update_provider(self, provider_id, values, initiator=None):
        current = self.driver.get_provider(provider_id)
        values = dict(values)
        credential = values.pop('credential', None)
        if credential:
            values['application_credential_id'] = credential[
                'application_credential_id']
        connection = ('auth_url', 'ca_certificate',
                      'application_credential_id')
        if credential or any(k in values for k in connection):
            secret = (credential['application_credential_secret']
                      if credential else
                      glue.decrypt(current['encrypted_secret']))
            self._check_provider(dict(current, **values), secret)
            if credential:
                values['encrypted_secret'], values['key_hash'] = \
                    glue.encrypt(secret)
        ref = self.driver.update_provider(provider_id, values)
        glue.Audit.updated(PROVIDER, provider_id, initiator)
        return _provider_view(ref)

    def delete_provider(self, provider_id, initiator=None):
        self.driver.delete_provider(provider_id)
        glue.Audit.deleted(PROVIDER, provider_id, initiator)

    # offers (live, from the provider)

    def list_offers(self, provider_id, filters=None):
        provider = self.driver.get_provider(provider_id)
        with self._client(provider) as client:
            offers = client.list_offers(filters)
        return [dict(o, provider_id=provider_id) for o in offers]

    def get_offer(self, provider_id, offer_id):
        provider = self.driver.get_provider(provider_id)
        with self._client(provider) as client:
            offer = client.get_offer(offer_id)
        return dict(offer, provider_id=provider_id)

    # bound regions

    def create_bound_region(self, bound_region, initiator=None):
        """Bind an offer as a local region; return ``(ref, created)``.

        A replay with the same idempotency key and body returns the row as
        it is (whatever its state); with another body it is a 422.
        """
        values = dict(bound_region)
        key = values.pop('idempotency_key')
        values.setdefault('description', '')
        request_hash = _request_hash(values)
        existing = self.driver.find_bound_region(idempotency_key=key)
        if existing:
            if existing['request_hash'] != request_hash:
                raise exception.IdempotencyKeyReused(key=key)
            return _bound_region_view(existing), False
        provider = self.driver.get_provider(values['provider_id'])
        try:
            PROVIDERS.catalog_api.get_region(values['region_id'])
        except glue.RegionNotFound:
            pass
        else:
            raise exception.Conflict(
                reason='Region %s already exists.' % values['region_id'])
        with self._client(provider) as client:
            offer = client.get_offer(values['offer_id'])
        values.update(id=uuid.uuid4().hex, idempotency_key=key,
                      request_hash=request_hash, status='requested',
                      services=offer['services'])
        row = self.driver.create_bound_region(values)
        glue.Audit.created(BOUND_REGION, row['id'], initiator)
        return _bound_region_view(self._bind(provider, row, initiator)), True

    def _bind(self, provider, row, initiator):
        try:
            with self._client(provider) as client:
                binding, created = client.create_binding(
                    row['offer_id'], row['id'])
                if not created:
                    # An earlier attempt of this very row reached the
                    # provider; its password was never stored.
                    binding['credential'] = client.rotate_credential(
                        binding['id'])
        except exception.ProviderError as e:
            # A 4xx is a refusal: nothing was created there.
            applied = e.sent and (e.status is None or e.status >= 500)
            self._compensate(provider, row, str(e), applied, initiator)
            if e.status == 404:
                raise exception.ProviderOfferNotFound(
                    provider=provider['name'], offer_id=row['offer_id'])
            raise
        _fault('bind_after_remote')
        try:
            with glue.session_for_write():
                endpoints = self._write_catalog(provider, row, binding)
                password, key_hash = glue.encrypt(
                    binding.pop('credential')['password'])
                row = self.driver.update_bound_region(row['id'], {
                    'status': 'active', 'reason': None,
                    'binding_id': binding['id'], 'binding': binding,
                    'encrypted_password': password, 'key_hash': key_hash,
                    'services': sorted({e['service_type']
                                        for e in endpoints})}, endpoints)
        except Exception as e:
            LOG.exception('Bound region %s: the local catalog update failed.',
                          row['id'])
            self._compensate(provider, row, 'The local catalog update '
                             'failed: %s' % e, True, initiator, binding['id'])
            raise
        glue.Audit.updated(BOUND_REGION, row['id'], initiator)
        return row

    def _compensate(self, provider, row, reason, applied, initiator,
                    binding_id=None):
        """Undo the provider's half of a bind, then mark the row failed.

        If the provider cannot be reached the row stays ``compensating``
        for ``mercador-manage reconcile``.
        """
        if applied:
            self.driver.update_bound_region(
                row['id'], {'status': 'compensating', 'reason': reason})
            glue.Audit.updated(BOUND_REGION, row['id'], initiator)
            try:
                with self._client(provider) as client:
                    if binding_id is None:
                        binding_id = (client.find_binding(row['id'])
                                      or {}).get('id')
                    if binding_id:
                        client.delete_binding(binding_id)
            except exception.ProviderError as e:
                LOG.warning('Bound region %s stays compensating (%s); '
                            'mercador-manage reconcile will finish it.',
                            row['id'], e)
                return
        self.driver.update_bound_region(
            row['id'], {'status': 'failed', 'reason': reason})
        glue.Audit.updated(BOUND_REGION, row['id'], initiator)

    def _service_id(self, service_type, owned):
        """The catalog service endpoints of this type go into."""
        if service_type in owned:
            try:
                PROVIDERS.catalog_api.get_service(owned[service_type])
                return owned[service_type]
            except glue.ServiceNotFound:  # deleted by hand
                self.driver.remove_owned_service(owned.pop(service_type))
        services = sorted(
            (s for s in PROVIDERS.catalog_api.list_services()
             if s['type'] == service_type), key=lambda s: s['id'])
        if services:
            return services[0]['id']
        service_id = uuid.uuid4().hex
        PROVIDERS.catalog_api.create_service(service_id, {
            'id': service_id, 'type': service_type, 'name': service_type,
            'enabled': True,
            'description': 'Service of regions bound with Mercador.'})
        self.driver.add_owned_service(service_id, service_type)
        owned[service_type] = service_id
        return service_id

    def _write_catalog(self, provider, row, binding):
        """Create the region and its endpoints; return the endpoint rows.

        Call inside a write session.
        """
        region_id = row['region_id']
        try:
            PROVIDERS.catalog_api.get_region(region_id)
        except glue.RegionNotFound:
            PROVIDERS.catalog_api.create_region({
                'id': region_id,
                'description': (row['description'] or 'Bound from %s.'
                                % provider['name'])[:255]})
        owned = self.driver.list_owned_services()
        endpoints = []
        for service_type in sorted({e['service_type']
                                    for e in binding['endpoints']}):
            service_id = self._service_id(service_type, owned)
            endpoint_id = uuid.uuid4().hex
            PROVIDERS.catalog_api.create_endpoint(endpoint_id, {
                'id': endpoint_id, 'service_id': service_id,
                'region_id': region_id, 'interface': INTERFACE,
                'url': self.endpoint_url(region_id, service_type),
                'enabled': True})
            endpoints.append({'endpoint_id': endpoint_id,
                              'service_id': service_id,
                              'service_type': service_type})
        return endpoints

    @staticmethod
    def endpoint_url(region_id, service_type):
        return '%s/%s/%s' % (CONF.mercador.proxy_url.rstrip('/'), region_id,
                             service_type)

    def _remove_catalog(self, row):
        """Delete the region, its endpoints, and services left empty.

        Call inside a write session. Whatever is already gone is skipped.
        """
        region_id = row['region_id']
        service_ids = {e['service_id']
                       for e in self.driver.list_bound_endpoints(row['id'])}
        for endpoint in PROVIDERS.catalog_api.list_endpoints():
            if endpoint.get('region_id') == region_id:
                service_ids.add(endpoint['service_id'])
                PROVIDERS.catalog_api.delete_endpoint(endpoint['id'])
        self.driver.update_bound_region(row['id'], {}, endpoints=[])
        try:
            PROVIDERS.catalog_api.delete_region(region_id)
        except glue.RegionNotFound:
            pass
        owned = set(self.driver.list_owned_services().values())
        in_use = {e['service_id']
                  for e in PROVIDERS.catalog_api.list_endpoints()}
        for service_id in (service_ids & owned) - in_use:
            PROVIDERS.catalog_api.delete_service(service_id)
            self.driver.remove_owned_service(service_id)

    def get_bound_region(self, bound_region_id):
        return _bound_region_view(
            self.driver.get_bound_region(bound_region_id))

    def list_bound_regions(self, provider_id=None, status=None,
                           region_id=None, marker=None, limit=None):
        return [_bound_region_view(r) for r in self.driver.list_bound_regions(
            provider_id=provider_id, status=status, region_id=region_id,
            marker=marker, limit=limit)]

    def delete_bound_region(self, bound_region_id, initiator=None):
        """Unbind: the provider's binding first, then the local region.

        If the provider cannot be reached nothing changes (the region keeps
        working); if this process dies in between, reconcile sees that the
        remote binding vanished and removes the local region.
        """
        row = self.driver.get_bound_region(bound_region_id)
        if row['status'] in IN_PROGRESS:
            raise exception.Conflict(
                reason='Bound region %s is %s; wait, or run mercador-manage '
                'reconcile.' % (bound_region_id, row['status']))
        if row['status'] == 'active':
            provider = self.driver.get_provider(row['provider_id'])
            with self._client(provider) as client:
                client.delete_binding(row['binding_id'])
        with glue.session_for_write():
            if row['status'] == 'active':
                self._remove_catalog(row)
            self.driver.delete_bound_region(bound_region_id)
        glue.invalidate_catalog()
        glue.Audit.deleted(BOUND_REGION, bound_region_id, initiator)

    # entitlements

    def _check_target(self, target_type, target_id):
        if target_type == 'domain':
            PROVIDERS.resource_api.get_domain(target_id)
            return
        project = PROVIDERS.resource_api.get_project(target_id)
        if project.get('is_domain'):
            raise exception.InvalidInput(
                reason='%s is a domain; entitle it as a domain.' % target_id)

    def list_entitlements(self, bound_region_id):
        self.driver.get_bound_region(bound_region_id)
        return self.driver.list_entitlements(bound_region_id=bound_region_id)

    def create_entitlement(self, bound_region_id, target_type, target_id,
                           initiator=None):
        self._check_target(target_type, target_id)
        self.driver.create_entitlement(bound_region_id, target_type,
                                       target_id)
        glue.invalidate_catalog()
        glue.Audit.created(ENTITLEMENT, '%s/%s/%s' % (
            bound_region_id, target_type, target_id), initiator)

    def delete_entitlement(self, bound_region_id, target_type, target_id,
                           initiator=None):
        self.driver.get_bound_region(bound_region_id)
        self.driver.delete_entitlement(bound_region_id, target_type,
                                       target_id)
        glue.invalidate_catalog()
        glue.Audit.deleted(ENTITLEMENT, '%s/%s/%s' % (
            bound_region_id, target_type, target_id), initiator)

    def hidden_region_ids(self, project_id):
        """Region IDs of bound regions a project is not entitled to."""
        targets = []
        if project_id:
            project = PROVIDERS.resource_api.get_project(project_id)
            targets = [project_id, project['domain_id']]
        entitled = {e['bound_region_id'] for t in targets
                    for e in self.driver.list_entitlements(target_id=t)}
        return {r['region_id'] for r in self.driver.list_bound_regions()
                if r['id'] not in entitled}

    # drift between the two sides

    def reconcile(self, repair=False, grace_period=None):
        """Find drift between providers and the local catalog.

        With ``repair``, fix it: bind interrupted past ``grace_period``
        seconds -> rolled back (failed); remote binding vanished -> local
        region removed (failed); local region or endpoints deleted or edited
        by hand -> rewritten; remote binding without an active bound region
        -> deleted at the provider; entitlement of a deleted project or
        domain -> removed. Return one dict per finding: ``provider``,
        ``region_id``, ``problem``, ``repair`` and, when repairing,
        ``error`` (None once fixed).
        """
        if grace_period is None:
            grace_period = CONF.mercador.reconcile_grace_period
        cutoff = _utcnow() - datetime.timedelta(seconds=grace_period)
        findings = []
        for provider in self.driver.list_providers():
            findings.extend(self._reconcile_provider(provider, cutoff,
                                                     repair))
        for entitlement in self.driver.list_entitlements():
            try:
                self._check_target(entitlement['target_type'],
                                   entitlement['target_id'])
            except glue.NotFound:
                findings.append(self._fix(
                    None, None, '%(target_type)s %(target_id)s of an '
                    'entitlement no longer exists' % entitlement,
                    'remove the entitlement', repair,
                    self.driver.delete_entitlements_of,
                    entitlement['target_id']))
        if repair:
            glue.invalidate_catalog()
        return findings

    def _fix(self, provider, region_id, problem, action, repair, func,
             *args):
        finding = {'provider': provider['name'] if provider else None,
                   'region_id': region_id, 'problem': problem,
                   'repair': action}
        if repair:
            try:
                func(*args)
                finding['error'] = None
            except Exception as e:
                LOG.exception('Reconcile: %s: %s failed.', problem, action)
                finding['error'] = str(e) or e.__class__.__name__
        return finding

    def _reconcile_provider(self, provider, cutoff, repair):
        rows = self.driver.list_bound_regions(provider_id=provider['id'])
        try:
            with self._client(provider) as client:
                remote = client.list_bindings()
        except exception.ProviderError as e:
            return [{'provider': provider['name'], 'region_id': None,
                     'problem': str(e), 'repair': 'none, retry later',
                     'error': str(e) if repair else None}]
        findings = []
        live = [r for r in rows if r['status'] != 'failed']
        known = ({r['id'] for r in live}
                 | {r['binding_id'] for r in live if r['binding_id']})
        for binding in remote:
            if not known & {binding['id'], binding.get('idempotency_key')}:
                findings.append(self._fix(
                    provider, None, 'binding %s at the provider has no '
                    'bound region here' % binding['id'],
                    'delete it at the provider', repair,
                    self._delete_remote_binding, provider, binding['id']))
        by_key = {b.get('idempotency_key'): b for b in remote}
        by_id = {b['id']: b for b in remote}
        for row in rows:
            if row['status'] in IN_PROGRESS:
                if row['updated_at'] > cutoff:
                    continue
                findings.append(self._fix(
                    provider, row['region_id'],
                    'bind interrupted while %s' % row['status'],
                    'roll it back (failed)', repair, self._roll_back,
                    provider, row, by_key.get(row['id'])))
            elif row['status'] == 'active':
                if row['binding_id'] not in by_id:
                    findings.append(self._fix(
                        provider, row['region_id'],
                        'binding %s vanished at the provider'
                        % row['binding_id'],
                        'remove the local region (failed)', repair,
                        self._binding_vanished, row))
                    continue
                drift = self._catalog_drift(row)
                if drift:
                    findings.append(self._fix(
                        provider, row['region_id'], '; '.join(drift),
                        'rewrite the region and its endpoints', repair,
                        self._rewrite_catalog, provider, row))
        return findings

    def _delete_remote_binding(self, provider, binding_id):
        with self._client(provider) as client:
            client.delete_binding(binding_id)

    def _roll_back(self, provider, row, binding):
        reason = row['reason'] or 'The bind was interrupted.'
        self._compensate(provider, row, reason, True, None,
                         binding['id'] if binding else None)
        if self.driver.get_bound_region(row['id'])['status'] != 'failed':
            raise exception.ProviderError(
                provider=provider['name'],
                reason='the binding could not be deleted.')

    def _binding_vanished(self, row):
        with glue.session_for_write():
            self._remove_catalog(row)
            self.driver.update_bound_region(row['id'], {
                'status': 'failed', 'encrypted_password': None,
                'reason': 'Binding %s vanished at the provider.'
                % row['binding_id']})
        glue.Audit.updated(BOUND_REGION, row['id'], None)

    def _catalog_drift(self, row):
        region_id = row['region_id']
        problems = []
        try:
            PROVIDERS.catalog_api.get_region(region_id)
        except glue.RegionNotFound:
            problems.append('region %s is missing' % region_id)
        covered = set()
        for bound in self.driver.list_bound_endpoints(row['id']):
            stype = bound['service_type']
            try:
                endpoint = PROVIDERS.catalog_api.get_endpoint(
                    bound['endpoint_id'])
            except glue.EndpointNotFound:
                problems.append('endpoint of %s is missing' % stype)
                continue
            covered.add(stype)
            expected = {'region_id': region_id, 'interface': INTERFACE,
                        'service_id': bound['service_id'], 'enabled': True,
                        'url': self.endpoint_url(region_id, stype)}
            if any(endpoint.get(k) != v for k, v in expected.items()):
                problems.append('endpoint of %s was changed' % stype)
        for stype in sorted(set(row['services']) - covered):
            if 'endpoint of %s is missing' % stype not in problems:
                problems.append('no endpoint for %s' % stype)
        return problems

    def _rewrite_catalog(self, provider, row):
        with glue.session_for_write():
            for bound in self.driver.list_bound_endpoints(row['id']):
                try:
                    PROVIDERS.catalog_api.delete_endpoint(
                        bound['endpoint_id'])
                except glue.EndpointNotFound:
                    pass
            endpoints = self._write_catalog(provider, row, row['binding'])
            self.driver.update_bound_region(row['id'], {}, endpoints)
        glue.Audit.updated(BOUND_REGION, row['id'], None)

    # tenant access through the proxy

    def get_access(self, region_id, subject_token):
        """How the holder of ``subject_token`` reaches bound region
        ``region_id``: the provider token, provider project and endpoints
        the proxy uses on its behalf.

        The provider learns nothing about the local project: it is known
        there by a random reference only.
        """
        token = glue.validate_token(subject_token)
        project_id = token['project_id']
        row = self.driver.find_bound_region(region_id=region_id)
        if row is None or row['status'] != 'active':
            raise exception.BoundRegionNotFound(bound_region_id=region_id)
        if not project_id or not self._entitled(row['id'], project_id):
            raise exception.NotEntitled(region_id=region_id)
        mapping = self._project_mapping(row, project_id)
        key = 'provider-token:%s:%s' % (row['id'],
                                        mapping['provider_project_id'])
        cached = ACCESS_CACHE.get(key)
        if not isinstance(cached, dict) or _expired(cached['expires_at']):
            cached = self._provider_token(row, mapping)
            ACCESS_CACHE.set(key, cached)
        endpoints = {e['service_type']: e['url']
                     for e in row['binding']['endpoints']
                     if e['interface'] == INTERFACE}
        return {'region_id': region_id, 'project_id': project_id,
                'provider_project_id': mapping['provider_project_id'],
                'token': cached['token'],
                'expires_at': min(cached['expires_at'],
                                  _normalize_time(token['expires_at'])),
                'endpoints': endpoints}

    def _entitled(self, bound_region_id, project_id):
        project = PROVIDERS.resource_api.get_project(project_id)
        for target_id in (project_id, project['domain_id']):
            for entitlement in self.driver.list_entitlements(
                    bound_region_id=bound_region_id, target_id=target_id):
                return True
        return False

    def _project_mapping(self, row, project_id):
        mapping = self.driver.get_project_mapping(row['id'], project_id)
        if mapping is None:
            mapping = self.driver.create_project_mapping({
                'bound_region_id': row['id'], 'project_id': project_id,
                'reference': 'ref-' + secrets.token_hex(24)})
        if not mapping['provider_project_id']:
            provider = self.driver.get_provider(row['provider_id'])
            with self._client(provider) as client:
                project = client.create_binding_project(
                    row['binding_id'], mapping['reference'])
            self.driver.set_provider_project(row['id'], project_id,
                                             project['id'])
            mapping['provider_project_id'] = project['id']
        return mapping

    def _provider_token(self, row, mapping):
        provider = self.driver.get_provider(row['provider_id'])
        binding = row['binding']
        with provider_client.ProviderClient(provider, None) as client:
            token, expires_at = client.project_token(
                binding['user_id'], glue.decrypt(row['encrypted_password']),
                mapping['provider_project_id'])
        return {'token': token, 'expires_at': _normalize_time(expires_at)}


ACCESS_CACHE = glue.create_cache_region('mercador provider tokens')
# Provider tokens are reused until this close to their expiry.
TOKEN_MARGIN = datetime.timedelta(seconds=120)


def _normalize_time(value):
    parsed = datetime.datetime.fromisoformat(value.replace('Z', '+00:00'))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.timezone.utc)
    return parsed.astimezone(datetime.timezone.utc).strftime(
        '%Y-%m-%dT%H:%M:%S.%fZ')


def _expired(expires_at):
    parsed = datetime.datetime.fromisoformat(expires_at.replace('Z',
                                                                '+00:00'))
    return parsed - TOKEN_MARGIN <= datetime.datetime.now(
        datetime.timezone.utc)
