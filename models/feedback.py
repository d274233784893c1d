from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, Timestamps, str_enum
from models.enums import SurveyKind


class SurveyResponse(Timestamps, Base):
    """A midpoint or final survey answer: effectiveness, topic re-ratings, would recommend."""

    __tablename__ = "survey_responses"
    __table_args__ = (UniqueConstraint("pair_id", "participant_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pairs.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[SurveyKind] = mapped_column(str_enum(SurveyKind))
    effectiveness: Mapped[int] = mapped_column(SmallInteger)
    # topic key -> self-rating 1..5 now
    ratings: Mapped[dict[str, int]] = mapped_column(JSON)
    would_recommend: Mapped[bool]


class Concern(Timestamps, Base):
    """A private concern raised with the coordinators; never shown to the partner."""

    __tablename__ = "concerns"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"), index=True)
    program_id: Mapped[int | None] = mapped_column(
        ForeignKey("programs.id", ondelete="CASCADE"), index=True
    )
    reporter_user_id: Mapped[str] = mapped_column(String(32))
    pair_id: Mapped[int | None] = mapped_column(ForeignKey("pairs.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    acknowledged_by: Mapped[str | None] = mapped_column(String(32))
    acknowledged_at: Mapped[datetime | None]
