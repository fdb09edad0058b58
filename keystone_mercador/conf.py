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

"""Configuration options of the Mercador Keystone extension.

They live in keystone.conf, group ``[mercador]``.
"""

from oslo_config import cfg

GROUP = cfg.OptGroup(
    'mercador',
    title='Mercador',
    help='Options of the Mercador extension (virtual regions, bindings).',
)

OPTS = [
    cfg.BoolOpt(
        'publisher',
        default=True,
        help='Serve the provider side of OS-MERCADOR (virtual regions, '
        'aggregators, offers, bindings).',
    ),
    cfg.StrOpt(
        'aggregator_domain',
        default='mercador_aggregators',
        help='Name of the domain holding the identities of registered '
        'aggregators. Created on first use.',
    ),
    cfg.ListOpt(
        'binding_roles',
        default=['member'],
        help='Roles a binding identity holds, inherited, on every project '
        'of its binding subtree. They must exist.',
    ),
    cfg.StrOpt(
        'public_auth_url',
        help='Identity URL given to aggregators in bindings. Defaults to '
        'the URL the request came in on.',
    ),
    cfg.IntOpt(
        'max_projects_per_binding',
        default=1000,
        min=1,
        help='Most provider projects an aggregator may request under one '
        'binding.',
    ),
    cfg.IntOpt(
        'max_users_per_binding',
        default=10000,
        min=1,
        help='Most provider users an aggregator may request under one '
        'binding (one per tenant user that acts in the bound region).',
    ),
    cfg.IntOpt(
        'usage_sample_interval',
        default=300,
        min=0,
        help='Provider side: the least number of seconds between two usage '
        'samples of a binding project stored on reads of GET '
        'bindings/{id}/usage (and so of the aggregator\'s bound region '
        'usage). "mercador-manage usage-collect" stores one whenever it '
        'runs; schedule it (cron) for a regular history.',
    ),
    cfg.FloatOpt(
        'usage_timeout',
        default=10.0,
        min=0.1,
        help='Provider side: seconds to wait for each Placement request of '
        'a usage read (connect and answer).',
    ),
    cfg.BoolOpt(
        'aggregator',
        default=False,
        help='Serve the aggregator side of OS-MERCADOR (providers, offers, '
        'bound regions, entitlements). Tenants see bound regions only when '
        '[catalog] driver = mercador.',
    ),
    cfg.URIOpt(
        'proxy_url',
        schemes=['http', 'https'],
        default='http://localhost:8780/mercador',
        help='Base URL of the Mercador proxy. The catalog endpoint of '
        'service type T in bound region R is <proxy_url>/R/T.',
    ),
    cfg.FloatOpt(
        'provider_connect_timeout',
        default=5.0,
        min=0.1,
        help='Seconds to wait for a connection to a provider.',
    ),
    cfg.FloatOpt(
        'provider_timeout',
        default=30.0,
        min=0.1,
        help='Seconds to wait for a provider to answer a request once '
        'connected. Writes to providers are never retried.',
    ),
    cfg.IntOpt(
        'reconcile_grace_period',
        default=600,
        min=0,
        help='Age in seconds past which a bind still in progress is '
        'considered interrupted by "mercador-manage reconcile".',
    ),
    cfg.IntOpt(
        'provider_dead_after',
        default=86400,
        min=0,
        help='Seconds a provider must have been unreachable, as seen by '
        'successive runs of "mercador-manage audit" or "reconcile", before '
        'reconcile marks its bound regions failed and takes them out of '
        'the catalogs. A provider that rejects the aggregator\'s credential '
        '(it revoked the aggregator) is dead at once. A failed bound region '
        'does not come back: its binding is deleted at the provider if it '
        'answers again.',
    ),
    cfg.ListOpt(
        'fault_injection',
        default=[],
        help='For tests only, never in production: named points where the '
        'aggregator process kills itself (SIGKILL). Bind: '
        'bind_after_requested (the row committed as requested, the provider '
        'not called yet), bind_after_remote (the provider\'s binding made), '
        'bind_before_commit (the local region and endpoints written, not '
        'committed), bind_after_commit (active, before the answer); its '
        'compensation: compensate_before_remote (the row committed as '
        'compensating), compensate_after_remote (the provider\'s binding '
        'deleted, the row not failed yet). Unbind: unbind_before_remote, '
        'unbind_after_remote (the provider\'s binding deleted, the local '
        'region not), unbind_before_commit (the local region deleted, not '
        'committed), unbind_after_commit.',
    ),
]


def register_opts(conf):
    conf.register_group(GROUP)
    conf.register_opts(OPTS, group=GROUP)


def list_opts():
    return [(GROUP, OPTS)]
