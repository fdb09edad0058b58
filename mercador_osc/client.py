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

"""A small client of /v3/OS-MERCADOR on a keystoneauth session."""

import urllib.parse

from keystoneauth1 import adapter
from keystoneauth1 import exceptions
from osc_lib import exceptions as osc_exceptions

PREFIX = '/OS-MERCADOR'


def _quote(value):
    return urllib.parse.quote(value, safe='')


class Client:
    """OS-MERCADOR resources at the identity endpoint of the catalog.

    Errors are keystoneauth's ``HttpError`` subclasses, whose message is
    the one in Keystone's JSON error body.
    """

    def __init__(self, session, region_name=None, interface=None):
        self.http = adapter.Adapter(
            session, service_type='identity', region_name=region_name,
            interface=interface, version=(3, 0))

    @staticmethod
    def path(*parts):
        return '/'.join([PREFIX] + [_quote(p) for p in parts])

    def list(self, key, *parts, **filters):
        params = {k: v for k, v in filters.items() if v is not None}
        return self.http.get(self.path(*parts), params=params).json()[key]

    def get(self, key, *parts):
        return self.http.get(self.path(*parts)).json()[key]

    def post(self, body, *parts):
        """POST ``body``; return the whole response body."""
        return self.http.post(self.path(*parts), json=body).json()

    def create(self, key, body, *parts):
        return self.post({key: body}, *parts)

    def update(self, key, body, *parts):
        return self.http.patch(self.path(*parts),
                               json={key: body}).json()[key]

    def put(self, *parts):
        self.http.put(self.path(*parts))

    def delete(self, *parts, **params):
        """DELETE; return the decoded body if there is one, else None."""
        response = self.http.delete(self.path(*parts),
                                    params=params or None)
        return response.json() if response.content else None

    def find(self, collection, key, name_or_id, *parents, name_attr='name',
             name_filter=False):
        """The one resource with that ID or else that name.

        :param name_filter: the collection filters on ``name_attr`` on the
            server side; otherwise the whole collection is listed.
        """
        try:
            return self.get(key, *(parents + (collection, name_or_id)))
        except exceptions.NotFound:
            pass
        filters = {name_attr: name_or_id} if name_filter else {}
        matches = [r for r in self.list(collection, *(parents + (collection,)),
                                        **filters)
                   if r.get(name_attr) == name_or_id]
        if not matches:
            raise osc_exceptions.CommandError(
                'No %s with a name or ID of "%s" exists.'
                % (key.replace('_', ' '), name_or_id))
        if len(matches) > 1:
            raise osc_exceptions.CommandError(
                'More than one %s exists with the name "%s".'
                % (key.replace('_', ' '), name_or_id))
        return matches[0]
