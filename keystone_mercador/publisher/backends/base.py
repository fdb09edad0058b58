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

"""Storage interface of the provider side."""

import abc


class PublisherDriverBase(metaclass=abc.ABCMeta):
    """Rows of aggregators, virtual regions, bindings and their projects.

    Every method returns plain dicts. Getters raise the matching
    ``keystone_mercador.exception.*NotFound``; creators raise
    ``keystone_mercador.exception.Conflict`` on a duplicate. Drivers neither
    enforce policy nor emit notifications.
    """

    @abc.abstractmethod
    def create_aggregator(self, aggregator):
        """Store an aggregator ``{id, name, description, user_id,
        project_id, application_credential_id}``."""

    @abc.abstractmethod
    def get_aggregator(self, aggregator_id):
        """Return one aggregator."""

    @abc.abstractmethod
    def find_aggregator_by_project(self, project_id):
        """Return the aggregator whose home project this is, or None."""

    @abc.abstractmethod
    def list_aggregators(self):
        """Return every aggregator."""

    @abc.abstractmethod
    def update_aggregator(self, aggregator_id, values):
        """Update and return an aggregator."""

    @abc.abstractmethod
    def delete_aggregator(self, aggregator_id):
        """Delete an aggregator row (its bindings must be gone)."""

    @abc.abstractmethod
    def create_virtual_region(self, virtual_region, aggregator_ids):
        """Store a virtual region and the aggregators it is visible to."""

    @abc.abstractmethod
    def get_virtual_region(self, virtual_region_id):
        """Return a virtual region with its ``aggregator_ids``."""

    @abc.abstractmethod
    def list_virtual_regions(self, status=None, name=None):
        """Return virtual regions, optionally filtered."""

    @abc.abstractmethod
    def list_offers(self, aggregator_id):
        """Return the published virtual regions visible to an aggregator."""

    @abc.abstractmethod
    def update_virtual_region(self, virtual_region_id, values,
                              aggregator_ids=None):
        """Update a virtual region; replace its access list when given."""

    @abc.abstractmethod
    def delete_virtual_region(self, virtual_region_id):
        """Delete a virtual region row and its access list."""

    @abc.abstractmethod
    def create_binding(self, binding):
        """Store a binding; Conflict if its idempotency key is taken."""

    @abc.abstractmethod
    def update_binding(self, binding_id, values):
        """Update a binding's columns; return it."""

    @abc.abstractmethod
    def get_binding(self, binding_id):
        """Return one binding."""

    @abc.abstractmethod
    def lock_binding(self, binding_id):
        """Hold a binding until the enclosing write transaction ends:
        another transaction that locks it waits until then, in any
        process."""

    @abc.abstractmethod
    def find_binding_by_key(self, aggregator_id, idempotency_key):
        """Return the aggregator's binding made with this key, or None."""

    @abc.abstractmethod
    def list_bindings(self, aggregator_id=None, virtual_region_id=None):
        """Return bindings, optionally filtered."""

    @abc.abstractmethod
    def count_bindings(self, virtual_region_ids):
        """Return ``{virtual_region_id: number of bindings}``."""

    @abc.abstractmethod
    def delete_binding(self, binding_id):
        """Delete a binding row and its project rows."""

    @abc.abstractmethod
    def create_binding_project(self, binding_project):
        """Store ``{id, binding_id, reference}``."""

    @abc.abstractmethod
    def get_binding_project(self, binding_id, project_id):
        """Return one project of a binding."""

    @abc.abstractmethod
    def find_binding_project(self, binding_id, reference):
        """Return the binding's project for a reference, or None."""

    @abc.abstractmethod
    def list_binding_projects(self, binding_id):
        """Return the projects of a binding."""

    @abc.abstractmethod
    def delete_binding_project(self, binding_id, project_id):
        """Delete one project row of a binding."""

    @abc.abstractmethod
    def create_binding_user(self, binding_user):
        """Store ``{id, binding_id, reference}``."""

    @abc.abstractmethod
    def set_binding_user_id(self, placeholder_id, user_id):
        """Give a stored binding user the ID Keystone chose for it."""

    @abc.abstractmethod
    def get_binding_user(self, binding_id, user_id):
        """Return one user of a binding."""

    @abc.abstractmethod
    def find_binding_user(self, binding_id, reference):
        """Return the binding's user for a reference, or None."""

    @abc.abstractmethod
    def list_binding_users(self, binding_id):
        """Return the users of a binding."""

    @abc.abstractmethod
    def delete_binding_user(self, binding_id, user_id):
        """Delete one user row of a binding."""

    @abc.abstractmethod
    def create_usage_samples(self, binding_id, samples, sampled_at):
        """Store one sample per project: ``samples`` is ``{project_id:
        {resource class: amount}}``, all taken at ``sampled_at``."""

    @abc.abstractmethod
    def last_sampled_at(self, binding_id):
        """``{project_id: datetime}`` of the latest sample of each project
        of the binding that has one."""

    @abc.abstractmethod
    def list_usage_samples(self, binding_id, start, end, project_id=None):
        """The samples of a binding (of one of its projects if given) taken
        from ``start`` to ``end`` included, oldest first: dicts with
        ``project_id``, ``sampled_at`` and ``usages``."""
