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

import flask
from werkzeug import exceptions as http_exceptions
from werkzeug import routing

from keystone_mercador import exception
from keystone_mercador import glue
from keystone_mercador.i18n import _

METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']
_UNKNOWN = 'os_mercador_unknown'


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


def register(app):
    """Any other path or method under /v3/OS-MERCADOR answers a JSON 404
    or 405 rather than Flask's HTML page (not advertised in JSON Home)."""
    app.add_url_rule('/v3/OS-MERCADOR/<path:path>', _UNKNOWN, _unknown,
                     methods=METHODS)
