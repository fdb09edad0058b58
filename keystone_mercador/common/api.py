"""Routes shared by both sides of OS-MERCADOR."""

from keystone_mercador import glue

METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']


def _not_found(path):
    raise glue.NotFound(
        'No OS-MERCADOR resource at /v3/OS-MERCADOR/%s.' % path)


def register(app):
    """Any other path under /v3/OS-MERCADOR answers a JSON 404 rather than
    Flask's HTML page (not advertised in JSON Home)."""
    app.add_url_rule('/v3/OS-MERCADOR/<path:path>', 'os_mercador_unknown',
                     _not_found, methods=METHODS)
