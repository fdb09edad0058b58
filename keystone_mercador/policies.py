"""Default policies of the OS-MERCADOR APIs (policy in code).

Names follow ``mercador:<resource>:<verb>``. Targets are always built from
stored rows: ``target.aggregator`` is the aggregator that owns the object
being acted on (or, for creations, the aggregator the caller's token belongs
to), never anything taken from the request body.
"""

from oslo_policy import policy

from keystone_mercador.aggregator import policies as aggregator_policies

AGGREGATOR_ROLE = 'mercador_aggregator'

PROVIDER_ADMIN = 'rule:mercador:provider_admin'
PROVIDER_READER = 'rule:mercador:provider_reader'
AGGREGATOR = 'rule:mercador:aggregator_owner'

ALL_SCOPES = ['system', 'domain', 'project']
AGGREGATOR_SCOPES = ['project']

_base = [
    policy.RuleDefault(
        name='mercador:provider_admin',
        check_str='rule:admin_required',
        description='A provider administrator.',
    ),
    policy.RuleDefault(
        name='mercador:provider_reader',
        check_str='rule:admin_required or (role:reader and system_scope:all)',
        description='A provider administrator or system reader.',
    ),
    policy.RuleDefault(
        name='mercador:aggregator_owner',
        check_str=(
            'role:%s and project_id:%%(target.aggregator.project_id)s'
            % AGGREGATOR_ROLE
        ),
        description='The registered aggregator that owns the target, using '
        'the credential the provider issued to it.',
    ),
]


def _rule(resource, verb, check_str, method, path, description, scopes):
    return policy.DocumentedRuleDefault(
        name='mercador:%s:%s' % (resource, verb),
        check_str=check_str,
        scope_types=scopes,
        description=description,
        operations=[{'path': '/v3/OS-MERCADOR' + path, 'method': m}
                    for m in method.split(',')],
    )


_VR = '/virtual_regions'
_VR_ID = _VR + '/{virtual_region_id}'
_AGG = '/aggregators'
_AGG_ID = _AGG + '/{aggregator_id}'
_BND = '/bindings'
_BND_ID = _BND + '/{binding_id}'
_BPRJ = _BND_ID + '/projects'
_BPRJ_ID = _BPRJ + '/{project_id}'

PROVIDER_OR_AGGREGATOR_READER = '%s or %s' % (PROVIDER_READER, AGGREGATOR)
PROVIDER_OR_AGGREGATOR = '%s or %s' % (PROVIDER_ADMIN, AGGREGATOR)

_publisher = [
    _rule('virtual_region', 'create', PROVIDER_ADMIN, 'POST', _VR,
          'Create a virtual region.', ALL_SCOPES),
    _rule('virtual_region', 'list', PROVIDER_READER, 'GET,HEAD', _VR,
          'List virtual regions.', ALL_SCOPES),
    _rule('virtual_region', 'get', PROVIDER_READER, 'GET,HEAD', _VR_ID,
          'Show a virtual region.', ALL_SCOPES),
    _rule('virtual_region', 'update', PROVIDER_ADMIN, 'PATCH', _VR_ID,
          'Update, publish or withdraw a virtual region.', ALL_SCOPES),
    _rule('virtual_region', 'delete', PROVIDER_ADMIN, 'DELETE', _VR_ID,
          'Delete a virtual region that has no binding.', ALL_SCOPES),
    _rule('metadata_schema', 'get', '', 'GET,HEAD', '/metadata_schema',
          'Show the JSON Schema virtual region metadata must follow. Any '
          'authenticated caller.', ALL_SCOPES),
    _rule('aggregator', 'create', PROVIDER_ADMIN, 'POST', _AGG,
          'Register an aggregator and issue its credential.', ALL_SCOPES),
    _rule('aggregator', 'list', PROVIDER_READER, 'GET,HEAD', _AGG,
          'List aggregators.', ALL_SCOPES),
    _rule('aggregator', 'get', PROVIDER_READER, 'GET,HEAD', _AGG_ID,
          'Show an aggregator.', ALL_SCOPES),
    _rule('aggregator', 'update', PROVIDER_ADMIN, 'PATCH', _AGG_ID,
          'Rename or describe an aggregator.', ALL_SCOPES),
    _rule('aggregator', 'delete', PROVIDER_ADMIN, 'DELETE', _AGG_ID,
          'Revoke an aggregator: its credential and all its bindings.',
          ALL_SCOPES),
    _rule('offer', 'list', AGGREGATOR, 'GET,HEAD', '/offers',
          'List the virtual regions the calling aggregator may bind.',
          AGGREGATOR_SCOPES),
    _rule('offer', 'get', AGGREGATOR, 'GET,HEAD', '/offers/{offer_id}',
          'Show one offer to the calling aggregator.', AGGREGATOR_SCOPES),
    _rule('binding', 'create', AGGREGATOR, 'POST', _BND,
          'Bind an offer (aggregator only).', AGGREGATOR_SCOPES),
    _rule('binding', 'list', PROVIDER_OR_AGGREGATOR_READER, 'GET,HEAD', _BND,
          'List bindings: all of them for provider readers, its own for an '
          'aggregator.', ALL_SCOPES),
    _rule('binding', 'get', PROVIDER_OR_AGGREGATOR_READER, 'GET,HEAD',
          _BND_ID, 'Show a binding.', ALL_SCOPES),
    _rule('binding', 'delete', PROVIDER_OR_AGGREGATOR, 'DELETE', _BND_ID,
          'Delete (revoke) a binding and everything it created.',
          ALL_SCOPES),
    _rule('binding', 'rotate_credential', AGGREGATOR, 'POST',
          _BND_ID + '/credential',
          'Issue a new secret for a binding identity (the old one stops '
          'working).', AGGREGATOR_SCOPES),
    _rule('binding_project', 'create', AGGREGATOR, 'POST', _BPRJ,
          'Obtain a provider project under a binding for an opaque tenant '
          'reference (idempotent).', AGGREGATOR_SCOPES),
    _rule('binding_project', 'list', PROVIDER_OR_AGGREGATOR_READER,
          'GET,HEAD', _BPRJ, 'List the projects of a binding.', ALL_SCOPES),
    _rule('binding_project', 'get', PROVIDER_OR_AGGREGATOR_READER,
          'GET,HEAD', _BPRJ_ID, 'Show a project of a binding.', ALL_SCOPES),
    _rule('binding_project', 'delete', PROVIDER_OR_AGGREGATOR, 'DELETE',
          _BPRJ_ID, 'Delete a project of a binding.', ALL_SCOPES),
]


def list_rules():
    return _base + _publisher + aggregator_policies.list_rules()
