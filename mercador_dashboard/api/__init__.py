"""The only part of the dashboard that talks to remote services."""

from mercador_dashboard.api import mercador
from mercador_dashboard.api import regions

__all__ = ['mercador', 'regions']
