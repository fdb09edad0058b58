"""SQL driver of the aggregator side, in Keystone's database."""

from oslo_db import exception as db_exception
import sqlalchemy as sa

from keystone_mercador import exception
from keystone_mercador import glue
from keystone_mercador import models
from keystone_mercador.aggregator.backends import base


class Aggregator(base.AggregatorDriverBase):

    # providers

    def create_provider(self, provider):
        with glue.session_for_write() as session:
            if session.query(models.Provider).filter_by(
                    name=provider['name']).first():
                raise exception.Conflict(
                    reason='A provider named %s already exists.'
                    % provider['name'])
            row = models.Provider(**provider)
            session.add(row)
            session.flush()
            return row.to_dict()

    def _get_provider(self, session, provider_id):
        row = session.get(models.Provider, provider_id)
        if row is None:
            raise exception.ProviderNotFound(provider_id=provider_id)
        return row

    def get_provider(self, provider_id):
        with glue.session_for_read() as session:
            return self._get_provider(session, provider_id).to_dict()

    def list_providers(self):
        with glue.session_for_read() as session:
            query = session.query(models.Provider).order_by(
                models.Provider.name)
            return [r.to_dict() for r in query]

    def update_provider(self, provider_id, values):
        with glue.session_for_write() as session:
            row = self._get_provider(session, provider_id)
            for key, value in values.items():
                setattr(row, key, value)
            session.flush()
            return row.to_dict()

    def delete_provider(self, provider_id):
        with glue.session_for_write() as session:
            row = self._get_provider(session, provider_id)
            count = session.query(models.BoundRegion).filter_by(
                provider_id=provider_id).count()
            if count:
                raise exception.Conflict(
                    reason='Provider %s still has %d bound region(s); '
                    'unbind them first.' % (provider_id, count))
            session.delete(row)

    # bound regions

    def create_bound_region(self, bound_region):
        with glue.session_for_write() as session:
            br = models.BoundRegion
            clash = session.query(br).filter(sa.or_(
                br.region_id == bound_region['region_id'],
                sa.and_(br.provider_id == bound_region['provider_id'],
                        br.offer_id == bound_region['offer_id']))).first()
            if clash is not None:
                raise exception.Conflict(reason=_clash(clash, bound_region))
            row = br(**bound_region)
            session.add(row)
            try:
                session.flush()
            except db_exception.DBDuplicateEntry:
                raise exception.Conflict(
                    reason='Region %s or offer %s is being bound by another '
                    'request.' % (bound_region['region_id'],
                                  bound_region['offer_id']))
            return row.to_dict()

    def _get_bound_region(self, session, bound_region_id):
        row = session.get(models.BoundRegion, bound_region_id)
        if row is None:
            raise exception.BoundRegionNotFound(
                bound_region_id=bound_region_id)
        return row

    def get_bound_region(self, bound_region_id):
        with glue.session_for_read() as session:
            return self._get_bound_region(session, bound_region_id).to_dict()

    def find_bound_region(self, idempotency_key=None, region_id=None):
        with glue.session_for_read() as session:
            query = session.query(models.BoundRegion)
            if idempotency_key:
                query = query.filter_by(idempotency_key=idempotency_key)
            if region_id:
                query = query.filter_by(region_id=region_id)
            row = query.first()
            return row.to_dict() if row else None

    def list_bound_regions(self, provider_id=None, status=None,
                           region_id=None, marker=None, limit=None):
        with glue.session_for_read() as session:
            br = models.BoundRegion
            query = session.query(br)
            if provider_id:
                query = query.filter_by(provider_id=provider_id)
            if status:
                query = query.filter_by(status=status)
            if region_id:
                query = query.filter_by(region_id=region_id)
            if marker:
                after = session.get(br, marker)
                if after is None:
                    raise exception.MarkerNotFound(marker=marker)
                query = query.filter(br.region_id > after.region_id)
            query = query.order_by(br.region_id).limit(limit)
            return [r.to_dict() for r in query]

    def update_bound_region(self, bound_region_id, values, endpoints=None):
        with glue.session_for_write() as session:
            row = self._get_bound_region(session, bound_region_id)
            for key, value in values.items():
                setattr(row, key, value)
            if endpoints is not None:
                session.query(models.BoundEndpoint).filter_by(
                    bound_region_id=bound_region_id).delete()
                for endpoint in endpoints:
                    session.add(models.BoundEndpoint(
                        bound_region_id=bound_region_id, **endpoint))
            session.flush()
            return row.to_dict()

    def delete_bound_region(self, bound_region_id):
        with glue.session_for_write() as session:
            row = self._get_bound_region(session, bound_region_id)
            for model in (models.BoundEndpoint, models.Entitlement):
                session.query(model).filter_by(
                    bound_region_id=bound_region_id).delete()
            session.delete(row)

    def list_bound_endpoints(self, bound_region_id):
        with glue.session_for_read() as session:
            query = session.query(models.BoundEndpoint).filter_by(
                bound_region_id=bound_region_id).order_by(
                models.BoundEndpoint.service_type)
            return [r.to_dict() for r in query]

    # catalog services created by Mercador

    def list_owned_services(self):
        with glue.session_for_read() as session:
            return {r.service_type: r.service_id
                    for r in session.query(models.OwnedService)}

    def add_owned_service(self, service_id, service_type):
        with glue.session_for_write() as session:
            session.add(models.OwnedService(service_id=service_id,
                                            service_type=service_type))
            session.flush()

    def remove_owned_service(self, service_id):
        with glue.session_for_write() as session:
            session.query(models.OwnedService).filter_by(
                service_id=service_id).delete()

    def count_bound_endpoints(self, service_id):
        with glue.session_for_read() as session:
            return session.query(models.BoundEndpoint).filter_by(
                service_id=service_id).count()

    # entitlements

    def create_entitlement(self, bound_region_id, target_type, target_id):
        with glue.session_for_write() as session:
            self._get_bound_region(session, bound_region_id)
            key = dict(bound_region_id=bound_region_id,
                       target_type=target_type, target_id=target_id)
            if session.get(models.Entitlement, key) is None:
                session.add(models.Entitlement(**key))
                try:
                    session.flush()
                except db_exception.DBDuplicateEntry:
                    pass  # a concurrent identical request won

    def list_entitlements(self, bound_region_id=None, target_id=None):
        with glue.session_for_read() as session:
            query = session.query(models.Entitlement)
            if bound_region_id:
                query = query.filter_by(bound_region_id=bound_region_id)
            if target_id:
                query = query.filter_by(target_id=target_id)
            query = query.order_by(models.Entitlement.target_type,
                                   models.Entitlement.target_id)
            return [r.to_dict() for r in query]

    def delete_entitlement(self, bound_region_id, target_type, target_id):
        with glue.session_for_write() as session:
            deleted = session.query(models.Entitlement).filter_by(
                bound_region_id=bound_region_id, target_type=target_type,
                target_id=target_id).delete()
            if not deleted:
                raise exception.EntitlementNotFound(
                    bound_region_id=bound_region_id,
                    target='%s %s' % (target_type, target_id))

    def delete_entitlements_of(self, target_id):
        with glue.session_for_write() as session:
            session.query(models.Entitlement).filter_by(
                target_id=target_id).delete()

    def entitled_endpoint_ids(self, target_ids):
        ent, br = models.Entitlement, models.BoundRegion
        ep = models.BoundEndpoint
        with glue.session_for_read() as session:
            query = session.query(ep.endpoint_id).join(
                br, br.id == ep.bound_region_id).join(
                ent, ent.bound_region_id == br.id).filter(
                ent.target_id.in_(target_ids), br.status == 'active')
            return {r.endpoint_id for r in query}

    # project mappings (local project -> provider project)

    def get_project_mapping(self, bound_region_id, project_id):
        with glue.session_for_read() as session:
            row = session.get(models.ProjectMapping,
                              (bound_region_id, project_id))
            return row.to_dict() if row else None

    def create_project_mapping(self, mapping):
        """Store a mapping; return the stored one (a concurrent request
        for the same project may have stored it first)."""
        try:
            with glue.session_for_write() as session:
                session.add(models.ProjectMapping(**mapping))
        except db_exception.DBDuplicateEntry:
            pass
        return self.get_project_mapping(mapping['bound_region_id'],
                                        mapping['project_id'])

    def set_provider_project(self, bound_region_id, project_id,
                             provider_project_id):
        with glue.session_for_write() as session:
            session.query(models.ProjectMapping).filter_by(
                bound_region_id=bound_region_id,
                project_id=project_id).update(
                {'provider_project_id': provider_project_id})


def _clash(row, wanted):
    if row.region_id == wanted['region_id']:
        return 'Region %s is already bound (bound region %s).' % (
            row.region_id, row.id)
    return ('Offer %s of this provider is already bound as region %s; an '
            'offer is bound at most once (delete bound region %s first).'
            % (row.offer_id, row.region_id, row.id))
