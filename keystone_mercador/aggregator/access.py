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

"""How a tenant's token reaches a bound region through the proxy.

The proxy asks once per token and region (``GET
/v3/OS-MERCADOR/regions/{region_id}/access``); the answer is a provider
token for the provider user that acts for the tenant's user, on the
provider project that serves the tenant's project. Both are made at the
provider on first use, known there by random references only, so the
provider learns nothing about local users and projects, and tells each
tenant user apart.

No per-user secret is kept here: the provider's extension issues the
provider user's tokens on the binding's authority (``POST
bindings/{id}/users/{user}/tokens`` with the binding identity's token), and
the binding's credential never leaves this Keystone. Deleting a local user
deletes its provider users (Keystone revokes their tokens and deletes what
authenticates as them); removing an entitlement takes their roles on the
project's provider project away; unbinding deletes them all with the
binding.

The proxy also maps other local IDs a tenant sends (``POST
.../regions/{region_id}/mappings``): a project entitled to the region, or a
user with a role on one, gets its provider counterpart (made on first use);
any other local project or user is refused; provider IDs of mapped
projects and users come back as local IDs.
"""

import secrets

from oslo_log import log

from keystone_mercador.aggregator import client as provider_client
from keystone_mercador.common import utils
from keystone_mercador import exception
from keystone_mercador import glue
from keystone_mercador.i18n import _

LOG = log.getLogger(__name__)
PROVIDERS = glue.PROVIDERS

INTERFACE = 'public'
#: Service types never given to the proxy: tenants authenticate here, and
#: the provider's Keystone is the binding's, not theirs.
NEVER_RELAYED = frozenset({'identity'})
# Provider tokens are reused until this close (seconds) to their expiry.
TOKEN_MARGIN = 120

#: Provider tokens, per bound region, provider user and provider project,
#: and the binding identities' own tokens, in Keystone's
#: [cache] backend (shared by Keystone processes when it is shared).
CACHE = glue.create_cache_region('mercador provider tokens')


class SubjectTokenNotValid(glue.Unauthorized):
    """A 401, not Keystone's 404 for an unknown X-Subject-Token: the
    proxy answers tenants with it, and clients authenticate again on a
    401 only."""

    message_format = _('The token in X-Subject-Token is not valid '
                       '(unknown, expired or revoked).')


class IDNotMappable(glue.Forbidden):
    message_format = _('%(kind)s %(id)s cannot be used in region '
                       '%(region_id)s: it is not entitled to it.')


