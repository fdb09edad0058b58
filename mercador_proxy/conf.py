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

"""Options of the Mercador proxy (its own config file, not keystone.conf)."""

from oslo_cache import core as cache
from oslo_config import cfg

GROUP = cfg.OptGroup('proxy', title='Mercador proxy')

OPTS = [
    cfg.URIOpt(
        'identity_url', required=True,
        help='The aggregator Keystone (with the Mercador extension) that '
        'tells the proxy where and how to forward, e.g. '
        'http://keystone.example.com/identity.'),
    cfg.StrOpt('username', required=True,
               help='The proxy\'s own user at the aggregator Keystone; it '
               'needs the service role on its project.'),
    cfg.StrOpt('password', required=True, secret=True,
               help='Password of that user.'),
    cfg.StrOpt('project_name', default='service',
               help='Project of the proxy\'s user.'),
    cfg.StrOpt('user_domain_name', default='Default',
               help='Domain of the proxy\'s user.'),
    cfg.StrOpt('project_domain_name', default='Default',
               help='Domain of the proxy\'s project.'),
    cfg.URIOpt(
        'www_authenticate_uri',
        help='The auth URL that the proxy\'s 401 answers name in '
        '"WWW-Authenticate: Keystone uri=..." (as keystonemiddleware\'s '
        'option of that name): where tenants authenticate. Defaults to '
        'identity_url.'),
    cfg.StrOpt(
        'public_url',
        help='Base URL clients use to reach this proxy, as in the catalog. '
        'Defaults to the URL of each request.'),
    cfg.FloatOpt('connect_timeout', default=5.0, min=0.1,
                 help='Seconds to wait for a connection to a provider '
                 'service or to the identity service.'),
    cfg.FloatOpt('read_timeout', default=120.0, min=0.1,
                 help='Seconds to wait for the next bytes from a provider '
                 'service (between chunks, not for a whole transfer).'),
    cfg.IntOpt('chunk_size', default=65536, min=1024,
               help='Bytes read and written at a time when streaming.'),
    cfg.IntOpt('max_rewrite_bytes', default=16 * 1024 * 1024, min=0,
               help='JSON bodies up to this size are rewritten (provider '
               'URLs and project IDs); larger ones are refused rather than '
               'passed through unrewritten: 413 for a request body (with a '
               'Content-Length or chunked alike), 502 for a response.'),
    cfg.IntOpt('access_cache_time', default=5, min=0,
               help='Seconds an answer of the identity service for one '
               'token and bound region is reused (never past the expiry of '
               'the tokens involved); 0 asks for every request. When the '
               'aggregator Keystone\'s [cache] and this [cache] name the '
               'same backend, the extension invalidates these answers as '
               'soon as a token is revoked, a user, project or domain is '
               'deleted or disabled, an entitlement is removed or a region '
               'unbound: the next request is refused, whichever proxy '
               'process serves it. This time bounds revocation otherwise '
               '(a separate backend, an invalidation lost with the backend) '
               'and is kept short for that reason: a few seconds still '
               'absorb the bursts of calls that clients make (one '
               '"openstack" command is several), and a cache miss costs one '
               'access call to the identity service (about 35 ms with '
               'Keystone on one 2-core host), so a token in steady use '
               'costs at most one such call per this many seconds for all '
               'proxy processes together.'),
    cfg.IntOpt('mapping_cache_time', default=600, min=0,
               help='Seconds the proxy reuses what the identity service '
               'said about one ID found in requests or responses (the '
               'provider counterpart of a local project or user, or that it '
               'is none). Such a mapping never changes, but whether a '
               'project may still be named in a region does: with a shared '
               'cache backend an entitlement removed or any revocation '
               'makes these answers stale at once, as access answers; this '
               'time bounds them otherwise. 0 asks for every request.'),
]


def register_opts(conf):
    conf.register_group(GROUP)
    conf.register_opts(OPTS, group=GROUP)
    cache.configure(conf)


def list_opts():
    return [(GROUP, OPTS)]
