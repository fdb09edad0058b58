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

"""Usage of a binding, read from the services' own usage API: Placement.

Each project of a binding is read with a token this Keystone issues for
the binding's identity on that project (it holds the binding's roles
there, inherited), so that Placement answers for that project only, as it
would for the tenant itself; the token never leaves this process.
"""

import requests

from keystone_mercador import exception
from keystone_mercador import glue
from keystone_mercador.i18n import _

CONF = glue.CONF
PROVIDERS = glue.PROVIDERS

#: GET /usages?project_id= exists since 1.9.
MICROVERSION = 'placement 1.9'
# Placement's own endpoint first: it is the one meant for services.
INTERFACES = ('internal', 'public', 'admin')


def placement_url(endpoints):
    """The URL to read Placement at among a region's endpoints of the
    placement service (``[{interface, url}]``), or None."""
    by_interface = {e['interface']: e['url'] for e in endpoints}
    for interface in INTERFACES:
        if interface in by_interface:
            return by_interface[interface].rstrip('/')
    return None


class PlacementReader:
    """Reads the current usage of projects of one binding."""

    def __init__(self, binding, region_id, url):
        self.binding = binding
        self.region_id = region_id
        self.url = url
        self._http = requests.Session()

    def close(self):
        self._http.close()

    def _fail(self, reason):
        raise exception.UsageUnavailable(region_id=self.region_id,
                                         reason=reason)

    def read(self, project_id):
        """``{resource class: amount}`` in use by one project."""
        token = PROVIDERS.token_provider_api.issue_token(
            self.binding['user_id'], ['token'], project_id=project_id)
        try:
            response = self._http.get(
                self.url + '/usages', params={'project_id': project_id},
                headers={'X-Auth-Token': token.id,
                         'OpenStack-API-Version': MICROVERSION,
                         'Accept': 'application/json'},
                timeout=CONF.mercador.usage_timeout, allow_redirects=False)
        except requests.exceptions.Timeout:
            self._fail(_('Placement did not answer within %ss.')
                       % CONF.mercador.usage_timeout)
        except requests.exceptions.RequestException:
            self._fail(_('Placement cannot be reached.'))
        if response.status_code != 200:
            self._fail(_('Placement answered HTTP %d.')
                       % response.status_code)
        try:
            usages = response.json()['usages']
            if not all(isinstance(k, str) and isinstance(v, int)
                       and not isinstance(v, bool)
                       for k, v in usages.items()):
                raise TypeError()
        except (ValueError, KeyError, TypeError, AttributeError):
            self._fail(_('Placement\'s answer is not a usage.'))
        return dict(sorted(usages.items()))
