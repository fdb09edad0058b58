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

"""``make demo``: the embedded Mercador demo on this machine.

Starts a provider cloud and an aggregator cloud (see ``harness.clouds``)
with their state in ``$MERCADOR_DEMO_DIR`` (default ``.demo``), prints how
to use them and a line ``READY``, and stays in the foreground until Ctrl-C
or SIGTERM, which stop everything it started. With ``--chain`` (``make demo
CHAIN=1``) a third cloud, a second-tier reseller, binds the aggregator's
re-published bound region (service chaining). The provider runs Nova,
Neutron and Cinder when MariaDB and RabbitMQ answer here, unless
``--no-compute`` (``make demo COMPUTE=0``).
"""

import argparse
import os
import signal
import sys
import time

from harness import clouds


def _step(message):
    print('==> %s' % message, flush=True)


def _stop(signum, frame):
    raise KeyboardInterrupt


USAGE = """
Mercador demo (state in {dir})

  Provider Horizon     {provider_horizon}
      admin / {admin_password}: Admin > Federation > Virtual Regions,
      Aggregators
  Aggregator Horizon   {aggregator_horizon}
      admin / {admin_password}: Admin > Federation > Providers, Offers,
      Bound Regions
      {tenant} / {tenant_password}: pick region {bound_region} in the region
      menu, then Project > Compute > Images (the provider's, through the
      proxy){compute_panels}
  Provider Keystone    {provider_keystone}
  Aggregator Keystone  {aggregator_keystone}
  Mercador proxy       {proxy}

Try:
  export OS_CLIENT_CONFIG_FILE={clouds_yaml}
  openstack --os-cloud mercador-tenant region list
  openstack --os-cloud mercador-tenant --os-region-name V1 image list
{compute_try}  openstack --os-cloud mercador-aggregator bound region list
  openstack --os-cloud mercador-provider virtual region list

Ctrl-C stops everything.
"""

COMPUTE_PANELS = """, Instances, Volumes, Network > Networks (the
      provider's Nova, Cinder and Neutron)"""

#: What the tenant does with the provider's compute, through the proxy.
COMPUTE_TRY = """\
  openstack --os-cloud mercador-tenant --os-region-name V1 network create \\
      demo-net
  openstack --os-cloud mercador-tenant --os-region-name V1 subnet create \\
      --network demo-net --subnet-range 192.168.10.0/24 demo-subnet
  openstack --os-cloud mercador-tenant --os-region-name V1 server create \\
      --flavor {flavor} --image {image} --network demo-net --wait demo-server
  openstack --os-cloud mercador-tenant --os-region-name V1 volume create \\
      --size 1 demo-volume
"""

NO_COMPUTE = """
Without Nova, Neutron and Cinder: {compute_missing}.
"""

CHAIN_USAGE = """
Service chaining: the aggregator re-publishes {bound_region} to a
second-tier reseller, which binds it as {second_region}
  Second-tier Keystone {second_keystone}
  Second-tier proxy    {second_proxy}

Try:
  openstack --os-cloud mercador-second-tenant --os-region-name \\
      {second_region} image list
  openstack --os-cloud mercador-aggregator virtual region list
  openstack --os-cloud mercador-second-tier bound region list
"""


def main(argv=None):
    parser = argparse.ArgumentParser(prog='python -m harness',
                                     description='The Mercador demo.')
    parser.add_argument(
        '--chain', action='store_true',
        help='Add a second-tier reseller that binds the aggregator\'s '
        're-published bound region (three clouds).')
    parser.add_argument(
        '--no-compute', dest='compute', action='store_false',
        help='Without the provider\'s Nova, Neutron and Cinder (which need '
        'MariaDB and RabbitMQ).')
    args = parser.parse_args(argv)
    state = os.environ.get('MERCADOR_DEMO_DIR', '.demo')
    # SIGINT too: a shell starts background jobs with it ignored.
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    demo = clouds.Demo(state, progress=_step, chain=args.chain,
                       compute=args.compute)
    started = time.monotonic()
    try:
        info = demo.up()
        _step('up in %.0f s' % (time.monotonic() - started))
        compute = info['compute']
        print(USAGE.format(
            dir=demo.dir, compute_panels=COMPUTE_PANELS if compute else '',
            compute_try=COMPUTE_TRY.format(**info) if compute else '',
            **info), flush=True)
        if info['compute_missing']:
            print(NO_COMPUTE.format(**info), flush=True)
        if args.chain:
            print(CHAIN_USAGE.format(**info), flush=True)
        print('READY', flush=True)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        # A second signal must not interrupt the shutdown.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        _step('stopping')
        demo.stop()
    return 0


if __name__ == '__main__':
    sys.exit(main())
