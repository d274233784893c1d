"""What every handler module needs, handed to its `register`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings


def utc_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Deps:
    settings: Settings
    session_factory: sessionmaker[Session]
    clock: Callable[[], datetime] = field(default=utc_clock)


def team_id_of(body: dict[str, object]) -> str:
    """The workspace a request comes from, for slash commands and interactive payloads alike."""
    team = body.get("team")
    if isinstance(team, dict) and team.get("id"):
        return str(team["id"])
    user = body.get("user")
    if isinstance(user, dict) and user.get("team_id"):
        return str(user["team_id"])
    return str(body["team_id"])


def user_id_of(body: dict[str, object]) -> str:
    user = body.get("user")
    if isinstance(user, dict):
        return str(user["id"])
    return str(body["user_id"])
