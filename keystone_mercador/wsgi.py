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

"""WSGI entry point: Keystone with the OS-MERCADOR APIs mounted.

Point uwsgi, gunicorn or mod_wsgi at ``keystone_mercador.wsgi:application``
instead of ``keystone.wsgi.api:application``; configuration is Keystone's own
(``OS_KEYSTONE_CONFIG_DIR`` / ``OS_KEYSTONE_CONFIG_FILES``, keystone.conf).
"""

import sys

from keystone_mercador import extension


def _trim_argv():
    # Keystone parses sys.argv with oslo.config; the WSGI server's own flags
    # (gunicorn -b ..., uwsgi --http ...) must not reach it.
    del sys.argv[1:]


def initialize_application():
    _trim_argv()
    return extension.build_application('public')


application = initialize_application()
