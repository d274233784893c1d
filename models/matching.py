from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, Timestamps, str_enum
from models.enums import RoundState


class ForbiddenPairing(Base):
    """A coordinator's "never pair these two" (or a pair removed from a proposal)."""

    __tablename__ = "forbidden_pairings"
    __table_args__ = (UniqueConstraint("mentor_id", "mentee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"), index=True)
    program_id: Mapped[int] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), index=True
    )
    mentor_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    mentee_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )


class Unmatched(Base):
    """Someone the latest proposal left unmatched, with the reason in plain words."""

    __tablename__ = "unmatched"
    __table_args__ = (UniqueConstraint("program_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"), index=True)
    program_id: Mapped[int] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(Text)
    notified_at: Mapped[datetime | None]
    # Each proposal run has a number; rows of an older run are replaced.
    run: Mapped[str] = mapped_column(String(40))


class MatchRound(Timestamps, Base):
    """One run of matching for a program: solved in the background, reviewed, published.

    The latest round of a program is what its coordinators see. Its figures describe the
    proposal as it stands (kept up to date when a pair is removed); the publishing counts are
    what was queued, progress being read from the outbox rows that carry the round's id.
    """

    __tablename__ = "match_rounds"
    __table_args__ = (Index("ix_match_rounds_program_id_id", "program_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"), index=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    state: Mapped[RoundState] = mapped_column(str_enum(RoundState), default=RoundState.SOLVING)
    requested_by: Mapped[str] = mapped_column(String(32))
    people: Mapped[int] = mapped_column(Integer, default=0)  # in the pool when it started
    started_at: Mapped[datetime]
    # A solve still running after this belongs to a process that stopped: the round failed.
    solve_deadline: Mapped[datetime]
    solved_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
    # The proposal's figures, for the review and the App Home without loading every pair.
    pairs: Mapped[int] = mapped_column(Integer, default=0)
    unmatched: Mapped[int] = mapped_column(Integer, default=0)
    top_topic_covered: Mapped[float | None] = mapped_column(Float)
    cross_department: Mapped[float | None] = mapped_column(Float)
    # 1 - total / bound of the solve (None once the proposal was changed by hand).
    gap: Mapped[float | None] = mapped_column(Float)
    # Open modals showing this round, to fill or update: [{"user": ..., "view": ...}].
    watchers: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    published_by: Mapped[str | None] = mapped_column(String(32))
    published_at: Mapped[datetime | None]
    intros_queued: Mapped[int] = mapped_column(Integer, default=0)
    notes_queued: Mapped[int] = mapped_column(Integer, default=0)
    # Messages finished (sent or failed for good) when progress was last shown.
    progress_shown: Mapped[int] = mapped_column(Integer, default=0)
    finished_at: Mapped[datetime | None]
