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
