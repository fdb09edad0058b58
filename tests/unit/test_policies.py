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

"""Policy in code: names, scope types, and the oslo tools see them."""

import os
import subprocess
import sys

from oslo_policy import policy
import pytest

from keystone_mercador import policies

BIN = os.path.dirname(sys.executable)


def test_every_route_rule_is_documented_and_scoped():
    rules = [r for r in policies.list_rules()
             if isinstance(r, policy.DocumentedRuleDefault)]
    assert len(rules) >= 20
    for rule in rules:
        assert rule.name.startswith('mercador:'), rule.name
        assert rule.name.count(':') == 2, rule.name
        assert rule.scope_types, rule.name
        assert rule.operations, rule.name
        for op in rule.operations:
            assert op['path'].startswith('/v3/OS-MERCADOR/'), rule.name


def test_aggregator_routes_are_project_scoped_only():
    for rule in policies.list_rules():
        if rule.name.split(':')[1] == 'offer' or rule.name in (
                'mercador:binding:create',
                'mercador:binding_project:create'):
            assert rule.scope_types == ['project'], rule.name


def test_policy_sample_generator():
    out = subprocess.run(
        [os.path.join(BIN, 'oslopolicy-sample-generator'),
         '--namespace', 'mercador'],
        capture_output=True, text=True, check=True).stdout
    assert '"mercador:virtual_region:create"' in out
    assert '"mercador:binding_project:delete"' in out


def test_config_generator():
    out = subprocess.run(
        [os.path.join(BIN, 'oslo-config-generator'),
         '--namespace', 'mercador'],
        capture_output=True, text=True, check=True).stdout
    assert '[mercador]' in out
    assert 'binding_roles' in out


def test_rules_registered_with_keystone_enforcer():
    from keystone.common.rbac_enforcer import enforcer

    from keystone_mercador import glue
    glue.register_policies(policies.list_rules())
    names = {r.name for r in policies.list_rules()}
    assert names <= enforcer._POSSIBLE_TARGET_ACTIONS
    registered = enforcer.RBACEnforcer()._enforcer.registered_rules
    assert names <= set(registered)
    # Keystone's own rules are still there.
    assert 'identity:create_region' in registered


def _enforcer():
    from keystone.common import policies as keystone_policies
    from oslo_config import cfg

    conf = cfg.ConfigOpts()
    conf([])
    # No policy file: the defaults alone.
    enforcer = policy.Enforcer(conf, policy_file='no-policy-file.yaml')
    enforcer.register_defaults(keystone_policies.list_rules())
    enforcer.register_defaults(policies.list_rules())
    enforcer.load_rules()
    return enforcer


#: Tokens, as oslo.policy sees their credentials.
PERSONAS = {
    'admin': {'roles': ['admin', 'member', 'reader'],
              'project_id': 'admin-project'},
    'system_reader': {'roles': ['reader'], 'system_scope': 'all'},
    'tenant': {'roles': ['member', 'reader'], 'project_id': 'p1'},
    'other_tenant': {'roles': ['member', 'reader'], 'project_id': 'p2'},
    'domain_member': {'roles': ['member', 'reader'], 'domain_id': 'd1'},
    'aggregator': {'roles': ['mercador_aggregator'],
                   'project_id': 'agg-home'},
    'other_aggregator': {'roles': ['mercador_aggregator'],
                         'project_id': 'other-home'},
}
# Targets as Keystone's enforcer flattens them (stored rows only).
OWN_PROJECT = {'target.project.id': 'p1'}
ENTITLED = {'target.entitlement.project_id': 'p1',
            'target.entitlement.bound_region_id': 'b1'}
BINDING = {'target.aggregator.project_id': 'agg-home',
           'target.binding.user_id': 'binding-user'}
USAGE_MATRIX = [
    # rule, target, personas allowed
    ('mercador:project_region:list', OWN_PROJECT,
     {'admin', 'system_reader', 'tenant'}),
    # An unknown project: no target.
    ('mercador:project_region:list', {}, {'admin', 'system_reader'}),
    ('mercador:bound_region_usage:get', ENTITLED,
     {'admin', 'system_reader', 'tenant'}),
    # Without ?project_id, or a project that is not entitled.
    ('mercador:bound_region_usage:get', {}, {'admin', 'system_reader'}),
    ('mercador:binding_usage:get', BINDING,
     {'admin', 'system_reader', 'aggregator'}),
    ('mercador:binding_usage:get', {}, {'admin', 'system_reader'}),
]


@pytest.mark.parametrize('rule,target,allowed', USAGE_MATRIX)
def test_usage_rules_persona_matrix(rule, target, allowed):
    enforcer = _enforcer()
    granted = {name for name, creds in PERSONAS.items()
               if enforcer.enforce(rule, target, creds)}
    assert granted == allowed
