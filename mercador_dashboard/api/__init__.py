"""The only part of the dashboard that talks to remote services."""

from mercador_dashboard.api import mercador

__all__ = ['mercador']
