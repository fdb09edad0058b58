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

"""Output and argument helpers shared by the commands."""

import argparse
import logging

from osc_lib.cli import format_columns
from osc_lib import exceptions
from osc_lib import utils

LOG = logging.getLogger(__name__)

#: How structured fields are shown: as text in tables, as they are in
#: JSON and YAML output.
FORMATTERS = {
    'metadata': format_columns.DictColumn,
    'services': format_columns.ListColumn,
    'limits': format_columns.ListDictColumn,
    'aggregator_ids': format_columns.ListColumn,
    'endpoints': format_columns.ListDictColumn,
    'credential': format_columns.DictColumn,
}


def show(ref):
    """Columns and values of one resource, ``links`` left out."""
    columns = tuple(sorted(k for k in ref if k != 'links'))
    return columns, utils.get_dict_properties(ref, columns,
                                              formatters=FORMATTERS)


_ACRONYMS = {'id': 'ID', 'url': 'URL'}


def _header(column):
    return ' '.join(_ACRONYMS.get(w, w.capitalize())
                    for w in column.split('_'))


def listing(refs, columns):
    return (tuple(_header(c) for c in columns),
            (utils.get_dict_properties(r, columns, formatters=FORMATTERS)
             for r in refs))


def key_value(text):
    """argparse type of ``KEY=VALUE``."""
    key, sep, value = text.partition('=')
    if not sep or not key:
        raise argparse.ArgumentTypeError(
            '"%s" is not of the form KEY=VALUE' % text)
    return key, value


def force_delete(client, collection, resource_id):
    """DELETE ``?force=true``; warn about each binding the provider could
    not be made to delete (what is left there, and why)."""
    body = client.delete(collection, resource_id, force='true') or {}
    leftovers = body.get('remote_leftovers', [])
    for leftover in leftovers:
        LOG.warning(
            'Region %s was unbound here; at provider %s, binding %s could '
            'not be deleted: %s', leftover['region_id'],
            leftover['provider_name'], leftover['binding_id'] or 'unknown',
            leftover['reason'])
    return leftovers


def each(noun, names, verb, action):
    """Apply ``action`` to every name; report each failure, then fail."""
    failures = 0
    for name in names:
        try:
            action(name)
        except Exception as e:
            failures += 1
            LOG.error('Failed to %s %s "%s": %s', verb, noun, name, e)
    if failures:
        raise exceptions.CommandError('%d of %d %ss failed to %s.'
                                      % (failures, len(names), noun, verb))


USAGE_COLUMNS = ('Project', 'Resource', 'Current', 'Max', 'Average')


def add_period_options(parser):
    parser.add_argument(
        '--start', metavar='<time>',
        help='Start of the period, ISO 8601 (default: 24 hours before its '
             'end)')
    parser.add_argument(
        '--end', metavar='<time>',
        help='End of the period, ISO 8601 (default: now); at most 31 days '
             'after its start')
    parser.add_argument(
        '--total', action='store_true',
        help='Only the total of every project')


def usage_rows(usage, total=False):
    """``(columns, rows)`` of a usage answer: one row per project and
    resource class (or per resource class of the total), with the current
    amount and the period's largest and mean."""
    summaries = [('total', usage['total'])] if total else [
        (p['project_id'], p) for p in usage['projects']]
    rows = []
    for project, summary in summaries:
        period = summary['period']
        for resource in sorted(set(summary['current']) | set(period)):
            stats = period.get(resource, {})
            rows.append((project, resource,
                         summary['current'].get(resource, 0),
                         stats.get('max', ''), stats.get('average', '')))
    return USAGE_COLUMNS, rows


def period_query(parsed_args):
    return {k: getattr(parsed_args, k) for k in ('start', 'end')
            if getattr(parsed_args, k)}
