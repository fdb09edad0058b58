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

"""A domain backs one virtual region at most.

The unique index makes the database, not a query before the insert,
refuse a second virtual region on a domain, also to concurrent requests.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = '0004'
down_revision = '0003'


def upgrade():
    op.create_index('uq_mercador_virtual_region_domain',
                    'mercador_virtual_region', ['domain_id'], unique=True)
