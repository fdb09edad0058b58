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

"""Sphinx configuration of the Mercador documentation."""

import os
import sys

sys.path.insert(0, os.path.abspath('_ext'))

project = 'Mercador'
copyright = 'Mercador contributors'
author = 'Mercador contributors'

extensions = [
    'cliff.sphinxext',
    'openapi_reference',
    'oslo_config.sphinxext',
    'oslo_policy.sphinxext',
]

# cliff.sphinxext: the CLI reference is generated from the commands.
autoprogram_cliff_application = 'openstack'
autoprogram_cliff_ignored = [
    '--help', '--format', '--column', '--max-width', '--fit-width',
    '--print-empty', '--noindent', '--prefix', '--quote', '--sort-column',
    '--sort-ascending', '--sort-descending']

master_doc = 'index'
exclude_patterns = ['_build']
html_theme = 'alabaster'
html_static_path = []
