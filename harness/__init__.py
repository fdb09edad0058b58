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

"""The demo and test harness: real servers on this machine.

Not part of any distribution: ``make demo`` (``python -m harness``), the
functional tests and the benchmarks use it from the checkout. ``servers``
runs Keystone, Glance, Placement, the proxy and Horizon under gunicorn,
``clouds`` sets the demo's two clouds up and seeds them, ``client`` is the
small Keystone REST client they all use.
"""
