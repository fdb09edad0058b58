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

"""The whole story in real browsers, against the demo's real servers.

Before the story the aggregator already resells one region, V0 (placement
only), to the tenant, who is logged in to the aggregator's Horizon. The
provider's admin registers an aggregator and publishes a virtual region in
the provider's Horizon; the reseller's admin registers the provider, binds
the offer as V1 and entitles the tenant's project in the aggregator's
Horizon; the tenant, still logged in, finds V1 in the region menu beside
V0, picks it and sees and opens the provider's image. Screenshots of every
step go to test-artifacts/browser/.

Then usage: the tenant allocates resources in V1's Placement through the
proxy (as Nova would for it), finds them on its Regions page, and both
admins find the same numbers in their usage panels. Last, every entry of
the side menu of each persona (tenant, reseller admin, provider admin) is
opened: none may answer 403 or show an error.

With the provider's compute (``harness.compute``), a tenant of a region
bound with Nova, Neutron and Cinder uses Horizon's compute panels: it makes
a network, launches an instance on it with the Launch Instance workflow
and sees it active, and makes a volume.
"""

import csv
import io
import os
import re
import shutil
import tempfile
import time
import uuid

import pytest
import requests

from harness import client
from harness import clouds
from harness import compute
from harness import servers
from tests.functional import databases
from tests.functional import publisher

CHROMIUM = '/usr/bin/chromium'
CHROMEDRIVER = '/usr/bin/chromedriver'
ARTIFACTS = os.path.join(os.path.dirname(__file__), '..', '..',
                         'test-artifacts', 'browser')
TENANT = 'browser-tenant'
IMAGE = 'provider-image'
#: What the tenant allocates in V1, as Nova would for a server.
ALLOCATION = {'VCPU': 2, 'MEMORY_MB': 512}
NOT_AUTHORIZED = 'You are not authorized to access this page'

webdriver = pytest.importorskip('selenium.webdriver')
from selenium.common import exceptions as sel_exc  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as ec  # noqa
from selenium.webdriver.support.ui import Select  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

pytestmark = [
    pytest.mark.skipif(
        databases.backend() != 'sqlite',
        reason='the demo runs on SQLite only; it is tested in the SQLite '
               'run'),
    pytest.mark.skipif(
        not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)),
        reason='Debian\'s chromium and chromium-driver are not installed '
               '(apt-get install chromium chromium-driver)'),
]


@pytest.fixture(scope='module')
def demo(tmp_path_factory):
    demo = clouds.Demo(str(tmp_path_factory.mktemp('browser-demo')),
                       progress=lambda message: None)
    try:
        demo.up(seed=False)
        # What exists before the story: the provider's image, the
        # aggregator's tenant and a region it already uses.
        demo.public_image(IMAGE)
        earlier = demo.resell('browser-placement', 'V0', ['placement'],
                              reseller='earlier-reseller',
                              provider_name='earlier-provider')
        demo.entitle(earlier, demo.tenant(TENANT))
        yield demo
    finally:
        demo.stop()


@pytest.fixture(scope='module')
def screenshots():
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    os.makedirs(ARTIFACTS)
    return iter(range(1, 100))


@pytest.fixture
def browsers(screenshots):
    """Headless Chromiums, each with its own profile and cookies."""
    started = []

    def start():
        profile = tempfile.mkdtemp(prefix='mercador-chromium-')
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in ('--headless', '--no-sandbox', '--disable-gpu',
                     '--disable-quic', '--no-first-run',
                     '--disable-background-networking',
                     '--disable-component-update', '--disable-sync',
                     '--disable-dev-shm-usage', '--window-size=1280,1024',
                     '--user-data-dir=' + profile):
            options.add_argument(flag)
        driver = webdriver.Chrome(
            service=webdriver.ChromeService(CHROMEDRIVER), options=options)
        driver.implicitly_wait(5)
        driver.screenshots = screenshots
        started.append((driver, profile))
        return driver

    yield start
    for driver, profile in started:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _shot(driver, name):
    driver.save_screenshot(os.path.join(ARTIFACTS, '%02d-%s.png' % (
        next(driver.screenshots), name)))


