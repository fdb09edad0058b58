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

"""The one place where Mercador touches Keystone internals.

Keystone has no stable plug-in interface for new REST APIs, so everything the
extension needs from Keystone (application factory, provider registry, RBAC
enforcer, Flask base classes, SQL session, notifications, exceptions) is
imported here and nowhere else. A Keystone upgrade should touch this file
only; the supported range is pinned in pyproject.toml.
"""

import functools
import json

import re

import sqlalchemy

from keystone.api import validation
from keystone.catalog.backends import sql as catalog_sql
from keystone.catalog import core as catalog_core
from keystone.common import cache as ks_cache
from keystone.common import driver_hints
from keystone.common import json_home
from keystone.common import manager
from keystone.common import provider_api
from keystone.common import rbac_enforcer
from keystone.common.rbac_enforcer import enforcer as _enforcer_module
from keystone.common import sql
from keystone.common import utils
import keystone.conf
from keystone import exception
from keystone import notifications
from keystone.server import backends
from keystone.server.flask import application as flask_application
from keystone.server.flask import common as ks_flask
from keystone.server.flask import core as flask_core
import werkzeug.exceptions

from keystone_mercador import conf as mercador_conf

CONF = keystone.conf.CONF
mercador_conf.register_opts(CONF)

PROVIDERS = provider_api.ProviderAPIs
ENFORCER = rbac_enforcer.RBACEnforcer

# HTTP layer
ResourceBase = ks_flask.ResourceBase
APIBase = ks_flask.APIBase
construct_resource_map = ks_flask.construct_resource_map
base_url = ks_flask.base_url
request_body_schema = validation.request_body_schema
request_query_schema = validation.request_query_schema
# A page's limit for ``ResourceBase.wrap_collection``, which then sets the
# collection's ``links.next``.
Hints = driver_hints.Hints

# Business layer
Manager = manager.Manager
Audit = notifications.Audit
hash_password = utils.hash_password

# Catalog: the SQL driver Mercador's catalog driver extends, its models.
CatalogDriver = catalog_sql.Catalog
CatalogEndpoint = catalog_sql.Endpoint
CatalogService = catalog_sql.Service
format_url = utils.format_url
MalformedEndpoint = exception.MalformedEndpoint
RegionDeletionError = exception.RegionDeletionError

# Storage layer
session_for_read = sql.session_for_read
session_for_write = sql.session_for_write
ModelDictMixin = sql.ModelDictMixin
JsonBlob = sql.JsonBlob

# Errors: only subclasses of keystone.exception.Error are rendered as JSON
# errors by Keystone's Flask application.
Error = exception.Error
ValidationError = exception.ValidationError
SchemaValidationError = exception.SchemaValidationError
NotFound = exception.NotFound
Conflict = exception.Conflict
Forbidden = exception.Forbidden
ForbiddenAction = exception.ForbiddenAction
Unauthorized = exception.Unauthorized
ProjectNotFound = exception.ProjectNotFound
RegionNotFound = exception.RegionNotFound
EndpointNotFound = exception.EndpointNotFound
ServiceNotFound = exception.ServiceNotFound
DomainNotFound = exception.DomainNotFound
RoleNotFound = exception.RoleNotFound
UserNotFound = exception.UserNotFound


def extension_relation(resource_name):
    return json_home.build_v3_extension_resource_relation(
        'OS-MERCADOR', '1.0', resource_name
    )


def extension_parameter(parameter_name):
    return json_home.build_v3_extension_parameter_relation(
        'OS-MERCADOR', '1.0', parameter_name
    )


def resource_maps(entries):
    """Resource maps for ``(resource, url, json-home rel)`` triples; the
    path variables of each URL become OS-MERCADOR parameter relations."""
    maps = []
    for resource, url, rel in entries:
        names = re.findall(r'<(?:[^<>:]*:)?(\w+)>', url)
        maps.append(ks_flask.construct_resource_map(
            resource=resource, url=url, resource_kwargs={}, rel=rel,
            path_vars={n: extension_parameter(n) for n in names} or None,
            resource_relation_func=extension_relation))
    return maps


