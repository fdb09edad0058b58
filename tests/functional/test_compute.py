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

"""A tenant of the aggregator runs a server in a bound region.

The clouds are ``tests.functional.compute_clouds``'s: real Keystones,
Glance, Placement, Nova, Neutron and Cinder, and the Mercador proxy. The
tenant uses openstacksdk with the aggregator's auth URL and region V1,
nothing else.

Run on the MariaDB pass (``MERCADOR_TEST_DB=mysql``) only: it needs the
MariaDB server anyway, and RabbitMQ (skipped with the reason when either
is missing, which ``CI=true`` turns into a failure).

The tests run in order on one tenant's objects: created, used by the
tenant, hidden from another tenant, deleted; last, the provider's
databases and logs are searched for the aggregator's projects and users.
"""

import concurrent.futures
import os
import subprocess
import threading
import time

import openstack
import pytest
import sqlalchemy as sa

from harness import client
from harness import compute
from tests.functional import compute_clouds as cc
from tests.functional import traces

cc.require()

WAIT = cc.WAIT


@pytest.fixture(scope='module')
def clouds(compute_clouds):
    return compute_clouds


def test_a_tenant_boots_a_server_on_its_network(clouds):
    c = clouds
    conn = c.alpha
    c.keypair = conn.compute.create_keypair(name='k1')
    assert c.keypair.private_key
    c.network = conn.network.create_network(name='net1')
    c.subnet = conn.network.create_subnet(
        network_id=c.network.id, ip_version=4, cidr='10.99.0.0/24',
        name='subnet1')
    assert c.network.project_id == c.tenants[0][1]['id']
    flavor = conn.compute.find_flavor(compute.FLAVOR['name'],
                                      ignore_missing=False)
    server = conn.compute.create_server(
        name='web-1', flavor_id=flavor.id, image_id=c.image['id'],
        networks=[{'uuid': c.network.id}], key_name='k1')
    try:
        server = conn.compute.wait_for_server(server, wait=WAIT,
                                              interval=1)
    except openstack.exceptions.SDKException as e:
        fault = conn.compute.get_server(server.id).fault
        pytest.fail('%s; fault: %s\n%s' % (e, fault, c.stack.log_tails()))
    c.server = server
    assert server.status == 'ACTIVE'
    assert server.project_id == c.tenants[0][1]['id']
    assert server.user_id == c.tenants[0][2]['id']
    assert server.key_name == 'k1'
    addresses = [a['addr'] for a in server.addresses['net1']]
    assert addresses and addresses[0].startswith('10.99.0.')

    assert server.id in [s.id for s in conn.compute.servers()]
    shown = conn.compute.get_server(server.id)
    assert (shown.name, shown.image.id, shown.flavor.name) == (
        'web-1', c.image['id'], compute.FLAVOR['name'])
    ports = list(conn.network.ports(device_id=server.id))
    assert [p.network_id for p in ports] == [c.network.id]
    assert ports[0].project_id == c.tenants[0][1]['id']


def test_answers_name_the_proxy_only(clouds):
    c = clouds
    token = c.alpha.session.get_token()
    for path in ('/compute/servers/%s' % c.server.id,
                 '/compute/servers/detail', '/compute/flavors/detail',
                 '/compute/', '/compute/os-keypairs', '/network/',
                 '/network/v2.0/networks', '/network/v2.0/ports',
                 '/image/v2/images'):
        r = client.requests.get(
            c.proxy.url + '/V1' + path, timeout=60,
            headers={'X-Auth-Token': token,
                     'OpenStack-API-Version': 'compute 2.79'})
        assert r.status_code in (200, 300), (path, r.text)
        cc.assert_proxy_urls_only(c, r.text)
    # Version documents, without a token: as the provider serves them;
    # Cinder's root's for its versioned endpoint, which wants a token (its
    # clients crop the version off the endpoint's URL, which the proxy's
    # URL does not show).
    for stype, direct in (('compute', c.stack.nova.url + '/v2.1/'),
                          ('network', c.stack.neutron.url + '/'),
                          ('block-storage', c.stack.cinder.url + '/')):
        expected = client.requests.get(direct, timeout=60)
        r = client.requests.get('%s/V1/%s/' % (c.proxy.url, stype),
                                timeout=60)
        assert r.status_code == expected.status_code, (stype, r.text)
        cc.assert_proxy_urls_only(c, r.text)
    server = c.alpha.compute.get(
        '/servers/%s' % c.server.id).json()['server']
    for link in server['links'] + server['image']['links'] + \
            server['flavor'].get('links', []):
        assert link['href'].startswith(c.proxy.url + '/V1/compute/'), link
        r = client.requests.get(link['href'], timeout=60,
                                headers={'X-Auth-Token': token})
        assert r.status_code in (200, 404), (link, r.text)


