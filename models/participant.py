from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, Timestamps, str_enum
from models.enums import (
    Cadence,
    CareerStage,
    NextStep,
    ParticipantStatus,
    Personality,
    Role,
    TopicDirection,
)

TEXT_FIELD_LENGTH = 100


class Participant(Timestamps, Base):
    """One person's enrolment in one program, with the profile matching reads."""

    __tablename__ = "participants"
    __table_args__ = (
        UniqueConstraint("program_id", "slack_user_id"),
        # The program report's breakdown by role, department and location, read in order.
        Index("ix_participants_program_id_role", "program_id", "role", "department", "location"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"), index=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    slack_user_id: Mapped[str] = mapped_column(String(32), index=True)
    status: Mapped[ParticipantStatus] = mapped_column(
        str_enum(ParticipantStatus), default=ParticipantStatus.ACTIVE
    )
    role: Mapped[Role] = mapped_column(str_enum(Role))
    department: Mapped[str] = mapped_column(String(TEXT_FIELD_LENGTH))
    location: Mapped[str] = mapped_column(String(TEXT_FIELD_LENGTH))
    job_title: Mapped[str] = mapped_column(String(TEXT_FIELD_LENGTH))
    career_stage: Mapped[CareerStage] = mapped_column(str_enum(CareerStage))
    personality: Mapped[Personality] = mapped_column(str_enum(Personality))
    cadence: Mapped[Cadence] = mapped_column(str_enum(Cadence))
    mentee_capacity: Mapped[int] = mapped_column(SmallInteger, default=1)
    # IANA name from users.info; None until Slack has told us.
    timezone: Mapped[str | None] = mapped_column(String(64))
    consented_at: Mapped[datetime]
    paused_until: Mapped[datetime | None]
    left_at: Mapped[datetime | None]
    # The close-out's choice, and when it was made (the next program's invitation reads it).
    next_step: Mapped[NextStep | None] = mapped_column(str_enum(NextStep))
    next_step_at: Mapped[datetime | None]

    topics: Mapped[list[ParticipantTopic]] = relationship(
        back_populates="participant",
        cascade="all, delete-orphan",
        order_by="ParticipantTopic.id",
        lazy="raise",
    )
    exclusions: Mapped[list[MatchExclusion]] = relationship(
        back_populates="participant",
        cascade="all, delete-orphan",
        order_by="MatchExclusion.id",
        lazy="raise",
    )

    def is_paused(self, now: datetime) -> bool:
        return self.paused_until is not None and self.paused_until > now

    def topic_keys(self, direction: TopicDirection) -> list[str]:
        return [t.topic for t in self.topics if t.direction == direction]


class ParticipantTopic(Base):
    """A topic someone can teach or wants to learn (with their 1-5 self-rating when learning)."""

    __tablename__ = "participant_topics"
    __table_args__ = (UniqueConstraint("participant_id", "direction", "topic"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"), index=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    direction: Mapped[TopicDirection] = mapped_column(str_enum(TopicDirection))
    topic: Mapped[str] = mapped_column(String(40))
    self_rating: Mapped[int | None] = mapped_column(SmallInteger)

    participant: Mapped[Participant] = relationship(back_populates="topics", lazy="raise")


class MatchExclusion(Base):
    """Someone this participant must never be matched with (e.g. their manager or reports)."""

    __tablename__ = "match_exclusions"
    __table_args__ = (UniqueConstraint("participant_id", "excluded_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"), index=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    excluded_user_id: Mapped[str] = mapped_column(String(32), index=True)

    participant: Mapped[Participant] = relationship(back_populates="exclusions", lazy="raise")
