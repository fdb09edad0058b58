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

INDEX_URL = 'horizon:admin:virtual_regions:index'
CREATE_URL = 'horizon:admin:virtual_regions:create'
UPDATE_URL = 'horizon:admin:virtual_regions:update'
DETAIL_URL = 'horizon:admin:virtual_regions:detail'

INDEX_TEMPLATE = 'admin/virtual_regions/index.html'
CREATE_TEMPLATE = 'admin/virtual_regions/create.html'
UPDATE_TEMPLATE = 'admin/virtual_regions/update.html'
DETAIL_TEMPLATE = 'admin/virtual_regions/detail.html'

POLICY_LIST = (('mercador', 'mercador:virtual_region:list'),)
POLICY_GET = (('mercador', 'mercador:virtual_region:get'),)
POLICY_CREATE = (('mercador', 'mercador:virtual_region:create'),)
POLICY_UPDATE = (('mercador', 'mercador:virtual_region:update'),)
POLICY_DELETE = (('mercador', 'mercador:virtual_region:delete'),)
POLICY_BINDING_LIST = (('mercador', 'mercador:binding:list'),)
POLICY_BINDING_DELETE = (('mercador', 'mercador:binding:delete'),)
