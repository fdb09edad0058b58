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

"""Run the real ``openstack`` command against the test Keystones.

Clouds are written to a private clouds.yaml; nothing from the caller's
``OS_*`` environment leaks into the commands.
"""

import json
import os
import subprocess

import yaml

from harness import servers

OPENSTACK = os.path.join(servers.BIN, 'openstack')


class Result:

    def __init__(self, proc):
        self.returncode = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr

    def json(self):
        return json.loads(self.stdout)


class CLI:
    """``openstack --os-cloud <cloud> ...`` with clouds of our own."""

    def __init__(self, directory):
        self.clouds_yaml = os.path.join(directory, 'clouds.yaml')
        self.clouds = {}

    def add_cloud(self, name, auth_url, auth_type='password', **auth):
        self.clouds[name] = {'auth_type': auth_type,
                             'auth': dict(auth, auth_url=auth_url),
                             'identity_api_version': 3,
                             'region_name': 'RegionOne'}
        with open(self.clouds_yaml, 'w') as f:
            yaml.safe_dump({'clouds': self.clouds}, f)

    def add_admin(self, name, server):
        self.add_cloud(name, server.auth_url, username='admin',
                       password=servers.ADMIN_PASSWORD, project_name='admin',
                       user_domain_name='Default',
                       project_domain_name='Default')

    def add_app_credential(self, name, credential):
        self.add_cloud(
            name, credential['auth_url'],
            auth_type='v3applicationcredential',
            application_credential_id=credential['application_credential_id'],
            application_credential_secret=credential[
                'application_credential_secret'])

    def run(self, cloud, command, *args):
        """``command`` is the words of the command, e.g. 'offer list'."""
        env = {k: v for k, v in os.environ.items()
               if not k.startswith('OS_')}
        env.update(OS_CLIENT_CONFIG_FILE=self.clouds_yaml,
                   PYTHONWARNINGS='ignore')
        argv = [OPENSTACK, '--os-cloud', cloud] + command.split() + list(args)
        proc = subprocess.run(argv,
                              env=env, capture_output=True, text=True,
                              timeout=120)
        return Result(proc)

    def ok(self, cloud, command, *args):
        """Run, expect success; JSON output is parsed when asked for."""
        result = self.run(cloud, command, *args)
        assert result.returncode == 0, (command, args, result.stderr)
        if '-f' in args and args[args.index('-f') + 1] == 'json':
            return result.json()
        return result.stdout

    def fails(self, cloud, command, *args):
        result = self.run(cloud, command, *args)
        assert result.returncode != 0, (command, args, result.stdout)
        return result.stderr