def _wait(driver, condition, timeout=60):
    # Horizon redraws tables (row updates, redirects after a form): an
    # element found a moment ago may be gone; look again.
    return WebDriverWait(driver, timeout, ignored_exceptions=(
        sel_exc.NoSuchElementException,
        sel_exc.StaleElementReferenceException)).until(condition)


def _login(driver, horizon, username, password):
    # Both Horizons are on 127.0.0.1: start every login afresh.
    driver.execute_cdp_cmd('Network.clearBrowserCookies', {})
    driver.get(horizon + '/auth/login/')
    driver.find_element(By.ID, 'id_username').send_keys(username)
    driver.find_element(By.ID, 'id_password').send_keys(password)
    driver.find_element(By.ID, 'loginBtn').click()
    # The login page has a navbar too: wait until it is left.
    _wait(driver, lambda d: '/auth/login' not in d.current_url)
    _wait(driver, ec.presence_of_element_located(
        (By.CSS_SELECTOR, '#navbar-collapse')))
    assert username in driver.find_element(By.CSS_SELECTOR,
                                           '.navbar').text


def _row_action(driver, row_xpath, button):
    """Open the row's menu of further actions and click ``button``; False
    (try again) if Horizon redrew the row meanwhile."""
    row = driver.find_element(By.XPATH, row_xpath)
    row.find_element(By.CSS_SELECTOR, '.dropdown-toggle').click()
    row.find_element(By.CSS_SELECTOR, button).click()
    return True


def _submit(driver):
    driver.find_element(
        By.CSS_SELECTOR,
        'form .modal-footer [type=submit], form [type=submit].btn-primary'
    ).click()


def _messages(driver):
    return ' '.join(e.text for e in driver.find_elements(
        By.CSS_SELECTOR, '.messages .alert'))


def _panels(driver):
    """The panels of the side menu, by name."""
    return [e.get_attribute('textContent').strip() for e in
            driver.find_elements(By.CSS_SELECTOR,
                                 '#sidebar a.openstack-panel')]


def _switch_region(driver, horizon, region):
    driver.get(horizon + '/auth/switch_services_region/%s/?next=%s'
               % (region, '/project/regions/'))
    _wait(driver, ec.text_to_be_present_in_element(
        (By.CSS_SELECTOR, '.context-region'), region))


def _allocate(demo, resources):
    """The tenant's allocation in V1's Placement, through the proxy with
    its own token and IDs, against a resource provider the provider's
    admin made (as nova-compute would)."""
    s = demo.servers
    rp = publisher.make_inventory(
        client.Session.admin(s['provider-keystone']), s['placement'].url)
    session = client.Session.login(s['aggregator-keystone'].url,
                                   client.password_auth(
                                       username=TENANT,
                                       password=clouds.TENANT_PASSWORD,
                                       scope=client.project_scope(TENANT)))
    user = session.ok('GET', '/v3/auth/tokens',
                      headers={'X-Subject-Token': session.token})['token']
    r = requests.put(
        '%s/V1/placement/allocations/%s' % (s['proxy'].url, uuid.uuid4()),
        headers={'X-Auth-Token': session.token,
                 'OpenStack-API-Version': 'placement 1.12'},
        json={'allocations': {rp: {'resources': resources}},
              'project_id': user['project']['id'],
              'user_id': user['user']['id']}, timeout=60)
    assert r.status_code == 204, r.text


def _usage_rows(driver):
    """``{(project, resource): current}`` of a usage table."""
    rows = {}
    for tr in driver.find_elements(By.CSS_SELECTOR,
                                   'table#usage tbody tr[data-object-id]'):
        project, resource = tr.get_attribute('data-object-id').split(':')
        names = tr.find_elements(By.CSS_SELECTOR, 'td.usage-project')
        if names:
            project = names[0].text
        rows[(project, resource)] = tr.find_element(
            By.CSS_SELECTOR, 'td.usage-current').text
    return rows


