"""match_rounds: how far the proposal may be below the best possible total

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 12:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('match_rounds') as batch:
        batch.add_column(sa.Column('gap', sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('match_rounds') as batch:
        batch.drop_column('gap')
