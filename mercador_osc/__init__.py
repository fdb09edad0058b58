"""OpenStackClient commands for the OS-MERCADOR API."""
