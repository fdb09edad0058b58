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

"""What the aggregator's Keystone and the Mercador proxy share in a cache.

The proxy caches the access route's answers for ``[proxy]
access_cache_time``. The aggregator's Keystone (the extension) writes a new
random value under ``GENERATION`` each time something that those answers
depend on may have changed: a token revoked (Keystone's revocation events
and token cache invalidations, which also cover a user, project or domain
deleted or disabled and role assignments changed) or Mercador's own changes
to bound regions and entitlements (an entitlement removed, an unbinding, a
binding found gone). The proxy keeps the value it read before asking with
each answer and uses an answer only while the value is unchanged.

Both read and write the key through oslo.cache, on the same backend: the
proxy's ``[cache]`` and the aggregator Keystone's ``[cache]`` must name the
same servers (and Redis database) for this to work. When they do not, a
revocation reaches the proxy within ``access_cache_time`` only.
"""

#: The cache key of the current generation (a random string; absent until
#: the first change, or when the backend evicted it, which only makes the
#: proxy ask again).
GENERATION = 'mercador-proxy-generation'
