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

"""Request paths: forwarded as the client encoded them, never outside the
offered endpoint.

The path comes from the server's raw request URI (``RAW_URI`` or
``REQUEST_URI``) when it matches ``SCRIPT_NAME`` + ``PATH_INFO``; otherwise
``PATH_INFO`` (latin-1-decoded bytes, PEP 3333) is percent-encoded again.
Either way nothing is decoded and re-encoded: ``a%3Fb%20%C3%A9`` reaches the
provider as ``a%3Fb%20%C3%A9``. The only changes are RFC 3986's
normalisations: percent-encodings in upper case, characters a URI may not
carry (a raw backslash, a stray ``%``) percent-encoded, and dot segments
removed.

A path is then confined under the endpoint: its dot segments (also encoded,
``%2e%2e``) may not climb above the endpoint's path, neither as the proxy
reads the path nor as a provider's server might, decoding ``%2F`` and
``%5C`` to separators, treating a backslash as a slash and ``..;x`` as
``..``. Anything else is a :class:`PathError`.
"""

import re
import urllib.parse

#: A region ID (the aggregator schema's pattern) and a service type.
NAME = re.compile(r'[A-Za-z0-9][A-Za-z0-9._-]*\Z')
NAME_MAX = 255

# What RFC 3986 lets a path carry unencoded (pchar and '/'); a query may
# also carry '?'. Everything else is percent-encoded.
_PATH_SAFE = "!$&'()*+,;=:@/"
_QUERY_SAFE = _PATH_SAFE + '?'
_UNRESERVED = r'A-Za-z0-9._~\-'
_PATH_DIRTY = re.compile(
    r"%%[0-9A-Fa-f]{2}|%%|[^%s%s]" % (_UNRESERVED, re.escape(_PATH_SAFE)))
_QUERY_DIRTY = re.compile(
    r"%%[0-9A-Fa-f]{2}|%%|[^%s%s]" % (_UNRESERVED, re.escape(_QUERY_SAFE)))
_CLEAN_PATH = re.compile(r"[%s%s]*\Z" % (_UNRESERVED, re.escape(_PATH_SAFE)))
_CLEAN_QUERY = re.compile(
    r"[%s%s]*\Z" % (_UNRESERVED, re.escape(_QUERY_SAFE)))
_SCHEME = re.compile(r'[A-Za-z][A-Za-z0-9+.-]*://')
_SEPARATORS = re.compile(rb'[/\\]')


class PathError(ValueError):
    """A path the proxy refuses; the message says why."""


def _bytes(text):
    """The bytes a WSGI string stands for (latin-1, PEP 3333)."""
    try:
        return text.encode('latin-1')
    except UnicodeEncodeError:
        return text.encode('utf-8', 'surrogateescape')


def _encode(match):
    text = match.group(0)
    if len(text) == 3:
        return text.upper()
    return ''.join('%%%02X' % b for b in _bytes(text))


def canonical_path(path):
    """``path`` with upper-case percent-encodings and every character a
    path may not carry percent-encoded (a ``%`` not starting an encoding
    becomes ``%25``)."""
    if '%' not in path and _CLEAN_PATH.match(path):
        return path
    return _PATH_DIRTY.sub(_encode, path)


def canonical_query(query):
    """The same for a query string (which may also carry ``?``)."""
    if '%' not in query and _CLEAN_QUERY.match(query):
        return query
    return _QUERY_DIRTY.sub(_encode, query)


def _decoded(raw):
    return urllib.parse.unquote_to_bytes(_bytes(raw))


def _same(raw, wsgi_bytes):
    """Whether the raw path decodes to what the server put in the
    environ: as PEP 3333 says (latin-1), or as Werkzeug does (UTF-8 with
    replacement characters)."""
    if _decoded(raw) == wsgi_bytes:
        return True
    text = urllib.parse.unquote(raw, 'utf-8', 'replace')
    return text.encode('utf-8', 'surrogateescape') == wsgi_bytes


def _origin_path(uri):
    """The path of a request target: origin form, or absolute form."""
    if _SCHEME.match(uri):
        uri = urllib.parse.urlsplit(uri).path or '/'
    if not uri.startswith('/'):
        return None
    return uri.split('?', 1)[0].split('#', 1)[0]


