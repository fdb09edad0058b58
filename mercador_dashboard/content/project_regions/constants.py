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

INDEX_URL = 'horizon:project:regions:index'
INDEX_TEMPLATE = 'project/regions/index.html'

POLICY_LIST = (('mercador', 'mercador:project_region:list'),)
POLICY_USAGE = (('mercador', 'mercador:bound_region_usage:get'),)


def project_target(request):
    """The policy target of the user's own project."""
    return {'target.project.id': request.user.project_id}


def entitlement_target(request):
    """The policy target of the project's usage of a region it may use:
    the regions listed are those it is entitled to."""
    return {'target.entitlement.project_id': request.user.project_id}
