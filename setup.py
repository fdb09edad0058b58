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

import os

import setuptools
from setuptools.command import build_py

# The dashboard theme lives in the top-level static/ and templates/; built
# packages ship it inside mercador_dashboard (see mercador_dashboard.theme).
THEME_DIRS = ('static', 'templates')
THEME_TARGET = os.path.join('mercador_dashboard', 'themes', 'mercador')


class BuildPy(build_py.build_py):

    def run(self):
        super().run()
        if getattr(self, 'editable_mode', False):
            return  # an editable install uses the source tree as it is
        for name in THEME_DIRS:
            self.copy_tree(name, os.path.join(self.build_lib, THEME_TARGET,
                                              name))


setuptools.setup(cmdclass={'build_py': BuildPy})
