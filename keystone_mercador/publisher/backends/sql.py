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

"""SQL driver of the provider side, in Keystone's database."""

import sqlalchemy as sa

from keystone_mercador.common import sql
from keystone_mercador import exception
from keystone_mercador import glue
from keystone_mercador.i18n import _
from keystone_mercador import models
from keystone_mercador.publisher.backends import base


def _vr_dict(row, aggregator_ids):
    d = row.to_dict()
    d['aggregator_ids'] = sorted(aggregator_ids)
    return d


class Publisher(base.PublisherDriverBase, sql.Driver):

    # aggregators

    def create_aggregator(self, aggregator):
        return self._insert(
            models.Aggregator, aggregator,
            _('An aggregator named %s already exists.') % aggregator['name'])

    _get_aggregator = sql.getter(
        models.Aggregator, exception.AggregatorNotFound, 'aggregator_id')

    def get_aggregator(self, aggregator_id):
        return self._read(self._get_aggregator, aggregator_id)

    def find_aggregator_by_project(self, project_id):
        return self._find(models.Aggregator, project_id=project_id)

    def list_aggregators(self):
        return self._list(models.Aggregator, [models.Aggregator.name])

    def update_aggregator(self, aggregator_id, values):
        with glue.session_for_write() as session:
            return self._update_row(
                session, self._get_aggregator(session, aggregator_id),
                values)

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

    _get_virtual_region = sql.getter(
        models.VirtualRegion, exception.VirtualRegionNotFound,
        'virtual_region_id')

    def _vr_exists(self, session, name, exclude_id=None):
        query = session.query(models.VirtualRegion).filter_by(name=name)
        if exclude_id:
            query = query.filter(models.VirtualRegion.id != exclude_id)
        if query.first():
            raise exception.Conflict(
                reason=_('A virtual region named %s already exists.') % name)

    @staticmethod
    def _vr_duplicate(values):
        return _('A virtual region named %s already exists, or domain %s '
                 'already backs one.') % (values.get('name'),
                                          values.get('domain_id'))

    def create_virtual_region(self, virtual_region, aggregator_ids):
        values = dict(virtual_region)
        values['metadata_'] = values.pop('metadata')
        with glue.session_for_write() as session:
            self._vr_exists(session, values['name'])
            row = models.VirtualRegion(**values)
            session.add(row)
            self._flush(session, self._vr_duplicate(values))
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
            self._flush(session, self._vr_duplicate(values))
            return _vr_dict(row, self._access(session, [row.id])[row.id])

    def delete_virtual_region(self, virtual_region_id):
        with glue.session_for_write() as session:
            row = self._get_virtual_region(session, virtual_region_id)
            self._set_access(session, row.id, [])
            session.delete(row)

    # bindings

    def create_binding(self, binding):
        return self._insert(
            models.Binding, binding,
            _('A binding with idempotency key %s is being created; retry.')
            % binding['idempotency_key'])

    _get_binding = sql.getter(models.Binding, exception.BindingNotFound,
                              'binding_id')

    def update_binding(self, binding_id, values):
        with glue.session_for_write() as session:
            return self._update_row(
                session, self._get_binding(session, binding_id), values)

    def get_binding(self, binding_id):
        return self._read(self._get_binding, binding_id)

    def lock_binding(self, binding_id):
        # A write of the row, which changes nothing: a row lock in MariaDB
        # and PostgreSQL, the database's write lock in SQLite (which
        # ignores SELECT ... FOR UPDATE).
        b = models.Binding
        with glue.session_for_write() as session:
            if not session.query(b).filter_by(id=binding_id).update(
                    {b.created_at: b.created_at}, synchronize_session=False):
                raise exception.BindingNotFound(binding_id=binding_id)

    def find_binding_by_key(self, aggregator_id, idempotency_key):
        return self._find(models.Binding, aggregator_id=aggregator_id,
                          idempotency_key=idempotency_key)

    def list_bindings(self, aggregator_id=None, virtual_region_id=None):
        return self._list(
            models.Binding, [models.Binding.created_at, models.Binding.id],
            aggregator_id=aggregator_id or None,
            virtual_region_id=virtual_region_id or None)

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
            for model in (models.UsageSample, models.BindingProject,
                          models.BindingUser):
                session.query(model).filter_by(binding_id=binding_id).delete()
            session.delete(row)

    # binding projects

    def create_binding_project(self, binding_project):
        return self._insert(
            models.BindingProject, binding_project,
            _('A project for this reference is being created; retry.'))

    def get_binding_project(self, binding_id, project_id):
        row = self._find(models.BindingProject, binding_id=binding_id,
                         id=project_id)
        if row is None:
            raise exception.BindingProjectNotFound(project_id=project_id)
        return row

    def find_binding_project(self, binding_id, reference):
        return self._find(models.BindingProject, binding_id=binding_id,
                          reference=reference)

    def list_binding_projects(self, binding_id):
        bp = models.BindingProject
        return self._list(bp, [bp.created_at, bp.id], binding_id=binding_id)

    def delete_binding_project(self, binding_id, project_id):
        with glue.session_for_write() as session:
            session.query(models.UsageSample).filter_by(
                binding_id=binding_id, project_id=project_id).delete()
            deleted = session.query(models.BindingProject).filter_by(
                binding_id=binding_id, id=project_id).delete()
            if not deleted:
                raise exception.BindingProjectNotFound(project_id=project_id)

    # binding users

    def create_binding_user(self, binding_user):
        return self._insert(
            models.BindingUser, binding_user,
            _('A user for this reference is being created; retry.'))

    def set_binding_user_id(self, placeholder_id, user_id):
        with glue.session_for_write() as session:
            session.query(models.BindingUser).filter_by(
                id=placeholder_id).update({'id': user_id})
        return self._find(models.BindingUser, id=user_id)

    def get_binding_user(self, binding_id, user_id):
        row = self._find(models.BindingUser, binding_id=binding_id,
                         id=user_id)
        if row is None:
            raise exception.BindingUserNotFound(user_id=user_id)
        return row

    def find_binding_user(self, binding_id, reference):
        return self._find(models.BindingUser, binding_id=binding_id,
                          reference=reference)

    def list_binding_users(self, binding_id):
        bu = models.BindingUser
        return self._list(bu, [bu.created_at, bu.id], binding_id=binding_id)

    def delete_binding_user(self, binding_id, user_id):
        with glue.session_for_write() as session:
            deleted = session.query(models.BindingUser).filter_by(
                binding_id=binding_id, id=user_id).delete()
            if not deleted:
                raise exception.BindingUserNotFound(user_id=user_id)

    # usage samples

    def create_usage_samples(self, binding_id, samples, sampled_at):
        with glue.session_for_write() as session:
            for project_id, usages in sorted(samples.items()):
                session.add(models.UsageSample(
                    binding_id=binding_id, project_id=project_id,
                    sampled_at=sampled_at, usages=usages))

    def last_sampled_at(self, binding_id):
        us = models.UsageSample
        with glue.session_for_read() as session:
            query = session.query(us.project_id, sa.func.max(
                us.sampled_at)).filter(us.binding_id == binding_id).group_by(
                us.project_id)
            return dict(query.all())

    def list_usage_samples(self, binding_id, start, end, project_id=None):
        us = models.UsageSample
        with glue.session_for_read() as session:
            query = session.query(us).filter(
                us.binding_id == binding_id, us.sampled_at >= start,
                us.sampled_at <= end)
            if project_id is not None:
                query = query.filter(us.project_id == project_id)
            return [{'project_id': r.project_id, 'sampled_at': r.sampled_at,
                     'usages': r.usages}
                    for r in query.order_by(us.sampled_at, us.id)]