def register_policies(rules):
    """Make Keystone's RBAC enforcer know the given policy rules.

    Keystone only accepts action names it collected at import time and
    registers its defaults when it lazily builds its oslo.policy enforcer, so
    the rules are added to both, and any enforcer already built is dropped.
    """
    names = {r.name for r in rules}
    _enforcer_module._POSSIBLE_TARGET_ACTIONS = frozenset(
        _enforcer_module._POSSIBLE_TARGET_ACTIONS | names
    )
    original = ENFORCER.register_rules
    if getattr(original, '_mercador', False):
        return

    def register_rules(enforcer):
        original(enforcer)
        enforcer.register_defaults(rules)

    register_rules._mercador = True
    ENFORCER.register_rules = staticmethod(register_rules)
    ENFORCER()._reset()


def _json_error(error):
    if isinstance(error, werkzeug.exceptions.HTTPException):
        return error
    if not isinstance(error, exception.Error):
        # As Keystone's app does: a TypeError (e.g. a path argument the
        # method does not take) is a 400, anything else a JSON 500.
        return flask_application._handle_unknown_keystone_exception(error)
    return flask_application._handle_keystone_exception(error)


def error_response(error):
    """A Keystone error rendered as Keystone renders it (JSON)."""
    return flask_application._handle_keystone_exception(error)


def register_api(app, api):
    """Mount an APIBase on Keystone's app; any error in it renders as a
    Keystone JSON error, never as the WSGI server's HTML page."""
    inst = api()
    inst.blueprint.register_error_handler(Exception, _json_error)
    app.register_blueprint(inst.blueprint)
    return inst


def initialize_application(name, post_log_configured_function):
    """Build Keystone's own WSGI application, configured like Keystone."""
    return flask_core.initialize_application(
        name=name,
        post_log_configured_function=post_log_configured_function,
        config_files=flask_core._get_config_files(),
    )


def configure(config_files):
    """Load keystone.conf for a command-line tool (no WSGI application)."""
    keystone.conf.configure()
    sql.initialize()
    CONF([], project='keystone', default_config_files=config_files)


def load_backends(*managers):
    """Load Keystone's managers (and ``managers`` first) for a
    command-line tool that works through them."""
    for manager_class in managers:
        manager_class()
    backends.load_backends()


def create_engine():
    """An engine on Keystone's database, for migrations."""
    return sqlalchemy.create_engine(CONF.database.connection)


def current_project_id():
    """The project ID of the caller's token, or None."""
    return ENFORCER._get_oslo_req_context().project_id


def invalidate_catalog():
    """Drop every cached computed catalog (entitlements changed)."""
    catalog_core.COMPUTED_CATALOG_REGION.invalidate()


def on_deleted(resource_type, callback):
    """Call ``callback(resource_id)`` after Keystone deletes a resource."""
    def handler(service, resource_type, operation, payload):
        callback(payload['resource_info'])
    notifications.register_event_callback(
        notifications.ACTIONS.deleted, resource_type, handler)


def encrypt(plaintext):
    """Encrypt with Keystone's credential keys; return ``(blob, key_hash)``.

    ``keystone-manage credential_setup`` must have been run.
    """
    blob, key_hash = PROVIDERS.credential_provider_api.encrypt(plaintext)
    return blob.decode('ascii'), key_hash


def decrypt(blob):
    return PROVIDERS.credential_provider_api.decrypt(blob)


def filter_view(app, endpoint, transform):
    """Post-process the JSON body of one of Keystone's own views.

    ``transform(body)`` returns the body to send, or raises a Keystone
    error. Keystone's regions API has no hook to hide regions from callers.
    """
    view = app.view_functions[endpoint]

    # wraps() keeps view_class, which Keystone's enforcer looks up.
    @functools.wraps(view)
    def filtered(*args, **kwargs):
        response = app.make_response(view(*args, **kwargs))
        if response.status_code != 200 or not response.is_json:
            return response
        response.set_data(json.dumps(transform(response.get_json())))
        return response

    app.view_functions[endpoint] = filtered


def create_cache_region(name):
    """A dogpile region on Keystone's [cache] configuration (shared by all
    Keystone processes when the backend is shared). Configure it with
    ``configure_cache_region`` once the configuration is loaded."""
    return ks_cache.create_region(name=name)


def configure_cache_region(region):
    ks_cache.configure_cache(region=region)


def validate_token(token_id):
    """``{user_id, project_id, expires_at}`` of a valid token; raises
    Unauthorized/NotFound as Keystone's own token API does."""
    token = PROVIDERS.token_provider_api.validate_token(token_id)
    return {'user_id': token.user_id, 'project_id': token.project_id,
            'expires_at': token.expires_at}