def _csv(driver):
    link = driver.find_element(By.ID, 'usage_csv').get_attribute('href')
    r = requests.get(link, timeout=60, cookies={
        c['name']: c['value'] for c in driver.get_cookies()})
    assert r.status_code == 200 and r.headers['Content-Type'] == 'text/csv'
    lines = r.text.splitlines()
    start = [i for i, line in enumerate(lines)
             if line.startswith('"Project ID"')][0]
    return list(csv.reader(io.StringIO('\n'.join(lines[start + 1:]))))


def test_the_whole_story(demo, browsers):
    provider = demo.servers['provider-horizon'].url
    aggregator = demo.servers['aggregator-horizon'].url
    provider_auth_url = demo.servers['provider-keystone'].auth_url
    suffix = uuid.uuid4().hex[:6]
    reseller, offer = 'reseller-' + suffix, 'browser-fr-' + suffix

    # The tenant logs in and lands on its regions (V0 has no Nova for
    # Horizon's Overview), using V0: no image service there.
    tenant = browsers()
    _login(tenant, aggregator, TENANT, clouds.TENANT_PASSWORD)
    assert tenant.current_url.endswith('/project/regions/'), \
        tenant.current_url
    assert 'V0' in tenant.find_element(By.ID, 'project_regions').text
    _shot(tenant, 'tenant-landing')
    tenant.get(aggregator + '/project/')
    assert NOT_AUTHORIZED not in tenant.page_source
    assert '/project/' != tenant.current_url[len(aggregator):]
    tenant.get(aggregator + '/project/api_access/')
    _shot(tenant, 'tenant-before-binding')
    assert 'Images' not in _panels(tenant)

    browser = browsers()

    # The provider's admin registers the reseller...
    _login(browser, provider, 'admin', servers.ADMIN_PASSWORD)
    browser.get(provider + '/admin/aggregators/register/')
    browser.find_element(By.ID, 'id_name').send_keys(reseller)
    _shot(browser, 'provider-registers-aggregator')
    _submit(browser)
    codes = _wait(browser, lambda d: d.find_elements(
        By.CSS_SELECTOR, '#aggregator_credential code'))
    credential_id, secret = [c.text for c in codes]
    _shot(browser, 'provider-aggregator-credential')

    # ...and publishes a virtual region with the image service.
    browser.get(provider + '/admin/virtual_regions/create/')
    browser.find_element(By.ID, 'id_name').send_keys(offer)
    Select(browser.find_element(By.ID, 'id_region_id')).select_by_value(
        'RegionOne')
    for service in ('image', 'placement'):
        browser.find_element(
            By.CSS_SELECTOR, 'input[name=services][value=%s]' % service
        ).click()
    browser.find_element(By.ID, 'id_country').send_keys('FR')
    _shot(browser, 'provider-creates-virtual-region')
    _submit(browser)
    _wait(browser, ec.text_to_be_present_in_element(
        (By.CSS_SELECTOR, '#virtual_regions'), offer))
    # Publish is in the row's menu of further actions.
    _wait(browser, lambda d: _row_action(
        d, '//table[@id="virtual_regions"]//tr[.//a[text()="%s"]]' % offer,
        'button[id$="__action_publish"]'))
    _wait(browser, lambda d: 'Published' in d.find_element(
        By.XPATH, '//table[@id="virtual_regions"]//tr[.//a[text()="%s"]]'
        % offer).text)
    _shot(browser, 'provider-published')

    # The reseller's admin registers the provider...
    _login(browser, aggregator, 'admin', servers.ADMIN_PASSWORD)
    browser.get(aggregator + '/admin/providers/register/')
    browser.find_element(By.ID, 'id_name').send_keys('provider-' + suffix)
    browser.find_element(By.ID, 'id_auth_url').send_keys(provider_auth_url)
    browser.find_element(By.ID, 'id_application_credential_id').send_keys(
        credential_id)
    browser.find_element(
        By.ID, 'id_application_credential_secret').send_keys(secret)
    _shot(browser, 'reseller-registers-provider')
    _submit(browser)
    _wait(browser, ec.text_to_be_present_in_element(
        (By.CSS_SELECTOR, '#providers'), 'provider-' + suffix))
    _shot(browser, 'reseller-provider-registered')

    # ...binds the offer as V1 and entitles the tenant's project.
    browser.get(aggregator + '/admin/offers/')
    _wait(browser, ec.text_to_be_present_in_element(
        (By.CSS_SELECTOR, '#offers'), offer))
    _shot(browser, 'reseller-offers')
    # The workflow opens in a modal, as for a user.
    browser.find_element(
        By.XPATH, '//table[@id="offers"]//tr[td[normalize-space()="%s"] and '
                  'td[normalize-space()="%s"]]'
                  '//a[contains(@id, "__action_bind")]'
        % ('provider-' + suffix, offer)).click()
    _wait(browser, ec.visibility_of_element_located(
        (By.ID, 'id_region_id'))).send_keys('V1')
    browser.find_element(By.ID, 'id_description').send_keys(
        'France (provider-%s)' % suffix)
    browser.find_element(
        By.CSS_SELECTOR, 'a[data-target$="entitled_projects"]').click()
    member = _wait(browser, ec.element_to_be_clickable(
        (By.XPATH, '//ul[contains(@class, "available_members")]'
                   '/ul[li/span[text()="%s"]]//a[@href="#add_remove"]'
                   % TENANT)))
    member.click()
    _shot(browser, 'reseller-binds-and-entitles')
    _submit(browser)
    _wait(browser, ec.text_to_be_present_in_element(
        (By.CSS_SELECTOR, '#bound_regions'), 'V1'))
    _shot(browser, 'reseller-bound-region')
    # The entitlements, opened as a page of its own (a new tab, a bookmark)
    # rather than in the modal, list the tenant's project as entitled.
    browser.get(browser.find_element(
        By.XPATH, '//table[@id="bound_regions"]//tr[td[normalize-space()='
                  '"V1"]]//a[contains(@href, "/entitlements/")]'
    ).get_attribute('href'))
    _wait(browser, ec.visibility_of_element_located(
        (By.XPATH, '//ul[contains(@class, "entitled_projects_members")]'
                   '/ul[li/span[text()="%s"]]' % TENANT)))
    _shot(browser, 'reseller-entitlements-page')

    # The tenant, still logged in, finds V1 beside V0 and picks it.
    tenant.get(aggregator + '/project/api_access/')
    tenant.find_element(By.XPATH, '//ul[contains(@class, '
                        '"context-selection")]/preceding-sibling::a').click()
    _wait(tenant, ec.element_to_be_clickable(
        (By.XPATH, '//a[contains(@href, "switch_services_region/V1/")]')))
    regions = [e.text for e in tenant.find_elements(
        By.CSS_SELECTOR, '.context-selection .region-name')]
    assert regions == ['V0', 'V1'], regions
    _shot(tenant, 'tenant-region-menu')
    tenant.find_element(
        By.XPATH, '//a[contains(@href, "switch_services_region/V1/")]'
    ).click()
    _wait(tenant, ec.text_to_be_present_in_element(
        (By.CSS_SELECTOR, '.context-region'), 'V1'))
    assert 'Images' in _panels(tenant)

    # ...sees the provider's image and opens it, through the proxy.
    tenant.get(aggregator + '/project/images/')
    link = _wait(tenant, ec.element_to_be_clickable(
        (By.LINK_TEXT, IMAGE)))
    _shot(tenant, 'tenant-images-in-V1')
    link.click()
    _wait(tenant, ec.text_to_be_present_in_element(
        (By.CSS_SELECTOR, '.detail-page, .page-header, main'), IMAGE))
    assert 'Active' in tenant.page_source
    _shot(tenant, 'tenant-image-detail')

    # The tenant uses V1 (an allocation, as Nova would make for a server)
    # and finds it on its Regions page, with the offer's metadata.
    _allocate(demo, ALLOCATION)
    tenant.get(aggregator + '/project/regions/')
    v1 = tenant.find_element(By.CSS_SELECTOR, '.mercador-region[data-region='
                                              '"V1"]')
    assert v1.find_element(By.CSS_SELECTOR, '.region-country').text == 'FR'
    assert tenant.find_element(By.CSS_SELECTOR, '.mercador-region[data-'
                               'region="V0"] .region-compliance'
                               ).text == 'gdpr'
    assert 'image' in v1.find_element(By.CSS_SELECTOR,
                                      '.region-services').text
    used = {tr.get_attribute('data-resource'): tr.find_element(
        By.CSS_SELECTOR, '.limit-used').text for tr in v1.find_elements(
        By.CSS_SELECTOR, '.region-limits tbody tr[data-resource]')}
    assert used == {k: str(v) for k, v in ALLOCATION.items()}, used
    assert 'Current region' in v1.text
    _shot(tenant, 'tenant-regions')
    # Its switch link goes back to V0.
    tenant.find_element(By.CSS_SELECTOR, '.mercador-region[data-region="V0"]'
                        ' a.region-switch').click()
    _wait(tenant, ec.text_to_be_present_in_element(
        (By.CSS_SELECTOR, '.context-region'), 'V0'))

    # The reseller's admin sees the tenant's usage of V1...
    browser.get(aggregator + '/admin/usage/')
    Select(browser.find_element(By.ID, 'id_subject')).select_by_visible_text(
        'V1 (France (provider-%s))' % suffix)
    browser.find_element(By.CSS_SELECTOR, '#usage_form [type=submit]'
                         ).click()
    _wait(browser, ec.presence_of_element_located(
        (By.CSS_SELECTOR, 'table#usage tbody tr[data-object-id]')))
    assert _usage_rows(browser) == {
        (TENANT, k): str(v) for k, v in ALLOCATION.items()}, \
        _usage_rows(browser)
    charts = browser.find_elements(By.CSS_SELECTOR,
                                   '.mercador-usage-chart polyline')
    assert len(charts) == len(ALLOCATION)
    assert not _messages(browser)
    _shot(browser, 'reseller-usage')
    assert sorted((row[1], row[2], row[3]) for row in _csv(browser)) == \
        sorted((TENANT, k, str(v)) for k, v in ALLOCATION.items())

    # ...and the provider's admin the same numbers, of its own project
    # reference, for the binding.
    _login(browser, provider, 'admin', servers.ADMIN_PASSWORD)
    browser.get(provider + '/admin/binding_usage/')
    Select(browser.find_element(By.ID, 'id_subject')).select_by_visible_text(
        '%s / %s' % (offer, reseller))
    browser.find_element(By.CSS_SELECTOR, '#usage_form [type=submit]'
                         ).click()
    _wait(browser, ec.presence_of_element_located(
        (By.CSS_SELECTOR, 'table#usage tbody tr[data-object-id]')))
    rows = _usage_rows(browser)
    assert sorted((r, c) for (_p, r), c in rows.items()) == sorted(
        (k, str(v)) for k, v in ALLOCATION.items()), rows
    assert TENANT not in browser.page_source
    assert len(browser.find_elements(
        By.CSS_SELECTOR, '.mercador-usage-chart polyline')) == \
        len(ALLOCATION)
    _shot(browser, 'provider-usage')
    assert len(_csv(browser)) == len(ALLOCATION)


