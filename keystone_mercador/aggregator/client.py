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

"""HTTP client of a provider's OS-MERCADOR API, used by the aggregator.

Every call has bounded connect and read timeouts and none is retried: a
write that timed out may have been applied, which the bind protocol handles
with idempotency keys and compensation. Errors name the provider and never
carry a secret.
"""

import os
import tempfile

import requests
import urllib3

from keystone_mercador import exception
from keystone_mercador import glue
from keystone_mercador.i18n import _

CONF = glue.CONF


def _refused(error):
    """Whether the connection failed before anything was sent."""
    reason = getattr(error.args[0] if error.args else None, 'reason', None)
    return isinstance(reason, urllib3.exceptions.NewConnectionError)


class ProviderClient:
    """Calls one provider with the application credential it issued.

    Use as a context manager: it holds the provider's CA bundle in a
    temporary file while open.
    """

    def __init__(self, provider, secret):
        self.provider = provider
        self._secret = secret
        self._token = None
        self._ca_file = None
        self._http = requests.Session()

    def __enter__(self):
        ca = self.provider.get('ca_certificate')
        if ca:
            fd, self._ca_file = tempfile.mkstemp(prefix='mercador-ca-')
            with os.fdopen(fd, 'w') as f:
                f.write(ca)
        return self

    def __exit__(self, *exc):
        self._http.close()
        if self._ca_file:
            os.unlink(self._ca_file)
            self._ca_file = None

    @property
    def name(self):
        return self.provider['name']

    def _url(self, path):
        return self.provider['auth_url'].rstrip('/') + path

    def _send(self, method, path, **kwargs):
        """Return the response; raise ProviderError if there is none.

        The raised error's ``sent`` attribute says whether the request may
        have reached the provider.
        """
        timeout = (CONF.mercador.provider_connect_timeout,
                   CONF.mercador.provider_timeout)
        url = self.provider['auth_url']
        try:
            # verify per request: requests lets REQUESTS_CA_BUNDLE override
            # a session's verify.
            return self._http.request(method, self._url(path),
                                      timeout=timeout, allow_redirects=False,
                                      verify=self._ca_file or True, **kwargs)
        except requests.exceptions.SSLError:
            raise exception.ProviderError(
                provider=self.name, sent=False,
                reason=_('TLS verification of %s failed; check its CA '
                         'certificate.') % url)
        except requests.exceptions.ConnectTimeout:
            raise exception.ProviderTimeout(
                provider=self.name, sent=False,
                reason=_('no connection to %s within %ss.') % (
                    url, CONF.mercador.provider_connect_timeout))
        except requests.exceptions.ReadTimeout:
            raise exception.ProviderTimeout(
                provider=self.name,
                reason=_('no answer within %ss.')
                % CONF.mercador.provider_timeout)
        except requests.exceptions.ConnectionError as e:
            if _refused(e):
                raise exception.ProviderError(
                    provider=self.name, sent=False,
                    reason=_('%s is unreachable.') % url)
            raise exception.ProviderError(
                provider=self.name, reason=_('the connection was lost.'))
        except requests.exceptions.RequestException:
            raise exception.ProviderError(
                provider=self.name, reason=_('the request failed.'))

    def _fail(self, response):
        try:
            message = response.json()['error']['message']
        except (ValueError, KeyError, TypeError):
            message = response.reason
        raise exception.ProviderError(
            provider=self.name, status=response.status_code,
            reason=_('HTTP %d: %s') % (response.status_code, message))

    def authenticate(self):
        """Get a token with the credential; ProviderError if rejected."""
        body = {'auth': {'identity': {
            'methods': ['application_credential'],
            'application_credential': {
                'id': self.provider['application_credential_id'],
                'secret': self._secret}}}}
        response = self._send('POST', '/auth/tokens', json=body)
        # Keystone answers 404 for an application credential it does not
        # know (deleted with its aggregator), 401 for a wrong secret.
        if response.status_code in (401, 404):
            raise exception.ProviderError(
                provider=self.name, status=401,
                reason=_('the provider rejected the application credential.'))
        if response.status_code != 201:
            self._fail(response)
        self._token = response.headers['X-Subject-Token']
        return self._token

    def _call(self, method, path, expected=(200,), **kwargs):
        if self._token is None:
            self.authenticate()
        response = self._send(
            method, '/OS-MERCADOR' + path,
            headers={'X-Auth-Token': self._token}, **kwargs)
        if response.status_code not in expected:
            self._fail(response)
        return response

    def list_offers(self, filters=None):
        return self._call('GET', '/offers', params=filters or {}).json()[
            'offers']

    def get_offer(self, offer_id):
        try:
            return self._call('GET', '/offers/%s' % offer_id).json()['offer']
        except exception.ProviderError as e:
            if e.status == 404:
                raise exception.ProviderOfferNotFound(
                    provider=self.name, offer_id=offer_id)
            raise

    def create_binding(self, offer_id, idempotency_key):
        """Return ``(binding, created)``; a replay has no credential."""
        response = self._call(
            'POST', '/bindings', expected=(200, 201),
            json={'binding': {'virtual_region_id': offer_id,
                              'idempotency_key': idempotency_key}})
        return response.json()['binding'], response.status_code == 201

    def find_binding(self, idempotency_key):
        """Return this aggregator's binding made with the key, or None."""
        for binding in self.list_bindings():
            if binding.get('idempotency_key') == idempotency_key:
                return binding
        return None

    def list_bindings(self):
        return self._call('GET', '/bindings').json()['bindings']

    def get_binding(self, binding_id):
        """Return a binding, or None if the provider no longer has it."""
        response = self._call('GET', '/bindings/%s' % binding_id,
                              expected=(200, 404))
        if response.status_code == 404:
            return None
        return response.json()['binding']

    def rotate_credential(self, binding_id):
        return self._call('POST', '/bindings/%s/credential' % binding_id,
                          json={}).json()['credential']

    def delete_binding(self, binding_id):
        """Delete a binding; a binding already gone is not an error."""
        self._call('DELETE', '/bindings/%s' % binding_id,
                   expected=(204, 404))

    def get_binding_usage(self, binding_id, params):
        """The usage of a binding's projects (``params``: start, end,
        project_id), as the provider reports it."""
        return self._call('GET', '/bindings/%s/usage' % binding_id,
                          params=params).json()['usage']

    def create_binding_project(self, binding_id, reference):
        """The provider project for an opaque reference (idempotent)."""
        return self._call(
            'POST', '/bindings/%s/projects' % binding_id,
            expected=(200, 201),
            json={'project': {'reference': reference}}).json()['project']

    def create_binding_user(self, binding_id, reference):
        """The provider user for an opaque reference (idempotent)."""
        return self._call(
            'POST', '/bindings/%s/users' % binding_id,
            expected=(200, 201),
            json={'user': {'reference': reference}}).json()['user']

    def delete_binding_user(self, binding_id, user_id):
        """Delete a provider user; one already gone is not an error."""
        self._call('DELETE', '/bindings/%s/users/%s' % (binding_id, user_id),
                   expected=(204, 404))

    def revoke_project_users(self, binding_id, project_id):
        """Take every binding user's roles on a binding project away; a
        project already gone is not an error."""
        self._call('DELETE', '/bindings/%s/projects/%s/users' % (
            binding_id, project_id), expected=(204, 404))

    def binding_token(self, user_id, password):
        """An unscoped token of the binding identity; returns ``(token,
        expires_at)``."""
        body = {'auth': {'identity': {
            'methods': ['password'], 'password': {
                'user': {'id': user_id, 'password': password}}}}}
        response = self._send('POST', '/auth/tokens', json=body)
        if response.status_code != 201:
            self._fail(response)
        return (response.headers['X-Subject-Token'],
                response.json()['token']['expires_at'])

    def apportion_limits(self, binding_token, binding_id, project_id):
        """Have the provider set a binding project's share of its
        virtual region's limits, on the binding's authority; returns the
        limits it set."""
        response = self._send(
            'POST', '/OS-MERCADOR/bindings/%s/projects/%s/limits' % (
                binding_id, project_id),
            headers={'X-Auth-Token': binding_token})
        if response.status_code != 200:
            self._fail(response)
        return response.json()['limits']

    def binding_user_token(self, binding_token, binding_id, user_id,
                           project_id):
        """A token of a binding user on a binding project, issued on the
        binding's authority (its token); returns ``(token, expires_at)``.
        """
        response = self._send(
            'POST', '/OS-MERCADOR/bindings/%s/users/%s/tokens' % (
                binding_id, user_id),
            headers={'X-Auth-Token': binding_token},
            json={'token': {'project_id': project_id}})
        if response.status_code != 201:
            self._fail(response)
        return (response.headers['X-Subject-Token'],
                response.json()['token']['expires_at'])
