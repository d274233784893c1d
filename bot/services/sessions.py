"""A pair's sessions: scheduling, moving and cancelling them, and the messages each one causes.

Scheduling queues, in the outbox, reminders 24 h and 1 h before (urgent: sent at their time)
and a check-in prompt to each person shortly after the end (held out of quiet hours), with a
single re-ask 48 h later. Moving a session bumps its version and re-plans; cancelling withdraws
whatever is unsent. The dispatcher checks again at send time, so a stale reminder never goes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session, joinedload

from bot.services import outbox
from bot.services.errors import DomainError
from bot.services.local_time import outside_quiet_hours, to_utc
from bot.services.pairs import PUBLISHED, partner_of
from models import CheckIn, MentoringSession, Pair, Participant, Program
from models.enums import SessionStatus, Side

REMINDER_LEADS = {"24h": timedelta(hours=24), "1h": timedelta(hours=1)}
CHECKIN_AFTER_END = timedelta(minutes=15)
CHECKIN_REASK_AFTER = timedelta(hours=48)
MIN_MINUTES, MAX_MINUTES = 15, 180
MIN_NOTICE = timedelta(minutes=10)
MAX_AHEAD = timedelta(days=365)
REASON_LENGTH = 500
AGENDA_LENGTH = 2000
DEFAULT_MINUTES = 45


class SessionError(DomainError):
    pass


@dataclass(frozen=True)
class SessionInput:
    """The schedule form: a wall-clock date and time in the scheduler's zone."""

    day: date | None
    clock: time | None
    minutes: int | None
    agenda: str = ""


class SessionField(StrEnum):
    """The session form's fields; its blocks and its errors go by these names."""

    DAY = "day"
    CLOCK = "clock"
    MINUTES = "minutes"
    AGENDA = "agenda"
    REASON = "reason"


def validate_session(
    values: SessionInput, *, zone_name: str | None, now: datetime
) -> tuple[dict[str, str], datetime | None]:
    """Field errors (by field: day, clock, minutes, agenda), and the start as a UTC instant."""
    errors: dict[str, str] = {}
    if len(values.agenda.strip()) > AGENDA_LENGTH:
        errors[SessionField.AGENDA] = f"Please keep the agenda under {AGENDA_LENGTH} characters."
    if values.day is None:
        errors[SessionField.DAY] = "Pick a date."
    if values.clock is None:
        errors[SessionField.CLOCK] = "Pick a time."
    if values.minutes is None or not MIN_MINUTES <= values.minutes <= MAX_MINUTES:
        errors[SessionField.MINUTES] = f"A session lasts {MIN_MINUTES} to {MAX_MINUTES} minutes."
    if errors or values.day is None or values.clock is None:
        return errors, None
    starts_at = to_utc(values.day, values.clock, zone_name)
    if starts_at < now + MIN_NOTICE:
        errors[SessionField.DAY] = "That time has passed (or is minutes away): pick a later one."
    elif starts_at > now + MAX_AHEAD:
        errors[SessionField.DAY] = "Pick a date within the next year."
    return errors, starts_at


def validate_reason(reason: str) -> str | None:
    """What is wrong with a cancellation's reason, or None."""
    if len(reason.strip()) > REASON_LENGTH:
        return f"Please keep the reason under {REASON_LENGTH} characters."
    return None


def side_of(pair: Pair, user_id: str) -> Side | None:
    if pair.mentor is not None and pair.mentor.slack_user_id == user_id:
        return Side.MENTOR
    if pair.mentee is not None and pair.mentee.slack_user_id == user_id:
        return Side.MENTEE
    return None


def people_of(pair: Pair) -> list[Participant]:
    return [p for p in (pair.mentor, pair.mentee) if p is not None]


def person_in(pair: Pair, user_id: str) -> Participant:
    """The user's side of the pair; anyone else is refused."""
    for person in people_of(pair):
        if person.slack_user_id == user_id:
            return person
    raise SessionError("Only the two people in this pair can do that.")


