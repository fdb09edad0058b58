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

"""Provider side: ``openstack mercador aggregator ...``."""

from osc_lib.command import command

from mercador_osc.v1 import common


def find_aggregator(client, name_or_id):
    return client.find('aggregators', 'aggregator', name_or_id)


class CreateAggregator(command.ShowOne):
    _description = ('Register an aggregator (reseller); its credential is '
                    'shown once')

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'name', metavar='<name>', help='New aggregator name')
        parser.add_argument(
            '--description', metavar='<description>',
            help='Aggregator description')
        return parser

    def take_action(self, parsed_args):
        client = self.app.client_manager.mercador
        body = {'name': parsed_args.name}
        if parsed_args.description is not None:
            body['description'] = parsed_args.description
        ref = client.create('aggregator', body, 'aggregators')['aggregator']
        return common.show(ref)


class ListAggregator(command.Lister):
    _description = 'List aggregators'

    def take_action(self, parsed_args):
        client = self.app.client_manager.mercador
        return common.listing(client.list('aggregators', 'aggregators'),
                              ('id', 'name', 'description'))


class ShowAggregator(command.ShowOne):
    _description = 'Display aggregator details'

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'aggregator', metavar='<aggregator>',
            help='Aggregator to display (name or ID)')
        return parser

    def take_action(self, parsed_args):
        client = self.app.client_manager.mercador
        return common.show(find_aggregator(client, parsed_args.aggregator))


class SetAggregator(command.Command):
    _description = 'Set aggregator properties'

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'aggregator', metavar='<aggregator>',
            help='Aggregator to modify (name or ID)')
        parser.add_argument(
            '--description', metavar='<description>', required=True,
            help='New description')
        return parser

    def take_action(self, parsed_args):
        client = self.app.client_manager.mercador
        ref = find_aggregator(client, parsed_args.aggregator)
        client.update('aggregator', {'description': parsed_args.description},
                      'aggregators', ref['id'])


class DeleteAggregator(command.Command):
    _description = ('Delete aggregator(s): revokes their credential, tokens '
                    'and bindings at once')

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'aggregators', metavar='<aggregator>', nargs='+',
            help='Aggregator(s) to delete (name or ID)')
        return parser

    def take_action(self, parsed_args):
        client = self.app.client_manager.mercador

        def delete(name):
            client.delete('aggregators', find_aggregator(client, name)['id'])

        common.each('aggregator', parsed_args.aggregators, 'delete', delete)
