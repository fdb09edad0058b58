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

"""Errors of the OS-MERCADOR APIs.

Each is a Keystone exception so that Keystone renders it as a JSON error
(``{"error": {"code", "title", "message"}}``).
"""

from keystone_mercador import glue
from keystone_mercador.i18n import _


class VirtualRegionNotFound(glue.NotFound):
    message_format = _('Could not find virtual region: %(virtual_region_id)s.')


class AggregatorNotFound(glue.NotFound):
    message_format = _('Could not find aggregator: %(aggregator_id)s.')


class OfferNotFound(glue.NotFound):
    message_format = _('Could not find offer: %(offer_id)s.')


class BindingNotFound(glue.NotFound):
    message_format = _('Could not find binding: %(binding_id)s.')


class BindingProjectNotFound(glue.NotFound):
    message_format = _('Could not find binding project: %(project_id)s.')


class BindingUserNotFound(glue.NotFound):
    message_format = _('Could not find binding user: %(user_id)s.')


class Conflict(glue.Conflict):
    """A 409 whose message is the whole explanation."""

    message_format = _('%(reason)s')


class OwnedServiceConflict(Conflict):
    """A concurrent bind created the catalog service of a type first."""


class InvalidInput(glue.ValidationError):
    """A 400 for input that is well-formed but refers to the wrong thing."""

    message_format = _('%(reason)s')


class MarkerNotFound(glue.ValidationError):
    """A 400: a page's marker is not (or no longer) in the collection."""

    message_format = _('Marker %(marker)s could not be found.')


class IdempotencyKeyReused(glue.Error):
    code = 422
    title = 'Unprocessable Entity'
    message_format = (
        'Idempotency key %(key)s was already used with a different request '
        'body; use a new key for a different request.'
    )


class NotAnAggregator(glue.Forbidden):
    message_format = (
        'The token does not belong to a registered aggregator; authenticate '
        'with the credential the provider issued.'
    )


class ProviderNotFound(glue.NotFound):
    message_format = _('Could not find provider: %(provider_id)s.')


class BoundRegionNotFound(glue.NotFound):
    message_format = _('Could not find bound region: %(bound_region_id)s.')


class BoundRegionFailed(BoundRegionNotFound):
    """A bound region that failed: its tenants are told why."""

    message_format = _('Region %(region_id)s is out of service: '
                       '%(reason)s')


class EntitlementNotFound(glue.NotFound):
    message_format = (
        'Bound region %(bound_region_id)s is not entitled to %(target)s.')


class ProviderOfferNotFound(glue.NotFound):
    message_format = _('Provider %(provider)s has no offer %(offer_id)s.')


class ProviderError(glue.Error):
    """A provider could not be used; the message names it and says why.

    Never built from a secret: only the provider's name, an HTTP status and
    the provider's own error message.
    """

    code = 502
    title = 'Bad Gateway'
    message_format = _('Provider %(provider)s: %(reason)s')

    def __init__(self, sent=True, status=None, **kwargs):
        # sent: whether the request may have reached the provider (so a
        # write may have been applied); status: the provider's HTTP status.
        self.sent = sent
        self.status = status
        super().__init__(**kwargs)


class ProviderTimeout(ProviderError):
    code = 504
    title = 'Gateway Timeout'


class UsageUnavailable(glue.Error):
    """A region's usage could not be read from its usage service (the
    provider's Placement, or the provider itself for a bound region)."""

    code = 502
    title = 'Bad Gateway'
    message_format = _('Usage of region %(region_id)s is unavailable: '
                       '%(reason)s')


class NotEntitled(glue.Forbidden):
    message_format = ('The project is not entitled to region '
                      '%(region_id)s.')


class MethodNotAllowed(glue.Error):
    code = 405
    title = 'Method Not Allowed'
    message_format = ('%(method)s is not allowed here; allowed: '
                      '%(allowed)s.')

    def __init__(self, method, allowed):
        super().__init__(method=method, allowed=', '.join(allowed))
