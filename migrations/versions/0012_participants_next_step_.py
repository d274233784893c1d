"""participants: the close-out's choice of what comes next

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 07:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('participants') as batch:
        batch.add_column(sa.Column('next_step', sa.String(length=16), nullable=True))
        batch.add_column(sa.Column('next_step_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('participants') as batch:
        batch.drop_column('next_step_at')
        batch.drop_column('next_step')
