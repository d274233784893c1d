from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, Timestamps, str_enum
from models.enums import PairStatus
from models.participant import Participant


class Pair(Timestamps, Base):
    """A reverse mentor and a mentee matched in a program.

    A side is NULL once that person asked to be forgotten: the pair's history stays for the
    other person and the program's figures, without naming them.
    """

    __tablename__ = "pairs"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"), index=True)
    program_id: Mapped[int] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), index=True
    )
    mentor_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL"), index=True
    )
    mentee_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[PairStatus] = mapped_column(str_enum(PairStatus), default=PairStatus.PROPOSED)
    ended_at: Mapped[datetime | None]
    # Why it ended, for coordinators: e.g. "mentor left", "mentee left". Never a person's words.
    ended_reason: Mapped[str | None] = mapped_column(String(64))

    # Matching: the pair's score and its reasons in plain words (shown to coordinator and pair).
    score: Mapped[float | None] = mapped_column(Float)
    reasons: Mapped[list[str] | None] = mapped_column(JSON)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    intro_channel: Mapped[str | None] = mapped_column(String(32))
    intro_sent_at: Mapped[datetime | None]

    # Health, for coordinators: why and since when the pair is at risk; and a delivery
    # problem (e.g. "user_not_found") that stopped a message reaching one of them.
    at_risk_since: Mapped[datetime | None]
    at_risk_reason: Mapped[str | None] = mapped_column(String(200))
    delivery_problem: Mapped[str | None] = mapped_column(String(200))
    # When each partner agreed, in the close-out, to be recognised by name (default: never).
    mentor_recognition_at: Mapped[datetime | None]
    mentee_recognition_at: Mapped[datetime | None]

    mentor: Mapped[Participant | None] = relationship(foreign_keys=[mentor_id], lazy="raise")
    mentee: Mapped[Participant | None] = relationship(foreign_keys=[mentee_id], lazy="raise")
