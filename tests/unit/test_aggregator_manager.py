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

"""Business rules of the aggregator managers, on Keystone's own managers.

The providers are ``aggregator_fixture.FakeProvider``: their HTTP API,
answered from memory as documented. Keystone, its catalog and the database
are real.
"""

import datetime
import json
import uuid

from oslo_db import exception as db_exception
import requests
import sqlalchemy as sa

from keystone import exception as ks_exception

from keystone_mercador.aggregator import access
from keystone_mercador.aggregator import api as aggregator_api
from keystone_mercador.aggregator import reconcile
from keystone_mercador import exception
from keystone_mercador import glue
from keystone_mercador import models
from tests.unit import aggregator_fixture

PROVIDERS = aggregator_fixture.PROVIDERS
PROXY_URL = aggregator_fixture.PROXY_URL

AUTH = ('POST', '/auth/tokens')
BINDINGS = '/OS-MERCADOR/bindings'
BINDING = '/OS-MERCADOR/bindings/{binding_id}'
PROJECTS = '/OS-MERCADOR/bindings/{binding_id}/projects'
USERS = '/OS-MERCADOR/bindings/{binding_id}/users'


def _writes(calls):
    """The calls that are not token requests or reads."""
    return [c for c in calls if c != AUTH and c[0] != 'GET']


class ProviderTests(aggregator_fixture.AggregatorTestCase):

    def create(self, credential=None, **kwargs):
        ref = {'name': 'provider', 'auth_url': self.provider.url,
               'credential': credential or self.provider.add_credential()}
        ref.update(kwargs)
        return self.providers.create_provider(ref, initiator=self.initiator)

    def test_create_stores_the_checked_secret_encrypted(self):
        credential = self.provider.add_credential()
        secret = credential['application_credential_secret']
        stored_when_checked = []
        self.provider.during(*AUTH, lambda: stored_when_checked.append(
            self.mercador_rows(models.Provider)))

        ref = self.create(credential, description='Paris')

        self.assertEqual([AUTH], self.provider.calls)
        self.assertEqual([[]], stored_when_checked)
        self.assertEqual(
            {'name': 'provider', 'description': 'Paris',
             'auth_url': self.provider.url, 'ca_certificate': None,
             'application_credential_id':
                 credential['application_credential_id']},
            {k: ref[k] for k in ('name', 'description', 'auth_url',
                                 'ca_certificate',
                                 'application_credential_id')})
        self.assertNotIn(secret, json.dumps(ref, default=str))
        self.assertEqual(secret, glue.decrypt(ref['encrypted_secret']))
        self.assertEqual(glue.encrypt('x')[1], ref['key_hash'])
        self.assertEqual(ref, self.providers.get_provider(ref['id']))
        self.assertEqual([('identity.OS-MERCADOR:provider.created',
                           ref['id'])], self.mercador_notifications())
        view = aggregator_api._provider_view(ref)
        self.assertNotIn('encrypted_secret', view)
        self.assertNotIn('key_hash', view)
        self.assertNotIn(secret, json.dumps(view, default=str))

    def test_create_with_a_rejected_credential_stores_nothing(self):
        credential = self.provider.add_credential()
        secret = credential['application_credential_secret']
        self.provider.credentials[credential[
            'application_credential_id']] = 'revoked'

        e = self.assertRaises(exception.ProviderError, self.create,
                              credential)

        self.assertEqual(401, e.status)
        self.assertIn('provider', str(e))
        self.assertNotIn(secret, str(e))
        self.assertEqual([], self.mercador_rows(models.Provider))
        self.assertEqual([], self.mercador_notifications())

    def test_create_with_an_unreachable_provider_stores_nothing(self):
        self.provider.fail(*AUTH, exc=aggregator_fixture.refused)

        e = self.assertRaises(exception.ProviderError, self.create)

        self.assertFalse(e.sent)
        self.assertIn(self.provider.url, str(e))
        self.assertEqual([], self.mercador_rows(models.Provider))

    def test_create_with_a_ca_certificate(self):
        pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'

        ref = self.create(ca_certificate=pem)

        self.assertEqual(pem, ref['ca_certificate'])

    def test_duplicate_name_is_a_conflict(self):
        self.create()

        e = self.assertRaises(exception.Conflict, self.create)

        self.assertIn('provider', str(e))
        self.assertEqual(1, len(self.mercador_rows(models.Provider)))

    def test_list_is_ordered_by_name(self):
        for name in ('b', 'c', 'a'):
            self.create(name=name)

        self.assertEqual(['a', 'b', 'c'], [
            p['name'] for p in self.providers.list_providers()])

    def test_update_without_connection_fields_calls_no_provider(self):
        ref = self.create()
        self.provider.calls = []

        updated = self.providers.update_provider(
            ref['id'], {'description': 'new', 'name': 'renamed'},
            initiator=self.initiator)

        self.assertEqual([], self.provider.calls)
        self.assertEqual(('new', 'renamed'),
                         (updated['description'], updated['name']))
        self.assertEqual(ref['encrypted_secret'], updated['encrypted_secret'])
        self.assertEqual(('identity.OS-MERCADOR:provider.updated', ref['id']),
                         self.mercador_notifications()[-1])

    def test_update_auth_url_checks_the_stored_secret_there(self):
        ref = self.create()
        moved = self.new_provider('moved')
        moved.credentials.update(self.provider.credentials)

        updated = self.providers.update_provider(ref['id'],
                                                 {'auth_url': moved.url})

        self.assertEqual([AUTH], moved.calls)
        self.assertEqual(moved.url, updated['auth_url'])
        self.assertEqual(ref['encrypted_secret'], updated['encrypted_secret'])

    def test_update_refused_by_the_provider_changes_nothing(self):
        ref = self.create()
        moved = self.new_provider('moved')  # does not know the credential

        e = self.assertRaises(exception.ProviderError,
                              self.providers.update_provider, ref['id'],
                              {'auth_url': moved.url})

        self.assertEqual(401, e.status)
        self.assertEqual(ref, self.providers.get_provider(ref['id']))

    def test_update_ca_certificate_checks_the_connection(self):
        ref = self.create()
        self.provider.calls = []

        self.providers.update_provider(
            ref['id'], {'ca_certificate': '-----BEGIN CERTIFICATE-----\n'})

        self.assertEqual([AUTH], self.provider.calls)

    def test_update_credential_checks_and_stores_the_new_secret(self):
        ref = self.create()
        old_id = ref['application_credential_id']
        credential = self.provider.add_credential()
        self.provider.calls = []

        updated = self.providers.update_provider(
            ref['id'], {'credential': credential})

        self.assertEqual([AUTH], self.provider.calls)
        self.assertEqual(credential['application_credential_id'],
                         updated['application_credential_id'])
        self.assertEqual(credential['application_credential_secret'],
                         glue.decrypt(updated['encrypted_secret']))
        # The old credential is no longer needed.
        del self.provider.credentials[old_id]
        self.provider.add_offer()
        self.assertEqual(1, len(self.providers.list_offers(ref['id'])))

    def test_update_with_a_rejected_credential_keeps_the_old_one(self):
        ref = self.create()
        credential = {'application_credential_id': uuid.uuid4().hex,
                      'application_credential_secret': uuid.uuid4().hex}

        self.assertRaises(exception.ProviderError,
                          self.providers.update_provider, ref['id'],
                          {'credential': credential})

        self.assertEqual(ref, self.providers.get_provider(ref['id']))

    def test_update_unknown_provider(self):
        self.assertRaises(exception.ProviderNotFound,
                          self.providers.update_provider, uuid.uuid4().hex,
                          {'description': ''})

    def test_delete_is_refused_while_bound_regions_exist(self):
        ref = self.create()
        row = self.bind(ref, self.provider.add_offer())

        e = self.assertRaises(exception.Conflict,
                              self.providers.delete_provider, ref['id'])

        self.assertIn('1 bound region', str(e))
        self.providers.get_provider(ref['id'])
        self.bound_regions.delete_bound_region(row['id'])
        self.providers.delete_provider(ref['id'], initiator=self.initiator)
        self.assertRaises(exception.ProviderNotFound,
                          self.providers.get_provider, ref['id'])
        self.assertEqual(('identity.OS-MERCADOR:provider.deleted', ref['id']),
                         self.mercador_notifications()[-1])

    def test_delete_unknown_provider(self):
        self.assertRaises(exception.ProviderNotFound,
                          self.providers.delete_provider, uuid.uuid4().hex)

    def test_list_offers_live_with_filters(self):
        ref = self.create()
        paris = self.provider.add_offer(metadata={'country': 'FR'})
        self.provider.add_offer(metadata={'country': 'DE'})

        offers = self.providers.list_offers(ref['id'], {'country': 'FR'})

        self.assertEqual([paris['id']], [o['id'] for o in offers])
        self.assertEqual(ref['id'], offers[0]['provider_id'])
        self.assertEqual(paris['services'], offers[0]['services'])

    def test_get_offer(self):
        ref = self.create()
        offer = self.provider.add_offer()

        got = self.providers.get_offer(ref['id'], offer['id'])

        self.assertEqual(dict(offer, provider_id=ref['id']), got)
        self.assertRaises(exception.ProviderOfferNotFound,
                          self.providers.get_offer, ref['id'],
                          uuid.uuid4().hex)

    def test_offers_of_an_unknown_provider(self):
        self.assertRaises(exception.ProviderNotFound,
                          self.providers.list_offers, uuid.uuid4().hex)


