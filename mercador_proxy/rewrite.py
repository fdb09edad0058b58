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

Towards the provider: the tenant's project ID becomes the provider project
ID and the proxy's URL becomes the provider endpoint. Back to the tenant:
the reverse. Both are plain substitutions of opaque strings (hex IDs and
absolute URLs), applied to paths, query strings, selected headers and every
string of a JSON document.
"""

import json


class Rewriter:
    """Substitutions for one direction."""

    def __init__(self, pairs):
        # Longest first, so that a URL is replaced before an ID inside it.
        self.pairs = sorted(((a, b) for a, b in pairs if a and a != b),
                            key=lambda p: -len(p[0]))

    def text(self, value):
        for old, new in self.pairs:
            if old in value:
                value = value.replace(old, new)
        return value

    def json(self, value):
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.json(v) for v in value]
        if isinstance(value, dict):
            return {self.text(k): self.json(v) for k, v in value.items()}
        return value

    def json_bytes(self, body):
        return json.dumps(self.json(json.loads(body))).encode('utf-8')


def is_json(content_type):
    ctype = (content_type or '').split(';')[0].strip().lower()
    return ctype == 'application/json' or (
        ctype.startswith('application/') and ctype.endswith('+json'))
