"""JSON Schema types both sides' request schemas use."""

id_ = {'type': 'string', 'minLength': 1, 'maxLength': 64}
name = {'type': 'string', 'minLength': 1, 'maxLength': 255,
        'pattern': r'^[^\x00-\x1f]+$'}
description = {'type': 'string', 'maxLength': 4096}
service_type = {'type': 'string', 'minLength': 1, 'maxLength': 255,
                'pattern': r'^[a-z0-9][a-z0-9-]*$'}
idempotency_key = {'type': 'string', 'minLength': 8, 'maxLength': 255,
                   'pattern': r'^[A-Za-z0-9._:-]+$'}

empty_query = {'type': 'object', 'additionalProperties': False}
empty_body = {'type': 'object', 'additionalProperties': False}