class BindTests(aggregator_fixture.AggregatorTestCase):

    def setUp(self):
        super().setUp()
        self.provider_ref = self.register_provider()
        self.offer = self.provider.add_offer(('network', 'compute'))
        self.provider.calls = []
        self.clear_notifications()

    def ref(self, **kwargs):
        ref = {'provider_id': self.provider_ref['id'],
               'offer_id': self.offer['id'], 'region_id': 'RegionB',
               'idempotency_key': 'key-' + uuid.uuid4().hex}
        ref.update(kwargs)
        return ref

    def create(self, **kwargs):
        return self.bound_regions.create_bound_region(
            self.ref(**kwargs), initiator=self.initiator)

    def only_row(self):
        rows = self.mercador_rows(models.BoundRegion)
        self.assertEqual(1, len(rows))
        return rows[0]

    def refuse_endpoints(self, suffix):
        """A database that refuses catalog endpoints whose URL ends so."""
        with self.engine.begin() as connection:
            connection.execute(sa.text(
                "CREATE TRIGGER refuse_endpoint BEFORE INSERT ON endpoint "
                "WHEN NEW.url LIKE '%%%s' BEGIN "
                "SELECT RAISE(ABORT, 'endpoint refused'); END" % suffix))

    def test_bind_writes_region_endpoints_and_active_row(self):
        row, created = self.create(description='Paris')

        self.assertTrue(created)
        self.assertEqual('active', row['status'])
        self.assertIsNone(row['reason'])
        self.assertEqual(['compute', 'network'], row['services'])
        # The offer's metadata, as the provider published it.
        self.assertEqual({'country': 'FR'}, row['metadata'])
        (binding,) = self.provider.bindings.values()
        # The row's ID is the provider's idempotency key.
        self.assertEqual(row['id'], binding['idempotency_key'])
        self.assertEqual(binding['id'], row['binding_id'])
        self.assertNotIn('credential', row['binding'])
        self.assertEqual(binding['endpoints'], row['binding']['endpoints'])
        self.assertEqual(binding['password'],
                         glue.decrypt(row['encrypted_password']))
        self.assertEqual(row, self.bound_regions.get_bound_region(row['id']))

        self.assertEqual('Paris',
                         PROVIDERS.catalog_api.get_region('RegionB')[
                             'description'])
        endpoints = self.region_endpoints('RegionB')
        self.assertEqual(
            [('public', PROXY_URL + '/RegionB/compute'),
             ('public', PROXY_URL + '/RegionB/network')],
            [(e['interface'], e['url']) for e in endpoints])
        owned = self.owned_services()
        self.assertEqual(['compute', 'network'], sorted(owned))
        for endpoint in endpoints:
            service = PROVIDERS.catalog_api.get_service(
                endpoint['service_id'])
            self.assertEqual(owned[service['type']], service['id'])
        self.assertEqual(
            sorted((e['id'], e['service_id']) for e in endpoints),
            sorted((b['endpoint_id'], b['service_id'])
                   for b in self.mercador_rows(models.BoundEndpoint)))
        self.assertEqual(
            [('identity.OS-MERCADOR:bound_region.created', row['id']),
             ('identity.OS-MERCADOR:bound_region.updated', row['id'])],
            self.mercador_notifications())

    def test_region_description_defaults_to_the_provider(self):
        self.create()

        self.assertEqual('Bound from provider.',
                         PROVIDERS.catalog_api.get_region('RegionB')[
                             'description'])

    def test_endpoints_go_into_the_local_service_of_their_type(self):
        service_id = uuid.uuid4().hex
        PROVIDERS.catalog_api.create_service(
            service_id, {'id': service_id, 'type': 'compute', 'name': 'nova',
                         'enabled': True})

        self.create()

        by_url = {e['url']: e['service_id']
                  for e in self.region_endpoints('RegionB')}
        self.assertEqual(service_id, by_url[PROXY_URL + '/RegionB/compute'])
        self.assertEqual(['network'], list(self.owned_services()))

    def test_endpoints_never_go_into_a_disabled_service(self):
        for service_id, enabled in (('0' * 32, False), ('f' * 32, True)):
            PROVIDERS.catalog_api.create_service(service_id, {
                'id': service_id, 'type': 'compute', 'name': 'nova',
                'enabled': enabled})
        row, _ = self.create()
        project = self.new_project()
        self.entitlements.create_entitlement(row['id'], 'project',
                                             project['id'])

        by_url = {e['url']: e['service_id']
                  for e in self.region_endpoints('RegionB')}
        self.assertEqual('f' * 32, by_url[PROXY_URL + '/RegionB/compute'])
        self.assertIn('RegionB', [
            e['region'] for s in PROVIDERS.catalog_api.get_v3_catalog(
                uuid.uuid4().hex, project['id'])
            if s['type'] == 'compute' for e in s['endpoints']])

    def test_services_of_a_second_bound_region_are_reused(self):
        first, _ = self.create()
        second, _ = self.create(region_id='RegionC',
                                offer_id=self.provider.add_offer()['id'])

        self.assertEqual(
            [e['service_id'] for e in self.region_endpoints('RegionB')],
            [e['service_id'] for e in self.region_endpoints('RegionC')])
        self.assertEqual(2, len(self.owned_services()))

    def test_replay_with_the_same_key_and_body_returns_the_row(self):
        row, _ = self.create(idempotency_key='key-1', description='d')
        calls = list(self.provider.calls)

        again, created = self.create(idempotency_key='key-1',
                                     description='d')

        self.assertFalse(created)
        self.assertEqual(row, again)
        self.assertEqual(calls, self.provider.calls)
        self.assertEqual(1, len(self.provider.bindings))

    def test_replay_of_a_failed_bind_returns_it_as_it_is(self):
        self.provider.fail('POST', BINDINGS, status=403)
        self.assertRaises(exception.ProviderError, self.create,
                          idempotency_key='key-1')
        calls = list(self.provider.calls)

        again, created = self.create(idempotency_key='key-1')

        self.assertFalse(created)
        self.assertEqual('failed', again['status'])
        self.assertEqual(calls, self.provider.calls)

    def test_key_reused_with_another_body(self):
        self.create(idempotency_key='key-1')
        calls = list(self.provider.calls)

        self.assertRaises(exception.IdempotencyKeyReused, self.create,
                          idempotency_key='key-1', region_id='RegionC')

        self.assertEqual(calls, self.provider.calls)
        self.only_row()

    def test_region_already_in_the_catalog(self):
        PROVIDERS.catalog_api.create_region({'id': 'RegionB'})

        e = self.assertRaises(exception.Conflict, self.create)

        self.assertIn('RegionB', str(e))
        self.assertEqual([], self.mercador_rows(models.BoundRegion))
        self.assertEqual([], self.provider.calls)

    def test_region_id_held_by_a_failed_bound_region(self):
        self.provider.fail('POST', BINDINGS, status=403)
        self.assertRaises(exception.ProviderError, self.create)
        failed = self.only_row()

        e = self.assertRaises(exception.Conflict, self.create,
                              offer_id=self.provider.add_offer()['id'])

        self.assertIn(failed['id'], str(e))

    def test_an_offer_is_bound_once(self):
        holder, _ = self.create()
        self.provider.calls = []

        e = self.assertRaises(exception.Conflict, self.create,
                              region_id='RegionC')

        self.assertIn(holder['id'], str(e))
        self.assertIn('RegionB', str(e))
        self.assertEqual(0, self.provider.calls_to('POST', BINDINGS))
        self.assertEqual(1, len(self.provider.bindings))

    def test_unknown_offer(self):
        self.assertRaises(exception.ProviderOfferNotFound, self.create,
                          offer_id=uuid.uuid4().hex)

        self.assertEqual([], self.mercador_rows(models.BoundRegion))

    def test_unknown_provider(self):
        self.assertRaises(exception.ProviderNotFound, self.create,
                          provider_id=uuid.uuid4().hex)

    def test_provider_refusal_fails_without_compensation(self):
        self.provider.fail('POST', BINDINGS, status=403)

        e = self.assertRaises(exception.ProviderError, self.create)

        self.assertEqual(403, e.status)
        row = self.only_row()
        self.assertEqual('failed', row['status'])
        self.assertIn('HTTP 403', row['reason'])
        self.assertEqual([('POST', BINDINGS)],
                         _writes(self.provider.calls))
        self.assertEqual(0, self.provider.calls_to('GET', BINDINGS))
        self.assertRaises(ks_exception.RegionNotFound,
                          PROVIDERS.catalog_api.get_region, 'RegionB')

    def test_offer_withdrawn_before_the_binding(self):
        self.provider.fail('POST', BINDINGS, status=404)

        self.assertRaises(exception.ProviderOfferNotFound, self.create)

        self.assertEqual('failed', self.only_row()['status'])
        self.assertEqual(0, self.provider.calls_to('GET', BINDINGS))

    def test_server_error_after_binding_is_compensated(self):
        self.provider.fail('POST', BINDINGS, status=500, apply=True)

        e = self.assertRaises(exception.ProviderError, self.create)

        self.assertEqual(500, e.status)
        row = self.only_row()
        self.assertEqual('failed', row['status'])
        self.assertIn('HTTP 500', row['reason'])
        self.assertEqual([('POST', BINDINGS), ('DELETE', BINDING)],
                         _writes(self.provider.calls))
        self.assertEqual({}, self.provider.bindings)
        self.assertRegionGone('RegionB')

    def test_timeout_after_sending_is_compensated(self):
        self.provider.fail('POST', BINDINGS, apply=True,
                           exc=requests.exceptions.ReadTimeout)

        self.assertRaises(exception.ProviderTimeout, self.create)

        self.assertEqual('failed', self.only_row()['status'])
        self.assertEqual(1, self.provider.calls_to('DELETE', BINDING))
        self.assertEqual({}, self.provider.bindings)

    def test_timeout_of_a_binding_never_made_deletes_nothing(self):
        self.provider.fail('POST', BINDINGS,
                           exc=requests.exceptions.ReadTimeout)

        self.assertRaises(exception.ProviderTimeout, self.create)

        self.assertEqual('failed', self.only_row()['status'])
        # Compensation looked for it by idempotency key.
        self.assertEqual(1, self.provider.calls_to('GET', BINDINGS))
        self.assertEqual(0, self.provider.calls_to('DELETE', BINDING))

    def test_request_never_sent_is_not_compensated(self):
        self.provider.fail('POST', BINDINGS, exc=aggregator_fixture.refused)

        e = self.assertRaises(exception.ProviderError, self.create)

        self.assertFalse(e.sent)
        self.assertEqual('failed', self.only_row()['status'])
        self.assertEqual(0, self.provider.calls_to('GET', BINDINGS))
        self.assertEqual(0, self.provider.calls_to('DELETE', BINDING))

    def test_compensation_without_the_provider_stays_compensating(self):
        self.provider.fail('POST', BINDINGS, status=502, apply=True)
        self.provider.fail('GET', BINDINGS, status=503)

        self.assertRaises(exception.ProviderError, self.create)

        row = self.only_row()
        self.assertEqual('compensating', row['status'])
        self.assertIn('HTTP 502', row['reason'])
        self.assertEqual(1, len(self.provider.bindings))

    def test_binding_the_provider_replays_gets_a_new_credential(self):
        # The provider answers 200 (an earlier request with this key
        # reached it): the password of the first answer was never stored.
        self.provider.replay_bindings = True

        row, _ = self.create()

        self.assertEqual('active', row['status'])
        self.assertEqual(1, self.provider.calls_to(
            'POST', '/OS-MERCADOR/bindings/{binding_id}/credential'))
        (binding,) = self.provider.bindings.values()
        self.assertEqual(binding['password'],
                         glue.decrypt(row['encrypted_password']))

    def test_local_catalog_failure_undoes_the_remote_binding(self):
        # The second endpoint is refused: the region, the first endpoint
        # and the services created are rolled back with it.
        self.refuse_endpoints('/network')

        self.assertRaises(db_exception.DBError, self.create)

        row = self.only_row()
        self.assertEqual('failed', row['status'])
        self.assertIn('The local catalog update failed', row['reason'])
        self.assertEqual(1, self.provider.calls_to('DELETE', BINDING))
        self.assertEqual({}, self.provider.bindings)
        self.assertRegionGone('RegionB')
        self.assertEqual([], PROVIDERS.catalog_api.list_services())
        self.assertEqual({}, self.owned_services())
        self.assertEqual([], self.mercador_rows(models.BoundEndpoint))

    def test_region_id_is_free_again_after_a_local_catalog_failure(self):
        # Keystone's managers cached the region they created in the
        # transaction that rolled back: that cache must not outlive it.
        self.refuse_endpoints('/network')
        self.assertRaises(db_exception.DBError, self.create)
        self.bound_regions.delete_bound_region(self.only_row()['id'])
        with self.engine.begin() as connection:
            connection.execute(sa.text('DROP TRIGGER refuse_endpoint'))

        self.assertRaises(ks_exception.RegionNotFound,
                          PROVIDERS.catalog_api.get_region, 'RegionB')
        row, _ = self.create()

        self.assertEqual('active', row['status'])

    def test_an_identity_service_offered_is_not_in_the_catalog(self):
        # A provider that still offers its identity service (one that
        # predates the publisher's refusal, or not Mercador's publisher).
        offer = self.provider.add_offer(('identity', 'compute'))

        row, _ = self.create(offer_id=offer['id'])

        self.assertEqual([PROXY_URL + '/RegionB/compute'], [
            e['url'] for e in self.region_endpoints('RegionB')])
        self.assertNotIn('identity', row['services'])
        self.assertEqual([], self.bound_regions.catalog_drift(row))

    # Concurrent requests: another one runs while this one waits for the
    # provider's offer, before its row is inserted.

    def concurrently(self, **kwargs):
        ref = self.ref(**kwargs)
        result = []
        self.provider.during(
            'GET', '/OS-MERCADOR/offers/{offer_id}',
            lambda: result.append(self.bound_regions.create_bound_region(
                ref)[0]))
        return result

    def test_concurrent_replay_returns_the_row_of_the_first(self):
        first = self.concurrently(idempotency_key='key-1')

        row, created = self.create(idempotency_key='key-1')

        self.assertFalse(created)
        self.assertEqual(first, [row])
        self.assertEqual('active', row['status'])
        self.assertEqual(1, len(self.provider.bindings))
        self.only_row()

    def test_concurrent_reuse_of_a_key_with_another_body(self):
        self.concurrently(idempotency_key='key-1', region_id='RegionC')

        self.assertRaises(exception.IdempotencyKeyReused, self.create,
                          idempotency_key='key-1')

        self.assertEqual('RegionC', self.only_row()['region_id'])

    def test_concurrent_bind_of_the_same_offer(self):
        first = self.concurrently(region_id='RegionC')

        e = self.assertRaises(exception.Conflict, self.create)

        (holder,) = first
        self.assertIn(holder['id'], str(e))
        self.assertEqual(1, len(self.provider.bindings))
        self.assertEqual(holder, self.only_row())

    def test_concurrent_bind_of_the_same_region_id(self):
        first = self.concurrently(offer_id=self.provider.add_offer()['id'])

        self.assertRaises(exception.Conflict, self.create)

        self.assertEqual(first, [self.only_row()])
        self.assertEqual(2, len(self.region_endpoints('RegionB')))

    def test_list_and_find(self):
        first, _ = self.create()
        offer = self.provider.add_offer()
        self.provider.fail('POST', BINDINGS, status=403)
        self.assertRaises(exception.ProviderError, self.create,
                          region_id='RegionA', offer_id=offer['id'])

        self.assertEqual(['RegionA', 'RegionB'], [
            r['region_id'] for r in self.bound_regions.list_bound_regions()])
        self.assertEqual([first['id']], [
            r['id'] for r in self.bound_regions.list_bound_regions(
                status='active')])
        self.assertEqual(2, len(self.bound_regions.list_bound_regions(
            provider_id=self.provider_ref['id'])))
        self.assertEqual(first, self.bound_regions.find_bound_region(
            'RegionB'))
        self.assertIsNone(self.bound_regions.find_bound_region('RegionZ'))
        self.assertRaises(exception.BoundRegionNotFound,
                          self.bound_regions.get_bound_region,
                          uuid.uuid4().hex)


