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
