"""The aggregator's Horizon theme: top-level ``static/`` and ``templates/``.

A built package ships them as ``mercador_dashboard/themes/mercador/``; a
source checkout (editable install) uses them where they are.
"""

import os

from django.utils.translation import gettext_lazy as _

NAME = 'mercador'
_PACKAGE = os.path.dirname(os.path.abspath(__file__))
_CANDIDATES = (
    os.path.join(_PACKAGE, 'themes', NAME),
    os.path.dirname(_PACKAGE),
)


def theme_dir():
    """The directory that holds the theme's ``static/`` and ``templates/``."""
    for candidate in _CANDIDATES:
        if os.path.isfile(os.path.join(candidate, 'static',
                                       '_variables.scss')):
            return candidate
    raise RuntimeError('The Mercador theme is missing from %s.'
                       % ' and '.join(_CANDIDATES))


def available_theme():
    """The entry to add to Horizon's ``AVAILABLE_THEMES``."""
    return (NAME, _('Mercador'), theme_dir())
