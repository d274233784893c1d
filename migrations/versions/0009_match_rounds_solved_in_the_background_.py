"""match rounds: solved in the background, published through the outbox

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 18:13:56.915759
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('match_rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum('solving', 'ready', 'failed', 'publishing', 'published', name='roundstate', native_enum=False, length=16), nullable=False),
    sa.Column('requested_by', sa.String(length=32), nullable=False),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('solve_deadline', sa.DateTime(timezone=True), nullable=False),
    sa.Column('solved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('pairs', sa.Integer(), nullable=False),
    sa.Column('unmatched', sa.Integer(), nullable=False),
    sa.Column('top_topic_covered', sa.Float(), nullable=True),
    sa.Column('cross_department', sa.Float(), nullable=True),
    sa.Column('watchers', sa.JSON(), nullable=False),
    sa.Column('published_by', sa.String(length=32), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('intros_queued', sa.Integer(), nullable=False),
    sa.Column('notes_queued', sa.Integer(), nullable=False),
    sa.Column('progress_shown', sa.Integer(), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_match_rounds_program_id_programs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['workspaces.team_id'], name=op.f('fk_match_rounds_team_id_workspaces')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_match_rounds'))
    )
    with op.batch_alter_table('match_rounds', schema=None) as batch_op:
        batch_op.create_index('ix_match_rounds_program_id_id', ['program_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_match_rounds_team_id'), ['team_id'], unique=False)

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('round_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_outbox_round_id'), ['round_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_round_id'))
        batch_op.drop_column('round_id')

    with op.batch_alter_table('match_rounds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_match_rounds_team_id'))
        batch_op.drop_index('ix_match_rounds_program_id_id')

    op.drop_table('match_rounds')
