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

"""The benchmarks' results page renders from a small fake result set."""

import pytest

from benchmarks import report
from benchmarks import stats


def _results():
    return {
        'meta': {'command': 'make bench', 'date': '2030-01-01 00:00 UTC',
                 'environment': {'CPUs': 2}},
        'figures': [
            stats.figure('proxy', 'GET /v2/images latency', 'proxy',
                         'Glance directly', [0.012, 0.011, 0.013],
                         [0.010, 0.010, 0.010]),
            stats.figure('proxy', 'download throughput', 'proxy',
                         'Glance directly', [300, 320], [400, 400],
                         unit='MiB/s', scale=1.0, better='higher',
                         target=0.5, note='a note'),
            stats.figure('scale', 'token validate, 1,000 regions',
                         'Mercador', 'Mercador, 1 region', [0.05, 0.07],
                         [0.04, 0.04], target=1.2),
        ],
        'series': {'scale-validate': {
            'section': 'scale', 'title': 'validate', 'xlabel': 'regions',
            'ylabel': 'ms', 'lines': {'stock': [[1, 40], [1000, 300]]}}},
        'notes': {'scale': ['Rows written with SQL.']},
    }


def test_ratios_and_targets():
    figures = _results()['figures']
    assert figures[0]['ratios'] == pytest.approx([1.2, 1.1, 1.3])
    assert stats.meets(figures[0]) is None
    assert stats.meets(figures[1]) is True
    assert stats.meets(figures[2]) is False


def test_interleave_alternates_and_counts():
    calls = []
    times = stats.interleave({'a': lambda: calls.append('a'),
                              'b': lambda: calls.append('b')},
                             rounds=3, batch=2, warmup=1)
    assert calls == ['a', 'b'] + ['a', 'a', 'b', 'b', 'b', 'b', 'a', 'a',
                                  'a', 'a', 'b', 'b']
    assert [len(v) for v in times.values()] == [3, 3]


def test_page_without_plots(tmp_path):
    path = report.write(_results(), str(tmp_path), plots=False)
    text = open(path).read()
    assert 'Glance directly' in text
    assert '**1.20**' in text and '1.10–1.30' in text
    assert '≥ 0.50 (met)' in text
    assert '≤ 1.20 (missed)' in text
    assert 'Rows written with SQL.' in text
    assert '.. image::' not in text
    assert (tmp_path / 'results.json').exists()

    docutils_core = pytest.importorskip('docutils.core')
    docutils_core.publish_doctree(text, settings_overrides={
        'halt_level': 2, 'report_level': 2})


def test_page_with_plots(tmp_path):
    pytest.importorskip('matplotlib', reason='the bench extra is not '
                        'installed')
    path = report.write(_results(), str(tmp_path))
    text = open(path).read()
    for name in ('ratios-proxy.png', 'ratios-scale.png',
                 'scale-validate.png'):
        assert '.. image:: %s' % name in text
        assert (tmp_path / name).stat().st_size > 0


def _topology(invariants='all held'):
    return {
        'topology': '2 aggregator Keystones', 'command': 'make bench',
        'date': '2030-01-01 00:00 UTC', 'threads': 4, 'duration_s': 20.0,
        'timeout': '30 s', 'requests': 400, 'requests_per_s': 20.0,
        'ok': 396, 'errors': {'lb-502': 3, 'connection': 1},
        'latency_ms': {'p50': 120.0, 'p99': 2500.0, 'max': 4000.0},
        'faults': [{'server': 'aggregator-a', 'killed_at': 4.0,
                    'restarted_at': 7.0, 'ready_at': 15.0,
                    'served_after': 40}],
        'images': {'created': 50, 'uploaded': 49, 'downloaded': 49},
        'binds': {'active': 3},
        'operations': {'proxy: list images': {
            'requests': 60, 'errors': {'lb-502': 3}, 'p50_ms': 80.0,
            'p99_ms': 900.0}},
        'invariants': invariants,
    }


def test_topology_section(tmp_path):
    results = dict(_results(), topology=_topology())
    text = open(report.write(results, str(tmp_path), plots=False)).read()
    section = text[text.index('Topology under faults'):]
    assert '400 (20.0/s)' in section
    assert 'connection: 1, lb-502: 3' in section
    assert '120 ms / 2500 ms / 4000 ms' in section
    assert 'aggregator-a killed (SIGKILL) at 4 s' in section
    assert '   * - proxy: list images' in section
    assert 'all held' in section

    results['topology'] = _topology({'check_audit': ['audit: exit 1']})
    text = open(report.write(results, str(tmp_path), plots=False)).read()
    assert 'NOT all held: check_audit: audit: exit 1' in text

    docutils_core = pytest.importorskip('docutils.core')
    docutils_core.publish_doctree(text, settings_overrides={
        'halt_level': 2, 'report_level': 2})
