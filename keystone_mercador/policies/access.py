"""Default policy of the proxy's access route."""

from keystone_mercador.policies import base

_access = [
    base.rule(
        'region_access', 'get', 'role:service', 'GET',
        '/regions/{region_id}/access',
        'Tell the Mercador proxy how the holder of the token in '
        'X-Subject-Token reaches a bound region (a provider token and the '
        'provider endpoints). Only for the proxy\'s service identity.',
        scopes=['system', 'project']),
]


def list_rules():
    return _access
