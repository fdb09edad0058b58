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

"""Provider side: ``openstack virtual region ...``."""

import logging

from osc_lib.cli import format_columns
from osc_lib.command import command
from osc_lib import exceptions

from mercador_osc.v1 import aggregator as aggregator_cmds
from mercador_osc.v1 import common

LOG = logging.getLogger(__name__)

STATUSES = ('draft', 'published', 'withdrawn')
VISIBILITIES = ('all', 'listed')


def find_virtual_region(client, name_or_id):
    return client.find('virtual_regions', 'virtual_region', name_or_id,
                       name_filter=True)


def _limit(text):
    """``SERVICE_TYPE:RESOURCE_NAME=LIMIT``, e.g. ``image:image_count=10``."""
    service_limit, sep, value = text.rpartition('=')
    service_type, colon, resource = service_limit.partition(':')
    try:
        value = int(value)
    except ValueError:
        sep = None
    if not (sep and colon and service_type and resource):
        raise exceptions.CommandError(
            '--limit takes SERVICE_TYPE:RESOURCE_NAME=LIMIT, not "%s"' % text)
    return {'service_type': service_type, 'resource_name': resource,
            'resource_limit': value}


def _add_attribute_options(parser):
    parser.add_argument(
        '--description', metavar='<description>',
        help='Description of the virtual region')
    parser.add_argument(
        '--service', metavar='<service-type>', dest='services',
        action='append',
        help='Service type offered; it must have an endpoint in the '
             'region (repeat for several)')
    parser.add_argument(
        '--limit', metavar='<service-type>:<resource-name>=<limit>',
        dest='limits', action='append',
        help='Limit set on each binding, e.g. compute:cores=20 (a '
             'registered limit must exist; repeat for several)')
    parser.add_argument(
        '--country', metavar='<country>',
        help='ISO 3166-1 alpha-2 country code, e.g. FR')
    parser.add_argument(
        '--location', metavar='<location>',
        help='Free-form location, e.g. a city')
    parser.add_argument(
        '--compliance', metavar='<tag>', action='append',
        help='Compliance tag, e.g. gdpr (repeat for several)')
    parser.add_argument(
        '--api-version', metavar='<service-type>=<version>',
        dest='api_versions', type=common.key_value, action='append',
        help='API version of an offered service (repeat for several)')
    parser.add_argument(
        '--property', metavar='<x-key>=<value>', dest='properties',
        type=common.key_value, action='append',
        help='Other metadata, with keys starting with "x-" (repeat for '
             'several)')
    parser.add_argument(
        '--visibility', metavar='<visibility>', choices=VISIBILITIES,
        help='Aggregators that see the offer: "all" or the "listed" ones')
    parser.add_argument(
        '--aggregator', metavar='<aggregator>', dest='aggregators',
        action='append',
        help='Aggregator (name or ID) that sees the offer when visibility '
             'is "listed" (repeat for several; implies --visibility listed)')


def _metadata(parsed_args, metadata):
    if parsed_args.country:
        metadata['country'] = parsed_args.country
    if parsed_args.location:
        metadata['location'] = parsed_args.location
    if parsed_args.compliance:
        metadata['compliance'] = parsed_args.compliance
    if parsed_args.api_versions:
        metadata['api_versions'] = dict(
            metadata.get('api_versions', {}), **dict(parsed_args.api_versions))
    for key, value in parsed_args.properties or ():
        metadata[key] = value
    return metadata


def _attributes(client, parsed_args, metadata):
    """The request body fields that the options set."""
    body = {}
    if parsed_args.description is not None:
        body['description'] = parsed_args.description
    if parsed_args.services:
        body['services'] = parsed_args.services
    if parsed_args.limits:
        body['limits'] = [_limit(t) for t in parsed_args.limits]
    new_metadata = _metadata(parsed_args, dict(metadata))
    if new_metadata != metadata:
        body['metadata'] = new_metadata
    if parsed_args.aggregators:
        body['aggregator_ids'] = [
            aggregator_cmds.find_aggregator(client, name)['id']
            for name in parsed_args.aggregators]
        body['visibility'] = parsed_args.visibility or 'listed'
    elif parsed_args.visibility:
        body['visibility'] = parsed_args.visibility
    return body


