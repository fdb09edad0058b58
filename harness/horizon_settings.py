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

"""Horizon's ``local_settings`` for the demo's Horizons.

Imported as ``local.local_settings`` by ``openstack_dashboard.settings``
(see ``HorizonServer``); the per-server values come from ``horizon.json``
in ``$MERCADOR_HORIZON_DIR``. What it sets for the plugin is what
``mercador_dashboard/local_settings.d/_90_mercador.py.example`` describes.
"""

import json
import os
import sys

from openstack_dashboard.local import enabled as _local_enabled

from mercador_dashboard import conf as _mercador_conf
from mercador_dashboard import theme as _mercador_theme

_DIR = os.environ['MERCADOR_HORIZON_DIR']
with open(os.path.join(_DIR, 'horizon.json')) as _f:
    _CONF = json.load(_f)
# Horizon's settings, being executed: the values this module extends.
_horizon = sys.modules['openstack_dashboard.settings']

DEBUG = False
ALLOWED_HOSTS = ['127.0.0.1', 'localhost']
SECRET_KEY = _CONF['secret_key']
OPENSTACK_KEYSTONE_URL = _CONF['keystone_url']
OPENSTACK_KEYSTONE_DEFAULT_ROLE = 'member'

STATIC_ROOT = os.path.join(_DIR, 'static')
COMPRESS_OFFLINE = True
COMPRESS_ENABLED = True

DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3',
                         'NAME': os.path.join(_DIR, 'horizon.db')}}
SESSION_ENGINE = 'django.contrib.sessions.backends.db'
# Both demo Horizons live on 127.0.0.1 and browsers do not separate
# cookies by port: each needs cookies of its own.
SESSION_COOKIE_NAME = '%s_sessionid' % _CONF.get('role', 'horizon')
CSRF_COOKIE_NAME = '%s_csrftoken' % _CONF.get('role', 'horizon')
CACHES = {'default': {
    'BACKEND': 'django.core.cache.backends.locmem.LocMemCache'}}

LOGGING = {'version': 1, 'disable_existing_loggers': False,
           'handlers': {'file': {'class': 'logging.FileHandler',
                                 'filename': os.path.join(_DIR,
                                                          'horizon.log')}},
           'root': {'handlers': ['file'], 'level': 'WARNING'}}

# The plugin's enabled files chosen for this Horizon.
_local_enabled.__path__.append(os.path.join(_DIR, 'enabled'))

POLICY_FILES = dict(_horizon.POLICY_FILES,
                    mercador=_mercador_conf.policy_file())
DEFAULT_POLICY_FILES = dict(_horizon.DEFAULT_POLICY_FILES,
                            mercador=_mercador_conf.default_policy_file())

if _CONF['theme']:
    AVAILABLE_THEMES = list(_horizon.AVAILABLE_THEMES) + [
        _mercador_theme.available_theme()]
    DEFAULT_THEME = _mercador_theme.NAME

# Users land on a page they may see where a region lacks Nova: Horizon's
# home and dashboard roots are the Nova Overviews.
HORIZON_CONFIG = dict(_horizon.HORIZON_CONFIG,
                      user_home='mercador_dashboard.landing.user_home')
MIDDLEWARE = tuple(_horizon.MIDDLEWARE) + (
    'mercador_dashboard.landing.DashboardLandingMiddleware',)

if _CONF['mercador_database_url']:
    MERCADOR_DATABASE_URL = _CONF['mercador_database_url']
    MIDDLEWARE += ('mercador_dashboard.middleware.CatalogRefreshMiddleware',)

# Launch Instance boots from the image itself: Cinder's fake driver of the
# provider (harness.compute) makes no volume of an image.
LAUNCH_INSTANCE_DEFAULTS = dict(_horizon.LAUNCH_INSTANCE_DEFAULTS,
                                create_volume=False)
