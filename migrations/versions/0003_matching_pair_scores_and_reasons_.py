"""matching: pair scores and reasons, forbidden pairings, unmatched, separate departments

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 12:04:40.404505
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('forbidden_pairings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('mentor_id', sa.Integer(), nullable=False),
    sa.Column('mentee_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['mentee_id'], ['participants.id'], name=op.f('fk_forbidden_pairings_mentee_id_participants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['mentor_id'], ['participants.id'], name=op.f('fk_forbidden_pairings_mentor_id_participants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_forbidden_pairings_program_id_programs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['workspaces.team_id'], name=op.f('fk_forbidden_pairings_team_id_workspaces')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forbidden_pairings')),
    sa.UniqueConstraint('mentor_id', 'mentee_id', name=op.f('uq_forbidden_pairings_mentor_id_mentee_id'))
    )
    with op.batch_alter_table('forbidden_pairings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forbidden_pairings_mentee_id'), ['mentee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_forbidden_pairings_mentor_id'), ['mentor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_forbidden_pairings_program_id'), ['program_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_forbidden_pairings_team_id'), ['team_id'], unique=False)

    op.create_table('unmatched',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('notified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('run', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_unmatched_participant_id_participants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_unmatched_program_id_programs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['workspaces.team_id'], name=op.f('fk_unmatched_team_id_workspaces')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unmatched')),
    sa.UniqueConstraint('program_id', 'participant_id', name=op.f('uq_unmatched_program_id_participant_id'))
    )
    with op.batch_alter_table('unmatched', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unmatched_participant_id'), ['participant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_unmatched_program_id'), ['program_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_unmatched_team_id'), ['team_id'], unique=False)

    with op.batch_alter_table('pairs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('score', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('reasons', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('pinned', sa.Boolean(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('intro_channel', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('intro_sent_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('programs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('separate_departments', sa.Boolean(), server_default='1', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('programs', schema=None) as batch_op:
        batch_op.drop_column('separate_departments')

    with op.batch_alter_table('pairs', schema=None) as batch_op:
        batch_op.drop_column('intro_sent_at')
        batch_op.drop_column('intro_channel')
        batch_op.drop_column('pinned')
        batch_op.drop_column('reasons')
        batch_op.drop_column('score')

    with op.batch_alter_table('unmatched', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unmatched_team_id'))
        batch_op.drop_index(batch_op.f('ix_unmatched_program_id'))
        batch_op.drop_index(batch_op.f('ix_unmatched_participant_id'))

    op.drop_table('unmatched')
    with op.batch_alter_table('forbidden_pairings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_forbidden_pairings_team_id'))
        batch_op.drop_index(batch_op.f('ix_forbidden_pairings_program_id'))
        batch_op.drop_index(batch_op.f('ix_forbidden_pairings_mentor_id'))
        batch_op.drop_index(batch_op.f('ix_forbidden_pairings_mentee_id'))

    op.drop_table('forbidden_pairings')
