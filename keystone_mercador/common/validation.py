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

"""Request validation that never echoes request values.

Keystone's own validator quotes the offending value in its error message
(and so in the log line Keystone writes for it): a body that carries a
secret must be validated with ``secret_body_schema`` instead.
"""

import functools

import flask
import jsonschema

from keystone_mercador import glue


def _message(error):
    where = '/'.join(str(p) for p in error.absolute_path) or 'request body'
    if error.validator in ('required', 'additionalProperties'):
        # These messages quote property names, never values.
        return 'Invalid input for %s: %s.' % (where, error.message)
    return 'Invalid input for %s: it does not satisfy "%s".' % (
        where, error.validator)


def validate(schema, body):
    """Raise a SchemaValidationError that names the field, not its value."""
    validator = jsonschema.Draft4Validator(
        schema, format_checker=jsonschema.FormatChecker())
    error = jsonschema.exceptions.best_match(validator.iter_errors(body))
    if error is not None:
        raise glue.SchemaValidationError(detail=_message(error))


def secret_body_schema(schema):
    """Like Keystone's ``request_body_schema``, for bodies with secrets."""
    def decorator(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            validate(schema, flask.request.get_json(silent=True, force=True)
                     or {})
            return func(*args, **kwargs)
        wrapper._request_body_schema = schema
        return wrapper
    return decorator
