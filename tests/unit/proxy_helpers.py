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

"""A proxy under test: its configuration, and the proxy served on a port."""

import threading

from oslo_cache import core as cache
from oslo_config import cfg
from werkzeug import serving

from mercador_proxy import app as proxy_app
from mercador_proxy import conf as proxy_conf


def make_conf(tmp_path, text):
    """The proxy's options read from a file holding ``text``."""
    path = tmp_path / 'proxy.conf'
    path.write_text(text)
    conf = cfg.ConfigOpts()
    proxy_conf.register_opts(conf)
    conf([], project='mercador-test', default_config_files=[str(path)])
    return conf


def serve(application):
    """Serve on a free loopback port (``application.url``); return the
    server, to shut down."""
    server = serving.make_server('127.0.0.1', 0, application, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    application.port = server.server_port
    application.url = 'http://127.0.0.1:%d' % server.server_port
    return server


def running_proxy(conf, access):
    """A fixture body: the proxy, asking ``access`` instead of Keystone."""
    region = cache.create_region()
    cache.configure_cache_region(conf, region)
    application = proxy_app.Proxy(conf, region)
    application.access = access
    server = serve(application)
    yield application
    server.shutdown()
