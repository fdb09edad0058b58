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

"""The OpenAPI document of OS-MERCADOR (doc/api/os-mercador.yaml)."""

import os
import re

import yaml

PATH = os.path.join(os.path.dirname(os.path.dirname(__file__)), 'doc', 'api',
                    'os-mercador.yaml')
METHODS = ('get', 'post', 'put', 'patch', 'delete')


def load():
    with open(PATH) as f:
        return yaml.safe_load(f)


def inline(node, doc):
    """``node`` with every local ``$ref`` replaced by what it points to."""
    if isinstance(node, dict):
        if '$ref' in node:
            target = doc
            for part in node['$ref'].lstrip('#/').split('/'):
                target = target[part]
            return inline(target, doc)
        return {k: inline(v, doc) for k, v in node.items()}
    if isinstance(node, list):
        return [inline(v, doc) for v in node]
    return node


def operations(doc, tag=None):
    """``{(path, method): operation}``, of one tag (side) if given."""
    ops = {}
    for path, item in doc['paths'].items():
        for method in METHODS:
            if method in item and (tag is None
                                   or tag in item[method]['tags']):
                ops[(path, method)] = item[method]
    return ops


def flask_path(path):
    """'/a/{b}' -> the regular expression of Flask's '/a/<string:b>'."""
    return re.sub(r'\{[^}]+\}', '[^/]+', path)
