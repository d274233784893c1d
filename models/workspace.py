from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, Timestamps


class Workspace(Timestamps, Base):
    """A Slack workspace (team); every domain row belongs to one."""

    __tablename__ = "workspaces"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(255))
    # Set when the app is uninstalled: the workspace's data is purged after the retention period.
    uninstalled_at: Mapped[datetime | None]
