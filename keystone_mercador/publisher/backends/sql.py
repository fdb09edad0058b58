"""SQL driver of the provider side, in Keystone's database."""

import sqlalchemy as sa
from oslo_db import exception as db_exception

from keystone_mercador import exception
from keystone_mercador import glue
from keystone_mercador import models
from keystone_mercador.publisher.backends import base


def _vr_dict(row, aggregator_ids):
    d = row.to_dict()
    d['aggregator_ids'] = sorted(aggregator_ids)
    return d


class Publisher(base.PublisherDriverBase):

    # aggregators

    def create_aggregator(self, aggregator):
        with glue.session_for_write() as session:
            if session.query(models.Aggregator).filter_by(
                    name=aggregator['name']).first():
                raise exception.Conflict(
                    reason='An aggregator named %s already exists.'
                    % aggregator['name'])
            row = models.Aggregator(**aggregator)
            session.add(row)
            session.flush()
            return row.to_dict()

    def _get_aggregator(self, session, aggregator_id):
        row = session.get(models.Aggregator, aggregator_id)
        if row is None:
            raise exception.AggregatorNotFound(aggregator_id=aggregator_id)
        return row

    def get_aggregator(self, aggregator_id):
        with glue.session_for_read() as session:
            return self._get_aggregator(session, aggregator_id).to_dict()

    def find_aggregator_by_project(self, project_id):
        with glue.session_for_read() as session:
            row = session.query(models.Aggregator).filter_by(
                project_id=project_id).first()
            return row.to_dict() if row else None

    def list_aggregators(self):
        with glue.session_for_read() as session:
            query = session.query(models.Aggregator).order_by(
                models.Aggregator.name)
            return [r.to_dict() for r in query]

    def update_aggregator(self, aggregator_id, values):
        with glue.session_for_write() as session:
            row = self._get_aggregator(session, aggregator_id)
            for key, value in values.items():
                setattr(row, key, value)
            session.flush()
            return row.to_dict()

    def delete_aggregator(self, aggregator_id):
        with glue.session_for_write() as session:
            row = self._get_aggregator(session, aggregator_id)
            session.query(models.VirtualRegionAccess).filter_by(
                aggregator_id=aggregator_id).delete()
            session.delete(row)

    # virtual regions

    def _access(self, session, vr_ids):
        result = {vr_id: [] for vr_id in vr_ids}
        if vr_ids:
            query = session.query(models.VirtualRegionAccess).filter(
                models.VirtualRegionAccess.virtual_region_id.in_(vr_ids))
            for row in query:
                result[row.virtual_region_id].append(row.aggregator_id)
        return result

    def _set_access(self, session, vr_id, aggregator_ids):
        session.query(models.VirtualRegionAccess).filter_by(
            virtual_region_id=vr_id).delete()
        for aggregator_id in aggregator_ids:
            session.add(models.VirtualRegionAccess(
                virtual_region_id=vr_id, aggregator_id=aggregator_id))

    def _get_virtual_region(self, session, virtual_region_id):
        row = session.get(models.VirtualRegion, virtual_region_id)
        if row is None:
            raise exception.VirtualRegionNotFound(
                virtual_region_id=virtual_region_id)
        return row

    def _vr_exists(self, session, name, exclude_id=None):
        query = session.query(models.VirtualRegion).filter_by(name=name)
        if exclude_id:
            query = query.filter(models.VirtualRegion.id != exclude_id)
        if query.first():
            raise exception.Conflict(
                reason='A virtual region named %s already exists.' % name)

    def create_virtual_region(self, virtual_region, aggregator_ids):
        values = dict(virtual_region)
        values['metadata_'] = values.pop('metadata')
        with glue.session_for_write() as session:
            self._vr_exists(session, values['name'])
            row = models.VirtualRegion(**values)
            session.add(row)
            session.flush()
            self._set_access(session, row.id, aggregator_ids)
            session.flush()
            return _vr_dict(row, aggregator_ids)

    def get_virtual_region(self, virtual_region_id):
        with glue.session_for_read() as session:
            row = self._get_virtual_region(session, virtual_region_id)
            return _vr_dict(row, self._access(session, [row.id])[row.id])

    def _vr_dicts(self, session, rows):
        access = self._access(session, [r.id for r in rows])
        return [_vr_dict(r, access[r.id]) for r in rows]

    def list_virtual_regions(self, status=None, name=None):
        with glue.session_for_read() as session:
            query = session.query(models.VirtualRegion)
            if status:
                query = query.filter_by(status=status)
            if name:
                query = query.filter_by(name=name)
            return self._vr_dicts(
                session, query.order_by(models.VirtualRegion.name).all())

    def list_offers(self, aggregator_id):
        vr = models.VirtualRegion
        access = models.VirtualRegionAccess
        with glue.session_for_read() as session:
            listed = sa.select(access.virtual_region_id).where(
                access.aggregator_id == aggregator_id)
            query = session.query(vr).filter(
                vr.status == 'published',
                sa.or_(vr.visibility == 'all', vr.id.in_(listed)),
            ).order_by(vr.name)
            return self._vr_dicts(session, query.all())

    def update_virtual_region(self, virtual_region_id, values,
                              aggregator_ids=None):
        values = dict(values)
        if 'metadata' in values:
            values['metadata_'] = values.pop('metadata')
        with glue.session_for_write() as session:
            row = self._get_virtual_region(session, virtual_region_id)
            if 'name' in values:
                self._vr_exists(session, values['name'], exclude_id=row.id)
            for key, value in values.items():
                setattr(row, key, value)
            if aggregator_ids is not None:
                self._set_access(session, row.id, aggregator_ids)
            session.flush()
            return _vr_dict(row, self._access(session, [row.id])[row.id])

    def delete_virtual_region(self, virtual_region_id):
        with glue.session_for_write() as session:
            row = self._get_virtual_region(session, virtual_region_id)
            self._set_access(session, row.id, [])
            session.delete(row)

    # bindings

    def create_binding(self, binding):
        with glue.session_for_write() as session:
            row = models.Binding(**binding)
            session.add(row)
            try:
                session.flush()
            except db_exception.DBDuplicateEntry:
                raise exception.Conflict(
                    reason='A binding with idempotency key %s is being '
                    'created; retry.' % binding['idempotency_key'])
            return row.to_dict()

    def _get_binding(self, session, binding_id):
        row = session.get(models.Binding, binding_id)
        if row is None:
            raise exception.BindingNotFound(binding_id=binding_id)
        return row

    def get_binding(self, binding_id):
        with glue.session_for_read() as session:
            return self._get_binding(session, binding_id).to_dict()

    def find_binding_by_key(self, aggregator_id, idempotency_key):
        with glue.session_for_read() as session:
            row = session.query(models.Binding).filter_by(
                aggregator_id=aggregator_id,
                idempotency_key=idempotency_key).first()
            return row.to_dict() if row else None

    def list_bindings(self, aggregator_id=None, virtual_region_id=None):
        with glue.session_for_read() as session:
            query = session.query(models.Binding)
            if aggregator_id:
                query = query.filter_by(aggregator_id=aggregator_id)
            if virtual_region_id:
                query = query.filter_by(virtual_region_id=virtual_region_id)
            query = query.order_by(models.Binding.created_at,
                                   models.Binding.id)
            return [r.to_dict() for r in query]

    def count_bindings(self, virtual_region_ids):
        counts = {vr_id: 0 for vr_id in virtual_region_ids}
        if not virtual_region_ids:
            return counts
        b = models.Binding
        with glue.session_for_read() as session:
            query = session.query(b.virtual_region_id, sa.func.count()).filter(
                b.virtual_region_id.in_(virtual_region_ids)).group_by(
                b.virtual_region_id)
            counts.update(dict(query.all()))
        return counts

    def delete_binding(self, binding_id):
        with glue.session_for_write() as session:
            row = self._get_binding(session, binding_id)
            session.query(models.BindingProject).filter_by(
                binding_id=binding_id).delete()
            session.delete(row)

    # binding projects

    def create_binding_project(self, binding_project):
        with glue.session_for_write() as session:
            row = models.BindingProject(**binding_project)
            session.add(row)
            try:
                session.flush()
            except db_exception.DBDuplicateEntry:
                raise exception.Conflict(
                    reason='A project for this reference is being created; '
                    'retry.')
            return row.to_dict()

    def get_binding_project(self, binding_id, project_id):
        with glue.session_for_read() as session:
            row = session.query(models.BindingProject).filter_by(
                binding_id=binding_id, id=project_id).first()
            if row is None:
                raise exception.BindingProjectNotFound(project_id=project_id)
            return row.to_dict()

    def find_binding_project(self, binding_id, reference):
        with glue.session_for_read() as session:
            row = session.query(models.BindingProject).filter_by(
                binding_id=binding_id, reference=reference).first()
            return row.to_dict() if row else None

    def list_binding_projects(self, binding_id):
        with glue.session_for_read() as session:
            query = session.query(models.BindingProject).filter_by(
                binding_id=binding_id).order_by(
                models.BindingProject.created_at, models.BindingProject.id)
            return [r.to_dict() for r in query]

    def delete_binding_project(self, binding_id, project_id):
        with glue.session_for_write() as session:
            deleted = session.query(models.BindingProject).filter_by(
                binding_id=binding_id, id=project_id).delete()
            if not deleted:
                raise exception.BindingProjectNotFound(project_id=project_id)
