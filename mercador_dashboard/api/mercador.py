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

"""Client of the OS-MERCADOR APIs of a Mercador-enabled Keystone.

Every call uses the logged-in user's token against the Keystone Horizon
authenticates with (or ``MERCADOR_KEYSTONE_URL``). Errors come out as Horizon
exceptions whose text is the explanation the remote Keystone gave:

* 400 -> ``horizon.exceptions.BadRequest``
* 401, 403 -> ``horizon.exceptions.NotAuthorized``
* 404 -> ``horizon.exceptions.NotFound``
* 409 -> ``horizon.exceptions.Conflict``
* 5xx, connection failures and timeouts -> ``horizon.exceptions.NotAvailable``
"""

import contextlib
import logging

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from keystoneauth1 import adapter
from keystoneauth1 import exceptions as ks_exceptions
from keystoneauth1 import session
from keystoneauth1 import token_endpoint
from openstack_auth import utils as auth_utils

from horizon import exceptions
from horizon.utils import functions as utils
from horizon.utils import memoized
from openstack_dashboard.api import base
from openstack_dashboard.contrib.developer.profiler import api as profiler

LOG = logging.getLogger(__name__)
PREFIX = '/OS-MERCADOR'
DEFAULT_TIMEOUT = 30
#: The largest page the OS-MERCADOR lists serve.
MAX_PAGE_SIZE = 1000


class VirtualRegion(base.APIDictWrapper):
    _attrs = ['id', 'name', 'description', 'region_id', 'domain_id',
              'services', 'limits', 'metadata', 'visibility',
              'aggregator_ids', 'status', 'binding_count', 'created_at',
              'updated_at', 'upstream', 'hops']


class Aggregator(base.APIDictWrapper):
    _attrs = ['id', 'name', 'description', 'user_id', 'project_id',
              'application_credential_id', 'created_at']


class Binding(base.APIDictWrapper):
    _attrs = ['id', 'virtual_region_id', 'aggregator_id', 'root_project_id',
              'user_id', 'created_at', 'domain_id', 'region_id',
              'endpoints', 'status', 'reason']


class Provider(base.APIDictWrapper):
    _attrs = ['id', 'name', 'description', 'auth_url', 'ca_certificate',
              'application_credential_id', 'created_at', 'updated_at']


class Offer(base.APIDictWrapper):
    _attrs = ['id', 'provider_id', 'name', 'description', 'services',
              'limits', 'metadata', 'hops']


class BoundRegion(base.APIDictWrapper):
    _attrs = ['id', 'provider_id', 'offer_id', 'region_id', 'description',
              'status', 'reason', 'services', 'binding_id', 'created_at',
              'updated_at', 'limits', 'hops', 'metadata']


class ProjectRegion(base.APIDictWrapper):
    """A bound region as one of its entitled projects sees it."""
    _attrs = ['id', 'region_id', 'description', 'status', 'reason',
              'metadata', 'services', 'limits', 'hops']


class Usage(base.APIDictWrapper):
    """Usage of a bound region (aggregator) or a binding (provider).

    ``projects`` and ``total`` each hold ``current`` (``{resource class:
    amount}``), ``period`` (``{resource class: {'max', 'average'}}``) and
    ``samples`` (``[{'sampled_at': ISO 8601, 'usages': {...}}]``).
    """
    _attrs = ['bound_region_id', 'region_id', 'binding_id',
              'virtual_region_id', 'virtual_region_name', 'aggregator_id',
              'start', 'end', 'limits', 'projects', 'total']


def _keystone_url():
    url = (getattr(settings, 'MERCADOR_KEYSTONE_URL', None) or
           settings.OPENSTACK_KEYSTONE_URL)
    url, _fixed = auth_utils.fix_auth_url_version_prefix(url)
    return url.rstrip('/')


def _verify():
    if getattr(settings, 'OPENSTACK_SSL_NO_VERIFY', False):
        return False
    return getattr(settings, 'OPENSTACK_SSL_CACERT', None) or True


