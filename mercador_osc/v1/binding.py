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

"""``openstack binding ...``: an aggregator's bindings at a provider.

An aggregator creates them with its own credential; a provider admin lists
and deletes (revokes) them.
"""

import uuid

from osc_lib.command import command

from mercador_osc.v1 import aggregator as aggregator_cmds
from mercador_osc.v1 import common


class CreateBinding(command.ShowOne):
    _description = ('Bind an offer (as an aggregator); the binding '
                    'credential is shown once')

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'offer', metavar='<offer>', help='Offer to bind (name or ID)')
        parser.add_argument(
            '--idempotency-key', metavar='<key>',
            help='Key that makes a retried request return the same binding '
                 '(default: a new random key)')
        return parser

    def take_action(self, parsed_args):
        client = self.app.client_manager.mercador
        offer = client.find('offers', 'offer', parsed_args.offer,
                            name_filter=True)
        body = {'virtual_region_id': offer['id'],
                'idempotency_key': (parsed_args.idempotency_key
                                    or uuid.uuid4().hex)}
        return common.show(client.create('binding', body,
                                         'bindings')['binding'])


class ListBinding(command.Lister):
    _description = 'List bindings'

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            '--virtual-region', metavar='<virtual-region-id>',
            help='Only bindings of this virtual region (ID)')
        parser.add_argument(
            '--aggregator', metavar='<aggregator>',
            help='Only bindings of this aggregator (name or ID)')
        return parser

    def take_action(self, parsed_args):
        client = self.app.client_manager.mercador
        aggregator_id = None
        if parsed_args.aggregator:
            aggregator_id = aggregator_cmds.find_aggregator(
                client, parsed_args.aggregator)['id']
        refs = client.list('bindings', 'bindings',
                           virtual_region_id=parsed_args.virtual_region,
                           aggregator_id=aggregator_id)
        # A binding fails when its virtual region is built on a bound
        # region that failed (service chaining); older providers do not
        # say.
        return common.listing(refs, ('id', 'virtual_region_id',
                                     'aggregator_id', 'root_project_id',
                                     'created_at', 'status'))


class ShowBinding(command.ShowOne):
    _description = 'Display binding details'

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'binding', metavar='<binding-id>', help='Binding to display')
        return parser

    def take_action(self, parsed_args):
        client = self.app.client_manager.mercador
        return common.show(client.get('binding', 'bindings',
                                      parsed_args.binding))


class DeleteBinding(command.Command):
    _description = ('Delete binding(s): their projects and identity go, and '
                    'every token issued for them stops working')

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'bindings', metavar='<binding-id>', nargs='+',
            help='Binding(s) to delete')
        return parser

    def take_action(self, parsed_args):
        client = self.app.client_manager.mercador
        common.each('binding', parsed_args.bindings, 'delete',
                    lambda binding_id: client.delete('bindings', binding_id))


class CreateBindingCredential(command.ShowOne):
    _description = ('Issue a new secret for a binding (the previous one '
                    'stops working); it is shown once')

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'binding', metavar='<binding-id>', help='Binding')
        return parser

    def take_action(self, parsed_args):
        client = self.app.client_manager.mercador
        ref = client.post({}, 'bindings', parsed_args.binding, 'credential')
        return common.show(ref['credential'])


class CreateBindingProject(command.ShowOne):
    _description = ('Get the provider project of one of the aggregator\'s '
                    'tenants under a binding (created on first request)')

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'binding', metavar='<binding-id>', help='Binding')
        parser.add_argument(
            '--reference', metavar='<reference>', required=True,
            help='Opaque reference of the tenant, at least 16 characters '
                 '(never a tenant name or ID)')
        return parser

    def take_action(self, parsed_args):
        client = self.app.client_manager.mercador
        ref = client.create('project', {'reference': parsed_args.reference},
                            'bindings', parsed_args.binding, 'projects')
        return common.show(ref['project'])


class ListBindingProject(command.Lister):
    _description = 'List the provider projects under a binding'

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'binding', metavar='<binding-id>', help='Binding')
        return parser

    def take_action(self, parsed_args):
        client = self.app.client_manager.mercador
        refs = client.list('projects', 'bindings', parsed_args.binding,
                           'projects')
        return common.listing(refs, ('id', 'reference'))


class ShowBindingProject(command.ShowOne):
    _description = 'Display a provider project under a binding'

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'binding', metavar='<binding-id>', help='Binding')
        parser.add_argument(
            'project', metavar='<project-id>', help='Project to display')
        return parser

    def take_action(self, parsed_args):
        client = self.app.client_manager.mercador
        return common.show(client.get('project', 'bindings',
                                      parsed_args.binding, 'projects',
                                      parsed_args.project))


class DeleteBindingProject(command.Command):
    _description = 'Delete provider project(s) under a binding'

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'binding', metavar='<binding-id>', help='Binding')
        parser.add_argument(
            'projects', metavar='<project-id>', nargs='+',
            help='Project(s) to delete')
        return parser

    def take_action(self, parsed_args):
        client = self.app.client_manager.mercador
        common.each('binding project', parsed_args.projects, 'delete',
                    lambda project_id: client.delete(
                        'bindings', parsed_args.binding, 'projects',
                        project_id))


class ShowBindingUsage(command.Lister):
    _description = ('Show the usage of a binding\'s projects (provider '
                    'projects), now and over a period')

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('binding', metavar='<binding-id>',
                            help='Binding (ID)')
        parser.add_argument(
            '--project', metavar='<project-id>',
            help='Only this project of the binding (ID)')
        common.add_period_options(parser)
        return parser

    def take_action(self, parsed_args):
        client = self.app.client_manager.mercador
        query = common.period_query(parsed_args)
        if parsed_args.project:
            query['project_id'] = parsed_args.project
        usage = client.list('usage', 'bindings', parsed_args.binding,
                            'usage', **query)
        return common.usage_rows(usage, parsed_args.total)
