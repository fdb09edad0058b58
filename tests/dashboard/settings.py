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

"""Django settings of the dashboard unit tests: Horizon's own test settings
with the Mercador panels enabled and real policy enforcement."""

import copy
import os

from openstack_dashboard import enabled
from openstack_dashboard.test import settings as horizon_test_settings
from openstack_dashboard.test.settings import *  # noqa: F401,F403
from openstack_dashboard.utils import settings as settings_utils

from mercador_dashboard import conf as mercador_conf
from mercador_dashboard import enabled as mercador_enabled

# Horizon's test settings turn policy checks off; the panels must be
# refused to non-administrators, so enforce the real files.
POLICY_CHECK_FUNCTION = 'openstack_auth.policy.check'
POLICY_FILES_PATH = os.path.join(ROOT_PATH, 'conf')  # noqa: F405
POLICY_FILES = {
    'identity': 'keystone_policy.yaml',
    'mercador': mercador_conf.policy_file(),
}
DEFAULT_POLICY_FILES = {
    'identity': 'default_policies/keystone.yaml',
    'mercador': mercador_conf.default_policy_file(),
}

# Rebuild what update_dashboards() derives, with the plugin's enabled files.
HORIZON_CONFIG = copy.deepcopy(horizon_test_settings.HORIZON_CONFIG)
for _key in ('dashboards', 'default_dashboard', 'panel_customization'):
    HORIZON_CONFIG.pop(_key, None)
HORIZON_CONFIG['angular_modules'] = []
HORIZON_CONFIG['js_files'] = []
HORIZON_CONFIG['js_spec_files'] = []
HORIZON_CONFIG['scss_files'] = []
HORIZON_CONFIG['xstatic_modules'] = []
INSTALLED_APPS = [
    'django.contrib.contenttypes',
    'django.contrib.auth',
    'django.contrib.sessions',
    'django.contrib.staticfiles',
    'django.contrib.messages',
    'django.contrib.humanize',
    'openstack_auth',
    'compressor',
    'horizon',
    'openstack_dashboard',
]
settings_utils.update_dashboards([enabled, mercador_enabled],
                                 HORIZON_CONFIG, INSTALLED_APPS)
settings_utils.find_static_files(HORIZON_CONFIG, AVAILABLE_THEMES,  # noqa
                                 THEME_COLLECTION_DIR, ROOT_PATH)  # noqa
