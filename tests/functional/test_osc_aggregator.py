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

"""The reseller's commands of the ``openstack`` CLI, with two real
Keystones: register a provider, browse, bind, entitle, unbind."""

import pytest

from harness import client
from tests.functional import aggregation as agg
from tests.functional import databases
from tests.functional import osc
from tests.functional import publisher as pub

# The CLI only talks HTTP: one database backend is enough.
pytestmark = pytest.mark.skipif(
    databases.backend() != 'sqlite',
    reason='the CLI tests run on the SQLite pass only')


@pytest.fixture(scope='module')
def cli(aggregator, tmp_path_factory):
    cli = osc.CLI(str(tmp_path_factory.mktemp('osc-aggregator')))
    cli.add_admin('reseller-admin', aggregator)
    return cli


def test_reseller_admin_story(provider, aggregator, cli):
    provider_admin = client.Session.admin(provider)
    pub.ensure_service(provider_admin, 'image', 'http://127.0.0.1:9292')
    credential, vr = agg.offer_story(provider_admin)
    name, region = pub.unique('provider'), pub.unique('Bound')

    ref = cli.ok('reseller-admin', 'mercador provider create', name,
                 '--auth-url', provider.auth_url,
                 '--application-credential-id',
                 credential['application_credential_id'],
                 '--application-credential-secret',
                 credential['application_credential_secret'], '-f', 'json')
    assert ref['name'] == name
    assert credential['application_credential_secret'] not in str(ref)

    offers = cli.ok('reseller-admin', 'offer list', '--provider', name,
                    '--country', 'FR', '-f', 'json')
    assert vr['id'] in [o['ID'] for o in offers]
    bound = cli.ok('reseller-admin', 'bound region create', region,
                   '--provider', name, '--offer', vr['name'], '-f', 'json')
    assert (bound['region_id'], bound['status']) == (region, 'active')
    listed = cli.ok('reseller-admin', 'bound region list', '--provider',
                    name, '-f', 'json')
    assert [(b['Region ID'], b['Status']) for b in listed] == [
        (region, 'active')]

    # Entitle one customer project: its users see the region.
    admin = client.Session.admin(aggregator)
    project, user = agg.tenant(admin)
    cli.ok('reseller-admin', 'bound region entitlement create', region,
           '--project', project['name'], '--project-domain', 'Default')
    entitlements = cli.ok('reseller-admin', 'bound region entitlement list',
                          region, '-f', 'json')
    assert [(e['Target Type'], e['Target ID']) for e in entitlements] == [
        ('project', project['id'])]
    cli.add_cloud('tenant', aggregator.auth_url, username=user['name'],
                  password=agg.TENANT_PASSWORD, project_name=project['name'],
                  user_domain_name='Default', project_domain_name='Default')
    regions = cli.ok('tenant', 'region list', '-f', 'value', '-c', 'Region')
    assert region in regions.split()

    cli.ok('reseller-admin', 'bound region entitlement delete', region,
           '--project', project['id'])
    cli.ok('reseller-admin', 'bound region delete', region)
    error = cli.fails('reseller-admin', 'bound region show', region)
    assert 'No bound region with a name or ID of "%s"' % region in error
    cli.ok('reseller-admin', 'mercador provider delete', name)


def test_forced_deletes_of_a_provider_that_revoked_the_reseller(
        provider, aggregator, cli):
    provider_admin = client.Session.admin(provider)
    pub.ensure_service(provider_admin, 'image', 'http://127.0.0.1:9292')
    reseller, _ = pub.register_aggregator(provider_admin)
    admin = client.Session.admin(aggregator)
    ref = agg.register_provider(admin, provider, reseller['credential'])
    regions = [agg.bind(admin, ref['id'], pub.create_virtual_region(
        provider_admin)['id'])['bound_region']['region_id']
        for _ in range(2)]
    provider_admin.ok('DELETE', pub.API + '/aggregators/' + reseller['id'],
                      status=204)

    error = cli.fails('reseller-admin', 'bound region delete', regions[0])
    assert ref['name'] in error
    result = cli.run('reseller-admin', 'bound region delete', '--force',
                     regions[0])
    assert result.returncode == 0, result.stderr
    assert ('Region %s was unbound here; at provider %s, binding'
            % (regions[0], ref['name'])) in result.stderr
    assert 'rejected the application credential' in result.stderr

    cli.fails('reseller-admin', 'mercador provider delete', ref['name'])
    result = cli.run('reseller-admin', 'mercador provider delete',
                     '--force', ref['name'])
    assert result.returncode == 0, result.stderr
    assert 'Region %s was unbound here' % regions[1] in result.stderr
    cli.fails('reseller-admin', 'mercador provider show', ref['name'])
    for region in regions:
        cli.fails('reseller-admin', 'region show', region)
