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

"""Aggregator side: providers, bound regions, entitlements.

Revision ID: 0002
Revises: 0001
"""

from alembic import op
import sqlalchemy as sa

revision = '0002'
down_revision = '0001'


def _timestamps():
    return [sa.Column('created_at', sa.DateTime(), nullable=False),
            sa.Column('updated_at', sa.DateTime(), nullable=False)]


def upgrade():
    op.create_table(
        'mercador_provider',
        sa.Column('id', sa.String(64), primary_key=True),
        sa.Column('name', sa.String(255), nullable=False, unique=True),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('auth_url', sa.String(1024), nullable=False),
        sa.Column('ca_certificate', sa.Text(), nullable=True),
        sa.Column('application_credential_id', sa.String(64),
                  nullable=False),
        sa.Column('encrypted_secret', sa.Text(), nullable=False),
        sa.Column('key_hash', sa.String(64), nullable=False),
        *_timestamps(),
    )
    op.create_table(
        'mercador_bound_region',
        sa.Column('id', sa.String(64), primary_key=True),
        sa.Column('provider_id', sa.String(64),
                  sa.ForeignKey('mercador_provider.id'),
                  nullable=False, index=True),
        sa.Column('offer_id', sa.String(64), nullable=False),
        sa.Column('region_id', sa.String(255), nullable=False, unique=True),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('idempotency_key', sa.String(255), nullable=False,
                  unique=True),
        sa.Column('request_hash', sa.String(64), nullable=False),
        sa.Column('status', sa.String(16), nullable=False),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('services', sa.Text(), nullable=False),
        sa.Column('binding_id', sa.String(64), nullable=True),
        sa.Column('binding', sa.Text(), nullable=True),
        sa.Column('encrypted_password', sa.Text(), nullable=True),
        sa.Column('key_hash', sa.String(64), nullable=True),
        *_timestamps(),
        sa.UniqueConstraint('provider_id', 'offer_id',
                            name='uq_mercador_bound_region_offer'),
    )
    op.create_table(
        'mercador_bound_endpoint',
        sa.Column('endpoint_id', sa.String(64), primary_key=True),
        sa.Column('bound_region_id', sa.String(64),
                  sa.ForeignKey('mercador_bound_region.id',
                                ondelete='CASCADE'),
                  nullable=False, index=True),
        sa.Column('service_id', sa.String(64), nullable=False),
        sa.Column('service_type', sa.String(255), nullable=False),
    )
    op.create_table(
        'mercador_service',
        sa.Column('service_id', sa.String(64), primary_key=True),
        sa.Column('service_type', sa.String(255), nullable=False,
                  unique=True),
    )
    op.create_table(
        'mercador_entitlement',
        sa.Column('bound_region_id', sa.String(64),
                  sa.ForeignKey('mercador_bound_region.id',
                                ondelete='CASCADE'),
                  primary_key=True),
        sa.Column('target_type', sa.String(16), primary_key=True),
        sa.Column('target_id', sa.String(64), primary_key=True),
        sa.Index('ix_mercador_entitlement_target', 'target_id'),
    )
