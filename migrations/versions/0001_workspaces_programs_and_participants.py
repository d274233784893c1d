"""workspaces, programs and participants

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 10:57:40.394267
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('workspaces',
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('team_id', name=op.f('pk_workspaces'))
    )
    op.create_table('programs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('status', sa.Enum('open', 'closed', 'finished', name='programstatus', native_enum=False, length=16), nullable=False),
    sa.Column('signup_open', sa.Boolean(), nullable=False),
    sa.Column('cadence', sa.Enum('weekly', 'biweekly', 'monthly', name='cadence', native_enum=False, length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['team_id'], ['workspaces.team_id'], name=op.f('fk_programs_team_id_workspaces')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programs'))
    )
    with op.batch_alter_table('programs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programs_team_id'), ['team_id'], unique=False)
    op.create_index(
        'uq_programs_one_open_per_team', 'programs', ['team_id'], unique=True,
        sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"),
    )

    op.create_table('participants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('program_id', sa.Integer(), nullable=False),
    sa.Column('slack_user_id', sa.String(length=32), nullable=False),
    sa.Column('status', sa.Enum('active', 'paused', 'left', name='participantstatus', native_enum=False, length=16), nullable=False),
    sa.Column('role', sa.Enum('mentor', 'mentee', 'both', name='role', native_enum=False, length=16), nullable=False),
    sa.Column('department', sa.String(length=100), nullable=False),
    sa.Column('location', sa.String(length=100), nullable=False),
    sa.Column('job_title', sa.String(length=100), nullable=False),
    sa.Column('career_stage', sa.Enum('0-2', '3-5', '6-10', '11-20', '20+', name='careerstage', native_enum=False, length=16), nullable=False),
    sa.Column('personality', sa.Enum('introvert', 'ambivert', 'extrovert', name='personality', native_enum=False, length=16), nullable=False),
    sa.Column('cadence', sa.Enum('weekly', 'biweekly', 'monthly', name='cadence', native_enum=False, length=16), nullable=False),
    sa.Column('mentee_capacity', sa.SmallInteger(), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=True),
    sa.Column('consented_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['program_id'], ['programs.id'], name=op.f('fk_participants_program_id_programs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['workspaces.team_id'], name=op.f('fk_participants_team_id_workspaces')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_participants')),
    sa.UniqueConstraint('program_id', 'slack_user_id', name=op.f('uq_participants_program_id_slack_user_id'))
    )
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_participants_slack_user_id'), ['slack_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_participants_team_id'), ['team_id'], unique=False)

    op.create_table('match_exclusions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('excluded_user_id', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_match_exclusions_participant_id_participants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['workspaces.team_id'], name=op.f('fk_match_exclusions_team_id_workspaces')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_match_exclusions')),
    sa.UniqueConstraint('participant_id', 'excluded_user_id', name=op.f('uq_match_exclusions_participant_id_excluded_user_id'))
    )
    with op.batch_alter_table('match_exclusions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_match_exclusions_excluded_user_id'), ['excluded_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_match_exclusions_participant_id'), ['participant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_match_exclusions_team_id'), ['team_id'], unique=False)

    op.create_table('participant_topics',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.String(length=32), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('direction', sa.Enum('teach', 'learn', name='topicdirection', native_enum=False, length=16), nullable=False),
    sa.Column('topic', sa.String(length=40), nullable=False),
    sa.Column('self_rating', sa.SmallInteger(), nullable=True),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_participant_topics_participant_id_participants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['workspaces.team_id'], name=op.f('fk_participant_topics_team_id_workspaces')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_participant_topics')),
    sa.UniqueConstraint('participant_id', 'direction', 'topic', name=op.f('uq_participant_topics_participant_id_direction_topic'))
    )
    with op.batch_alter_table('participant_topics', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_participant_topics_participant_id'), ['participant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_participant_topics_team_id'), ['team_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('participant_topics', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_participant_topics_team_id'))
        batch_op.drop_index(batch_op.f('ix_participant_topics_participant_id'))

    op.drop_table('participant_topics')
    with op.batch_alter_table('match_exclusions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_match_exclusions_team_id'))
        batch_op.drop_index(batch_op.f('ix_match_exclusions_participant_id'))
        batch_op.drop_index(batch_op.f('ix_match_exclusions_excluded_user_id'))

    op.drop_table('match_exclusions')
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_participants_team_id'))
        batch_op.drop_index(batch_op.f('ix_participants_slack_user_id'))

    op.drop_table('participants')
    op.drop_index('uq_programs_one_open_per_team', table_name='programs')
    with op.batch_alter_table('programs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programs_team_id'))

    op.drop_table('programs')
    op.drop_table('workspaces')
