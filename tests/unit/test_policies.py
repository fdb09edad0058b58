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
