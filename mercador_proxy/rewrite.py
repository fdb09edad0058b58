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

"""What the proxy changes in requests and responses.

Towards the provider: local project and user IDs become their provider
counterparts and the proxy's URLs become the provider endpoints. Back to the
tenant: the reverse. Both are plain substitutions of opaque strings (hex IDs
and absolute URLs), applied to paths, query strings, headers and every
string of a JSON document.
"""

import re

#: A Keystone ID as Keystone makes them (uuid4().hex), not part of a longer
#: run of hexadecimal digits.
KEYSTONE_ID = re.compile(r'(?<![0-9a-fA-F])[0-9a-f]{32}(?![0-9a-fA-F])')


#: Members of JSON documents and headers that hold digests of 32
#: hexadecimal digits (MD5), never IDs: not worth asking about.
NOT_IDS = frozenset({'checksum', 'etag', 'content-md5'})


def keystone_ids(*texts):
    """The Keystone-like IDs in ``texts`` (strings or None)."""
    found = set()
    for text in texts:
        if text:
            found.update(KEYSTONE_ID.findall(text))
    return found


def json_ids(value, found=None):
    """The Keystone-like IDs in the keys and strings of a JSON document,
    but for the members named in NOT_IDS."""
    found = set() if found is None else found
    if isinstance(value, str):
        found.update(KEYSTONE_ID.findall(value))
    elif isinstance(value, list):
        for item in value:
            json_ids(item, found)
    elif isinstance(value, dict):
        for key, item in value.items():
            found.update(KEYSTONE_ID.findall(key))
            if key.lower() not in NOT_IDS:
                json_ids(item, found)
    return found


#: What may follow a URL for it to be that URL and not the start of
#: another one: not a character of a host, port or path segment
#: (``http://h:92`` is not in ``http://h:9292/``).
_URL_END = r'(?![A-Za-z0-9._~%:-])'


class Rewriter:
    """Substitutions for one direction."""

    def __init__(self, pairs):
        # Longest first, so that a URL is replaced before an ID inside it.
        self.pairs = sorted(((a, b) for a, b in pairs if a and a != b),
                            key=lambda p: -len(p[0]))
        self._urls = {a: re.compile(re.escape(a) + _URL_END)
                      for a, _ in self.pairs if '://' in a}

    def text(self, value):
        for old, new in self.pairs:
            if old in value:
                pattern = self._urls.get(old)
                if pattern is None:
                    value = value.replace(old, new)
                else:
                    value = pattern.sub(lambda _: new, value)
        return value

    def json(self, value):
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.json(v) for v in value]
        if isinstance(value, dict):
            return {self.text(k): self.json(v) for k, v in value.items()}
        return value


_VERSIONED = re.compile(r'(.*)/v[0-9]+(\.[0-9]+)?/?\Z')


def version_roots(endpoints, every_endpoint):
    """``{service_type: URL}``: the URL without its version of those
    ``endpoints`` that end in one (Nova's ``.../v2.1``, Cinder's
    ``.../v3``), for the links these services give without a version
    (Nova's and Cinder's "bookmark" links: ``<root>/servers/<id>`` stands
    for ``<root>/v2.1/servers/<id>``). Not a root that another of
    ``every_endpoint`` (``{service_type: URL}``) lies under: what starts
    with it may be that service's."""
    roots = {}
    for stype, url in endpoints.items():
        match = _VERSIONED.match(url)
        if not match or '://' not in match.group(1):
            continue
        root = match.group(1)
        if not any(other != stype and (u.rstrip('/') + '/').startswith(
                root + '/') for other, u in every_endpoint.items()):
            roots[stype] = root
    return roots


def is_json(content_type):
    """JSON of any kind: ``application/json``, ``*+json`` and the JSON-patch
    types (``application/json-patch+json``, Glance's
    ``application/openstack-images-v2.1-json-patch``)."""
    ctype = (content_type or '').split(';')[0].strip().lower()
    return ctype == 'application/json' or (
        ctype.startswith('application/')
        and ctype.endswith(('+json', '-json-patch')))