def partner_in(pair: Pair, user_id: str) -> Participant | None:
    """The other person of the user's pair (None once they asked to be forgotten)."""
    return partner_of(pair, person_in(pair, user_id).id)


def session_minutes(db_session: Session, *, pair: Pair) -> int:
    """How long the pair's sessions last by default: their program's length."""
    program = db_session.get(Program, pair.program_id)
    return int(program.session_minutes) if program else DEFAULT_MINUTES


# Built once: `/mentoring schedule` and the session buttons run it before Slack's ack.
_PERSON = select(Participant.id).where(
    Participant.team_id == bindparam("team_id"), Participant.slack_user_id == bindparam("user_id")
)
_PUBLISHED_PAIRS_OF = (
    select(Pair)
    .where(
        Pair.team_id == bindparam("team_id"),
        Pair.status.in_(PUBLISHED),
        or_(Pair.mentor_id.in_(_PERSON), Pair.mentee_id.in_(_PERSON)),
    )
    .options(joinedload(Pair.mentor), joinedload(Pair.mentee))
    .order_by(Pair.id.desc())
)


def published_pairs_of(db_session: Session, *, team_id: str, user_id: str) -> list[Pair]:
    """The user's published pairs (either side), both people loaded, newest first."""
    return list(db_session.scalars(_PUBLISHED_PAIRS_OF, {"team_id": team_id, "user_id": user_id}))


def pair_for(db_session: Session, *, pair_id: int, user_id: str) -> Pair:
    """A published pair the user belongs to; anyone else is refused."""
    pair = db_session.scalar(
        select(Pair)
        .where(Pair.id == pair_id)
        .options(joinedload(Pair.mentor), joinedload(Pair.mentee))
    )
    if pair is None or side_of(pair, user_id) is None:
        raise SessionError("Only the two people in this pair can do that.")
    if pair.status not in PUBLISHED:
        raise SessionError("This pair has ended, so there is nothing to schedule.")
    return pair


def only_pair_of(db_session: Session, *, team_id: str, user_id: str) -> Pair:
    """The user's current pair, for commands that don't name one."""
    pairs = published_pairs_of(db_session, team_id=team_id, user_id=user_id)
    if not pairs:
        raise SessionError(
            "You're not in a mentoring pair yet. Once a coordinator publishes the matches, "
            "you'll get a group DM introducing you to your partner."
        )
    return pairs[0]


def session_for(db_session: Session, *, session_id: int, user_id: str) -> MentoringSession:
    """A session of a pair the user belongs to, with the pair and both people loaded."""
    found = db_session.scalar(
        select(MentoringSession)
        .where(MentoringSession.id == session_id)
        .options(
            joinedload(MentoringSession.pair).joinedload(Pair.mentor),
            joinedload(MentoringSession.pair).joinedload(Pair.mentee),
        )
    )
    if found is None or side_of(found.pair, user_id) is None:
        raise SessionError("Only the two people in this pair can change this session.")
    return found


def schedule(
    db_session: Session,
    *,
    pair: Pair,
    user_id: str,
    starts_at: datetime,
    minutes: int,
    agenda: str,
    now: datetime,
) -> MentoringSession:
    """Book a session for the pair and queue its reminders and check-in prompts."""
    session = MentoringSession(
        pair_id=pair.id,
        program_id=pair.program_id,
        starts_at=starts_at,
        minutes=minutes,
        agenda=agenda.strip() or None,
        status=SessionStatus.SCHEDULED,
        version=1,
        scheduled_by=user_id,
        created_at=now,
        updated_at=now,
    )
    session.pair = pair
    db_session.add(session)
    db_session.flush()
    plan_messages(db_session, session=session, now=now)
    return session


def move(
    db_session: Session,
    *,
    session: MentoringSession,
    starts_at: datetime,
    minutes: int,
    now: datetime,
    agenda: str | None = None,
) -> MentoringSession:
    """Move a scheduled session (and, given `agenda`, replace its agenda): old reminders are
    withdrawn, new ones target the new time."""
    if session.status != SessionStatus.SCHEDULED:
        raise SessionError("Only a scheduled session can be moved.")
    outbox.cancel_pending(db_session, session_id=session.id, now=now)
    session.starts_at, session.minutes = starts_at, minutes
    if agenda is not None:
        session.agenda = agenda.strip() or None
    session.version += 1
    session.updated_at = now
    db_session.flush()
    plan_messages(db_session, session=session, now=now)
    return session


