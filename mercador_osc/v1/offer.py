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

"""``openstack offer ...``: what an aggregator may bind.

With ``--provider`` the command runs on the aggregator's own cloud and
browses that registered provider live; without, it runs at the provider
with the aggregator's credential.
"""

from osc_lib.command import command

from mercador_osc.v1 import common
from mercador_osc.v1 import provider as provider_cmds


def _parents(client, provider):
    if provider is None:
        return ()
    return ('providers', provider_cmds.find_provider(client, provider)['id'])


def _add_provider_option(parser):
    parser.add_argument(
        '--provider', metavar='<provider>',
        help='Registered provider (name or ID) to browse, when running on '
             'the aggregator\'s cloud')


class ListOffer(command.Lister):
    _description = 'List the offers available to this aggregator'

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _add_provider_option(parser)
        parser.add_argument(
            '--country', metavar='<country>',
            help='Only offers in this country (ISO 3166-1 alpha-2 code)')
        parser.add_argument(
            '--compliance', metavar='<tag>',
            help='Only offers with this compliance tag')
        parser.add_argument(
            '--service-type', metavar='<service-type>',
            help='Only offers of this service type')
        parser.add_argument(
            '--name', metavar='<name>', help='Only offers with this name')
        parser.add_argument(
            '--long', action='store_true', default=False,
            help='List additional fields in output')
        return parser

    def take_action(self, parsed_args):
        client = self.app.client_manager.mercador
        parents = _parents(client, parsed_args.provider)
        refs = client.list('offers', *parents, 'offers',
                           country=parsed_args.country,
                           compliance=parsed_args.compliance,
                           service_type=parsed_args.service_type,
                           name=parsed_args.name)
        columns = ('id', 'name', 'services', 'metadata')
        if parsed_args.long:
            columns += ('limits', 'description', 'hops')
        return common.listing(refs, columns)


class ShowOffer(command.ShowOne):
    _description = 'Display offer details'

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'offer', metavar='<offer>', help='Offer to display (name or ID)')
        _add_provider_option(parser)
        return parser

    def take_action(self, parsed_args):
        client = self.app.client_manager.mercador
        parents = _parents(client, parsed_args.provider)
        return common.show(client.find('offers', 'offer', parsed_args.offer,
                                       *parents, name_filter=True))
