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

"""Secure-RBAC personas on a real Keystone, for protection tests.

system / domain / project x admin / member / reader, plus anonymous. Each
persona is a user holding one role on one target, authenticated with a
token of that scope.
"""

import uuid

from harness import client

ROLES = ('admin', 'member', 'reader')
SCOPES = ('system', 'domain', 'project')
PASSWORD = 'persona-password-0'


def _role_id(admin, name):
    return admin.ok('GET', '/v3/roles?name=' + name)['roles'][0]['id']


def create(admin):
    """Return ``{'<scope>_<role>': Session}``; 'anonymous' has no token."""
    suffix = uuid.uuid4().hex[:6]
    domain = admin.ok('POST', '/v3/domains', json={'domain': {
        'name': 'personas-' + suffix}})['domain']
    project = admin.ok('POST', '/v3/projects', json={'project': {
        'name': 'personas-' + suffix, 'domain_id': domain['id']}})['project']
    sessions = {'anonymous': client.Session(admin.base)}
    for scope in SCOPES:
        for role in ROLES:
            user = admin.ok('POST', '/v3/users', json={'user': {
                'name': '%s-%s-%s' % (scope, role, suffix),
                'domain_id': domain['id'],
                'password': PASSWORD}})['user']
            role_id = _role_id(admin, role)
            if scope == 'system':
                admin.ok('PUT', '/v3/system/users/%s/roles/%s'
                         % (user['id'], role_id), status=204)
                token_scope = {'system': {'all': True}}
            elif scope == 'domain':
                admin.ok('PUT', '/v3/domains/%s/users/%s/roles/%s'
                         % (domain['id'], user['id'], role_id), status=204)
                token_scope = {'domain': {'id': domain['id']}}
            else:
                admin.ok('PUT', '/v3/projects/%s/users/%s/roles/%s'
                         % (project['id'], user['id'], role_id), status=204)
                token_scope = {'project': {'id': project['id']}}
            sessions['%s_%s' % (scope, role)] = client.Session.login(
                admin.base, client.password_auth(
                    user_id=user['id'], password=PASSWORD,
                    scope=token_scope))
    return sessions
