"""Policy files of the Mercador panels, for Horizon's POLICY_FILES and
DEFAULT_POLICY_FILES settings."""

import os

_HERE = os.path.dirname(os.path.abspath(__file__))


def policy_file():
    """Operator overrides of the ``mercador`` rules."""
    return os.path.join(_HERE, 'mercador_policy.yaml')


def default_policy_file():
    """Defaults of the ``mercador`` rules (policy in code, dumped)."""
    return os.path.join(_HERE, 'default_policies', 'mercador.yaml')
