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

"""Bound regions: the bind saga, unbind, and their catalog writes.

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
import os
import signal
import uuid

from oslo_log import log
from oslo_utils import timeutils

from keystone_mercador.aggregator import access
from keystone_mercador.common import utils
from keystone_mercador import exception
from keystone_mercador import glue
from keystone_mercador.i18n import _

CONF = glue.CONF
LOG = log.getLogger(__name__)
PROVIDERS = glue.PROVIDERS

BOUND_REGION = 'OS-MERCADOR:bound_region'
IN_PROGRESS = ('requested', 'compensating')
INTERFACE = 'public'


def fault(point):
    """Test-only: kill this process at a named point of the saga when
    ``[mercador] fault_injection`` lists it (never set in production)."""
    if point in CONF.mercador.fault_injection:
        LOG.critical('Fault injection: killing this process at %s.', point)
        os.kill(os.getpid(), signal.SIGKILL)


def endpoint_url(region_id, service_type):
    return '%s/%s/%s' % (CONF.mercador.proxy_url.rstrip('/'), region_id,
                         service_type)


def _providers():
    return PROVIDERS.mercador_provider_api


def _unusable(error):
    """Whether a provider error means every call would fail the same way:
    no connection, no answer in time, or the credential is refused."""
    return (isinstance(error, exception.ProviderTimeout)
            or error.status in (None, 401, 403))


class RemoteCleanup:
    """Best-effort deletion of bindings at one provider, for forced
    unbinds: once the provider proved unusable, it is not called again
    (one timeout, not one per bound region)."""

    def __init__(self, provider):
        self.provider = provider
        self.error = None

    def delete_binding(self, row):
        """Delete the row's binding at the provider; return a leftover
        (what is left there and why) or None."""
        if self.error is None:
            try:
                with _providers().client(self.provider) as client:
                    binding_id = row['binding_id'] or (
                        client.find_binding(row['id']) or {}).get('id')
                    if binding_id:
                        client.delete_binding(binding_id)
                return None
            except exception.ProviderError as e:
                error = e
                if _unusable(e):
                    self.error = e
            except glue.CredentialEncryptionError as e:
                error = self.error = exception.ProviderError(
                    provider=self.provider['name'],
                    reason=_('its credential cannot be decrypted (%s)')
                    % str(e))
        else:
            error = self.error
        LOG.warning('Bound region %s: forced unbind, binding %s is left at '
                    'provider %s: %s', row['id'], row['binding_id'],
                    self.provider['name'], error)
        return {'bound_region_id': row['id'], 'region_id': row['region_id'],
                'provider_id': self.provider['id'],
                'provider_name': self.provider['name'],
                'binding_id': row['binding_id'], 'reason': str(error)}


class Manager(glue.Manager):

    driver_namespace = 'mercador.aggregator'
    _provides_api = 'mercador_bound_region_api'

    def __init__(self):
        super().__init__('sql')

    def create_bound_region(self, bound_region, initiator=None):
        """Bind an offer as a local region; return ``(ref, created)``.

        A replay with the same idempotency key and body returns the row as
        it is (whatever its state); with another body it is a 422.
        """
        values = dict(bound_region)
        key = values.pop('idempotency_key')
        values.setdefault('description', '')
        request_hash = utils.request_hash(values)

        def replay():
            return utils.replayed(
                self.driver.find_bound_region(idempotency_key=key),
                request_hash, key)

        existing = replay()
        if existing:
            return existing, False
        provider = self.driver.get_provider(values['provider_id'])
        try:
            PROVIDERS.catalog_api.get_region(values['region_id'])
        except glue.RegionNotFound:
            pass
        else:
            raise exception.Conflict(
                reason=_('Region %s already exists.') % values['region_id'])
        with _providers().client(provider) as client:
            offer = client.get_offer(values['offer_id'])
        values.update(id=uuid.uuid4().hex, idempotency_key=key,
                      request_hash=request_hash, status='requested',
                      services=offer['services'],
                      limits=offer.get('limits', []),
                      hops=offer.get('hops', 1),
                      metadata=offer.get('metadata') or {})
        try:
            row = self.driver.create_bound_region(values)
        except exception.Conflict:
            # A concurrent request with the same key got there first.
            existing = replay()
            if existing:
                return existing, False
            raise
        glue.Audit.created(BOUND_REGION, row['id'], initiator)
        fault('bind_after_requested')
        return self._bind(provider, row, initiator), True

    def _bind(self, provider, row, initiator):
        try:
            with _providers().client(provider) as client:
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
            self.compensate(provider, row, str(e), applied, initiator)
            if e.status == 404:
                raise exception.ProviderOfferNotFound(
                    provider=provider['name'], offer_id=row['offer_id'])
            raise
        fault('bind_after_remote')
        try:
            row = self._activate(provider, row, binding)
        except Exception as e:
            LOG.exception('Bound region %s: the local catalog update failed.',
                          row['id'])
            self.compensate(provider, row, 'The local catalog update '
                            'failed: %s' % e, True, initiator, binding['id'])
            raise
        fault('bind_after_commit')
        glue.Audit.updated(BOUND_REGION, row['id'], initiator)
        return row

    def _activate(self, provider, row, binding):
        """Write the local region and endpoints, and the row ``active``,
        in one transaction.

        Tried twice: a concurrent bind may create the catalog service of a
        type this one needs in between (then this one uses it).
        """
        binding = dict(binding)
        password, key_hash = glue.encrypt(
            binding.pop('credential')['password'])
        for attempt in range(2):
            try:
                with glue.session_for_write():
                    endpoints = self.write_catalog(provider, row, binding)
                    fault('bind_before_commit')
                    return self.driver.update_bound_region(row['id'], {
                        'status': 'active', 'reason': None,
                        'binding_id': binding['id'], 'binding': binding,
                        'encrypted_password': password, 'key_hash': key_hash,
                        'services': sorted(
                            {e['service_type'] for e in endpoints}
                            - access.NEVER_RELAYED)}, endpoints)
            except exception.OwnedServiceConflict:
                if attempt:
                    raise
                LOG.info('Bound region %s: a concurrent bind created a '
                         'service it needs; writing its catalog again.',
                         row['id'])

    def compensate(self, provider, row, reason, applied, initiator,
                   binding_id=None):
        """Undo the provider's half of a bind, then mark the row failed.

        If the provider cannot be reached the row stays ``compensating``
        for ``mercador-manage reconcile``.
        """
        if applied:
            self.driver.update_bound_region(
                row['id'], {'status': 'compensating', 'reason': reason})
            glue.Audit.updated(BOUND_REGION, row['id'], initiator)
            fault('compensate_before_remote')
            try:
                with _providers().client(provider) as client:
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
            fault('compensate_after_remote')
        self.driver.update_bound_region(
            row['id'], {'status': 'failed', 'reason': reason})
        glue.Audit.updated(BOUND_REGION, row['id'], initiator)

    def get_bound_region(self, bound_region_id):
        return self.driver.get_bound_region(bound_region_id)

    def find_bound_region(self, region_id):
        return self.driver.find_bound_region(region_id=region_id)

    def list_bound_regions(self, provider_id=None, status=None,
                           region_id=None, marker=None, limit=None):
        return self.driver.list_bound_regions(
            provider_id=provider_id, status=status, region_id=region_id,
            marker=marker, limit=limit)

    def interrupted(self, row):
        """Whether a bind in progress is older than the grace period (its
        process died: nothing else will finish it)."""
        cutoff = timeutils.utcnow() - datetime.timedelta(
            seconds=CONF.mercador.reconcile_grace_period)
        return row['updated_at'] <= cutoff

    def check_deletable(self, row, force=False):
        """Conflict while a bind is in progress; with ``force``, only while
        it is within its grace period."""
        if row['status'] not in IN_PROGRESS or (force and
                                                self.interrupted(row)):
            return
        raise exception.Conflict(
            reason=_('Bound region %s is %s; wait, or run mercador-manage '
                     'reconcile.') % (row['id'], row['status']))

    @staticmethod
    def dependents(row):
        """The virtual regions of this Keystone built on a bound region."""
        if not CONF.mercador.publisher:
            return []
        return PROVIDERS.mercador_publisher_api.list_dependents(row['id'])

    def check_no_dependents(self, row, force=False):
        """Conflict while virtual regions are built on the bound region,
        unless ``force`` (their bindings then answer ``failed``)."""
        names = sorted(vr['name'] for vr in self.dependents(row))
        if names and not force:
            raise exception.Conflict(
                reason=_('Bound region %s carries virtual region(s) %s; '
                         'delete them first, or force the unbind (their '
                         'bindings then fail).') % (row['region_id'],
                                                    ', '.join(names)))

    def delete_bound_region(self, bound_region_id, force=False,
                            initiator=None, remote=None):
        """Unbind: the provider's binding first, then the local region.

        If the provider cannot be reached nothing changes (the region keeps
        working); if this process dies in between, reconcile sees that the
        remote binding vanished and removes the local region.

        With ``force`` (a provider that went away), the local region, its
        endpoints, the services left empty, its entitlements and project
        mappings go whatever the provider answers; the binding is deleted
        at the provider if it can be. Returns what could not be cleaned
        there: a list of leftovers (empty without ``force``). ``remote``
        (a ``RemoteCleanup``) is shared by the unbinds of one provider.
        """
        row = self.driver.get_bound_region(bound_region_id)
        self.check_deletable(row, force)
        self.check_no_dependents(row, force)
        fault('unbind_before_remote')
        leftovers = []
        if force:
            if row['binding_id'] or row['status'] in IN_PROGRESS:
                remote = remote or RemoteCleanup(
                    self.driver.get_provider(row['provider_id']))
                leftover = remote.delete_binding(row)
                if leftover:
                    leftovers.append(leftover)
        elif row['status'] == 'active':
            provider = self.driver.get_provider(row['provider_id'])
            with _providers().client(provider) as client:
                client.delete_binding(row['binding_id'])
        fault('unbind_after_remote')
        with glue.session_for_write():
            if row['status'] == 'active' or force:
                self.remove_catalog(row)
            self.driver.delete_bound_region(bound_region_id)
            fault('unbind_before_commit')
        fault('unbind_after_commit')
        glue.invalidate_catalog()
        glue.Audit.deleted(BOUND_REGION, bound_region_id, initiator)
        return leftovers

    def mark_failed(self, row, reason):
        """Remove the local region and keep the row, failed, with the
        reason (its binding password is forgotten)."""
        with glue.session_for_write():
            self.remove_catalog(row)
            self.driver.update_bound_region(row['id'], {
                'status': 'failed', 'encrypted_password': None,
                'key_hash': None, 'reason': reason})
        glue.invalidate_catalog()
        glue.Audit.updated(BOUND_REGION, row['id'], None)

    def mark_vanished(self, row):
        """The provider's binding is gone: remove the local region and
        keep the row, failed, with the reason."""
        self.mark_failed(row, 'Binding %s vanished at the provider.'
                         % row['binding_id'])

    # the local catalog of a bound region

    def _existing_service(self, service_type, owned):
        """The catalog service endpoints of this type go into, or None if
        there is none yet."""
        if service_type in owned:
            try:
                PROVIDERS.catalog_api.get_service(owned[service_type])
                return owned[service_type]
            except glue.ServiceNotFound:  # deleted by hand
                self.driver.remove_owned_service(owned.pop(service_type))
        # A disabled service is in no catalog: never put endpoints there.
        services = sorted(
            (s for s in PROVIDERS.catalog_api.list_services()
             if s['type'] == service_type and s.get('enabled', True)),
            key=lambda s: s['id'])
        return services[0]['id'] if services else None

    @staticmethod
    def _region_exists(region_id):
        try:
            PROVIDERS.catalog_api.get_region(region_id)
            return True
        except glue.RegionNotFound:
            return False

    def local_identity(self):
        """``(service ID, URL)`` of this Keystone's own public identity
        endpoint, or None: a bound region lists it as every region of a
        multi-region cloud does, so that clients told to use that region
        (``--os-region-name``) find the identity service there too. Tenants
        authenticate here; the provider's identity service is never
        offered.
        """
        bound = {r['region_id'] for r in self.driver.list_bound_regions()}
        endpoints = sorted(PROVIDERS.catalog_api.list_endpoints(),
                           key=lambda e: (e.get('region_id') or '', e['id']))
        for endpoint in endpoints:
            if (endpoint['interface'] == INTERFACE and endpoint.get('enabled')
                    and endpoint.get('region_id') not in bound):
                service = PROVIDERS.catalog_api.get_service(
                    endpoint['service_id'])
                if service['type'] == 'identity' and service.get('enabled'):
                    return endpoint['service_id'], endpoint['url']
        return None

    def write_catalog(self, provider, row, binding, adopt_region=False):
        """Create the region and its endpoints; return the endpoint rows.

        Call inside a write session. Mercador's rows of the services it
        creates come first (a concurrent bind that created one is an
        OwnedServiceConflict before anything else was done), then Keystone's
        region (a Conflict if one of that ID exists, unless
        ``adopt_region``), services and endpoints.
        """
        region_id = row['region_id']
        owned = self.driver.list_owned_services()
        # Identity is never relayed (access.NEVER_RELAYED): a provider that
        # still offers it gets no endpoint for it here.
        service_types = sorted({e['service_type']
                                for e in binding['endpoints']}
                               - access.NEVER_RELAYED)
        service_ids, new = {}, []
        for service_type in service_types:
            service_id = self._existing_service(service_type, owned)
            if service_id is None:
                service_id = uuid.uuid4().hex
                self.driver.add_owned_service(service_id, service_type)
                new.append(service_type)
            service_ids[service_type] = service_id
        if not (adopt_region and self._region_exists(region_id)):
            glue.create_keystone_object(
                'region', PROVIDERS.catalog_api.create_region, {
                    'id': region_id,
                    'description': (row['description'] or 'Bound from %s.'
                                    % provider['name'])[:255]})
        for service_type in new:
            glue.create_keystone_object(
                'service', PROVIDERS.catalog_api.create_service,
                service_ids[service_type], {
                    'id': service_ids[service_type], 'type': service_type,
                    'name': service_type, 'enabled': True,
                    'description': 'Service of regions bound with '
                                   'Mercador.'})
        urls = {t: endpoint_url(region_id, t) for t in service_types}
        identity = self.local_identity()
        if identity:
            service_ids['identity'], urls['identity'] = identity
        endpoints = []
        for service_type, url in sorted(urls.items()):
            service_id = service_ids[service_type]
            endpoint_id = uuid.uuid4().hex
            PROVIDERS.catalog_api.create_endpoint(endpoint_id, {
                'id': endpoint_id, 'service_id': service_id,
                'region_id': region_id, 'interface': INTERFACE,
                'url': url, 'enabled': True})
            endpoints.append({'endpoint_id': endpoint_id,
                              'service_id': service_id,
                              'service_type': service_type})
        return endpoints

    def remove_catalog(self, row):
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

    def catalog_drift(self, row):
        """What differs between an active row and the local catalog."""
        region_id = row['region_id']
        problems = []
        try:
            PROVIDERS.catalog_api.get_region(region_id)
        except glue.RegionNotFound:
            problems.append('region %s is missing' % region_id)
        covered = set()
        identity = self.local_identity()
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
                        'url': endpoint_url(region_id, stype)}
            if stype in access.NEVER_RELAYED:
                expected.update(zip(('service_id', 'url'), identity or (
                    None, None)))
            if any(endpoint.get(k) != v for k, v in expected.items()):
                problems.append('endpoint of %s was changed' % stype)
        for stype in sorted(set(row['services']) - covered):
            if 'endpoint of %s is missing' % stype not in problems:
                problems.append('no endpoint for %s' % stype)
        return problems

    def rewrite_catalog(self, provider, row):
        with glue.session_for_write():
            for bound in self.driver.list_bound_endpoints(row['id']):
                try:
                    PROVIDERS.catalog_api.delete_endpoint(
                        bound['endpoint_id'])
                except glue.EndpointNotFound:
                    pass
            endpoints = self.write_catalog(provider, row, row['binding'],
                                           adopt_region=True)
            self.driver.update_bound_region(row['id'], {}, endpoints)
        glue.Audit.updated(BOUND_REGION, row['id'], None)