def test_reboot_and_console_log(clouds):
    c = clouds
    conn = c.alpha
    conn.compute.reboot_server(c.server, 'SOFT')
    deadline = time.monotonic() + WAIT
    while True:
        actions = [a.action for a in conn.compute.server_actions(c.server)]
        server = conn.compute.get_server(c.server.id)
        if 'reboot' in actions and server.status == 'ACTIVE' and \
                not server.task_state:
            break
        assert time.monotonic() < deadline, (actions, server.status)
        time.sleep(1)
    output = conn.compute.get_server_console_output(c.server)['output']
    assert 'FAKE CONSOLE OUTPUT' in output


def test_a_volume_is_attached_and_detached(clouds):
    c = clouds
    conn = c.alpha
    volume = conn.block_storage.create_volume(size=1, name='vol1')
    volume = conn.block_storage.wait_for_status(
        volume, 'available', wait=WAIT, interval=1)
    assert volume.project_id in (None, c.tenants[0][1]['id'])
    assert volume.user_id == c.tenants[0][2]['id']
    # Cinder's URLs with the project ID in them: the tenant's own, as on
    # one cloud.
    project_id = c.tenants[0][1]['id']
    base = '%s/V1/block-storage/%s/volumes/' % (c.proxy.url, project_id)
    r = client.requests.get(base + volume.id, timeout=60, headers={
        'X-Auth-Token': conn.session.get_token()})
    assert r.status_code == 200, r.text
    cc.assert_proxy_urls_only(c, r.text)
    links = r.json()['volume']['links']
    assert {link['href'] for link in links} == {base + volume.id}, links
    conn.compute.create_volume_attachment(c.server, volume_id=volume.id)
    volume = conn.block_storage.wait_for_status(
        volume, 'in-use', wait=WAIT, interval=1)
    assert [a['server_id'] for a in volume.attachments] == [c.server.id]
    assert [a.volume_id for a in conn.compute.volume_attachments(
        c.server)] == [volume.id]
    conn.compute.delete_volume_attachment(c.server, volume.id)
    volume = conn.block_storage.wait_for_status(
        volume, 'available', wait=WAIT, interval=1)
    c.volume = volume
    snapshot = conn.block_storage.create_snapshot(volume_id=volume.id,
                                                  name='snap1')
    snapshot = conn.block_storage.wait_for_status(
        snapshot, 'available', wait=WAIT, interval=1)
    assert snapshot.volume_id == volume.id
    assert snapshot.id in [s.id for s in conn.block_storage.snapshots()]
    conn.block_storage.delete_snapshot(snapshot)
    conn.block_storage.wait_for_delete(snapshot, wait=WAIT, interval=1)


def test_security_groups_and_ports(clouds):
    c = clouds
    conn = c.alpha
    group = conn.network.create_security_group(name='web')
    assert group.project_id == c.tenants[0][1]['id']
    rule = conn.network.create_security_group_rule(
        security_group_id=group.id, direction='ingress', protocol='tcp',
        port_range_min=443, port_range_max=443,
        remote_ip_prefix='0.0.0.0/0', ethertype='IPv4')
    assert rule.project_id == c.tenants[0][1]['id']
    port = conn.network.create_port(network_id=c.network.id,
                                    security_group_ids=[group.id])
    assert port.security_group_ids == [group.id]
    assert port.project_id == c.tenants[0][1]['id']
    # The other tenant sees none of them.
    assert group.id not in [g.id for g in c.beta.network.security_groups()]
    assert port.id not in [p.id for p in c.beta.network.ports()]
    conn.network.delete_port(port)
    conn.network.delete_security_group(group)
    assert group.id not in [g.id for g in conn.network.security_groups()]


