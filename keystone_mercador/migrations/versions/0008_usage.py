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

"""Usage: offer metadata on bound regions, usage samples at providers.

Aggregator side, ``mercador_bound_region``: ``metadata``, the offer's
metadata (country, location, compliance, ...) as the provider published it
when it was bound; None for rows bound before it was kept (read as {}).
Provider side, ``mercador_usage_sample``: what Placement reported for one
project of a binding at one time, the history the usage routes of both
sides answer from.

Revision ID: 0008
Revises: 0007
"""

from alembic import op
import sqlalchemy as sa

from keystone_mercador import glue

revision = '0008'
down_revision = '0007'


def upgrade():
    op.add_column('mercador_bound_region',
                  sa.Column('metadata', glue.JsonBlob(), nullable=True))
    op.create_table(
        'mercador_usage_sample',
        sa.Column('id', sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column('binding_id', sa.String(64),
                  sa.ForeignKey('mercador_binding.id'), nullable=False),
        sa.Column('project_id', sa.String(64), nullable=False),
        sa.Column('sampled_at', sa.DateTime(), nullable=False),
        sa.Column('usages', glue.JsonBlob(), nullable=False),
    )
    op.create_index('ix_mercador_usage_sample_binding',
                    'mercador_usage_sample',
                    ['binding_id', 'project_id', 'sampled_at'])