#: True once the page has no jQuery or Angular request in flight: the
#: error toasts of a panel that loads its data after the page are shown.
QUIET = """
if (document.readyState !== 'complete') { return false; }
if (window.jQuery && jQuery.active) { return false; }
if (window.angular) {
  var injector = angular.element(document.body).injector();
  if (injector && injector.get('$http').pendingRequests.length) {
    return false;
  }
}
return true;
"""


def _crawl(driver, horizon, persona):
    """Open every entry of the side menu; the pages that fail."""
    links = []
    for a in driver.find_elements(By.CSS_SELECTOR,
                                  '#sidebar a.openstack-panel'):
        href = a.get_attribute('href')
        if href not in links:
            links.append(href)
    assert links, persona
    failures = []
    started = time.monotonic()
    # What is not on a page must not cost the implicit wait.
    driver.implicitly_wait(0)
    try:
        for href in links:
            driver.get(href)
            _wait(driver, lambda d: d.execute_script(QUIET))
            errors = [e.text for e in driver.find_elements(
                By.CSS_SELECTOR, '.alert-danger, .alert-error')
                if e.is_displayed()]
            if NOT_AUTHORIZED in driver.page_source or errors:
                failures.append((href[len(horizon):], errors or [
                    NOT_AUTHORIZED]))
    finally:
        driver.implicitly_wait(5)
    print('%s: %d menu entries in %.1f s' % (
        persona, len(links), time.monotonic() - started))
    return links, failures


