"""Pair health: cancelled and missed sessions, silent pairs, and telling the coordinators.

A pair is *at risk* after two cancelled or missed sessions in a row, three in the program, or
a long silence. Coordinators hear which side cancelled, never anyone's private notes.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased, joinedload

from bot.services import outbox
from bot.services.coordinators import list_coordinators
from bot.services.local_time import outside_quiet_hours
from bot.services.pairs import PUBLISHED, pair_with_people
from bot.services.sessions import CHECKIN_REASK_AFTER, ends_at
from models import Agreement, CheckIn, MentoringSession, Pair, Participant, Program
from models.enums import Cadence, PairStatus, SessionStatus

IN_A_ROW, IN_PROGRAM = 2, 3
CADENCE_DAYS = {Cadence.WEEKLY: 7, Cadence.BIWEEKLY: 14, Cadence.MONTHLY: 30}
SILENCE_GRACE = timedelta(days=3)
# With no check-in from either person this long after the end (after the re-ask), the
# session counts as missed.
MISSED_AFTER = CHECKIN_REASK_AFTER + timedelta(hours=24)
RESCHEDULED = "rescheduled"


def _counted(session: MentoringSession) -> bool:
    """Cancelled or missed, and not simply moved to another time."""
    if session.status == SessionStatus.CANCELLED:
        return True
    return session.status == SessionStatus.MISSED and session.cancel_reason != RESCHEDULED


def _who(session: MentoringSession) -> str:
    if session.status == SessionStatus.MISSED:
        return "missed"
    return session.cancelled_by.value if session.cancelled_by else "not said"


@dataclass(frozen=True)
class Alert:
    pair_id: int
    reason: str


def cancellation_reason(sessions: list[MentoringSession]) -> str | None:
    """Why these sessions (a pair's, in time order) put it at risk, or None."""
    concluded = [s for s in sessions if s.status != SessionStatus.SCHEDULED]
    counted = [s for s in concluded if _counted(s)]
    tail = concluded[-IN_A_ROW:]
    if len(tail) == IN_A_ROW and all(_counted(s) for s in tail):
        headline = f"{IN_A_ROW} sessions in a row cancelled or missed"
    elif len(counted) >= IN_PROGRAM:
        headline = f"{len(counted)} sessions cancelled or missed in the program"
    else:
        return None
    sides = Counter(_who(s) for s in counted)
    parts = [
        f"{label} {sides[key]}"
        for key, label in (
            ("mentor", "cancelled by the reverse mentor:"),
            ("mentee", "cancelled by the mentee:"),
            ("not said", "cancelled, side not said:"),
            ("missed", "missed with no check-in:"),
        )
        if sides[key]
    ]
    return f"{headline} ({'; '.join(parts)})"


def _sessions(db_session: Session, pair_id: int) -> list[MentoringSession]:
    return list(
        db_session.scalars(
            select(MentoringSession)
            .where(MentoringSession.pair_id == pair_id)
            .order_by(MentoringSession.starts_at, MentoringSession.id)
        )
    )


def mark_at_risk(
    db_session: Session,
    *,
    pair: Pair,
    reason: str,
    alert_key: str,
    configured: frozenset[str],
    now: datetime,
) -> bool:
    """Mark the pair at risk and queue one alert per coordinator; False if already alerted."""
    if pair.status not in PUBLISHED:
        return False
    pair.status = PairStatus.AT_RISK
    pair.at_risk_since = pair.at_risk_since or now
    pair.at_risk_reason, pair.updated_at = reason[:200], now
    coordinators = list_coordinators(db_session, team_id=pair.team_id, configured=configured)
    queued = False
    for user_id in [*coordinators.configured, *coordinators.added]:
        queued |= outbox.enqueue(
            db_session,
            team_id=pair.team_id,
            dedupe_key=f"{alert_key}:{user_id}",
            kind="at_risk_alert",
            channel=user_id,
            payload={"pair_id": pair.id, "reason": reason},
            due_at=now,
            now=now,
            pair_id=pair.id,
        )
    return queued


def after_session_outcome(
    db_session: Session, *, pair: Pair, configured: frozenset[str], now: datetime
) -> str | None:
    """Re-check the cancellation rule after a session was cancelled or missed."""
    sessions = _sessions(db_session, pair.id)
    reason = cancellation_reason(sessions)
    if reason is None:
        return None
    counted = sum(1 for s in sessions if _counted(s))
    mark_at_risk(
        db_session,
        pair=pair,
        reason=reason,
        alert_key=f"at_risk:cancellations:{pair.id}:{counted}",
        configured=configured,
        now=now,
    )
    return reason


def close_missed_sessions(
    db_session: Session, *, configured: frozenset[str], now: datetime
) -> list[int]:
    """Sessions long over with no check-in from either person become missed."""
    answered = select(CheckIn.id).where(CheckIn.session_id == MentoringSession.id).exists()
    candidates = db_session.scalars(
        select(MentoringSession)
        .where(
            MentoringSession.status == SessionStatus.SCHEDULED,
            MentoringSession.starts_at < now - MISSED_AFTER,
            ~answered,
        )
        .options(joinedload(MentoringSession.pair))
        .order_by(MentoringSession.starts_at, MentoringSession.id)
    ).all()
    closed, pairs = [], {}
    for session in candidates:
        if ends_at(session) + MISSED_AFTER > now:
            continue
        session.status, session.updated_at = SessionStatus.MISSED, now
        closed.append(session.id)
        pairs[session.pair_id] = session.pair
    db_session.flush()
    for pair in pairs.values():
        after_session_outcome(db_session, pair=pair, configured=configured, now=now)
    return closed


def cadence_of(db_session: Session, pair: Pair) -> timedelta:
    agreed = db_session.scalar(select(Agreement.cadence).where(Agreement.pair_id == pair.id))
    program_cadence = db_session.scalar(
        select(Program.cadence).where(Program.id == pair.program_id)
    )
    return timedelta(days=CADENCE_DAYS[agreed or program_cadence or Cadence.BIWEEKLY])


def check_silent_pairs(
    db_session: Session, *, configured: frozenset[str], now: datetime
) -> tuple[list[int], list[int]]:
    """Nudge pairs with nothing booked for a cadence plus grace; after another cadence, mark
    them at risk. Returns (nudged pair ids, newly at-risk pair ids).

    Only pairs silent for at least the shortest cadence plus grace are loaded; a cancelled
    session does not count as booked.
    """
    latest = (
        select(
            MentoringSession.pair_id,
            func.max(MentoringSession.starts_at).label("last_start"),
        )
        .where(MentoringSession.status != SessionStatus.CANCELLED)
        .group_by(MentoringSession.pair_id)
        .subquery()
    )
    since = func.coalesce(latest.c.last_start, Pair.intro_sent_at)
    shortest = timedelta(days=min(CADENCE_DAYS.values())) + SILENCE_GRACE
    mentee = aliased(Participant)
    rows = db_session.execute(
        select(
            Pair.id,
            Pair.status,
            Pair.intro_channel,
            Pair.team_id,
            since,
            Agreement.cadence,
            Program.cadence,
            mentee.timezone,
        )
        .outerjoin(latest, latest.c.pair_id == Pair.id)
        .outerjoin(Agreement, Agreement.pair_id == Pair.id)
        .join(Program, Program.id == Pair.program_id)
        .outerjoin(mentee, mentee.id == Pair.mentee_id)
        .where(
            Pair.status.in_(PUBLISHED),
            Pair.intro_channel.is_not(None),
            since <= now - shortest,
        )
    ).all()
    nudged, at_risk = [], []
    for pair_id, status, channel, team_id, last, agreed, planned, zone_name in rows:
        cadence = timedelta(days=CADENCE_DAYS[agreed or planned or Cadence.BIWEEKLY])
        silent_for = now - last
        stamp = f"{last:%Y%m%d%H%M}"
        if silent_for >= 2 * cadence + SILENCE_GRACE:
            if status == PairStatus.AT_RISK:
                continue  # already flagged; the coordinators know
            pair = pair_with_people(db_session, pair_id=pair_id)
            assert pair is not None
            if mark_at_risk(
                db_session,
                pair=pair,
                reason=f"silent: no session booked for {silent_for.days} days",
                alert_key=f"at_risk:silent:{pair_id}:{stamp}",
                configured=configured,
                now=now,
            ):
                at_risk.append(pair_id)
        elif silent_for >= cadence + SILENCE_GRACE and outbox.enqueue(
            db_session,
            team_id=team_id,
            dedupe_key=f"nudge:{pair_id}:{stamp}",
            kind="nudge",
            channel=channel,
            payload={"pair_id": pair_id, "days": silent_for.days},
            due_at=outside_quiet_hours(now, zone_name),
            now=now,
            pair_id=pair_id,
        ):
            nudged.append(pair_id)
    return nudged, at_risk