class UnbindTests(aggregator_fixture.AggregatorTestCase):

    def test_unbind_removes_what_the_bind_wrote(self):
        provider_ref, row = self.bound_story()
        project = self.new_project()
        self.entitlements.create_entitlement(row['id'], 'project',
                                             project['id'])
        self.clear_notifications()
        service_ids = set(self.owned_services().values())
        self.provider.calls = []

        self.bound_regions.delete_bound_region(row['id'],
                                               initiator=self.initiator)

        self.assertEqual([('DELETE', BINDING)], _writes(self.provider.calls))
        self.assertEqual({}, self.provider.bindings)
        self.assertRegionGone(row['region_id'])
        self.assertEqual({}, self.owned_services())
        for service_id in service_ids:
            self.assertRaises(ks_exception.ServiceNotFound,
                              PROVIDERS.catalog_api.get_service, service_id)
        for model in (models.BoundRegion, models.BoundEndpoint,
                      models.Entitlement, models.ProjectMapping):
            self.assertEqual([], self.mercador_rows(model))
        self.assertEqual(
            [('identity.OS-MERCADOR:bound_region.deleted', row['id'])],
            self.mercador_notifications())

    def test_services_still_in_use_stay(self):
        service_id = uuid.uuid4().hex
        PROVIDERS.catalog_api.create_service(
            service_id, {'id': service_id, 'type': 'compute', 'name': 'nova',
                         'enabled': True})
        provider_ref = self.register_provider()
        first = self.bind(provider_ref, self.provider.add_offer())
        second = self.bind(provider_ref, self.provider.add_offer())
        network = self.owned_services()['network']

        self.bound_regions.delete_bound_region(first['id'])

        self.assertEqual({'network': network}, self.owned_services())
        PROVIDERS.catalog_api.get_service(network)
        self.bound_regions.delete_bound_region(second['id'])
        self.assertEqual({}, self.owned_services())
        self.assertRaises(ks_exception.ServiceNotFound,
                          PROVIDERS.catalog_api.get_service, network)
        # The local service of the type was not Mercador's to delete.
        PROVIDERS.catalog_api.get_service(service_id)

    def test_unbind_while_in_progress_is_a_conflict(self):
        provider_ref = self.register_provider()
        self.provider.fail('POST', BINDINGS, status=500, apply=True)
        self.provider.fail('GET', BINDINGS, status=503)
        self.assertRaises(exception.ProviderError, self.bind, provider_ref,
                          self.provider.add_offer())
        (row,) = self.mercador_rows(models.BoundRegion)
        self.provider.calls = []

        e = self.assertRaises(exception.Conflict,
                              self.bound_regions.delete_bound_region,
                              row['id'])

        self.assertIn('compensating', str(e))
        self.assertEqual([], self.provider.calls)
        self.assertEqual('compensating', self.bound_regions.get_bound_region(
            row['id'])['status'])

    def test_unbind_of_a_failed_row_calls_no_provider(self):
        provider_ref = self.register_provider()
        self.provider.fail('POST', BINDINGS, status=403)
        self.assertRaises(exception.ProviderError, self.bind, provider_ref,
                          self.provider.add_offer())
        (row,) = self.mercador_rows(models.BoundRegion)
        self.provider.calls = []

        self.bound_regions.delete_bound_region(row['id'])

        self.assertEqual([], self.provider.calls)
        self.assertEqual([], self.mercador_rows(models.BoundRegion))

    def test_unbind_without_the_provider_changes_nothing(self):
        provider_ref, row = self.bound_story()
        endpoints = self.region_endpoints(row['region_id'])
        self.provider.fail('DELETE', BINDING, exc=aggregator_fixture.refused)

        self.assertRaises(exception.ProviderError,
                          self.bound_regions.delete_bound_region, row['id'])

        self.assertEqual(row, self.bound_regions.get_bound_region(row['id']))
        self.assertEqual(endpoints, self.region_endpoints(row['region_id']))

    def test_unbind_of_a_binding_the_provider_deleted(self):
        provider_ref, row = self.bound_story()
        self.provider.bindings.clear()

        self.bound_regions.delete_bound_region(row['id'])

        self.assertRegionGone(row['region_id'])
        self.assertEqual([], self.mercador_rows(models.BoundRegion))

    def test_unbind_unknown(self):
        self.assertRaises(exception.BoundRegionNotFound,
                          self.bound_regions.delete_bound_region,
                          uuid.uuid4().hex)