def _regions(driver):
    """The regions of the region menu."""
    return sorted({re.search(r'/switch_services_region/([^/]+)/',
                             a.get_attribute('href')).group(1)
                   for a in driver.find_elements(
                       By.CSS_SELECTOR,
                       'a[href*="/switch_services_region/"]')})


def test_every_menu_entry_of_every_persona(demo, browsers):
    provider = demo.servers['provider-horizon'].url
    aggregator = demo.servers['aggregator-horizon'].url
    driver = browsers()
    results = {}
    for persona, horizon, username, password, home in (
            ('tenant', aggregator, TENANT, clouds.TENANT_PASSWORD,
             '/project/regions/'),
            ('reseller-admin', aggregator, 'admin', servers.ADMIN_PASSWORD,
             '/admin/bound_regions/'),
            ('provider-admin', provider, 'admin', servers.ADMIN_PASSWORD,
             # Horizon's own home where the provider runs Nova.
             '/project/' if demo.stack else '/admin/virtual_regions/')):
        _login(driver, horizon, username, password)
        # Landed on a page the persona may see: its federation page.
        assert driver.current_url == horizon + home, driver.current_url
        assert NOT_AUTHORIZED not in driver.page_source, driver.current_url
        _shot(driver, persona + '-landing')
        if persona != 'tenant':
            results[persona] = _crawl(driver, horizon, persona)
            continue
        # The tenant, in each region it may use (V1 and its panels once
        # the story above bound it).
        regions = _regions(driver) or [None]
        for region in regions:
            if region:
                _switch_region(driver, horizon, region)
            name = '%s in %s' % (persona, region)
            results[name] = _crawl(driver, horizon, name)
    failures = {persona: failed for persona, (_links, failed)
                in results.items() if failed}
    assert not failures, failures


