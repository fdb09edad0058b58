"""``make demo``: the embedded Mercador demo on this machine.

Starts the provider's Keystone with the extension on SQLite and a free
loopback port, seeds it with a published virtual region and a registered
aggregator, prints how to use them, and stays in the foreground until
Ctrl-C, which stops everything it started.
"""

import json
import os
import signal
import sys
import time

from keystone_mercador.demo import servers


def _step(message):
    print('==> %s' % message, flush=True)


def _admin(server):
    import requests
    r = requests.post(server.auth_url + '/auth/tokens', timeout=30, json={
        'auth': {'identity': {'methods': ['password'], 'password': {
            'user': {'name': 'admin', 'domain': {'name': 'Default'},
                     'password': servers.ADMIN_PASSWORD}}},
            'scope': {'project': {'name': 'admin',
                                  'domain': {'name': 'Default'}}}}})
    r.raise_for_status()
    session = requests.Session()
    session.headers['X-Auth-Token'] = r.headers['X-Subject-Token']
    return session


def _seed(server):
    api = server.auth_url + '/OS-MERCADOR'
    s = _admin(server)
    vrs = s.get(api + '/virtual_regions?name=demo-fr').json()
    if vrs['virtual_regions']:
        return None
    svc = s.post(server.auth_url + '/services', json={'service': {
        'type': 'image', 'name': 'glance'}}).json()['service']
    s.post(server.auth_url + '/endpoints', json={'endpoint': {
        'service_id': svc['id'], 'interface': 'public',
        'region_id': 'RegionOne', 'url': 'http://127.0.0.1:9292'}})
    vr = s.post(api + '/virtual_regions', json={'virtual_region': {
        'name': 'demo-fr', 'region_id': 'RegionOne',
        'domain_name': 'demo-fr', 'services': ['image'],
        'metadata': {'country': 'FR', 'compliance': ['gdpr']}}}).json()
    s.patch(api + '/virtual_regions/' + vr['virtual_region']['id'],
            json={'virtual_region': {'status': 'published'}})
    agg = s.post(api + '/aggregators', json={'aggregator': {
        'name': 'demo-reseller'}}).json()['aggregator']
    return agg['credential']


def main():
    state = os.path.abspath(os.environ.get('MERCADOR_DEMO_DIR', '.demo'))
    os.makedirs(state, exist_ok=True)
    _step('starting the provider Keystone (state in %s)' % state)
    provider = servers.KeystoneServer('provider', base=state)
    provider.setup().start()
    _step('seeding a published virtual region and an aggregator')
    credential = _seed(provider)
    info = {'provider_keystone': provider.auth_url,
            'admin_password': servers.ADMIN_PASSWORD,
            'aggregator_credential': credential}
    with open(os.path.join(state, 'demo.json'), 'w') as f:
        json.dump(info, f, indent=2)
    print(json.dumps(info, indent=2))
    print('Try: curl -s -H "X-Auth-Token: $(openstack --os-auth-url %s '
          '--os-username admin --os-password %s --os-project-name admin '
          '--os-user-domain-name Default --os-project-domain-name Default '
          'token issue -f value -c id)" %s/OS-MERCADOR/virtual_regions'
          % (provider.auth_url, servers.ADMIN_PASSWORD, provider.auth_url))
    print('READY', flush=True)

    def stop(*_):
        _step('stopping')
        provider.stop()
        sys.exit(0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while True:
        time.sleep(1)


if __name__ == '__main__':
    main()
