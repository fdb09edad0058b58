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

"""The proxy's WSGI application.

``/<region_id>/<service_type>/<path>`` with an aggregator token becomes
``<provider endpoint>/<path>`` with a provider token, for the provider
project mapped to the caller's project. The aggregator's Keystone (the
Mercador extension) decides all of that: whether the token is valid and its
project entitled to the region, which provider project it maps to, and the
provider token to use. The proxy holds no credential and no state; what it
caches (per token, bounded by ``access_cache_time`` and the tokens' expiry)
lives in the configured oslo.cache backend, shared by all its processes.
"""

import datetime
import hashlib
import json
import logging
import threading

from oslo_utils import timeutils
import requests

from mercador_proxy import rewrite

LOG = logging.getLogger(__name__)

# Never forwarded: hop-by-hop headers, the caller's credentials, and what
# identity middleware may have added about the caller.
_DROP_REQUEST = {
    'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization',
    'te', 'trailers', 'transfer-encoding', 'upgrade', 'host',
    'content-length', 'x-auth-token', 'x-service-token', 'x-subject-token',
    'cookie', 'authorization', 'forwarded', 'x-forwarded-for',
    'x-forwarded-host', 'x-forwarded-proto', 'x-real-ip',
}
_DROP_REQUEST_PREFIXES = ('x-user', 'x-project', 'x-domain', 'x-tenant',
                          'x-roles', 'x-identity-status', 'x-service-')
_DROP_RESPONSE = {
    'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization',
    'te', 'trailers', 'transfer-encoding', 'upgrade', 'content-length',
    'content-encoding', 'server', 'set-cookie', 'www-authenticate',
}

SERVICE_TOKEN_MARGIN = datetime.timedelta(seconds=120)

_STATUS = {
    400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden',
    404: 'Not Found', 502: 'Bad Gateway', 503: 'Service Unavailable',
    504: 'Gateway Timeout',
}


class ProxyError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message

    def respond(self, start_response):
        body = json.dumps({'error': {
            'code': self.code, 'title': _STATUS.get(self.code, 'Error'),
            'message': self.message}}).encode('utf-8')
        start_response('%d %s' % (self.code, _STATUS.get(self.code, '')), [
            ('Content-Type', 'application/json'),
            ('Content-Length', str(len(body)))])
        return [body]


class _Input:
    """The request body with a known length, read as it is sent."""

    def __init__(self, stream, length, chunk_size):
        self.stream = stream
        self.remaining = length
        self.length = length
        self.chunk_size = chunk_size

    def __len__(self):
        return self.length

    def read(self, size=-1):
        if self.remaining <= 0:
            return b''
        if size is None or size < 0 or size > self.remaining:
            size = self.remaining
        data = self.stream.read(min(size, self.chunk_size * 4))
        self.remaining -= len(data)
        return data


def _chunks(stream, size):
    while True:
        data = stream.read(size)
        if not data:
            return
        yield data


