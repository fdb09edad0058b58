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

"""Small helpers of both sides."""

import hashlib
import json

from oslo_utils import timeutils

from keystone_mercador import exception


def request_hash(body):
    """A digest of a request body, to tell an idempotent replay (same
    body) from the reuse of a key for another request."""
    canonical = json.dumps(body, sort_keys=True, separators=(',', ':'))
    return hashlib.sha256(canonical.encode('utf-8')).hexdigest()


def replayed(existing, request_hash, key):
    """The stored object of an idempotent replay (``existing`` may be
    None); IdempotencyKeyReused when the key came with another body."""
    if existing and existing['request_hash'] != request_hash:
        raise exception.IdempotencyKeyReused(key=key)
    return existing


def isotime(value):
    """An ISO 8601 time (any offset, or naive UTC) as Keystone writes
    token expiries: UTC, microseconds, ``Z``."""
    if isinstance(value, str):
        value = timeutils.parse_isotime(value)
    return timeutils.normalize_time(value).strftime('%Y-%m-%dT%H:%M:%S.%fZ')


def is_soon(value, seconds):
    """Whether an ISO 8601 time is less than ``seconds`` away (or past)."""
    return timeutils.is_soon(
        timeutils.normalize_time(timeutils.parse_isotime(value)), seconds)
