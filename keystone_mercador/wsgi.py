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
