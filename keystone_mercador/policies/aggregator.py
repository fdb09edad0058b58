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

"""Default policies of the aggregator side (reseller).

The aggregator's administrators manage providers, bound regions and
entitlements; readers (system reader) may look.

A tenant may see the bound regions of its own project and their usage:
``target.project`` is the Keystone project asked about, ``target.
entitlement`` the entitlement of the project asked about to the bound
region (absent when it is not entitled), both from stored rows.
"""

from keystone_mercador.policies import base

RESELLER_ADMIN = 'rule:mercador:reseller_admin'
RESELLER_READER = 'rule:mercador:reseller_reader'

_personas = [
    base.persona('mercador:reseller_admin', base.ADMIN,
                 'An administrator of the aggregator (reseller).'),
    base.persona('mercador:reseller_reader', base.READER,
                 'An administrator or system reader of the aggregator.'),
]

_PRV = '/providers'
_PRV_ID = _PRV + '/{provider_id}'
_BR = '/bound_regions'
_BR_ID = _BR + '/{bound_region_id}'
_ENT = _BR_ID + '/entitlements'
_ENT_ID = _ENT + '/{target_type}/{target_id}'

PROJECT_MEMBER = 'project_id:%(target.project.id)s'
ENTITLED_PROJECT = 'project_id:%(target.entitlement.project_id)s'

_aggregator = [
    base.rule('provider', 'create', RESELLER_ADMIN, 'POST', _PRV,
              'Register a provider with the credential it issued.'),
    base.rule('provider', 'list', RESELLER_READER, 'GET,HEAD', _PRV,
              'List providers.'),
    base.rule('provider', 'get', RESELLER_READER, 'GET,HEAD', _PRV_ID,
              'Show a provider (never its secret).'),
    base.rule('provider', 'update', RESELLER_ADMIN, 'PATCH', _PRV_ID,
              'Change a provider\'s URL, CA certificate or credential.'),
    base.rule('provider', 'delete', RESELLER_ADMIN, 'DELETE', _PRV_ID,
              'Forget a provider that has no bound region.'),
    base.rule('provider', 'force_delete', RESELLER_ADMIN, 'DELETE',
              _PRV_ID + '?force=true',
              'Forget a provider that went away, with its bound regions, '
              'whatever the provider answers (checked in addition to '
              'mercador:provider:delete).'),
    base.rule('provider_offer', 'list', RESELLER_READER, 'GET,HEAD',
              _PRV_ID + '/offers', 'Browse a provider\'s offers (live).'),
    base.rule('provider_offer', 'get', RESELLER_READER, 'GET,HEAD',
              _PRV_ID + '/offers/{offer_id}', 'Show one offer (live).'),
    base.rule('bound_region', 'create', RESELLER_ADMIN, 'POST', _BR,
              'Bind an offer as a local region.'),
    base.rule('bound_region', 'list', RESELLER_READER, 'GET,HEAD', _BR,
              'List bound regions. Callers that fail this rule also see, in '
              'GET /v3/regions, only the bound regions they are entitled to.'),
    base.rule('bound_region', 'get', RESELLER_READER, 'GET,HEAD', _BR_ID,
              'Show a bound region, its state and error reason.'),
    base.rule('bound_region', 'delete', RESELLER_ADMIN, 'DELETE', _BR_ID,
              'Unbind: remove the local region and the provider\'s binding.'),
    base.rule('bound_region', 'force_delete', RESELLER_ADMIN, 'DELETE',
              _BR_ID + '?force=true',
              'Unbind whatever the provider answers: remove the local region '
              'even when the provider\'s binding cannot be deleted (checked '
              'in addition to mercador:bound_region:delete).'),
    base.rule('project_region', 'list',
              '%s or %s' % (RESELLER_READER, PROJECT_MEMBER), 'GET,HEAD',
              '/projects/{project_id}/regions',
              'List the bound regions a project may use, with their '
              'metadata, services and limits: reseller readers, and tokens '
              'scoped to that project.'),
    base.rule('bound_region_usage', 'get',
              '%s or %s' % (RESELLER_READER, ENTITLED_PROJECT), 'GET,HEAD',
              _BR_ID + '/usage',
              'Show the usage of the projects of a bound region, now and '
              'over a period: reseller readers; with ?project_id, also '
              'tokens scoped to that project when it is entitled to the '
              'bound region.'),
    base.rule('entitlement', 'list', RESELLER_READER, 'GET,HEAD', _ENT,
              'List the projects and domains entitled to a bound region.'),
    base.rule('entitlement', 'create', RESELLER_ADMIN, 'PUT', _ENT_ID,
              'Entitle a project or domain to a bound region.'),
    base.rule('entitlement', 'check', RESELLER_READER, 'HEAD,GET', _ENT_ID,
              'Check that a project or domain is entitled to a bound region.'),
    base.rule('entitlement', 'delete', RESELLER_ADMIN, 'DELETE', _ENT_ID,
              'Withdraw an entitlement.'),
]


def list_rules():
    return _personas + _aggregator
