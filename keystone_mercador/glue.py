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

import contextlib
import functools
import json
import re
import threading

from oslo_cache import core as oslo_cache
from oslo_db import exception as db_exception
from oslo_log import log
import sqlalchemy

from keystone.api import validation
from keystone.assignment import core as assignment_core
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
from keystone.common.sql import core as sql_core
from keystone.common import utils
import keystone.conf
from keystone.credential.providers import fernet as credential_fernet
from keystone import exception
from keystone import notifications
from keystone.revoke import core as revoke_core
from keystone.server import backends
from keystone.server.flask import application as flask_application
from keystone.server.flask import common as ks_flask
from keystone.server.flask import core as flask_core
import werkzeug.exceptions

from keystone_mercador import conf as mercador_conf

CONF = keystone.conf.CONF
LOG = log.getLogger(__name__)
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
# For an error raised before the handler (and its enforcement) runs.
set_unenforced_ok = ks_flask.set_unenforced_ok
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
ModelDictMixin = sql.ModelDictMixin
JsonBlob = sql.JsonBlob
DBDuplicateEntry = db_exception.DBDuplicateEntry

# What Keystone sends on the notification bus while a Mercador transaction
# is open in this thread: [(context, event_type, payload)], or None.
_deferred = threading.local()


def _in_transaction():
    """Whether this thread is inside an oslo.db transaction already."""
    scopes = getattr(sql_core._get_context(), '_enginefacade_context', None)
    return getattr(scopes, 'current', None) is not None


class _DeferringNotifier:
    """Keeps the messages Keystone sends until the transaction ends."""

    def __init__(self, queue):
        self._queue = queue

    def info(self, context, event_type, payload):
        self._queue.append((context, event_type, payload))


_keystone_get_notifier = notifications._get_notifier


def _get_notifier():
    notifier = _keystone_get_notifier()
    queue = getattr(_deferred, 'queue', None)
    if notifier and queue is not None:
        return _DeferringNotifier(queue)
    return notifier


_keystone_notify_event_callbacks = notifications.notify_event_callbacks


def _notify_event_callbacks(service, resource_type, operation, payload):
    # Every change a Keystone manager notifies comes through here, also
    # when it is opted out of the bus: the transaction changed Keystone.
    if getattr(_deferred, 'queue', None) is not None:
        _deferred.touched = True
    return _keystone_notify_event_callbacks(service, resource_type,
                                            operation, payload)


# Keystone looks both up on every notification it sends.
notifications._get_notifier = _get_notifier
notifications.notify_event_callbacks = _notify_event_callbacks


def _send(queue):
    notifier = _keystone_get_notifier()
    if not notifier:
        return
    for context, event_type, payload in queue:
        try:
            notifier.info(context, event_type, payload)
        except Exception:
            # As Keystone does: a notification never fails the request.
            LOG.exception('Failed to send %s notification', event_type)


def _forget(queue):
    """A transaction that changed Keystone objects rolled back.

    Keystone's managers may have cached what they created or read in it;
    its caches are dropped (in every Keystone process, the invalidation is
    shared through the cache backend) and its notifications never sent.
    """
    LOG.info('Transaction rolled back: %d Keystone notification(s) '
             'dropped, Keystone caches invalidated.', len(queue))
    for region in (ks_cache.CACHE_REGION,
                   catalog_core.COMPUTED_CATALOG_REGION,
                   assignment_core.COMPUTED_ASSIGNMENTS_REGION):
        if region.is_configured:
            region.invalidate()


