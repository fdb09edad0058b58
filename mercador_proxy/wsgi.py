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

"""WSGI entry point of the Mercador proxy.

Serve ``mercador_proxy.wsgi:application`` with any WSGI server.
Configuration: ``MERCADOR_PROXY_CONFIG_FILE`` (default
``/etc/mercador/proxy.conf``); groups ``[proxy]`` and oslo.cache's
``[cache]`` (use a shared backend such as Redis or memcached when several
proxy processes run).
"""

import os

from oslo_cache import core as cache
from oslo_config import cfg

from mercador_proxy import app
from mercador_proxy import conf as proxy_conf


def initialize_application(config_file=None):
    conf = cfg.ConfigOpts()
    proxy_conf.register_opts(conf)
    config_file = config_file or os.environ.get(
        'MERCADOR_PROXY_CONFIG_FILE', '/etc/mercador/proxy.conf')
    conf([], project='mercador', prog='mercador-proxy',
         default_config_files=[config_file])
    region = cache.create_region()
    cache.configure_cache_region(conf, region)
    return app.Proxy(conf, region)


application = initialize_application()
