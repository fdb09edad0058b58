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

"""Timing, interleaving and the few statistics the results page shows.

Every figure is a ratio against a baseline measured in the same run: each
round times the subject and its baseline back to back (in alternating
order), and the page shows the median and the spread of the per-round
ratios, so that noise from other work on the machine cancels out as much
as it can.
"""

from concurrent import futures
import os
import statistics
import threading
import time


def parallel(*funcs):
    """Call the functions in threads (server set-ups are mostly waiting
    on child processes); return their results, re-raising any error."""
    with futures.ThreadPoolExecutor(len(funcs)) as pool:
        return [f.result() for f in [pool.submit(func) for func in funcs]]


def median(values):
    return statistics.median(values) if values else float('nan')


def spread(values):
    """(min, max) of the values."""
    return (min(values), max(values)) if values else (float('nan'),) * 2


def timed(func, *args, **kwargs):
    """Seconds taken by one call."""
    start = time.perf_counter()
    func(*args, **kwargs)
    return time.perf_counter() - start


def interleave(cases, rounds, batch=1, warmup=1):
    """Time each of ``cases`` (name -> callable) ``batch`` times per round,
    alternating their order from one round to the next.

    Returns name -> list of per-round medians, in seconds.
    """
    names = list(cases)
    for name in names:
        for _ in range(warmup):
            cases[name]()
    results = {name: [] for name in names}
    for index in range(rounds):
        order = names if index % 2 == 0 else names[::-1]
        for name in order:
            results[name].append(median(
                [timed(cases[name]) for _ in range(batch)]))
    return results


def figure(section, name, subject, baseline, subject_values,
           baseline_values, unit='ms', scale=1000.0, better='lower',
           target=None, note=None):
    """One line of the results table.

    ``subject_values`` and ``baseline_values`` are per-round measurements
    of the same rounds; the ratio of each round is subject / baseline.
    ``target`` is the highest (``better='lower'``) or lowest
    (``better='higher'``) acceptable median ratio, or None.
    """
    subject_values = [v * scale for v in subject_values]
    baseline_values = [v * scale for v in baseline_values]
    return {
        'section': section, 'name': name, 'subject': subject,
        'baseline': baseline, 'unit': unit, 'better': better,
        'subject_values': subject_values,
        'baseline_values': baseline_values,
        'ratios': [s / b for s, b in zip(subject_values, baseline_values)],
        'target': target, 'note': note,
    }


def meets(fig):
    """True, False, or None when the figure has no target."""
    if fig.get('target') is None:
        return None
    value = median(fig['ratios'])
    if fig['better'] == 'higher':
        return value >= fig['target']
    return value <= fig['target']


def children(pid):
    """PIDs of the direct children of ``pid`` (gunicorn's workers)."""
    found = []
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % entry) as f:
                fields = f.read().rsplit(')', 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry))
    return sorted(found)


def memory(pid):
    """(VmRSS, VmHWM) of a process in bytes, or None if it is gone."""
    values = {}
    try:
        with open('/proc/%d/status' % pid) as f:
            for line in f:
                key, _, rest = line.partition(':')
                if key in ('VmRSS', 'VmHWM'):
                    values[key] = int(rest.split()[0]) * 1024
    except OSError:
        return None
    return values.get('VmRSS', 0), values.get('VmHWM', 0)


class RSSSampler:
    """Samples the RSS of some processes in a thread while in use.

    ``peak`` is the highest RSS of any one of them seen meanwhile;
    ``samples`` the (seconds since start, largest RSS) pairs.
    """

    def __init__(self, pids, interval=0.05):
        self.pids = list(pids)
        self.interval = interval
        self.samples = []
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def current(self):
        return max((memory(p) or (0, 0))[0] for p in self.pids)

    def _run(self):
        start = time.perf_counter()
        while not self._stop.is_set():
            rss = self.current()
            self.peak = max(self.peak, rss)
            self.samples.append((time.perf_counter() - start, rss))
            self._stop.wait(self.interval)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.current())
