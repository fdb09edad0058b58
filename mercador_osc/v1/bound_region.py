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

"""Aggregator side: ``openstack bound region ...`` and its entitlements."""

import uuid

from keystoneauth1 import exceptions as ks_exceptions
from openstackclient.identity import common as identity_common
from osc_lib.command import command
from osc_lib import exceptions as osc_exceptions

from mercador_osc.v1 import common
from mercador_osc.v1 import provider as provider_cmds

STATUSES = ('requested', 'active', 'compensating', 'failed')


def find_bound_region(client, name_or_id):
    """By ID, or by the local region ID it is bound as."""
    return client.find('bound_regions', 'bound_region', name_or_id,
                       name_attr='region_id', name_filter=True)


class CreateBoundRegion(command.ShowOne):
    _description = 'Bind a provider\'s offer as a local region'

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'region', metavar='<region-id>',
            help='ID of the new local region')
        parser.add_argument(
            '--provider', metavar='<provider>', required=True,
            help='Provider of the offer (name or ID)')
        parser.add_argument(
            '--offer', metavar='<offer>', required=True,
            help='Offer to bind (name or ID)')
        parser.add_argument(
            '--description', metavar='<description>',
            help='Description of the local region')
        parser.add_argument(
            '--idempotency-key', metavar='<key>',
            help='Key that makes a retried request return the same bound '
                 'region (default: a new random key)')
        return parser

    def take_action(self, parsed_args):
        client = self.app.client_manager.mercador
        provider = provider_cmds.find_provider(client, parsed_args.provider)
        offer = client.find('offers', 'offer', parsed_args.offer,
                            'providers', provider['id'], name_filter=True)
        body = {'provider_id': provider['id'], 'offer_id': offer['id'],
                'region_id': parsed_args.region,
                'idempotency_key': (parsed_args.idempotency_key
                                    or uuid.uuid4().hex)}
        if parsed_args.description is not None:
            body['description'] = parsed_args.description
        ref = client.create('bound_region', body,
                            'bound_regions')['bound_region']
        return common.show(ref)


class ListBoundRegion(command.Lister):
    _description = 'List bound regions'

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            '--provider', metavar='<provider>',
            help='Only regions bound from this provider (name or ID)')
        parser.add_argument(
            '--status', metavar='<status>', choices=STATUSES,
            help='Only bound regions in this status (%s)'
                 % ', '.join(STATUSES))
        return parser

    def take_action(self, parsed_args):
        client = self.app.client_manager.mercador
        provider_id = None
        if parsed_args.provider:
            provider_id = provider_cmds.find_provider(
                client, parsed_args.provider)['id']
        refs = client.list('bound_regions', 'bound_regions',
                           provider_id=provider_id, status=parsed_args.status)
        return common.listing(refs, ('id', 'region_id', 'provider_id',
                                     'offer_id', 'status'))


class ShowBoundRegion(command.ShowOne):
    _description = 'Display bound region details'

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'bound_region', metavar='<bound-region>',
            help='Bound region to display (ID, or its local region ID)')
        return parser

    def take_action(self, parsed_args):
        client = self.app.client_manager.mercador
        return common.show(find_bound_region(client,
                                             parsed_args.bound_region))


class DeleteBoundRegion(command.Command):
    _description = ('Unbind region(s): the provider\'s binding first, then '
                    'the local region')

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'bound_regions', metavar='<bound-region>', nargs='+',
            help='Bound region(s) to delete (ID, or local region ID)')
        parser.add_argument(
            '--force', action='store_true',
            help='For a provider that went away: delete the local region '
                 'even if the provider\'s binding cannot be deleted (what '
                 'is left at the provider is reported)')
        return parser

    def take_action(self, parsed_args):
        client = self.app.client_manager.mercador

        def delete(name):
            bound_id = find_bound_region(client, name)['id']
            if parsed_args.force:
                common.force_delete(client, 'bound_regions', bound_id)
            else:
                client.delete('bound_regions', bound_id)

        common.each('bound region', parsed_args.bound_regions, 'delete',
                    delete)


# entitlements

def _add_target_options(parser):
    parser.add_argument(
        'bound_region', metavar='<bound-region>',
        help='Bound region (ID, or its local region ID)')
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument(
        '--project', metavar='<project>',
        help='Project (name or ID) whose users see the region')
    target.add_argument(
        '--domain', metavar='<domain>',
        help='Domain (name or ID) whose projects all see the region')
    identity_common.add_project_domain_option_to_parser(parser)


def _target(app, parsed_args):
    identity = app.client_manager.identity
    if parsed_args.project:
        return 'projects', identity_common.find_project(
            identity, parsed_args.project, parsed_args.project_domain).id
    return 'domains', identity_common.find_domain(
        identity, parsed_args.domain).id


class CreateEntitlement(command.Command):
    _description = 'Let a project or domain see and use a bound region'

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _add_target_options(parser)
        return parser

    def take_action(self, parsed_args):
        client = self.app.client_manager.mercador
        ref = find_bound_region(client, parsed_args.bound_region)
        kind, target_id = _target(self.app, parsed_args)
        client.put('bound_regions', ref['id'], 'entitlements', kind,
                   target_id)


class DeleteEntitlement(command.Command):
    _description = 'Stop a project or domain from seeing a bound region'

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _add_target_options(parser)
        return parser

    def take_action(self, parsed_args):
        client = self.app.client_manager.mercador
        ref = find_bound_region(client, parsed_args.bound_region)
        kind, target_id = _target(self.app, parsed_args)
        client.delete('bound_regions', ref['id'], 'entitlements', kind,
                      target_id)


class ListEntitlement(command.Lister):
    _description = 'List the projects and domains that see a bound region'

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'bound_region', metavar='<bound-region>',
            help='Bound region (ID, or its local region ID)')
        return parser

    def take_action(self, parsed_args):
        client = self.app.client_manager.mercador
        ref = find_bound_region(client, parsed_args.bound_region)
        refs = client.list('entitlements', 'bound_regions', ref['id'],
                           'entitlements')
        return common.listing(refs, ('target_type', 'target_id'))


def _find_usable_region(app, name_or_id):
    """A bound region, also for a tenant who may not read bound regions
    but those of its project (``projects/{id}/regions``)."""
    client = app.client_manager.mercador
    try:
        return find_bound_region(client, name_or_id)
    except ks_exceptions.Forbidden:
        project_id = app.client_manager.auth_ref.project_id
        for region in client.list('regions', 'projects', project_id,
                                  'regions'):
            if name_or_id in (region['id'], region['region_id']):
                return region
        raise osc_exceptions.CommandError(
            'No bound region with an ID or region ID of "%s" is available '
            'to this project.' % name_or_id)


class ShowBoundRegionUsage(command.Lister):
    _description = ('Show the usage of a bound region\'s projects, now and '
                    'over a period, as its provider reports it')

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'bound_region', metavar='<bound-region>',
            help='Bound region (ID, or its local region ID)')
        parser.add_argument(
            '--project', metavar='<project>',
            help='Only this project (name or ID)')
        identity_common.add_project_domain_option_to_parser(parser)
        common.add_period_options(parser)
        return parser

    def take_action(self, parsed_args):
        client = self.app.client_manager.mercador
        ref = _find_usable_region(self.app, parsed_args.bound_region)
        query = common.period_query(parsed_args)
        if parsed_args.project:
            query['project_id'] = identity_common.find_project(
                self.app.client_manager.identity, parsed_args.project,
                parsed_args.project_domain).id
        usage = client.list('usage', 'bound_regions', ref['id'], 'usage',
                            **query)
        return common.usage_rows(usage, parsed_args.total)
