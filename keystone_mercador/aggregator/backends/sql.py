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

"""SQL driver of the aggregator side, in Keystone's database."""

import sqlalchemy as sa

from keystone_mercador.aggregator.backends import base
from keystone_mercador.common import sql
from keystone_mercador import exception
from keystone_mercador import glue
from keystone_mercador.i18n import _
from keystone_mercador import models
from mercador_common import entitlements as rule


def _bound_region_columns(values):
    """``values`` with ``metadata`` under its model attribute's name."""
    values = dict(values)
    if 'metadata' in values:
        values['metadata_'] = values.pop('metadata')
    return values


class Aggregator(base.AggregatorDriverBase, sql.Driver):

    # providers

    def create_provider(self, provider):
        return self._insert(
            models.Provider, provider,
            _('A provider named %s already exists.') % provider['name'])

    _get_provider = sql.getter(models.Provider, exception.ProviderNotFound,
                               'provider_id')

    def get_provider(self, provider_id):
        return self._read(self._get_provider, provider_id)

    def list_providers(self):
        return self._list(models.Provider, [models.Provider.name])

    def update_provider(self, provider_id, values):
        with glue.session_for_write() as session:
            return self._update_row(
                session, self._get_provider(session, provider_id), values)

    def delete_provider(self, provider_id):
        with glue.session_for_write() as session:
            row = self._get_provider(session, provider_id)
            count = session.query(models.BoundRegion).filter_by(
                provider_id=provider_id).count()
            if count:
                raise exception.Conflict(
                    reason=_('Provider %s still has %d bound region(s); '
                             'unbind them first.') % (provider_id, count))
            session.delete(row)

    # stored secrets

    _SECRETS = {'provider': (models.Provider, 'encrypted_secret'),
                'bound_region': (models.BoundRegion, 'encrypted_password')}

    def list_secrets(self):
        secrets = []
        with glue.session_for_read() as session:
            for kind, (model, column) in sorted(self._SECRETS.items()):
                blob = getattr(model, column)
                query = session.query(model.id, blob, model.key_hash).filter(
                    blob.isnot(None)).order_by(model.id)
                secrets.extend({'kind': kind, 'id': row_id, 'blob': value,
                                'key_hash': key_hash}
                               for row_id, value, key_hash in query)
        return secrets

    def replace_secret(self, kind, row_id, old_blob, new_blob, key_hash):
        model, column = self._SECRETS[kind]
        blob = getattr(model, column)
        with glue.session_for_write() as session:
            # Compare and swap: a secret changed meanwhile (a new
            # credential, a rebind) is left as it is.
            replaced = session.query(model).filter(
                model.id == row_id, blob == old_blob).update(
                {column: new_blob, 'key_hash': key_hash},
                synchronize_session=False)
        return bool(replaced)

    # bound regions

    def create_bound_region(self, bound_region):
        with glue.session_for_read() as session:
            br = models.BoundRegion
            clash = session.query(br).filter(sa.or_(
                br.region_id == bound_region['region_id'],
                sa.and_(br.provider_id == bound_region['provider_id'],
                        br.offer_id == bound_region['offer_id']))).first()
            if clash is not None:
                raise exception.Conflict(reason=_clash(clash, bound_region))
        # A concurrent request may still get there first: the unique
        # constraints decide.
        return self._insert(
            models.BoundRegion, _bound_region_columns(bound_region),
            _('Region %s or offer %s is being bound by another request.')
            % (bound_region['region_id'], bound_region['offer_id']))

    _get_bound_region = sql.getter(
        models.BoundRegion, exception.BoundRegionNotFound, 'bound_region_id')

    def get_bound_region(self, bound_region_id):
        return self._read(self._get_bound_region, bound_region_id)

    def find_bound_region(self, idempotency_key=None, region_id=None):
        filters = {k: v for k, v in (('idempotency_key', idempotency_key),
                                     ('region_id', region_id)) if v}
        if not filters:
            return None
        return self._find(models.BoundRegion, **filters)

    def list_bound_regions(self, provider_id=None, status=None,
                           region_id=None, marker=None, limit=None):
        with glue.session_for_read() as session:
            br = models.BoundRegion
            query = session.query(br).filter_by(**{
                k: v for k, v in (('provider_id', provider_id),
                                  ('status', status),
                                  ('region_id', region_id)) if v})
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
            if endpoints is not None:
                session.query(models.BoundEndpoint).filter_by(
                    bound_region_id=bound_region_id).delete()
                for endpoint in endpoints:
                    session.add(models.BoundEndpoint(
                        bound_region_id=bound_region_id, **endpoint))
            return self._update_row(session, row,
                                    _bound_region_columns(values))

    def delete_bound_region(self, bound_region_id):
        with glue.session_for_write() as session:
            row = self._get_bound_region(session, bound_region_id)
            for model in (models.BoundEndpoint, models.Entitlement,
                          models.ProjectMapping, models.UserMapping):
                session.query(model).filter_by(
                    bound_region_id=bound_region_id).delete()
            session.delete(row)

    def list_bound_endpoints(self, bound_region_id):
        return self._list(models.BoundEndpoint,
                          [models.BoundEndpoint.service_type],
                          bound_region_id=bound_region_id)

    # catalog services created by Mercador

    def list_owned_services(self):
        return {r['service_type']: r['service_id']
                for r in self._list(models.OwnedService, [])}

    def add_owned_service(self, service_id, service_type):
        self._insert(
            models.OwnedService,
            {'service_id': service_id, 'service_type': service_type},
            _('A service of type %s was created for bound regions by '
              'another request.') % service_type,
            conflict=exception.OwnedServiceConflict)

    def remove_owned_service(self, service_id):
        with glue.session_for_write() as session:
            session.query(models.OwnedService).filter_by(
                service_id=service_id).delete()

    # entitlements

    def create_entitlement(self, bound_region_id, target_type, target_id):
        key = dict(bound_region_id=bound_region_id, target_type=target_type,
                   target_id=target_id)
        # Its own transaction (never inside another): the duplicate of a
        # concurrent identical request rolls it back, which is then a
        # success (idempotent).
        try:
            with glue.session_for_write() as session:
                self._get_bound_region(session, bound_region_id)
                if session.get(models.Entitlement, key) is None:
                    session.add(models.Entitlement(**key))
                    self._flush(session, '')
        except exception.Conflict:
            pass

    def get_entitlement(self, bound_region_id, target_type, target_id):
        row = self._find(models.Entitlement, bound_region_id=bound_region_id,
                         target_type=target_type, target_id=target_id)
        if row is None:
            raise exception.EntitlementNotFound(
                bound_region_id=bound_region_id,
                target='%s %s' % (target_type, target_id))
        return row

    def list_entitlements(self, bound_region_id=None, target_id=None):
        ent = models.Entitlement
        return self._list(ent, [ent.target_type, ent.target_id],
                          bound_region_id=bound_region_id,
                          target_id=target_id)

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

    def list_entitled_bound_regions(self, project_id, domain_id=None):
        with glue.session_for_read() as session:
            query = rule.entitled_bound_regions(
                project_id, domain_id or rule.domain_of(project_id),
                rule.bound_region.c.id, rule.bound_region.c.region_id)
            return [dict(r._mapping) for r in session.execute(query)]

    def is_entitled(self, bound_region_id, project_id):
        with glue.session_for_read() as session:
            query = rule.entitled_bound_regions(
                project_id, rule.domain_of(project_id)).where(
                rule.bound_region.c.id == bound_region_id)
            return session.execute(query).first() is not None

    # project mappings (local project -> provider project)

    def get_project_mapping(self, bound_region_id, project_id):
        with glue.session_for_read() as session:
            row = session.get(models.ProjectMapping,
                              (bound_region_id, project_id))
            return row.to_dict() if row else None

    def create_project_mapping(self, mapping):
        # Its own transaction, as create_entitlement.
        try:
            self._insert(models.ProjectMapping, mapping, '')
        except exception.Conflict:
            pass  # a concurrent request for the same project stored it
        return self.get_project_mapping(mapping['bound_region_id'],
                                        mapping['project_id'])

    def list_project_mappings(self, bound_region_id):
        pm = models.ProjectMapping
        return self._list(pm, [pm.project_id],
                          bound_region_id=bound_region_id)

    def set_provider_project(self, bound_region_id, project_id,
                             provider_project_id):
        with glue.session_for_write() as session:
            session.query(models.ProjectMapping).filter_by(
                bound_region_id=bound_region_id,
                project_id=project_id).update(
                {'provider_project_id': provider_project_id})

    # user mappings (local user -> provider user)

    def get_user_mapping(self, bound_region_id, user_id):
        with glue.session_for_read() as session:
            row = session.get(models.UserMapping, (bound_region_id, user_id))
            return row.to_dict() if row else None

    def create_user_mapping(self, mapping):
        try:
            self._insert(models.UserMapping, mapping, '')
        except exception.Conflict:
            pass  # a concurrent request for the same user stored it
        return self.get_user_mapping(mapping['bound_region_id'],
                                     mapping['user_id'])

    def set_provider_user(self, bound_region_id, user_id, provider_user_id):
        with glue.session_for_write() as session:
            session.query(models.UserMapping).filter_by(
                bound_region_id=bound_region_id, user_id=user_id).update(
                {'provider_user_id': provider_user_id})

    def list_user_mappings(self, user_id=None, bound_region_id=None):
        um = models.UserMapping
        return self._list(um, [um.bound_region_id, um.user_id],
                          user_id=user_id, bound_region_id=bound_region_id)

    def delete_user_mapping(self, bound_region_id, user_id):
        with glue.session_for_write() as session:
            session.query(models.UserMapping).filter_by(
                bound_region_id=bound_region_id, user_id=user_id).delete()

    def local_ids(self, bound_region_id, provider_ids):
        """``{provider ID: local ID}`` of the projects and users mapped in
        a bound region, for those of ``provider_ids`` that are."""
        found = {}
        if not provider_ids:
            return found
        pm, um = models.ProjectMapping, models.UserMapping
        with glue.session_for_read() as session:
            for remote, local, model in (
                    (pm.provider_project_id, pm.project_id, pm),
                    (um.provider_user_id, um.user_id, um)):
                query = session.query(remote, local).filter(
                    model.bound_region_id == bound_region_id,
                    remote.in_(list(provider_ids)))
                found.update(dict(query.all()))
        return found


def _clash(row, wanted):
    if row.region_id == wanted['region_id']:
        return _('Region %s is already bound (bound region %s).') % (
            row.region_id, row.id)
    return (_('Offer %s of this provider is already bound as region %s; an '
              'offer is bound at most once (delete bound region %s first).')
            % (row.offer_id, row.region_id, row.id))
