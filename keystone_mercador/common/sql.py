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

"""The CRUD shapes both sides' SQL drivers share.

Rows leave a driver as plain dicts. A unique constraint, not a query
before the insert, decides duplicates, so two concurrent requests cannot
both pass a check: the loser gets a Conflict (409), never a 500.
"""

from oslo_db import exception as db_exception

from keystone_mercador import exception
from keystone_mercador import glue


def getter(model, not_found, key_name):
    """``get(session, key)``: the row of ``model`` with primary key
    ``key``, or ``not_found(<key_name>=key)`` raised."""
    def get(session, key):
        row = session.get(model, key)
        if row is None:
            raise not_found(**{key_name: key})
        return row
    return staticmethod(get)


class Driver:

    @staticmethod
    def _read(get, key):
        """``get``'s row (see ``getter``) as a dict, in a read session."""
        with glue.session_for_read() as session:
            return get(session, key).to_dict()

    @staticmethod
    def _flush(session, duplicate, conflict=exception.Conflict):
        """Flush the session now; a duplicate raises
        ``conflict(reason=duplicate)``.

        In a transaction that also creates Keystone objects, Mercador's own
        rows are flushed first: a duplicate is then refused before anything
        else was done. The Conflict must leave the transaction (which rolls
        back): the session cannot be used after a failed flush.
        """
        try:
            session.flush()
        except db_exception.DBDuplicateEntry:
            raise conflict(reason=duplicate)

    @classmethod
    def _insert(cls, model, values, duplicate, conflict=exception.Conflict):
        """Insert a row and return it as a dict; a duplicate raises
        ``conflict(reason=duplicate)``."""
        with glue.session_for_write() as session:
            row = model(**values)
            session.add(row)
            cls._flush(session, duplicate, conflict)
            return row.to_dict()

    @staticmethod
    def _update_row(session, row, values):
        for key, value in values.items():
            setattr(row, key, value)
        session.flush()
        return row.to_dict()

    @staticmethod
    def _find(model, **filters):
        """The first row matching every filter, or None."""
        with glue.session_for_read() as session:
            row = session.query(model).filter_by(**filters).first()
            return row.to_dict() if row else None

    @staticmethod
    def _list(model, order_by, **filters):
        """Rows matching every filter that is not None, in ``order_by``
        order."""
        with glue.session_for_read() as session:
            query = session.query(model).filter_by(**{
                k: v for k, v in filters.items() if v is not None})
            return [r.to_dict() for r in query.order_by(*order_by)]
