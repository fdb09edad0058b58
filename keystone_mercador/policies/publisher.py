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

"""Default policies of the provider side (publisher).

``target.aggregator`` is the aggregator that owns the object acted on (or,
for creations, the aggregator the caller's token belongs to), looked up
from stored rows.
"""

from keystone_mercador.policies import base

AGGREGATOR_ROLE = 'mercador_aggregator'

PROVIDER_ADMIN = 'rule:mercador:provider_admin'
PROVIDER_READER = 'rule:mercador:provider_reader'
AGGREGATOR = 'rule:mercador:aggregator_owner'
BINDING_IDENTITY = 'rule:mercador:binding_identity'

_personas = [
    base.persona('mercador:provider_admin', base.ADMIN,
                 'A provider administrator.'),
    base.persona('mercador:provider_reader', base.READER,
                 'A provider administrator or system reader.'),
    base.persona(
        'mercador:aggregator_owner',
        'role:%s and project_id:%%(target.aggregator.project_id)s'
        % AGGREGATOR_ROLE,
        'The registered aggregator that owns the target, using the '
        'credential the provider issued to it.'),
    base.persona(
        'mercador:binding_identity',
        'user_id:%(target.binding.user_id)s',
        'The identity of the target binding, using the binding\'s own '
        'credential (which only the aggregator that bound it holds).'),
]

_VR = '/virtual_regions'
_VR_ID = _VR + '/{virtual_region_id}'
_AGG = '/aggregators'
_AGG_ID = _AGG + '/{aggregator_id}'
_BND = '/bindings'
_BND_ID = _BND + '/{binding_id}'
_BPRJ = _BND_ID + '/projects'
_BPRJ_ID = _BPRJ + '/{project_id}'
_BUSR = _BND_ID + '/users'
_BUSR_ID = _BUSR + '/{user_id}'

PROVIDER_OR_AGGREGATOR_READER = '%s or %s' % (PROVIDER_READER, AGGREGATOR)
PROVIDER_OR_AGGREGATOR = '%s or %s' % (PROVIDER_ADMIN, AGGREGATOR)

