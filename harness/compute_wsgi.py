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

"""WSGI entry points of Nova, Neutron and Cinder for gunicorn
(``harness.compute_wsgi:nova()``).

Their applications parse ``sys.argv`` as they are created, which under
gunicorn is gunicorn's; Cinder has no environment variable for its
configuration, so its file is given as an argument.
"""

import os
import sys


def nova():
    sys.argv = sys.argv[:1]
    from nova.wsgi import osapi_compute
    return osapi_compute.application


def neutron():
    sys.argv = sys.argv[:1]
    from neutron.wsgi import api
    return api.application


def cinder():
    sys.argv = sys.argv[:1] + [
        '--config-file', os.environ['MERCADOR_CINDER_CONFIG_FILE']]
    from cinder.wsgi import api
    return api.application
