"""Default policies of the aggregator side (policy in code).

The aggregator's administrators (the reseller) manage providers, bound
regions and entitlements; readers (system reader) may look.
"""

from oslo_policy import policy

RESELLER_ADMIN = 'rule:mercador:reseller_admin'
RESELLER_READER = 'rule:mercador:reseller_reader'

ALL_SCOPES = ['system', 'domain', 'project']

_base = [
    policy.RuleDefault(
        name='mercador:reseller_admin',
        check_str='rule:admin_required',
        description='An administrator of the aggregator (reseller).',
    ),
    policy.RuleDefault(
        name='mercador:reseller_reader',
        check_str='rule:admin_required or (role:reader and system_scope:all)',
        description='An administrator or system reader of the aggregator.',
    ),
]


def _rule(resource, verb, check_str, method, path, description):
    return policy.DocumentedRuleDefault(
        name='mercador:%s:%s' % (resource, verb),
        check_str=check_str,
        scope_types=ALL_SCOPES,
        description=description,
        operations=[{'path': '/v3/OS-MERCADOR' + path, 'method': m}
                    for m in method.split(',')],
    )


_PRV = '/providers'
_PRV_ID = _PRV + '/{provider_id}'
_BR = '/bound_regions'
_BR_ID = _BR + '/{bound_region_id}'
_ENT = _BR_ID + '/entitlements'
_ENT_ID = _ENT + '/{target_type}/{target_id}'

_aggregator = [
    _rule('provider', 'create', RESELLER_ADMIN, 'POST', _PRV,
          'Register a provider with the credential it issued.'),
    _rule('provider', 'list', RESELLER_READER, 'GET,HEAD', _PRV,
          'List providers.'),
    _rule('provider', 'get', RESELLER_READER, 'GET,HEAD', _PRV_ID,
          'Show a provider (never its secret).'),
    _rule('provider', 'update', RESELLER_ADMIN, 'PATCH', _PRV_ID,
          'Change a provider\'s URL, CA certificate or credential.'),
    _rule('provider', 'delete', RESELLER_ADMIN, 'DELETE', _PRV_ID,
          'Forget a provider that has no bound region.'),
    _rule('provider_offer', 'list', RESELLER_READER, 'GET,HEAD',
          _PRV_ID + '/offers', 'Browse a provider\'s offers (live).'),
    _rule('provider_offer', 'get', RESELLER_READER, 'GET,HEAD',
          _PRV_ID + '/offers/{offer_id}', 'Show one offer (live).'),
    _rule('bound_region', 'create', RESELLER_ADMIN, 'POST', _BR,
          'Bind an offer as a local region.'),
    _rule('bound_region', 'list', RESELLER_READER, 'GET,HEAD', _BR,
          'List bound regions. Callers that fail this rule also see, in '
          'GET /v3/regions, only the bound regions they are entitled to.'),
    _rule('bound_region', 'get', RESELLER_READER, 'GET,HEAD', _BR_ID,
          'Show a bound region, its state and error reason.'),
    _rule('bound_region', 'delete', RESELLER_ADMIN, 'DELETE', _BR_ID,
          'Unbind: remove the local region and the provider\'s binding.'),
    _rule('entitlement', 'list', RESELLER_READER, 'GET,HEAD', _ENT,
          'List the projects and domains entitled to a bound region.'),
    _rule('entitlement', 'create', RESELLER_ADMIN, 'PUT', _ENT_ID,
          'Entitle a project or domain to a bound region.'),
    _rule('entitlement', 'check', RESELLER_READER, 'HEAD,GET', _ENT_ID,
          'Check that a project or domain is entitled to a bound region.'),
    _rule('entitlement', 'delete', RESELLER_ADMIN, 'DELETE', _ENT_ID,
          'Withdraw an entitlement.'),
]


_access = [
    policy.DocumentedRuleDefault(
        name='mercador:region_access:get',
        check_str='role:service',
        scope_types=['system', 'project'],
        description='Tell the Mercador proxy how the holder of the token in '
        'X-Subject-Token reaches a bound region (a provider token and the '
        'provider endpoints). Only for the proxy\'s service identity.',
        operations=[{'path': '/v3/OS-MERCADOR/regions/{region_id}/access',
                     'method': 'GET'}]),
]


def list_rules():
    return _base + _aggregator + _access
