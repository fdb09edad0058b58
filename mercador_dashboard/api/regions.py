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

"""Horizon's region configuration, read from the aggregator's database.

Bound regions are ordinary regions of the aggregator Keystone's catalog, so
Horizon's services-region menu (built from the token's catalog) is the one
that lists them; ``AVAILABLE_REGIONS``, a list of *Keystone* URLs that asks
for a new login, has nothing to add. What Horizon lacks is knowing, at
request time, which bound regions each project may use, so that a session
whose catalog was frozen at login can be brought up to date (see
``mercador_dashboard.middleware``). This module reads that from the
Mercador tables (``mercador_bound_region``, ``mercador_entitlement``) of the
aggregator Keystone's database, with a short cache.

Why the database rather than the OS-MERCADOR API: the configuration is
needed on every page of every user, tenants included, before any view
runs. The bound-region routes are for reseller readers, so a tenant's token
may not read them and Horizon would need a service credential of its own;
and an HTTP round trip through Keystone (which renders the caller's catalog
on every call) would cost far more than one indexed query. The query needs
only a read-only database account on those two tables, selects no secret
column, and its result is cached for ``MERCADOR_REGION_CACHE_SECONDS`` in
Django's cache: every Horizon process sees a new binding within seconds,
without a restart or a settings edit.
"""

import collections
import functools

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
import sqlalchemy as sa

from horizon import exceptions

from mercador_common import entitlements as rule

DEFAULT_CACHE_SECONDS = 5
_CACHE_PREFIX = 'mercador_dashboard:regions:'

# The tables as mercador_common declares them (SQLAlchemy only): a Horizon
# node needs neither Keystone nor the extension installed.
_bound_region = rule.bound_region

BoundRegion = collections.namedtuple('BoundRegion',
                                     ['region_id', 'description'])


def _database_url():
    url = getattr(settings, 'MERCADOR_DATABASE_URL', None)
    if not url:
        raise ImproperlyConfigured(
            'MERCADOR_DATABASE_URL must point at the aggregator Keystone\'s '
            'database.')
    return url


def _cache_seconds():
    return getattr(settings, 'MERCADOR_REGION_CACHE_SECONDS',
                   DEFAULT_CACHE_SECONDS)


@functools.lru_cache(maxsize=4)
def _engine(url):
    # One pool per process, checked before use: the database may restart.
    return sa.create_engine(url, pool_pre_ping=True)


def _query(statement):
    try:
        with _engine(_database_url()).connect() as connection:
            return connection.execute(statement).all()
    except sa.exc.SQLAlchemyError as exc:
        raise exceptions.NotAvailable(
            _('The region configuration cannot be read: %s')
            % type(exc).__name__) from exc


def _cached(key, compute):
    value = cache.get(_CACHE_PREFIX + key)
    if value is None:
        value = compute()
        cache.set(_CACHE_PREFIX + key, value, _cache_seconds())
    return value


def bound_regions():
    """Active bound regions, as ``BoundRegion`` tuples sorted by region."""
    def compute():
        rows = _query(
            sa.select(_bound_region.c.region_id,
                      _bound_region.c.description)
            .where(_bound_region.c.status == rule.ACTIVE)
            .order_by(_bound_region.c.region_id))
        return tuple(BoundRegion(r.region_id, r.description or '')
                     for r in rows)
    return _cached('all', compute)


def entitled_region_ids(project_id, domain_id=None):
    """Active bound regions the project, or its domain, is entitled to.

    Exactly those the aggregator's catalog driver puts in the project's
    token catalog, as a sorted tuple of region IDs.
    """
    def compute():
        rows = _query(
            rule.entitled_bound_regions(project_id, domain_id or None,
                                        _bound_region.c.region_id)
            .order_by(_bound_region.c.region_id))
        return tuple(r.region_id for r in rows)
    return _cached('project:%s:%s' % (project_id, domain_id), compute)