def _timeout():
    return getattr(settings, 'MERCADOR_API_TIMEOUT', DEFAULT_TIMEOUT)


@memoized.memoized
def keystone_client(request):
    """A keystoneauth adapter on the user's token, one per request."""
    auth = token_endpoint.Token(endpoint=_keystone_url(),
                                token=request.user.token.id)
    sess = session.Session(auth=auth, verify=_verify(), timeout=_timeout(),
                           original_ip=auth_utils.get_client_ip(request),
                           app_name='mercador-dashboard')
    return adapter.Adapter(sess, endpoint_override=_keystone_url())


def _remote_message(exc):
    """The ``message`` of a Keystone JSON error, else keystoneauth's."""
    try:
        return str(exc.response.json()['error']['message'])
    except (AttributeError, KeyError, TypeError, ValueError):
        return exc.message


@contextlib.contextmanager
def _translated_errors():
    try:
        yield
    except ks_exceptions.HttpError as exc:
        message = _remote_message(exc)
        if isinstance(exc, ks_exceptions.BadRequest):
            raise exceptions.BadRequest(message) from exc
        if isinstance(exc, (ks_exceptions.Unauthorized,
                            ks_exceptions.Forbidden)):
            raise exceptions.NotAuthorized(message) from exc
        if isinstance(exc, ks_exceptions.NotFound):
            raise exceptions.NotFound(message) from exc
        if isinstance(exc, ks_exceptions.Conflict):
            raise exceptions.Conflict(message) from exc
        raise exceptions.NotAvailable(
            _('Keystone failed: %s') % message) from exc
    except ks_exceptions.ClientException as exc:
        # Connection failures, timeouts, SSL errors.
        raise exceptions.NotAvailable(
            _('Keystone is unreachable: %s') % exc) from exc


def _get(request, path, **params):
    params = {k: v for k, v in params.items() if v is not None}
    with _translated_errors():
        return keystone_client(request).get(path, params=params).json()


def _post(request, path, body, log=True):
    with _translated_errors():
        return keystone_client(request).post(path, json=body, log=log).json()


def _patch(request, path, body):
    with _translated_errors():
        return keystone_client(request).patch(path, json=body).json()


def _put(request, path):
    with _translated_errors():
        keystone_client(request).put(path)


def _delete(request, path):
    with _translated_errors():
        keystone_client(request).delete(path)


# Provider side: virtual regions, aggregators, bindings

@profiler.trace
def virtual_region_list(request, status=None, name=None):
    body = _get(request, PREFIX + '/virtual_regions', status=status,
                name=name)
    return [VirtualRegion(vr) for vr in body['virtual_regions']]


@profiler.trace
def virtual_region_get(request, virtual_region_id):
    body = _get(request, PREFIX + '/virtual_regions/%s' % virtual_region_id)
    return VirtualRegion(body['virtual_region'])


@profiler.trace
def virtual_region_create(request, **attrs):
    body = _post(request, PREFIX + '/virtual_regions',
                 {'virtual_region': attrs})
    return VirtualRegion(body['virtual_region'])


@profiler.trace
def virtual_region_update(request, virtual_region_id, **attrs):
    body = _patch(request, PREFIX + '/virtual_regions/%s' % virtual_region_id,
                  {'virtual_region': attrs})
    return VirtualRegion(body['virtual_region'])


@profiler.trace
def virtual_region_delete(request, virtual_region_id):
    _delete(request, PREFIX + '/virtual_regions/%s' % virtual_region_id)


@profiler.trace
def aggregator_list(request):
    body = _get(request, PREFIX + '/aggregators')
    return [Aggregator(a) for a in body['aggregators']]


