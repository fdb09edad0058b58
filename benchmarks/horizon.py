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

"""Horizon pages of the aggregator with 1 and with 1,000 bound regions.

One Horizon (with the plugin, the theme, database sessions and the region
configuration read from the aggregator's tables) per aggregator Keystone of
the scale section, so that both levels are timed in the same rounds. A
tenant (entitled to 2 regions) and the reseller's admin log in as a browser
would (a session cookie, the CSRF token of the login form) and fetch:

* the tenant's project page (API Access: the catalog of the selected
  region, through the region-refresh middleware);
* the reseller's Offers page (the live offers of the provider registered
  at that aggregator, a real provider Keystone);
* the reseller's Bound Regions page (its first page: the table pages
  through the bound regions with ``API_RESULT_PAGE_SIZE`` rows a page).
"""

import html.parser
import shutil

import requests

from benchmarks import stats
from harness import servers
from tests.functional import aggregation as agg

PAGED_NOTE = ("the table is paged: with 1,000 bound regions it shows its "
              "first page (API_RESULT_PAGE_SIZE rows, 20 by default), "
              "with 1 bound region its one row")
PAGES = {
    'tenant': ('/project/api_access/', "the tenant's project page "
               '(API Access)'),
    'offers': ('/admin/offers/', "the reseller's Offers page"),
    'bound-regions': ('/admin/bound_regions/',
                      "the reseller's Bound Regions page"),
}


class _Inputs(html.parser.HTMLParser):
    """The named inputs of a page's forms."""

    def __init__(self):
        super().__init__()
        self.values = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == 'input' and attrs.get('name'):
            self.values[attrs['name']] = attrs.get('value') or ''


class Browser:
    """A logged-in Horizon session, as a browser holds it."""

    def __init__(self, server, username, password):
        self.server = server
        self.url = url = server.url
        self.http = requests.Session()
        login = self.url + '/auth/login/'
        form = _Inputs()
        form.feed(self._ok(self.http.get(login, timeout=120)).text)
        form.values.update(username=username, password=password)
        r = self.http.post(login, data=form.values, timeout=120,
                           headers={'Referer': login},
                           allow_redirects=False)
        if r.status_code != 302 or '/auth/login' in r.headers.get(
                'Location', ''):
            raise RuntimeError('%s could not log in to %s (%d)' % (
                username, url, r.status_code))

    def _ok(self, response):
        if response.status_code >= 400:
            raise RuntimeError('%s: %d; the end of its log:\n%s' % (
                response.url, response.status_code,
                self.server.read_log()[-4000:]))
        return response

    def page(self, path, expected):
        r = self._ok(self.http.get(self.url + path, timeout=300,
                                   allow_redirects=False))
        if r.status_code != 200 or expected not in r.text:
            raise RuntimeError('%s: %d, %r missing' % (
                path, r.status_code, expected))
        return r


def setup_template(base):
    """A Horizon with static files collected and compressed, to copy."""
    template = servers.HorizonServer('horizon-template', base=base)
    # Set up against no Keystone yet: copies are set up again for theirs.
    template.setup(_Nowhere(), 'aggregator', 'sqlite://')
    return template


class _Nowhere:
    auth_url = 'http://127.0.0.1:1/v3'


def start(template, keystone, level, base):
    horizon = servers.HorizonServer('horizon-%d' % level, base=base)
    shutil.rmtree(horizon.dir)
    shutil.copytree(template.dir, horizon.dir,
                    ignore=shutil.ignore_patterns('*.log'))
    horizon.setup(keystone, 'aggregator', keystone.database_url)
    horizon.start(timeout=180)
    return horizon


def cases(horizons, offer_name):
    """name -> callable, for each level's pages."""
    found = {}
    for level, horizon in horizons.items():
        tenant = Browser(horizon, 'bench-tenant', agg.TENANT_PASSWORD)
        admin = Browser(horizon, 'admin', servers.ADMIN_PASSWORD)
        # The tenant's page shows the endpoints (proxy URLs) of the
        # region selected, one of those it is entitled to.
        expected = {'tenant': 'mercador/B000', 'offers': offer_name,
                    'bound-regions': 'B0001'}
        for page, (path, _) in PAGES.items():
            browser = tenant if page == 'tenant' else admin
            found[('horizon', level, page)] = (
                lambda b=browser, p=path, e=expected[page]: b.page(p, e))
    return found


def figures(results, times, levels, section='horizon'):
    low, high = levels[0], levels[-1]
    for page, (_, label) in PAGES.items():
        results['figures'].append(stats.figure(
            section, '%s, %d regions' % (label, high),
            '%d bound regions' % high, '%d bound region' % low,
            times[('horizon', high, page)], times[('horizon', low, page)],
            target=1.2 if page == 'tenant' else None,
            note=PAGED_NOTE if page == 'bound-regions' else None))
    results['notes'].setdefault(section, []).append(
        ' '.join(__doc__.split('\n\n', 1)[1].split()) +
        ' Horizon runs one gunicorn worker with 4 threads; its sessions are '
        'in its own SQLite database.')
