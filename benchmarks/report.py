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

"""The results page (reStructuredText) and its plots (PNG).

``write(results, directory)`` renders what a run measured; it is also run
by a unit test on a small fake result set, so that it keeps working.
"""

import json
import os

from benchmarks import stats

SECTIONS = {
    'proxy': 'Proxy against direct calls to the provider',
    'chain': 'Two hops against one (service chaining)',
    'keystone': 'Keystone with the extension against stock Keystone',
    'scale': 'Bound regions at scale',
    'binding': 'Bind and unbind against their floor',
    'horizon': 'Horizon pages with 1 and 1,000 bound regions',
    'keystone-mariadb': 'Keystone with the extension against stock '
                        'Keystone: MariaDB and Redis',
    'scale-mariadb': 'Bound regions at scale: MariaDB and Redis',
    'horizon-mariadb': 'Horizon pages with 1 and 1,000 bound regions: '
                       'MariaDB and Redis',
    'topology': 'Topology under faults',
}


def _title(text, char):
    return [text, char * len(text), '']


def _number(value):
    if value != value:  # NaN
        return 'n/a'
    if abs(value) >= 100:
        return '%.0f' % value
    if abs(value) >= 10:
        return '%.1f' % value
    return '%.2f' % value


def _target(fig):
    if fig.get('target') is None:
        return ''
    sign = '≥' if fig['better'] == 'higher' else '≤'
    met = stats.meets(fig)
    return '%s %s (%s)' % (sign, _number(fig['target']),
                           'met' if met else 'missed')


def _table(figures):
    lines = ['.. list-table::', '   :header-rows: 1',
             '   :widths: 30 20 12 12 10 14 6 12', '',
             '   * - Figure', '     - Baseline', '     - Baseline median',
             '     - Subject median', '     - Ratio (median)',
             '     - Ratio spread (min–max)', '     - Runs',
             '     - Target']
    for fig in figures:
        low, high = stats.spread(fig['ratios'])
        unit = fig['unit']
        lines += [
            '   * - %s (%s)' % (fig['name'], fig['subject']),
            '     - %s' % fig['baseline'],
            '     - %s %s' % (_number(stats.median(fig['baseline_values'])),
                              unit),
            '     - %s %s' % (_number(stats.median(fig['subject_values'])),
                              unit),
            '     - **%s**' % _number(stats.median(fig['ratios'])),
            '     - %s–%s' % (_number(low), _number(high)),
            '     - %d' % len(fig['ratios']),
            '     - %s' % _target(fig),
        ]
    return lines + ['']


def _ms(value):
    return '%s ms' % _number(value)


def _topology(data):
    """The topology run (``benchmarks.topology``): what clients saw."""
    errors = ', '.join('%s: %d' % item for item in sorted(
        data['errors'].items())) or 'none'
    faults = '; '.join(
        '%s killed (SIGKILL) at %.0f s, started again %.0f s later, '
        'answering again at %.0f s, then served %d requests' % (
            f['server'], f['killed_at'], f['restarted_at'] - f['killed_at'],
            f['ready_at'], f.get('served_after', 0))
        for f in data['faults']) or 'none'
    invariants = data['invariants']
    if not isinstance(invariants, str):
        invariants = 'NOT all held: ' + '; '.join(
            '%s: %s' % (check, ' | '.join(found))
            for check, found in sorted(invariants.items()))
    latency = data['latency_ms']
    lines = ['%s. Measured by ``%s`` on %s: the scenario of '
             'tests/functional/test_topology.py.' % (
                 data['topology'], data.get('command', 'make bench'),
                 data.get('date', 'n/a')), '',
             '.. list-table::', '   :header-rows: 1', '',
             '   * - Figure', '     - Value']
    for name, value in (
            ('Client threads × duration', '%d × %.0f s' % (
                data['threads'], data['duration_s'])),
            ('Requests (per second)', '%d (%s/s)' % (
                data['requests'], _number(data['requests_per_s']))),
            ('Succeeded', '%d' % data['ok']),
            ('Errors by kind', errors),
            ('Latency p50 / p99 / max', '%s / %s / %s' % (
                _ms(latency['p50']), _ms(latency['p99']),
                _ms(latency['max']))),
            ('Faults', faults),
            ('Images created / uploaded / downloaded', '%d / %d / %d' % (
                data['images']['created'], data['images']['uploaded'],
                data['images']['downloaded'])),
            ('Bind cycles by outcome', ', '.join(
                '%s: %d' % item for item in sorted(data['binds'].items()))
             or 'none'),
            ('Invariants', invariants)):
        lines += ['   * - %s' % name, '     - %s' % value]
    lines += ['', 'Errors by kind: ``lb-<status>`` is HAProxy\'s own answer '
              '(no server could answer), ``json-<status>`` a JSON error of a '
              'service, ``connection`` a connection closed or cut; anything '
              'else (an HTML 500, a timeout past %s) breaks an invariant. '
              'Invariants: every request answered clearly and in time, '
              'errors only within seconds of a kill, every server serving '
              'again, no write applied twice (images, binds, the provider '
              'projects and users made on first use), and '
              '``mercador-manage audit`` clean.' % data.get(
                  'timeout', '30 s'), '',
              '.. list-table::', '   :header-rows: 1',
              '   :widths: 40 10 30 10 10', '',
              '   * - Operation', '     - Requests', '     - Errors',
              '     - p50', '     - p99']
    for op, fig in sorted(data['operations'].items()):
        lines += ['   * - %s' % op, '     - %d' % fig['requests'],
                  '     - %s' % (', '.join('%s: %d' % item for item in sorted(
                      fig['errors'].items())) or '0'),
                  '     - %s' % _ms(fig['p50_ms']),
                  '     - %s' % _ms(fig['p99_ms'])]
    return lines + ['']


