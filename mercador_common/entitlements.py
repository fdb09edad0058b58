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

"""The entitlement rule, as one SQL expression over Mercador's tables.

A project may use a bound region when the region is active and entitled to
the project or to the project's domain. The aggregator's catalog driver,
its managers and Horizon's database-backed region configuration all select
through ``entitled_bound_regions``, so that they cannot disagree.

The tables are declared with the columns the rule reads, as SQLAlchemy
Core sees them; the extension's ORM models (``keystone_mercador.models``)
own the full definitions and the migrations.
"""

import sqlalchemy as sa

bound_region = sa.table(
    'mercador_bound_region',
    sa.column('id'), sa.column('region_id'), sa.column('description'),
    sa.column('status'))
entitlement = sa.table(
    'mercador_entitlement',
    sa.column('bound_region_id'), sa.column('target_type'),
    sa.column('target_id'))
# Keystone's own project table, for the domain of a project.
_project = sa.table('project', sa.column('id'), sa.column('domain_id'))

ACTIVE = 'active'


def domain_of(project_id):
    """The project's domain, as a subquery of Keystone's project table
    (for callers in Keystone's database that have no token at hand)."""
    return sa.select(_project.c.domain_id).where(
        _project.c.id == project_id).scalar_subquery()


def entitled(project_id, domain_id):
    """The condition on ``bound_region`` rows the project may use.

    ``domain_id`` is the project's domain: an ID (from a token),
    ``domain_of(project_id)``, or None to consider the project alone.
    """
    targets = [t for t in (project_id, domain_id) if t is not None]
    # Driven from the entitlements' target index: the cost follows what
    # the project is entitled to, not how many regions are bound.
    return sa.and_(
        bound_region.c.status == ACTIVE,
        bound_region.c.id.in_(
            sa.select(entitlement.c.bound_region_id).where(
                entitlement.c.target_id.in_(targets))))


def entitled_bound_regions(project_id, domain_id, *columns):
    """``SELECT <columns> FROM mercador_bound_region`` (default: ``id``)
    restricted to the bound regions the project may use."""
    columns = columns or (bound_region.c.id,)
    return sa.select(*columns).where(entitled(project_id, domain_id))
