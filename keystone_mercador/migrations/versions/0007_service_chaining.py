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

"""Service chaining: virtual regions built on bound regions.

Aggregator side, ``mercador_bound_region``: the offer's ``limits`` and
``hops`` as the provider stated them when it was bound (a virtual region
built on the bound region may promise no more). Provider side,
``mercador_virtual_region``: ``upstream_bound_region_id``, the bound region
of this Keystone a virtual region is built on (None on a physical region).

Revision ID: 0007
Revises: 0006
"""

from alembic import op
import sqlalchemy as sa

from keystone_mercador import glue

revision = '0007'
down_revision = '0006'


def upgrade():
    op.add_column('mercador_bound_region',
                  sa.Column('limits', glue.JsonBlob(), nullable=True))
    op.add_column('mercador_bound_region',
                  sa.Column('hops', sa.Integer(), nullable=False,
                            server_default='1'))
    op.add_column('mercador_virtual_region',
                  sa.Column('upstream_bound_region_id', sa.String(64),
                            nullable=True))