COMPUTE_TENANT = 'browser-compute-tenant'
COMPUTE_REGION = 'V2'
#: Horizon's page for an exception it did not handle (a 500).
SERVER_ERROR = 'Something went wrong!'


def _clean(driver):
    """The page has loaded its data, and shows no error."""
    _wait(driver, lambda d: d.execute_script(QUIET))
    errors = [e.text for e in driver.find_elements(
        By.CSS_SELECTOR, '.alert-danger, .alert-error') if e.is_displayed()]
    for text in (NOT_AUTHORIZED, SERVER_ERROR):
        if text in driver.page_source:
            errors.append(text)
    assert not errors, (driver.current_url, errors)


def _launch_step(driver, name):
    """Open the Launch Instance wizard's step ``name``."""
    _wait(driver, ec.element_to_be_clickable((
        By.XPATH, "//wizard//ul[contains(@class, 'nav')]//a[contains("
                  "normalize-space(.), '%s')]" % name))).click()


def _launch_row(form, name):
    """The row of ``name`` in a transfer table of the wizard's step
    ``form`` (allocated or available)."""
    return ("//*[@ng-form='%s']//table//tr[.//td[normalize-space(.)='%s']]"
            % (form, name))


def _launch_allocate(driver, form, name):
    """Move ``name`` to the step's allocated items, unless the wizard
    allocated it already (it does so when only one is available)."""
    allocated = ("//*[@ng-form='%s']//transfer-table//div[contains(@class, "
                 "'transfer-allocated')]" % form)
    if driver.find_elements(By.XPATH, allocated + "//td[normalize-space(.)"
                                                  "='%s']" % name):
        return
    _wait(driver, ec.element_to_be_clickable((
        By.XPATH, _launch_row(form, name) + "//button[.//span[contains("
        "@class, 'fa-arrow-up')] or contains(@class, 'fa-arrow-up')]"))
    ).click()
    _wait(driver, lambda d: d.find_elements(
        By.XPATH, allocated + "//td[normalize-space(.)='%s']" % name))


