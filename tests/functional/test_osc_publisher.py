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

"""The provider's commands of the ``openstack`` CLI against a real Keystone.

Each command runs the real ``openstack`` binary, as an operator would.
"""

import pytest

from harness import client
from tests.functional import databases
from tests.functional import osc
from tests.functional import publisher as pub

# The CLI only talks HTTP: one database backend is enough.
pytestmark = pytest.mark.skipif(
    databases.backend() != 'sqlite',
    reason='the CLI tests run on the SQLite pass only')


@pytest.fixture(scope='module')
def cli(provider, tmp_path_factory):
    admin = client.Session.admin(provider)
    service = pub.ensure_service(admin, 'image', 'http://127.0.0.1:9292')
    limits = admin.ok('GET', '/v3/registered_limits?resource_name=osc_images')
    if not limits['registered_limits']:
        admin.ok('POST', '/v3/registered_limits', json={'registered_limits': [{
            'service_id': service['id'], 'region_id': 'RegionOne',
            'resource_name': 'osc_images', 'default_limit': 5}]})
    cli = osc.CLI(str(tmp_path_factory.mktemp('osc-publisher')))
    cli.add_admin('provider-admin', provider)
    return cli


def test_provider_admin_and_aggregator_story(cli):
    name, reseller = pub.unique('vr'), pub.unique('reseller')
    vr = cli.ok('provider-admin', 'virtual region create', name,
                '--region', 'RegionOne', '--service', 'image',
                '--domain-name', pub.unique('vr-domain'), '--country', 'FR',
                '--compliance', 'gdpr', '--property', 'x-tier=gold',
                '-f', 'json')
    assert vr['status'] == 'draft'
    assert vr['services'] == ['image']
    assert vr['metadata'] == {'country': 'FR', 'compliance': ['gdpr'],
                              'x-tier': 'gold'}

    aggregator = cli.ok('provider-admin', 'mercador aggregator create',
                        reseller, '-f', 'json')
    credential = aggregator['credential']
    assert credential['application_credential_secret']

    # Metadata options change only the keys they name; --aggregator makes
    # the visibility "listed".
    cli.ok('provider-admin', 'virtual region set', name, '--country', 'DE',
           '--aggregator', reseller)
    cli.ok('provider-admin', 'virtual region publish', name)
    vr = cli.ok('provider-admin', 'virtual region show', name, '-f', 'json')
    assert vr['status'] == 'published'
    assert vr['metadata'] == {'country': 'DE', 'compliance': ['gdpr'],
                              'x-tier': 'gold'}
    assert (vr['visibility'], vr['aggregator_ids']) == (
        'listed', [aggregator['id']])

    # The aggregator, with the credential it was given.
    cli.add_app_credential('aggregator', credential)
    offers = cli.ok('aggregator', 'offer list', '--country', 'DE',
                    '-f', 'json')
    assert [o['ID'] for o in offers] == [vr['id']]
    binding = cli.ok('aggregator', 'binding create', name,
                     '--idempotency-key', 'osc-key-' + vr['id'], '-f', 'json')
    assert binding['credential']['password']
    assert binding['endpoints'] == [{'service_type': 'image',
                                     'interface': 'public',
                                     'url': 'http://127.0.0.1:9292'}]

    # A provider admin sees the binding; the virtual region cannot go
    # while it exists.
    listed = cli.ok('provider-admin', 'binding list', '--aggregator',
                    reseller, '-f', 'json')
    assert [b['ID'] for b in listed] == [binding['id']]
    error = cli.fails('provider-admin', 'virtual region delete', name)
    assert 'HTTP 409' in error

    cli.ok('provider-admin', 'binding delete', binding['id'])
    cli.ok('provider-admin', 'virtual region withdraw', name)
    cli.ok('provider-admin', 'virtual region delete', name)
    cli.ok('provider-admin', 'mercador aggregator delete', reseller)
    error = cli.fails('provider-admin', 'mercador aggregator show', reseller)
    assert 'No aggregator with a name or ID of "%s"' % reseller in error


def test_errors_are_the_servers_message(cli):
    error = cli.fails('provider-admin', 'virtual region create',
                      pub.unique('vr'), '--region', 'RegionOne',
                      '--service', 'image', '--domain-name',
                      pub.unique('d'), '--country', 'France')
    assert 'Invalid input for field/attribute country' in error
    assert 'HTTP 400' in error
    error = cli.fails('provider-admin', 'virtual region create',
                      pub.unique('vr'), '--region', 'RegionOne',
                      '--service', 'image')
    assert 'Give either domain_id' in error
    error = cli.fails('provider-admin', 'offer list')
    assert 'HTTP 403' in error


def test_output_formats(cli):
    name = pub.unique('vr')
    created = cli.ok('provider-admin', 'virtual region create', name,
                     '--region', 'RegionOne', '--service', 'image',
                     '--domain-name', pub.unique('vr-domain'),
                     '--limit', 'image:osc_images=10', '-f', 'value',
                     '-c', 'id')
    table = cli.ok('provider-admin', 'virtual region show', name)
    assert '| status ' in table and '| draft ' in table
    assert "resource_limit='10'" in table
    value = cli.ok('provider-admin', 'virtual region list', '--name', name,
                   '-f', 'value', '-c', 'ID', '-c', 'Status')
    assert value.split() == [created.strip(), 'draft']
    cli.ok('provider-admin', 'virtual region delete', name)