class EntitlementTests(aggregator_fixture.AggregatorTestCase):

    def setUp(self):
        super().setUp()
        self.provider_ref, self.row = self.bound_story()
        self.domain = self.new_domain()
        self.project = self.new_project(self.domain['id'])

    def entitle(self, target_type, target_id, row=None):
        self.entitlements.create_entitlement(
            (row or self.row)['id'], target_type, target_id,
            initiator=self.initiator)

    def targets(self):
        return [(e['target_type'], e['target_id'])
                for e in self.entitlements.list_entitlements(self.row['id'])]

    def test_project_and_domain_targets(self):
        self.entitle('project', self.project['id'])
        self.entitle('domain', self.domain['id'])

        self.assertEqual(
            sorted([('project', self.project['id']),
                    ('domain', self.domain['id'])]), self.targets())
        self.assertEqual(
            {'bound_region_id': self.row['id'], 'target_type': 'domain',
             'target_id': self.domain['id']},
            self.entitlements.get_entitlement(self.row['id'], 'domain',
                                              self.domain['id']))
        self.assertEqual(
            ('identity.OS-MERCADOR:entitlement.created',
             '%s/domain/%s' % (self.row['id'], self.domain['id'])),
            self.mercador_notifications()[-1])

    def test_a_domain_given_as_a_project(self):
        e = self.assertRaises(exception.InvalidInput, self.entitle,
                              'project', self.domain['id'])

        self.assertIn('entitle it as a domain', str(e))
        self.assertEqual([], self.targets())

    def test_a_project_given_as_a_domain(self):
        self.assertRaises(ks_exception.DomainNotFound, self.entitle,
                          'domain', self.project['id'])

    def test_unknown_targets(self):
        self.assertRaises(ks_exception.ProjectNotFound, self.entitle,
                          'project', uuid.uuid4().hex)
        self.assertRaises(ks_exception.DomainNotFound, self.entitle,
                          'domain', uuid.uuid4().hex)
        self.assertRaises(exception.BoundRegionNotFound,
                          self.entitlements.create_entitlement,
                          uuid.uuid4().hex, 'project', self.project['id'])
        self.assertEqual([], self.targets())

    def test_create_is_idempotent(self):
        self.entitle('project', self.project['id'])
        self.entitle('project', self.project['id'])

        self.assertEqual([('project', self.project['id'])], self.targets())

    def test_delete(self):
        self.entitle('project', self.project['id'])

        self.entitlements.delete_entitlement(
            self.row['id'], 'project', self.project['id'],
            initiator=self.initiator)

        self.assertEqual([], self.targets())
        self.assertRaises(exception.EntitlementNotFound,
                          self.entitlements.get_entitlement, self.row['id'],
                          'project', self.project['id'])
        self.assertEqual('identity.OS-MERCADOR:entitlement.deleted',
                         self.mercador_notifications()[-1][0])

    def test_delete_of_a_missing_entitlement(self):
        self.entitle('domain', self.domain['id'])

        self.assertRaises(exception.EntitlementNotFound,
                          self.entitlements.delete_entitlement,
                          self.row['id'], 'project', self.domain['id'])
        self.assertRaises(exception.BoundRegionNotFound,
                          self.entitlements.delete_entitlement,
                          uuid.uuid4().hex, 'domain', self.domain['id'])
        self.assertEqual([('domain', self.domain['id'])], self.targets())

    def test_list_of_an_unknown_bound_region(self):
        self.assertRaises(exception.BoundRegionNotFound,
                          self.entitlements.list_entitlements,
                          uuid.uuid4().hex)

    def test_deleting_a_project_removes_its_entitlements(self):
        other = self.new_project()
        self.entitle('project', self.project['id'])
        self.entitle('project', other['id'])

        PROVIDERS.resource_api.delete_project(self.project['id'])

        self.assertEqual([('project', other['id'])], self.targets())

    def test_deleting_a_domain_removes_its_entitlements(self):
        self.entitle('domain', self.domain['id'])
        self.entitle('project', self.project['id'])

        PROVIDERS.resource_api.update_domain(self.domain['id'],
                                             {'enabled': False})
        PROVIDERS.resource_api.delete_domain(self.domain['id'])

        self.assertEqual([], self.targets())

    def test_is_entitled_by_project(self):
        self.entitle('project', self.project['id'])

        self.assertTrue(self.entitlements.is_entitled(
            self.row['id'], self.project['id']))
        # Another project of the same domain is not.
        self.assertFalse(self.entitlements.is_entitled(
            self.row['id'], self.new_project(self.domain['id'])['id']))

    def test_is_entitled_by_domain(self):
        self.entitle('domain', self.domain['id'])

        self.assertTrue(self.entitlements.is_entitled(
            self.row['id'], self.project['id']))
        self.assertFalse(self.entitlements.is_entitled(
            self.row['id'], self.new_project()['id']))

    def _second_region_in_progress(self):
        """Another bound region, left compensating, entitled to the
        project and its domain."""
        self.provider.fail('POST', BINDINGS, status=500, apply=True)
        self.provider.fail('GET', BINDINGS, status=503)
        self.assertRaises(exception.ProviderError, self.bind,
                          self.provider_ref, self.provider.add_offer(),
                          region_id='RegionIP')
        row = self.bound_regions.find_bound_region('RegionIP')
        self.entitle('project', self.project['id'], row)
        self.entitle('domain', self.domain['id'], row)
        return row

    def test_rows_not_active_entitle_nobody(self):
        row = self._second_region_in_progress()

        self.assertEqual('compensating', row['status'])
        self.assertFalse(self.entitlements.is_entitled(row['id'],
                                                       self.project['id']))

    def test_hidden_region_ids(self):
        entitled_by_domain = self.bind(self.provider_ref,
                                       self.provider.add_offer())
        self.entitle('project', self.project['id'])
        self.entitle('domain', self.domain['id'], entitled_by_domain)
        in_progress = self._second_region_in_progress()
        everything = {self.row['region_id'], entitled_by_domain['region_id'],
                      in_progress['region_id']}

        self.assertEqual({in_progress['region_id']},
                         self.entitlements.hidden_region_ids(
                             self.project['id']))
        sibling = self.new_project(self.domain['id'])
        self.assertEqual(everything - {entitled_by_domain['region_id']},
                         self.entitlements.hidden_region_ids(sibling['id']))
        self.assertEqual(everything, self.entitlements.hidden_region_ids(
            self.new_project()['id']))
        self.assertEqual(everything,
                         self.entitlements.hidden_region_ids(None))


