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

"""Run the benchmark suite and write the results page.

    python -m benchmarks [--quick] [--image-size MIB] [--only SECTION ...]

Starts its own servers (on free loopback ports, in a temporary directory)
and stops them when done. Writes doc/source/benchmarks/results.rst, its
PNG plots and results.json (the raw figures); ``--render`` rewrites the
page from an existing results.json without measuring anything.
"""

import argparse
import datetime
import json
import os
import platform
import sys
import tempfile
import time

from benchmarks import report

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUTPUT = os.path.join(ROOT, 'doc', 'source', 'benchmarks')
SECTIONS = ('proxy', 'chain', 'keystone', 'scale', 'horizon', 'binding',
            'mariadb', 'topology')
#: What the 'mariadb' section runs again on MariaDB with a Redis cache.
MULTI_PROCESS = ('keystone', 'scale', 'horizon')


def _log(message):
    print('[%s] %s' % (time.strftime('%H:%M:%S'), message), flush=True)


def _versions():
    from importlib import metadata
    found = {}
    for name in ('keystone', 'glance', 'gunicorn', 'SQLAlchemy'):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return ', '.join('%s %s' % item for item in found.items())


def _unavailable():
    """Why the MariaDB and Redis runs cannot happen here, or None."""
    from tests.functional import databases
    reason = databases.unavailable_reason('mysql')
    if reason:
        return reason
    try:
        from benchmarks import keystone
        import redis
        redis.Redis.from_url(keystone.REDIS_URL).ping()
    except Exception as exc:  # any client or connection error
        return 'Redis not reachable: %s' % exc
    return None


def _multi_process(base, results, args, clouds, horizon_template):
    from benchmarks import keystone
    sections = set(MULTI_PROCESS) & set(args.only)
    if horizon_template is None:
        sections.discard('horizon')
    sections = sections or set(MULTI_PROCESS) - {'horizon'}
    reason = _unavailable()
    if reason:
        _log('mariadb: skipped: %s' % reason)
        results['notes'].setdefault('keystone-mariadb', []).append(
            'Not run: %s.' % reason)
        return
    _log('mariadb: the same runs on MariaDB with a Redis cache')
    keystone.run(base, results, sections, quick=args.quick, log=_log,
                 database='mysql', clouds=clouds,
                 horizon_template=horizon_template)
    results['meta']['environment']['database'] += (
        '; the *MariaDB and Redis* sections: MariaDB %s, Redis %s, two '
        'gunicorn workers per Keystone' % _server_versions())


def _server_versions():
    from benchmarks import keystone
    import redis
    import sqlalchemy as sa
    from tests.functional import databases
    engine = sa.create_engine(databases.SERVERS['mysql'])
    with engine.connect() as conn:
        mariadb = conn.execute(sa.text('SELECT VERSION()')).scalar()
    engine.dispose()
    info = redis.Redis.from_url(keystone.REDIS_URL).info('server')
    return mariadb, info.get('redis_version')


def main(argv=None):
    parser = argparse.ArgumentParser(prog='python -m benchmarks',
                                     description=__doc__.split('\n')[0])
    parser.add_argument('--only', nargs='+', choices=SECTIONS,
                        default=list(SECTIONS),
                        help='run these sections only')
    parser.add_argument('--image-size', type=int, default=1024,
                        metavar='MIB', help='image size of the proxy '
                        'transfers (default: 1024 MiB)')
    parser.add_argument('--quick', action='store_true',
                        help='fewer rounds and a 64 MiB image: a smoke run')
    parser.add_argument('--output', default=OUTPUT,
                        help='directory of the results page')
    parser.add_argument('--render', action='store_true',
                        help='only rewrite the page from results.json')
    args = parser.parse_args(argv)

    if args.render:
        with open(os.path.join(args.output, 'results.json')) as f:
            results = json.load(f)
        _log('wrote %s' % report.write(results, args.output))
        return 0

    given = list(sys.argv[1:] if argv is None else argv)
    if os.environ.get('MERCADOR_BENCH_MAKE'):
        command = 'make bench' + (
            ' BENCH_ARGS="%s"' % ' '.join(given) if given else '')
    else:
        command = ' '.join(['python -m benchmarks'] + given)
    rounds = 3 if args.quick else 7
    image_size = (64 if args.quick else args.image_size) * 1024 * 1024
    results = {
        'meta': {
            'command': command,
            'date': datetime.datetime.now(datetime.timezone.utc).strftime(
                '%Y-%m-%d %H:%M UTC'),
            'environment': {
                'CPUs': os.cpu_count(),
                'Python': platform.python_version(),
                'versions': _versions(),
                'database': 'SQLite (the embedded default), no shared '
                            'cache',
            },
        },
        'figures': [], 'series': {}, 'notes': {},
    }
    started = time.monotonic()
    from benchmarks import clouds as clouds_mod
    from benchmarks import horizon
    from benchmarks import keystone
    from benchmarks import stats
    only = set(args.only)
    keystone_sections = only & {'keystone', 'scale', 'horizon'}
    # The topology section starts servers of its own.
    shared = only - {'topology'}
    with tempfile.TemporaryDirectory(prefix='mercador-bench-') as base:
        if shared:
            _log('starting the provider, the aggregator and the proxy')
        clouds = clouds_mod.Clouds(base)
        try:
            # Set-up only, while nothing is measured.
            tasks = [clouds.start] if shared else []
            if keystone_sections:
                _log('setting up stock and Mercador Keystones')
                tasks.append(lambda: keystone.templates(base))
            if 'horizon' in only:
                _log('setting up a Horizon')
                tasks.append(lambda: horizon.setup_template(base))
            done = stats.parallel(*tasks) if tasks else []
            prepared = done[1] if keystone_sections else None
            horizon_template = done[-1] if 'horizon' in only else None
            if 'proxy' in only:
                from benchmarks import proxy
                proxy.run(clouds, results, rounds=rounds,
                          transfer_rounds=2 if args.quick else 3,
                          image_size=image_size, log=_log)
            if 'chain' in only:
                from benchmarks import chain
                chain.run(clouds, results, rounds=rounds,
                          transfer_rounds=2 if args.quick else 3,
                          image_size=image_size, log=_log)
            if 'binding' in only:
                from benchmarks import binding
                binding.run(clouds, results,
                            rounds=3 if args.quick else 5, log=_log)
            if keystone_sections:
                keystone.run(base, results, keystone_sections,
                             quick=args.quick, log=_log, prepared=prepared,
                             clouds=clouds,
                             horizon_template=horizon_template)
            if 'mariadb' in only:
                _multi_process(base, results, args, clouds,
                               horizon_template)
        finally:
            clouds.stop()
        if 'topology' in only:
            from benchmarks import topology
            topology.run(base, results, command, log=_log)
    elapsed = time.monotonic() - started
    results['meta']['environment']['duration'] = '%.0f s' % elapsed
    _log('wrote %s' % report.write(results, args.output))
    return 0


if __name__ == '__main__':
    sys.exit(main())
