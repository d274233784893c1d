from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, Timestamps


class Coordinator(Timestamps, Base):
    """Someone an existing coordinator added with `/mentoring coordinators add`.

    Coordinators from MENTORBOT_COORDINATORS and workspace admins/owners are not stored here.
    """

    __tablename__ = "coordinators"
    __table_args__ = (UniqueConstraint("team_id", "slack_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"), index=True)
    slack_user_id: Mapped[str] = mapped_column(String(32))
    added_by: Mapped[str | None] = mapped_column(String(32))
