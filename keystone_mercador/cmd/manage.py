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

"""mercador-manage: maintenance of the Mercador extension's tables."""

import argparse
import os
import sys

from alembic import command as alembic_command
from alembic import config as alembic_config
from alembic import migration
from alembic import script as alembic_script

from keystone_mercador.aggregator import reconcile as aggregator_reconcile
from keystone_mercador import extension
from keystone_mercador import glue
from keystone_mercador.i18n import _

MIGRATIONS = os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), 'migrations')
VERSION_TABLE = 'mercador_alembic_version'


def _alembic_config(connection):
    cfg = alembic_config.Config()
    cfg.set_main_option('script_location', MIGRATIONS)
    cfg.attributes['connection'] = connection
    return cfg


def db_sync(args):
    engine = glue.create_engine()
    with engine.begin() as connection:
        alembic_command.upgrade(_alembic_config(connection), 'heads')
    return 0


def db_version(args):
    engine = glue.create_engine()
    with engine.connect() as connection:
        ctx = migration.MigrationContext.configure(
            connection, opts={'version_table': VERSION_TABLE})
        heads = ctx.get_current_heads()
        cfg = _alembic_config(connection)
        latest = alembic_script.ScriptDirectory.from_config(cfg).get_heads()
    print('current: %s' % (', '.join(heads) or 'none'))
    print('latest: %s' % ', '.join(latest))
    if args.check and set(heads) != set(latest):
        print('The Mercador tables need "mercador-manage db_sync".')
        return 1
    return 0


def _reconcile(args, repair):
    managers = extension.AGGREGATOR_MANAGERS
    if glue.CONF.mercador.publisher:
        # Virtual regions built on bound regions (service chaining).
        managers += extension.PUBLISHER_MANAGERS
    glue.load_backends(*managers)
    findings = aggregator_reconcile.reconcile(
        repair=repair, grace_period=args.grace_period,
        dead_after=args.dead_after)
    failed = False
    for f in findings:
        where = []
        if f['provider']:
            where.append('provider %s' % f['provider'])
        if f['region_id']:
            where.append('region %s' % f['region_id'])
        line = '%s: %s' % (' '.join(where) or 'entitlements', f['problem'])
        if not repair:
            print('%s -> would %s' % (line, f['repair']))
        elif f['error'] is None:
            print('%s -> repaired: %s' % (line, f['repair']))
        else:
            failed = True
            print('%s -> NOT repaired (%s): %s'
                  % (line, f['repair'], f['error']))
    if not findings:
        print('No drift.')
    return 1 if (findings and not repair) or failed else 0


def audit(args):
    return _reconcile(args, repair=False)


_SECRET_NAMES = (('provider', _('provider credentials')),
                 ('bound_region', _('bound region passwords')))


def credential_rotate(args):
    """Re-encrypt the stored secrets with the primary credential key."""
    glue.load_backends(*extension.AGGREGATOR_MANAGERS)
    providers = glue.PROVIDERS.mercador_provider_api
    if args.check:
        counts = providers.secrets_to_reencrypt()
        for kind, name in _SECRET_NAMES:
            print(_('%s: %d not on the primary key') % (name, counts[kind]))
        if any(counts.values()):
            print(_('Run "mercador-manage credential-rotate" before the '
                    'next "keystone-manage credential_rotate".'))
            return 1
        return 0
    report = providers.reencrypt_secrets()
    lost = False
    for kind, name in _SECRET_NAMES:
        counts = report[kind]
        print(_('%s: %d re-encrypted, %d already on the primary key')
              % (name, counts['reencrypted'], counts['current']))
        if counts['lost']:
            lost = True
            print(_('%s: %d encrypted with a key no longer in the key '
                    'repository, renew them: %s')
                  % (name, len(counts['lost']), ', '.join(counts['lost'])))
    return 1 if lost else 0


def reconcile(args):
    return _reconcile(args, repair=True)


def usage_collect(args):
    """Store a usage sample of every project of every binding."""
    glue.load_backends(*extension.PUBLISHER_MANAGERS)
    failed = False
    for binding, count, error in \
            glue.PROVIDERS.mercador_publisher_api.collect_usage():
        if error is None:
            print(_('binding %s: %d project(s) sampled')
                  % (binding['id'], count))
        else:
            failed = True
            print(_('binding %s: NOT sampled: %s') % (binding['id'], error))
    return 1 if failed else 0


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog='mercador-manage',
        description='Maintain the Mercador extension in a Keystone '
        'database.')
    parser.add_argument(
        '--config-file', action='append', default=[],
        help='keystone.conf to read (repeatable). Defaults to Keystone\'s '
        'usual locations and OS_KEYSTONE_CONFIG_DIR.')
    sub = parser.add_subparsers(dest='command', required=True)
    sub.add_parser('db_sync', help='Create or upgrade the Mercador tables.')
    version = sub.add_parser('db_version',
                             help='Show the schema version of the tables.')
    version.add_argument('--check', action='store_true',
                         help='Exit 1 when a db_sync is pending.')
    for name, text in (
            ('audit', 'Report drift between providers and the bound '
             'regions of this aggregator (dry run); exit 1 if any.'),
            ('reconcile', 'Repair drift between providers and the bound '
             'regions of this aggregator; exit 1 if some remains.')):
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument(
            '--grace-period', type=int, default=None, metavar='SECONDS',
            help='Age past which a bind in progress is considered '
            'interrupted (default: [mercador] reconcile_grace_period).')
        cmd.add_argument(
            '--dead-after', type=int, default=None, metavar='SECONDS',
            help='How long a provider must have been unreachable for its '
            'bound regions to be marked failed and taken out of the '
            'catalogs (default: [mercador] provider_dead_after). A provider '
            'that rejects the credential is dead at once.')
    rotate = sub.add_parser(
        'credential-rotate',
        help='Re-encrypt the secrets Mercador stores (provider credentials, '
        'bound region passwords) with the primary key of Keystone\'s '
        'credential key repository; run it after each "keystone-manage '
        'credential_rotate". Idempotent; exit 1 if a secret cannot be '
        'decrypted any more.')
    rotate.add_argument(
        '--check', action='store_true',
        help='Only count the secrets not on the primary key; exit 1 if '
        'any.')
    sub.add_parser(
        'usage-collect',
        help='Provider side: store a usage sample (Placement\'s usage) of '
        'every project of every binding, whatever [mercador] '
        'usage_sample_interval says; schedule it (cron) for a regular '
        'history. Exit 1 if a region\'s usage could not be read.')
    args = parser.parse_args(argv)

    config_files = args.config_file
    if not config_files and os.environ.get('OS_KEYSTONE_CONFIG_DIR'):
        config_files = [os.path.join(os.environ['OS_KEYSTONE_CONFIG_DIR'],
                                     'keystone.conf')]
    glue.configure(config_files or None)
    return {'db_sync': db_sync, 'db_version': db_version, 'audit': audit,
            'reconcile': reconcile,
            'credential-rotate': credential_rotate,
            'usage-collect': usage_collect}[args.command](args)


if __name__ == '__main__':
    sys.exit(main())
