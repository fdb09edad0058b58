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

"""Configure Django for the dashboard tests only.

Settings are applied with ``settings.configure()`` rather than through
DJANGO_SETTINGS_MODULE so that nothing leaks into the environment of the
Keystone servers other suites start; pytest-django picks them up.
"""

import django
from django.conf import settings


def _configure():
    from tests.dashboard import settings as test_settings
    settings.configure(**{name: getattr(test_settings, name)
                          for name in dir(test_settings) if name.isupper()})


if not settings.configured:
    _configure()
    # Collected after pytest-django's own set-up when the whole tests/
    # tree runs: set Django up before the test modules import Horizon.
    django.setup()
