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

"""Mercador's stored secrets across a rotation of Keystone's credential
keys (``mercador-manage credential-rotate``)."""

from keystone.common import fernet_utils
from keystone.credential.providers import fernet as credential_fernet

from keystone_mercador.aggregator import binding
from keystone_mercador.aggregator import providers
from keystone_mercador import models
from tests.unit import aggregator_fixture

CONF = aggregator_fixture.CONF
PROVIDERS = aggregator_fixture.PROVIDERS


def rotate_keys():
    """What ``keystone-manage credential_rotate`` does to the keys."""
    fernet_utils.FernetUtils(
        CONF.credential.key_repository, credential_fernet.MAX_ACTIVE_KEYS,
        'credential').rotate_keys()


def primary_key_hash():
    return credential_fernet.primary_key_hash(
        credential_fernet.get_multi_fernet_keys()[1])


class CredentialRotateTests(aggregator_fixture.AggregatorTestCase):

    def setUp(self):
        super().setUp()
        self.provider_ref, self.row = self.bound_story()

    def key_hashes(self):
        return {
            'provider': {r['id']: r['key_hash']
                         for r in self.mercador_rows(models.Provider)},
            'bound_region': {r['id']: r['key_hash']
                             for r in self.mercador_rows(models.BoundRegion)
                             if r['encrypted_password']}}

    def assertSecretsWork(self):
        """The provider credential authenticates, the bound region's
        password gets a provider token for a tenant."""
        provider = self.providers.get_provider(self.provider_ref['id'])
        with self.providers.client(provider) as client:
            client.authenticate()
        project = self.new_project()
        self.entitlements.create_entitlement(self.row['id'], 'project',
                                             project['id'])
        access = PROVIDERS.mercador_access_api.get_access(
            self.row['region_id'], self.project_token(project))
        self.assertIn(access['token'], self.provider.tokens)

    def test_nothing_to_do_on_the_primary_key(self):
        before = self.key_hashes()

        report = self.providers.reencrypt_secrets()

        self.assertEqual(
            {'provider': {'reencrypted': 0, 'current': 1, 'lost': []},
             'bound_region': {'reencrypted': 0, 'current': 1, 'lost': []}},
            report)
        self.assertEqual({'provider': 0, 'bound_region': 0},
                         self.providers.secrets_to_reencrypt())
        self.assertEqual(before, self.key_hashes())

    def test_reencrypt_after_a_rotation(self):
        rotate_keys()
        self.assertEqual({'provider': 1, 'bound_region': 1},
                         self.providers.secrets_to_reencrypt())
        self.clear_notifications()

        report = self.providers.reencrypt_secrets(initiator=self.initiator)

        self.assertEqual(
            {'provider': {'reencrypted': 1, 'current': 0, 'lost': []},
             'bound_region': {'reencrypted': 1, 'current': 0, 'lost': []}},
            report)
        primary = primary_key_hash()
        self.assertEqual(
            {'provider': {self.provider_ref['id']: primary},
             'bound_region': {self.row['id']: primary}}, self.key_hashes())
        self.assertEqual([
            ('identity.%s.updated' % binding.BOUND_REGION, self.row['id']),
            ('identity.%s.updated' % providers.PROVIDER,
             self.provider_ref['id']),
        ], self.mercador_notifications())
        # Idempotent.
        self.assertEqual(
            {'provider': {'reencrypted': 0, 'current': 1, 'lost': []},
             'bound_region': {'reencrypted': 0, 'current': 1, 'lost': []}},
            self.providers.reencrypt_secrets())

    def test_secrets_survive_the_key_they_were_encrypted_with(self):
        rotate_keys()
        self.providers.reencrypt_secrets()
        # Three keys at most: this one drops the original primary key.
        rotate_keys()

        self.assertSecretsWork()

    def test_without_it_a_later_rotation_loses_them(self):
        rotate_keys()
        rotate_keys()

        report = self.providers.reencrypt_secrets()

        self.assertEqual([self.provider_ref['id']],
                         report['provider']['lost'])
        self.assertEqual([self.row['id']], report['bound_region']['lost'])

    def test_a_secret_changed_meanwhile_is_left_as_it_is(self):
        rotate_keys()
        driver = self.providers.driver
        secret = [s for s in driver.list_secrets()
                  if s['kind'] == 'provider'][0]

        self.assertFalse(driver.replace_secret(
            'provider', secret['id'], 'not-the-blob', 'new', 'hash'))
        self.assertEqual(secret['blob'], driver.get_provider(
            secret['id'])['encrypted_secret'])

    def test_failed_bound_regions_hold_no_secret(self):
        self.bound_regions.mark_vanished(self.row)
        rotate_keys()

        self.assertEqual({'provider': 1, 'bound_region': 0},
                         self.providers.secrets_to_reencrypt())
