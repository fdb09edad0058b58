from django.apps import AppConfig
from django.core import checks


class MercadorDashboardConfig(AppConfig):
    name = 'mercador_dashboard'
    verbose_name = 'Mercador'

    def ready(self):
        checks.register(check_policy_files)


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
