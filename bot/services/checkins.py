"""After a session: each person says how it went. The private note is for its author alone."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services.enrollment import learn_topics
from bot.services.errors import DomainError
from bot.services.sessions import SessionError, ends_at, side_of
from bot.services.topics import TOPICS_BY_KEY
from models import CheckIn, Goal, MentoringSession, Participant
from models.enums import CheckInOutcome, GoalStatus, SessionStatus, Side

# What each text field may hold; the form's inputs carry the same limits.


class CheckInField(StrEnum):
    """The check-in form's fields; its blocks and its errors go by these names."""

    RATING = "rating"
    TOPICS = "topics"
    LEARNED = "learned"
    PRIVATE_NOTE = "private_note"
    FOLLOW_UP = "follow_up"


TEXT_LIMITS = {
    CheckInField.LEARNED: 1000,
    CheckInField.PRIVATE_NOTE: 2000,
    CheckInField.FOLLOW_UP: 1000,
}


@dataclass(frozen=True)
class CheckInInput:
    rating: int | None
    topics: list[str] = field(default_factory=list)
    learned: str = ""
    private_note: str = ""
    follow_up: str = ""


def validate_checkin(values: CheckInInput) -> dict[str, str]:
    """Field errors by field name."""
    errors: dict[str, str] = {}
    if values.rating is None or not 1 <= values.rating <= 5:
        errors[CheckInField.RATING] = "Rate the session from 1 to 5."
    for name, limit in TEXT_LIMITS.items():
        if len(getattr(values, name).strip()) > limit:
            errors[name] = f"Please keep it under {limit} characters."
    return errors


def session_topics(db_session: Session, *, session: MentoringSession) -> list[str]:
    """Topics the pair works on: their open goals' topics, else what the mentee wants to learn."""
    goals = db_session.scalars(
        select(Goal.topic).where(
            Goal.pair_id == session.pair_id,
            Goal.status == GoalStatus.OPEN,
            Goal.topic.is_not(None),
        )
    ).all()
    keys = [key for key in dict.fromkeys(goals) if key in TOPICS_BY_KEY]
    if keys:
        return keys
    return learn_topics(db_session, participant_id=session.pair.mentee_id)


def _participant(session: MentoringSession, user_id: str) -> Participant:
    side = side_of(session.pair, user_id)
    person = session.pair.mentor if side == Side.MENTOR else session.pair.mentee
    if side is None or person is None:
        raise SessionError("Only the two people in this pair can check in on this session.")
    return person


def _existing(db_session: Session, session_id: int, participant_id: int) -> CheckIn | None:
    return db_session.scalar(
        select(CheckIn).where(
            CheckIn.session_id == session_id, CheckIn.participant_id == participant_id
        )
    )


def record_outcome(
    db_session: Session,
    *,
    session: MentoringSession,
    user_id: str,
    outcome: CheckInOutcome,
    now: datetime,
    values: CheckInInput | None = None,
) -> CheckIn:
    """Save one person's check-in (again, if they change their answer) and update the session:
    it happened, it was cancelled, or it was moved (a new session replaces it)."""
    if session.starts_at > now:
        raise DomainError("That session hasn't started yet; check in after it.")
    person = _participant(session, user_id)
    side = side_of(session.pair, user_id)
    assert side is not None
    row = _existing(db_session, session.id, person.id)
    if row is None:
        row = CheckIn(
            session_id=session.id,
            program_id=session.program_id,
            participant_id=person.id,
            side=side,
            created_at=now,
        )
        db_session.add(row)
    row.outcome, row.updated_at = outcome, now
    if values is not None:
        row.rating = values.rating
        row.topics = [t for t in values.topics if t in TOPICS_BY_KEY] or None
        row.learned = values.learned.strip() or None
        row.private_note = values.private_note.strip() or None
        row.follow_up = values.follow_up.strip() or None
    if outcome == CheckInOutcome.HAPPENED:
        session.status = SessionStatus.HAPPENED
    elif outcome == CheckInOutcome.CANCELLED and session.status == SessionStatus.SCHEDULED:
        session.status, session.cancelled_at = SessionStatus.CANCELLED, now
    elif outcome == CheckInOutcome.RESCHEDULED and session.status == SessionStatus.SCHEDULED:
        session.status = SessionStatus.MISSED
        session.cancel_reason = "rescheduled"
    session.updated_at = now
    db_session.flush()
    return row


def own_private_notes(
    db_session: Session, *, participant_id: int
) -> list[tuple[MentoringSession, str]]:
    """The author's own private notes, newest first: the only way a private note is read."""
    rows = db_session.execute(
        select(MentoringSession, CheckIn.private_note)
        .join(CheckIn, CheckIn.session_id == MentoringSession.id)
        .where(CheckIn.participant_id == participant_id, CheckIn.private_note.is_not(None))
        .order_by(MentoringSession.starts_at.desc())
    ).all()
    return [(session, note) for session, note in rows if note]


def is_over(session: MentoringSession, now: datetime) -> bool:
    return ends_at(session) <= now
