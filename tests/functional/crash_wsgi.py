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

"""Keystone with the extension that kills itself where a test says, for
the crash-point tests only (never shipped: it lives with the tests).

A test arms a server by writing ``crash.json`` in its directory
(``OS_KEYSTONE_CONFIG_DIR``, which no API can write to): a list of
``{"method": ..., "path": <regex>, "point": ...}``. The first request that
matches an entry takes it out of the file (so the restarted process, and
every request after, runs normally), appends it with this process's ID to
``crash-fired.json``, and then, by point:

- ``on_arrival``: the process SIGKILLs itself before Keystone sees the
  request (nothing was done);
- ``before_reply``: Keystone handles the request to the end (its
  transaction committed), then the process SIGKILLs itself before a byte
  of the answer is sent (the caller never hears);
- ``error_reply``: Keystone handles the request, and the caller gets a
  500 instead of its answer (a provider that fails after it acted);
- any other point is one of ``[mercador] fault_injection``
  (keystone_mercador.conf): it is set for this request only, and
  ``keystone_mercador.aggregator.binding.fault`` SIGKILLs the process
  there.
"""

import fcntl
import json
import os
import re
import signal
import sys

from keystone_mercador import glue
from keystone_mercador import wsgi

ARMED = 'crash.json'
FIRED = 'crash-fired.json'
ERROR = (b'{"error": {"code": 500, "title": "Internal Server Error", '
         b'"message": "Injected failure."}}')

_keystone = wsgi.application


def _directory():
    return os.environ['OS_KEYSTONE_CONFIG_DIR']


def _take(environ):
    """The point of the first armed entry this request matches, taken out
    of the file; None if there is none."""
    armed_path = os.path.join(_directory(), ARMED)
    if not os.path.exists(armed_path):
        return None
    # Several workers may serve one server.
    with open(os.path.join(_directory(), 'crash.lock'), 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            with open(armed_path) as f:
                armed = json.load(f)
        except FileNotFoundError:
            return None
        for index, entry in enumerate(armed):
            if (entry['method'] == environ['REQUEST_METHOD'] and
                    re.fullmatch(entry['path'], environ['PATH_INFO'])):
                break
        else:
            return None
        del armed[index]
        if armed:
            with open(armed_path + '.new', 'w') as f:
                json.dump(armed, f)
            os.replace(armed_path + '.new', armed_path)
        else:
            os.remove(armed_path)
        fired_path = os.path.join(_directory(), FIRED)
        fired = []
        if os.path.exists(fired_path):
            with open(fired_path) as f:
                fired = json.load(f)
        fired.append(dict(entry, pid=os.getpid()))
        with open(fired_path, 'w') as f:
            json.dump(fired, f)
    return entry['point']


def _die(point):
    sys.stderr.write('Crash point %s: killing process %d.\n'
                     % (point, os.getpid()))
    sys.stderr.flush()
    os.kill(os.getpid(), signal.SIGKILL)


def _handle(environ):
    """Run Keystone on the request to the end; return its answer."""
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer.update(status=status, headers=headers)
        return lambda data: None

    body = _keystone(environ, start_response)
    try:
        answer['body'] = b''.join(body)
    finally:
        if hasattr(body, 'close'):
            body.close()
    return answer


def application(environ, start_response):
    point = _take(environ)
    if point is None:
        return _keystone(environ, start_response)
    if point == 'on_arrival':
        _die(point)
    if point == 'before_reply':
        _handle(environ)
        _die(point)
    if point == 'error_reply':
        _handle(environ)
        start_response('500 Internal Server Error', [
            ('Content-Type', 'application/json'),
            ('Content-Length', str(len(ERROR)))])
        return [ERROR]
    glue.CONF.set_override('fault_injection', [point], group='mercador')
    try:
        answer = _handle(environ)
    finally:
        glue.CONF.clear_override('fault_injection', group='mercador')
    start_response(answer['status'], answer['headers'])
    return [answer['body']]
