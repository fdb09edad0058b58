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

"""OpenStackClient plugin hooks (``openstack.cli.extension`` entry point).

OS-MERCADOR is part of the Identity API: every command talks to the
identity endpoint of the catalog with the session OSC authenticated.
"""

import logging

from osc_lib import utils

LOG = logging.getLogger(__name__)

DEFAULT_API_VERSION = '1'
API_VERSION_OPTION = 'os_mercador_api_version'
API_NAME = 'mercador'
API_VERSIONS = {
    '1': 'mercador_osc.client.Client',
}


def make_client(instance):
    """Return the OS-MERCADOR client for OSC's client manager."""
    client_class = utils.get_client_class(
        API_NAME, instance._api_version[API_NAME], API_VERSIONS)
    LOG.debug('Instantiating mercador client: %s', client_class)
    return client_class(session=instance.session,
                        region_name=instance.region_name,
                        interface=instance.interface)


def build_option_parser(parser):
    parser.add_argument(
        '--os-mercador-api-version',
        metavar='<mercador-api-version>',
        default=utils.env('OS_MERCADOR_API_VERSION',
                          default=DEFAULT_API_VERSION),
        help='OS-MERCADOR API version, default=%s '
             '(Env: OS_MERCADOR_API_VERSION)' % DEFAULT_API_VERSION)
    return parser
