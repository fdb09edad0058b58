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

"""Business rules of the provider side of Mercador.

The manager runs inside Keystone and changes Keystone's own resources
(domains, projects, users, role assignments, application credentials,
limits) through Keystone's managers, in the same database transaction as its
own rows: a failure anywhere leaves neither half behind.
"""

import base64
import secrets
import time
import uuid

from oslo_log import log
from oslo_utils import excutils
from oslo_utils import timeutils

from keystone_mercador.common import usage
from keystone_mercador.common import utils
from keystone_mercador import exception
from keystone_mercador import glue
from keystone_mercador.i18n import _
from keystone_mercador.policies import publisher as publisher_policies
from keystone_mercador.publisher import usage as placement

CONF = glue.CONF
LOG = log.getLogger(__name__)
PROVIDERS = glue.PROVIDERS

AGGREGATOR = 'OS-MERCADOR:aggregator'
VIRTUAL_REGION = 'OS-MERCADOR:virtual_region'
BINDING = 'OS-MERCADOR:binding'
BINDING_PROJECT = 'OS-MERCADOR:binding_project'
BINDING_USER = 'OS-MERCADOR:binding_user'

# Allowed status changes of a virtual region.
TRANSITIONS = {
    'draft': {'published'},
    'published': {'withdrawn'},
    'withdrawn': {'published'},
}

# Never offered: an aggregator's tenants authenticate at their aggregator,
# and through a binding this Keystone would be shared by all its tenants.
NEVER_OFFERED = ('identity',)
#: The prefix of a limit on a Placement resource class, as Nova names it.
RESOURCE_CLASS = 'class:'
#: Times a share is set before the binding's changing usage fails it.
APPORTION_ATTEMPTS = 3


def _wait_for_next_second():
    """Return once the clock has passed the current whole second.

    Keystone records a password change as a revocation event truncated to
    the second, and revokes every token of the user issued up to that
    second, even one issued with the new password a moment later. The
    aggregator logs in with a rotated credential as soon as it has it, so
    the answer waits (less than a second, for a rare call) until a new
    token can no longer fall in that second.
    """
    now = time.time()
    time.sleep(int(now) + 1 - now)


def _new_secret():
    return base64.urlsafe_b64encode(
        secrets.token_bytes(48)).rstrip(b'=').decode('ascii')