@profiler.trace
def aggregator_create(request, name, description=''):
    """Register an aggregator.

    The result carries ``credential``, the only copy of the aggregator's
    secret: the exchange is kept out of keystoneauth's debug log.
    """
    body = _post(request, PREFIX + '/aggregators',
                 {'aggregator': {'name': name, 'description': description}},
                 log=False)
    return Aggregator(body['aggregator'])


@profiler.trace
def aggregator_delete(request, aggregator_id):
    _delete(request, PREFIX + '/aggregators/%s' % aggregator_id)


@profiler.trace
def binding_list(request, virtual_region_id=None):
    body = _get(request, PREFIX + '/bindings',
                virtual_region_id=virtual_region_id)
    return [Binding(b) for b in body['bindings']]


@profiler.trace
def binding_usage(request, binding_id, start=None, end=None):
    """Usage of a binding's projects (provider references only)."""
    body = _get(request, PREFIX + '/bindings/%s/usage' % binding_id,
                start=start, end=end)
    return Usage(body['usage'])


@profiler.trace
def binding_delete(request, binding_id):
    _delete(request, PREFIX + '/bindings/%s' % binding_id)


# The provider's own catalog, to offer only what really exists

@memoized.memoized
def _services(request):
    return _get(request, '/services')['services']


@profiler.trace
def offerable_services(request):
    """``{region_id: [service_type, ...]}`` of enabled endpoints."""
    services = {s['id']: s['type'] for s in _services(request)
                if s.get('enabled', True)}
    offered = {}
    for endpoint in _get(request, '/endpoints')['endpoints']:
        service_type = services.get(endpoint['service_id'])
        region_id = endpoint.get('region_id')
        if service_type and region_id and endpoint.get('enabled', True):
            offered.setdefault(region_id, set()).add(service_type)
    return {region: sorted(types) for region, types in offered.items()}


@profiler.trace
def registered_limit_list(request):
    """Registered limits, each with the ``service_type`` it applies to."""
    services = {s['id']: s['type'] for s in _services(request)}
    limits = []
    for limit in _get(request, '/registered_limits')['registered_limits']:
        if limit['service_id'] in services:
            limits.append(dict(limit,
                               service_type=services[limit['service_id']]))
    return limits


@profiler.trace
def domain_list(request):
    return _get(request, '/domains')['domains']


# Aggregator side: providers, their offers, bound regions, entitlements

@profiler.trace
def provider_list(request):
    body = _get(request, PREFIX + '/providers')
    return [Provider(p) for p in body['providers']]


@profiler.trace
def provider_get(request, provider_id):
    body = _get(request, PREFIX + '/providers/%s' % provider_id)
    return Provider(body['provider'])


@profiler.trace
def provider_create(request, name, auth_url, application_credential_id,
                    application_credential_secret, description='',
                    ca_certificate=None):
    """Register a provider with the credential it issued.

    The secret is write-only: the request is kept out of keystoneauth's
    debug log, and the answer never carries it.
    """
    attrs = {'name': name, 'description': description, 'auth_url': auth_url,
             'credential': {
                 'type': 'v3applicationcredential',
                 'application_credential_id': application_credential_id,
                 'application_credential_secret':
                     application_credential_secret}}
    if ca_certificate:
        attrs['ca_certificate'] = ca_certificate
    body = _post(request, PREFIX + '/providers', {'provider': attrs},
                 log=False)
    return Provider(body['provider'])


@profiler.trace
def provider_delete(request, provider_id):
    _delete(request, PREFIX + '/providers/%s' % provider_id)


@profiler.trace
def provider_offer_list(request, provider_id, country=None, compliance=None,
                        service_type=None, name=None):
    """The provider's offers, live: the aggregator Keystone asks it."""
    body = _get(request, PREFIX + '/providers/%s/offers' % provider_id,
                country=country, compliance=compliance,
                service_type=service_type, name=name)
    return [Offer(o) for o in body['offers']]


