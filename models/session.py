from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Computed,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, Timestamps, str_enum
from models.enums import CheckInOutcome, SessionStatus, Side
from models.pair import Pair


class MentoringSession(Timestamps, Base):
    """One meeting of a pair. Moving it bumps `version`, which retires its old reminders."""

    __tablename__ = "mentoring_sessions"
    __table_args__ = (
        Index("ix_mentoring_sessions_status_starts_at", "status", "starts_at"),
        # The program report counts by status from this index alone (a cancel reason is at
        # most REASON_LENGTH characters; it is here for "rescheduled"), and finds cancelled
        # sessions' ids in it (SQLite keeps the id in every index; Postgres is told to).
        Index(
            "ix_mentoring_sessions_program_id_status",
            "program_id",
            "status",
            "starts_at",
            "cancelled_by",
            "cancel_reason",
            postgresql_include=["id"],
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pairs.id", ondelete="CASCADE"), index=True)
    # The pair's program, copied so program figures need no join through pairs. Always set;
    # added to live tables by a plain ADD COLUMN (migration 0008), hence nullable and with no
    # ON DELETE of its own: a program's sessions already go with its pairs.
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), nullable=True)
    starts_at: Mapped[datetime]
    minutes: Mapped[int] = mapped_column(SmallInteger)
    agenda: Mapped[str | None] = mapped_column(Text)
    status: Mapped[SessionStatus] = mapped_column(
        str_enum(SessionStatus), default=SessionStatus.SCHEDULED
    )
    version: Mapped[int] = mapped_column(SmallInteger, default=1, server_default="1")
    scheduled_by: Mapped[str] = mapped_column(String(32))
    cancelled_by: Mapped[Side | None] = mapped_column(str_enum(Side))
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    cancelled_at: Mapped[datetime | None]

    pair: Mapped[Pair] = relationship(lazy="raise")


class CheckIn(Timestamps, Base):
    """One person's account of one session. `private_note` is read only by its author."""

    __tablename__ = "check_ins"
    __table_args__ = (
        UniqueConstraint("session_id", "participant_id"),
        # The program report reads its topic and rating figures along this index, in topic-list
        # order: no sort, no hashing (and on Postgres, no table rows).
        Index("ix_check_ins_program_id_topics_text", "program_id", "topics_text", "rating"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("mentoring_sessions.id", ondelete="CASCADE"), index=True
    )
    # The session's program, copied likewise (and going with its session).
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id"), nullable=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    side: Mapped[Side] = mapped_column(str_enum(Side))
    outcome: Mapped[CheckInOutcome] = mapped_column(str_enum(CheckInOutcome))
    rating: Mapped[int | None] = mapped_column(SmallInteger)
    topics: Mapped[list[str] | None] = mapped_column(JSON)
    # The topic list as text, kept by the database: `json` can be neither grouped nor indexed
    # on Postgres.
    topics_text: Mapped[str | None] = mapped_column(
        Text, Computed("CAST(topics AS TEXT)", persisted=True)
    )
    learned: Mapped[str | None] = mapped_column(Text)
    private_note: Mapped[str | None] = mapped_column(Text)
    follow_up: Mapped[str | None] = mapped_column(Text)
