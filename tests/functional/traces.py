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

"""What a provider keeps, as text: its databases and its logs, searched
for what the aggregator's tenants must not leave there."""

import os

import sqlalchemy as sa


def db_text(url):
    """Every row of every table of the database at ``url``."""
    engine = sa.create_engine(url)
    chunks = []
    try:
        with engine.connect() as conn:
            meta = sa.MetaData()
            meta.reflect(conn)
            for table in meta.sorted_tables:
                for row in conn.execute(table.select()):
                    chunks.append(repr(tuple(row)))
    finally:
        engine.dispose()
    return '\n'.join(chunks)


def logs(*directories):
    """``{path: text}`` of the logs under ``directories``."""
    stores = {}
    for directory in directories:
        for root, _, files in os.walk(directory):
            for name in files:
                if '.log' in name:
                    path = os.path.join(root, name)
                    with open(path, errors='replace') as f:
                        stores[path] = f.read()
    return stores


def provider_stores(keystone, glance, placement):
    """The logs and databases of a provider's Keystone, Glance and
    Placement (``harness.servers``; Glance and Placement on SQLite)."""
    stores = logs(keystone.dir, glance.dir, placement.dir)
    stores.update({
        'provider keystone db': db_text(keystone.database_url),
        'glance db': db_text('sqlite:///%s/glance.db' % glance.dir),
        'placement db': db_text(
            'sqlite:///%s/placement.db' % placement.dir)})
    return stores


def tenant_secrets(tenant):
    """What names a tenant ``(name, project, user)`` of the aggregator."""
    name, project, user = tenant
    return {name, project['name'], project['id'], user['id']}


def assert_absent(secrets, stores):
    for where, text in stores.items():
        for secret in secrets:
            assert secret not in text, '%s found in %s' % (secret, where)
