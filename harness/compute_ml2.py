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

"""An ML2 mechanism driver that binds every port (``vif_type=other``).

Neutron's in-tree drivers need agents or OVN; with Nova's fake driver
nothing is plugged, so a port only has to be bound for a server to boot on
a network. ML2 loads drivers by name (entry point
``neutron.ml2.mechanism_drivers``): ``harness.compute`` writes one for this
class, ``mercador_bind_all``.
"""

from neutron_lib.plugins.ml2 import api


class BindAllDriver(api.MechanismDriver):

    def initialize(self):
        pass

    def bind_port(self, context):
        for segment in context.segments_to_bind:
            context.set_binding(segment[api.ID], 'other', {},
                                status='ACTIVE')
            return
