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

"""A provider user per tenant user: both sides.

Provider side, ``mercador_binding_user``: the users a binding made for an
aggregator's opaque user references. Aggregator side,
``mercador_user_mapping``: local user to that provider user, per bound
region.

Revision ID: 0006
Revises: 0005
"""

from alembic import op
import sqlalchemy as sa

revision = '0006'
down_revision = '0005'


def upgrade():
    op.create_table(
        'mercador_binding_user',
        sa.Column('id', sa.String(64), primary_key=True),
        sa.Column('binding_id', sa.String(64),
                  sa.ForeignKey('mercador_binding.id'), nullable=False,
                  index=True),
        sa.Column('reference', sa.String(255), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.UniqueConstraint('binding_id', 'reference',
                            name='uq_mercador_binding_user_reference'),
    )
    op.create_table(
        'mercador_user_mapping',
        sa.Column('bound_region_id', sa.String(64),
                  sa.ForeignKey('mercador_bound_region.id',
                                ondelete='CASCADE'),
                  primary_key=True),
        sa.Column('user_id', sa.String(64), primary_key=True),
        sa.Column('reference', sa.String(64), nullable=False, unique=True),
        sa.Column('provider_user_id', sa.String(64), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
    )
