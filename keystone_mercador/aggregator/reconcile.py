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

"""Drift between providers and this aggregator, found and repaired.

Used by ``mercador-manage audit`` (report) and ``reconcile`` (repair).
"""

import datetime

from oslo_log import log
from oslo_utils import timeutils

from keystone_mercador.aggregator import binding
from keystone_mercador import exception
from keystone_mercador import glue
from keystone_mercador.i18n import _

CONF = glue.CONF
LOG = log.getLogger(__name__)
PROVIDERS = glue.PROVIDERS


def reconcile(repair=False, grace_period=None, dead_after=None):
    """Find drift between providers and the local catalog.

    With ``repair``, fix it: bind interrupted past ``grace_period`` seconds
    -> rolled back (failed); remote binding vanished -> local region
    removed (failed); local region or endpoints deleted or edited by hand
    -> rewritten; remote binding without an active bound region -> deleted
    at the provider; remote binding failed (its virtual region is built on
    a bound region of the provider's that failed) -> local region removed
    (failed, with the provider's reason); virtual region of this Keystone
    built on a bound region that failed, is failing or is gone -> withdrawn
    (its bindings answer failed); entitlement of a deleted project or
    domain -> removed;
    provider dead (it rejects the aggregator's credential, or has been
    unreachable for ``dead_after`` seconds) -> its bound regions marked
    failed and taken out of the catalogs. Return one dict per finding:
    ``provider``, ``region_id``, ``problem``, ``repair`` and, when
    repairing, ``error`` (None once fixed).
    """
    if grace_period is None:
        grace_period = CONF.mercador.reconcile_grace_period
    if dead_after is None:
        dead_after = CONF.mercador.provider_dead_after
    now = timeutils.utcnow()
    cutoff = now - datetime.timedelta(seconds=grace_period)
    findings = []
    for provider in PROVIDERS.mercador_provider_api.list_providers():
        findings.extend(_reconcile_provider(
            provider, cutoff, repair, now, dead_after))
    findings.extend(_orphan_dependents(repair))
    entitlements = PROVIDERS.mercador_entitlement_api
    for entitlement in entitlements.list_entitlements():
        try:
            entitlements.check_target(entitlement['target_type'],
                                      entitlement['target_id'])
        except glue.NotFound:
            findings.append(_fix(
                None, None, '%(target_type)s %(target_id)s of an '
                'entitlement no longer exists' % entitlement,
                'remove the entitlement', repair,
                entitlements.delete_entitlements_of,
                entitlement['target_id']))
    findings.extend(_orphan_user_mappings(repair))
    if repair:
        glue.invalidate_catalog()
    return findings


def _orphan_user_mappings(repair):
    """Provider users of local users that were deleted while their
    provider could not be told."""
    findings = []
    access = PROVIDERS.mercador_access_api
    gone = {}
    for mapping in access.driver.list_user_mappings():
        user_id = mapping['user_id']
        if user_id not in gone:
            try:
                PROVIDERS.identity_api.get_user(user_id)
                gone[user_id] = False
            except glue.UserNotFound:
                gone[user_id] = True
        if not gone[user_id]:
            continue
        row = access.driver.get_bound_region(mapping['bound_region_id'])
        findings.append(_fix(
            PROVIDERS.mercador_provider_api.get_provider(row['provider_id']),
            row['region_id'],
            'provider user %s acts for deleted user %s'
            % (mapping['provider_user_id'], user_id),
            'delete the provider user', repair, _delete_provider_user,
            mapping))
    return findings


def _delete_provider_user(mapping):
    if not PROVIDERS.mercador_access_api.delete_provider_user(mapping):
        raise exception.ProviderError(
            provider=mapping['bound_region_id'],
            reason=_('the provider user could not be deleted.'))


def _fix(provider, region_id, problem, action, repair, func, *args):
    finding = {'provider': provider['name'] if provider else None,
               'region_id': region_id, 'problem': problem, 'repair': action}
    if repair:
        try:
            func(*args)
            finding['error'] = None
        except Exception as e:
            LOG.exception('Reconcile: %s: %s failed.', problem, action)
            finding['error'] = str(e) or e.__class__.__name__
    return finding


