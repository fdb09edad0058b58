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

"""JSON Schema types both sides' request schemas use."""

id_ = {'type': 'string', 'minLength': 1, 'maxLength': 64}
name = {'type': 'string', 'minLength': 1, 'maxLength': 255,
        'pattern': r'^[^\x00-\x1f]+$'}
description = {'type': 'string', 'maxLength': 4096}
service_type = {'type': 'string', 'minLength': 1, 'maxLength': 255,
                'pattern': r'^[a-z0-9][a-z0-9-]*$'}
idempotency_key = {'type': 'string', 'minLength': 8, 'maxLength': 255,
                   'pattern': r'^[A-Za-z0-9._:-]+$'}

# ISO 8601, as keystone_mercador.common.usage parses it.
time = {'type': 'string', 'maxLength': 64,
        'pattern': r'^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}'
                   r'(:[0-9]{2}([.][0-9]{1,6})?)?(Z|[+-][0-9]{2}:[0-9]{2})?$'}

empty_query = {'type': 'object', 'additionalProperties': False}
empty_body = {'type': 'object', 'additionalProperties': False}

#: A usage report's query: a period of at most 31 days (default: the last
#: 24 hours; the 31 days are checked by the manager) and one project.
usage_query = {
    'type': 'object',
    'properties': {
        'start': time,
        'end': time,
        'project_id': id_,
    },
    'additionalProperties': False,
}
