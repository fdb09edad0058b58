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
    __table_args__ = (
        sa.Index('uq_mercador_virtual_region_domain', 'domain_id',
                 unique=True),
    )
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
    # The bound region of this Keystone the virtual region is built on
    # (service chaining), or None on a physical region. Kept when that
    # bound region goes, so that bindings can say why they failed.
    upstream_bound_region_id = sa.Column(sa.String(64), nullable=True)
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


class UsageSample(Base, glue.ModelDictMixin):
    """What Placement reported for one project of a binding at one time
    (``{resource class: amount}``)."""

    __tablename__ = 'mercador_usage_sample'
    __table_args__ = (
        sa.Index('ix_mercador_usage_sample_binding', 'binding_id',
                 'project_id', 'sampled_at'),
    )
    id = sa.Column(sa.Integer(), primary_key=True, autoincrement=True)
    binding_id = sa.Column(
        sa.String(64), sa.ForeignKey('mercador_binding.id'), nullable=False)
    project_id = sa.Column(sa.String(64), nullable=False)
    sampled_at = sa.Column(sa.DateTime(), nullable=False, default=_now)
    usages = sa.Column(glue.JsonBlob(), nullable=False)


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


class BindingUser(Base, glue.ModelDictMixin):
    """A Keystone user a binding made for an aggregator's opaque user
    reference: random name, no password, tokens only through the binding
    (``issue_binding_user_token``)."""

    __tablename__ = 'mercador_binding_user'
    __table_args__ = (
        sa.UniqueConstraint('binding_id', 'reference',
                            name='uq_mercador_binding_user_reference'),
    )
    id = sa.Column(sa.String(64), primary_key=True)
    binding_id = sa.Column(
        sa.String(64), sa.ForeignKey('mercador_binding.id'),
        nullable=False, index=True)
    reference = sa.Column(sa.String(255), nullable=False)
    created_at = sa.Column(sa.DateTime(), nullable=False, default=_now)


# Aggregator side


class Provider(Base, glue.ModelDictMixin):
    __tablename__ = 'mercador_provider'
    id = sa.Column(sa.String(64), primary_key=True)
    name = sa.Column(sa.String(255), nullable=False, unique=True)
    description = sa.Column(sa.Text(), nullable=False, default='')
    auth_url = sa.Column(sa.String(1024), nullable=False)
    ca_certificate = sa.Column(sa.Text(), nullable=True)
    application_credential_id = sa.Column(sa.String(64), nullable=False)
    # Fernet-encrypted with Keystone's credential keys.
    encrypted_secret = sa.Column(sa.Text(), nullable=False)
    key_hash = sa.Column(sa.String(64), nullable=False)
    # When audit or reconcile first found it unreachable; None while it
    # answers.
    unreachable_since = sa.Column(sa.DateTime(), nullable=True)
    created_at = sa.Column(sa.DateTime(), nullable=False, default=_now)
    updated_at = sa.Column(sa.DateTime(), nullable=False, default=_now,
                           onupdate=_now)