class AccessClient:
    """Asks the aggregator's Keystone how a token may use a bound region,
    the way services validate tokens: with its own service token in
    X-Auth-Token and the caller's in X-Subject-Token."""

    def __init__(self, conf, http, cache_region):
        self.conf = conf
        self.http = http
        self.cache = cache_region
        self._service_token = None
        self._service_expires = None
        self._lock = threading.Lock()

    @property
    def _timeout(self):
        return (self.conf.proxy.connect_timeout,
                self.conf.proxy.read_timeout)

    def _identity(self, path):
        return self.conf.proxy.identity_url.rstrip('/') + '/v3' + path

    def _key(self, token, region_id):
        digest = hashlib.sha256(token.encode('utf-8')).hexdigest()
        return 'mercador-proxy-access:%s:%s' % (region_id, digest)

    def get(self, token, region_id):
        key = self._key(token, region_id)
        cached = self.cache.get(key)
        if isinstance(cached, dict):
            expires = timeutils.parse_isotime(cached['expires_at'])
            if expires > timeutils.utcnow(with_timezone=True):
                return cached
        access = self._fetch(token, region_id)
        self._remember(key, access)
        return access

    def _remember(self, key, access):
        # The cache backend's own expiration is global; the per-entry
        # deadline is checked on read, and never exceeds the tokens' life.
        ttl = datetime.timedelta(seconds=self.conf.proxy.access_cache_time)
        deadline = min(timeutils.parse_isotime(access['expires_at']),
                       timeutils.utcnow(with_timezone=True) + ttl)
        if ttl.total_seconds() > 0:
            self.cache.set(key, dict(access, expires_at=deadline.isoformat()))

    def _request(self, method, path, **kwargs):
        try:
            return self.http.request(method, self._identity(path),
                                     timeout=self._timeout, **kwargs)
        except requests.Timeout:
            raise ProxyError(504, 'The identity service did not answer in '
                             'time.')
        except requests.RequestException:
            raise ProxyError(503, 'The identity service is unreachable.')

    def service_token(self, renew=False):
        with self._lock:
            now = timeutils.utcnow(with_timezone=True)
            if (renew or self._service_token is None
                    or self._service_expires - SERVICE_TOKEN_MARGIN <= now):
                p = self.conf.proxy
                r = self._request('POST', '/auth/tokens', json={'auth': {
                    'identity': {'methods': ['password'], 'password': {
                        'user': {'name': p.username, 'password': p.password,
                                 'domain': {'name': p.user_domain_name}}}},
                    'scope': {'project': {
                        'name': p.project_name,
                        'domain': {'name': p.project_domain_name}}}}})
                if r.status_code != 201:
                    LOG.error('The proxy cannot authenticate as %s (%d).',
                              p.username, r.status_code)
                    raise ProxyError(503, 'The proxy cannot authenticate '
                                     'to the identity service.')
                self._service_token = r.headers['X-Subject-Token']
                self._service_expires = timeutils.parse_isotime(
                    r.json()['token']['expires_at'])
            return self._service_token

    def _fetch(self, token, region_id):
        path = '/OS-MERCADOR/regions/%s/access' % region_id
        for renew in (False, True):
            r = self._request('GET', path, headers={
                'X-Auth-Token': self.service_token(renew),
                'X-Subject-Token': token})
            if r.status_code != 401 or renew:
                break
            # Either token may be the bad one: retry once with a new
            # service token (a read, so retrying is safe).
        if r.status_code == 200:
            return r.json()['access']
        if r.status_code in (401, 403, 404):
            try:
                message = r.json()['error']['message']
            except (ValueError, KeyError, TypeError):
                message = 'Access to region %s refused.' % region_id
            raise ProxyError(r.status_code, message)
        raise ProxyError(502, 'The identity service failed (%d) for region '
                         '%s.' % (r.status_code, region_id))


