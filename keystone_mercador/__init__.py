"""Mercador: federate OpenStack clouds through Keystone."""
