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

"""Default policy of the proxy's access route."""

from keystone_mercador.policies import base

_access = [
    base.rule(
        'region_access', 'get', 'role:service', 'GET',
        '/regions/{region_id}/access',
        'Tell the Mercador proxy how the holder of the token in '
        'X-Subject-Token reaches a bound region (a provider token and the '
        'provider endpoints). Only for the proxy\'s service identity.',
        scopes=['system', 'project']),
    base.rule(
        'region_endpoints', 'get', 'role:service', 'GET',
        '/regions/{region_id}/access?only=endpoints',
        'Tell the Mercador proxy the provider endpoints of a bound region, '
        'without any token: the proxy then relays the version document of '
        'an endpoint (its root) to callers without a token, as the '
        'provider serves it to anyone. Only for the proxy\'s service '
        'identity; deny it to make version discovery through the proxy '
        'require a token.',
        scopes=['system', 'project']),
    base.rule(
        'region_mappings', 'create', 'role:service', 'POST',
        '/regions/{region_id}/mappings',
        'Tell the Mercador proxy the provider counterparts of the local '
        'project and user IDs in a request of the holder of the token in '
        'X-Subject-Token, and the local IDs of provider IDs in a response. '
        'Only for the proxy\'s service identity.',
        scopes=['system', 'project']),
    base.rule(
        'region_limits', 'apportion', 'role:service', 'POST',
        '/regions/{region_id}/limits',
        'Have the provider of a bound region set the share of its limits '
        'that the project of the token in X-Subject-Token has now, before '
        'a request of that token that may allocate. Only for the proxy\'s '
        'service identity.',
        scopes=['system', 'project']),
]


def list_rules():
    return _access