def test_key_pairs_are_per_user(clouds):
    """Two users of one project: Nova's key pairs belong to a user, and
    each tenant user is a provider user of its own."""
    c = clouds
    name, project, _ = c.tenants[0]
    colleague = client.user(c.admin, name + '-colleague',
                            client.TENANT_PASSWORD, project)
    conn = cc.connect(c, (colleague['name'], project, colleague))
    assert [k.name for k in conn.compute.keypairs()] == []
    mine = conn.compute.create_keypair(name='k1')
    assert mine.user_id == colleague['id']
    assert mine.fingerprint != c.keypair.fingerprint
    assert [k.fingerprint for k in c.alpha.compute.keypairs()] == [
        c.keypair.fingerprint]
    conn.compute.delete_keypair(mine)
    c.colleague = colleague


def test_another_tenant_sees_none_of_it(clouds):
    c = clouds
    beta = c.beta
    assert c.server.id not in [s.id for s in beta.compute.servers()]
    assert 'k1' not in [k.name for k in beta.compute.keypairs()]
    assert c.network.id not in [n.id for n in beta.network.networks()]
    assert c.volume.id not in [v.id for v in beta.block_storage.volumes()]
    # Its own key pair of the same name.
    mine = beta.compute.create_keypair(name='k1')
    assert mine.fingerprint != c.keypair.fingerprint
    assert [k.fingerprint for k in beta.compute.keypairs()] == [
        mine.fingerprint]
    assert [k.fingerprint for k in c.alpha.compute.keypairs()] == [
        c.keypair.fingerprint]
    beta.compute.delete_keypair(mine)
    assert list(beta.compute.keypairs()) == []


def _boot(conn, name, flavor, image):
    server = conn.compute.create_server(
        name=name, image_id=image['id'], networks='none',
        flavor_id=conn.compute.find_flavor(flavor['name'],
                                           ignore_missing=False).id)
    return conn.compute.wait_for_server(server, wait=WAIT, interval=1)


def _refused(conn, flavor, image):
    with pytest.raises(openstack.exceptions.HttpException) as caught:
        _boot(conn, 'over', flavor, image)
    return caught.value


def test_the_regions_cores_limit_caps_the_tenants_together(clouds):
    """The virtual region's limit on cores (``CORES``) caps the
    reseller's tenants together, and Nova itself refuses what goes
    beyond, with its own over-quota error."""
    c = clouds
    assert cc.CORES == 4
    # Alpha's server has one core; beta's takes two more.
    beta = _boot(c.beta, 'beta-1', compute.FLAVOR_SMALL, c.image)
    assert beta.status == 'ACTIVE'
    # The third tenant's two would make five.
    error = _refused(c.gamma, compute.FLAVOR_SMALL, c.image)
    assert error.status_code == 403, error
    assert 'class:VCPU' in str(error), error
    # In the message, the tenant's own project ID, not the provider's.
    assert 'over limit of 1 due to current usage 0 and delta 2' in str(
        error), error
    assert c.tenants[2][1]['id'] in str(error), error
    # One core still fits, then none.
    gamma = _boot(c.gamma, 'gamma-1', compute.FLAVOR, c.image)
    assert gamma.status == 'ACTIVE'
    error = _refused(c.beta, compute.FLAVOR, c.image)
    assert 'over limit of 2 due to current usage 2 and delta 1' in str(
        error), error
    # Deleting frees the cores for every tenant.
    c.beta.compute.delete_server(beta)
    c.beta.compute.wait_for_delete(beta, wait=WAIT, interval=1)
    again = _boot(c.gamma, 'gamma-2', compute.FLAVOR_SMALL, c.image)
    assert again.status == 'ACTIVE'
    for server in (gamma, again):
        c.gamma.compute.delete_server(server)
    for server in (gamma, again):
        c.gamma.compute.wait_for_delete(server, wait=WAIT, interval=1)


