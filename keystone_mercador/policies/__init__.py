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

"""Default policies of the OS-MERCADOR APIs (policy in code).

One module per half (``publisher``, ``aggregator``) and one for the proxy's
access route (``access``); names follow ``mercador:<resource>:<verb>``.
"""

from keystone_mercador.policies import access
from keystone_mercador.policies import aggregator
from keystone_mercador.policies import publisher


def list_rules():
    return publisher.list_rules() + aggregator.list_rules() + \
        access.list_rules()
