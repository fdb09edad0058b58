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

"""Aggregator side: local project to provider project, per bound region.

Revision ID: 0003
Revises: 0002
"""

from alembic import op
import sqlalchemy as sa

revision = '0003'
down_revision = '0002'


def upgrade():
    op.create_table(
        'mercador_project_mapping',
        sa.Column('bound_region_id', sa.String(64),
                  sa.ForeignKey('mercador_bound_region.id',
                                ondelete='CASCADE'),
                  primary_key=True),
        sa.Column('project_id', sa.String(64), primary_key=True),
        sa.Column('reference', sa.String(64), nullable=False, unique=True),
        sa.Column('provider_project_id', sa.String(64), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
    )
