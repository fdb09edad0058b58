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

"""Argument parsing of the openstack commands (no server needed)."""

import argparse

from osc_lib import exceptions
import pytest

from mercador_osc.v1 import binding
from mercador_osc.v1 import bound_region
from mercador_osc.v1 import common
from mercador_osc.v1 import provider
from mercador_osc.v1 import virtual_region


@pytest.mark.parametrize('text,expected', [
    ('compute:cores=20', ('compute', 'cores', 20)),
    ('placement:class:VCPU=-1', ('placement', 'class:VCPU', -1)),
])
def test_limit(text, expected):
    limit = virtual_region._limit(text)
    assert (limit['service_type'], limit['resource_name'],
            limit['resource_limit']) == expected


@pytest.mark.parametrize('text', ['cores=20', 'compute:cores', ':cores=1',
                                  'compute:=1', 'compute:cores=many'])
def test_limit_rejects(text):
    with pytest.raises(exceptions.CommandError):
        virtual_region._limit(text)


def test_key_value():
    assert common.key_value('x-tier=gold=1') == ('x-tier', 'gold=1')
    with pytest.raises(argparse.ArgumentTypeError):
        common.key_value('x-tier')


def _parse(*argv):
    parser = virtual_region.SetVirtualRegion(None, None).get_parser('set')
    return parser.parse_args(['vr'] + list(argv))


def test_set_changes_only_the_metadata_keys_it_names():
    current = {'country': 'FR', 'compliance': ['gdpr'],
               'api_versions': {'compute': '2.1'}}
    args = _parse('--country', 'DE', '--api-version', 'image=2',
                  '--property', 'x-tier=gold')
    body = virtual_region._attributes(None, args, current)
    assert body == {'metadata': {
        'country': 'DE', 'compliance': ['gdpr'],
        'api_versions': {'compute': '2.1', 'image': '2'},
        'x-tier': 'gold'}}
    assert current['country'] == 'FR'


def test_set_without_metadata_options_sends_no_metadata():
    body = virtual_region._attributes(None, _parse('--description', 'd'),
                                      {'country': 'FR'})
    assert body == {'description': 'd'}


def test_listing_headers():
    headers, rows = common.listing(
        [{'id': 'i', 'auth_url': 'u', 'binding_count': 2}],
        ('id', 'auth_url', 'binding_count'))
    assert headers == ('ID', 'Auth URL', 'Binding Count')
    assert list(rows) == [('i', 'u', 2)]


class _Client:
    """Records DELETEs; answers a forced one with leftovers."""

    def __init__(self, leftovers):
        self.leftovers = leftovers
        self.deleted = []

    def delete(self, *parts, **params):
        self.deleted.append((parts, params))
        if params.get('force') == 'true':
            return {'remote_leftovers': self.leftovers}
        return None


@pytest.mark.parametrize('command', [bound_region.DeleteBoundRegion,
                                     provider.DeleteProvider])
def test_delete_takes_force(command):
    parser = command(None, None).get_parser('delete')
    assert parser.parse_args(['x']).force is False
    assert parser.parse_args(['x', '--force']).force is True


def test_force_delete_reports_what_is_left_at_the_provider(caplog):
    client = _Client([{'bound_region_id': 'b', 'region_id': 'V1',
                       'provider_id': 'p', 'provider_name': 'acme',
                       'binding_id': 'bnd',
                       'reason': 'Provider acme: unreachable.'}])

    with caplog.at_level('WARNING'):
        leftovers = common.force_delete(client, 'bound_regions', 'b')

    assert client.deleted == [(('bound_regions', 'b'), {'force': 'true'})]
    assert [lo['binding_id'] for lo in leftovers] == ['bnd']
    assert ('Region V1 was unbound here; at provider acme, binding bnd '
            'could not be deleted: Provider acme: unreachable.') in caplog.text


def test_force_delete_with_nothing_left_says_nothing(caplog):
    with caplog.at_level('WARNING'):
        assert common.force_delete(_Client([]), 'providers', 'p') == []
    assert caplog.text == ''


def test_listing_of_a_binding_without_status():
    # A provider older than service chaining says no status: blank.
    headers, rows = common.listing(
        [{'id': 'b1', 'status': 'failed'}, {'id': 'b2'}], ('id', 'status'))
    assert headers == ('ID', 'Status')
    assert list(rows) == [('b1', 'failed'), ('b2', '')]


USAGE = {
    'projects': [
        {'project_id': 'p1', 'current': {'VCPU': 4, 'MEMORY_MB': 512},
         'period': {'VCPU': {'max': 4, 'average': 3.0}}, 'samples': []},
        {'project_id': 'p2', 'current': {}, 'period': {}, 'samples': []}],
    'total': {'current': {'VCPU': 4, 'MEMORY_MB': 512},
              'period': {'VCPU': {'max': 4, 'average': 3.0},
                         'DISK_GB': {'max': 10, 'average': 5.0}},
              'samples': []},
}


def test_usage_rows_per_project_and_resource():
    columns, rows = common.usage_rows(USAGE)
    assert columns == ('Project', 'Resource', 'Current', 'Max', 'Average')
    # A class in use now but not sampled yet has no period figures; a
    # project using nothing has no row.
    assert rows == [('p1', 'MEMORY_MB', 512, '', ''),
                    ('p1', 'VCPU', 4, 4, 3.0)]


def test_usage_rows_of_the_total():
    _, rows = common.usage_rows(USAGE, total=True)
    # Sampled in the period, no longer in use: current 0.
    assert rows == [('total', 'DISK_GB', 0, 10, 5.0),
                    ('total', 'MEMORY_MB', 512, '', ''),
                    ('total', 'VCPU', 4, 4, 3.0)]


@pytest.mark.parametrize('command', [bound_region.ShowBoundRegionUsage,
                                     binding.ShowBindingUsage])
def test_usage_period_options(command):
    parser = command(None, None).get_parser('usage')
    args = parser.parse_args(['x', '--start', '2026-01-01T00:00Z',
                              '--project', 'p'])
    assert common.period_query(args) == {'start': '2026-01-01T00:00Z'}
    assert args.project == 'p' and args.total is False
