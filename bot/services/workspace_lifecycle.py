"""A workspace leaving: uninstall stops everything at once; its data goes after retention."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

import models
from bot.services.workspaces import ensure_workspace
from models import OutboxMessage, Workspace
from models.enums import OutboxState


def mark_uninstalled(db_session: Session, *, team_id: str, now: datetime) -> int:
    """Record the uninstall and withdraw the workspace's unsent messages; returns how many."""
    workspace = ensure_workspace(db_session, team_id=team_id)
    workspace.uninstalled_at = workspace.uninstalled_at or now
    result = db_session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.team_id == team_id,
            OutboxMessage.state.in_((OutboxState.PENDING, OutboxState.SENDING)),
        )
        .values(state=OutboxState.CANCELLED, last_error="app uninstalled", updated_at=now)
    )
    return int(getattr(result, "rowcount", 0))


def mark_installed(db_session: Session, *, team_id: str, name: str | None) -> None:
    """An install (or a reinstall before the purge, which keeps the workspace's data)."""
    workspace = ensure_workspace(db_session, team_id=team_id)
    workspace.uninstalled_at = None
    workspace.name = name or workspace.name


def due_for_purge(db_session: Session, *, now: datetime, retention: timedelta) -> list[str]:
    return list(
        db_session.scalars(
            select(Workspace.team_id).where(
                Workspace.uninstalled_at.is_not(None),
                Workspace.uninstalled_at <= now - retention,
            )
        )
    )


def purge_workspace(db_session: Session, *, team_id: str) -> dict[str, int]:
    """Delete every row of the workspace: tables with a team_id directly, children first; rows
    without one (sessions, check-ins, goals...) go with their pair or person by cascade."""
    removed: dict[str, int] = {}
    for table in reversed(models.Base.metadata.sorted_tables):
        if "team_id" not in table.c or table.name == Workspace.__tablename__:
            continue
        if table.name.startswith("slack_"):
            continue  # tokens are deleted at uninstall, by the installation store
        result = db_session.execute(delete(table).where(table.c.team_id == team_id))
        removed[table.name] = int(getattr(result, "rowcount", 0))
    db_session.execute(delete(Workspace).where(Workspace.team_id == team_id))
    return {name: n for name, n in removed.items() if n}
