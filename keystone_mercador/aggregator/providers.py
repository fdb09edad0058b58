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

"""Providers registered at this aggregator, and their live offers."""

import uuid

from keystone_mercador.aggregator import binding
from keystone_mercador.aggregator import client as provider_client
from keystone_mercador import glue

PROVIDER = 'OS-MERCADOR:provider'
#: Notified resource types of the rows holding a secret.
_RESOURCE = {'provider': PROVIDER, 'bound_region': 'OS-MERCADOR:bound_region'}


class Manager(glue.Manager):
    """Providers: where they are and the credential they issued."""

    driver_namespace = 'mercador.aggregator'
    _provides_api = 'mercador_provider_api'

    def __init__(self):
        super().__init__('sql')

    def client(self, provider, secret=None):
        """A client of the provider (a stored row), authenticating with its
        stored secret unless ``secret`` is given."""
        if secret is None:
            secret = glue.decrypt(provider['encrypted_secret'])
        return provider_client.ProviderClient(provider, secret)

    def _check(self, provider, secret):
        with self.client(provider, secret) as client:
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
        self._check(values, secret)
        values['encrypted_secret'], values['key_hash'] = glue.encrypt(secret)
        values['id'] = uuid.uuid4().hex
        ref = self.driver.create_provider(values)
        glue.Audit.created(PROVIDER, ref['id'], initiator)
        return ref

    def get_provider(self, provider_id):
        return self.driver.get_provider(provider_id)

    def list_providers(self):
        return self.driver.list_providers()

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
            self._check(dict(current, **values), secret)
            if credential:
                values['encrypted_secret'], values['key_hash'] = \
                    glue.encrypt(secret)
        ref = self.driver.update_provider(provider_id, values)
        glue.Audit.updated(PROVIDER, provider_id, initiator)
        return ref

    def reencrypt_secrets(self, initiator=None):
        """Re-encrypt every stored secret not encrypted with the primary
        key of Keystone's credential key repository.

        Run after ``keystone-manage credential_rotate``: the secrets then
        stay readable once a later rotation drops the key they were
        encrypted with. Idempotent. Returns ``{kind: {'reencrypted': n,
        'current': n, 'lost': [row IDs]}}``; a lost secret was encrypted
        with a key no longer in the repository (the provider's credential,
        or the bound region, must be renewed).
        """
        primary = glue.primary_key_hash()
        report = {kind: {'reencrypted': 0, 'current': 0, 'lost': []}
                  for kind in ('provider', 'bound_region')}
        for secret in self.driver.list_secrets():
            counts = report[secret['kind']]
            if secret['key_hash'] == primary:
                counts['current'] += 1
                continue
            try:
                plaintext = glue.decrypt(secret['blob'])
            except glue.CredentialEncryptionError:
                counts['lost'].append(secret['id'])
                continue
            blob, key_hash = glue.encrypt(plaintext)
            if self.driver.replace_secret(secret['kind'], secret['id'],
                                          secret['blob'], blob, key_hash):
                counts['reencrypted'] += 1
                glue.Audit.updated(_RESOURCE[secret['kind']], secret['id'],
                                   initiator)
            else:
                # Changed meanwhile, by a request that encrypted it anew.
                counts['current'] += 1
        return report

    def set_unreachable(self, provider_id, since):
        """Record since when the provider is unreachable (None: it
        answers)."""
        self.driver.update_provider(provider_id, {'unreachable_since': since})

    def secrets_to_reencrypt(self):
        """``{kind: count}`` of the secrets not on the primary key."""
        primary = glue.primary_key_hash()
        counts = {'provider': 0, 'bound_region': 0}
        for secret in self.driver.list_secrets():
            if secret['key_hash'] != primary:
                counts[secret['kind']] += 1
        return counts

    def delete_provider(self, provider_id, force=False, initiator=None):
        """Forget a provider; Conflict while it has bound regions.

        With ``force`` (a provider that went away), its bound regions are
        first unbound with force (see ``delete_bound_region``); returns
        what could not be cleaned at the provider (empty without force).
        """
        leftovers = []
        if force:
            provider = self.driver.get_provider(provider_id)
            bound_regions = glue.PROVIDERS.mercador_bound_region_api
            rows = bound_regions.list_bound_regions(provider_id=provider_id)
            # Nothing is deleted while a bind of it is still running.
            for row in rows:
                bound_regions.check_deletable(row, force=True)
            remote = binding.RemoteCleanup(provider)
            for row in rows:
                leftovers.extend(bound_regions.delete_bound_region(
                    row['id'], force=True, initiator=initiator,
                    remote=remote))
        self.driver.delete_provider(provider_id)
        glue.Audit.deleted(PROVIDER, provider_id, initiator)
        return leftovers

    # offers (live, from the provider)

    def list_offers(self, provider_id, filters=None):
        provider = self.driver.get_provider(provider_id)
        with self.client(provider) as client:
            offers = client.list_offers(filters)
        return [dict(o, provider_id=provider_id) for o in offers]

    def get_offer(self, provider_id, offer_id):
        provider = self.driver.get_provider(provider_id)
        with self.client(provider) as client:
            offer = client.get_offer(offer_id)
        return dict(offer, provider_id=provider_id)