class Proxy:
    def __init__(self, conf, cache_region):
        self.conf = conf
        self.http = requests.Session()
        # Never retry: a write that timed out may have been applied.
        adapter = requests.adapters.HTTPAdapter(max_retries=0,
                                                pool_maxsize=32)
        self.http.mount('http://', adapter)
        self.http.mount('https://', adapter)
        self.access = AccessClient(conf, self.http, cache_region)

    def __call__(self, environ, start_response):
        try:
            return self._proxy(environ, start_response)
        except ProxyError as e:
            return e.respond(start_response)

    def _public_base(self, environ):
        if self.conf.proxy.public_url:
            return self.conf.proxy.public_url.rstrip('/')
        scheme = environ.get('wsgi.url_scheme', 'http')
        host = environ.get('HTTP_HOST') or '%s:%s' % (
            environ['SERVER_NAME'], environ['SERVER_PORT'])
        return '%s://%s%s' % (scheme, host,
                              environ.get('SCRIPT_NAME', '').rstrip('/'))

    def _proxy(self, environ, start_response):
        parts = environ.get('PATH_INFO', '').lstrip('/').split('/', 2)
        if len(parts) < 2 or not parts[0] or not parts[1]:
            raise ProxyError(404, 'Use /<region>/<service type>/...: the '
                             'catalog gives these URLs.')
        region_id, service_type = parts[0], parts[1]
        rest = '/' + parts[2] if len(parts) == 3 else ''
        token = environ.get('HTTP_X_AUTH_TOKEN')
        if not token:
            raise ProxyError(401, 'Authentication required: send an '
                             'X-Auth-Token.')
        access = self.access.get(token, region_id)
        upstream = access['endpoints'].get(service_type)
        if not upstream:
            raise ProxyError(404, 'Region %s offers no %s service.' % (
                region_id, service_type))
        upstream = upstream.rstrip('/')
        public = '%s/%s/%s' % (self._public_base(environ), region_id,
                               service_type)
        outward = rewrite.Rewriter([
            (public, upstream),
            (access['project_id'], access['provider_project_id'])])
        inward = rewrite.Rewriter([
            (upstream, public),
            (access['provider_project_id'], access['project_id'])])

        url = upstream + outward.text(rest)
        query = environ.get('QUERY_STRING')
        if query:
            url += '?' + outward.text(query)
        headers = self._request_headers(environ, outward)
        headers['X-Auth-Token'] = access['token']
        body = self._request_body(environ, headers, outward)
        method = environ['REQUEST_METHOD']
        try:
            upstream_response = self.http.request(
                method, url, headers=headers, data=body, stream=True,
                allow_redirects=False,
                timeout=(self.conf.proxy.connect_timeout,
                         self.conf.proxy.read_timeout))
        except requests.Timeout:
            raise ProxyError(504, 'Region %s: the %s service did not answer '
                             'in time.' % (region_id, service_type))
        except requests.ConnectionError:
            raise ProxyError(503, 'Region %s: the %s service is '
                             'unreachable.' % (region_id, service_type))
        return self._respond(upstream_response, inward, method, region_id,
                             service_type, start_response)

    @staticmethod
    def _request_headers(environ, outward):
        headers = {}
        for key, value in environ.items():
            if not key.startswith('HTTP_'):
                continue
            name = key[5:].replace('_', '-').lower()
            if name in _DROP_REQUEST or name.startswith(
                    _DROP_REQUEST_PREFIXES):
                continue
            headers[name] = outward.text(value)
        if environ.get('CONTENT_TYPE'):
            headers['content-type'] = environ['CONTENT_TYPE']
        return headers

    def _request_body(self, environ, headers, outward):
        stream = environ['wsgi.input']
        length = environ.get('CONTENT_LENGTH')
        chunked = 'chunked' in environ.get(
            'HTTP_TRANSFER_ENCODING', '').lower()
        limit = self.conf.proxy.max_rewrite_bytes
        if length:
            length = int(length)
            if rewrite.is_json(environ.get('CONTENT_TYPE')) and \
                    length <= limit:
                return outward.text(stream.read(length).decode('utf-8'))\
                    .encode('utf-8')
            return _Input(stream, length, self.conf.proxy.chunk_size)
        if chunked:
            if rewrite.is_json(environ.get('CONTENT_TYPE')):
                data = stream.read(limit + 1)
                if len(data) > limit:
                    raise ProxyError(400, 'JSON request body too large.')
                return outward.text(data.decode('utf-8')).encode('utf-8')
            return _chunks(stream, self.conf.proxy.chunk_size)
        return None

    def _respond(self, response, inward, method, region_id, service_type,
                 start_response):
        headers = [(k, inward.text(v)) for k, v in response.headers.items()
                   if k.lower() not in _DROP_RESPONSE]
        status = '%d %s' % (response.status_code, response.reason)
        if method == 'HEAD' or response.status_code in (204, 304):
            response.close()
            length = response.headers.get('Content-Length')
            if method == 'HEAD' and length:
                headers.append(('Content-Length', length))
            start_response(status, headers)
            return []
        if rewrite.is_json(response.headers.get('Content-Type')):
            limit = self.conf.proxy.max_rewrite_bytes
            data = response.raw.read(limit + 1, decode_content=True)
            response.close()
            if len(data) > limit:
                raise ProxyError(502, 'Region %s: the %s service answered '
                                 'with a JSON document too large to relay.'
                                 % (region_id, service_type))
            try:
                data = inward.json_bytes(data)
            except ValueError:
                data = inward.text(data.decode('utf-8', 'replace')).encode(
                    'utf-8')
            headers.append(('Content-Length', str(len(data))))
            start_response(status, headers)
            return [data]
        encoding = response.headers.get('Content-Encoding')
        if encoding:
            headers.append(('Content-Encoding', encoding))
        length = response.headers.get('Content-Length')
        if length:
            headers.append(('Content-Length', length))
        start_response(status, headers)
        return _Stream(response, self.conf.proxy.chunk_size)


class _Stream:
    """A response body relayed chunk by chunk, closed when done."""

    def __init__(self, response, size):
        self.response = response
        self.size = size

    def __iter__(self):
        return self.response.raw.stream(self.size, decode_content=False)

    def close(self):
        self.response.close()
