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

"""Build Keystone's application with the Mercador extension loaded."""

from keystone_mercador.aggregator import access as aggregator_access
from keystone_mercador.aggregator import api as aggregator_api
from keystone_mercador.aggregator import binding as aggregator_binding
from keystone_mercador.aggregator import entitlements
from keystone_mercador.aggregator import providers
from keystone_mercador.aggregator import revocation as aggregator_revocation
from keystone_mercador.aggregator import usage as aggregator_usage
from keystone_mercador.common import api as common_api
from keystone_mercador import exception  # noqa: F401 (registers errors)
from keystone_mercador import glue
from keystone_mercador import policies
from keystone_mercador.publisher import api as publisher_api
from keystone_mercador.publisher import core as publisher_core

PUBLISHER_MANAGERS = (publisher_core.Manager,)
AGGREGATOR_MANAGERS = (providers.Manager, aggregator_binding.Manager,
                       entitlements.Manager, aggregator_access.Manager,
                       aggregator_usage.Manager)


def load_managers():
    """Instantiate the enabled sides' managers.

    Runs once configuration is loaded and before Keystone locks its
    provider registry.
    """
    glue.register_policies(policies.list_rules())
    if glue.CONF.mercador.publisher:
        for manager in PUBLISHER_MANAGERS:
            manager()
    if glue.CONF.mercador.aggregator:
        for manager in AGGREGATOR_MANAGERS:
            manager()
        glue.configure_cache_region(aggregator_access.CACHE)
        aggregator_revocation.configure()


def build_application(name='public'):
    app = glue.initialize_application(name, load_managers)
    common_api.register(app)
    if glue.CONF.mercador.publisher:
        for api in publisher_api.APIs:
            glue.register_api(app, api)
    if glue.CONF.mercador.aggregator:
        for api in aggregator_api.APIs:
            glue.register_api(app, api)
        glue.filter_view(app, 'regions.regionsresource',
                         aggregator_api.filter_region_list)
        glue.filter_view(app, 'regions.regionresource',
                         aggregator_api.filter_region)
    return app
