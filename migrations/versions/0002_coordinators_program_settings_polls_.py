"""coordinators, program settings, polls, pairs, pauses, processed requests

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 11:14:26.379142
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('processed_requests',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_processed_requests'))
    )
    with op.batch_alter_table('processed_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_processed_requests_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_processed_requests_team_id'), ['team_id'], unique=False)

    op.create_table('coordinators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('slack_user_id', sa.String(length=32), nullable=False),
    sa.Column('added_by', sa.String(length=32), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['workspaces.team_id'], name=op.f('fk_coordinators_team_id_workspaces')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coordinators')),
    sa.UniqueConstraint('team_id', 'slack_user_id', name=op.f('uq_coordinators_team_id_slack_user_id'))
    )
    with op.batch_alter_table('coordinators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coordinators_team_id'), ['team_id'], unique=False)

    op.create_table('polls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=True),
    sa.Column('channel_id', sa.String(length=32), nullable=False),
    sa.Column('message_ts', sa.String(length=32), nullable=True),
    sa.Column('status', sa.Enum('open', 'closed', name='pollstatus', native_enum=False, length=16), nullable=False),
    sa.Column('created_by', sa.String(length=32), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_polls_program_id_programs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['team_id'], ['workspaces.team_id'], name=op.f('fk_polls_team_id_workspaces')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_polls'))
    )
    with op.batch_alter_table('polls', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_polls_program_id'), ['program_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_polls_team_id'), ['team_id'], unique=False)

    op.create_table('pairs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('mentor_id', sa.Integer(), nullable=True),
    sa.Column('mentee_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('proposed', 'active', 'at_risk', 'completed', 'ended', name='pairstatus', native_enum=False, length=16), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_reason', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['mentee_id'], ['participants.id'], name=op.f('fk_pairs_mentee_id_participants'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['mentor_id'], ['participants.id'], name=op.f('fk_pairs_mentor_id_participants'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_pairs_program_id_programs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['workspaces.team_id'], name=op.f('fk_pairs_team_id_workspaces')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pairs'))
    )
    with op.batch_alter_table('pairs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pairs_mentee_id'), ['mentee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pairs_mentor_id'), ['mentor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pairs_program_id'), ['program_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pairs_team_id'), ['team_id'], unique=False)

    op.create_table('poll_topic_votes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('poll_id', sa.Integer(), nullable=False),
    sa.Column('slack_user_id', sa.String(length=32), nullable=False),
    sa.Column('topic', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['poll_id'], ['polls.id'], name=op.f('fk_poll_topic_votes_poll_id_polls'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['workspaces.team_id'], name=op.f('fk_poll_topic_votes_team_id_workspaces')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_poll_topic_votes')),
    sa.UniqueConstraint('poll_id', 'slack_user_id', 'topic', name=op.f('uq_poll_topic_votes_poll_id_slack_user_id_topic'))
    )
    with op.batch_alter_table('poll_topic_votes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_poll_topic_votes_poll_id'), ['poll_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_poll_topic_votes_slack_user_id'), ['slack_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_poll_topic_votes_team_id'), ['team_id'], unique=False)

    op.create_table('poll_votes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('poll_id', sa.Integer(), nullable=False),
    sa.Column('slack_user_id', sa.String(length=32), nullable=False),
    sa.Column('answer', sa.Enum('mentor', 'mentee', 'more', 'no', name='pollanswer', native_enum=False, length=16), nullable=True),
    sa.Column('followed_up_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['poll_id'], ['polls.id'], name=op.f('fk_poll_votes_poll_id_polls'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['workspaces.team_id'], name=op.f('fk_poll_votes_team_id_workspaces')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_poll_votes')),
    sa.UniqueConstraint('poll_id', 'slack_user_id', name=op.f('uq_poll_votes_poll_id_slack_user_id'))
    )
    with op.batch_alter_table('poll_votes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_poll_votes_poll_id'), ['poll_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_poll_votes_slack_user_id'), ['slack_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_poll_votes_team_id'), ['team_id'], unique=False)

    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paused_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('left_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('programs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('starts_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('ends_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('session_minutes', sa.SmallInteger(), server_default='45', nullable=False))
        batch_op.add_column(sa.Column('planned_sessions', sa.SmallInteger(), server_default='6', nullable=False))
        batch_op.add_column(sa.Column('announcement_channel', sa.String(length=32), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('programs', schema=None) as batch_op:
        batch_op.drop_column('announcement_channel')
        batch_op.drop_column('planned_sessions')
        batch_op.drop_column('session_minutes')
        batch_op.drop_column('ends_on')
        batch_op.drop_column('starts_on')

    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.drop_column('left_at')
        batch_op.drop_column('paused_until')

    with op.batch_alter_table('poll_votes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_poll_votes_team_id'))
        batch_op.drop_index(batch_op.f('ix_poll_votes_slack_user_id'))
        batch_op.drop_index(batch_op.f('ix_poll_votes_poll_id'))

    op.drop_table('poll_votes')
    with op.batch_alter_table('poll_topic_votes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_poll_topic_votes_team_id'))
        batch_op.drop_index(batch_op.f('ix_poll_topic_votes_slack_user_id'))
        batch_op.drop_index(batch_op.f('ix_poll_topic_votes_poll_id'))

    op.drop_table('poll_topic_votes')
    with op.batch_alter_table('pairs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pairs_team_id'))
        batch_op.drop_index(batch_op.f('ix_pairs_program_id'))
        batch_op.drop_index(batch_op.f('ix_pairs_mentor_id'))
        batch_op.drop_index(batch_op.f('ix_pairs_mentee_id'))

    op.drop_table('pairs')
    with op.batch_alter_table('polls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_polls_team_id'))
        batch_op.drop_index(batch_op.f('ix_polls_program_id'))

    op.drop_table('polls')
    with op.batch_alter_table('coordinators', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coordinators_team_id'))

    op.drop_table('coordinators')
    with op.batch_alter_table('processed_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_processed_requests_team_id'))
        batch_op.drop_index(batch_op.f('ix_processed_requests_created_at'))

    op.drop_table('processed_requests')
