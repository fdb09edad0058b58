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

"""Policy files of the Mercador panels, for Horizon's POLICY_FILES and
DEFAULT_POLICY_FILES settings."""

import os

_HERE = os.path.dirname(os.path.abspath(__file__))


def policy_file():
    """Operator overrides of the ``mercador`` rules."""
    return os.path.join(_HERE, 'mercador_policy.yaml')


def default_policy_file():
    """Defaults of the ``mercador`` rules (policy in code, dumped)."""
    return os.path.join(_HERE, 'default_policies', 'mercador.yaml')
