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

"""Landing pages for users whose services region lacks a dashboard's
default panel.

Horizon sends a user home to the default dashboard, whose root is the
default panel's index: the project and admin Overviews, which need Nova.
On an aggregator (Keystone and Horizon only) or in a bound region without
compute the user may not open them, and Horizon answers 403 "You are not
authorized to access this page". Where the default panel is available,
nothing here changes Horizon's behaviour.
"""

from django.conf import settings
from django import shortcuts
from django.urls import NoReverseMatch
from django.urls import reverse

import horizon

#: The panel home is when the default dashboard's default panel is not
#: available: the bound regions of the user's project (aggregator only).
REGIONS_URL = 'horizon:project:regions:index'
#: Where a dashboard's root opens when its default panel is not available:
#: the first of these panels the user may see, else the first panel of
#: its menu (``MERCADOR_LANDING_PANELS`` overrides it). An admin opens
#: the federation: bound regions on an aggregator, virtual regions on a
#: provider.
LANDING_PANELS = {'admin': ('bound_regions', 'virtual_regions')}


def _permitted(user, *components):
    perms = set()
    for component in components:
        perms.update(getattr(component, 'permissions', ()))
    return user.has_perms(perms)


def may_open(request, dashboard, panel):
    """What Horizon's URL decorators check: permissions and policy."""
    context = {'request': request}
    return (_permitted(request.user, dashboard, panel) and
            dashboard.can_access(context) and panel.can_access(context))


def _in_nav(component, context):
    nav = component.nav
    return nav(context) if callable(nav) else bool(nav)


def visible_panels(request, dashboard):
    """The panels of ``dashboard`` the side menu shows the user, in its
    order (the rules of Horizon's ``horizon_nav`` tag and sidebar)."""
    context = {'request': request}
    if not (_in_nav(dashboard, context) and
            _permitted(request.user, dashboard) and
            dashboard.can_access(context)):
        return []
    return [panel for group in dashboard.get_panel_groups().values()
            for panel in group
            if _in_nav(panel, context) and
            may_open(request, dashboard, panel)]


def user_home(user):
    """``HORIZON_CONFIG['user_home']``: Horizon's home, unless the user's
    permissions (the services of its region) rule out the default panel;
    then the Regions panel where it is installed."""
    dashboard = horizon.get_default_dashboard()
    default_panel = dashboard.get_panel(dashboard.default_panel)
    if not _permitted(user, dashboard, default_panel):
        admin = _admin_dashboard()
        if admin is not None and user.is_superuser:
            # The admin dashboard's root: the middleware below opens the
            # federation panel there.
            return admin.get_absolute_url()
        try:
            return reverse(REGIONS_URL)
        except NoReverseMatch:
            pass
    return dashboard.get_absolute_url()


def _admin_dashboard():
    try:
        return horizon.get_dashboard('admin')
    except Exception:
        return None


def landing_panel(request, dashboard):
    """The panel a dashboard's root opens when its default panel is not
    available to the user, or None."""
    panels = visible_panels(request, dashboard)
    preferred = getattr(settings, 'MERCADOR_LANDING_PANELS',
                        LANDING_PANELS).get(dashboard.slug, ())
    for slug in preferred:
        for panel in panels:
            if panel.slug == slug:
                return panel
    return panels[0] if panels else None


def _dashboard_at(path):
    for dashboard in horizon.get_dashboards():
        try:
            if dashboard.get_absolute_url() == path:
                return dashboard
        except Exception:
            continue
    return None


class DashboardLandingMiddleware(object):
    """Open a dashboard's root on the first panel the user may see when
    its default panel is not available to the user.

    ``/project/`` is the project Overview itself; rather than a 403 page,
    a user who may not open it is sent to the first panel of that
    dashboard the side menu shows. A dashboard the user may not see at all
    still answers 403.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, 'user', None)
        if (request.method not in ('GET', 'HEAD') or user is None or
                not user.is_authenticated):
            return None
        dashboard = _dashboard_at(request.path)
        if dashboard is None:
            return None
        default_panel = dashboard.get_panel(dashboard.default_panel)
        if may_open(request, dashboard, default_panel):
            return None
        panel = landing_panel(request, dashboard)
        if panel is None:
            # Not the user's dashboard: Horizon's 403 page is the truth.
            return None
        return shortcuts.redirect(panel.get_absolute_url())
