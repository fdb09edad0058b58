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

"""Render an OpenAPI 3.1 document as reStructuredText.

``.. openapi:: path/to/document.yaml`` (relative to the page) renders one
section per tag and, in it, one per operation: path and query parameters,
request body fields, responses and response body fields. It reads only the
local file: no network.
"""

from docutils import nodes
from docutils.parsers.rst import Directive
from docutils import statemachine
from sphinx.util import nested_parse_with_titles
import yaml

METHODS = ('get', 'post', 'put', 'patch', 'delete')
UNDERLINES = '=-~^'


def _inline(node, doc):
    if isinstance(node, dict):
        if '$ref' in node:
            target = doc
            for part in node['$ref'].lstrip('#/').split('/'):
                target = target[part]
            return _inline(target, doc)
        return {k: _inline(v, doc) for k, v in node.items()}
    if isinstance(node, list):
        return [_inline(v, doc) for v in node]
    return node


def _type(schema):
    if 'oneOf' in schema:
        return ' or '.join(_type(s) for s in schema['oneOf'])
    kind = schema.get('type', 'any')
    if isinstance(kind, list):
        kind = ' or '.join(kind)
    if kind == 'array':
        return 'array of %s' % _type(schema.get('items', {}))
    return kind


def _constraints(schema):
    out = []
    if 'const' in schema:
        out.append('``%s``' % schema['const'])
    if 'enum' in schema:
        out.append('one of %s' % ', '.join('``%s``' % v
                                           for v in schema['enum']))
    for key, label in (('minLength', 'min length'),
                       ('maxLength', 'max length'),
                       ('minimum', 'min'), ('maximum', 'max'),
                       ('minItems', 'min items'), ('maxItems', 'max items')):
        if key in schema:
            out.append('%s %s' % (label, schema[key]))
    if 'pattern' in schema:
        out.append('pattern ``%s``' % schema['pattern'])
    return out


def _describe(schema, description=None):
    text = schema.get('description', '') if description is None else \
        description
    constraints = _constraints(schema)
    if constraints:
        text += ' (%s)' % '; '.join(constraints)
    return text.strip()


def _fields(schema, prefix=''):
    """Rows (name, type, required, description) of an object schema."""
    required = set(schema.get('required', ()))
    for name, sub in schema.get('properties', {}).items():
        path = prefix + name
        yield (path, _type(sub), 'yes' if name in required else 'no',
               _describe(sub))
        if 'properties' in sub:
            yield from _fields(sub, path + '.')
        items = sub.get('items', {})
        if 'properties' in items:
            yield from _fields(items, path + '[].')


def _table(rows, header):
    rows = list(rows)
    if not rows:
        return []
    lines = ['.. list-table::', '   :header-rows: 1', '']
    for row in [header] + rows:
        lines.append('   * - %s' % (row[0] or '\\-'))
        lines.extend('     - %s' % (cell or '\\-') for cell in row[1:])
    return lines + ['']


def _title(text, level):
    return [text, UNDERLINES[level] * len(text), '']


def render(doc):
    doc = _inline(doc, doc)
    lines = []
    for tag in doc.get('tags', []):
        lines += _title('The %s API' % tag['name'], 0)
        lines += [tag.get('description', ''), '']
        for path, item in doc['paths'].items():
            for method in METHODS:
                op = item.get(method)
                if not op or tag['name'] not in op.get('tags', ()):
                    continue
                lines += _operation(path, method, op,
                                    item.get('parameters', []))
    return lines


def _operation(path, method, op, common_parameters):
    lines = _title(op['summary'], 1)
    lines += ['.. code-block:: none', '',
              '   %s %s' % (method.upper(), path), '']
    if op.get('description'):
        lines += [op['description'], '']
    if op.get('x-mercador-policy'):
        lines += ['Policy: ``%s``' % op['x-mercador-policy'], '']
    parameters = common_parameters + op.get('parameters', [])
    if parameters:
        lines += ['**Parameters**', '']
        lines += _table(
            [(p['name'], p['in'], _type(p['schema']),
              _describe(p['schema'], p.get('description', '')))
             for p in parameters],
            ('Name', 'In', 'Type', 'Description'))
    body = op.get('requestBody')
    if body:
        schema = body['content']['application/json']['schema']
        lines += ['**Request body**', '']
        lines += _table(_fields(schema),
                        ('Field', 'Type', 'Required', 'Description'))
    lines += ['**Responses**', '']
    for status, response in op['responses'].items():
        lines += ['``%s``: %s' % (status, response['description']), '']
        schema = response.get('content', {}).get(
            'application/json', {}).get('schema')
        if schema and status.startswith('2'):
            lines += _table(_fields(schema),
                            ('Field', 'Type', 'Required', 'Description'))
    return lines


class OpenAPIDirective(Directive):
    required_arguments = 1
    has_content = False

    def run(self):
        env = self.state.document.settings.env
        _, path = env.relfn2path(self.arguments[0])
        env.note_dependency(path)
        with open(path) as f:
            doc = yaml.safe_load(f)
        node = nodes.section()
        node.document = self.state.document
        nested_parse_with_titles(
            self.state, statemachine.StringList(render(doc), source=path),
            node)
        return node.children


def setup(app):
    app.add_directive('openapi', OpenAPIDirective)
    return {'parallel_read_safe': True, 'parallel_write_safe': True}
