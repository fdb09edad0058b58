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

from alembic import context

from keystone_mercador import models

VERSION_TABLE = 'mercador_alembic_version'


def run_migrations_online():
    connection = context.config.attributes['connection']
    context.configure(
        connection=connection,
        target_metadata=models.Base.metadata,
        version_table=VERSION_TABLE,
        # Keystone's own tables share the database: compare ours only.
        include_name=lambda name, type_, parent: (
            type_ != 'table' or name.startswith('mercador_')),
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