class BoundRegion(Base, glue.ModelDictMixin):
    __tablename__ = 'mercador_bound_region'
    __table_args__ = (
        sa.UniqueConstraint('provider_id', 'offer_id',
                            name='uq_mercador_bound_region_offer'),
    )
    id = sa.Column(sa.String(64), primary_key=True)
    provider_id = sa.Column(
        sa.String(64), sa.ForeignKey('mercador_provider.id'),
        nullable=False, index=True)
    offer_id = sa.Column(sa.String(64), nullable=False)
    region_id = sa.Column(sa.String(255), nullable=False, unique=True)
    description = sa.Column(sa.Text(), nullable=False, default='')
    idempotency_key = sa.Column(sa.String(255), nullable=False, unique=True)
    request_hash = sa.Column(sa.String(64), nullable=False)
    status = sa.Column(sa.String(16), nullable=False)
    reason = sa.Column(sa.Text(), nullable=True)
    services = sa.Column(glue.JsonBlob(), nullable=False, default=list)
    # The offer's limits and hop count when it was bound: what a virtual
    # region built on this bound region may promise at most. None for
    # rows bound before they were kept.
    limits = sa.Column(glue.JsonBlob(), nullable=True)
    hops = sa.Column(sa.Integer(), nullable=False, default=1,
                     server_default='1')
    # The offer's metadata when it was bound (country, location,
    # compliance, ...). None for rows bound before it was kept.
    metadata_ = sa.Column('metadata', glue.JsonBlob(), nullable=True,
                          default=dict)
    binding_id = sa.Column(sa.String(64), nullable=True)
    binding = sa.Column(glue.JsonBlob(), nullable=True)
    # The binding's password, Fernet-encrypted with Keystone's credential
    # keys.
    encrypted_password = sa.Column(sa.Text(), nullable=True)
    key_hash = sa.Column(sa.String(64), nullable=True)
    created_at = sa.Column(sa.DateTime(), nullable=False, default=_now)
    updated_at = sa.Column(sa.DateTime(), nullable=False, default=_now,
                           onupdate=_now)

    def to_dict(self):
        d = {c.key: getattr(self, c.key)
             for c in sa.inspect(type(self)).column_attrs}
        d['metadata'] = d.pop('metadata_') or {}
        return d


class BoundEndpoint(Base, glue.ModelDictMixin):
    """A Keystone catalog endpoint that belongs to a bound region."""

    __tablename__ = 'mercador_bound_endpoint'
    endpoint_id = sa.Column(sa.String(64), primary_key=True)
    bound_region_id = sa.Column(
        sa.String(64),
        sa.ForeignKey('mercador_bound_region.id', ondelete='CASCADE'),
        nullable=False, index=True)
    service_id = sa.Column(sa.String(64), nullable=False)
    service_type = sa.Column(sa.String(255), nullable=False)


class OwnedService(Base, glue.ModelDictMixin):
    """A Keystone catalog service Mercador created for bound regions."""

    __tablename__ = 'mercador_service'
    service_id = sa.Column(sa.String(64), primary_key=True)
    service_type = sa.Column(sa.String(255), nullable=False, unique=True)


class Entitlement(Base, glue.ModelDictMixin):
    """A project, or every project of a domain, may use a bound region."""

    __tablename__ = 'mercador_entitlement'
    __table_args__ = (
        sa.Index('ix_mercador_entitlement_target', 'target_id'),
    )
    bound_region_id = sa.Column(
        sa.String(64),
        sa.ForeignKey('mercador_bound_region.id', ondelete='CASCADE'),
        primary_key=True)
    target_type = sa.Column(sa.String(16), primary_key=True)
    target_id = sa.Column(sa.String(64), primary_key=True)


class ProjectMapping(Base, glue.ModelDictMixin):
    """Which provider project serves a local project in a bound region.

    ``reference`` is a random string given to the provider instead of
    anything about the local project.
    """

    __tablename__ = 'mercador_project_mapping'
    bound_region_id = sa.Column(
        sa.String(64),
        sa.ForeignKey('mercador_bound_region.id', ondelete='CASCADE'),
        primary_key=True)
    project_id = sa.Column(sa.String(64), primary_key=True)
    reference = sa.Column(sa.String(64), nullable=False, unique=True)
    provider_project_id = sa.Column(sa.String(64), nullable=True)
    created_at = sa.Column(sa.DateTime(), nullable=False, default=_now)


class UserMapping(Base, glue.ModelDictMixin):
    """Which provider user acts for a local user in a bound region, with
    the same kind of random ``reference`` as projects."""

    __tablename__ = 'mercador_user_mapping'
    bound_region_id = sa.Column(
        sa.String(64),
        sa.ForeignKey('mercador_bound_region.id', ondelete='CASCADE'),
        primary_key=True)
    user_id = sa.Column(sa.String(64), primary_key=True)
    reference = sa.Column(sa.String(64), nullable=False, unique=True)
    provider_user_id = sa.Column(sa.String(64), nullable=True)
    created_at = sa.Column(sa.DateTime(), nullable=False, default=_now)
