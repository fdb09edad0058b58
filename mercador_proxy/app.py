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

Everything a tenant sends is taken as hostile: the path is forwarded as it
was encoded and never leaves the offered endpoint (``paths``), headers that
would tell the provider something about routing, scope or credentials are
dropped, the provider's ``identity`` service is never relayed, and every
failure is a JSON error. Without a token, only the version document of an
endpoint (its root, ``GET`` or ``HEAD``, no query) is relayed, as the
provider serves it, without any provider token.
"""

import datetime
import hashlib
import http.cookiejar
import json
import logging
import re
import sys
import threading
import time
import traceback
import urllib.parse

from dogpile.cache import api as dogpile_api
from oslo_utils import timeutils
import requests

from mercador_common import proxy_cache
from mercador_proxy import paths
from mercador_proxy import rewrite

LOG = logging.getLogger(__name__)

# Request headers never forwarded to the provider.
_DROP_REQUEST = frozenset({
    # Hop-by-hop (RFC 9110, 7.6.1): about the tenant's connection only.
    'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization',
    'proxy-connection', 'te', 'trailer', 'trailers', 'transfer-encoding',
    'upgrade',
    # Set by the proxy for its own connection to the provider.
    'host', 'content-length',
    # The tenant's credentials at the aggregator (Swift's X-Storage-Token
    # is a token too): the provider gets the provider token, nothing else.
    'cookie', 'authorization', 'x-storage-token', 'openstack-auth-receipt',
    # Routing: where the request came from, which host or URL it was meant
    # for. A provider's proxy middleware (oslo.middleware's
    # HTTPProxyToWSGI, Werkzeug's ProxyFix, a front end's rewrite rules)
    # would believe the tenant and build URLs or route from them.
    'forwarded', 'via', 'x-real-ip', 'x-host', 'x-url-scheme',
    # Scope: a system scope that the provider token does not carry.
    'openstack-system-scope',
    # Method overrides: the provider gets the method the proxy sends.
    'x-http-method-override', 'x-http-method', 'x-method-override',
})
_DROP_REQUEST_PREFIXES = (
    # Tokens (X-Auth-Token, X-Service-Token, X-Subject-Token, X-Auth-User,
    # ...) and what identity middleware says about a token (X-User-Id,
    # X-Project-Id, X-Roles, X-Identity-Status, X-Service-Catalog, ...):
    # only the provider's own middleware may say that.
    'x-auth-', 'x-subject-', 'x-service-', 'x-identity-', 'x-user',
    'x-project', 'x-domain', 'x-tenant', 'x-role', 'x-is-admin-project',
    'x-system-scope', 'x-trust-',
    # Routing (X-Forwarded-For, -Host, -Proto, -Prefix, -Server, -Port;
    # X-Original-URL, X-Original-Host; X-Rewrite-URL).
    'x-forwarded-', 'x-original-', 'x-rewrite-',
)
# Response headers never relayed to the tenant.
_DROP_RESPONSE = frozenset({
    # Hop-by-hop.
    'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization',
    'proxy-connection', 'te', 'trailer', 'trailers', 'transfer-encoding',
    'upgrade',
    # Set by the proxy for the body it sends.
    'content-length', 'content-encoding',
    # The provider's software, sessions and credentials.
    'server', 'set-cookie', 'x-auth-token', 'x-subject-token',
    'x-service-token', 'openstack-auth-receipt',
    # Where the provider is: its auth URL (a 401 carries the aggregator's
    # instead) and alternative services that would lead clients to it.
    'www-authenticate', 'alt-svc',
})

#: Never relayed, whatever a region offers: tenants authenticate at the
#: aggregator, and the provider's Keystone is the binding's, not theirs.
NEVER_RELAYED = frozenset({'identity'})

#: IDs asked about in one call of the identity service's mapping route.
MAX_IDS = 500

SERVICE_TOKEN_MARGIN = datetime.timedelta(seconds=120)
#: A 401 of the identity service renews the proxy's own token at most this
#: often: it may be the tenant's token that is bad, and an unknown tenant
#: token must not cost a password check each time.
SERVICE_TOKEN_RENEWAL = datetime.timedelta(seconds=10)

_STATUS = {
    400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden',
    404: 'Not Found', 413: 'Content Too Large', 502: 'Bad Gateway',
    503: 'Service Unavailable', 504: 'Gateway Timeout',
}
_DIGITS = re.compile(r'[0-9]+\Z')
#: Compute requests that may allocate: a server's create, and its actions
#: (``ALLOCATING_ACTIONS``). Before relaying one, the proxy has the
#: provider set the tenant project's share of the region's limits, which
#: Nova then enforces with its own over-quota error; also before Nova's
#: limits are read (``_LIMITS``), so that they show that share.
#: Under the endpoint, which may or may not name the version.
_SERVERS = re.compile(r'(?:/v2(?:\.1)?)?(?:/[0-9a-f]{32})?/servers'
                      r'(?P<action>/[^/]+/action)?/?\Z')
_LIMITS = re.compile(r'(?:/v2(?:\.1)?)?(?:/[0-9a-f]{32})?/limits/?\Z')
ALLOCATING_ACTIONS = frozenset({'resize', 'unshelve', 'restore',
                                'revertResize', 'migrate', 'evacuate'})
# Endpoints carry no token: their cache entries end by access_cache_time.
_FAR = '9999-12-31T00:00:00+00:00'
NO_VALUE = dogpile_api.NO_VALUE


class ProxyError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message

    def respond(self, start_response, headers=(), exc_info=None):
        body = json.dumps({'error': {
            'code': self.code, 'title': _STATUS.get(self.code, 'Error'),
            'message': self.message}}).encode('utf-8')
        start_response('%d %s' % (self.code, _STATUS.get(self.code, '')), [
            ('Content-Type', 'application/json'),
            ('Content-Length', str(len(body)))] + list(headers), exc_info)
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


def _read_upto(stream, size):
    """Up to ``size`` bytes, fewer only at the end of the body."""
    parts, got = [], 0
    while got < size:
        data = stream.read(size - got)
        if not data:
            break
        parts.append(data)
        got += len(data)
    return b''.join(parts)


def _connection_tokens(value):
    """Header names a Connection header lists (hop-by-hop as well)."""
    return {t.strip().lower() for t in (value or '').split(',') if t.strip()}


def relayable(endpoints):
    """The endpoints the proxy relays to: never the identity service, nor
    anything under its URL."""
    identity = [url for stype, url in endpoints.items()
                if stype in NEVER_RELAYED]
    return {stype: url for stype, url in endpoints.items()
            if stype not in NEVER_RELAYED
            and not any(paths.under(url, i) for i in identity)}


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
        self._service_issued = None
        self._lock = threading.Lock()

    @property
    def _timeout(self):
        return (self.conf.proxy.connect_timeout,
                self.conf.proxy.read_timeout)

    def _identity(self, path):
        return self.conf.proxy.identity_url.rstrip('/') + '/v3' + path

    @staticmethod
    def _route(region_id, what='access'):
        return '/OS-MERCADOR/regions/%s/%s' % (
            urllib.parse.quote(region_id, safe=''), what)

    def _key(self, token, region_id):
        digest = hashlib.sha256(token.encode('utf-8')).hexdigest()
        return 'mercador-proxy-access:%s:%s' % (region_id, digest)

    def _cached(self, key):
        """The cached answer under ``key`` if it still holds, and the
        current generation (see ``mercador_common.proxy_cache``): one
        round trip to the cache backend."""
        cached, generation = self.cache.get_multi(
            [key, proxy_cache.GENERATION])
        if generation is NO_VALUE:
            generation = None
        if (isinstance(cached, dict)
                and cached.get('generation') == generation
                and cached['deadline'] > time.time()):
            return cached, generation
        return None, generation

    def get(self, token, region_id):
        key = self._key(token, region_id)
        cached, generation = self._cached(key)
        if cached:
            return cached
        # The generation read before asking: a change the answer misses
        # comes with a new one, which makes this entry stale.
        access = self._fetch(token, region_id)
        self._remember(key, access, generation)
        return access

    def endpoints(self, region_id):
        """``{service_type: provider URL}`` of a bound region, asked
        without any tenant token (for version discovery)."""
        key = 'mercador-proxy-endpoints:%s' % region_id
        cached, generation = self._cached(key)
        if cached:
            return cached['endpoints']
        r = self._ask(self._route(region_id), params={'only': 'endpoints'})
        if r.status_code in (401, 403):
            # This Keystone's policy keeps the endpoints of its regions from
            # the proxy: without a token there is nothing to relay.
            raise ProxyError(401, 'Authentication required: send an '
                             'X-Auth-Token.')
        access = self._answer(r, region_id)
        self._remember(key, dict(access, expires_at=_FAR), generation)
        return access['endpoints']

    def mappings(self, token, region_id, direction, ids):
        """``{ID: mapped ID}`` for those of ``ids`` that the identity
        service maps in ``direction`` (``outward``: local to provider,
        ``inward``: back); the others are left as they are. An ID that may
        not be used in the region raises the identity service's 403."""
        ids = sorted(ids)
        if not ids:
            return {}
        keys = ['mercador-proxy-id:%s:%s:%s' % (region_id, direction, i)
                for i in ids]
        values = self.cache.get_multi(keys + [proxy_cache.GENERATION])
        generation = values.pop()
        if generation is NO_VALUE:
            generation = None
        now = time.time()
        found, missing = {}, []
        for i, value in zip(ids, values):
            if (isinstance(value, dict)
                    and value.get('generation') == generation
                    and value['deadline'] > now):
                found[i] = value['id']
            else:
                missing.append(i)
        ttl = self.conf.proxy.mapping_cache_time
        for start in range(0, len(missing), MAX_IDS):
            chunk = missing[start:start + MAX_IDS]
            answer = self._mapped(token, region_id, direction, chunk)
            fresh = {i: answer.get(i) for i in chunk}
            found.update(fresh)
            if ttl > 0:
                self.cache.set_multi({
                    'mercador-proxy-id:%s:%s:%s' % (region_id, direction, i):
                    {'id': value, 'generation': generation,
                     'deadline': now + ttl}
                    for i, value in fresh.items()})
        return {i: value for i, value in found.items() if value}

    def _mapped(self, token, region_id, direction, ids):
        r = self._ask(self._route(region_id, 'mappings'),
                      headers={'X-Subject-Token': token},
                      json={direction: ids})
        if r.status_code == 401:
            raise ProxyError(401, 'The token is not valid (unknown, '
                             'expired or revoked): authenticate again.')
        if r.status_code == 200:
            try:
                mapped = r.json()['mappings'][direction]
                if isinstance(mapped, dict):
                    return mapped
            except (ValueError, KeyError, TypeError):
                pass
        return self._answer(r, region_id)

    def apportion(self, token, region_id):
        """Have the identity service set the share of the region's limits
        that the token's project has now (not cached: it changes with
        every allocation)."""
        r = self._ask(self._route(region_id, 'limits'),
                      headers={'X-Subject-Token': token}, method='POST')
        if r.status_code == 200:
            return
        if r.status_code == 401:
            raise ProxyError(401, 'The token is not valid (unknown, '
                             'expired or revoked): authenticate again.')
        if r.status_code in (403, 404):
            self._answer(r, region_id)
        LOG.warning('Region %s: the share of its limits could not be set '
                    '(%d); the request is not relayed.', region_id,
                    r.status_code)
        raise ProxyError(503, 'Region %s cannot check its limits now; try '
                         'again later.' % region_id)

    def _remember(self, key, access, generation):
        # The cache backend's own expiration is global; the per-entry
        # deadline (a POSIX time) is checked on read, and never exceeds the
        # tokens' life.
        ttl = self.conf.proxy.access_cache_time
        if ttl <= 0:
            return
        expires = timeutils.parse_isotime(access['expires_at']).timestamp()
        self.cache.set(key, dict(access, generation=generation,
                                 deadline=min(expires, time.time() + ttl)))

    def _request(self, method, path, **kwargs):
        # Every call here is a lookup or a token request, safe to send
        # again: once more on a connection that failed (a pooled
        # connection to a Keystone process that died, the next one behind
        # a load balancer), never on a timeout.
        for attempt in (1, 2):
            try:
                return self.http.request(method, self._identity(path),
                                         timeout=self._timeout, **kwargs)
            except requests.Timeout:
                raise ProxyError(504, 'The identity service did not answer '
                                 'in time.')
            except requests.ConnectionError:
                if attempt == 2:
                    raise ProxyError(503, 'The identity service is '
                                     'unreachable.')
            except requests.RequestException:
                raise ProxyError(503, 'The identity service is unreachable.')

    def service_token(self, renew=False):
        with self._lock:
            now = timeutils.utcnow(with_timezone=True)
            if renew and self._service_issued is not None and (
                    now - self._service_issued < SERVICE_TOKEN_RENEWAL):
                renew = False
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
                self._service_issued = now
            return self._service_token

    def _ask(self, path, headers=None, params=None, json=None, method=None):
        """GET ``path`` (POST ``json``) with the service token; once more
        with a new one if that answers 401 (lookups, and the limits' share,
        which is the same when set twice: retrying is safe)."""
        sent = self.service_token()
        method = method or ('GET' if json is None else 'POST')
        for attempt in (1, 2):
            r = self._request(
                method, path, params=params,
                json=json, headers=dict(headers or {},
                                        **{'X-Auth-Token': sent}))
            if r.status_code != 401 or attempt == 2:
                return r
            renewed = self.service_token(renew=True)
            if renewed == sent:
                # Renewed a moment ago: the 401 is about the tenant's token.
                return r
            sent = renewed

    def _fetch(self, token, region_id):
        r = self._ask(self._route(region_id),
                      headers={'X-Subject-Token': token})
        if r.status_code == 401:
            raise ProxyError(401, 'The token is not valid (unknown, '
                             'expired or revoked): authenticate again.')
        return self._answer(r, region_id)

    @staticmethod
    def _answer(r, region_id):
        if r.status_code == 200:
            try:
                access = r.json()['access']
                if isinstance(access['endpoints'], dict):
                    return access
            except (ValueError, KeyError, TypeError):
                pass
            raise ProxyError(502, 'The identity service answered '
                             'unexpectedly for region %s.' % region_id)
        if r.status_code in (403, 404):
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
        self.adapter = adapter
        # Per scheme and host: what requests takes from the environment
        # (proxies, CA bundle), which does not change while this process
        # runs and costs more than relaying a small call to look up.
        self._environment = {}
        # No cookie jar: one session serves every tenant, and a cookie a
        # provider sets for one of them must never go out for another.
        self.http.cookies = requests.cookies.RequestsCookieJar(
            policy=http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
        self.access = AccessClient(conf, self.http, cache_region)

    def __call__(self, environ, start_response):
        state = {'secrets': []}
        try:
            return self._proxy(environ, start_response, state)
        except ProxyError as e:
            return self._error(e, start_response)
        except Exception:
            exc_info = sys.exc_info()
            region_id = state.get('region_id')
            self._log_unexpected(environ, state, region_id)
            where = 'Region %s: the' % region_id if region_id else 'The'
            return self._error(ProxyError(
                502, '%s proxy could not relay this request; the error is '
                'in its log.' % where), start_response, exc_info)

    def _log_unexpected(self, environ, state, region_id):
        text = traceback.format_exc()
        secrets = state['secrets'] + [
            environ.get('HTTP_X_AUTH_TOKEN'),
            getattr(self.access, '_service_token', None)]
        for secret in secrets:
            if secret:
                text = text.replace(secret, '***')
        LOG.error('Region %s: unexpected error on %s %s/...:\n%s',
                  region_id or '(none)', environ.get('REQUEST_METHOD'),
                  state.get('service_type', ''), text)

    def _www_authenticate(self):
        uri = (self.conf.proxy.www_authenticate_uri
               or self.conf.proxy.identity_url)
        return ('WWW-Authenticate', 'Keystone uri="%s"' % uri)

    def _error(self, error, start_response, exc_info=None):
        headers = [self._www_authenticate()] if error.code == 401 else []
        return error.respond(start_response, headers, exc_info)

    def _public_base(self, environ):
        if self.conf.proxy.public_url:
            return self.conf.proxy.public_url.rstrip('/')
        scheme = environ.get('wsgi.url_scheme', 'http')
        host = environ.get('HTTP_HOST') or '%s:%s' % (
            environ['SERVER_NAME'], environ['SERVER_PORT'])
        return '%s://%s%s' % (scheme, host,
                              environ.get('SCRIPT_NAME', '').rstrip('/'))

    def _proxy(self, environ, start_response, state):
        method = environ['REQUEST_METHOD']
        try:
            target = paths.split(paths.raw_path(environ))
            if target is None:
                raise ProxyError(404, 'Use /<region>/<service type>/...: '
                                 'the catalog gives these URLs.')
            region_id, service_type, rest = target
            state.update(region_id=region_id, service_type=service_type)
            forward = paths.confine(rest)
            query = paths.canonical_query(environ.get('QUERY_STRING', ''))
        except paths.PathError as e:
            raise ProxyError(400, str(e))
        if service_type in NEVER_RELAYED:
            raise ProxyError(403, 'Region %s: the %s service is never '
                             'offered through the proxy; authenticate at '
                             'the aggregator.' % (region_id, service_type))
        token = environ.get('HTTP_X_AUTH_TOKEN')
        if not token:
            if method in ('GET', 'HEAD') and rest in ('', '/') and not query:
                return self._version_document(
                    environ, start_response, method, region_id,
                    service_type, rest)
            raise ProxyError(401, 'Authentication required: send an '
                             'X-Auth-Token.')
        state['secrets'].append(token)
        access = self.access.get(token, region_id)
        state['secrets'].append(access.get('token'))
        endpoints = relayable(access['endpoints'])
        upstream = endpoints.get(service_type)
        if not upstream:
            raise ProxyError(404, 'Region %s offers no %s service.' % (
                region_id, service_type))
        upstream = upstream.rstrip('/')
        base = self._public_base(environ)
        urls = [('%s/%s/%s' % (base, region_id, stype), url.rstrip('/'))
                for stype, url in endpoints.items()]
        # Back to the tenant, also the links without a version.
        links = urls + [
            ('%s/%s/%s' % (base, region_id, stype), root)
            for stype, root in rewrite.version_roots(
                endpoints, access['endpoints']).items()]
        ids = {access['project_id']: access['provider_project_id']}
        if access.get('user_id') and access.get('provider_user_id'):
            ids[access['user_id']] = access['provider_user_id']

        headers = self._request_headers(environ)
        body = self._request_body(environ)
        # Every other local project or user ID the request names (an image
        # member, a JSON-patch value, a query filter) gets its provider
        # counterpart, or the request is refused.
        found = rewrite.keystone_ids(forward, query, *(
            v for k, v in headers.items() if k not in rewrite.NOT_IDS))
        if isinstance(body, bytes):
            found |= rewrite.keystone_ids(body.decode('utf-8', 'replace'))
        found -= set(ids)
        ids.update(self.access.mappings(token, region_id, 'outward', found))
        outward = rewrite.Rewriter(urls + list(ids.items()))
        url = upstream + rewrite.Rewriter(list(ids.items())).text(forward)
        if query:
            url += '?' + paths.canonical_query(outward.text(query))
        self._check_under(url, upstream, region_id, service_type)
        headers = {k: outward.text(v) for k, v in headers.items()}
        headers['X-Auth-Token'] = access['token']
        if isinstance(body, bytes):
            body = self._json_body(body, outward)
        if self._may_allocate(method, service_type, forward, body):
            self.access.apportion(token, region_id)
        response = self._send(method, url, headers, body, region_id,
                              service_type)
        known = {b: a for a, b in ids.items()}

        def inward(found):
            # Provider IDs of mapped projects and users come back as local
            # IDs.
            back = dict(known)
            back.update(self.access.mappings(token, region_id, 'inward',
                                             found - set(known)))
            return rewrite.Rewriter([(b, a) for a, b in links]
                                    + list(back.items()))

        return self._respond(response, inward, method, region_id,
                             service_type, start_response)

    @staticmethod
    def _may_allocate(method, service_type, path, body):
        if service_type != 'compute':
            return False
        if method == 'GET':
            # Nova's limits, as Horizon shows them before a launch: the
            # share the project has now.
            return bool(_LIMITS.match(path))
        if method != 'POST':
            return False
        match = _SERVERS.match(path)
        if not match:
            return False
        if body is None or isinstance(body, _Input) and not len(body):
            # Nova refuses an action without a body.
            return not match.group('action')
        if not match.group('action') or not isinstance(body, bytes):
            # A create, or an action whose body is not read here.
            return True
        try:
            action = json.loads(body)
        except ValueError:
            # Nova refuses it.
            return False
        return isinstance(action, dict) and bool(
            ALLOCATING_ACTIONS & set(action))

    def _version_document(self, environ, start_response, method, region_id,
                          service_type, rest):
        """The endpoint's root as the provider serves it to anyone: no
        token, no body, provider URLs rewritten."""
        every = self.access.endpoints(region_id)
        endpoints = relayable(every)
        upstream = endpoints.get(service_type)
        if not upstream:
            raise ProxyError(404, 'Region %s offers no %s service.' % (
                region_id, service_type))
        url = upstream.rstrip('/') + rest
        self._check_under(url, upstream, region_id, service_type)
        base = self._public_base(environ)
        roots = rewrite.version_roots(endpoints, every)
        urls = rewrite.Rewriter([
            (u.rstrip('/'), '%s/%s/%s' % (base, region_id, stype))
            for stype, u in list(endpoints.items()) + list(roots.items())])
        headers = self._request_headers(environ)
        response = self._send(method, url, headers, None, region_id,
                              service_type)
        root = roots.get(service_type)
        if response.status_code == 401 and root:
            # A versioned endpoint that wants a token for its own document
            # (Cinder's .../v3): its clients find the versions at the root
            # by cropping the version off the endpoint's URL
            # (cinderclient's get_server_version, Horizon's), which the
            # proxy's URL does not show; the root's document, then.
            response.close()
            url = root + rest
            self._check_under(url, root, region_id, service_type)
            response = self._send(method, url, headers, None, region_id,
                                  service_type)
        return self._respond(response, lambda found: urls, method,
                             region_id, service_type, start_response)

    @staticmethod
    def _check_under(url, upstream, region_id, service_type):
        # paths.confine already made sure of it; this is the last word.
        if not paths.under(url, upstream):
            raise ProxyError(400, 'Region %s: the request would leave the '
                             '%s endpoint.' % (region_id, service_type))

    def _settings(self, url):
        scheme, _, netloc = url.split('/', 3)[:3]
        origin = '%s//%s/' % (scheme, netloc)
        settings = self._environment.get(origin)
        if settings is None:
            if len(self._environment) > 1000:
                self._environment.clear()
            settings = self.http.merge_environment_settings(
                origin, {}, True, None, None)
            self._environment[origin] = settings
        return settings

    def _send(self, method, url, headers, body, region_id, service_type):
        # Straight to the connection pool: a session's per-request work
        # (default headers, cookies, .netrc, the environment, hooks,
        # redirects) is nothing the proxy wants, and costs more than the
        # rest of a small call.
        prepared = requests.PreparedRequest()
        prepared.prepare(method=method, url=url, headers=headers, data=body)
        # Exactly the URL built here: requests would decode the
        # percent-encodings of unreserved characters.
        prepared.url = url
        settings = self._settings(url)
        try:
            return self.adapter.send(
                prepared, stream=True, verify=settings['verify'],
                cert=settings['cert'], proxies=settings['proxies'],
                timeout=(self.conf.proxy.connect_timeout,
                         self.conf.proxy.read_timeout))
        except requests.Timeout:
            raise ProxyError(504, 'Region %s: the %s service did not answer '
                             'in time.' % (region_id, service_type))
        except requests.ConnectionError:
            raise ProxyError(503, 'Region %s: the %s service is '
                             'unreachable.' % (region_id, service_type))

    @staticmethod
    def _request_headers(environ):
        drop = _connection_tokens(environ.get('HTTP_CONNECTION'))
        headers = {}
        for key, value in environ.items():
            if not key.startswith('HTTP_'):
                continue
            name = key[5:].replace('_', '-').lower()
            if name in _DROP_REQUEST or name in drop or name.startswith(
                    _DROP_REQUEST_PREFIXES):
                continue
            headers[name] = value
        if environ.get('CONTENT_TYPE'):
            headers['content-type'] = environ['CONTENT_TYPE']
        return headers

    def _request_body(self, environ):
        """The body to relay: the whole of a JSON body (bytes, rewritten
        later), a stream otherwise, or None."""
        stream = environ['wsgi.input']
        chunked = 'chunked' in environ.get(
            'HTTP_TRANSFER_ENCODING', '').lower()
        length = (environ.get('CONTENT_LENGTH') or '').strip()
        if chunked:
            length = None
        elif length:
            if not _DIGITS.match(length):
                raise ProxyError(400, 'Content-Length must be a '
                                 'non-negative integer.')
            length = int(length)
        else:
            length = None
        limit = self.conf.proxy.max_rewrite_bytes
        if rewrite.is_json(environ.get('CONTENT_TYPE')) and (
                chunked or length):
            if length is not None and length > limit:
                raise self._too_large(limit)
            data = _read_upto(stream, limit + 1 if length is None
                              else length)
            if len(data) > limit:
                raise self._too_large(limit)
            return data
        if length is not None:
            return _Input(stream, length, self.conf.proxy.chunk_size)
        if chunked:
            return _chunks(stream, self.conf.proxy.chunk_size)
        return None

    @staticmethod
    def _too_large(limit):
        return ProxyError(413, 'JSON request bodies are rewritten, and this '
                          'one is over the %d bytes the proxy rewrites.'
                          % limit)

    @staticmethod
    def _json_body(data, outward):
        if not data.strip():
            return data
        try:
            text = data.decode('utf-8')
        except UnicodeDecodeError:
            raise ProxyError(400, 'The JSON request body is not valid '
                             'UTF-8.')
        try:
            return json.dumps(outward.json(json.loads(text))).encode('utf-8')
        except (ValueError, RecursionError) as e:
            raise ProxyError(400, 'The JSON request body is not valid '
                             'JSON: %s.' % e)

    def _respond(self, response, inward, method, region_id, service_type,
                 start_response):
        """Relay the provider's answer; ``inward(ids)`` gives the Rewriter
        for the Keystone-like IDs found in its headers and JSON body."""
        drop = _connection_tokens(response.headers.get('Connection'))
        kept = [(k, v) for k, v in response.headers.items()
                if k.lower() not in _DROP_RESPONSE
                and k.lower() not in drop]
        status = '%d %s' % (response.status_code, response.reason)
        document = text = None
        bodiless = method == 'HEAD' or response.status_code in (204, 304)
        if not bodiless and rewrite.is_json(
                response.headers.get('Content-Type')):
            limit = self.conf.proxy.max_rewrite_bytes
            data = response.raw.read(limit + 1, decode_content=True)
            response.close()
            if len(data) > limit:
                raise ProxyError(502, 'Region %s: the %s service answered '
                                 'with a JSON document too large to relay.'
                                 % (region_id, service_type))
            text = data.decode('utf-8', 'replace')
            try:
                document = json.loads(text)
            except (ValueError, RecursionError):
                pass
        found = rewrite.keystone_ids(*(
            v for k, v in kept if k.lower() not in rewrite.NOT_IDS))
        if document is not None:
            rewrite.json_ids(document, found)
        elif text is not None:
            found |= rewrite.keystone_ids(text)
        rewriter = inward(found)
        headers = [(k, rewriter.text(v)) for k, v in kept]
        if response.status_code == 401:
            headers.append(self._www_authenticate())
        if bodiless:
            response.close()
            length = response.headers.get('Content-Length')
            if method == 'HEAD' and length:
                headers.append(('Content-Length', length))
            start_response(status, headers)
            return []
        if text is not None:
            data = (rewriter.text(text) if document is None
                    else json.dumps(rewriter.json(document)))
            data = data.encode('utf-8')
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
