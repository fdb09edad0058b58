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

"""The topology operators run, under a bounded load with crashes.

The run of tests/functional/test_topology.py (``tests.functional.topology``),
shorter: two aggregator Keystones with two gunicorn workers each on one
MariaDB database, two proxy processes, a Redis cache and HAProxy in front
of both; four client threads; an aggregator Keystone and a proxy killed
with SIGKILL and started again meanwhile. Not a ratio: the page shows what
clients saw (requests, errors by kind, latencies) and whether the
invariants the test asserts held.
"""

import datetime
import os

from tests.functional import topology

#: Seconds of load: the test runs 40.
DURATION = 20


def run(base, results, command, duration=DURATION, log=print):
    reason = topology.unavailable_reason()
    if reason:
        log('topology: skipped: %s' % reason)
        results['notes'].setdefault('topology', []).append(
            'Not run: %s.' % reason)
        return
    directory = os.path.join(base, 'topology')
    os.makedirs(directory, exist_ok=True)
    data, problems = topology.run(directory, threads=4, duration=duration,
                                  log=log)
    data['command'] = command
    data['date'] = datetime.datetime.now(datetime.timezone.utc).strftime(
        '%Y-%m-%d %H:%M UTC')
    results['topology'] = data
    log('topology: %d requests, errors %s, p50 %.0f ms, p99 %.0f ms, '
        'invariants: %s' % (
            data['requests'], data['errors'] or 'none',
            data['latency_ms']['p50'], data['latency_ms']['p99'],
            'all held' if not problems else ', '.join(problems)))