def _plot_ratios(section, figures, path):
    from matplotlib import pyplot

    height = 1.2 + 0.45 * len(figures)
    fig, ax = pyplot.subplots(figsize=(9, height))
    labels = ['%s (%s)' % (f['name'], f['subject']) for f in figures]
    ax.boxplot([f['ratios'] for f in figures], vert=False, whis=(0, 100))
    ax.set_yticks(range(1, len(figures) + 1), labels, fontsize=8)
    ax.axvline(1.0, color='grey', linestyle=':')
    for index, f in enumerate(figures, 1):
        if f.get('target') is not None:
            ax.plot([f['target']] * 2, [index - 0.4, index + 0.4],
                    color='red', linewidth=1)
    ax.invert_yaxis()
    ax.set_xlabel('ratio to the baseline (1.0 = same as the baseline; '
                  'red: target)')
    ax.set_title(SECTIONS.get(section, section), fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    pyplot.close(fig)


def _plot_series(series, path):
    """A line plot: ``series`` has title, xlabel, ylabel and lines (label
    -> list of [x, y])."""
    from matplotlib import pyplot

    fig, ax = pyplot.subplots(figsize=(8, 4))
    for label, points in series['lines'].items():
        ax.plot([p[0] for p in points], [p[1] for p in points],
                marker='o' if len(points) < 20 else None, label=label)
    if series.get('xscale'):
        ax.set_xscale(series['xscale'])
    ax.set_xlabel(series['xlabel'])
    ax.set_ylabel(series['ylabel'])
    ax.set_title(series['title'], fontsize=10)
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    pyplot.close(fig)


def write(results, directory, plots=True):
    """Write results.rst (and, with ``plots``, its PNG files) and
    results.json into ``directory``; return the page's path."""
    os.makedirs(directory, exist_ok=True)
    meta = results.get('meta', {})
    lines = [':orphan:', ''] if meta.get('orphan') else []
    lines += _title('Benchmark results', '=')
    lines += [
        'Generated by ``%s`` on %s.' % (
            meta.get('command', 'make bench'), meta.get('date', 'n/a')),
        '',
        'Every figure is a ratio, subject / baseline, of medians measured '
        'in the same rounds: each round times the subject and its baseline '
        'back to back, alternating which goes first. The ratio column is '
        'the median of the per-round ratios and the spread their minimum '
        'and maximum. Times: lower is better; throughputs: higher is better.'
        ' Absolute values depend on the machine and on what else runs on '
        'it; the ratios are the figures to compare.', '']
    if meta.get('environment'):
        lines += _title('Environment', '-')
        for key, value in meta['environment'].items():
            lines.append('- %s: %s' % (key, value))
        lines.append('')
    by_section = {}
    for fig in results.get('figures', []):
        by_section.setdefault(fig['section'], []).append(fig)
    series = results.get('series', {})
    notes = results.get('notes', {})
    for section in list(SECTIONS) + sorted(set(by_section) - set(SECTIONS)):
        figures = by_section.get(section)
        section_series = {k: v for k, v in series.items()
                          if v.get('section') == section}
        topology = results.get('topology') if section == 'topology' else None
        if not figures and not notes.get(section) and not topology:
            continue
        lines += _title(SECTIONS.get(section, section), '-')
        for note in notes.get(section, []):
            lines += [note, '']
        if topology:
            lines += _topology(topology)
        if figures:
            lines += _table(figures)
            for fig in figures:
                if fig.get('note'):
                    lines += ['- %s (%s): %s' % (fig['name'], fig['subject'],
                                                 fig['note'])]
            if any(fig.get('note') for fig in figures):
                lines.append('')
            if plots:
                name = 'ratios-%s.png' % section
                _plot_ratios(section, figures, os.path.join(directory, name))
                lines += ['.. image:: %s' % name,
                          '   :alt: ratios of %s' % section, '']
        if plots:
            for key, value in sorted(section_series.items()):
                name = '%s.png' % key
                _plot_series(value, os.path.join(directory, name))
                lines += ['.. image:: %s' % name,
                          '   :alt: %s' % value['title'], '']
    path = os.path.join(directory, 'results.rst')
    with open(path, 'w') as f:
        f.write('\n'.join(lines).rstrip('\n') + '\n')
    with open(os.path.join(directory, 'results.json'), 'w') as f:
        json.dump(results, f, indent=1, sort_keys=True)
    return path
