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

import unittest

from django.test import override_settings
import yaml

from keystone_mercador import policies
from mercador_dashboard import apps
from mercador_dashboard import conf
from mercador_dashboard.content.aggregators import constants as agg
from mercador_dashboard.content.binding_usage import constants as bu
from mercador_dashboard.content.bound_regions import constants as br
from mercador_dashboard.content.offers import constants as offers
from mercador_dashboard.content.project_regions import constants as regions
from mercador_dashboard.content.providers import constants as prv
from mercador_dashboard.content.usage import constants as usage
from mercador_dashboard.content.virtual_regions import constants as vr


def _defaults():
    with open(conf.default_policy_file()) as f:
        return {rule['name']: rule for rule in yaml.safe_load(f)}


class DefaultPolicyTests(unittest.TestCase):

    def test_defaults_match_keystone(self):
        keystone = {rule.name: rule for rule in policies.list_rules()}
        for name, rule in _defaults().items():
            if name == 'admin_required':
                continue
            self.assertIn(name, keystone)
            self.assertEqual(keystone[name].check_str, rule['check_str'],
                             name)
            self.assertEqual(keystone[name].scope_types,
                             rule['scope_types'], name)

    def test_every_rule_checked_has_a_default(self):
        defaults = _defaults()
        checked = set()
        for constants in (vr, agg, prv, br, offers, regions, usage, bu):
            for name in dir(constants):
                if name.startswith('POLICY_'):
                    checked.update(
                        rule for _s, rule in getattr(constants, name))
        self.assertEqual(set(), checked - set(defaults))


class PolicyFilesCheckTests(unittest.TestCase):

    def test_configured(self):
        self.assertEqual([], apps.check_policy_files(None))

    def test_missing_mercador_policy_is_an_error(self):
        with override_settings(POLICY_FILES={'identity': 'x.yaml'}):
            errors = apps.check_policy_files(None)
        self.assertEqual(['mercador_dashboard.E001'], [e.id for e in errors])


class RegionConfigCheckTests(unittest.TestCase):

    def test_middleware_needs_the_database(self):
        middleware = ('django.contrib.sessions.middleware.SessionMiddleware',
                      apps.MIDDLEWARE)
        with override_settings(MIDDLEWARE=middleware,
                               MERCADOR_DATABASE_URL=None):
            errors = apps.check_region_config(None)
        self.assertEqual(['mercador_dashboard.E002'], [e.id for e in errors])
        with override_settings(MIDDLEWARE=middleware,
                               MERCADOR_DATABASE_URL='sqlite://'):
            self.assertEqual([], apps.check_region_config(None))

    def test_cookie_sessions_are_reported(self):
        with override_settings(
                SESSION_ENGINE='django.contrib.sessions.backends.'
                               'signed_cookies'):
            warnings = apps.check_sessions(None)
        self.assertEqual(['mercador_dashboard.W001'],
                         [w.id for w in warnings])
        with override_settings(
                SESSION_ENGINE='django.contrib.sessions.backends.db'):
            self.assertEqual([], apps.check_sessions(None))
