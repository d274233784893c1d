"""Programs (cohorts)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services.persistence import get_or_create
from bot.services.workspaces import ensure_workspace
from models import Program
from models.enums import ProgramStatus


def find_open_program(db_session: Session, *, team_id: str) -> Program | None:
    """The program `join` enrols into, if the workspace has one."""
    return db_session.scalars(
        select(Program).where(Program.team_id == team_id, Program.status == ProgramStatus.OPEN)
    ).one_or_none()


def get_or_create_open_program(db_session: Session, *, team_id: str, now: datetime) -> Program:
    """The open program, created with defaults the first time anyone needs one."""
    ensure_workspace(db_session, team_id=team_id)
    program, _ = get_or_create(
        db_session,
        find=lambda: find_open_program(db_session, team_id=team_id),
        create=lambda: Program(
            team_id=team_id,
            name=f"Reverse mentoring {now.year}",
            status=ProgramStatus.OPEN,
            created_at=now,
            updated_at=now,
        ),
    )
    return program
