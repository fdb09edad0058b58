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
