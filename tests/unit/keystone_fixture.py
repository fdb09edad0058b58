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

"""Keystone's managers in-process, on a fresh SQLite database per test.

``KeystoneTestCase`` does what Keystone's own ``keystone.tests.unit``
``TestCase`` does with its ``Database`` and ``BackendLoader`` fixtures:
configuration overrides, an in-memory database with every Keystone table,
a cache and a provider registry of its own, managers loaded through
``keystone.server.backends``. It does so without the test-only packages
those import (testtools, fixtures, python-ldap). The Mercador tables come
from Mercador's own alembic migrations, run once per process on a template
database that every test gets a copy of.

A test case names the Mercador managers it needs, which are instantiated
before Keystone's, and any cache region they use::

    class AggregatorTestCase(keystone_fixture.KeystoneTestCase):
        managers = extension.AGGREGATOR_MANAGERS
        cache_regions = (access.CACHE,)

        def config_overrides(self):
            super().config_overrides()
            self.config_fixture.config(group='mercador', publisher=False,
                                       aggregator=True)
            self.config_fixture.config(group='catalog', driver='mercador')

It reaches them, like Keystone's, as ``PROVIDERS.<name>_api``; what they
send on the notification bus is in ``self.notifications``.
"""

import contextlib
import os
import shutil
import tempfile
import unittest
import uuid

from alembic import command as alembic_command
from alembic import config as alembic_config
import flask
from oslo_context import context as oslo_context
import oslo_messaging
from oslo_messaging.notify import _impl_test as test_notifier
from pycadf import cadftaxonomy
from pycadf import resource as cadf_resource
import sqlalchemy

from keystone import assignment
from keystone import auth
from keystone import catalog
from keystone.common import cache
from keystone.common import context
from keystone.common import fernet_utils
from keystone.common import provider_api
from keystone.common import sql
from keystone.common.sql import core as sql_core
import keystone.conf
from keystone.credential.providers import fernet as credential_fernet
from keystone.identity import core as identity_core
from keystone import notifications
from keystone import receipt
from keystone.resource.backends import base as resource_base
from keystone import revoke
from keystone.server import backends
from keystone import token

# Registers the [mercador] options on Keystone's CONF.
from keystone_mercador import glue
from keystone_mercador import migrations

CONF = keystone.conf.CONF
PROVIDERS = provider_api.ProviderAPIs
MIGRATIONS = os.path.dirname(os.path.abspath(migrations.__file__))

# The regions keystone.server.backends.load_backends configures.
KEYSTONE_CACHE_REGIONS = (
    cache.CACHE_REGION,
    catalog.COMPUTED_CATALOG_REGION,
    assignment.COMPUTED_ASSIGNMENTS_REGION,
    revoke.REVOKE_REGION,
    token.provider.TOKENS_REGION,
    receipt.provider.RECEIPTS_REGION,
    identity_core.ID_MAPPING_REGION,
)

keystone.conf.configure()
keystone.conf.set_config_defaults()
sql.initialize()


def _import_keystone_models():
    # As keystone.tests.unit.ksfixtures.database does: every SQL driver
    # module, so that metadata.create_all() knows every Keystone table.
    root = os.path.dirname(os.path.abspath(keystone.__file__))
    for path, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d != 'tests']
        if path.endswith('backends') and 'sql.py' in files:
            package = os.path.relpath(path, os.path.dirname(root))
            __import__(package.replace(os.sep, '.') + '.sql')


_import_keystone_models()


def migrate(connection, revision='heads'):
    """Run Mercador's migrations on ``connection`` up to ``revision``."""
    cfg = alembic_config.Config()
    cfg.set_main_option('script_location', MIGRATIONS)
    cfg.attributes['connection'] = connection
    alembic_command.upgrade(cfg, revision)


_TEMPLATE = []


def template_database():
    """An SQLite connection to a database with every table.

    Built once per process, with Keystone's models and Mercador's
    migrations; each test starts from a copy of it.
    """
    if not _TEMPLATE:
        engine = sqlalchemy.create_engine(
            'sqlite://', poolclass=sqlalchemy.pool.StaticPool)
        sql.ModelBase.metadata.create_all(bind=engine)
        with engine.begin() as connection:
            migrate(connection)
        # Keep the engine and the pool's connection: they own the database.
        _TEMPLATE.extend([engine, engine.raw_connection()])
    return _TEMPLATE[1].driver_connection


def new_initiator(user_id=None):
    """A CADF initiator as Keystone's Flask resources build one."""
    user_id = user_id or uuid.uuid4().hex
    initiator = cadf_resource.Resource(
        typeURI=cadftaxonomy.ACCOUNT_USER, id=user_id)
    initiator.user_id = user_id
    initiator.request_id = 'req-' + str(uuid.uuid4())
    return initiator


class ConfigFixture:
    """Overrides undone at cleanup, as oslo.config's fixture does."""

    def __init__(self, conf):
        self.conf = conf
        self._overrides = []

    def config(self, group=None, **kwargs):
        for name, value in kwargs.items():
            self.conf.set_override(name, value, group=group)
            self._overrides.append((name, group))

    def cleanup(self):
        for name, group in reversed(self._overrides):
            self.conf.clear_override(name, group=group)
        self._overrides = []
        self.conf.reset()


