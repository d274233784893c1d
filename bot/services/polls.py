"""Interest polls: who would mentor, who would like a mentor, which topics matter most."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.orm import Session

from bot.services.errors import DomainError
from bot.services.programs import find_open_program
from bot.services.topics import TOPICS_BY_KEY
from bot.services.workspaces import ensure_workspace
from models import Poll, PollTopicVote, PollVote
from models.enums import PollAnswer, PollStatus

# The first key of the advisory locks that order rewrites of a poll's message (the second is
# the poll's id); two-key locks are a key space apart from the outbox's one-key locks.

# Answers that earn a DM: an invitation to sign up, or an explanation of the program.
FOLLOW_UP_ANSWERS = {PollAnswer.MENTOR, PollAnswer.MENTEE, PollAnswer.MORE}


class PollClosedError(DomainError):
    def __init__(self) -> None:
        super().__init__("Thanks! This poll has closed, so votes are no longer counted.")


class NoOpenPollError(DomainError):
    def __init__(self) -> None:
        super().__init__("There's no open poll to close.")


@dataclass(frozen=True)
class PollTallies:
    answers: dict[PollAnswer, int]
    topics: dict[str, int]  # topic key -> people who chose it, most chosen first
    respondents: int


@dataclass(frozen=True)
class VoteOutcome:
    poll: Poll
    follow_up: PollAnswer | None = None  # DM this answer's follow-up (first time only)
    changed: bool = True  # the poll's counts may differ: its message is to be rewritten


def start_poll(
    db_session: Session, *, team_id: str, channel_id: str, created_by: str, now: datetime
) -> Poll:
    """A new open poll for a channel (its message is posted by the caller)."""
    ensure_workspace(db_session, team_id=team_id)
    program = find_open_program(db_session, team_id=team_id)
    poll = Poll(
        team_id=team_id,
        program_id=program.id if program else None,
        channel_id=channel_id,
        created_by=created_by,
        status=PollStatus.OPEN,
        created_at=now,
        updated_at=now,
    )
    db_session.add(poll)
    db_session.flush()
    return poll


def _poll_for_update(db_session: Session, *, team_id: str, poll_id: int) -> Poll:
    # Row lock on Postgres: votes on one poll are counted one at a time (a double click
    # inserts one vote, not two), and none is counted once the poll is closing.
    poll = db_session.scalars(
        select(Poll).where(Poll.id == poll_id, Poll.team_id == team_id).with_for_update()
    ).one_or_none()
    if poll is None:
        raise DomainError("That poll no longer exists.")
    return poll


def attach_message(db_session: Session, *, poll_id: int, message_ts: str) -> None:
    """The poll's message is in its channel: votes rewrite that message."""
    poll = db_session.get(Poll, poll_id)
    if poll is not None:
        poll.message_ts = message_ts


def discard_poll(db_session: Session, *, poll_id: int) -> None:
    """Its message could not be posted: the poll never existed for anyone."""
    poll = db_session.get(Poll, poll_id)
    if poll is not None:
        db_session.delete(poll)


def poll_state(db_session: Session, *, poll_id: int) -> tuple[Poll, PollTallies] | None:
    """The poll and its counts now, for its message; None if the poll is gone."""
    poll = db_session.get(Poll, poll_id)
    return (poll, tally(db_session, poll_id=poll.id)) if poll is not None else None


# The counts are read after every burst of votes: built once, as building and keying these
# statements costs about as much as running them.
_ANSWER_COUNTS = (
    select(PollVote.answer, func.count())
    .where(PollVote.poll_id == bindparam("poll_id"), PollVote.answer.is_not(None))
    .group_by(PollVote.answer)
)
_TOPIC_COUNTS = (
    select(PollTopicVote.topic, func.count())
    .where(PollTopicVote.poll_id == bindparam("poll_id"))
    .group_by(PollTopicVote.topic)
    .order_by(func.count().desc(), PollTopicVote.topic)
)
_RESPONDENTS = select(func.count()).select_from(
    select(PollVote.slack_user_id)
    .where(PollVote.poll_id == bindparam("poll_id"))
    .union(select(PollTopicVote.slack_user_id).where(PollTopicVote.poll_id == bindparam("poll_id")))
    .subquery()
)


