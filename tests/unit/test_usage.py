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

"""Usage: the period and the figures, the samples' driver, bound regions'
metadata."""

import datetime
import uuid

import jsonschema
import pytest

from keystone_mercador.aggregator import schema as aggregator_schema
from keystone_mercador.common import usage
from keystone_mercador import exception
from keystone_mercador.publisher import schema as publisher_schema
from tests.unit import test_aggregator_driver
from tests.unit import test_publisher_driver

NOW = datetime.datetime(2026, 12, 2, 12, 0, 0)


def _at(minutes):
    return NOW + datetime.timedelta(minutes=minutes)


def test_period_defaults_to_the_last_24_hours():
    assert usage.period({}, now=NOW) == (NOW - datetime.timedelta(days=1),
                                         NOW)
    start, end = usage.period({'end': '2026-11-01T10:00:00+01:00'})
    assert (start, end) == (datetime.datetime(2026, 10, 31, 9, 0),
                            datetime.datetime(2026, 11, 1, 9, 0))
    assert usage.period({'start': '2026-12-01T00:00'}, now=NOW)[0] == \
        datetime.datetime(2026, 12, 1)


@pytest.mark.parametrize('query', [
    {'start': '2026-12-02T12:00:00Z', 'end': '2026-12-02T12:00:00Z'},
    {'start': '2026-12-03T00:00:00Z', 'end': '2026-12-02T00:00:00Z'},
    {'start': '2026-10-01T00:00:00Z', 'end': '2026-11-01T00:00:01Z'},
    {'start': '2026-02-30T00:00:00Z'},
    # What the schema's pattern lets through (Python's $).
    {'start': '2026-12-02T00:00:00Z\n'},
])
def test_bad_periods(query):
    with pytest.raises(exception.InvalidInput):
        usage.period(query, now=NOW)


def test_31_days_is_the_longest_period():
    start, end = usage.period({'start': '2026-10-01T00:00:00Z',
                               'end': '2026-11-01T00:00:00Z'})
    assert end - start == usage.MAX_PERIOD


@pytest.mark.parametrize('schema', [
    publisher_schema.binding_usage_query,
    aggregator_schema.bound_region_usage_query])
def test_usage_queries_are_strict(schema):
    def valid(query):
        return jsonschema.Draft4Validator(schema).is_valid(query)
    assert valid({'start': '2026-12-01T00:00', 'end': '2026-12-02T00:00:00Z',
                  'project_id': 'p'})
    assert valid({'end': '2026-12-02T00:00:00.123456+01:00'})
    for bad in ({'start': 'yesterday'}, {'end': '2026-12-02'},
                {'project_id': ''}, {'limit': '1'}):
        assert not valid(bad), bad


def test_summary_max_and_mean_of_the_samples():
    samples = [{'sampled_at': _at(0), 'usages': {'VCPU': 2}},
               {'sampled_at': _at(5), 'usages': {'VCPU': 4,
                                                 'MEMORY_MB': 512}}]
    summary = usage.summary({'VCPU': 4, 'MEMORY_MB': 512}, samples)
    # A class missing from a sample was not in use then.
    assert summary['period'] == {'MEMORY_MB': {'max': 512, 'average': 256},
                                 'VCPU': {'max': 4, 'average': 3}}
    assert summary['samples'] == [
        {'sampled_at': '2026-12-02T12:00:00Z', 'usages': {'VCPU': 2}},
        {'sampled_at': '2026-12-02T12:05:00Z',
         'usages': {'VCPU': 4, 'MEMORY_MB': 512}}]
    assert usage.summary({}, []) == {'current': {}, 'period': {},
                                     'samples': []}


def test_total_adds_the_projects_sampled_together():
    samples = [{'project_id': 'a', 'sampled_at': _at(0),
                'usages': {'VCPU': 2}},
               {'project_id': 'b', 'sampled_at': _at(0),
                'usages': {'VCPU': 1, 'DISK_GB': 10}},
               {'project_id': 'a', 'sampled_at': _at(5),
                'usages': {'VCPU': 4}}]
    total = usage.total([{'VCPU': 4}, {'VCPU': 1, 'DISK_GB': 10}], samples)
    assert total['current'] == {'DISK_GB': 10, 'VCPU': 5}
    assert [s['usages'] for s in total['samples']] == [
        {'DISK_GB': 10, 'VCPU': 3}, {'VCPU': 4}]
    assert total['period'] == {'DISK_GB': {'max': 10, 'average': 5},
                               'VCPU': {'max': 4, 'average': 3.5}}


class UsageSampleTests(test_publisher_driver.PublisherDriverTestCase):

    def setUp(self):
        super().setUp()
        self.binding = self.create_binding()
        self.projects = [self.create_binding_project(self.binding)['id']
                         for _ in range(2)]

    def test_samples_are_listed_by_period_and_project(self):
        a, b = self.projects
        self.driver.create_usage_samples(
            self.binding['id'], {a: {'VCPU': 1}, b: {}}, _at(0))
        self.driver.create_usage_samples(
            self.binding['id'], {a: {'VCPU': 2}}, _at(10))

        listed = self.driver.list_usage_samples(self.binding['id'], _at(0),
                                                _at(10))
        # Oldest first.
        self.assertEqual([_at(0), _at(0), _at(10)],
                         [s['sampled_at'] for s in listed])
        self.assertEqual(
            sorted([(a, _at(0), {'VCPU': 1}), (b, _at(0), {}),
                    (a, _at(10), {'VCPU': 2})], key=str),
            sorted([(s['project_id'], s['sampled_at'], s['usages'])
                    for s in listed], key=str))
        self.assertEqual([{'VCPU': 2}], [
            s['usages'] for s in self.driver.list_usage_samples(
                self.binding['id'], _at(1), _at(20), project_id=a)])
        self.assertEqual({a: _at(10), b: _at(0)},
                         self.driver.last_sampled_at(self.binding['id']))
        self.assertEqual({}, self.driver.last_sampled_at(uuid.uuid4().hex))

    def test_samples_go_with_their_project_and_binding(self):
        a, b = self.projects
        self.driver.create_usage_samples(
            self.binding['id'], {a: {'VCPU': 1}, b: {'VCPU': 2}}, _at(0))
        self.driver.delete_binding_project(self.binding['id'], a)
        self.assertEqual({b: _at(0)},
                         self.driver.last_sampled_at(self.binding['id']))
        self.driver.delete_binding(self.binding['id'])
        self.assertEqual({}, self.driver.last_sampled_at(self.binding['id']))


class BoundRegionMetadataTests(
        test_aggregator_driver.AggregatorDriverTestCase):

    def test_metadata_is_kept_and_defaults_to_empty(self):
        metadata = {'country': 'FR', 'compliance': ['gdpr']}
        ref = self.create_bound_region(metadata=metadata)
        self.assertEqual(metadata, ref['metadata'])
        self.assertEqual(metadata, self.driver.get_bound_region(
            ref['id'])['metadata'])
        ref = self.driver.update_bound_region(ref['id'], {
            'metadata': {'country': 'DE'}})
        self.assertEqual({'country': 'DE'}, ref['metadata'])
        # Rows bound before metadata was kept.
        old = self.create_bound_region(metadata=None)
        self.assertEqual({}, self.driver.get_bound_region(
            old['id'])['metadata'])
