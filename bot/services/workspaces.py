"""Workspaces (Slack teams)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.services.persistence import get_or_create
from models import Workspace


def ensure_workspace(db_session: Session, *, team_id: str) -> Workspace:
    """Return the workspace row for a team, creating it on first contact."""
    workspace, _ = get_or_create(
        db_session,
        find=lambda: db_session.get(Workspace, team_id),
        create=lambda: Workspace(team_id=team_id),
    )
    return workspace