def _launch_flavor_fits(driver, flavor):
    """Horizon marks every flavor as over quota until Nova's limits
    arrive, and keeps a flavor allocated meanwhile invalid: wait for them
    (Nova answers GET /limits in about 1.3 s here with unified limits,
    directly as through the proxy)."""
    warnings = (_launch_row('launchInstanceFlavorForm', flavor)
                + "//span[contains(@class, 'fa-exclamation-triangle')]")
    _wait(driver, lambda d: not any(
        e.is_displayed() for e in d.find_elements(By.XPATH, warnings)))


def _table_action(driver, url, table, action):
    """Open the panel at ``url`` and click its table's ``action``."""
    driver.get(url)
    _wait(driver, ec.visibility_of_element_located(
        (By.CSS_SELECTOR, 'table#' + table)))
    _clean(driver)
    _wait(driver, ec.element_to_be_clickable(
        (By.ID, '%s__action_%s' % (table, action)))).click()


def _row_reaches(driver, table, name, status, timeout=180):
    """Wait until the row of ``name`` shows ``status`` (Horizon updates
    it in place); return its XPath."""
    row = ("//table[@id='%s']//tr[.//a[normalize-space(.)='%s']]"
           % (table, name))
    _wait(driver, lambda d: status in d.find_element(By.XPATH, row).text,
          timeout=timeout)
    _clean(driver)
    return row