class Manager(glue.Manager):

    driver_namespace = 'mercador.aggregator'
    _provides_api = 'mercador_access_api'

    def __init__(self):
        super().__init__('sql')
        glue.on_deleted('user', self.forget_user)

    def _caller(self, region_id, subject_token):
        """The bound region row and the validated token, if the token's
        project may use the region."""
        try:
            token = glue.validate_token(subject_token)
        except (glue.NotFound, glue.Unauthorized):
            raise SubjectTokenNotValid()
        row = self._active(region_id)
        if not token['project_id'] or not self.driver.is_entitled(
                row['id'], token['project_id']):
            raise exception.NotEntitled(region_id=region_id)
        return row, token

    def get_access(self, region_id, subject_token):
        """The provider token, provider project and user, and endpoints
        the proxy uses for the holder of ``subject_token`` in
        ``region_id``."""
        row, token = self._caller(region_id, subject_token)
        project = self._project_mapping(row, token['project_id'])
        user = self._user_mapping(row, token['user_id'])
        key = _token_key(row['id'], user['provider_user_id'],
                         project['provider_project_id'])
        cached = CACHE.get(key)
        if (not isinstance(cached, dict)
                or utils.is_soon(cached['expires_at'], TOKEN_MARGIN)):
            cached = self._provider_token(row, user, project)
            CACHE.set(key, cached)
        return {'region_id': region_id, 'project_id': token['project_id'],
                'provider_project_id': project['provider_project_id'],
                'user_id': token['user_id'],
                'provider_user_id': user['provider_user_id'],
                'token': cached['token'],
                'expires_at': min(cached['expires_at'],
                                  utils.isotime(token['expires_at'])),
                'endpoints': self._endpoints(row)}

    def get_mappings(self, region_id, subject_token, outward, inward):
        """``{outward: {local ID: provider ID}, inward: {provider ID:
        local ID}}`` for the IDs the proxy found in a request and a
        response of the token's holder; IDs that are not local projects
        or users (nor their provider counterparts) are left out."""
        row, _token = self._caller(region_id, subject_token)
        out = {}
        for local_id in outward:
            provider_id = self._provider_id(row, local_id)
            if provider_id:
                out[local_id] = provider_id
        return {'outward': out,
                'inward': self.driver.local_ids(row['id'], set(inward))}

    def _provider_id(self, row, local_id):
        try:
            project = PROVIDERS.resource_api.get_project(local_id)
        except glue.ProjectNotFound:
            project = None
        if project is not None:
            if project.get('is_domain') or not self.driver.is_entitled(
                    row['id'], local_id):
                raise IDNotMappable(kind=_('Project'), id=local_id,
                                    region_id=row['region_id'])
            return self._project_mapping(
                row, local_id)['provider_project_id']
        try:
            PROVIDERS.identity_api.get_user(local_id)
        except glue.UserNotFound:
            return None
        mapping = self.driver.get_user_mapping(row['id'], local_id)
        if not (mapping and mapping['provider_user_id']) and not any(
                self.driver.is_entitled(row['id'], p['id'])
                for p in PROVIDERS.assignment_api.list_projects_for_user(
                    local_id)):
            raise IDNotMappable(kind=_('User'), id=local_id,
                                region_id=row['region_id'])
        return self._user_mapping(row, local_id)['provider_user_id']

    def get_endpoints(self, region_id):
        """The provider endpoints of a bound region, and nothing else: no
        token, no project. The proxy relays the version documents of these
        endpoints to callers without a token, as the provider serves them
        to anyone."""
        return {'region_id': region_id,
                'endpoints': self._endpoints(self._active(region_id))}

    def _active(self, region_id):
        row = self.driver.find_bound_region(region_id=region_id)
        if row is not None and row['status'] == 'failed':
            raise exception.BoundRegionFailed(
                region_id=region_id, reason=row['reason'] or _('no reason'))
        if row is None or row['status'] != 'active':
            raise exception.BoundRegionNotFound(bound_region_id=region_id)
        return row

    @staticmethod
    def _endpoints(row):
        return {e['service_type']: e['url']
                for e in row['binding']['endpoints']
                if e['interface'] == INTERFACE
                and e['service_type'] not in NEVER_RELAYED}

    def _project_mapping(self, row, project_id):
        mapping = self.driver.get_project_mapping(row['id'], project_id)
        if mapping is None:
            mapping = self.driver.create_project_mapping({
                'bound_region_id': row['id'], 'project_id': project_id,
                'reference': 'ref-' + secrets.token_hex(24)})
        if not mapping['provider_project_id']:
            provider = self.driver.get_provider(row['provider_id'])
            with PROVIDERS.mercador_provider_api.client(provider) as client:
                project = client.create_binding_project(
                    row['binding_id'], mapping['reference'])
            self.driver.set_provider_project(row['id'], project_id,
                                             project['id'])
            mapping['provider_project_id'] = project['id']
        return mapping

    def _user_mapping(self, row, user_id):
        mapping = self.driver.get_user_mapping(row['id'], user_id)
        if mapping is None:
            mapping = self.driver.create_user_mapping({
                'bound_region_id': row['id'], 'user_id': user_id,
                'reference': 'ref-' + secrets.token_hex(24)})
        if not mapping['provider_user_id']:
            provider = self.driver.get_provider(row['provider_id'])
            with PROVIDERS.mercador_provider_api.client(provider) as client:
                user = client.create_binding_user(
                    row['binding_id'], mapping['reference'])
            self.driver.set_provider_user(row['id'], user_id, user['id'])
            mapping['provider_user_id'] = user['id']
        return mapping

    def _binding_token(self, row, client, renew=False):
        """The binding identity's own (unscoped) token, shared through the
        cache by every Keystone process."""
        key = 'binding-token:%s' % row['id']
        cached = None if renew else CACHE.get(key)
        if (not isinstance(cached, dict)
                or utils.is_soon(cached['expires_at'], TOKEN_MARGIN)):
            token, expires_at = client.binding_token(
                row['binding']['user_id'],
                glue.decrypt(row['encrypted_password']))
            cached = {'token': token, 'expires_at': utils.isotime(expires_at)}
            CACHE.set(key, cached)
        return cached['token']

    def _as_binding(self, row, call, *args):
        """The provider client's method ``call`` with the binding's token
        and ``args``: the binding's own credential, not the provider's
        application credential, authenticates these calls."""
        provider = self.driver.get_provider(row['provider_id'])
        with provider_client.ProviderClient(provider, None) as client:
            try:
                return getattr(client, call)(
                    self._binding_token(row, client), *args)
            except exception.ProviderError as e:
                if e.status != 401:
                    raise
                # The cached binding token was revoked (a new credential).
                return getattr(client, call)(
                    self._binding_token(row, client, renew=True), *args)

    def _provider_token(self, row, user, project):
        token, expires_at = self._as_binding(
            row, 'binding_user_token', row['binding_id'],
            user['provider_user_id'], project['provider_project_id'])
        return {'token': token, 'expires_at': utils.isotime(expires_at)}

    def apportion_limits(self, region_id, subject_token):
        """Have the provider set the share of the region's limits that
        the project of ``subject_token`` has now; the proxy asks before a
        request that may allocate."""
        row, token = self._caller(region_id, subject_token)
        project = self._project_mapping(row, token['project_id'])
        return self._as_binding(row, 'apportion_limits', row['binding_id'],
                                project['provider_project_id'])

    # Ending provider access

    def forget_user(self, user_id):
        """A local user was deleted: delete the provider users that acted
        for it. One that cannot be deleted now stays mapped, for
        ``mercador-manage reconcile``; the deleted user has no token to
        use it with."""
        for mapping in self.driver.list_user_mappings(user_id=user_id):
            self.delete_provider_user(mapping)

    def delete_provider_user(self, mapping):
        try:
            if mapping['provider_user_id']:
                row = self.driver.get_bound_region(mapping['bound_region_id'])
                provider = self.driver.get_provider(row['provider_id'])
                with PROVIDERS.mercador_provider_api.client(
                        provider) as client:
                    client.delete_binding_user(row['binding_id'],
                                               mapping['provider_user_id'])
        except glue.Error:
            LOG.warning('Provider user %s (bound region %s) could not be '
                        'deleted at the provider now; mercador-manage '
                        'reconcile retries.', mapping['provider_user_id'],
                        mapping['bound_region_id'], exc_info=True)
            return False
        self.driver.delete_user_mapping(mapping['bound_region_id'],
                                        mapping['user_id'])
        return True

    def withdraw(self, bound_region_id):
        """Entitlements of a bound region were removed: take the provider
        users' roles away on every provider project whose local project
        may no longer use the region (Keystone revokes their tokens)."""
        row = self.driver.get_bound_region(bound_region_id)
        users = self.driver.list_user_mappings(bound_region_id=row['id'])
        provider = self.driver.get_provider(row['provider_id'])
        for mapping in self.driver.list_project_mappings(row['id']):
            if (not mapping['provider_project_id']
                    or self.driver.is_entitled(row['id'],
                                               mapping['project_id'])):
                continue
            with PROVIDERS.mercador_provider_api.client(provider) as client:
                client.revoke_project_users(row['binding_id'],
                                            mapping['provider_project_id'])
            CACHE.delete_multi([
                _token_key(row['id'], u['provider_user_id'],
                           mapping['provider_project_id']) for u in users])


def _token_key(bound_region_id, provider_user_id, provider_project_id):
    return 'provider-token:%s:%s:%s' % (bound_region_id, provider_user_id,
                                        provider_project_id)
