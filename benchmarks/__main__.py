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
SECTIONS = ('proxy', 'keystone', 'scale', 'binding')


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
    from benchmarks import keystone
    from benchmarks import stats
    with tempfile.TemporaryDirectory(prefix='mercador-bench-') as base:
        prepared = None
        with_keystone = 'keystone' in args.only or 'scale' in args.only
        if 'proxy' in args.only or 'binding' in args.only:
            _log('starting the provider, the aggregator and the proxy')
            clouds = clouds_mod.Clouds(base)
            try:
                if with_keystone:
                    # Set-up only, while nothing is measured.
                    _log('setting up stock and Mercador Keystones')
                    prepared = stats.parallel(
                        clouds.start,
                        lambda: keystone.templates(base))[1]
                else:
                    clouds.start()
                if 'proxy' in args.only:
                    from benchmarks import proxy
                    proxy.run(clouds, results, rounds=rounds,
                              transfer_rounds=2 if args.quick else 3,
                              image_size=image_size, log=_log)
                if 'binding' in args.only:
                    from benchmarks import binding
                    binding.run(clouds, results,
                                rounds=3 if args.quick else 5, log=_log)
            finally:
                clouds.stop()
        if with_keystone:
            keystone.run(base, results, args.only, quick=args.quick,
                         log=_log, prepared=prepared)
    elapsed = time.monotonic() - started
    results['meta']['environment']['duration'] = '%.0f s' % elapsed
    _log('wrote %s' % report.write(results, args.output))
    return 0


if __name__ == '__main__':
    sys.exit(main())