#: Rounds of two tenants asking for the last cores at once.
RACE_ROUNDS = 3


def _race(conn, name, image, start):
    """``(server or None, error or None)`` of a two-core boot begun when
    ``start`` (a barrier) lets every racer go."""
    flavor = conn.compute.find_flavor(compute.FLAVOR_SMALL['name'],
                                      ignore_missing=False)
    start.wait()
    try:
        server = conn.compute.create_server(
            name=name, image_id=image['id'], networks='none',
            flavor_id=flavor.id)
    except openstack.exceptions.HttpException as e:
        return None, e
    try:
        return conn.compute.wait_for_server(server, wait=WAIT,
                                            interval=1), None
    except openstack.exceptions.ResourceFailure as e:
        return conn.compute.get_server(server.id), e


def test_tenants_asking_at_once_stay_within_the_limit(clouds):
    """Two tenants ask for the region's last cores at the same moment:
    one gets them, the other Nova's own refusal (at its API, or when its
    quota recheck finds the share taken meanwhile), never both."""
    c = clouds
    # Alpha's one-core server runs: three cores are left, one two-core
    # server fits.
    for round in range(RACE_ROUNDS):
        start = threading.Barrier(2)
        racers = [(c.beta, 'race-beta-%d' % round),
                  (c.gamma, 'race-gamma-%d' % round)]
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            results = list(pool.map(
                lambda racer: _race(racer[0], racer[1], c.image, start),
                racers))
        try:
            active = [server.name for server, error in results
                      if error is None]
            assert len(active) == 1, (round, results)
            for server, error in results:
                if error is None:
                    continue
                # Nova's over-limit message, from its API or its fault.
                text = str(error) if server is None else str(server.fault)
                assert 'class:VCPU' in text and 'over limit' in text, (
                    round, text)
        finally:
            for (conn, _), (server, _) in zip(racers, results):
                if server is not None:
                    conn.compute.delete_server(server)
                    conn.compute.wait_for_delete(server, wait=WAIT,
                                                 interval=1)


def test_everything_is_deleted(clouds):
    c = clouds
    conn = c.alpha
    conn.block_storage.delete_volume(c.volume)
    conn.compute.delete_server(c.server)
    conn.block_storage.wait_for_delete(c.volume, wait=WAIT, interval=1)
    conn.compute.wait_for_delete(c.server, wait=WAIT, interval=1)
    assert list(conn.network.ports(device_id=c.server.id)) == []
    conn.network.delete_subnet(c.subnet)
    conn.network.delete_network(c.network)
    conn.compute.delete_keypair(c.keypair)
    assert list(conn.compute.servers()) == []
    assert list(conn.compute.keypairs()) == []
    assert c.network.id not in [n.id for n in conn.network.networks()]
    assert list(conn.block_storage.volumes()) == []


def _mysqldump(url):
    parsed = sa.engine.make_url(url)
    out = subprocess.run(
        ['mysqldump', '-h', parsed.host or '127.0.0.1', '-P',
         str(parsed.port or 3306), '-u', parsed.username or 'root',
         '--skip-comments', '--skip-extended-insert', parsed.database],
        env=dict(os.environ, MYSQL_PWD=parsed.password or ''),
        capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_the_provider_holds_no_trace_of_any_tenant(clouds):
    """Last: after everything the tenants did above."""
    c = clouds
    secrets = set()
    for tenant in c.tenants:
        secrets |= traces.tenant_secrets(tenant) | {tenant[2]['name']}
    secrets |= {c.colleague['id'], c.colleague['name']}
    stores = {name: _mysqldump(url) for name, url in c.stack.urls.items()}
    assert 'INSERT INTO `instances`' in stores['nova_cell1']
    # Neutron deletes its rows; the provider project's default security
    # group stays.
    assert 'INSERT INTO `securitygroups`' in stores['neutron']
    assert 'INSERT INTO `volumes`' in stores['cinder']
    stores.update(traces.provider_stores(c.provider, c.glance, c.placement))
    stores.update(traces.logs(c.stack.dir))
    traces.assert_absent(secrets, stores)
