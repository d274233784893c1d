"""sessions and check-ins: program_id, indexes for the program report

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 16:10:19.234084
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN, never a batch copy: on SQLite, copying mentoring_sessions means
    # dropping it, which cascades to every check-in and outbox row. SQLite adds a column with a
    # foreign key only as nullable, and cannot report an inline ON DELETE back to a schema
    # comparison: hence nullable, and no ON DELETE (the rows already go with their pair).
    sqlite = op.get_bind().dialect.name == 'sqlite'
    for table in ('mentoring_sessions', 'check_ins'):
        fk = op.f(f'fk_{table}_program_id_programs')
        if sqlite:  # Alembic would add the foreign key as a separate ALTER, which SQLite lacks
            op.execute(
                f'ALTER TABLE {table} ADD COLUMN program_id INTEGER '
                f'CONSTRAINT {fk} REFERENCES programs (id)'
            )
        else:
            op.add_column(table, sa.Column('program_id', sa.Integer(), nullable=True))
            op.create_foreign_key(fk, table, 'programs', ['program_id'], ['id'])
    op.execute(
        'UPDATE mentoring_sessions SET program_id = '
        '(SELECT pairs.program_id FROM pairs WHERE pairs.id = mentoring_sessions.pair_id)'
    )
    op.execute(
        'UPDATE check_ins SET program_id = (SELECT mentoring_sessions.program_id '
        'FROM mentoring_sessions WHERE mentoring_sessions.id = check_ins.session_id)'
    )
    op.create_index(
        'ix_mentoring_sessions_program_id_status',
        'mentoring_sessions',
        ['program_id', 'status', 'starts_at', 'cancelled_by'],
        unique=False,
    )
    op.create_index(
        'ix_check_ins_program_id_topics',
        'check_ins',
        ['program_id', sa.text('CAST(topics AS TEXT)'), 'rating'],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index('ix_check_ins_program_id_topics', table_name='check_ins')
    op.drop_index('ix_mentoring_sessions_program_id_status', table_name='mentoring_sessions')
    for table in ('check_ins', 'mentoring_sessions'):
        if op.get_bind().dialect.name != 'sqlite':
            op.drop_constraint(op.f(f'fk_{table}_program_id_programs'), table, type_='foreignkey')
        op.drop_column(table, 'program_id')
