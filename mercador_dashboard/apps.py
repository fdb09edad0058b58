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

from django.apps import AppConfig
from django.core import checks


class MercadorDashboardConfig(AppConfig):
    name = 'mercador_dashboard'
    verbose_name = 'Mercador'

    def ready(self):
        checks.register(check_policy_files)
        checks.register(check_region_config)
        checks.register(check_sessions)


def check_policy_files(app_configs, **kwargs):
    """Horizon allows every rule of a service it has no policy file for."""
    from django.conf import settings
    if 'mercador' in getattr(settings, 'POLICY_FILES', {}):
        return []
    return [checks.Error(
        "POLICY_FILES has no 'mercador' entry: Horizon would show the "
        "Mercador panels and actions to every user.",
        hint="Add the settings of mercador_dashboard/local_settings.d.",
        id='mercador_dashboard.E001')]


MIDDLEWARE = 'mercador_dashboard.middleware.CatalogRefreshMiddleware'


def check_region_config(app_configs, **kwargs):
    """The catalog refresh reads the aggregator Keystone's database."""
    from django.conf import settings
    if (MIDDLEWARE not in getattr(settings, 'MIDDLEWARE', ()) or
            getattr(settings, 'MERCADOR_DATABASE_URL', None)):
        return []
    return [checks.Error(
        'MERCADOR_DATABASE_URL is not set: %s cannot know the bound '
        'regions.' % MIDDLEWARE,
        hint='Point it at the aggregator Keystone\'s database (a read-only '
             'account is enough).',
        id='mercador_dashboard.E002')]


def check_sessions(app_configs, **kwargs):
    """A catalog of a few dozen regions no longer fits in a cookie."""
    from django.conf import settings
    engine = getattr(settings, 'SESSION_ENGINE', '')
    if not engine.endswith('signed_cookies'):
        return []
    return [checks.Warning(
        'Signed-cookie sessions hold the token\'s catalog: past about 30 '
        'regions the cookie exceeds 4 KB, browsers drop it and users cannot '
        'log in.',
        hint='Use database or shared-cache sessions (see '
             'mercador_dashboard/local_settings.d).',
        id='mercador_dashboard.W001')]