@contextlib.contextmanager
def session_for_write():
    """A write session on Keystone's database.

    Nested calls join the outermost transaction, so that Mercador rows and
    the Keystone objects changed through Keystone's managers commit or roll
    back together. What Keystone notifies in the meantime (``created``,
    ``updated``, ... of its own objects) is sent only once that transaction
    has committed; on a rollback it is dropped and Keystone's caches, which
    its managers filled as they went, are invalidated. Inside a transaction
    that is not Mercador's (a Keystone callback), it simply joins it.
    """
    if getattr(_deferred, 'queue', None) is not None or _in_transaction():
        with sql.session_for_write() as session:
            yield session
        return
    queue = _deferred.queue = []
    _deferred.touched = False
    try:
        with sql.session_for_write() as session:
            yield session
    except BaseException:
        _deferred.queue = None
        if _deferred.touched:
            _forget(queue)
        raise
    _deferred.queue = None
    _send(queue)


def create_keystone_object(conflict_type, create, *args):
    """Call a Keystone manager's ``create(*args)`` in the current write
    session and flush it there.

    Inside an enclosing transaction Keystone's driver only adds the row,
    so its ``handle_conflicts`` never sees a duplicate, which the commit
    raises later as a raw database error (an HTTP 500). Flushed here, a
    duplicate is the Conflict (409) ``handle_conflicts`` makes of it.
    """
    @sql.handle_conflicts(conflict_type=conflict_type)
    def flushed(_create, *args):
        with session_for_write() as session:
            ref = _create(*args)
            session.flush()
            return ref

    return flushed(create, *args)


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
CredentialEncryptionError = exception.CredentialEncryptionError


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


# Called after every change ``invalidate_catalog`` is told about.
_catalog_listeners = []


def invalidate_catalog():
    """Drop every cached computed catalog (entitlements or bound regions
    changed), and tell ``on_catalog_invalidated``'s callbacks."""
    catalog_core.COMPUTED_CATALOG_REGION.invalidate()
    for callback in _catalog_listeners:
        callback()


def on_catalog_invalidated(callback):
    """Call ``callback()`` after each ``invalidate_catalog``."""
    if callback not in _catalog_listeners:
        _catalog_listeners.append(callback)


# Called after Keystone persisted a revocation event.
_revocation_listeners = []
_keystone_revoke = revoke_core.Manager.revoke


def _revoke(self, event):
    _keystone_revoke(self, event)
    for callback in _revocation_listeners:
        callback()


# Keystone has no notification for its revocation events (a token revoked
# with DELETE /v3/auth/tokens, a user's or project's tokens revoked when it
# is deleted or disabled, a password changed, ...): every one of them goes
# through the revoke manager's ``revoke``.
revoke_core.Manager.revoke = _revoke


def on_token_revocation(callback):
    """Call ``callback()`` after Keystone revokes tokens: each revocation
    event it persists, and each time it drops its token cache for another
    reason (role assignments changed, a user disabled, ...)."""
    if callback in _revocation_listeners:
        return
    _revocation_listeners.append(callback)

    def handler(service, resource_type, operation, payload):
        callback()
    notifications.register_event_callback(
        notifications.ACTIONS.internal, notifications.INVALIDATE_TOKEN_CACHE,
        handler)


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


def primary_key_hash():
    """The ``key_hash`` that ``encrypt`` gives now: the hash of the primary
    key of Keystone's credential key repository."""
    _crypto, keys = credential_fernet.get_multi_fernet_keys()
    return credential_fernet.primary_key_hash(keys)


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


def create_plain_cache_region():
    """A dogpile region on Keystone's [cache] configuration whose keys are
    stored as oslo.cache stores them anywhere (Keystone's own regions add
    their invalidation state to every key): another program on the same
    backend, the Mercador proxy, reads them. Configure it with
    ``configure_plain_cache_region`` once the configuration is loaded."""
    return oslo_cache.create_region()


def configure_plain_cache_region(region):
    if not region.is_configured:
        oslo_cache.configure_cache_region(CONF, region)


def validate_token(token_id):
    """``{user_id, project_id, expires_at}`` of a valid token; raises
    Unauthorized/NotFound as Keystone's own token API does."""
    token = PROVIDERS.token_provider_api.validate_token(token_id)
    return {'user_id': token.user_id, 'project_id': token.project_id,
            'expires_at': token.expires_at}
