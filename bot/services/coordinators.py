"""Who may run the program: coordinators from the environment, added ones, workspace admins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.services.errors import DomainError
from bot.services.workspaces import ensure_workspace
from models import Coordinator


class NotCoordinatorError(DomainError):
    def __init__(self) -> None:
        super().__init__(
            "Sorry, only program coordinators can do that. "
            "A coordinator can add you with `/mentoring coordinators add @you`."
        )


@dataclass(frozen=True)
class CoordinatorList:
    configured: list[str]  # from MENTORBOT_COORDINATORS
    added: list[str]


def is_listed_coordinator(
    db_session: Session, *, team_id: str, user_id: str, configured: frozenset[str]
) -> bool:
    """Coordinator by configuration or by an existing coordinator's say-so (admins aside)."""
    if user_id in configured:
        return True
    found = db_session.scalar(
        select(Coordinator.id).where(
            Coordinator.team_id == team_id, Coordinator.slack_user_id == user_id
        )
    )
    return found is not None


def add_coordinator(
    db_session: Session, *, team_id: str, user_id: str, added_by: str, now: datetime
) -> bool:
    """Make `user_id` a coordinator; False if they already were one in this list."""
    ensure_workspace(db_session, team_id=team_id)
    exists = db_session.scalar(
        select(Coordinator.id).where(
            Coordinator.team_id == team_id, Coordinator.slack_user_id == user_id
        )
    )
    if exists is not None:
        return False
    db_session.add(
        Coordinator(
            team_id=team_id,
            slack_user_id=user_id,
            added_by=added_by,
            created_at=now,
            updated_at=now,
        )
    )
    return True


def remove_coordinator(
    db_session: Session, *, team_id: str, user_id: str, configured: frozenset[str]
) -> None:
    """Remove an added coordinator; configured ones can only be removed from the configuration."""
    if user_id in configured:
        raise DomainError(
            f"<@{user_id}> is a coordinator through the app's configuration "
            "(MENTORBOT_COORDINATORS); ask whoever runs the app to change it."
        )
    result = db_session.execute(
        delete(Coordinator).where(
            Coordinator.team_id == team_id, Coordinator.slack_user_id == user_id
        )
    )
    if not getattr(result, "rowcount", 0):
        raise DomainError(f"<@{user_id}> was not on the coordinator list.")


def list_coordinators(
    db_session: Session, *, team_id: str, configured: frozenset[str]
) -> CoordinatorList:
    """Everyone named as a coordinator (workspace admins and owners count too, unlisted)."""
    added = db_session.scalars(
        select(Coordinator.slack_user_id)
        .where(Coordinator.team_id == team_id)
        .order_by(Coordinator.created_at)
    ).all()
    return CoordinatorList(
        configured=sorted(configured), added=[u for u in added if u not in configured]
    )
