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

"""A small Keystone REST client, for the demo's seeding, the functional
tests and the benchmarks (plain requests, so that every status code and
error body stays visible to the caller)."""

import requests

#: The password of the tenants' member users.
TENANT_PASSWORD = 'tenant-secret-password'


def password_auth(user_id=None, password=None, username=None,
                  domain='Default', scope=None):
    user = {'password': password}
    if user_id:
        user['id'] = user_id
    else:
        user.update(name=username, domain={'name': domain})
    auth = {'identity': {'methods': ['password'],
                         'password': {'user': user}}}
    if scope:
        auth['scope'] = scope
    return {'auth': auth}


def app_cred_auth(credential_id, secret):
    return {'auth': {'identity': {
        'methods': ['application_credential'],
        'application_credential': {'id': credential_id, 'secret': secret}}}}


def project_scope(name, domain='Default'):
    return {'project': {'name': name, 'domain': {'name': domain}}}


class UnexpectedStatus(AssertionError):
    """An answer with another status than the one expected (a failed
    expectation to a test, an error to the demo)."""


class Session:
    """Requests against one server with one token (or none)."""

    def __init__(self, base_url, token=None, body=None):
        self.base = base_url.rstrip('/')
        self.token = token
        self.token_body = body

    @classmethod
    def login(cls, base_url, auth):
        r = requests.post(base_url.rstrip('/') + '/v3/auth/tokens', json=auth,
                          timeout=30)
        r.raise_for_status()
        return cls(base_url, r.headers['X-Subject-Token'], r.json())

    @classmethod
    def admin(cls, server, scope='project'):
        """The bootstrap admin of a Keystone server (see
        ``harness.servers.KeystoneServer``)."""
        scopes = {
            'project': project_scope('admin'),
            'system': {'system': {'all': True}},
        }
        return cls.login(server.url, password_auth(
            username='admin', password=server.admin_password,
            scope=scopes[scope]))

    def at(self, base_url):
        """The same token, for another server (a service behind the
        Keystone)."""
        return Session(base_url, self.token, self.token_body)

    def request(self, method, path, **kwargs):
        headers = kwargs.pop('headers', {})
        if self.token:
            headers.setdefault('X-Auth-Token', self.token)
        kwargs.setdefault('timeout', 30)
        return requests.request(method, self.base + path, headers=headers,
                                **kwargs)

    def get(self, path, **kw):
        return self.request('GET', path, **kw)

    def post(self, path, **kw):
        return self.request('POST', path, **kw)

    def patch(self, path, **kw):
        return self.request('PATCH', path, **kw)

    def put(self, path, **kw):
        return self.request('PUT', path, **kw)

    def delete(self, path, **kw):
        return self.request('DELETE', path, **kw)

    def ok(self, method, path, status=None, **kw):
        r = self.request(method, path, **kw)
        expected = status or (200, 201, 204)
        if isinstance(expected, int):
            expected = (expected,)
        if r.status_code not in expected:
            raise UnexpectedStatus((method, path, r.status_code, r.text))
        return r.json() if r.content else None


def role(admin, name):
    """The role of that name, created if there is none."""
    roles = admin.ok('GET', '/v3/roles?name=' + name)['roles']
    if roles:
        return roles[0]
    return admin.ok('POST', '/v3/roles', json={'role': {'name': name}})[
        'role']


def user(admin, name, password, project, role_name='member'):
    """A Default-domain user holding ``role_name`` on ``project``."""
    ref = admin.ok('POST', '/v3/users', json={'user': {
        'name': name, 'domain_id': 'default', 'password': password}})['user']
    admin.ok('PUT', '/v3/projects/%s/users/%s/roles/%s' % (
        project['id'], ref['id'], role(admin, role_name)['id']), status=204)
    return ref


def tenant(admin, name, password=TENANT_PASSWORD):
    """A project of the Default domain and a member user of the same name;
    returns (project, user)."""
    project = admin.ok('POST', '/v3/projects', json={'project': {
        'name': name, 'domain_id': 'default'}})['project']
    return project, user(admin, name, password, project)
