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

"""Aggregator side: ``openstack mercador provider ...``."""

from osc_lib.command import command
from osc_lib import exceptions

from mercador_osc.v1 import common


def find_provider(client, name_or_id):
    return client.find('providers', 'provider', name_or_id)


def _read(path):
    with open(path) as f:
        return f.read()


def _add_connection_options(parser, required):
    parser.add_argument(
        '--auth-url', metavar='<auth-url>', required=required,
        help='Identity URL of the provider, e.g. https://provider/v3')
    parser.add_argument(
        '--application-credential-id', metavar='<id>', required=required,
        help='ID of the credential the provider issued to this aggregator')
    parser.add_argument(
        '--application-credential-secret', metavar='<secret>',
        required=required,
        help='Secret of that credential (stored encrypted, never shown)')
    parser.add_argument(
        '--ca-certificate', metavar='<file>',
        help='PEM file of the CA that signed the provider\'s certificate')
    parser.add_argument(
        '--description', metavar='<description>',
        help='Provider description')


def _connection(parsed_args):
    body = {}
    if parsed_args.auth_url:
        body['auth_url'] = parsed_args.auth_url
    if parsed_args.application_credential_id:
        body['credential'] = {
            'application_credential_id':
                parsed_args.application_credential_id,
            'application_credential_secret':
                parsed_args.application_credential_secret}
    if parsed_args.ca_certificate:
        body['ca_certificate'] = _read(parsed_args.ca_certificate)
    if parsed_args.description is not None:
        body['description'] = parsed_args.description
    return body


class CreateProvider(command.ShowOne):
    _description = ('Register a provider cloud with the credential it '
                    'issued (checked before it is stored)')

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'name', metavar='<name>', help='New provider name')
        _add_connection_options(parser, required=True)
        return parser

    def take_action(self, parsed_args):
        client = self.app.client_manager.mercador
        body = dict(_connection(parsed_args), name=parsed_args.name)
        return common.show(client.create('provider', body,
                                         'providers')['provider'])


class ListProvider(command.Lister):
    _description = 'List registered providers'

    def take_action(self, parsed_args):
        client = self.app.client_manager.mercador
        return common.listing(client.list('providers', 'providers'),
                              ('id', 'name', 'auth_url', 'description'))


class ShowProvider(command.ShowOne):
    _description = 'Display provider details'

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'provider', metavar='<provider>',
            help='Provider to display (name or ID)')
        return parser

    def take_action(self, parsed_args):
        client = self.app.client_manager.mercador
        return common.show(find_provider(client, parsed_args.provider))


class SetProvider(command.Command):
    _description = 'Set provider properties'

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'provider', metavar='<provider>',
            help='Provider to modify (name or ID)')
        _add_connection_options(parser, required=False)
        parser.add_argument(
            '--no-ca-certificate', action='store_true',
            help='Trust the system CAs again')
        return parser

    def take_action(self, parsed_args):
        client = self.app.client_manager.mercador
        ref = find_provider(client, parsed_args.provider)
        if (parsed_args.application_credential_id is None) != (
                parsed_args.application_credential_secret is None):
            raise exceptions.CommandError(
                '--application-credential-id and '
                '--application-credential-secret go together')
        body = _connection(parsed_args)
        if parsed_args.no_ca_certificate:
            body['ca_certificate'] = None
        if body:
            client.update('provider', body, 'providers', ref['id'])


class DeleteProvider(command.Command):
    _description = 'Delete provider registration(s)'

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'providers', metavar='<provider>', nargs='+',
            help='Provider(s) to delete (name or ID)')
        parser.add_argument(
            '--force', action='store_true',
            help='For a provider that went away: unbind its bound regions '
                 'too, whatever the provider answers (what is left at the '
                 'provider is reported)')
        return parser

    def take_action(self, parsed_args):
        client = self.app.client_manager.mercador

        def delete(name):
            provider_id = find_provider(client, name)['id']
            if parsed_args.force:
                common.force_delete(client, 'providers', provider_id)
            else:
                client.delete('providers', provider_id)

        common.each('provider', parsed_args.providers, 'delete', delete)
