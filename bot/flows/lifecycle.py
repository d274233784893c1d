"""The app leaving a workspace: its unsent messages withdrawn, its data kept for a while."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from bot.deps import Deps
from bot.services.workspace_lifecycle import mark_installed, mark_uninstalled


def installed(session_factory: sessionmaker[Session], *, team_id: str, name: str | None) -> None:
    """The app was installed (or installed again) in a workspace."""
    with session_factory.begin() as db_session:
        mark_installed(db_session, team_id=team_id, name=name)


def uninstalled(deps: Deps, *, team_id: str) -> int:
    """Record the uninstall; returns how many unsent messages were withdrawn."""
    with deps.session_factory.begin() as db_session:
        return mark_uninstalled(db_session, team_id=team_id, now=deps.clock())
