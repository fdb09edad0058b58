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
]


def register_opts(conf):
    conf.register_group(GROUP)
    conf.register_opts(OPTS, group=GROUP)


def list_opts():
    return [(GROUP, OPTS)]
