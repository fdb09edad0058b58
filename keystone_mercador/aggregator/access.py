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
token for the provider project that serves the tenant's project, obtained
with the binding's credential, which never leaves this Keystone. The
provider learns nothing about the local project: it is known there by a
random reference only.
"""

import secrets

from keystone_mercador.aggregator import client as provider_client
from keystone_mercador.common import utils
from keystone_mercador import exception
from keystone_mercador import glue
from keystone_mercador.i18n import _

PROVIDERS = glue.PROVIDERS

INTERFACE = 'public'
#: Service types never given to the proxy: tenants authenticate here, and
#: the provider's Keystone is the binding's, not theirs.
NEVER_RELAYED = frozenset({'identity'})
# Provider tokens are reused until this close (seconds) to their expiry.
TOKEN_MARGIN = 120

#: Provider tokens, per bound region and provider project, in Keystone's
#: [cache] backend (shared by Keystone processes when it is shared).
CACHE = glue.create_cache_region('mercador provider tokens')


class SubjectTokenNotValid(glue.Unauthorized):
    """A 401, not Keystone's 404 for an unknown X-Subject-Token: the
    proxy answers tenants with it, and clients authenticate again on a
    401 only."""

    message_format = _('The token in X-Subject-Token is not valid '
                       '(unknown, expired or revoked).')


class Manager(glue.Manager):

    driver_namespace = 'mercador.aggregator'
    _provides_api = 'mercador_access_api'

    def __init__(self):
        super().__init__('sql')

    def get_access(self, region_id, subject_token):
        """The provider token, provider project and endpoints the proxy
        uses for the holder of ``subject_token`` in ``region_id``."""
        try:
            token = glue.validate_token(subject_token)
        except (glue.NotFound, glue.Unauthorized):
            raise SubjectTokenNotValid()
        project_id = token['project_id']
        row = self._active(region_id)
        if not project_id or not self.driver.is_entitled(row['id'],
                                                         project_id):
            raise exception.NotEntitled(region_id=region_id)
        mapping = self._project_mapping(row, project_id)
        key = 'provider-token:%s:%s' % (row['id'],
                                        mapping['provider_project_id'])
        cached = CACHE.get(key)
        if (not isinstance(cached, dict)
                or utils.is_soon(cached['expires_at'], TOKEN_MARGIN)):
            cached = self._provider_token(row, mapping)
            CACHE.set(key, cached)
        return {'region_id': region_id, 'project_id': project_id,
                'provider_project_id': mapping['provider_project_id'],
                'token': cached['token'],
                'expires_at': min(cached['expires_at'],
                                  utils.isotime(token['expires_at'])),
                'endpoints': self._endpoints(row)}

    def get_endpoints(self, region_id):
        """The provider endpoints of a bound region, and nothing else: no
        token, no project. The proxy relays the version documents of these
        endpoints to callers without a token, as the provider serves them
        to anyone."""
        return {'region_id': region_id,
                'endpoints': self._endpoints(self._active(region_id))}

    def _active(self, region_id):
        row = self.driver.find_bound_region(region_id=region_id)
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

    def _provider_token(self, row, mapping):
        provider = self.driver.get_provider(row['provider_id'])
        binding = row['binding']
        # The binding's own password, not the provider's application
        # credential, authenticates this call.
        with provider_client.ProviderClient(provider, None) as client:
            token, expires_at = client.project_token(
                binding['user_id'], glue.decrypt(row['encrypted_password']),
                mapping['provider_project_id'])
        return {'token': token, 'expires_at': utils.isotime(expires_at)}