class KeystoneTestCase(unittest.TestCase):
    """Keystone's backends and the given Mercador managers on SQLite."""

    #: Manager classes instantiated before Keystone's (whose loading locks
    #: the provider registry), as keystone_mercador.extension does.
    managers = ()
    #: Further dogpile regions the managers use; reset for every test.
    cache_regions = ()

    def setUp(self):
        super().setUp()
        self.config_fixture = ConfigFixture(CONF)
        self.addCleanup(self.config_fixture.cleanup)
        CONF(args=[], project='keystone', default_config_files=[])
        self.config_overrides()
        # Keystone keeps a request-local cache on the current context.
        self._clear_request_context()
        self.addCleanup(self._clear_request_context)

        self._setup_database()
        self._setup_cache()
        self._setup_notifications()
        self.load_backends()

    # configuration

    def _key_repository(self, group, max_active_keys):
        directory = tempfile.mkdtemp(prefix='mercador-keys-')
        self.addCleanup(shutil.rmtree, directory, ignore_errors=True)
        self.config_fixture.config(group=group, key_repository=directory)
        utils = fernet_utils.FernetUtils(directory, max_active_keys, group)
        utils.initialize_key_repository()

    def config_overrides(self):
        """Set the options of every test; extend it to change more."""
        self.config_fixture.config(group='database', connection='sqlite://')
        # Bcrypt's lowest cost: these tests check that passwords are set,
        # not how strongly they are hashed.
        self.config_fixture.config(group='identity', password_hash_rounds=4)
        self.config_fixture.config(group='catalog', driver='sql')
        self.config_fixture.config(
            group='cache', enabled=True, backend='dogpile.cache.memory')
        for group in ('fernet_tokens', 'fernet_receipts'):
            self._key_repository(group, CONF[group].max_active_keys)
        self._key_repository('credential', credential_fernet.MAX_ACTIVE_KEYS)
        self.config_fixture.config(
            group='mercador', public_auth_url='https://keystone.test/identity')

    @staticmethod
    def _clear_request_context():
        # As oslo_context.fixture.ClearRequestContext does.
        try:
            del oslo_context._request_store.context
        except AttributeError:
            pass

    # database

    def _setup_database(self):
        sql.cleanup()
        sql.enable_sqlite_foreign_key()
        # Without green threads, oslo.db's sleep(0) at every connection
        # check-in only hands the CPU to other processes.
        sql_core._get_main_context_manager().configure(thread_checkin=False)
        self.addCleanup(sql.cleanup)
        with sql.session_for_write() as session:
            self.engine = session.get_bind()
        self.addCleanup(self.engine.dispose)
        with self.engine.connect() as connection:
            template_database().backup(connection.connection.driver_connection)

    def mercador_rows(self, model):
        """Every row of a Mercador table, as dicts."""
        with glue.session_for_read() as session:
            return [r.to_dict() for r in session.query(model)]

    # cache

    def _setup_cache(self):
        # As keystone.tests.unit.ksfixtures.cache does: a new memory backend
        # per test, so no value outlives its database.
        for region in KEYSTONE_CACHE_REGIONS + tuple(self.cache_regions):
            if region.is_configured:
                del region.backend
            cache.configure_cache(region=region)

    # notifications

    def _setup_notifications(self):
        # oslo.messaging's in-memory driver keeps what Keystone sends.
        oslo_messaging.get_notification_transport(CONF, url='fake://')
        self.config_fixture.config(
            group='oslo_messaging_notifications', driver=['test'],
            transport_url='fake://')
        notifications.reset_notifier()
        test_notifier.reset()
        self.addCleanup(notifications.reset_notifier)
        self.addCleanup(notifications.clear_subscribers)

    @property
    def notifications(self):
        """``[(event_type, payload)]`` sent on the bus, oldest first."""
        return [(message['event_type'], message['payload'])
                for _ctxt, message, _priority, _retry
                in test_notifier.NOTIFICATIONS]

    def clear_notifications(self):
        test_notifier.reset()

    # requests

    @contextlib.contextmanager
    def make_request(self, path='/', **kwargs):
        """A Flask request context, for Keystone code that reads one.

        As ``keystone.tests.unit.core.TestCase.make_request``.
        """
        environ = {context.REQUEST_CONTEXT_ENV: context.RequestContext(
            authenticated=True, **kwargs)}
        app = flask.Flask(__name__)
        with app.test_request_context(path=path, environ_overrides=environ):
            yield

    # managers

    def load_backends(self):
        PROVIDERS._clear_registry_instances()
        self.addCleanup(PROVIDERS._clear_registry_instances)
        auth.core.AUTH_METHODS.clear()
        auth.core.AUTH_PLUGINS_LOADED = False
        for manager in self.managers:
            manager()
        backends.load_backends()
        self._bootstrap()

    def _bootstrap(self):
        # What Keystone's migrations and "keystone-manage bootstrap" leave in
        # a new database: the root of all domains, the default domain, the
        # default roles.
        PROVIDERS.resource_api.create_domain(
            resource_base.NULL_DOMAIN_ID,
            {'id': resource_base.NULL_DOMAIN_ID,
             'name': resource_base.NULL_DOMAIN_ID, 'enabled': True})
        PROVIDERS.resource_api.create_domain(
            CONF.identity.default_domain_id,
            {'id': CONF.identity.default_domain_id, 'name': 'Default',
             'enabled': True})
        self.roles = {}
        for name in ('reader', 'member', 'manager', 'admin', 'service'):
            role_id = uuid.uuid4().hex
            self.roles[name] = PROVIDERS.role_api.create_role(
                role_id, {'id': role_id, 'name': name})
