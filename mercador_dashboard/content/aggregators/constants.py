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

INDEX_URL = 'horizon:admin:aggregators:index'
REGISTER_URL = 'horizon:admin:aggregators:register'

INDEX_TEMPLATE = 'admin/aggregators/index.html'
REGISTER_TEMPLATE = 'admin/aggregators/register.html'
CREDENTIAL_TEMPLATE = 'admin/aggregators/credential.html'
CREDENTIAL_AJAX_TEMPLATE = 'admin/aggregators/_credential.html'

POLICY_LIST = (('mercador', 'mercador:aggregator:list'),)
POLICY_CREATE = (('mercador', 'mercador:aggregator:create'),)
POLICY_DELETE = (('mercador', 'mercador:aggregator:delete'),)
