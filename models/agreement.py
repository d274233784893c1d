from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, Timestamps, str_enum
from models.enums import Cadence, GoalStatus, Side


class Agreement(Timestamps, Base):
    """A pair's ground rules; the pair is active once both sides have confirmed them."""

    __tablename__ = "agreements"

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pairs.id", ondelete="CASCADE"), unique=True)
    confidentiality: Mapped[bool] = mapped_column(default=False)
    boundaries: Mapped[str | None] = mapped_column(Text)
    meeting_mode: Mapped[str | None] = mapped_column(String(200))
    cadence: Mapped[Cadence] = mapped_column(str_enum(Cadence))
    ends_on: Mapped[date | None]
    mentor_confirmed_at: Mapped[datetime | None]
    mentee_confirmed_at: Mapped[datetime | None]
    summary_posted_at: Mapped[datetime | None]


class Goal(Timestamps, Base):
    """What one side wants from the pair: the mentee to learn, the reverse mentor in return."""

    __tablename__ = "goals"

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pairs.id", ondelete="CASCADE"), index=True)
    side: Mapped[Side] = mapped_column(str_enum(Side))
    topic: Mapped[str | None] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    target_date: Mapped[date | None]
    status: Mapped[GoalStatus] = mapped_column(str_enum(GoalStatus), default=GoalStatus.OPEN)
