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

"""Provider side: aggregators, virtual regions, bindings.

Revision ID: 0001
Revises:
"""

from alembic import op
import sqlalchemy as sa

revision = '0001'
down_revision = None


def _created():
    return sa.Column('created_at', sa.DateTime(), nullable=False)


def upgrade():
    op.create_table(
        'mercador_aggregator',
        sa.Column('id', sa.String(64), primary_key=True),
        sa.Column('name', sa.String(255), nullable=False, unique=True),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('user_id', sa.String(64), nullable=False),
        sa.Column('project_id', sa.String(64), nullable=False, unique=True),
        sa.Column('application_credential_id', sa.String(64),
                  nullable=False),
        _created(),
    )
    op.create_table(
        'mercador_virtual_region',
        sa.Column('id', sa.String(64), primary_key=True),
        sa.Column('name', sa.String(255), nullable=False, unique=True),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('region_id', sa.String(255), nullable=False),
        sa.Column('domain_id', sa.String(64), nullable=False),
        sa.Column('owns_domain', sa.Boolean(), nullable=False),
        sa.Column('services', sa.Text(), nullable=False),
        sa.Column('limits', sa.Text(), nullable=False),
        sa.Column('metadata', sa.Text(), nullable=False),
        sa.Column('visibility', sa.String(16), nullable=False),
        sa.Column('status', sa.String(16), nullable=False),
        _created(),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
    )
    op.create_table(
        'mercador_virtual_region_access',
        sa.Column('virtual_region_id', sa.String(64),
                  sa.ForeignKey('mercador_virtual_region.id',
                                ondelete='CASCADE'),
                  primary_key=True),
        sa.Column('aggregator_id', sa.String(64),
                  sa.ForeignKey('mercador_aggregator.id', ondelete='CASCADE'),
                  primary_key=True),
    )
    op.create_table(
        'mercador_binding',
        sa.Column('id', sa.String(64), primary_key=True),
        sa.Column('virtual_region_id', sa.String(64),
                  sa.ForeignKey('mercador_virtual_region.id'),
                  nullable=False, index=True),
        sa.Column('aggregator_id', sa.String(64),
                  sa.ForeignKey('mercador_aggregator.id'),
                  nullable=False, index=True),
        sa.Column('idempotency_key', sa.String(255), nullable=False),
        sa.Column('request_hash', sa.String(64), nullable=False),
        sa.Column('root_project_id', sa.String(64), nullable=False),
        sa.Column('user_id', sa.String(64), nullable=False),
        _created(),
        sa.UniqueConstraint('aggregator_id', 'idempotency_key',
                            name='uq_mercador_binding_idempotency'),
    )
    op.create_table(
        'mercador_binding_project',
        sa.Column('id', sa.String(64), primary_key=True),
        sa.Column('binding_id', sa.String(64),
                  sa.ForeignKey('mercador_binding.id'),
                  nullable=False, index=True),
        sa.Column('reference', sa.String(255), nullable=False),
        _created(),
        sa.UniqueConstraint('binding_id', 'reference',
                            name='uq_mercador_binding_project_reference'),
    )
