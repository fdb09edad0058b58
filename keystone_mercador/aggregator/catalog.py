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

"""Keystone catalog driver that shows bound regions to entitled projects.

Select it with ``[catalog] driver = mercador``. It is Keystone's SQL driver
except for the catalog rendered into tokens, which Keystone computes on
every authenticated request. Its cost must follow the regions a project
may use, not every region the aggregator bound, so no query scans the
whole endpoint table:

* local endpoints are read through the index on their service, for the
  services Mercador did not create, each checked against the bound-endpoint
  primary key (a correlated ``NOT EXISTS``, not a ``NOT IN`` that would
  build the set of every bound endpoint);
* the endpoints of the bound regions the project, or its domain, is
  entitled to are added through the entitlement rule
  (``mercador_common.entitlements``, driven from the entitlements' target
  index; the project's domain is a subquery, not one more ORM load of the
  project).

Services Mercador created (``mercador_service``) exist for bound regions
only: an endpoint added to one by hand is in no catalog.
"""

import sqlalchemy as sa

from keystone_mercador import glue
from keystone_mercador import models
from mercador_common import entitlements as rule

CONF = glue.CONF
PROVIDERS = glue.PROVIDERS
Endpoint = glue.CatalogEndpoint
Service = glue.CatalogService


def _entitled(project_id):
    """IDs of the endpoints of the bound regions the project may use."""
    ep = models.BoundEndpoint
    return sa.select(ep.endpoint_id).where(
        ep.bound_region_id.in_(rule.entitled_bound_regions(
            project_id, rule.domain_of(project_id))))


class Catalog(glue.CatalogDriver):

    def get_v3_catalog(self, user_id, project_id):
        """Like Keystone's, minus the bound regions not entitled."""
        values = dict(CONF.items(), user_id=user_id)
        silent_keyerror_failures = []
        if project_id:
            values.update(tenant_id=project_id, project_id=project_id)
        else:
            silent_keyerror_failures = ['tenant_id', 'project_id']

        with glue.session_for_read() as session:
            services = session.query(
                Service, models.OwnedService.service_id).outerjoin(
                models.OwnedService,
                models.OwnedService.service_id == Service.id).filter(
                Service.enabled.is_(True)).all()
            local = [svc.id for svc, owned in services if owned is None]
            endpoints = session.query(Endpoint).filter(
                Endpoint.enabled.is_(True), Endpoint.service_id.in_(local),
                ~sa.exists().where(
                    models.BoundEndpoint.endpoint_id == Endpoint.id)).all()
            if project_id:
                endpoints += session.query(Endpoint).filter(
                    Endpoint.enabled.is_(True),
                    Endpoint.id.in_(_entitled(project_id))).all()

        by_service = {}
        for endpoint in endpoints:
            ref = self._format_endpoint(endpoint, values,
                                        silent_keyerror_failures)
            if ref is not None:
                by_service.setdefault(endpoint.service_id, []).append(ref)
        catalog = [
            {'endpoints': by_service.get(svc.id, []), 'id': svc.id,
             'type': svc.type, 'name': svc.extra.get('name', '')}
            for svc, owned in services
            # A service Mercador created exists only for bound regions.
            if svc.id in by_service or owned is None]
        return self._filter_by_project(catalog, project_id)

    @staticmethod
    def _format_endpoint(endpoint, values, silent_keyerror_failures):
        ref = endpoint.to_dict()
        for key in ('service_id', 'legacy_endpoint_id', 'enabled'):
            del ref[key]
        ref['region'] = ref['region_id']
        try:
            url = glue.format_url(
                ref['url'], values,
                silent_keyerror_failures=silent_keyerror_failures)
        except glue.MalformedEndpoint:
            return None  # already logged by format_url
        if not url:
            return None
        ref['url'] = url
        return ref

    def _filter_by_project(self, catalog, project_id):
        """Keystone's endpoint filter (OS-EP-FILTER), unchanged."""
        filtered = {}
        if project_id:
            filtered = self.catalog_api.list_endpoints_for_project(
                project_id)
        if not filtered:
            if CONF.endpoint_filter.return_all_endpoints_if_no_filter:
                return catalog
            return []
        result = []
        for service in catalog:
            service['endpoints'] = [
                e for e in service['endpoints']
                if e['id'] in filtered and filtered[e['id']]['enabled']]
            if service['endpoints']:
                result.append(service)
        return result
