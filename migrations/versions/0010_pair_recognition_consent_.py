"""pairs: each partner's consent to a recognition post at the end of the program

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 05:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('pairs') as batch:
        batch.add_column(sa.Column('mentor_recognition_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('mentee_recognition_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('pairs') as batch:
        batch.drop_column('mentee_recognition_at')
        batch.drop_column('mentor_recognition_at')
