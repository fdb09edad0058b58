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
