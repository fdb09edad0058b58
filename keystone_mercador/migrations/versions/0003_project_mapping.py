"""Aggregator side: local project to provider project, per bound region.

Revision ID: 0003
Revises: 0002
"""

from alembic import op
import sqlalchemy as sa

revision = '0003'
down_revision = '0002'


def upgrade():
    op.create_table(
        'mercador_project_mapping',
        sa.Column('bound_region_id', sa.String(64),
                  sa.ForeignKey('mercador_bound_region.id',
                                ondelete='CASCADE'),
                  primary_key=True),
        sa.Column('project_id', sa.String(64), primary_key=True),
        sa.Column('reference', sa.String(64), nullable=False, unique=True),
        sa.Column('provider_project_id', sa.String(64), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
    )