@profiler.trace
def provider_offer_get(request, provider_id, offer_id):
    body = _get(request, PREFIX + '/providers/%s/offers/%s' % (provider_id,
                                                               offer_id))
    return Offer(body['offer'])


@profiler.trace
def bound_region_list(request, provider_id=None, status=None, marker=None,
                      limit=None, paginate=False):
    """Bound regions ordered by region ID, those after ``marker`` (a bound
    region ID) when given.

    With ``paginate``, one page of ``limit`` (by default the user's
    ``API_RESULT_PAGE_SIZE``) and whether more follow:
    ``(bound_regions, has_more)``; without it, every bound region (or at
    most ``limit``).
    """
    if paginate and not limit:
        limit = utils.get_page_size(request)
    if limit:
        limit = min(limit, MAX_PAGE_SIZE)
    body = _get(request, PREFIX + '/bound_regions', provider_id=provider_id,
                status=status, marker=marker, limit=limit)
    bound_regions = [BoundRegion(br) for br in body['bound_regions']]
    if paginate:
        return bound_regions, bool(body['links'].get('next'))
    return bound_regions


@profiler.trace
def bound_region_get(request, bound_region_id):
    body = _get(request, PREFIX + '/bound_regions/%s' % bound_region_id)
    return BoundRegion(body['bound_region'])


@profiler.trace
def bound_region_usage(request, bound_region_id, project_id=None, start=None,
                       end=None):
    """Usage of a bound region's projects, current and over a period.

    ``start`` and ``end`` are ISO 8601 strings (by default the provider
    answers for the last 24 hours); with ``project_id``, that project
    only.
    """
    body = _get(request, PREFIX + '/bound_regions/%s/usage' % bound_region_id,
                project_id=project_id, start=start, end=end)
    return Usage(body['usage'])


@profiler.trace
def bound_region_create(request, provider_id, offer_id, region_id,
                        idempotency_key, description=''):
    """Bind an offer as a local region.

    Replaying the same ``idempotency_key`` returns the same bound region,
    so a resubmitted form cannot bind twice.
    """
    body = _post(request, PREFIX + '/bound_regions', {'bound_region': {
        'provider_id': provider_id, 'offer_id': offer_id,
        'region_id': region_id, 'description': description,
        'idempotency_key': idempotency_key}})
    return BoundRegion(body['bound_region'])


@profiler.trace
def bound_region_delete(request, bound_region_id):
    _delete(request, PREFIX + '/bound_regions/%s' % bound_region_id)


def _entitlement_path(bound_region_id, target_type, target_id):
    kind = {'project': 'projects', 'domain': 'domains'}[target_type]
    return PREFIX + '/bound_regions/%s/entitlements/%s/%s' % (
        bound_region_id, kind, target_id)


@profiler.trace
def entitlement_list(request, bound_region_id):
    """``[{'target_type': 'project' or 'domain', 'target_id': ...}]``"""
    body = _get(request,
                PREFIX + '/bound_regions/%s/entitlements' % bound_region_id)
    return body['entitlements']


@profiler.trace
def entitlement_create(request, bound_region_id, target_type, target_id):
    _put(request, _entitlement_path(bound_region_id, target_type, target_id))


@profiler.trace
def entitlement_delete(request, bound_region_id, target_type, target_id):
    _delete(request,
            _entitlement_path(bound_region_id, target_type, target_id))


@profiler.trace
def project_list(request):
    """Projects that can be entitled (domains acting as projects left out).
    """
    return [p for p in _get(request, '/projects')['projects']
            if not p.get('is_domain')]


@profiler.trace
def project_region_list(request, project_id):
    """The bound regions ``project_id`` is entitled to, with their
    metadata, services and limits."""
    body = _get(request, PREFIX + '/projects/%s/regions' % project_id)
    return [ProjectRegion(r) for r in body['regions']]


@profiler.trace
def auth_catalog(request):
    """The catalog Keystone renders now for the user's token."""
    return _get(request, '/auth/catalog')['catalog']
