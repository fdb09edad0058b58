"""Errors of the OS-MERCADOR APIs.

Each is a Keystone exception so that Keystone renders it as a JSON error
(``{"error": {"code", "title", "message"}}``).
"""

from keystone_mercador import glue


class VirtualRegionNotFound(glue.NotFound):
    message_format = 'Could not find virtual region: %(virtual_region_id)s.'


class AggregatorNotFound(glue.NotFound):
    message_format = 'Could not find aggregator: %(aggregator_id)s.'


class OfferNotFound(glue.NotFound):
    message_format = 'Could not find offer: %(offer_id)s.'


class BindingNotFound(glue.NotFound):
    message_format = 'Could not find binding: %(binding_id)s.'


class BindingProjectNotFound(glue.NotFound):
    message_format = 'Could not find binding project: %(project_id)s.'


class Conflict(glue.Conflict):
    """A 409 whose message is the whole explanation."""

    message_format = '%(reason)s'


class InvalidInput(glue.ValidationError):
    """A 400 for input that is well-formed but refers to the wrong thing."""

    message_format = '%(reason)s'


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
