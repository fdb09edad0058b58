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
"""

import os
import shutil
import tempfile
import uuid

import pytest

from harness import clouds
from harness import servers
from tests.functional import databases

CHROMIUM = '/usr/bin/chromium'
CHROMEDRIVER = '/usr/bin/chromedriver'
ARTIFACTS = os.path.join(os.path.dirname(__file__), '..', '..',
                         'test-artifacts', 'browser')
TENANT = 'browser-tenant'
IMAGE = 'provider-image'

webdriver = pytest.importorskip('selenium.webdriver')
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
    return WebDriverWait(driver, timeout).until(condition)


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


def test_the_whole_story(demo, browsers):
    provider = demo.servers['provider-horizon'].url
    aggregator = demo.servers['aggregator-horizon'].url
    provider_auth_url = demo.servers['provider-keystone'].auth_url
    suffix = uuid.uuid4().hex[:6]
    reseller, offer = 'reseller-' + suffix, 'browser-fr-' + suffix

    # The tenant is logged in, using V0: no image service there.
    tenant = browsers()
    _login(tenant, aggregator, TENANT, clouds.TENANT_PASSWORD)
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
    browser.find_element(
        By.CSS_SELECTOR, 'input[name=services][value=image]').click()
    browser.find_element(By.ID, 'id_country').send_keys('FR')
    _shot(browser, 'provider-creates-virtual-region')
    _submit(browser)
    _wait(browser, ec.text_to_be_present_in_element(
        (By.CSS_SELECTOR, '#virtual_regions'), offer))
    row = browser.find_element(
        By.XPATH, '//table[@id="virtual_regions"]//tr[.//a[text()="%s"]]'
                  % offer)
    # Publish is in the row's menu of further actions.
    row.find_element(By.CSS_SELECTOR, '.dropdown-toggle').click()
    row.find_element(By.CSS_SELECTOR, 'button[id$="__action_publish"]'
                     ).click()
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
