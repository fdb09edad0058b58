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

"""What the usage routes of both sides share: the period, the shape.

A usage answer holds, per project and in total, the ``current`` usage
(``{resource class: amount}``), the ``samples`` stored in the period and,
per resource class, the ``period`` ``max`` and ``average`` of those
samples (their plain mean: samples are taken at a regular interval).
"""

import datetime

from oslo_utils import timeutils

from keystone_mercador import exception
from keystone_mercador.i18n import _

DEFAULT_PERIOD = datetime.timedelta(hours=24)
MAX_PERIOD = datetime.timedelta(days=31)


def _parse(name, text):
    try:
        # The schema's pattern ends with $, which Python lets match before
        # a final newline.
        if text != text.strip():
            raise ValueError(text)
        when = timeutils.parse_isotime(text)
    except ValueError:
        raise exception.InvalidInput(
            reason=_('%s is not a valid ISO 8601 time.') % name)
    return timeutils.normalize_time(when)


def period(args, now=None):
    """``(start, end)`` (naive UTC) of a query's ``start`` and ``end``:
    by default the 24 hours up to now; at most 31 days."""
    end = _parse('end', args['end']) if args.get('end') else (
        now or timeutils.utcnow())
    start = _parse('start', args['start']) if args.get('start') else (
        end - DEFAULT_PERIOD)
    if start >= end:
        raise exception.InvalidInput(reason=_('start must be before end.'))
    if end - start > MAX_PERIOD:
        raise exception.InvalidInput(
            reason=_('A usage period is at most %d days.') % MAX_PERIOD.days)
    return start, end


def isotime(when):
    return when.strftime('%Y-%m-%dT%H:%M:%SZ')


def _statistics(samples):
    by_class = {}
    for sample in samples:
        for resource, amount in sample['usages'].items():
            by_class.setdefault(resource, []).append(amount)
    # A class missing from a sample was not in use then (Placement leaves
    # out what a project does not use): it counts as 0 in the average.
    return {resource: {'max': max(amounts),
                       'average': sum(amounts) / len(samples)}
            for resource, amounts in sorted(by_class.items())}


def summary(current, samples):
    """``{current, period, samples}`` of one project or of a total;
    ``samples`` are dicts with a datetime ``sampled_at`` and ``usages``."""
    return {'current': current,
            'period': _statistics(samples),
            'samples': [{'sampled_at': isotime(s['sampled_at']),
                         'usages': s['usages']} for s in samples]}


def add(usages):
    """The sum of several ``{resource class: amount}``."""
    total = {}
    for usage in usages:
        for resource, amount in usage.items():
            total[resource] = total.get(resource, 0) + amount
    return dict(sorted(total.items()))


def total(current, samples):
    """The total of several projects: current usages added, and one
    sample per sampling time adding the projects sampled then."""
    at = {}
    for sample in samples:
        at.setdefault(sample['sampled_at'], []).append(sample['usages'])
    return summary(add(current), [
        {'sampled_at': when, 'usages': add(usages)}
        for when, usages in sorted(at.items())])
