"""sessions and check-ins: program_id; check-ins: topics_text; indexes for the program report

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

FK_SESSIONS = 'fk_mentoring_sessions_program_id_programs'
FK_CHECK_INS = 'fk_check_ins_program_id_programs'


def _topics_text() -> sa.Column:
    return sa.Column(
        'topics_text', sa.Text(), sa.Computed('CAST(topics AS TEXT)', persisted=True)
    )


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == 'sqlite'
    # mentoring_sessions gets a plain ADD COLUMN, never a batch copy: on SQLite, copying it
    # means dropping it, which cascades to every check-in and outbox row. SQLite adds a column
    # with a foreign key only as nullable, and cannot report an inline ON DELETE back to a
    # schema comparison: hence nullable, and no ON DELETE (the rows already go with their pair).
    if sqlite:  # Alembic would add the foreign key as a separate ALTER, which SQLite lacks
        op.execute(
            'ALTER TABLE mentoring_sessions ADD COLUMN program_id INTEGER '
            f'CONSTRAINT {FK_SESSIONS} REFERENCES programs (id)'
        )
    else:
        op.add_column('mentoring_sessions', sa.Column('program_id', sa.Integer(), nullable=True))
        op.create_foreign_key(
            FK_SESSIONS, 'mentoring_sessions', 'programs', ['program_id'], ['id']
        )
    op.execute(
        'UPDATE mentoring_sessions SET program_id = '
        '(SELECT pairs.program_id FROM pairs WHERE pairs.id = mentoring_sessions.pair_id)'
    )

    # No table refers to check_ins, so SQLite may copy it: the only way it adds a stored
    # generated column.
    if sqlite:
        with op.batch_alter_table('check_ins', recreate='always') as batch_op:
            batch_op.add_column(sa.Column('program_id', sa.Integer(), nullable=True))
            batch_op.add_column(_topics_text())
            batch_op.create_foreign_key(FK_CHECK_INS, 'programs', ['program_id'], ['id'])
    else:
        op.add_column('check_ins', sa.Column('program_id', sa.Integer(), nullable=True))
        op.create_foreign_key(FK_CHECK_INS, 'check_ins', 'programs', ['program_id'], ['id'])
        op.add_column('check_ins', _topics_text())
    op.execute(
        'UPDATE check_ins SET program_id = (SELECT mentoring_sessions.program_id '
        'FROM mentoring_sessions WHERE mentoring_sessions.id = check_ins.session_id)'
    )

    op.create_index(
        'ix_mentoring_sessions_program_id_status',
        'mentoring_sessions',
        ['program_id', 'status', 'starts_at', 'cancelled_by', 'cancel_reason'],
        unique=False,
        postgresql_include=['id'],
    )
    op.create_index(
        'ix_participants_program_id_role',
        'participants',
        ['program_id', 'role', 'department', 'location'],
        unique=False,
    )
    op.create_index(
        'ix_check_ins_program_id_topics_text',
        'check_ins',
        ['program_id', 'topics_text', 'rating'],
        unique=False,
    )


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == 'sqlite'
    op.drop_index('ix_check_ins_program_id_topics_text', table_name='check_ins')
    op.drop_index('ix_participants_program_id_role', table_name='participants')
    op.drop_index('ix_mentoring_sessions_program_id_status', table_name='mentoring_sessions')
    if sqlite:
        with op.batch_alter_table('check_ins', recreate='always') as batch_op:
            batch_op.drop_column('topics_text')
            batch_op.drop_column('program_id')
        op.drop_column('mentoring_sessions', 'program_id')
    else:
        op.drop_column('check_ins', 'topics_text')
        op.drop_constraint(FK_CHECK_INS, 'check_ins', type_='foreignkey')
        op.drop_column('check_ins', 'program_id')
        op.drop_constraint(FK_SESSIONS, 'mentoring_sessions', type_='foreignkey')
        op.drop_column('mentoring_sessions', 'program_id')