def raw_path(environ):
    """The request's path below ``SCRIPT_NAME``, encoded as the client
    sent it (``/`` + region + ``/`` + service type + the rest)."""
    path_info = environ.get('PATH_INFO', '')
    script = environ.get('SCRIPT_NAME', '')
    uri = environ.get('RAW_URI') or environ.get('REQUEST_URI')
    if uri:
        raw = _origin_path(uri)
        if raw is not None and _same(raw, _bytes(script + path_info)):
            if not script:
                return raw
            wanted = _bytes(script)
            # The shortest raw prefix, ended by a '/', that is SCRIPT_NAME.
            for i, char in enumerate(raw + '/'):
                if char == '/' and i and _same(raw[:i], wanted):
                    return raw[i:]
    # The server gave no raw URI, or one that a front end rewrote: encode
    # PATH_INFO's bytes again (they were decoded once, by the server).
    return urllib.parse.quote(_bytes(path_info), safe=_PATH_SAFE)


def split(raw):
    """``(region_id, service_type, rest)`` of a raw path; the region ID
    and the service type decoded, the rest raw ('' or starting with '/').
    None when the path does not name both."""
    parts = raw.split('/', 3)
    if len(parts) < 3 or parts[0] or not parts[1] or not parts[2]:
        return None
    region_id = urllib.parse.unquote(parts[1], 'utf-8', 'replace')
    service_type = urllib.parse.unquote(parts[2], 'utf-8', 'replace')
    for what, value in (('region ID', region_id),
                        ('service type', service_type)):
        if len(value) > NAME_MAX or not NAME.match(value):
            raise PathError(
                'The path does not start with a valid %s: use letters, '
                'digits, ".", "_" and "-", at most %d characters, starting '
                'with a letter or a digit.' % (what, NAME_MAX))
    return region_id, service_type, ('/' + parts[3]
                                     if len(parts) == 4 else '')


def _dot(segment):
    """'.' or '..' if the raw segment is one, also encoded."""
    if '%' in segment:
        segment = urllib.parse.unquote(segment, 'latin-1')
    return segment if segment in ('.', '..') else None


def confine(rest):
    """The raw path to forward below an endpoint, normalised: dot
    segments removed, ``//`` collapsed, a trailing ``/`` kept. Raises
    :class:`PathError` if the path would leave the endpoint."""
    if not rest:
        return rest
    rest = canonical_path(rest)
    kept = []
    segments = rest.split('/')[1:]
    for segment in segments:
        dot = _dot(segment)
        if dot == '..':
            if not kept:
                raise PathError(
                    'The path climbs above the service\'s endpoint (".." '
                    'segments): nothing outside it is reachable.')
            kept.pop()
        elif segment and not dot:
            kept.append(segment)
    trailing = not segments[-1] or _dot(segments[-1]) is not None
    forward = ''.join('/' + s for s in kept)
    if trailing or not forward:
        forward += '/'
    _check_provider_view(forward)
    return forward


def _check_provider_view(path):
    """Raise if a server that decodes before resolving dot segments, and
    takes ``\\`` for ``/``, would resolve ``path`` above its start."""
    depth = 0
    for part in _SEPARATORS.split(_decoded(path)):
        name = part.split(b';', 1)[0]
        if name == b'..':
            depth -= 1
            if depth < 0:
                raise PathError(
                    'The path climbs above the service\'s endpoint as a '
                    'server may read it (%2F and %5C decoded, "\\" taken '
                    'for "/", "..;" for ".."): nothing outside it is '
                    'reachable.')
        elif name not in (b'', b'.'):
            depth += 1


def under(url, endpoint):
    """Whether ``url`` lies under ``endpoint`` (same scheme and host, its
    path or below)."""
    u = urllib.parse.urlsplit(url)
    e = urllib.parse.urlsplit(endpoint)
    base = e.path.rstrip('/')
    return ((u.scheme, u.netloc) == (e.scheme, e.netloc)
            and not u.fragment
            and (u.path == base or u.path.startswith(base + '/')))
