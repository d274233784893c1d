"""programs: the midpoint and final evaluation dates

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 05:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('programs') as batch:
        batch.add_column(sa.Column('midpoint_on', sa.Date(), nullable=True))
        batch.add_column(sa.Column('final_on', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('programs') as batch:
        batch.drop_column('final_on')
        batch.drop_column('midpoint_on')
