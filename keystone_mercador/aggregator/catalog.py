"""Keystone catalog driver that shows bound regions to entitled projects.

Select it with ``[catalog] driver = mercador``. It is Keystone's SQL driver
except for the catalog rendered into tokens: the endpoints of bound regions
are left out of the generic query, and only those of the bound regions the
token's project (or its domain) is entitled to are added back, by an indexed
lookup in Mercador's tables. The work per token therefore grows with the
regions a project may use, not with every region the aggregator bound.
"""

import sqlalchemy as sa

from keystone_mercador import glue
from keystone_mercador import models

CONF = glue.CONF
PROVIDERS = glue.PROVIDERS
Endpoint = glue.CatalogEndpoint
Service = glue.CatalogService


def _entitled_endpoints(target_ids):
    ent, br, ep = models.Entitlement, models.BoundRegion, models.BoundEndpoint
    return sa.select(ep.endpoint_id).join(
        br, br.id == ep.bound_region_id).join(
        ent, ent.bound_region_id == br.id).where(
        ent.target_id.in_(target_ids), br.status == 'active')


class Catalog(glue.CatalogDriver):

    def get_v3_catalog(self, user_id, project_id):
        """Like Keystone's, minus the bound regions not entitled."""
        values = dict(CONF.items(), user_id=user_id)
        silent_keyerror_failures = []
        if project_id:
            values.update(tenant_id=project_id, project_id=project_id)
            domain_id = PROVIDERS.resource_api.get_project(
                project_id)['domain_id']
            visible = sa.or_(
                Endpoint.id.not_in(sa.select(
                    models.BoundEndpoint.endpoint_id)),
                Endpoint.id.in_(_entitled_endpoints(
                    [project_id, domain_id])))
        else:
            silent_keyerror_failures = ['tenant_id', 'project_id']
            visible = Endpoint.id.not_in(sa.select(
                models.BoundEndpoint.endpoint_id))

        with glue.session_for_read() as session:
            services = session.query(Service).filter(
                Service.enabled.is_(True)).all()
            endpoints = session.query(Endpoint).filter(
                Endpoint.enabled.is_(True), visible).all()
            owned = {r.service_id
                     for r in session.query(models.OwnedService)}

        by_service = {}
        for endpoint in endpoints:
            ref = self._format_endpoint(endpoint, values,
                                        silent_keyerror_failures)
            if ref is not None:
                by_service.setdefault(endpoint.service_id, []).append(ref)
        catalog = [
            {'endpoints': by_service.get(svc.id, []), 'id': svc.id,
             'type': svc.type, 'name': svc.extra.get('name', '')}
            for svc in services
            # A service Mercador created exists only for bound regions.
            if svc.id in by_service or svc.id not in owned]
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
