"""SQL models of the Mercador tables, shared by drivers and migrations.

The tables live in Keystone's database but belong to their own declarative
base and alembic history (version table ``mercador_alembic_version``), so
``keystone-manage db_sync`` never sees them.
"""

import datetime

import sqlalchemy as sa
from sqlalchemy import orm

from keystone_mercador import glue


class Base(orm.DeclarativeBase):
    pass


def _now():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


class Aggregator(Base, glue.ModelDictMixin):
    __tablename__ = 'mercador_aggregator'
    id = sa.Column(sa.String(64), primary_key=True)
    name = sa.Column(sa.String(255), nullable=False, unique=True)
    description = sa.Column(sa.Text(), nullable=False, default='')
    user_id = sa.Column(sa.String(64), nullable=False)
    project_id = sa.Column(sa.String(64), nullable=False, unique=True)
    application_credential_id = sa.Column(sa.String(64), nullable=False)
    created_at = sa.Column(sa.DateTime(), nullable=False, default=_now)


class VirtualRegion(Base, glue.ModelDictMixin):
    __tablename__ = 'mercador_virtual_region'
    id = sa.Column(sa.String(64), primary_key=True)
    name = sa.Column(sa.String(255), nullable=False, unique=True)
    description = sa.Column(sa.Text(), nullable=False, default='')
    region_id = sa.Column(sa.String(255), nullable=False)
    domain_id = sa.Column(sa.String(64), nullable=False)
    owns_domain = sa.Column(sa.Boolean(), nullable=False, default=False)
    services = sa.Column(glue.JsonBlob(), nullable=False)
    limits = sa.Column(glue.JsonBlob(), nullable=False)
    metadata_ = sa.Column('metadata', glue.JsonBlob(), nullable=False)
    visibility = sa.Column(sa.String(16), nullable=False)
    status = sa.Column(sa.String(16), nullable=False)
    created_at = sa.Column(sa.DateTime(), nullable=False, default=_now)
    updated_at = sa.Column(sa.DateTime(), nullable=False, default=_now,
                           onupdate=_now)

    def to_dict(self):
        d = {c.key: getattr(self, c.key)
             for c in sa.inspect(type(self)).column_attrs}
        d['metadata'] = d.pop('metadata_')
        return d


class VirtualRegionAccess(Base, glue.ModelDictMixin):
    __tablename__ = 'mercador_virtual_region_access'
    virtual_region_id = sa.Column(
        sa.String(64),
        sa.ForeignKey('mercador_virtual_region.id', ondelete='CASCADE'),
        primary_key=True)
    aggregator_id = sa.Column(
        sa.String(64),
        sa.ForeignKey('mercador_aggregator.id', ondelete='CASCADE'),
        primary_key=True)


class Binding(Base, glue.ModelDictMixin):
    __tablename__ = 'mercador_binding'
    __table_args__ = (
        sa.UniqueConstraint('aggregator_id', 'idempotency_key',
                            name='uq_mercador_binding_idempotency'),
    )
    id = sa.Column(sa.String(64), primary_key=True)
    virtual_region_id = sa.Column(
        sa.String(64), sa.ForeignKey('mercador_virtual_region.id'),
        nullable=False, index=True)
    aggregator_id = sa.Column(
        sa.String(64), sa.ForeignKey('mercador_aggregator.id'),
        nullable=False, index=True)
    idempotency_key = sa.Column(sa.String(255), nullable=False)
    request_hash = sa.Column(sa.String(64), nullable=False)
    root_project_id = sa.Column(sa.String(64), nullable=False)
    user_id = sa.Column(sa.String(64), nullable=False)
    created_at = sa.Column(sa.DateTime(), nullable=False, default=_now)


class BindingProject(Base, glue.ModelDictMixin):
    __tablename__ = 'mercador_binding_project'
    __table_args__ = (
        sa.UniqueConstraint('binding_id', 'reference',
                            name='uq_mercador_binding_project_reference'),
    )
    id = sa.Column(sa.String(64), primary_key=True)
    binding_id = sa.Column(
        sa.String(64), sa.ForeignKey('mercador_binding.id'),
        nullable=False, index=True)
    reference = sa.Column(sa.String(255), nullable=False)
    created_at = sa.Column(sa.DateTime(), nullable=False, default=_now)