_publisher = [
    base.rule('virtual_region', 'create', PROVIDER_ADMIN, 'POST', _VR,
              'Create a virtual region.'),
    base.rule('virtual_region', 'list', PROVIDER_READER, 'GET,HEAD', _VR,
              'List virtual regions.'),
    base.rule('virtual_region', 'get', PROVIDER_READER, 'GET,HEAD', _VR_ID,
              'Show a virtual region.'),
    base.rule('virtual_region', 'update', PROVIDER_ADMIN, 'PATCH', _VR_ID,
              'Update, publish or withdraw a virtual region.'),
    base.rule('virtual_region', 'delete', PROVIDER_ADMIN, 'DELETE', _VR_ID,
              'Delete a virtual region that has no binding.'),
    base.rule('metadata_schema', 'get', '', 'GET,HEAD', '/metadata_schema',
              'Show the JSON Schema virtual region metadata must follow. Any '
              'authenticated caller.'),
    base.rule('aggregator', 'create', PROVIDER_ADMIN, 'POST', _AGG,
              'Register an aggregator and issue its credential.'),
    base.rule('aggregator', 'list', PROVIDER_READER, 'GET,HEAD', _AGG,
              'List aggregators.'),
    base.rule('aggregator', 'get', PROVIDER_READER, 'GET,HEAD', _AGG_ID,
              'Show an aggregator.'),
    base.rule('aggregator', 'update', PROVIDER_ADMIN, 'PATCH', _AGG_ID,
              'Rename or describe an aggregator.'),
    base.rule('aggregator', 'delete', PROVIDER_ADMIN, 'DELETE', _AGG_ID,
              'Revoke an aggregator: its credential and all its bindings.'),
    base.rule('offer', 'list', AGGREGATOR, 'GET,HEAD', '/offers',
              'List the virtual regions the calling aggregator may bind.',
              base.PROJECT_SCOPE),
    base.rule('offer', 'get', AGGREGATOR, 'GET,HEAD', '/offers/{offer_id}',
              'Show one offer to the calling aggregator.', base.PROJECT_SCOPE),
    base.rule('binding', 'create', AGGREGATOR, 'POST', _BND,
              'Bind an offer (aggregator only).', base.PROJECT_SCOPE),
    base.rule('binding', 'list', PROVIDER_OR_AGGREGATOR_READER, 'GET,HEAD',
              _BND, 'List bindings: all of them for provider readers, its '
              'own for an aggregator.'),
    base.rule('binding', 'get', PROVIDER_OR_AGGREGATOR_READER, 'GET,HEAD',
              _BND_ID, 'Show a binding.'),
    base.rule('binding', 'delete', PROVIDER_OR_AGGREGATOR, 'DELETE', _BND_ID,
              'Delete (revoke) a binding and everything it created.'),
    base.rule('binding', 'rotate_credential', AGGREGATOR, 'POST',
              _BND_ID + '/credential',
              'Issue a new secret for a binding identity (the old one stops '
              'working).', base.PROJECT_SCOPE),
    base.rule('binding_usage', 'get', PROVIDER_OR_AGGREGATOR_READER,
              'GET,HEAD', _BND_ID + '/usage',
              'Show the usage of the projects of a binding, now and over a '
              'period (what the provider bills the aggregator for).'),
    base.rule('binding_project', 'create', AGGREGATOR, 'POST', _BPRJ,
              'Obtain a provider project under a binding for an opaque tenant '
              'reference (idempotent).', base.PROJECT_SCOPE),
    base.rule('binding_project', 'list', PROVIDER_OR_AGGREGATOR_READER,
              'GET,HEAD', _BPRJ, 'List the projects of a binding.'),
    base.rule('binding_project', 'get', PROVIDER_OR_AGGREGATOR_READER,
              'GET,HEAD', _BPRJ_ID, 'Show a project of a binding.'),
    base.rule('binding_project', 'delete', PROVIDER_OR_AGGREGATOR, 'DELETE',
              _BPRJ_ID, 'Delete a project of a binding.'),
    base.rule('binding_project', 'revoke_users', PROVIDER_OR_AGGREGATOR,
              'DELETE', _BPRJ_ID + '/users',
              'Take the roles of every user of a binding on one of its '
              'projects away (the aggregator no longer lets that tenant use '
              'the region); their tokens there are revoked.'),
    base.rule('binding_project', 'apportion_limits',
              '%s or %s' % (PROVIDER_ADMIN, BINDING_IDENTITY), 'POST',
              _BPRJ_ID + '/limits',
              'Set the Keystone limits of a project of a binding to its '
              'share of the virtual region\'s limits, from what the '
              'binding\'s projects use now, and show them: the binding\'s '
              'own identity, before a request that may allocate.'),
    base.rule('binding_user', 'create', AGGREGATOR, 'POST', _BUSR,
              'Obtain a provider user under a binding for an opaque tenant-'
              'user reference (idempotent).', base.PROJECT_SCOPE),
    base.rule('binding_user', 'list', PROVIDER_OR_AGGREGATOR_READER,
              'GET,HEAD', _BUSR, 'List the users of a binding.'),
    base.rule('binding_user', 'get', PROVIDER_OR_AGGREGATOR_READER,
              'GET,HEAD', _BUSR_ID, 'Show a user of a binding.'),
    base.rule('binding_user', 'delete', PROVIDER_OR_AGGREGATOR, 'DELETE',
              _BUSR_ID, 'Delete a user of a binding, with its tokens and '
              'whatever authenticates as it.'),
    base.rule('binding_user', 'issue_token', BINDING_IDENTITY, 'POST',
              _BUSR_ID + '/tokens',
              'Issue a token for a user of a binding on a project of the '
              'binding, giving it the binding\'s roles there: the binding\'s '
              'own identity only.', base.PROJECT_SCOPE),
]


def list_rules():
    return _personas + _publisher
