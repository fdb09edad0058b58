"""Stock Keystone for comparison, with the argv trim gunicorn needs."""

import sys

del sys.argv[1:]

from keystone.wsgi.api import application  # noqa: E402,F401