def _unusable(provider, rows, error, repair, now, dead_after):
    """Findings of a provider that could not be used.

    It is dead when it rejects the aggregator's credential (the provider
    revoked the aggregator: its bindings went with it), or when it has
    been unreachable since ``dead_after`` seconds at least, as successive
    runs saw it. Then each bound region that is not failed yet is marked
    failed with the reason and taken out of the catalogs; the provider
    itself stays, for its admin to delete (``--force``).
    """
    providers = PROVIDERS.mercador_provider_api
    bound_regions = PROVIDERS.mercador_bound_region_api
    live = [r for r in rows if r['status'] != 'failed']
    regions = ', '.join(r['region_id'] for r in rows) or 'none'
    revoked = error.status in (401, 403)
    since = provider.get('unreachable_since')
    if not revoked and since is None:
        since = now
        providers.set_unreachable(provider['id'], since)
    if revoked:
        dead = _('the provider rejects this aggregator\'s credential (it '
                 'revoked the aggregator?): %s') % str(error)
    elif (now - since).total_seconds() >= dead_after:
        dead = _('the provider has been unreachable since %s: %s') % (
            since.isoformat(), str(error))
    else:
        return [{'provider': provider['name'], 'region_id': None,
                 'problem': _('unreachable since %(since)s (bound regions: '
                              '%(regions)s; they are marked failed once it '
                              'has been unreachable for %(dead_after)ds): '
                              '%(error)s') % {
                     'since': since.isoformat(), 'regions': regions,
                     'dead_after': dead_after, 'error': str(error)},
                 'repair': _('none, retry later'),
                 'error': str(error) if repair else None}]
    findings = [{
        'provider': provider['name'], 'region_id': None,
        'problem': _('dead provider (bound regions: %(regions)s): '
                     '%(dead)s') % {'regions': regions, 'dead': str(dead)},
        'repair': _('none here: delete the provider (openstack mercador '
                    'provider delete --force) once you are done with it'),
        'error': _('the provider is dead') if repair else None}]
    for row in live:
        findings.append(_fix(
            provider, row['region_id'], _('its provider is dead'),
            _('mark the region failed and take it out of the catalogs'),
            repair, bound_regions.mark_failed, row,
            _('Provider %s is dead: %s') % (provider['name'], str(dead))))
        findings.extend(_dependents(provider, row, repair))
    return findings


def _dependents(provider, row, repair):
    """Findings of the virtual regions of this Keystone built on a bound
    region that failed or is failing: their bindings answer ``failed``
    (the aggregators downstream then fail their regions), and reconcile
    withdraws them, so that nobody binds them any more."""
    bound_regions = PROVIDERS.mercador_bound_region_api
    findings = []
    for vr in bound_regions.dependents(row):
        count = PROVIDERS.mercador_publisher_api.count_bindings(
            [vr['id']])[vr['id']]
        findings.append(_fix(
            provider, row['region_id'],
            _('virtual region %(name)s (%(status)s, %(count)d binding(s)) '
              'is built on it; its bindings report it failed') % {
                'name': vr['name'], 'status': vr['status'],
                'count': count},
            _('withdraw the virtual region') if vr['status'] == 'published'
            else _('none, its bindings go with their aggregators\' '
                   'reconcile'),
            repair, PROVIDERS.mercador_publisher_api.withdraw_dependent,
            vr['id']))
    return findings


def _orphan_dependents(repair):
    """Published virtual regions built on a bound region that is failed
    or gone (unbound with ``--force``)."""
    if not CONF.mercador.publisher:
        return []
    publisher = PROVIDERS.mercador_publisher_api
    bound_regions = PROVIDERS.mercador_bound_region_api
    findings = []
    for vr in publisher.list_virtual_regions(status='published'):
        upstream_id = vr.get('upstream_bound_region_id')
        if not upstream_id:
            continue
        try:
            row = bound_regions.get_bound_region(upstream_id)
        except exception.BoundRegionNotFound:
            row = None
        if row is not None and row['status'] != 'failed':
            continue
        findings.append(_fix(
            None, row['region_id'] if row else None,
            _('virtual region %(name)s is built on bound region %(id)s, '
              'which is %(state)s') % {
                'name': vr['name'], 'id': upstream_id,
                'state': _('failed') if row else _('gone')},
            _('withdraw the virtual region'), repair,
            publisher.withdraw_dependent, vr['id']))
    return findings


