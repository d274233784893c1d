from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey, Index, SmallInteger, String, text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, Timestamps, str_enum
from models.enums import Cadence, ProgramStatus


class Program(Timestamps, Base):
    """A cohort of the mentoring program; the open one is what `/mentoring join` enrols into."""

    __tablename__ = "programs"
    # At most one open program per workspace: a partial unique index both databases enforce.
    __table_args__ = (
        Index(
            "uq_programs_one_open_per_team",
            "team_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("workspaces.team_id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    status: Mapped[ProgramStatus] = mapped_column(
        str_enum(ProgramStatus),
        default=ProgramStatus.OPEN,
    )
    signup_open: Mapped[bool] = mapped_column(default=True)
    cadence: Mapped[Cadence] = mapped_column(
        str_enum(Cadence),
        default=Cadence.BIWEEKLY,
    )
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    # When the program's midpoint and final surveys go out; unset, each pair's own halfway
    # point and end decide.
    midpoint_on: Mapped[date | None]
    final_on: Mapped[date | None]
    session_minutes: Mapped[int] = mapped_column(SmallInteger, default=45, server_default="45")
    planned_sessions: Mapped[int] = mapped_column(SmallInteger, default=6, server_default="6")
    announcement_channel: Mapped[str | None] = mapped_column(String(32))
    # Matching never pairs two people from the same department when set.
    separate_departments: Mapped[bool] = mapped_column(default=True, server_default="1")
    # Coordinators opted in to a Monday-morning digest of this program's figures.
    weekly_digest: Mapped[bool] = mapped_column(default=False, server_default="0")
