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

"""What a tenant may use, and what is used, in the bound regions.

Usage is never counted here: the provider answers for its binding (from
its Placement), and the provider projects of its answer are mapped back to
the local projects they serve with the bound region's project mappings.
The provider never learns who those projects are.
"""

from keystone_mercador.common import usage
from keystone_mercador import exception
from keystone_mercador import glue
from keystone_mercador.i18n import _

PROVIDERS = glue.PROVIDERS

#: What a tenant sees of a bound region it may use.
REGION_FIELDS = ('id', 'region_id', 'description', 'status', 'reason',
                 'metadata', 'services', 'limits', 'hops')


class Manager(glue.Manager):

    driver_namespace = 'mercador.aggregator'
    _provides_api = 'mercador_usage_api'

    def __init__(self):
        super().__init__('sql')

    @staticmethod
    def get_project(project_id):
        """Keystone's project (not a domain); ProjectNotFound if none."""
        project = PROVIDERS.resource_api.get_project(project_id)
        if project.get('is_domain'):
            raise glue.ProjectNotFound(project_id=project_id)
        return project

    def list_project_regions(self, project_id):
        """The bound regions a project may use, as its tenants see them."""
        project = self.get_project(project_id)
        entitled = self.driver.list_entitled_bound_regions(
            project_id, project['domain_id'])
        rows = [self.driver.get_bound_region(r['id']) for r in entitled]
        return [{k: row[k] for k in REGION_FIELDS}
                for row in sorted(rows, key=lambda r: r['region_id'])]

    def get_usage(self, bound_region_id, query):
        """The usage of a bound region's projects (of one if ``query`` has
        a ``project_id``), now and over the query's period, as its
        provider reports it."""
        start, end = usage.period(query)
        row = self.driver.get_bound_region(bound_region_id)
        if row['status'] != 'active' or not row['binding_id']:
            raise exception.Conflict(
                reason=_('Bound region %s is %s: it has no usage to '
                         'show.') % (row['region_id'], row['status']))
        params = {k: query[k] for k in ('start', 'end') if query.get(k)}
        project_id = query.get('project_id')
        if project_id is not None:
            mapping = self.driver.get_project_mapping(bound_region_id,
                                                      project_id)
            if mapping is None or not mapping['provider_project_id']:
                # It never used the region: nothing to ask the provider.
                return self._view(row, usage.isotime(start),
                                  usage.isotime(end), [], {}, {})
            params['project_id'] = mapping['provider_project_id']
            local = {mapping['provider_project_id']: project_id}
        else:
            local = {m['provider_project_id']: m['project_id']
                     for m in self.driver.list_project_mappings(
                         bound_region_id) if m['provider_project_id']}
        remote = self._remote_usage(row, params)
        projects = [dict(p, project_id=local[p['project_id']])
                    for p in remote['projects'] if p['project_id'] in local]
        return self._view(row, remote['start'], remote['end'], projects,
                          remote['total'], self._names(projects))

    def _remote_usage(self, row, params):
        provider = self.driver.get_provider(row['provider_id'])
        try:
            with PROVIDERS.mercador_provider_api.client(provider) as client:
                return client.get_binding_usage(row['binding_id'], params)
        except (exception.ProviderError,
                glue.CredentialEncryptionError) as e:
            raise exception.UsageUnavailable(region_id=row['region_id'],
                                             reason=str(e))

    def _names(self, projects):
        names = {}
        for project in projects:
            try:
                names[project['project_id']] = self.get_project(
                    project['project_id'])['name']
            except glue.ProjectNotFound:
                names[project['project_id']] = None
        return names

    @staticmethod
    def _view(row, start, end, projects, total, names):
        empty = usage.summary({}, [])
        return {
            'bound_region_id': row['id'], 'region_id': row['region_id'],
            'start': start, 'end': end, 'limits': row['limits'],
            'projects': [
                {'project_id': p['project_id'],
                 'project_name': names.get(p['project_id']),
                 'current': p['current'], 'period': p['period'],
                 'samples': p['samples']} for p in projects],
            'total': total or empty,
        }
