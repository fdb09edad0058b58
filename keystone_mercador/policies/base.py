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

"""What the policies of both sides share: personas, scopes, one rule shape.

Targets are always built from stored rows, never from the request body.
"""

from oslo_policy import policy

PREFIX = '/v3/OS-MERCADOR'

ALL_SCOPES = ['system', 'domain', 'project']
PROJECT_SCOPE = ['project']

# An administrator, or a system reader.
ADMIN = 'rule:admin_required'
READER = 'rule:admin_required or (role:reader and system_scope:all)'


def persona(name, check_str, description):
    """A named check string that the documented rules refer to."""
    return policy.RuleDefault(name=name, check_str=check_str,
                              description=description)


def rule(resource, verb, check_str, methods, path, description,
         scopes=ALL_SCOPES):
    """``mercador:<resource>:<verb>`` for ``methods`` (comma-separated)
    on ``path`` under /v3/OS-MERCADOR."""
    return policy.DocumentedRuleDefault(
        name='mercador:%s:%s' % (resource, verb),
        check_str=check_str,
        scope_types=scopes,
        description=description,
        operations=[{'path': PREFIX + path, 'method': m}
                    for m in methods.split(',')],
    )
