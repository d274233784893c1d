"""What a pair did together: its close-out figures, and the participation board of the pairs
that agreed to be named. Never a rating of a partner, a note or a concern."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from bot.services.enrollment import signup_ratings
from bot.services.pairs import pair_with_people
from bot.services.sessions import people_of
from bot.services.surveys import latest_ratings
from models import CheckIn, Goal, MentoringSession, Pair, Participant, Program
from models.enums import GoalStatus, PairStatus, SessionStatus


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
    before = signup_ratings(db_session, participant_id=person.id)
    after = latest_ratings(db_session, pair_id=pair.id, participant_id=person.id)
    return [
        Growth(person.slack_user_id, topic, rating, after[topic])
        for topic, rating in sorted(before.items())
        if topic in after
    ]


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
