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

"""Aggregator side: since when a provider has been unreachable.

``mercador-manage audit`` and ``reconcile`` set it when they first fail to
reach a provider and clear it once it answers again; past ``[mercador]
provider_dead_after`` reconcile gives up on its bound regions.

Revision ID: 0005
Revises: 0004
"""

from alembic import op
import sqlalchemy as sa

revision = '0005'
down_revision = '0004'


def upgrade():
    op.add_column('mercador_provider',
                  sa.Column('unreachable_since', sa.DateTime(),
                            nullable=True))
