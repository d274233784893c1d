from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class ProcessedRequest(Base):
    """A Slack delivery already acted on (an event id, a submitted view), so a retry or a
    double submission has no second effect."""

    __tablename__ = "processed_requests"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    created_at: Mapped[datetime] = mapped_column(index=True)