def _reconcile_provider(provider, cutoff, repair, now, dead_after):
    bound_regions = PROVIDERS.mercador_bound_region_api
    providers = PROVIDERS.mercador_provider_api
    try:
        with providers.client(provider) as client:
            remote = client.list_bindings()
    except exception.ProviderError as e:
        rows = bound_regions.list_bound_regions(provider_id=provider['id'])
        return _unusable(provider, rows, e, repair, now, dead_after)
    except glue.CredentialEncryptionError as e:
        return [{'provider': provider['name'], 'region_id': None,
                 'problem': _('its credential cannot be decrypted (%s); '
                              'register it again') % str(e),
                 'repair': _('none here (mercador-manage credential-rotate '
                             'after each key rotation prevents it)'),
                 'error': str(e) if repair else None}]
    if provider.get('unreachable_since'):
        providers.set_unreachable(provider['id'], None)
    # Read after the provider's list: a bind whose row is inserted in
    # between has no binding in that list yet, so it is never taken for
    # the owner of an orphan.
    rows = bound_regions.list_bound_regions(provider_id=provider['id'])
    findings = []
    live = [r for r in rows if r['status'] != 'failed']
    known = ({r['id'] for r in live}
             | {r['binding_id'] for r in live if r['binding_id']})
    for remote_binding in remote:
        if not known & {remote_binding['id'],
                        remote_binding.get('idempotency_key')}:
            findings.append(_fix(
                provider, None, 'binding %s at the provider has no bound '
                'region here' % remote_binding['id'],
                'delete it at the provider', repair,
                _delete_remote_binding, provider, remote_binding['id']))
    by_key = {b.get('idempotency_key'): b for b in remote}
    by_id = {b['id']: b for b in remote}
    for row in rows:
        if row['status'] in binding.IN_PROGRESS:
            if row['updated_at'] > cutoff:
                continue
            findings.append(_fix(
                provider, row['region_id'],
                'bind interrupted while %s' % row['status'],
                'roll it back (failed)', repair, _roll_back,
                provider, row, by_key.get(row['id'])))
        elif row['status'] == 'active':
            if row['binding_id'] not in by_id:
                findings.append(_fix(
                    provider, row['region_id'],
                    'binding %s vanished at the provider' % row['binding_id'],
                    'remove the local region (failed)', repair,
                    bound_regions.mark_vanished, row))
                findings.extend(_dependents(provider, row, repair))
                continue
            remote_binding = by_id[row['binding_id']]
            if remote_binding.get('status', 'active') != 'active':
                # Its virtual region is built on a bound region of the
                # provider's that failed (service chaining).
                reason = _('The provider reports binding %(binding)s '
                           'failed: %(reason)s') % {
                    'binding': row['binding_id'],
                    'reason': remote_binding.get('reason') or _('no reason')}
                findings.append(_fix(
                    provider, row['region_id'],
                    'binding %s failed at the provider: %s' % (
                        row['binding_id'], remote_binding.get('reason')),
                    'remove the local region (failed)', repair,
                    bound_regions.mark_failed, row, reason))
                findings.extend(_dependents(provider, row, repair))
                continue
            drift = bound_regions.catalog_drift(row)
            if drift:
                findings.append(_fix(
                    provider, row['region_id'], '; '.join(drift),
                    'rewrite the region and its endpoints', repair,
                    bound_regions.rewrite_catalog, provider, row))
    return findings


def _delete_remote_binding(provider, binding_id):
    with PROVIDERS.mercador_provider_api.client(provider) as client:
        client.delete_binding(binding_id)


def _roll_back(provider, row, remote_binding):
    bound_regions = PROVIDERS.mercador_bound_region_api
    reason = row['reason'] or 'The bind was interrupted.'
    bound_regions.compensate(
        provider, row, reason, True, None,
        remote_binding['id'] if remote_binding else None)
    if bound_regions.get_bound_region(row['id'])['status'] != 'failed':
        raise exception.ProviderError(
            provider=provider['name'],
            reason=_('the binding could not be deleted.'))
