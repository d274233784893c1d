"""The end of a program: its pairs are completed, each hears a close-out once, and the app
goes quiet for them (only the close-out and the final survey are sent after the end date)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, joinedload

from bot.services import outbox
from bot.services.errors import DomainError
from bot.services.local_time import outside_quiet_hours
from bot.services.pairs import PUBLISHED, pair_with_people
from bot.services.sessions import people_of
from models import (
    Pair,
    Program,
)
from models.enums import (
    PairStatus,
    ProgramStatus,
    SurveyKind,
)

CLOSEOUT = "closeout"
RESULTS = "program_results"
# The results wait out the final survey's first week, so its answers are in the figures.
RESULTS_AFTER = timedelta(days=7)


def final_survey_key(pair_id: int, participant_id: int) -> str:
    """The final survey's dedupe key: the same whether the survey job or the close queues it."""
    return f"survey:{SurveyKind.FINAL.value}:{pair_id}:{participant_id}"


def programs_to_close(db_session: Session, *, now: datetime) -> list[int]:
    """Programs past their end date (or finished by a coordinator) that still have pairs."""
    ended = or_(
        Program.status == ProgramStatus.FINISHED,
        and_(Program.ends_on.is_not(None), Program.ends_on < now.date()),
    )
    return list(
        db_session.scalars(
            select(Program.id)
            .where(
                ended,
                select(Pair.id)
                .where(Pair.program_id == Program.id, Pair.status.in_(PUBLISHED))
                .exists(),
            )
            .order_by(Program.id)
        )
    )


def close_program(db_session: Session, *, program_id: int, now: datetime) -> list[int]:
    """Complete every active or at-risk pair of the program; returns their ids."""
    pairs = db_session.scalars(
        select(Pair)
        .where(Pair.program_id == program_id, Pair.status.in_(PUBLISHED))
        .options(joinedload(Pair.mentor), joinedload(Pair.mentee))
        .order_by(Pair.id)
    ).unique()
    return [complete_pair(db_session, pair=pair, now=now) for pair in pairs]


def complete_pair(db_session: Session, *, pair: Pair, now: datetime) -> int:
    """Mark the pair completed, withdraw what would still reach it, queue its close-out and
    each person's final survey (each once, whatever runs this again)."""
    pair.status, pair.ended_at, pair.updated_at = PairStatus.COMPLETED, now, now
    people = people_of(pair)
    keep = [final_survey_key(pair.id, person.id) for person in people]
    outbox.cancel_pending_for_pair(
        db_session, pair_id=pair.id, now=now, keep=[*keep, f"{CLOSEOUT}:{pair.id}"]
    )
    if pair.intro_channel is None:
        return pair.id
    outbox.enqueue(
        db_session,
        team_id=pair.team_id,
        dedupe_key=f"{CLOSEOUT}:{pair.id}",
        kind=CLOSEOUT,
        channel=pair.intro_channel,
        payload={"pair_id": pair.id},
        due_at=now,
        now=now,
        pair_id=pair.id,
    )
    for person in people:
        outbox.enqueue(
            db_session,
            team_id=pair.team_id,
            dedupe_key=final_survey_key(pair.id, person.id),
            kind="survey",
            channel=person.slack_user_id,
            payload={
                "pair_id": pair.id,
                "survey": SurveyKind.FINAL.value,
                "participant_id": person.id,
            },
            due_at=outside_quiet_hours(now, person.timezone),
            now=now,
            pair_id=pair.id,
        )
    return pair.id


def queue_results(
    db_session: Session, *, program: Program, recipients: list[str], now: datetime
) -> None:
    """The finished program's results, once to each coordinator, a week after the close."""
    for user in recipients:
        outbox.enqueue(
            db_session,
            team_id=program.team_id,
            dedupe_key=f"{RESULTS}:{program.id}:{user}",
            kind=RESULTS,
            channel=user,
            payload={"program_id": program.id},
            due_at=now + RESULTS_AFTER,
            now=now,
        )


RECOGNITION = "recognition"


@dataclass(frozen=True)
class Recognition:
    """Where a partner's consent leaves the pair's recognition post."""

    channel: str | None  # the program's announcement channel, if it has one
    partner_user: str | None
    both_agreed: bool


def agree_to_recognition(
    db_session: Session, *, team_id: str, pair_id: int, user_id: str, now: datetime
) -> Recognition:
    """Record the user's yes; once both partners have said yes, queue the post (once)."""
    pair = pair_with_people(db_session, pair_id=pair_id)
    if pair is None or pair.team_id != team_id or pair.status != PairStatus.COMPLETED:
        raise DomainError("Recognition is offered once a pair has completed its program.")
    if pair.mentor is not None and pair.mentor.slack_user_id == user_id:
        pair.mentor_recognition_at = pair.mentor_recognition_at or now
        partner = pair.mentee
    elif pair.mentee is not None and pair.mentee.slack_user_id == user_id:
        pair.mentee_recognition_at = pair.mentee_recognition_at or now
        partner = pair.mentor
    else:
        raise DomainError("Only the two people in this pair can answer that.")
    program = db_session.get(Program, pair.program_id)
    channel = program.announcement_channel if program else None
    both = pair.mentor_recognition_at is not None and pair.mentee_recognition_at is not None
    if both and channel:
        outbox.enqueue(
            db_session,
            team_id=pair.team_id,
            dedupe_key=f"{RECOGNITION}:{pair.id}",
            kind=RECOGNITION,
            channel=channel,
            payload={"pair_id": pair.id},
            due_at=now,
            now=now,
            pair_id=pair.id,
        )
    return Recognition(
        channel=channel,
        partner_user=partner.slack_user_id if partner else None,
        both_agreed=both,
    )
