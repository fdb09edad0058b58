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

"""Storage interface of the aggregator side."""

import abc


class AggregatorDriverBase(metaclass=abc.ABCMeta):
    """Rows of providers, bound regions and entitlements.

    Every method returns plain dicts. Getters raise the matching
    ``keystone_mercador.exception.*NotFound``; creators raise
    ``keystone_mercador.exception.Conflict`` on a duplicate. Drivers neither
    enforce policy nor emit notifications.
    """

    @abc.abstractmethod
    def create_provider(self, provider):
        """Store a provider ``{id, name, description, auth_url,
        ca_certificate, application_credential_id, encrypted_secret,
        key_hash}``."""

    @abc.abstractmethod
    def get_provider(self, provider_id):
        """Return one provider, its encrypted secret included."""

    @abc.abstractmethod
    def list_providers(self):
        """Return every provider."""

    @abc.abstractmethod
    def update_provider(self, provider_id, values):
        """Update and return a provider."""

    @abc.abstractmethod
    def delete_provider(self, provider_id):
        """Delete a provider row; Conflict while it has bound regions."""

    @abc.abstractmethod
    def list_secrets(self):
        """Every stored secret, as ``{kind, id, blob, key_hash}``: the
        ``provider`` application credentials and the ``bound_region``
        binding passwords."""

    @abc.abstractmethod
    def replace_secret(self, kind, row_id, old_blob, new_blob, key_hash):
        """Replace a secret if it is still ``old_blob``; return whether it
        was replaced."""

    @abc.abstractmethod
    def create_bound_region(self, bound_region):
        """Store a bound region; Conflict if its region ID, offer or
        idempotency key is taken."""

    @abc.abstractmethod
    def get_bound_region(self, bound_region_id):
        """Return one bound region, its encrypted password included."""

    @abc.abstractmethod
    def find_bound_region(self, idempotency_key=None, region_id=None):
        """Return the bound region with this key or region ID, or None."""

    @abc.abstractmethod
    def list_bound_regions(self, provider_id=None, status=None,
                           region_id=None, marker=None, limit=None):
        """Return bound regions, optionally filtered, ordered by region ID:
        at most ``limit`` of them, those after the bound region ``marker``
        when given (MarkerNotFound if there is none)."""

    @abc.abstractmethod
    def update_bound_region(self, bound_region_id, values, endpoints=None):
        """Update a bound region; replace its endpoint rows when given
        (a list of ``{endpoint_id, service_id, service_type}``)."""

    @abc.abstractmethod
    def delete_bound_region(self, bound_region_id):
        """Delete a bound region with its endpoint, entitlement and project
        mapping rows."""

    @abc.abstractmethod
    def list_bound_endpoints(self, bound_region_id):
        """Return the endpoint rows of a bound region."""

    @abc.abstractmethod
    def list_owned_services(self):
        """Return ``{service_type: service_id}`` of the catalog services
        Mercador created."""

    @abc.abstractmethod
    def add_owned_service(self, service_id, service_type):
        """Record a catalog service Mercador created."""

    @abc.abstractmethod
    def remove_owned_service(self, service_id):
        """Forget a catalog service Mercador created."""

    @abc.abstractmethod
    def create_entitlement(self, bound_region_id, target_type, target_id):
        """Entitle a project or domain (idempotent)."""

    @abc.abstractmethod
    def list_entitlements(self, bound_region_id=None, target_id=None):
        """Return entitlements ``{bound_region_id, target_type,
        target_id}``, optionally filtered."""

    @abc.abstractmethod
    def delete_entitlement(self, bound_region_id, target_type, target_id):
        """Remove an entitlement; EntitlementNotFound if absent."""

    @abc.abstractmethod
    def delete_entitlements_of(self, target_id):
        """Remove every entitlement of a deleted project or domain."""

    @abc.abstractmethod
    def get_entitlement(self, bound_region_id, target_type, target_id):
        """Return one entitlement; EntitlementNotFound if absent."""

    @abc.abstractmethod
    def list_entitled_bound_regions(self, project_id, domain_id=None):
        """Return ``{id, region_id}`` of the active bound regions entitled
        to the project or to its domain (read from Keystone's project
        table unless given)."""

    @abc.abstractmethod
    def is_entitled(self, bound_region_id, project_id):
        """Whether the project may use that bound region (same rule)."""

    @abc.abstractmethod
    def get_project_mapping(self, bound_region_id, project_id):
        """The provider project serving a local project, or None."""

    @abc.abstractmethod
    def create_project_mapping(self, mapping):
        """Store ``{bound_region_id, project_id, reference}``; return the
        stored mapping (a concurrent request may have stored it first)."""

    @abc.abstractmethod
    def set_provider_project(self, bound_region_id, project_id,
                             provider_project_id):
        """Record the provider project created for a mapping."""

    @abc.abstractmethod
    def list_project_mappings(self, bound_region_id):
        """The project mappings of a bound region."""

    @abc.abstractmethod
    def get_user_mapping(self, bound_region_id, user_id):
        """The provider user acting for a local user, or None."""

    @abc.abstractmethod
    def create_user_mapping(self, mapping):
        """Store ``{bound_region_id, user_id, reference}``; return the
        stored mapping (a concurrent request may have stored it first)."""

    @abc.abstractmethod
    def set_provider_user(self, bound_region_id, user_id, provider_user_id):
        """Record the provider user made for a mapping."""

    @abc.abstractmethod
    def list_user_mappings(self, user_id=None, bound_region_id=None):
        """User mappings, of a user or of a bound region."""

    @abc.abstractmethod
    def delete_user_mapping(self, bound_region_id, user_id):
        """Forget a user mapping."""

    @abc.abstractmethod
    def local_ids(self, bound_region_id, provider_ids):
        """``{provider ID: local ID}`` for the mapped projects and users of
        a bound region among ``provider_ids``."""