class CreateVirtualRegion(command.ShowOne):
    _description = 'Create a virtual region (a draft until published)'

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'name', metavar='<name>', help='New virtual region name')
        parser.add_argument(
            '--region', metavar='<region-id>', required=True,
            help='Physical region the virtual region lives in')
        domain = parser.add_mutually_exclusive_group()
        domain.add_argument(
            '--domain', metavar='<domain-id>',
            help='Existing domain the virtual region maps to')
        domain.add_argument(
            '--domain-name', metavar='<domain-name>',
            help='Name of a domain to create for the virtual region '
                 '(deleted with it)')
        _add_attribute_options(parser)
        return parser

    def take_action(self, parsed_args):
        client = self.app.client_manager.mercador
        if not parsed_args.services:
            raise exceptions.CommandError('At least one --service is needed')
        body = dict(_attributes(client, parsed_args, {}),
                    name=parsed_args.name, region_id=parsed_args.region)
        if parsed_args.domain:
            body['domain_id'] = parsed_args.domain
        if parsed_args.domain_name:
            body['domain_name'] = parsed_args.domain_name
        ref = client.create('virtual_region', body,
                            'virtual_regions')['virtual_region']
        return common.show(ref)


class ListVirtualRegion(command.Lister):
    _description = 'List virtual regions'

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            '--status', metavar='<status>', choices=STATUSES,
            help='Only virtual regions in this status (%s)'
                 % ', '.join(STATUSES))
        parser.add_argument(
            '--name', metavar='<name>', help='Only the one with this name')
        parser.add_argument(
            '--long', action='store_true', default=False,
            help='List additional fields in output')
        return parser

    def take_action(self, parsed_args):
        client = self.app.client_manager.mercador
        refs = client.list('virtual_regions', 'virtual_regions',
                           status=parsed_args.status, name=parsed_args.name)
        columns = ('id', 'name', 'region_id', 'status', 'binding_count')
        if parsed_args.long:
            columns += ('domain_id', 'services', 'visibility', 'metadata',
                        'description', 'hops')
        return common.listing(refs, columns)


class ShowVirtualRegion(command.ShowOne):
    _description = 'Display virtual region details'

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'virtual_region', metavar='<virtual-region>',
            help='Virtual region to display (name or ID)')
        return parser

    def take_action(self, parsed_args):
        client = self.app.client_manager.mercador
        return common.show(find_virtual_region(client,
                                               parsed_args.virtual_region))


class SetVirtualRegion(command.Command):
    _description = 'Set virtual region properties'

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'virtual_region', metavar='<virtual-region>',
            help='Virtual region to modify (name or ID)')
        parser.add_argument(
            '--name', metavar='<name>', help='New name')
        _add_attribute_options(parser)
        parser.epilog = ('--service and --limit replace the whole list; '
                         'metadata options change only the keys they name.')
        return parser

    def take_action(self, parsed_args):
        client = self.app.client_manager.mercador
        ref = find_virtual_region(client, parsed_args.virtual_region)
        body = _attributes(client, parsed_args, ref.get('metadata') or {})
        if parsed_args.name:
            body['name'] = parsed_args.name
        if not body:
            LOG.warning('No changes requested for virtual region %s',
                        ref['id'])
            return
        client.update('virtual_region', body, 'virtual_regions', ref['id'])


class _SetStatus(command.Command):
    status = None

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'virtual_regions', metavar='<virtual-region>', nargs='+',
            help='Virtual region(s) to %s (name or ID)' % self.verb)
        return parser

    def take_action(self, parsed_args):
        client = self.app.client_manager.mercador

        def set_status(name):
            client.update('virtual_region', {'status': self.status},
                          'virtual_regions',
                          find_virtual_region(client, name)['id'])

        common.each('virtual region', parsed_args.virtual_regions,
                    self.verb, set_status)


class PublishVirtualRegion(_SetStatus):
    _description = ('Publish virtual region(s) to the aggregators they are '
                    'visible to')
    status = 'published'
    verb = 'publish'


class WithdrawVirtualRegion(_SetStatus):
    _description = 'Withdraw virtual region(s) from the offers'
    status = 'withdrawn'
    verb = 'withdraw'


class DeleteVirtualRegion(command.Command):
    _description = 'Delete virtual region(s) (refused while bound)'

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument(
            'virtual_regions', metavar='<virtual-region>', nargs='+',
            help='Virtual region(s) to delete (name or ID)')
        return parser

    def take_action(self, parsed_args):
        client = self.app.client_manager.mercador

        def delete(name):
            client.delete('virtual_regions',
                          find_virtual_region(client, name)['id'])

        common.each('virtual region', parsed_args.virtual_regions, 'delete',
                    delete)


class ShowMetadataSchema(command.ShowOne):
    _description = 'Display the JSON Schema of virtual region metadata'

    def take_action(self, parsed_args):
        client = self.app.client_manager.mercador
        schema = client.get('metadata_schema', 'metadata_schema')
        return ('metadata_schema',), (format_columns.DictColumn(schema),)