class AccessTests(aggregator_fixture.AggregatorTestCase):

    def setUp(self):
        super().setUp()
        self.provider_ref, self.row = self.bound_story()
        self.region_id = self.row['region_id']
        self.project = self.new_project()
        self.entitlements.create_entitlement(self.row['id'], 'project',
                                             self.project['id'])
        self.user = self.new_user(self.project)
        self.token = self.project_token(self.project, self.user)
        self.provider.calls = []

    def get_access(self, token=None, region_id=None):
        return PROVIDERS.mercador_access_api.get_access(
            region_id or self.region_id, token or self.token)

    def test_first_access_maps_the_project_at_the_provider(self):
        got = self.get_access()

        ((binding_id, reference), project), = self.provider.projects.items()
        ((_, user_reference), user), = self.provider.users.items()
        self.assertEqual(self.row['binding_id'], binding_id)
        # The provider learns random references only.
        for ref in (reference, user_reference):
            self.assertNotIn(self.project['id'], ref)
            self.assertNotIn(self.user['id'], ref)
        self.assertEqual(
            {'region_id': self.region_id, 'project_id': self.project['id'],
             'provider_project_id': project['id'],
             'user_id': self.user['id'], 'provider_user_id': user['id'],
             'endpoints': {
                 'compute': 'https://compute.provider.test/public',
                 'network': 'https://network.provider.test/public'}},
            {k: v for k, v in got.items()
             if k not in ('token', 'expires_at')})
        # The provider user's token, issued on the binding's authority.
        self.assertEqual(('user', user['id'], project['id']),
                         self.provider.tokens[got['token']])
        self.assertEqual({(user['id'], project['id'])}, self.provider.grants)
        (mapping,) = self.mercador_rows(models.ProjectMapping)
        self.assertEqual((self.project['id'], reference, project['id']),
                         (mapping['project_id'], mapping['reference'],
                          mapping['provider_project_id']))
        (mapping,) = self.mercador_rows(models.UserMapping)
        self.assertEqual((self.user['id'], user_reference, user['id']),
                         (mapping['user_id'], mapping['reference'],
                          mapping['provider_user_id']))

    def test_second_access_calls_no_provider(self):
        first = self.get_access()
        calls = list(self.provider.calls)

        second = self.get_access(self.project_token(self.project, self.user))

        self.assertEqual(calls, self.provider.calls)
        self.assertEqual(1, self.provider.calls_to('POST', PROJECTS))
        self.assertEqual(first['token'], second['token'])
        self.assertEqual(1, len(self.mercador_rows(models.ProjectMapping)))

    def test_two_users_of_one_project_are_two_provider_users(self):
        first = self.get_access()
        other = self.new_user(self.project)

        second = self.get_access(self.project_token(self.project, other))

        self.assertEqual(first['provider_project_id'],
                         second['provider_project_id'])
        self.assertNotEqual(first['provider_user_id'],
                            second['provider_user_id'])
        self.assertNotEqual(first['token'], second['token'])
        self.assertEqual(2, len(self.provider.users))

    def test_deleting_a_user_deletes_its_provider_user(self):
        got = self.get_access()

        PROVIDERS.identity_api.delete_user(self.user['id'])

        self.assertEqual({}, self.provider.users)
        self.assertEqual(set(), self.provider.grants)
        self.assertEqual([], self.mercador_rows(models.UserMapping))
        self.assertEqual(1, self.provider.calls_to(
            'DELETE', USERS + '/{user_id}'))
        self.assertNotIn(got['provider_user_id'], str(self.provider.users))

    def test_a_user_kept_when_the_provider_cannot_delete_it(self):
        self.get_access()
        self.provider.fail('DELETE', USERS + '/{user_id}', status=503)

        PROVIDERS.identity_api.delete_user(self.user['id'])

        # Kept for reconcile; the deleted user has no token to use it.
        self.assertEqual(1, len(self.mercador_rows(models.UserMapping)))
        self.assertEqual(1, len(self.provider.users))

        (finding,) = reconcile.reconcile(repair=False)
        self.assertIn(self.user['id'], finding['problem'])
        self.assertEqual(1, len(self.provider.users))
        (finding,) = reconcile.reconcile(repair=True)
        self.assertIsNone(finding['error'])
        self.assertEqual({}, self.provider.users)
        self.assertEqual([], self.mercador_rows(models.UserMapping))
        self.assertEqual([], reconcile.reconcile(repair=False))

    def test_removing_the_entitlement_revokes_the_provider_roles(self):
        self.get_access()
        self.assertEqual(1, len(self.provider.grants))

        self.entitlements.delete_entitlement(
            self.row['id'], 'project', self.project['id'])

        self.assertEqual(set(), self.provider.grants)
        self.assertRaises(exception.NotEntitled, self.get_access,
                          self.project_token(self.project, self.user))

    def test_a_renewed_binding_credential_is_used(self):
        first = self.get_access()
        # Another process rotated the binding credential: the cached
        # binding token no longer works at the provider.
        binding = self.provider.bindings[self.row['binding_id']]
        for token, scope in list(self.provider.tokens.items()):
            if scope[0] == 'binding':
                del self.provider.tokens[token]
        access.CACHE.delete(access._token_key(
            self.row['id'], first['provider_user_id'],
            first['provider_project_id']))

        again = self.get_access()

        self.assertEqual(('user', first['provider_user_id'],
                          first['provider_project_id']),
                         self.provider.tokens[again['token']])
        self.assertIn(binding['id'], [
            s[1] for s in self.provider.tokens.values()
            if s[0] == 'binding'])

    def get_mappings(self, outward=(), inward=(), token=None):
        return PROVIDERS.mercador_access_api.get_mappings(
            self.region_id, token or self.token, list(outward), list(inward))

    def test_ids_of_entitled_projects_and_their_users_are_mapped(self):
        other = self.new_project()
        self.entitlements.create_entitlement(self.row['id'], 'project',
                                             other['id'])
        member = self.new_user(other)
        unknown = uuid.uuid4().hex

        got = self.get_mappings([other['id'], member['id'], unknown])

        self.assertEqual({other['id'], member['id']}, set(got['outward']))
        provider_project = got['outward'][other['id']]
        provider_user = got['outward'][member['id']]
        self.assertIn(provider_project, [
            p['id'] for p in self.provider.projects.values()])
        self.assertIn(provider_user, [
            u['id'] for u in self.provider.users.values()])
        # And back.
        back = self.get_mappings(
            inward=[provider_project, provider_user, unknown])['inward']
        self.assertEqual({provider_project: other['id'],
                          provider_user: member['id']}, back)

    def test_ids_of_projects_not_entitled_are_refused(self):
        stranger = self.new_project()
        outsider = self.new_user(stranger)
        for local_id in (stranger['id'], outsider['id']):
            error = self.assertRaises(access.IDNotMappable,
                                      self.get_mappings, [local_id])
            self.assertIn(local_id, str(error))
            self.assertIn(self.region_id, str(error))
        self.assertEqual(0, self.provider.calls_to('POST', PROJECTS))
        self.assertEqual(0, self.provider.calls_to('POST', USERS))

    def test_mappings_need_an_entitled_token(self):
        stranger = self.new_project()
        self.assertRaises(exception.NotEntitled, self.get_mappings,
                          [self.project['id']],
                          token=self.project_token(stranger))
        self.assertRaises(access.SubjectTokenNotValid, self.get_mappings,
                          [self.project['id']], token='not-a-token')

    def test_concurrent_first_accesses_share_the_provider_project(self):
        inner = []
        token = self.project_token(self.project)
        self.provider.during('POST', PROJECTS,
                             lambda: inner.append(self.get_access(token)))

        outer = self.get_access()

        self.assertEqual(inner[0]['provider_project_id'],
                         outer['provider_project_id'])
        self.assertEqual(1, len(self.provider.projects))
        self.assertEqual(1, len(self.mercador_rows(models.ProjectMapping)))

    def test_provider_token_near_its_expiry_is_renewed(self):
        self.provider.token_lifetime = datetime.timedelta(
            seconds=access.TOKEN_MARGIN - 10)
        first = self.get_access()

        second = self.get_access()

        self.assertNotEqual(first['token'], second['token'])
        self.assertEqual(1, self.provider.calls_to('POST', PROJECTS))
        self.assertEqual(1, len(self.mercador_rows(models.ProjectMapping)))

    def test_expires_at_is_the_earlier_of_both_tokens(self):
        tenant = glue.validate_token(self.token)['expires_at']
        self.provider.token_lifetime = datetime.timedelta(hours=5)

        self.assertEqual(tenant, self.get_access()['expires_at'])

        self.provider.token_lifetime = datetime.timedelta(minutes=10)
        access.CACHE.invalidate()
        got = self.get_access()
        self.assertLess(got['expires_at'], tenant)
        self.assertEqual(self.provider.expiries[got['token']],
                         got['expires_at'])

    def test_each_project_has_its_provider_project(self):
        other = self.new_project()
        self.entitlements.create_entitlement(self.row['id'], 'project',
                                             other['id'])

        mine = self.get_access()
        theirs = self.get_access(self.project_token(other))

        self.assertNotEqual(mine['provider_project_id'],
                            theirs['provider_project_id'])
        self.assertNotEqual(mine['token'], theirs['token'])
        self.assertEqual(2, len(self.provider.projects))

    def test_access_through_a_domain_entitlement(self):
        domain = self.new_domain()
        project = self.new_project(domain['id'])
        self.entitlements.create_entitlement(self.row['id'], 'domain',
                                             domain['id'])

        got = self.get_access(self.project_token(project))

        self.assertEqual(project['id'], got['project_id'])

    def test_not_entitled(self):
        token = self.project_token(self.new_project())

        self.assertRaises(exception.NotEntitled, self.get_access, token)

        self.assertEqual([], self.provider.calls)
        self.assertEqual([], self.mercador_rows(models.ProjectMapping))

    def test_unscoped_token_is_not_entitled(self):
        user = self.new_user(self.project)
        token = PROVIDERS.token_provider_api.issue_token(
            user['id'], ['password']).id

        self.assertRaises(exception.NotEntitled, self.get_access, token)

    def test_unknown_region(self):
        self.assertRaises(exception.BoundRegionNotFound, self.get_access,
                          region_id='RegionNowhere')

    def test_region_no_longer_active(self):
        self.bound_regions.mark_vanished(self.row)

        e = self.assertRaises(exception.BoundRegionFailed, self.get_access)

        # The proxy relays it: a 404 that names the region and says why.
        self.assertEqual(404, e.code)
        self.assertIn('Region %s is out of service: Binding %s vanished'
                      % (self.row['region_id'], self.row['binding_id']),
                      str(e))

    def test_invalid_token(self):
        e = self.assertRaises(access.SubjectTokenNotValid, self.get_access,
                              uuid.uuid4().hex)

        self.assertEqual(401, e.code)

    def test_failed_provider_project_creation_is_retried(self):
        # The provider made the project, its answer was lost.
        self.provider.fail('POST', PROJECTS, apply=True,
                           exc=requests.exceptions.ReadTimeout)
        self.assertRaises(exception.ProviderTimeout, self.get_access)
        (mapping,) = self.mercador_rows(models.ProjectMapping)
        self.assertIsNone(mapping['provider_project_id'])

        got = self.get_access()

        # Asked again with the same reference: the same provider project.
        ((_, reference), project), = self.provider.projects.items()
        self.assertEqual(mapping['reference'], reference)
        self.assertEqual(project['id'], got['provider_project_id'])
        self.assertEqual(2, self.provider.calls_to('POST', PROJECTS))
