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

"""Routes shared by both sides of OS-MERCADOR."""

import re

import flask
from werkzeug import exceptions as http_exceptions
from werkzeug import routing

from keystone_mercador import exception
from keystone_mercador import glue
from keystone_mercador.i18n import _

METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']
_UNKNOWN = 'os_mercador_unknown'
PREFIX = '/v3/OS-MERCADOR/'

#: Characters beyond the Basic Multilingual Plane (four bytes in UTF-8,
#: emoji among them) and lone surrogates: no column of Keystone's database
#: can hold them on MySQL, whose ``utf8`` has three bytes a character
#: (Keystone makes the whole database ``utf8``, Mercador's tables too).
_UNSTORABLE = re.compile(r'[\ud800-\udfff\U00010000-\U0010ffff]')


def _served_rules(app):
    """The OS-MERCADOR routes without the catch-all, matched on their own
    (built once: Flask takes no new route after the first request)."""
    served = app.extensions.get('mercador_routes')
    if served is None:
        served = routing.Map([
            rule.empty() for rule in app.url_map.iter_rules()
            if rule.rule.startswith('/v3/OS-MERCADOR/')
            and rule.endpoint != _UNKNOWN])
        app.extensions['mercador_routes'] = served
    return served


def _unknown(path):
    adapter = _served_rules(flask.current_app).bind('')
    try:
        adapter.match('/v3/OS-MERCADOR/' + path, flask.request.method)
    except http_exceptions.MethodNotAllowed as e:
        allowed = sorted(e.valid_methods)
        response = glue.error_response(exception.MethodNotAllowed(
            method=flask.request.method, allowed=allowed))
        response.headers['Allow'] = ', '.join(allowed)
        return response
    except http_exceptions.HTTPException:
        pass
    raise glue.NotFound(
        _('No OS-MERCADOR resource at /v3/OS-MERCADOR/%s.') % path)


def _unstorable(value, where=()):
    """Where in ``value`` (a JSON document) a string or a key has a
    character no column can hold, as the keys leading there; None if
    nowhere."""
    if isinstance(value, str):
        return where if _UNSTORABLE.search(value) else None
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        if isinstance(key, str) and _UNSTORABLE.search(key):
            return where
        found = _unstorable(item, where + (key,))
        if found is not None:
            return found
    return None


def _invalid(where):
    return exception.InvalidInput(reason=_(
        'Invalid input for %s: characters beyond the Basic Multilingual '
        'Plane (such as emoji) are not supported.') % where)


def _refusal():
    """Why the request is refused, or None."""
    request = flask.request
    if _UNSTORABLE.search(request.path):
        return glue.NotFound(_('No OS-MERCADOR resource at that path: it '
                               'has characters no identifier may have.'))
    for key, value in request.args.items(multi=True):
        if _UNSTORABLE.search(key):
            return _invalid('the query')
        if _UNSTORABLE.search(value):
            return _invalid(key)
    where = _unstorable(request.get_json(silent=True, force=True))
    if where is not None:
        return _invalid('/'.join(str(p) for p in where) or 'request body')
    return None


def _refuse_unstorable():
    """An ordinary 404 or 400, before any query, for a request whose path,
    query or body has characters no column can hold: no object can have
    such an ID or name, and MySQL would refuse to compare them with one
    (the same on every backend)."""
    if not flask.request.path.startswith(PREFIX):
        return
    error = _refusal()
    if error is not None:
        # Refused before the handler enforces its policy, as Keystone's
        # own check of a request's JSON body is.
        glue.set_unenforced_ok()
        raise error


def register(app):
    """Any other path or method under /v3/OS-MERCADOR answers a JSON 404
    or 405 rather than Flask's HTML page (not advertised in JSON Home);
    values no column can hold answer a 404 or 400 (not a 500)."""
    app.before_request(_refuse_unstorable)
    app.add_url_rule(PREFIX + '<path:path>', _UNKNOWN, _unknown,
                     methods=METHODS)
