"""The end of a program: its pairs are completed, each hears a close-out once, and the app
goes quiet for them (only the close-out and the final survey are sent after the end date)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased, joinedload

from bot.services import outbox
from bot.services.errors import DomainError
from bot.services.local_time import outside_quiet_hours
from bot.services.pairs import PUBLISHED, pair_with_people
from bot.services.sessions import people_of
from models import (
    CheckIn,
    Goal,
    MentoringSession,
    Pair,
    Participant,
    ParticipantTopic,
    Program,
    SurveyResponse,
)
from models.enums import (
    GoalStatus,
    PairStatus,
    ProgramStatus,
    SessionStatus,
    SurveyKind,
    TopicDirection,
)

CLOSEOUT = "closeout"


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


@dataclass(frozen=True)
class Growth:
    """One person's self-rating in a topic they came to learn: at sign-up, and latest."""

    user_id: str
    topic: str
    before: int
    after: int


@dataclass(frozen=True)
class CloseOut:
    """What a completed pair did together: what its close-out message says."""

    pair_id: int
    program_name: str
    announcement_channel: str | None
    mentor_user: str | None
    mentee_user: str | None
    sessions_held: int
    goals_achieved: list[str]
    topics_covered: list[str]
    growth: list[Growth]


def close_out(db_session: Session, *, pair_id: int) -> CloseOut | None:
    """The pair's figures for its close-out; None once it is no longer completed."""
    pair = pair_with_people(db_session, pair_id=pair_id)
    if pair is None or pair.status != PairStatus.COMPLETED:
        return None
    program = db_session.get(Program, pair.program_id)
    held = db_session.scalars(
        select(MentoringSession.id).where(
            MentoringSession.pair_id == pair_id, MentoringSession.status == SessionStatus.HAPPENED
        )
    ).all()
    topics = db_session.scalars(select(CheckIn.topics).where(CheckIn.session_id.in_(held))).all()
    achieved = db_session.scalars(
        select(Goal.text)
        .where(Goal.pair_id == pair_id, Goal.status == GoalStatus.ACHIEVED)
        .order_by(Goal.id)
    ).all()
    return CloseOut(
        pair_id=pair_id,
        program_name=program.name if program else "",
        announcement_channel=program.announcement_channel if program else None,
        mentor_user=pair.mentor.slack_user_id if pair.mentor else None,
        mentee_user=pair.mentee.slack_user_id if pair.mentee else None,
        sessions_held=len(held),
        goals_achieved=list(achieved),
        topics_covered=sorted({topic for chosen in topics for topic in chosen or []}),
        growth=[g for person in people_of(pair) for g in _growth(db_session, pair, person)],
    )


def _growth(db_session: Session, pair: Pair, person: Participant) -> list[Growth]:
    """The person's own ratings only: at sign-up, then their latest survey's (final first)."""
    at_signup: dict[str, int | None] = dict(
        db_session.execute(
            select(ParticipantTopic.topic, ParticipantTopic.self_rating).where(
                ParticipantTopic.participant_id == person.id,
                ParticipantTopic.direction == TopicDirection.LEARN,
                ParticipantTopic.self_rating.is_not(None),
            )
        ).all()
    )
    answers = {
        kind: ratings
        for kind, ratings in db_session.execute(
            select(SurveyResponse.kind, SurveyResponse.ratings).where(
                SurveyResponse.pair_id == pair.id, SurveyResponse.participant_id == person.id
            )
        ).all()
    }
    latest = answers.get(SurveyKind.FINAL) or answers.get(SurveyKind.MIDPOINT) or {}
    return [
        Growth(person.slack_user_id, topic, before, latest[topic])
        for topic, before in sorted(at_signup.items())
        if topic in latest and before is not None
    ]


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


def recognised(db_session: Session, *, pair_id: int) -> CloseOut | None:
    """The pair's figures for its recognition post; None unless both partners still agree."""
    pair = db_session.get(Pair, pair_id)
    if pair is None or pair.mentor_recognition_at is None or pair.mentee_recognition_at is None:
        return None
    return close_out(db_session, pair_id=pair_id)


BOARD_MIN_PAIRS = 3  # fewer than this and the board is not shown at all


@dataclass(frozen=True)
class BoardRow:
    mentor_user: str | None
    mentee_user: str | None
    sessions_held: int
    goals_achieved: int


@dataclass(frozen=True)
class Board:
    """The participation board: pairs that agreed to be named, most sessions first."""

    rows: list[BoardRow]
    agreed: int  # pairs that agreed; the rows are empty while this is under BOARD_MIN_PAIRS


def participation_board(db_session: Session, *, program_id: int) -> Board:
    """Sessions held and goals achieved of the pairs where both partners agreed to be named;
    never a rating, a note or a concern. Hidden while fewer than BOARD_MIN_PAIRS agreed."""
    held = (
        select(func.count(MentoringSession.id))
        .where(
            MentoringSession.pair_id == Pair.id, MentoringSession.status == SessionStatus.HAPPENED
        )
        .scalar_subquery()
    )
    achieved = (
        select(func.count(Goal.id))
        .where(Goal.pair_id == Pair.id, Goal.status == GoalStatus.ACHIEVED)
        .scalar_subquery()
    )
    mentor, mentee = aliased(Participant), aliased(Participant)
    rows = db_session.execute(
        select(mentor.slack_user_id, mentee.slack_user_id, held, achieved)
        .select_from(Pair)
        .outerjoin(mentor, mentor.id == Pair.mentor_id)
        .outerjoin(mentee, mentee.id == Pair.mentee_id)
        .where(
            Pair.program_id == program_id,
            Pair.mentor_recognition_at.is_not(None),
            Pair.mentee_recognition_at.is_not(None),
        )
        .order_by(held.desc(), achieved.desc(), Pair.id)
    ).all()
    board = [BoardRow(*row) for row in rows]
    return Board(rows=board if len(board) >= BOARD_MIN_PAIRS else [], agreed=len(board))
