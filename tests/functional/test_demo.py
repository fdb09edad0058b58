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

"""``make demo`` as a script uses it: ``python -m harness`` with
``MERCADOR_DEMO_DIR``, started twice (the second start reuses the state of
the first), with the provider's compute; and ``--chain`` without it."""

import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time

import pytest
import requests
import sqlalchemy as sa

from harness import compute
from harness import servers
from tests.functional import databases

OPENSTACK = os.path.join(os.path.dirname(sys.executable), 'openstack')

pytestmark = pytest.mark.skipif(
    databases.backend() != 'sqlite',
    reason='the demo runs on SQLite only; it is tested in the SQLite run')


def _start(state_dir, timeout=900, args=()):
    """Run the demo until READY; return (process, seconds to READY)."""
    env = dict(os.environ, MERCADOR_DEMO_DIR=str(state_dir),
               PYTHONWARNINGS='ignore')
    started = time.monotonic()
    # From the checkout, as make does.
    process = subprocess.Popen(
        [sys.executable, '-m', 'harness'] + list(args), env=env,
        cwd=servers.ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = []
    for line in process.stdout:
        output.append(line)
        if line.strip() == 'READY':
            return process, time.monotonic() - started, output
        if time.monotonic() - started > timeout:
            break
    process.kill()
    process.wait()
    pytest.fail('the demo did not print READY:\n' + ''.join(output))


def _stop(process):
    process.send_signal(signal.SIGINT)
    try:
        process.wait(120)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail('the demo did not stop on SIGINT')
    assert process.returncode == 0


def _listening(port):
    with socket.socket() as s:
        s.settimeout(2)
        return s.connect_ex(('127.0.0.1', port)) == 0


def _env(info):
    env = dict(os.environ, OS_CLIENT_CONFIG_FILE=info['clouds_yaml'],
               PYTHONWARNINGS='ignore')
    for key in list(env):
        if key.startswith('OS_') and key != 'OS_CLIENT_CONFIG_FILE':
            del env[key]
    return env


def _check(state_dir):
    with open(state_dir / 'demo.json') as f:
        info = json.load(f)
    for key in ('clouds_yaml', 'bound_region', 'aggregator_horizon',
                'provider_horizon'):
        assert info[key], key
    assert info['clouds_yaml'] == str(state_dir / 'clouds.yaml')

    env = _env(info)
    out = subprocess.run([OPENSTACK, '--os-cloud', 'mercador-tenant',
                          'region', 'list', '-f', 'json'], env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert info['bound_region'] in [r['Region'] for r in
                                    json.loads(out.stdout)]
    # The bound region's usage: the aggregator asks the provider, which
    # reads Placement (it validates at the provider Keystone's replica).
    out = subprocess.run([OPENSTACK, '--os-cloud', 'mercador-aggregator',
                          'bound', 'region', 'usage', info['bound_region'],
                          '--total', '-f', 'json'], env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr

    for horizon in (info['provider_horizon'], info['aggregator_horizon']):
        r = requests.get(horizon + '/auth/login/', timeout=60)
        assert r.status_code == 200, (horizon, r.status_code)
    return info


def _tries(output):
    """The ``openstack`` commands of the printed "Try:" lines, as
    argument lists."""
    text = ''.join(output).replace('\\\n', ' ')
    return [shlex.split(line)[1:] for line in text.splitlines()
            if line.strip().startswith('openstack ')]


def _openstack(env, args, timeout=300):
    out = subprocess.run([OPENSTACK] + args, env=env, capture_output=True,
                         text=True, timeout=timeout)
    assert out.returncode == 0, (args, out.stdout, out.stderr)
    return out.stdout


def _check_compute(info, output):
    """Run the printed compute lines as they are (a network, its subnet, a
    server booted with --wait, a volume); the tenant sees both, through
    the proxy only."""
    env = _env(info)
    tries = [args for args in _tries(output) if 'create' in args]
    assert [args[args.index('create') - 1] for args in tries] == [
        'network', 'subnet', 'server', 'volume'], tries
    for args in tries:
        _openstack(env, args)
    region = ['--os-cloud', 'mercador-tenant', '--os-region-name',
              info['bound_region']]
    server = json.loads(_openstack(env, region + [
        'server', 'show', 'demo-server', '-f', 'json']))
    assert server['status'] == 'ACTIVE', server
    assert 'demo-net' in json.dumps(server['addresses'])
    volume = json.loads(_openstack(env, region + [
        'volume', 'show', 'demo-volume', '-f', 'json']))
    assert volume['status'] in ('creating', 'available'), volume
    endpoints = _openstack(env, region + ['catalog', 'list', '-f', 'json'])
    for port in (info['ports'][kind] for kind in ('nova', 'neutron',
                                                  'cinder')):
        assert not re.search(r':%d\b' % port, endpoints), endpoints


def _compute_gone(info):
    """The stack's databases and RabbitMQ vhost are dropped."""
    engine = sa.create_engine(compute.MARIADB_URL)
    try:
        with engine.connect() as conn:
            names = {row[0] for row in conn.execute(
                sa.text('SHOW DATABASES'))}
    finally:
        engine.dispose()
    assert not names & set(info['compute_databases'])
    vhosts = subprocess.run([compute.RABBITMQCTL, 'list_vhosts', '-q'],
                            capture_output=True, text=True, timeout=60,
                            check=True).stdout.split()
    assert info['compute_vhost'] not in vhosts


def test_demo_starts_again_faster_and_stops_clean(tmp_path):
    """Twice, with the provider's compute: a server boots each time."""
    reason = compute.unavailable_reason()
    if reason:
        pytest.skip(reason)
    state_dir = tmp_path / 'demo'
    timings = []
    for run in ('first', 'second'):
        process, seconds, output = _start(state_dir)
        timings.append(seconds)
        try:
            info = _check(state_dir)
            assert info['compute'], ''.join(output)
            _check_compute(info, output)
        finally:
            _stop(process)
        ports = info['ports'].values()
        assert ports
        assert [p for p in ports if _listening(p)] == [], run
        _compute_gone(info)
    first, second = timings
    print('demo up in %.0f s, then in %.0f s' % (first, second))
    assert second < first


def test_chain_demo(tmp_path):
    """make demo CHAIN=1 COMPUTE=0: the second-tier tenant, in the same
    clouds.yaml, finds the provider's image in EU-1 through both proxies;
    no compute is started or offered."""
    state_dir = tmp_path / 'chain'
    process, seconds, output = _start(state_dir,
                                      args=['--chain', '--no-compute'])
    try:
        info = _check(state_dir)
        assert info['chain'] and info['second_region'] == 'EU-1'
        assert not info['compute'] and not info['compute_missing']
        assert not [args for args in _tries(output) if 'server' in args]
        env = _env(info)
        out = subprocess.run(
            [OPENSTACK, '--os-cloud', 'mercador-second-tenant',
             '--os-region-name', 'EU-1', 'image', 'list', '-f', 'json'],
            env=env, capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        assert 'demo-image' in [i['Name'] for i in json.loads(out.stdout)]
    finally:
        _stop(process)
    assert [p for p in info['ports'].values() if _listening(p)] == []
    print('chain demo up in %.0f s' % seconds)
