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

"""Telling the Mercador proxies that their cached access may be stale.

The proxy caches the access route's answers (``access``) for ``[proxy]
access_cache_time``. After anything that may change such an answer, a new
generation is written under ``mercador_common.proxy_cache.GENERATION`` in
the cache backend of Keystone's [cache], which the proxies' [cache] names
too; a proxy uses an answer only while the generation it read before asking
is the current one, so that every proxy process asks again on its next
request.

One generation for everything, as Keystone itself drops its whole token
cache when it revokes a token: revocations are rare next to requests, and
after one each cached token costs one access call more.
"""

import secrets

from oslo_log import log

from keystone_mercador import glue
from mercador_common import proxy_cache

LOG = log.getLogger(__name__)

CACHE = glue.create_plain_cache_region()


def configure():
    """Configure the region and listen to what may revoke access: run
    once Keystone's configuration is loaded."""
    glue.configure_plain_cache_region(CACHE)
    # Tokens revoked: DELETE /v3/auth/tokens, a user or project deleted
    # or disabled, a password changed, role assignments changed, ...
    glue.on_token_revocation(bump)
    # Entitlements and bound regions changed: an entitlement removed, a
    # region unbound, a binding found gone at the provider.
    glue.on_catalog_invalidated(bump)
    for resource_type in ('user', 'project', 'domain'):
        glue.on_deleted(resource_type, _deleted)


def _deleted(resource_id):
    bump()


def bump():
    """Make every answer the proxies cached stale."""
    try:
        CACHE.set(proxy_cache.GENERATION, secrets.token_hex(16))
    except Exception:
        # The change itself is done; the proxies see it within
        # access_cache_time instead.
        LOG.exception('Could not tell the Mercador proxies about a '
                      'revocation; their cached access ends within '
                      '[proxy] access_cache_time.')
