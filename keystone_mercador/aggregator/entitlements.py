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

"""Which projects, or whole domains, may use a bound region.

The rule itself (an active bound region entitled to the project or to its
domain) is one SQL expression, ``mercador_common.entitlements``, that the
driver, the catalog driver and Horizon's region configuration share.
"""

from oslo_log import log

from keystone_mercador import exception
from keystone_mercador import glue
from keystone_mercador.i18n import _

LOG = log.getLogger(__name__)
PROVIDERS = glue.PROVIDERS

ENTITLEMENT = 'OS-MERCADOR:entitlement'
TARGET_TYPES = ('project', 'domain')


class Manager(glue.Manager):

    driver_namespace = 'mercador.aggregator'
    _provides_api = 'mercador_entitlement_api'

    def __init__(self):
        super().__init__('sql')
        for resource_type in TARGET_TYPES:
            glue.on_deleted(resource_type, self.driver.delete_entitlements_of)

    def check_target(self, target_type, target_id):
        """Raise NotFound unless the project or domain exists."""
        if target_type == 'domain':
            PROVIDERS.resource_api.get_domain(target_id)
            return
        project = PROVIDERS.resource_api.get_project(target_id)
        if project.get('is_domain'):
            raise exception.InvalidInput(
                reason=_('%s is a domain; entitle it as a domain.')
                % target_id)

    def list_entitlements(self, bound_region_id=None):
        if bound_region_id is not None:
            self.driver.get_bound_region(bound_region_id)
        return self.driver.list_entitlements(bound_region_id=bound_region_id)

    def get_entitlement(self, bound_region_id, target_type, target_id):
        return self.driver.get_entitlement(bound_region_id, target_type,
                                           target_id)

    def create_entitlement(self, bound_region_id, target_type, target_id,
                           initiator=None):
        self.check_target(target_type, target_id)
        self.driver.create_entitlement(bound_region_id, target_type,
                                       target_id)
        glue.invalidate_catalog()
        glue.Audit.created(ENTITLEMENT, '%s/%s/%s' % (
            bound_region_id, target_type, target_id), initiator)

    def delete_entitlement(self, bound_region_id, target_type, target_id,
                           initiator=None):
        self.driver.get_bound_region(bound_region_id)
        self.driver.delete_entitlement(bound_region_id, target_type,
                                       target_id)
        glue.invalidate_catalog()
        try:
            PROVIDERS.mercador_access_api.withdraw(bound_region_id)
        except glue.Error:
            # The tenant can no longer reach the region (the proxy asks
            # here first); the provider-side roles go at the next removal.
            LOG.warning('Bound region %s: the provider could not be told '
                        'that an entitlement was removed.', bound_region_id,
                        exc_info=True)
        glue.Audit.deleted(ENTITLEMENT, '%s/%s/%s' % (
            bound_region_id, target_type, target_id), initiator)

    def delete_entitlements_of(self, target_id):
        """Forget a project or domain that no longer exists."""
        self.driver.delete_entitlements_of(target_id)

    def is_entitled(self, bound_region_id, project_id):
        return self.driver.is_entitled(bound_region_id, project_id)

    def hidden_region_ids(self, project_id):
        """Region IDs of the bound regions a project may not use."""
        visible = set()
        if project_id:
            visible = {r['region_id'] for r in
                       self.driver.list_entitled_bound_regions(project_id)}
        return {r['region_id'] for r in self.driver.list_bound_regions()
                if r['region_id'] not in visible}
