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

"""Fresh databases on the local MariaDB / PostgreSQL servers.

``MERCADOR_TEST_DB`` picks the backend of the functional suites: ``sqlite``
(default, always available), ``mysql`` or ``postgresql``. Server URLs may be
overridden with ``MERCADOR_TEST_MYSQL_URL`` / ``MERCADOR_TEST_POSTGRESQL_URL``
(an URL of an account that may create databases).
"""

import os
import uuid

import sqlalchemy as sa

SERVERS = {
    'mysql': os.environ.get('MERCADOR_TEST_MYSQL_URL',
                            'mysql+pymysql://root@127.0.0.1:3306/'),
    'postgresql': os.environ.get(
        'MERCADOR_TEST_POSTGRESQL_URL',
        'postgresql+psycopg2://postgres@127.0.0.1:5432/postgres'),
}


def backend():
    return os.environ.get('MERCADOR_TEST_DB', 'sqlite')


#: The Redis database a suite gets, per backend: the suites of several
#: backends may run at once (``make test`` does), and each empties its own.
REDIS_DBS = {'revocation': {'sqlite': 13, 'mysql': 11, 'postgresql': 9},
             'topology': {'sqlite': 12, 'mysql': 10, 'postgresql': 8}}


def redis_url(suite):
    """The local Redis URL of ``suite`` under the current backend."""
    return 'redis://127.0.0.1:6379/%d' % REDIS_DBS[suite][backend()]


def unavailable_reason(kind):
    """None if ``kind`` can be used here, else why not."""
    if kind == 'sqlite':
        return None
    try:
        engine = sa.create_engine(SERVERS[kind])
        with engine.connect():
            pass
        engine.dispose()
    except Exception as e:  # any driver or connection error
        return '%s server not reachable at %s: %s' % (
            kind, SERVERS[kind], str(e).splitlines()[0])
    return None


def create(kind):
    """Create an empty database; return its SQLAlchemy URL."""
    if kind == 'sqlite':
        return None
    name = 'mercador_%s' % uuid.uuid4().hex[:12]
    engine = sa.create_engine(SERVERS[kind], isolation_level='AUTOCOMMIT')
    with engine.connect() as conn:
        if kind == 'mysql':
            conn.execute(sa.text(
                'CREATE DATABASE %s CHARACTER SET utf8mb4' % name))
        else:
            conn.execute(sa.text('CREATE DATABASE %s' % name))
    engine.dispose()
    url = sa.engine.make_url(SERVERS[kind]).set(database=name)
    if kind == 'mysql':
        url = url.update_query_dict({'charset': 'utf8mb4'})
    return url.render_as_string(hide_password=False)


def drop(kind, url):
    if kind == 'sqlite' or not url:
        return
    name = sa.engine.make_url(url).database
    engine = sa.create_engine(SERVERS[kind], isolation_level='AUTOCOMMIT')
    with engine.connect() as conn:
        if kind == 'postgresql':
            conn.execute(sa.text(
                'SELECT pg_terminate_backend(pid) FROM pg_stat_activity '
                'WHERE datname = :n'), {'n': name})
        conn.execute(sa.text('DROP DATABASE IF EXISTS %s' % name))
    engine.dispose()