def tally(db_session: Session, *, poll_id: int) -> PollTallies:
    """Counts only: how many chose each answer and each topic, and how many responded."""
    poll = {"poll_id": poll_id}
    answers = dict.fromkeys(PollAnswer, 0)
    for answer, count in db_session.execute(_ANSWER_COUNTS, poll):
        if answer is not None:
            answers[answer] = count
    # A Result has keys(), so dict(result) would treat it as a mapping: unpack rows instead.
    topics = {topic: count for topic, count in db_session.execute(_TOPIC_COUNTS, poll)}
    respondents = db_session.scalar(_RESPONDENTS, poll) or 0
    return PollTallies(answers=answers, topics=topics, respondents=respondents)


def _vote_row(db_session: Session, poll: Poll, user_id: str, now: datetime) -> PollVote:
    vote = db_session.scalars(
        select(PollVote).where(PollVote.poll_id == poll.id, PollVote.slack_user_id == user_id)
    ).one_or_none()
    if vote is None:
        vote = PollVote(
            team_id=poll.team_id,
            poll_id=poll.id,
            slack_user_id=user_id,
            created_at=now,
            updated_at=now,
        )
        db_session.add(vote)
    return vote


def record_vote(
    db_session: Session,
    *,
    team_id: str,
    poll_id: int,
    user_id: str,
    answer: PollAnswer,
    now: datetime,
) -> VoteOutcome:
    """Keep one answer per person (a new answer replaces the old) and return the new tallies."""
    poll = _poll_for_update(db_session, team_id=team_id, poll_id=poll_id)
    if poll.status != PollStatus.OPEN:
        raise PollClosedError
    vote = _vote_row(db_session, poll, user_id, now)
    changed = vote.answer != answer
    vote.answer, vote.updated_at = answer, now
    follow_up = None
    if answer in FOLLOW_UP_ANSWERS and vote.followed_up_at is None:
        vote.followed_up_at = now
        follow_up = answer
    db_session.flush()
    return VoteOutcome(poll=poll, follow_up=follow_up, changed=changed)


def record_topic_votes(
    db_session: Session,
    *,
    team_id: str,
    poll_id: int,
    user_id: str,
    topics: list[str],
    now: datetime,
) -> VoteOutcome:
    """Replace the person's choice of topics that matter most."""
    poll = _poll_for_update(db_session, team_id=team_id, poll_id=poll_id)
    if poll.status != PollStatus.OPEN:
        raise PollClosedError
    wanted = {t for t in topics if t in TOPICS_BY_KEY}
    have = set(
        db_session.scalars(
            select(PollTopicVote.topic).where(
                PollTopicVote.poll_id == poll.id, PollTopicVote.slack_user_id == user_id
            )
        )
    )
    if have - wanted:
        db_session.execute(
            delete(PollTopicVote).where(
                PollTopicVote.poll_id == poll.id,
                PollTopicVote.slack_user_id == user_id,
                PollTopicVote.topic.in_(have - wanted),
            )
        )
    db_session.add_all(
        PollTopicVote(team_id=team_id, poll_id=poll.id, slack_user_id=user_id, topic=t)
        for t in sorted(wanted - have)
    )
    db_session.flush()
    return VoteOutcome(poll=poll, changed=have != wanted)


def close_poll(db_session: Session, *, team_id: str, now: datetime) -> tuple[Poll, PollTallies]:
    """Close the workspace's most recent open poll; its final tallies stay on the message."""
    poll = db_session.scalars(
        select(Poll)
        .where(Poll.team_id == team_id, Poll.status == PollStatus.OPEN)
        .order_by(Poll.id.desc())
        .limit(1)
        .with_for_update()
    ).one_or_none()
    if poll is None:
        raise NoOpenPollError
    poll.status, poll.closed_at, poll.updated_at = PollStatus.CLOSED, now, now
    db_session.flush()
    return poll, tally(db_session, poll_id=poll.id)


def latest_poll(db_session: Session, *, team_id: str) -> tuple[Poll, PollTallies] | None:
    poll = db_session.scalars(
        select(Poll).where(Poll.team_id == team_id).order_by(Poll.id.desc()).limit(1)
    ).one_or_none()
    return (poll, tally(db_session, poll_id=poll.id)) if poll else None


def topic_demand(db_session: Session, *, team_id: str) -> dict[str, int]:
    """How many people chose each topic across the workspace's polls (for matching weights)."""
    return {
        topic: count
        for topic, count in db_session.execute(
            select(PollTopicVote.topic, func.count(func.distinct(PollTopicVote.slack_user_id)))
            .where(PollTopicVote.team_id == team_id)
            .group_by(PollTopicVote.topic)
        )
    }
