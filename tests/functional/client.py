"""A small Keystone REST client for functional tests (plain requests, so
that every status code and error body is visible to the test)."""

import requests

from tests.functional import servers


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


class Session:
    """Requests against one Keystone with one token (or none)."""

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
        scopes = {
            'project': {'project': {'name': 'admin',
                                    'domain': {'name': 'Default'}}},
            'system': {'system': {'all': True}},
        }
        return cls.login(server.url, password_auth(
            username='admin', password=servers.ADMIN_PASSWORD,
            scope=scopes[scope]))

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
        assert r.status_code in expected, (method, path, r.status_code,
                                           r.text)
        return r.json() if r.content else None
