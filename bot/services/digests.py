"""The weekly digest: a program's figures to each coordinator, Monday morning in their zone."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services import outbox
from bot.services.coordinators import list_coordinators
from bot.services.local_time import zone
from models import Program
from models.enums import ProgramStatus

SEND_FROM_HOUR, SEND_UNTIL_HOUR = 9, 12  # Monday morning, local time


def digest_programs(db_session: Session) -> list[Program]:
    """Open programs whose coordinators opted in to the weekly digest."""
    return list(
        db_session.scalars(
            select(Program).where(
                Program.weekly_digest.is_(True), Program.status == ProgramStatus.OPEN
            )
        )
    )


def digest_recipients(
    db_session: Session, *, team_id: str, configured: frozenset[str]
) -> list[str]:
    """Every named coordinator of the workspace."""
    named = list_coordinators(db_session, team_id=team_id, configured=configured)
    return [*named.configured, *named.added]


def set_digest(db_session: Session, *, program: Program, enabled: bool, now: datetime) -> bool:
    """Turn the program's weekly digest on or off; False if it already was."""
    if program.weekly_digest == enabled:
        return False
    program.weekly_digest, program.updated_at = enabled, now
    return True


def plan_digests(
    db_session: Session,
    *,
    zones: dict[str, str | None],
    configured: frozenset[str],
    now: datetime,
) -> int:
    """Queue this week's digest for each coordinator whose Monday morning it is (once a week
    each: the key names the ISO week). `zones` gives each coordinator's time zone."""
    queued = 0
    for program in digest_programs(db_session):
        for user_id in digest_recipients(
            db_session, team_id=program.team_id, configured=configured
        ):
            local = now.astimezone(zone(zones.get(user_id)))
            if local.weekday() != 0 or not SEND_FROM_HOUR <= local.hour < SEND_UNTIL_HOUR:
                continue
            year, week, _ = local.isocalendar()
            queued += outbox.enqueue(
                db_session,
                team_id=program.team_id,
                dedupe_key=f"digest:{program.id}:{user_id}:{year}-W{week:02d}",
                kind="digest",
                channel=user_id,
                payload={"program_id": program.id},
                due_at=now,
                now=now,
            )
    return queued