def test_a_tenant_uses_the_compute_panels(demo, browsers):
    """The provider's Nova, Neutron and Cinder in a bound region, through
    the proxy: a tenant of the aggregator sees its Overview (Nova's limits
    and usage, Cinder's), makes a network in Horizon's Networks panel,
    launches an instance on it with its key pair in the Launch Instance
    workflow and sees it active, and makes a volume in the Volumes
    panel."""
    if not demo.stack:
        pytest.skip(demo.compute_missing or 'the demo runs without compute')
    aggregator = demo.servers['aggregator-horizon'].url
    bound = demo.resell('browser-compute', COMPUTE_REGION,
                        ['image'] + clouds.COMPUTE_SERVICES,
                        reseller='compute-reseller',
                        provider_name='compute-provider')
    demo.entitle(bound, demo.tenant(COMPUTE_TENANT))
    network = 'browser-net-%s' % uuid.uuid4().hex[:6]
    driver = browsers()
    # Every wait below is explicit.
    driver.implicitly_wait(0)
    # Its only region: no region menu, and Horizon's own home, the
    # Overview (Nova's limits and usage).
    _login(driver, aggregator, COMPUTE_TENANT, clouds.TENANT_PASSWORD)
    assert driver.current_url == aggregator + '/project/', \
        driver.current_url
    assert {'Instances', 'Volumes', 'Networks'} <= set(_panels(driver))
    _clean(driver)
    _shot(driver, 'compute-overview')

    # A network with a subnet, in the Networks panel.
    driver.get(aggregator + '/project/networks/')
    _clean(driver)
    _shot(driver, 'compute-networks')
    _wait(driver, ec.element_to_be_clickable(
        (By.LINK_TEXT, 'Create Network'))).click()
    _wait(driver, ec.visibility_of_element_located(
        (By.ID, 'id_net_name'))).send_keys(network)
    driver.find_element(By.CSS_SELECTOR, 'form .button-next').click()
    _wait(driver, ec.visibility_of_element_located(
        (By.ID, 'id_subnet_name'))).send_keys(network + '-subnet')
    driver.find_element(By.ID, 'id_cidr').send_keys('192.168.20.0/24')
    _shot(driver, 'compute-create-network')
    # Then the subnet's details, as they are.
    driver.find_element(By.CSS_SELECTOR, 'form .button-next').click()
    _wait(driver, ec.element_to_be_clickable(
        (By.CSS_SELECTOR, 'form .button-final'))).click()
    _wait(driver, ec.text_to_be_present_in_element(
        (By.CSS_SELECTOR, 'table#networks'), network))
    _clean(driver)
    _shot(driver, 'compute-network-created')

    # A key pair the tenant made with Nova's API through the proxy.
    tenant = client.Session.login(
        demo.servers['aggregator-keystone'].url, client.password_auth(
            username=COMPUTE_TENANT, password=clouds.TENANT_PASSWORD,
            scope=client.project_scope(COMPUTE_TENANT)))
    keypair = 'browser-key-%s' % uuid.uuid4().hex[:6]
    tenant.at('%s/%s/compute' % (demo.servers['proxy'].url,
                                 COMPUTE_REGION)).ok(
        'POST', '/os-keypairs', json={'keypair': {'name': keypair}})

    # Launch Instance, Horizon's Angular workflow.
    server = 'browser-server-%s' % uuid.uuid4().hex[:6]
    _table_action(driver, aggregator + '/project/instances/', 'instances',
                  'launch-ng')
    _wait(driver, ec.visibility_of_element_located(
        (By.CSS_SELECTOR, 'wizard input[name=name]'))).send_keys(server)
    _shot(driver, 'compute-launch-details')
    _launch_step(driver, 'Source')
    _launch_allocate(driver, 'launchInstanceSourceForm', IMAGE)
    _shot(driver, 'compute-launch-source')
    _launch_step(driver, 'Flavor')
    _launch_flavor_fits(driver, compute.FLAVOR['name'])
    _launch_allocate(driver, 'launchInstanceFlavorForm',
                     compute.FLAVOR['name'])
    _shot(driver, 'compute-launch-flavor')
    _launch_step(driver, 'Networks')
    _launch_allocate(driver, 'launchInstanceNetworkForm', network)
    _shot(driver, 'compute-launch-networks')
    _launch_step(driver, 'Key Pair')
    _launch_allocate(driver, 'launchInstanceKeypairForm', keypair)
    _shot(driver, 'compute-launch-keypair')
    _wait(driver, ec.element_to_be_clickable(
        (By.CSS_SELECTOR, 'wizard button.btn-primary.finish'))).click()
    row = _row_reaches(driver, 'instances', server, 'Active')
    cells = driver.find_element(By.XPATH, row).text
    assert keypair in cells and '192.168.20.' in cells, cells
    _shot(driver, 'compute-instance-active')
    # Its details, Nova's through the proxy.
    driver.find_element(By.XPATH, row + "//a[normalize-space(.)='%s']"
                        % server).click()
    _wait(driver, ec.text_to_be_present_in_element(
        (By.CSS_SELECTOR, '.detail'), keypair))
    _clean(driver)
    # The tenant's own project ID, not the provider's.
    detail = driver.find_element(By.CSS_SELECTOR, '.detail').text
    assert tenant.token_body['token']['project']['id'] in detail, detail
    _shot(driver, 'compute-instance-detail')

    # A volume, in the Volumes panel.
    volume = 'browser-volume-%s' % uuid.uuid4().hex[:6]
    _table_action(driver, aggregator + '/project/volumes/', 'volumes',
                  'create')
    _wait(driver, ec.visibility_of_element_located(
        (By.ID, 'id_name'))).send_keys(volume)
    size = driver.find_element(By.ID, 'id_size')
    size.clear()
    size.send_keys('1')
    _shot(driver, 'compute-create-volume')
    _submit(driver)
    _row_reaches(driver, 'volumes', volume, 'Available')
    _shot(driver, 'compute-volume-available')