class Manager(glue.Manager):
    """Aggregators, virtual regions, offers, bindings, binding projects."""

    driver_namespace = 'mercador.publisher'
    _provides_api = 'mercador_publisher_api'

    def __init__(self):
        super().__init__('sql')

    # Keystone resources Mercador relies on
    #
    # In a transaction, Mercador's own rows are written (and flushed)
    # first, so that a duplicate is refused before any Keystone object is
    # made; Keystone objects are created with glue.create_keystone_object,
    # so that a clash with an existing one is a Conflict too.

    def _ensure_domain(self, name, description):
        """The domain named ``name``, created if there is none.

        In a transaction of its own (call it outside any): it is shared by
        every aggregator, and a concurrent request may create it first.
        """
        try:
            return PROVIDERS.resource_api.get_domain_by_name(name)
        except glue.DomainNotFound:
            pass
        domain_id = uuid.uuid4().hex
        try:
            return glue.create_keystone_object(
                'domain', PROVIDERS.resource_api.create_domain, domain_id,
                {'id': domain_id, 'name': name, 'enabled': True,
                 'description': description})
        except glue.Conflict:
            return PROVIDERS.resource_api.get_domain_by_name(name)

    def _find_role(self, name):
        for role in PROVIDERS.role_api.list_roles():
            if role['name'] == name and not role.get('domain_id'):
                return role
        return None

    def _ensure_role(self, name):
        """The global role ``name``, created if there is none (in a
        transaction of its own, as ``_ensure_domain``)."""
        role = self._find_role(name)
        if role is not None:
            return role
        role_id = uuid.uuid4().hex
        try:
            return glue.create_keystone_object(
                'role', PROVIDERS.role_api.create_role, role_id,
                {'id': role_id, 'name': name,
                 'description': 'Granted by Mercador.'})
        except glue.Conflict:
            return self._find_role(name)

    def _create_project(self, name, domain_id, parent_id, description='',
                        project_id=None):
        project_id = project_id or uuid.uuid4().hex
        return glue.create_keystone_object(
            'project', PROVIDERS.resource_api.create_project, project_id, {
                'id': project_id, 'name': name, 'domain_id': domain_id,
                'parent_id': parent_id, 'is_domain': False, 'enabled': True,
                'description': description})

    def _create_user(self, user):
        return glue.create_keystone_object(
            'user', PROVIDERS.identity_api.create_user, user)

    def _delete_project(self, project_id):
        try:
            # Keystone refuses to delete an enabled project.
            PROVIDERS.resource_api.update_project(
                project_id, {'enabled': False})
            PROVIDERS.resource_api.delete_project(project_id)
        except glue.ProjectNotFound:
            LOG.warning('Project %s was already deleted.', project_id)

    def _delete_tree(self, root_id):
        """Delete a project and its subtree, leaves first.

        Keystone's own cascade deletes the subtree in one statement, which
        MariaDB refuses (a parent row may go before its child's).
        """
        try:
            subtree = PROVIDERS.resource_api.list_projects_in_subtree(
                root_id)
        except glue.ProjectNotFound:
            LOG.warning('Project %s was already deleted.', root_id)
            return
        children = {}
        for project in subtree:
            children.setdefault(project['parent_id'], []).append(
                project['id'])

        def leaves_first(project_id):
            for child in children.get(project_id, []):
                yield from leaves_first(child)
            yield project_id

        for project_id in list(leaves_first(root_id)):
            self._delete_project(project_id)

    def _delete_user(self, user_id):
        try:
            PROVIDERS.identity_api.delete_user(user_id)
        except glue.UserNotFound:
            LOG.warning('User %s was already deleted.', user_id)

    def _auth_url(self):
        url = CONF.mercador.public_auth_url or glue.base_url()
        url = url.rstrip('/')
        return url if url.endswith('/v3') else url + '/v3'

    # aggregators

    def create_aggregator(self, aggregator, initiator=None):
        """Register an aggregator; the returned dict carries its credential,
        which is not stored in clear and cannot be read again."""
        name = aggregator['name']
        secret = _new_secret()
        domain = self._ensure_domain(
            CONF.mercador.aggregator_domain,
            'Identities of the aggregators registered with Mercador.')
        role = self._ensure_role(publisher_policies.AGGREGATOR_ROLE)
        aggregator_id = uuid.uuid4().hex
        project_id = uuid.uuid4().hex
        app_cred_id = uuid.uuid4().hex
        with glue.session_for_write():
            # First: a name in use is refused before anything is created.
            # The user ID is Keystone's to choose; it is set below.
            self.driver.create_aggregator({
                'id': aggregator_id, 'name': name,
                'description': aggregator.get('description', ''),
                'user_id': '', 'project_id': project_id,
                'application_credential_id': app_cred_id})
            project = self._create_project(
                name, domain['id'], domain['id'],
                'Home project of Mercador aggregator %s.' % name,
                project_id=project_id)
            user = self._create_user(self._aggregator_user(name, domain))
            PROVIDERS.assignment_api.create_grant(
                role['id'], user_id=user['id'], project_id=project['id'])
            glue.create_keystone_object(
                'application credential',
                PROVIDERS.application_credential_api.
                create_application_credential, {
                    'id': app_cred_id, 'name': 'mercador-' + name,
                    'user_id': user['id'], 'project_id': project['id'],
                    'secret': secret, 'roles': [{'id': role['id']}],
                    'unrestricted': False, 'expires_at': None,
                    'description': 'Credential of Mercador aggregator.'})
            ref = self.driver.update_aggregator(
                aggregator_id, {'user_id': user['id']})
        glue.Audit.created(AGGREGATOR, ref['id'], initiator)
        ref['credential'] = {
            'type': 'v3applicationcredential',
            'auth_url': self._auth_url(),
            'application_credential_id': app_cred_id,
            'application_credential_secret': secret,
        }
        return ref

    @staticmethod
    def _aggregator_user(name, domain):
        """The aggregator's user: it authenticates with its application
        credential only."""
        user = {'name': name, 'domain_id': domain['id'], 'enabled': True,
                'description': 'Mercador aggregator %s.' % name,
                'options': {'ignore_change_password_upon_first_use': True,
                            'ignore_password_expiry': True}}
        if CONF.security_compliance.change_password_upon_first_use:
            # Keystone's SQL driver then expires the password of every new
            # user, before it reads the option that exempts this one, and
            # fails on a user without one: it gets a password nobody knows.
            user['password'] = _new_secret()
        return user

    def get_aggregator(self, aggregator_id):
        return self.driver.get_aggregator(aggregator_id)

    def find_aggregator_by_project(self, project_id):
        if not project_id:
            return None
        return self.driver.find_aggregator_by_project(project_id)

    def list_aggregators(self):
        return self.driver.list_aggregators()

    def update_aggregator(self, aggregator_id, values, initiator=None):
        ref = self.driver.update_aggregator(aggregator_id, values)
        glue.Audit.updated(AGGREGATOR, aggregator_id, initiator)
        return ref

    def delete_aggregator(self, aggregator_id, initiator=None):
        """Revoke an aggregator: its bindings, identity and credential."""
        aggregator = self.driver.get_aggregator(aggregator_id)
        bindings = self.driver.list_bindings(aggregator_id=aggregator_id)
        with glue.session_for_write():
            for binding in bindings:
                self._delete_binding(binding)
            # Deleted on its own first: Keystone's per-user bulk delete
            # leaves the credential's role rows behind on SQLite.
            try:
                PROVIDERS.application_credential_api.\
                    delete_application_credential(
                        aggregator['application_credential_id'])
            except glue.NotFound:
                LOG.warning('Application credential %s was already deleted.',
                            aggregator['application_credential_id'])
            self._delete_user(aggregator['user_id'])
            self._delete_project(aggregator['project_id'])
            self.driver.delete_aggregator(aggregator_id)
        for binding in bindings:
            glue.Audit.deleted(BINDING, binding['id'], initiator)
        glue.Audit.deleted(AGGREGATOR, aggregator_id, initiator)

    # virtual regions

    def _offered_services(self, region_id):
        """``{service_type: [endpoint, ...]}`` of enabled endpoints."""
        services = {s['id']: s for s in PROVIDERS.catalog_api.list_services()
                    if s.get('enabled', True)}
        offered = {}
        for endpoint in PROVIDERS.catalog_api.list_endpoints():
            service = services.get(endpoint['service_id'])
            if (service is None or endpoint.get('region_id') != region_id
                    or not endpoint.get('enabled', True)):
                continue
            offered.setdefault(service['type'], []).append(
                dict(endpoint, service_type=service['type']))
        return offered

    def _check_services(self, region_id, services, upstream=None):
        refused = sorted(set(services) & set(NEVER_OFFERED))
        if refused:
            raise exception.InvalidInput(
                reason=_('A virtual region cannot offer %s: tenants '
                         'authenticate at their aggregator, and the '
                         'identity service would be shared by all the '
                         'tenants of a binding.') % ', '.join(refused))
        available = {t: e for t, e in self._offered_services(
            region_id).items() if t not in NEVER_OFFERED}
        if upstream is not None:
            # A bound region's catalog also lists this Keystone's own
            # identity endpoint; only what its offer relays counts.
            available = {t: e for t, e in available.items()
                         if t in upstream['services']}
        missing = sorted(set(services) - set(available))
        if missing:
            raise exception.InvalidInput(
                reason=_('Region %s has no endpoint for service type(s) %s; '
                         'available: %s.') % (
                    region_id, ', '.join(missing),
                    ', '.join(sorted(available)) or 'none'))
        return available

    def _check_limits(self, region_id, services, limits, available,
                      upstream=None):
        for limit in limits:
            stype = limit['service_type']
            if stype not in services:
                raise exception.InvalidInput(
                    reason=_('Limit on %s/%s: service type %s is not offered '
                             'by this virtual region.') % (
                        stype, limit['resource_name'], stype))
        if upstream is not None:
            # The provider upstream enforces its offer's limits over this
            # cloud's whole binding; this Keystone has no service of its
            # own to register limits for.
            beyond = self._beyond_upstream(limits, upstream)
            if beyond:
                raise exception.InvalidInput(reason=beyond)
            return
        for limit in limits:
            stype = limit['service_type']
            service_ids = {e['service_id'] for e in available[stype]}
            registered = [
                r for r in PROVIDERS.unified_limit_api.list_registered_limits()
                if r['service_id'] in service_ids
                and r['resource_name'] == limit['resource_name']
                and r.get('region_id') in (None, region_id)]
            if not registered:
                raise exception.InvalidInput(
                    reason=_('Limit on %s/%s: Keystone has no registered '
                             'limit for that resource in region %s; register '
                             'one first.')
                    % (stype, limit['resource_name'], region_id))

    # service chaining: virtual regions built on bound regions

    @staticmethod
    def _bound_region_api():
        """The aggregator side's bound regions, or None when this Keystone
        binds no offers."""
        if not CONF.mercador.aggregator:
            return None
        return PROVIDERS.mercador_bound_region_api

    def _find_upstream(self, region_id):
        """The bound region whose local region is ``region_id``, or None
        (a physical region)."""
        api = self._bound_region_api()
        return api.find_bound_region(region_id) if api else None

    def _get_upstream(self, vr):
        """The bound region a virtual region is built on; None if it is
        on a physical region or that bound region is gone."""
        api = self._bound_region_api()
        if not vr.get('upstream_bound_region_id') or api is None:
            return None
        try:
            return api.get_bound_region(vr['upstream_bound_region_id'])
        except exception.BoundRegionNotFound:
            return None

    @staticmethod
    def _beyond_upstream(limits, upstream):
        """Why ``limits`` promise more than the bound region's offer, or
        None."""
        allowed = {(u['service_type'], u['resource_name']):
                   u['resource_limit'] for u in upstream.get('limits') or []}
        for limit in limits:
            key = (limit['service_type'], limit['resource_name'])
            if key not in allowed:
                return _('Limit on %s/%s: the offer bound as region %s sets '
                         'no limit on it, and only its provider could '
                         'enforce one.') % (key + (upstream['region_id'],))
            # -1: unlimited.
            if allowed[key] != -1 and not (
                    0 <= limit['resource_limit'] <= allowed[key]):
                return _('Limit on %s/%s: %d exceeds %d, the limit of the '
                         'offer bound as region %s.') % (
                    key + (limit['resource_limit'], allowed[key],
                           upstream['region_id']))
        return None

    def _upstream_problem(self, vr):
        """Why a virtual region built on a bound region cannot serve its
        bindings, or None (also None on a physical region)."""
        if not vr.get('upstream_bound_region_id'):
            return None
        upstream = self._get_upstream(vr)
        if upstream is None:
            return _('Virtual region %s is built on bound region %s, which '
                     'was unbound.') % (vr['name'],
                                        vr['upstream_bound_region_id'])
        if upstream['status'] != 'active':
            return _('Virtual region %s is built on bound region %s, which '
                     'is %s: %s') % (vr['name'], upstream['region_id'],
                                     upstream['status'],
                                     upstream['reason'] or _('no reason'))
        return None

    def describe_upstream(self, vrs):
        """Add ``upstream`` (None, or the bound region a virtual region is
        built on and its offer's hop count) and ``hops`` (how many clouds
        its bindings' requests cross to reach a physical region)."""
        for vr in vrs:
            bound_region_id = vr.pop('upstream_bound_region_id', None)
            if bound_region_id is None:
                vr.update(upstream=None, hops=1)
                continue
            row = self._get_upstream(
                {'upstream_bound_region_id': bound_region_id})
            upstream_hops = row['hops'] if row else 1
            vr.update(upstream={'bound_region_id': bound_region_id,
                                'hops': upstream_hops},
                      hops=1 + upstream_hops)
        return vrs

    def list_dependents(self, bound_region_id):
        """The virtual regions built on a bound region."""
        return [vr for vr in self.driver.list_virtual_regions()
                if vr.get('upstream_bound_region_id') == bound_region_id]

    def withdraw_dependent(self, virtual_region_id):
        """Withdraw a virtual region whose bound region failed (no new
        binding); its bindings already answer ``failed``."""
        vr = self.driver.get_virtual_region(virtual_region_id)
        if vr['status'] == 'published':
            self.update_virtual_region(virtual_region_id,
                                       {'status': 'withdrawn'})

    def _entitle_upstream(self, vr):
        """The middle cloud's proxy serves the bindings' projects: every
        project of the virtual region's domain may use the bound region."""
        PROVIDERS.mercador_entitlement_api.create_entitlement(
            vr['upstream_bound_region_id'], 'domain', vr['domain_id'])

    def _unentitle_upstream(self, vr):
        if not vr.get('upstream_bound_region_id') or not \
                CONF.mercador.aggregator:
            return
        try:
            PROVIDERS.mercador_entitlement_api.driver.delete_entitlement(
                vr['upstream_bound_region_id'], 'domain', vr['domain_id'])
        except exception.EntitlementNotFound:
            return
        glue.invalidate_catalog()

    def _check_visibility(self, visibility, aggregator_ids):
        if visibility == 'all' and aggregator_ids:
            raise exception.InvalidInput(
                reason=_('aggregator_ids applies only with visibility '
                         '"listed".'))
        for aggregator_id in aggregator_ids:
            try:
                self.driver.get_aggregator(aggregator_id)
            except exception.AggregatorNotFound:
                raise exception.InvalidInput(
                    reason=_('Aggregator %s does not exist.') % aggregator_id)

    def _check_domain_free(self, domain_id):
        domain = PROVIDERS.resource_api.get_domain(domain_id)
        self._check_not_aggregator_domain(domain['name'], domain_id)
        for vr in self.driver.list_virtual_regions():
            if vr['domain_id'] == domain_id:
                raise exception.Conflict(
                    reason=_('Domain %s already backs virtual region %s.')
                    % (domain_id, vr['id']))

    @staticmethod
    def _check_not_aggregator_domain(name, domain):
        if name == CONF.mercador.aggregator_domain:
            raise exception.InvalidInput(
                reason=_('Domain %s holds aggregator identities and cannot '
                         'back a virtual region.') % domain)

    def create_virtual_region(self, virtual_region, initiator=None):
        vr = dict(virtual_region)
        if ('domain_id' in vr) == ('domain_name' in vr):
            raise exception.InvalidInput(
                reason=_('Give either domain_id (an existing domain) or '
                         'domain_name (a domain to create for the virtual '
                         'region).'))
        upstream = self._find_upstream(vr['region_id'])
        if upstream is not None and upstream['status'] != 'active':
            raise exception.InvalidInput(
                reason=_('Region %s is a bound region that is %s; a virtual '
                         'region can be built on an active one only.')
                % (vr['region_id'], upstream['status']))
        try:
            PROVIDERS.catalog_api.get_region(vr['region_id'])
        except glue.RegionNotFound:
            raise exception.InvalidInput(
                reason=_('Region %s does not exist.') % vr['region_id'])
        available = self._check_services(vr['region_id'], vr['services'],
                                         upstream)
        vr.setdefault('limits', [])
        vr.setdefault('metadata', {})
        vr.setdefault('description', '')
        vr.setdefault('visibility', 'all')
        aggregator_ids = vr.pop('aggregator_ids', [])
        self._check_limits(vr['region_id'], vr['services'], vr['limits'],
                           available, upstream)
        self._check_visibility(vr['visibility'], aggregator_ids)
        vr['upstream_bound_region_id'] = upstream['id'] if upstream else None
        domain_name = vr.pop('domain_name', None)
        if domain_name:
            self._check_not_aggregator_domain(domain_name, domain_name)
            try:
                PROVIDERS.resource_api.get_domain_by_name(domain_name)
            except glue.DomainNotFound:
                pass
            else:
                raise exception.Conflict(
                    reason=_('Domain %s already exists; pass its ID as '
                             'domain_id to use it.') % domain_name)
            vr.update(domain_id=uuid.uuid4().hex, owns_domain=True)
        else:
            try:
                self._check_domain_free(vr['domain_id'])
            except glue.DomainNotFound:
                raise exception.InvalidInput(
                    reason=_('Domain %s does not exist.') % vr['domain_id'])
            vr['owns_domain'] = False
        vr.update(id=uuid.uuid4().hex, status='draft')
        with glue.session_for_write():
            # First: a name, or a domain, in use is refused before the
            # domain is created.
            ref = self.driver.create_virtual_region(vr, aggregator_ids)
            if domain_name:
                glue.create_keystone_object(
                    'domain', PROVIDERS.resource_api.create_domain,
                    vr['domain_id'], {
                        'id': vr['domain_id'], 'name': domain_name,
                        'enabled': True,
                        'description': 'Virtual region %s.' % vr['name']})
        if upstream is not None:
            try:
                self._entitle_upstream(ref)
            except Exception:
                with excutils.save_and_reraise_exception():
                    self._remove_virtual_region(ref)
        glue.Audit.created(VIRTUAL_REGION, ref['id'], initiator)
        return ref

    def get_virtual_region(self, virtual_region_id):
        return self.driver.get_virtual_region(virtual_region_id)

    def list_virtual_regions(self, status=None, name=None):
        return self.driver.list_virtual_regions(status=status, name=name)

    def count_bindings(self, virtual_region_ids):
        return self.driver.count_bindings(virtual_region_ids)

    def update_virtual_region(self, virtual_region_id, values,
                              initiator=None):
        current = self.driver.get_virtual_region(virtual_region_id)
        values = dict(values)
        aggregator_ids = values.pop('aggregator_ids', None)
        status = values.get('status', current['status'])
        if status != current['status'] and status not in TRANSITIONS[
                current['status']]:
            raise exception.Conflict(
                reason=_('A virtual region cannot go from %s to %s.')
                % (current['status'], status))
        if 'services' in values or 'limits' in values:
            if self.driver.count_bindings([virtual_region_id])[
                    virtual_region_id]:
                raise exception.Conflict(
                    reason=_('Services and limits of virtual region %s '
                             'cannot change while it has bindings.')
                    % virtual_region_id)
            services = values.get('services', current['services'])
            upstream = None
            if current.get('upstream_bound_region_id'):
                upstream = self._get_upstream(current)
                if upstream is None or upstream['status'] != 'active':
                    raise exception.Conflict(
                        reason=self._upstream_problem(current))
            available = self._check_services(current['region_id'], services,
                                             upstream)
            self._check_limits(current['region_id'], services,
                               values.get('limits', current['limits']),
                               available, upstream)
        visibility = values.get('visibility', current['visibility'])
        if visibility == 'all' and aggregator_ids is None:
            aggregator_ids = [] if current['aggregator_ids'] else None
        self._check_visibility(visibility, aggregator_ids or [])
        ref = self.driver.update_virtual_region(
            virtual_region_id, values, aggregator_ids)
        glue.Audit.updated(VIRTUAL_REGION, virtual_region_id, initiator)
        return ref

    def delete_virtual_region(self, virtual_region_id, initiator=None):
        vr = self.driver.get_virtual_region(virtual_region_id)
        count = self.driver.count_bindings([virtual_region_id])[
            virtual_region_id]
        if count:
            raise exception.Conflict(
                reason=_('Virtual region %s still has %d binding(s); delete '
                         'them first.') % (virtual_region_id, count))
        self._remove_virtual_region(vr)
        glue.Audit.deleted(VIRTUAL_REGION, virtual_region_id, initiator)

    def _remove_virtual_region(self, vr):
        with glue.session_for_write():
            self.driver.delete_virtual_region(vr['id'])
            if vr['owns_domain']:
                try:
                    PROVIDERS.resource_api.update_domain(
                        vr['domain_id'], {'enabled': False})
                    PROVIDERS.resource_api.delete_domain(vr['domain_id'])
                except glue.DomainNotFound:
                    LOG.warning('Domain %s was already deleted.',
                                vr['domain_id'])
        self._unentitle_upstream(vr)

    # offers

    def list_offers(self, aggregator, filters=None):
        filters = filters or {}
        offers = []
        for vr in self.driver.list_offers(aggregator['id']):
            meta = vr['metadata']
            if 'country' in filters and meta.get(
                    'country') != filters['country']:
                continue
            if 'compliance' in filters and filters['compliance'] not in (
                    meta.get('compliance') or []):
                continue
            if 'service_type' in filters and filters[
                    'service_type'] not in vr['services']:
                continue
            if 'name' in filters and vr['name'] != filters['name']:
                continue
            offers.append(vr)
        return offers

    def get_offer(self, aggregator, offer_id):
        """The virtual region if the aggregator may bind it, else 404."""
        for vr in self.driver.list_offers(aggregator['id']):
            if vr['id'] == offer_id:
                return vr
        raise exception.OfferNotFound(offer_id=offer_id)

    # bindings

    def _binding_roles(self):
        roles = []
        for name in CONF.mercador.binding_roles:
            role = self._find_role(name)
            if role is None:
                raise exception.Conflict(
                    reason=_('The provider is misconfigured: binding role %s '
                             'does not exist.') % name)
            roles.append(role)
        return roles

    def create_binding(self, aggregator, virtual_region_id, idempotency_key,
                       initiator=None):
        """Bind an offer; return ``(binding, password or None)``.

        A replay with the same idempotency key returns the existing binding
        and no password (``rotate_credential`` issues a new one).
        """
        request_hash = utils.request_hash(
            {'virtual_region_id': virtual_region_id})

        def replay():
            return utils.replayed(
                self.driver.find_binding_by_key(aggregator['id'],
                                                idempotency_key),
                request_hash, idempotency_key)

        existing = replay()
        if existing:
            return existing, None
        vr = self.get_offer(aggregator, virtual_region_id)
        roles = self._binding_roles()
        limits = self._project_limits(vr)
        binding_id = uuid.uuid4().hex
        root_id = uuid.uuid4().hex
        password = _new_secret()
        try:
            with glue.session_for_write():
                # First: a key in use is refused before anything is made.
                # The user ID is Keystone's to choose; it is set below.
                self.driver.create_binding({
                    'id': binding_id, 'virtual_region_id': vr['id'],
                    'aggregator_id': aggregator['id'],
                    'idempotency_key': idempotency_key,
                    'request_hash': request_hash,
                    'root_project_id': root_id, 'user_id': ''})
                root = self._create_project(
                    'mercador-' + binding_id, vr['domain_id'],
                    vr['domain_id'], project_id=root_id)
                user = self._create_user({
                    'name': 'mercador-binding-' + binding_id,
                    'domain_id': vr['domain_id'], 'enabled': True,
                    'password': password,
                    'options': {
                        'ignore_password_expiry': True,
                        'ignore_change_password_upon_first_use': True}})
                for role in roles:
                    PROVIDERS.assignment_api.create_grant(
                        role['id'], user_id=user['id'],
                        project_id=root['id'], inherited_to_projects=True)
                if limits:
                    PROVIDERS.unified_limit_api.create_limits([
                        dict(limit, id=uuid.uuid4().hex,
                             project_id=root['id']) for limit in limits])
                ref = self.driver.update_binding(
                    binding_id, {'user_id': user['id']})
        except exception.Conflict:
            # A concurrent request with the same key got there first.
            existing = replay()
            if existing:
                return existing, None
            raise
        glue.Audit.created(BINDING, binding_id, initiator)
        return ref, password

    def _project_limits(self, vr):
        """The limits a binding's root project gets, without ID and
        project; raises Conflict if the provider can no longer apply one.

        Each follows the registered limit that allowed it: in the virtual
        region's region, or without a region (a default for every region)
        when Keystone has only that one. A virtual region built on a bound
        region gets none here (its provider enforces its offer's limits);
        its own limits must still be within that offer's.
        """
        if vr.get('upstream_bound_region_id'):
            # Enforced upstream: the provider of the bound region caps this
            # cloud's whole binding with its offer's limits.
            problem = self._upstream_problem(vr)
            upstream = self._get_upstream(vr)
            beyond = upstream and self._beyond_upstream(vr['limits'],
                                                        upstream)
            if problem or beyond:
                raise exception.Conflict(
                    reason=_('Virtual region %s cannot be bound: %s')
                    % (vr['id'], problem or beyond))
            return []
        if not vr['limits']:
            return []
        available = self._offered_services(vr['region_id'])
        registered = PROVIDERS.unified_limit_api.list_registered_limits()
        limits = []
        for limit in vr['limits']:
            stype, resource = limit['service_type'], limit['resource_name']
            service_ids = {e['service_id'] for e in available.get(stype, [])}
            matches = sorted(
                (r for r in registered
                 if r['service_id'] in service_ids
                 and r['resource_name'] == resource
                 and r.get('region_id') in (None, vr['region_id'])),
                # The region's own registered limit first.
                key=lambda r: (r.get('region_id') is None, r['service_id']))
            if not matches:
                raise exception.Conflict(
                    reason=_('Virtual region %s cannot be bound: its limit '
                             'on %s/%s has no enabled %s endpoint or no '
                             'registered limit in region %s any more.')
                    % (vr['id'], stype, resource, stype, vr['region_id']))
            limits.append({
                'service_id': matches[0]['service_id'],
                'region_id': matches[0].get('region_id'),
                'resource_name': resource,
                'resource_limit': limit['resource_limit'],
                'description': 'Mercador virtual region %s.' % vr['name']})
        return limits

    def describe_bindings(self, bindings):
        """What an aggregator needs to use each binding: where and how,
        and whether it can serve (``status`` ``failed`` with a ``reason``
        when the bound region its virtual region is built on failed or was
        unbound)."""
        vrs, endpoints, refs = {}, {}, []
        for binding in bindings:
            vr_id = binding['virtual_region_id']
            if vr_id not in vrs:
                vrs[vr_id] = self.driver.get_virtual_region(vr_id)
            vr = vrs[vr_id]
            if vr['region_id'] not in endpoints:
                endpoints[vr['region_id']] = self._offered_services(
                    vr['region_id'])
            offered = endpoints[vr['region_id']]
            ref = dict(binding)
            if 'problem' not in vr:
                vr['problem'] = self._upstream_problem(vr)
            ref.update(
                status='failed' if vr['problem'] else 'active',
                reason=vr['problem'],
                domain_id=vr['domain_id'], region_id=vr['region_id'],
                auth_url=self._auth_url(),
                endpoints=[
                    {'service_type': e['service_type'],
                     'interface': e['interface'], 'url': e['url']}
                    for stype in vr['services']
                    for e in sorted(offered.get(stype, []),
                                    key=lambda e: e['interface'])])
            refs.append(ref)
        return refs

    def get_binding(self, binding_id):
        return self.driver.get_binding(binding_id)

    def list_bindings(self, aggregator_id=None, virtual_region_id=None):
        return self.driver.list_bindings(
            aggregator_id=aggregator_id, virtual_region_id=virtual_region_id)

    def _delete_binding(self, binding):
        # Deleting the subtree and the identities makes Keystone revoke
        # every token issued for them (and delete what authenticates as
        # them: application and EC2 credentials, trusts).
        self._delete_tree(binding['root_project_id'])
        for user in self.driver.list_binding_users(binding['id']):
            self._delete_user(user['id'])
        self._delete_user(binding['user_id'])
        self.driver.delete_binding(binding['id'])

    def delete_binding(self, binding_id, initiator=None):
        binding = self.driver.get_binding(binding_id)
        with glue.session_for_write():
            self._delete_binding(binding)
        glue.Audit.deleted(BINDING, binding_id, initiator)

    def rotate_credential(self, binding_id, initiator=None):
        binding = self.driver.get_binding(binding_id)
        password = _new_secret()
        PROVIDERS.identity_api.update_user(
            binding['user_id'], {'password': password})
        _wait_for_next_second()
        glue.Audit.updated(BINDING, binding_id, initiator)
        return binding, password

    # binding projects

    def create_binding_project(self, binding_id, reference, initiator=None):
        """Return ``(project, created)`` for an opaque tenant reference."""
        binding = self.driver.get_binding(binding_id)
        existing = self.driver.find_binding_project(binding_id, reference)
        if existing:
            return existing, False
        count = len(self.driver.list_binding_projects(binding_id))
        if count >= CONF.mercador.max_projects_per_binding:
            raise exception.Conflict(
                reason=_('Binding %s already has %d projects, the most this '
                         'provider allows.') % (binding_id, count))
        vr = self.driver.get_virtual_region(binding['virtual_region_id'])
        project_id = uuid.uuid4().hex
        try:
            with glue.session_for_write():
                # First: a reference in use is refused before the project
                # is made.
                ref = self.driver.create_binding_project({
                    'id': project_id, 'binding_id': binding_id,
                    'reference': reference})
                # Random name: nothing about the aggregator's tenant.
                self._create_project(
                    uuid.uuid4().hex, vr['domain_id'],
                    binding['root_project_id'], project_id=project_id)
                # Nothing of a counted resource until the aggregator asks
                # for the project's share (``apportion_limits``); the
                # others whole.
                self._set_project_limits(project_id, [
                    dict(limit, resource_limit=0)
                    if limit['resource_name'].startswith(RESOURCE_CLASS)
                    else limit for limit in self._project_limits(vr)])
        except exception.Conflict:
            # A concurrent request for the same reference got there first.
            existing = self.driver.find_binding_project(binding_id, reference)
            if existing:
                return existing, False
            raise
        glue.Audit.created(BINDING_PROJECT, ref['id'], initiator)
        return ref, True

    def get_binding_project(self, binding_id, project_id):
        return self.driver.get_binding_project(binding_id, project_id)

    def list_binding_projects(self, binding_id):
        self.driver.get_binding(binding_id)
        return self.driver.list_binding_projects(binding_id)

    def delete_binding_project(self, binding_id, project_id, initiator=None):
        self.driver.get_binding_project(binding_id, project_id)
        with glue.session_for_write():
            self._delete_project(project_id)
            self.driver.delete_binding_project(binding_id, project_id)
        glue.Audit.deleted(BINDING_PROJECT, project_id, initiator)

    # binding project limits: a project's share of its virtual region's

    def apportion_limits(self, binding_id, project_id):
        """Set a binding project's Keystone limits to its share of the
        virtual region's, and return them (with ``usage`` where counted).

        Keystone's flat model, which Nova's and Glance's oslo.limit
        enforce, caps each project on its own; the virtual region's limits
        cap the binding's projects together. On a Placement resource class
        (``class:VCPU``...) a project's share is what it uses plus what
        the binding's projects together leave of the virtual region's
        limit, read from Placement now, and every other project of the
        binding is left what it uses: the aggregator asks before each
        request that may allocate (a server's create or action), so the
        service's own check refuses what the binding cannot have. The
        binding's shares are set one at a time (``lock_binding``), and set
        again if the usage read once they are set shows an allocation that
        the first read missed: the projects' limits never add up to more
        than the virtual region's. A project whose share was taken back
        while its request was under way is refused by the service (Nova
        checks again once it has allocated).
        Any other limit applies to each project whole. A virtual region
        built on a bound region has none here: its provider apportions
        them.
        """
        binding = self.driver.get_binding(binding_id)
        self.driver.get_binding_project(binding_id, project_id)
        vr = self.driver.get_virtual_region(binding['virtual_region_id'])
        limits = self._project_limits(vr)
        counted = [limit for limit in limits
                   if limit['resource_name'].startswith(RESOURCE_CLASS)]
        for _attempt in range(APPORTION_ATTEMPTS):
            shares, used = self._apportion(binding, vr, project_id, limits,
                                           counted)
            if used is None or not self._grew(
                    used, self._read_usage(binding, vr, list(used)),
                    counted):
                break
        else:
            # The binding's usage kept changing: nothing beyond what the
            # project uses.
            self._set_project_limits(project_id, [
                dict(share, resource_limit=share['usage'])
                for share in shares if 'usage' in share], lower_only=True)
            raise exception.UsageUnavailable(
                region_id=vr['region_id'],
                reason=_('its usage kept changing while the limits of '
                         'binding %s were apportioned; try again.')
                % binding_id)
        return [{k: share.get(k) for k in (
            'service_id', 'region_id', 'resource_name', 'resource_limit',
            'usage') if k in share} for share in shares]

    def _apportion(self, binding, vr, project_id, limits, counted):
        """Set the project's share and take back what the others do not
        use, one binding at a time; return ``(shares, usage read)``."""
        with glue.session_for_write():
            used = None
            if counted:
                self.driver.lock_binding(binding['id'])
                used = self._read_usage(binding, vr, [
                    p['id'] for p in self.driver.list_binding_projects(
                        binding['id'])])
            shares = []
            for limit in limits:
                share = dict(limit)
                name = limit['resource_name']
                if used is not None and name.startswith(RESOURCE_CLASS):
                    rc = name[len(RESOURCE_CLASS):]
                    total = sum(u.get(rc, 0) for u in used.values())
                    share['usage'] = used.get(project_id, {}).get(rc, 0)
                    share['resource_limit'] = share['usage'] + max(
                        0, limit['resource_limit'] - total)
                shares.append(share)
            self._set_project_limits(project_id, shares)
            for other, use in (used or {}).items():
                if other != project_id:
                    self._set_project_limits(other, [dict(
                        limit, resource_limit=use.get(
                            limit['resource_name'][len(RESOURCE_CLASS):], 0))
                        for limit in counted], lower_only=True)
        return shares, used

    @staticmethod
    def _grew(before, after, counted):
        """Whether a project allocated a counted class between the two
        reads: the service may have checked that allocation against the
        limit it had before this share was set, so the share is set
        again."""
        if after is None:
            return False
        for limit in counted:
            rc = limit['resource_name'][len(RESOURCE_CLASS):]
            for project_id, use in after.items():
                if use.get(rc, 0) > before.get(project_id, {}).get(rc, 0):
                    return True
        return False

    @staticmethod
    def _set_project_limits(project_id, limits, lower_only=False):
        """Create or update the project's ``limits`` (with
        ``lower_only``, only where that lowers one)."""
        hints = glue.Hints()
        hints.add_filter('project_id', project_id)
        existing = {(e['service_id'], e.get('region_id'), e['resource_name']):
                    e for e in PROVIDERS.unified_limit_api.list_limits(hints)}
        new = []
        with glue.session_for_write() as session:
            for limit in limits:
                key = (limit['service_id'], limit.get('region_id'),
                       limit['resource_name'])
                value = limit['resource_limit']
                old = existing.get(key)
                if old is not None and (
                        old['resource_limit'] == value
                        or lower_only and old['resource_limit'] < value):
                    continue
                if old is not None and value:
                    PROVIDERS.unified_limit_api.update_limit(
                        old['id'], {'resource_limit': value})
                    continue
                if old is not None:
                    # Keystone's SQL driver ignores an update to 0
                    # (``if limit.get('resource_limit')``): made again.
                    PROVIDERS.unified_limit_api.delete_limit(old['id'])
                    session.flush()
                new.append({
                    'id': uuid.uuid4().hex, 'project_id': project_id,
                    'service_id': limit['service_id'],
                    'region_id': limit.get('region_id'),
                    'resource_name': limit['resource_name'],
                    'resource_limit': value,
                    'description': limit.get('description')})
            if new:
                PROVIDERS.unified_limit_api.create_limits(new)

    # binding users: one provider user per tenant user of the aggregator

    def create_binding_user(self, binding_id, reference, initiator=None):
        """Return ``(user, created)`` for an opaque tenant-user reference.

        The user has a random name, no password and no role: it gets the
        binding's roles on a binding project when the binding asks for a
        token for it there (``issue_binding_user_token``), and cannot
        authenticate any other way.
        """
        binding = self.driver.get_binding(binding_id)
        existing = self.driver.find_binding_user(binding_id, reference)
        if existing:
            return existing, False
        count = len(self.driver.list_binding_users(binding_id))
        if count >= CONF.mercador.max_users_per_binding:
            raise exception.Conflict(
                reason=_('Binding %s already has %d users, the most this '
                         'provider allows.') % (binding_id, count))
        vr = self.driver.get_virtual_region(binding['virtual_region_id'])
        try:
            with glue.session_for_write():
                # First: a reference in use is refused before the user is
                # made. The user ID is Keystone's to choose; the row takes
                # it below.
                placeholder = self.driver.create_binding_user({
                    'id': uuid.uuid4().hex, 'binding_id': binding_id,
                    'reference': reference})
                user = self._create_user({
                    'name': uuid.uuid4().hex,
                    'domain_id': vr['domain_id'], 'enabled': True})
                ref = self.driver.set_binding_user_id(
                    placeholder['id'], user['id'])
        except exception.Conflict:
            existing = self.driver.find_binding_user(binding_id, reference)
            if existing:
                return existing, False
            raise
        glue.Audit.created(BINDING_USER, ref['id'], initiator)
        return ref, True

    def get_binding_user(self, binding_id, user_id):
        return self.driver.get_binding_user(binding_id, user_id)

    def list_binding_users(self, binding_id):
        self.driver.get_binding(binding_id)
        return self.driver.list_binding_users(binding_id)

    def delete_binding_user(self, binding_id, user_id, initiator=None):
        """Delete the user: Keystone revokes its tokens and deletes its
        application and EC2 credentials and trusts with it."""
        self.driver.get_binding_user(binding_id, user_id)
        with glue.session_for_write():
            self._delete_user(user_id)
            self.driver.delete_binding_user(binding_id, user_id)
        glue.Audit.deleted(BINDING_USER, user_id, initiator)

    def issue_binding_user_token(self, binding_id, user_id, project_id):
        """A token for a binding user on a binding project, on the
        binding's authority: the user gets the binding's roles on that
        project (on that project only) if it has not got them yet."""
        self.driver.get_binding(binding_id)
        self.driver.get_binding_user(binding_id, user_id)
        self.driver.get_binding_project(binding_id, project_id)
        granted = {a['role_id'] for a in
                   PROVIDERS.assignment_api.list_role_assignments(
                       user_id=user_id, project_id=project_id)}
        for role in self._binding_roles():
            if role['id'] not in granted:
                PROVIDERS.assignment_api.create_grant(
                    role['id'], user_id=user_id, project_id=project_id)
        # 'token': issued on the strength of another token, the binding's.
        return PROVIDERS.token_provider_api.issue_token(
            user_id, ['token'], project_id=project_id)

    def revoke_binding_project_users(self, binding_id, project_id,
                                     initiator=None):
        """Take every binding user's roles on a binding project away
        (Keystone revokes their tokens there): the aggregator no longer
        lets that tenant use the region."""
        self.driver.get_binding_project(binding_id, project_id)
        users = {u['id'] for u in self.driver.list_binding_users(binding_id)}
        for a in PROVIDERS.assignment_api.list_role_assignments(
                project_id=project_id):
            if a.get('user_id') in users:
                PROVIDERS.assignment_api.delete_grant(
                    a['role_id'], user_id=a['user_id'],
                    project_id=project_id)
        glue.Audit.updated(BINDING_PROJECT, project_id, initiator)

    # usage: Placement's, per binding project, and its samples

    def _read_usage(self, binding, vr, project_ids):
        """``{project_id: {resource class: amount}}`` as Placement reports
        it in the virtual region's region, or None when the virtual region
        offers no Placement (nothing can be allocated through it)."""
        if 'placement' not in vr['services']:
            return None
        url = placement.placement_url(self._offered_services(
            vr['region_id']).get('placement', []))
        if url is None:
            return None
        reader = placement.PlacementReader(binding, vr['region_id'], url)
        try:
            return {p: reader.read(p) for p in project_ids}
        finally:
            reader.close()

    @staticmethod
    def _sampling_time():
        # Whole seconds: every database keeps them as they are.
        return timeutils.utcnow().replace(microsecond=0)

    def get_binding_usage(self, binding_id, query):
        """The usage of a binding's projects (of one if ``query`` has a
        ``project_id``) now and over the query's period; stores a sample
        of each project read when its last one is older than ``[mercador]
        usage_sample_interval``."""
        start, end = usage.period(query)
        binding = self.driver.get_binding(binding_id)
        project_id = query.get('project_id')
        if project_id is not None:
            project_ids = [self.driver.get_binding_project(
                binding_id, project_id)['id']]
        else:
            project_ids = [p['id'] for p in
                           self.driver.list_binding_projects(binding_id)]
        vr = self.driver.get_virtual_region(binding['virtual_region_id'])
        current = self._read_usage(binding, vr, project_ids)
        now = self._sampling_time()
        if current is not None:
            last = self.driver.last_sampled_at(binding_id)
            interval = CONF.mercador.usage_sample_interval
            due = {p: u for p, u in current.items()
                   if p not in last
                   or (now - last[p]).total_seconds() >= interval}
            if due:
                self.driver.create_usage_samples(binding_id, due, now)
        if not query.get('end'):
            end = max(end, now)
        current = current or {p: {} for p in project_ids}
        samples = self.driver.list_usage_samples(binding_id, start, end,
                                                 project_id)
        by_project = {}
        for sample in samples:
            by_project.setdefault(sample['project_id'], []).append(sample)
        return {
            'binding_id': binding_id,
            'virtual_region_id': vr['id'],
            'virtual_region_name': vr['name'],
            'aggregator_id': binding['aggregator_id'],
            'start': usage.isotime(start), 'end': usage.isotime(end),
            'limits': vr['limits'],
            'projects': [
                dict(project_id=p, **usage.summary(
                    current[p], by_project.get(p, [])))
                for p in project_ids],
            'total': usage.total(current.values(), samples),
        }

    def collect_usage(self):
        """Store a sample of every project of every binding whose virtual
        region offers Placement; yield ``(binding, count, error)`` per
        binding (``error`` a UsageUnavailable, or None)."""
        vrs = {}
        for binding in self.driver.list_bindings():
            vr_id = binding['virtual_region_id']
            if vr_id not in vrs:
                vrs[vr_id] = self.driver.get_virtual_region(vr_id)
            project_ids = [p['id'] for p in
                           self.driver.list_binding_projects(binding['id'])]
            try:
                current = self._read_usage(binding, vrs[vr_id], project_ids)
            except exception.UsageUnavailable as e:
                yield binding, 0, e
                continue
            if current:
                self.driver.create_usage_samples(
                    binding['id'], current, self._sampling_time())
            yield binding, len(current or {}), None
