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

"""Under ``CI=true`` a test never skips silently.

On a laptop a test whose dependency is missing (Chromium, a MariaDB or
PostgreSQL server, shellcheck, mod_wsgi, an extra...) is skipped with the
reason. In CI, where ``.ci/run`` installed everything ``bindep.txt`` lists,
such a skip would hide a test that did not run: it fails instead, with the
same reason. Only the skips listed in ``BY_DESIGN`` stay skips.
"""

import os
import re

import pytest

#: Skips that are not for a missing dependency: what runs in one pass of
#: the suite only (SQLite, MariaDB, PostgreSQL) is skipped in the others;
#: Apache never serves as root, and its workers cannot run a Python only
#: root may read (an interpreter under /root).
BY_DESIGN = tuple(re.compile(p) for p in (
    r'tested in the SQLite (run|pass)',
    r'run on the SQLite pass only',
    r'is run on the MariaDB pass only$',
    r'^mod_wsgi-express as root: Apache serves as another user, who '
    r'cannot run this Python',
))


def ci():
    return os.environ.get('CI', '').strip().lower() in ('1', 'true', 'yes')


def _reason(report):
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        reason = longrepr[2]
    else:
        reason = str(longrepr)
    return reason[len('Skipped: '):] if reason.startswith(
        'Skipped: ') else reason


def by_design(reason):
    return any(p.search(reason) for p in BY_DESIGN)


def _refused(report):
    """Why CI refuses this skip, or None if it is not one or allowed."""
    if not (ci() and report.skipped) or hasattr(report, 'wasxfail'):
        return None
    reason = _reason(report)
    if by_design(reason):
        return None
    return ('CI=true: this test would be skipped, which CI does not allow '
            '(install what bindep.txt lists, or start the service): %s'
            % reason)


class MissingDependency(pytest.Item):
    """Stands for a module that skipped itself as it was imported."""

    def runtest(self):
        pytest.fail(self.reason, pytrace=False)

    def reportinfo(self):
        return self.path, None, self.name


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    refused = _refused(report)
    if refused:
        report.outcome = 'failed'
        report.longrepr = refused


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    # A module that skips itself as it is imported (importorskip): one
    # failing test in its place, and the rest of the run goes on.
    outcome = yield
    report = outcome.get_result()
    refused = _refused(report)
    if refused:
        item = MissingDependency.from_parent(collector,
                                             name='missing-dependency')
        item.reason = refused
        report.outcome = 'passed'
        report.longrepr = None
        report.result = [item]