def cancel(
    db_session: Session,
    *,
    session: MentoringSession,
    user_id: str,
    reason: str,
    now: datetime,
) -> MentoringSession:
    """Cancel a session, recording which side cancelled; nothing more is sent about it."""
    if session.status == SessionStatus.CANCELLED:
        return session
    if session.status != SessionStatus.SCHEDULED:
        raise SessionError("That session is already recorded as over; it can't be cancelled.")
    session.status = SessionStatus.CANCELLED
    session.cancelled_by = side_of(session.pair, user_id)
    session.cancel_reason = reason.strip() or None
    session.cancelled_at = session.updated_at = now
    outbox.cancel_pending(db_session, session_id=session.id, now=now)
    return session


def ends_at(session: MentoringSession) -> datetime:
    return session.starts_at + timedelta(minutes=session.minutes)


def plan_messages(db_session: Session, *, session: MentoringSession, now: datetime) -> None:
    """Queue the session's reminders and check-in prompts for both people (idempotent)."""
    pair = session.pair
    for person in people_of(pair):
        base = {"session_id": session.id, "version": session.version}
        for lead, before in REMINDER_LEADS.items():
            due = session.starts_at - before
            if due < now:
                continue  # booked at short notice: that reminder's moment has passed
            outbox.enqueue(
                db_session,
                team_id=pair.team_id,
                dedupe_key=f"reminder:{lead}:{session.id}:v{session.version}:{person.id}",
                kind="reminder",
                channel=person.slack_user_id,
                payload={**base, "lead": lead, "participant_id": person.id},
                due_at=due,
                now=now,
                pair_id=pair.id,
                session_id=session.id,
            )
        first = outside_quiet_hours(ends_at(session) + CHECKIN_AFTER_END, person.timezone)
        for ask, due in (("first", first), ("reask", first + CHECKIN_REASK_AFTER)):
            outbox.enqueue(
                db_session,
                team_id=pair.team_id,
                dedupe_key=f"checkin:{ask}:{session.id}:v{session.version}:{person.id}",
                kind="checkin",
                channel=person.slack_user_id,
                payload={**base, "ask": ask, "participant_id": person.id},
                due_at=outside_quiet_hours(due, person.timezone),
                now=now,
                pair_id=pair.id,
                session_id=session.id,
            )


def upcoming(db_session: Session, *, pair_id: int, now: datetime) -> list[MentoringSession]:
    """The pair's scheduled sessions that have not ended, soonest first."""
    rows = db_session.scalars(
        select(MentoringSession)
        .where(
            MentoringSession.pair_id == pair_id,
            MentoringSession.status == SessionStatus.SCHEDULED,
        )
        .order_by(MentoringSession.starts_at)
    ).all()
    return [s for s in rows if ends_at(s) > now]


def has_checked_in(db_session: Session, *, session_id: int, participant_id: int) -> bool:
    found = db_session.scalar(
        select(CheckIn.id).where(
            CheckIn.session_id == session_id, CheckIn.participant_id == participant_id
        )
    )
    return found is not None


def still_current(session: MentoringSession | None, version: int) -> bool:
    """Whether a message planned for `version` of the session still applies."""
    return (
        session is not None
        and session.version == version
        and session.status != SessionStatus.CANCELLED
        and session.pair.status in PUBLISHED
    )


def session_with_pair(db_session: Session, *, session_id: int) -> MentoringSession | None:
    """The session with its pair and both people loaded."""
    return db_session.scalars(
        select(MentoringSession)
        .where(MentoringSession.id == session_id)
        .options(
            joinedload(MentoringSession.pair).joinedload(Pair.mentor),
            joinedload(MentoringSession.pair).joinedload(Pair.mentee),
        )
    ).one_or_none()
