"""A matching proposal for coordinators to review, then publish."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session, aliased, joinedload, selectinload

from bot.services.errors import DomainError
from bot.services.matching.engine import assign
from bot.services.matching.pool import LoadedPool, load_pool
from bot.services.matching.reasons import pair_reasons, unmatched_reason
from models import ForbiddenPairing, MatchRound, Pair, Participant, Program, Unmatched
from models.enums import PairStatus, ParticipantStatus, Role, TopicDirection

STORE_CHUNK = 1000  # rows a statement when a proposal is stored


@dataclass(frozen=True)
class ProposedPair:
    """A pair of the proposal as the review shows it (plain data)."""

    id: int
    mentor: str | None  # Slack users; None for someone who asked to be forgotten
    mentee: str | None
    score: float
    reasons: list[str]
    pinned: bool

    @classmethod
    def of(cls, pair: Pair) -> ProposedPair:
        return cls(
            id=pair.id,
            mentor=pair.mentor.slack_user_id if pair.mentor else None,
            mentee=pair.mentee.slack_user_id if pair.mentee else None,
            score=pair.score or 0.0,
            reasons=list(pair.reasons or []),
            pinned=pair.pinned,
        )


@dataclass(frozen=True)
class Proposal:
    """The proposal as it stands, for the review: its figures and the first pairs and people."""

    program_id: int
    program_name: str
    pairs: list[ProposedPair]  # best first; at most `limit`
    unmatched: list[tuple[str, str]]  # (Slack user, reason); at most `limit`
    top_topic_covered: float | None  # share of mentees whose most-needed topic is covered
    cross_department: float | None  # share of proposed pairs across departments
    pair_count: int = -1  # all of them (-1: as many as listed)
    unmatched_count: int = -1
    round_id: int | None = None
    gap: float | None = None  # the solve's, while nobody has changed the proposal by hand

    @property
    def total_pairs(self) -> int:
        return len(self.pairs) if self.pair_count < 0 else self.pair_count

    @property
    def total_unmatched(self) -> int:
        return len(self.unmatched) if self.unmatched_count < 0 else self.unmatched_count


@dataclass(frozen=True)
class Solved:
    """A solve's outcome, worked out away from the database: participant ids, not rows, and
    the proposal's figures (pinned pairs included)."""

    pairs: list[tuple[int, int, float, list[str]]]  # mentor id, mentee id, score, reasons
    unmatched: list[tuple[int, str]]  # participant id, reason
    top_topic_covered: float | None = None
    cross_department: float | None = None
    gap: float | None = None  # how far below the best possible total the solve may be


def _top_topic(participant: Participant) -> str | None:
    learn = [t for t in participant.topics if t.direction == TopicDirection.LEARN]
    if not learn:
        return None
    return min(learn, key=lambda t: (t.self_rating or 3, t.id)).topic


def solve(loaded: LoadedPool, *, pinned: Sequence[tuple[int, int]] = ()) -> Solved:
    """The best pairs under the hard rules, with reasons and the figures; needs no database
    (the pool's people come with their columns and topics loaded), so it runs with no
    transaction open. `pinned`: (mentor id, mentee id) of the pairs kept from before."""
    pool, people = loaded.pool, loaded.people
    result = assign(pool)
    pairs = [
        (
            people[mentor].id,
            people[mentee].id,
            round(score, 2),
            pair_reasons(pool, people, mentor, mentee),
        )
        for mentor, mentee, score in result.pairs
    ]
    matched = {m for m, _, _ in result.pairs} | {e for _, e, _ in result.pairs}
    unmatched = []
    for i, person in enumerate(people):
        waiting = pool.can_mentee[i] or (pool.can_mentor[i] and pool.capacity[i] > 0)
        if waiting and i not in matched:
            unmatched.append((person.id, unmatched_reason(pool, i)))
    by_id = {p.id: p for p in people}
    covered, cross = proposal_figures(
        [(by_id.get(m), by_id.get(e)) for m, e, _, _ in pairs]
        + [(by_id.get(m), by_id.get(e)) for m, e in pinned],
        [by_id[p] for p, _ in unmatched],
    )
    return Solved(pairs, unmatched, covered, cross, result.gap)


def store(db_session: Session, *, program: Program, solved: Solved, now: datetime) -> None:
    """Replace the program's proposal (all but its pinned pairs) with a solve's outcome."""
    db_session.execute(
        delete(Pair).where(
            Pair.program_id == program.id,
            Pair.status == PairStatus.PROPOSED,
            Pair.pinned.is_(False),
        )
    )
    db_session.execute(delete(Unmatched).where(Unmatched.program_id == program.id))
    # People who left or were forgotten while the solve ran are not proposed.
    present = set(
        db_session.scalars(
            select(Participant.id).where(
                Participant.program_id == program.id,
                Participant.status == ParticipantStatus.ACTIVE,
            )
        )
    )
    pairs = [
        {
            "team_id": program.team_id,
            "program_id": program.id,
            "mentor_id": mentor_id,
            "mentee_id": mentee_id,
            "status": PairStatus.PROPOSED,
            "score": score,
            "reasons": reasons,
            "pinned": False,
            "created_at": now,
            "updated_at": now,
        }
        for mentor_id, mentee_id, score, reasons in solved.pairs
        if mentor_id in present and mentee_id in present
    ]
    run = uuid.uuid4().hex
    unmatched = [
        {
            "team_id": program.team_id,
            "program_id": program.id,
            "participant_id": participant_id,
            "reason": reason,
            "run": run,
        }
        for participant_id, reason in solved.unmatched
        if participant_id in present
    ]
    # Core inserts, many rows a statement: a large proposal is stored in a moment.
    for table, rows in ((Pair, pairs), (Unmatched, unmatched)):
        for start in range(0, len(rows), STORE_CHUNK):
            db_session.execute(insert(table), rows[start : start + STORE_CHUNK])


def propose(db_session: Session, *, program: Program, now: datetime) -> Proposal:
    """Compute a fresh proposal for the program's unpaired people (pinned pairs are kept), in
    the caller's transaction: for small pools and tests. The app solves in the background."""
    store(
        db_session,
        program=program,
        solved=solve(load_pool(db_session, program=program, now=now)),
        now=now,
    )
    return current_proposal(db_session, program=program)


def current_proposal(
    db_session: Session, *, program: Program, limit: int | None = None
) -> Proposal:
    """The proposal as it stands (after removals and pins): the best `limit` pairs and the
    first `limit` unmatched people (all when None), and the figures over all of them."""
    pair_query = (
        select(Pair)
        .where(Pair.program_id == program.id, Pair.status == PairStatus.PROPOSED)
        # Topics feed the coverage figure: load them with the pairs, not per pair.
        .options(
            joinedload(Pair.mentor).selectinload(Participant.topics),
            joinedload(Pair.mentee).selectinload(Participant.topics),
        )
        .order_by(Pair.score.desc(), Pair.id)
    )
    unmatched_query = (
        select(Participant, Unmatched.reason)
        .join(Unmatched, Unmatched.participant_id == Participant.id)
        .where(Unmatched.program_id == program.id)
        .options(selectinload(Participant.topics))
        .order_by(Participant.id)
    )
    if limit is not None:
        pair_query, unmatched_query = pair_query.limit(limit), unmatched_query.limit(limit)
    pairs = list(db_session.scalars(pair_query).unique())
    unmatched = [(p, reason) for p, reason in db_session.execute(unmatched_query).all()]
    shown_pairs = [ProposedPair.of(pair) for pair in pairs]
    shown_unmatched = [(p.slack_user_id, reason) for p, reason in unmatched]
    if limit is None:
        covered, cross = proposal_figures(
            [(p.mentor, p.mentee) for p in pairs], [p for p, _ in unmatched]
        )
        return Proposal(program.id, program.name, shown_pairs, shown_unmatched, covered, cross)
    latest = latest_round(db_session, program_id=program.id)
    pair_count, unmatched_count = proposal_counts(db_session, program_id=program.id)
    return Proposal(
        program_id=program.id,
        program_name=program.name,
        pairs=shown_pairs,
        unmatched=shown_unmatched,
        top_topic_covered=latest.top_topic_covered if latest else None,
        cross_department=latest.cross_department if latest else None,
        pair_count=pair_count,
        unmatched_count=unmatched_count,
        round_id=latest.id if latest else None,
        gap=latest.gap if latest else None,
    )


def proposal_counts(db_session: Session, *, program_id: int) -> tuple[int, int]:
    """How many pairs are proposed and how many people left unmatched."""
    pairs = db_session.scalar(
        select(func.count())
        .select_from(Pair)
        .where(Pair.program_id == program_id, Pair.status == PairStatus.PROPOSED)
    )
    unmatched = db_session.scalar(
        select(func.count()).select_from(Unmatched).where(Unmatched.program_id == program_id)
    )
    return int(pairs or 0), int(unmatched or 0)


def proposal_figures(
    pairs: Sequence[tuple[Participant | None, Participant | None]],
    unmatched: Sequence[Participant],
) -> tuple[float | None, float | None]:
    """(share of mentees whose most-needed topic is covered, share of pairs across
    departments) over a whole proposal: its (mentor, mentee) pairs and unmatched people."""
    covered = []
    for mentor, mentee in pairs:
        if mentee is None or mentor is None:
            continue
        top = _top_topic(mentee)
        covered.append(top is not None and top in mentor.topic_keys(TopicDirection.TEACH))
    for participant in unmatched:
        if _top_topic(participant) is not None and participant.role != Role.MENTOR:
            covered.append(False)
    cross = [
        mentor.department.casefold() != mentee.department.casefold()
        for mentor, mentee in pairs
        if mentor and mentee
    ]
    return (
        float(np.mean(covered)) if covered else None,
        float(np.mean(cross)) if cross else None,
    )


def latest_round(db_session: Session, *, program_id: int) -> MatchRound | None:
    """The program's most recent round of matching."""
    return db_session.scalars(
        select(MatchRound).where(MatchRound.program_id == program_id).order_by(MatchRound.id.desc())
    ).first()


def _proposed_pair(db_session: Session, *, team_id: str, pair_id: int) -> Pair:
    pair = db_session.get(Pair, pair_id)
    if pair is None or pair.team_id != team_id or pair.status != PairStatus.PROPOSED:
        raise DomainError("That pair is no longer in the proposal.")
    return pair


def remove_pair(db_session: Session, *, team_id: str, pair_id: int) -> None:
    """Take a pair out of the proposal; re-running will not pair those two again."""
    pair = _proposed_pair(db_session, team_id=team_id, pair_id=pair_id)
    if pair.mentor_id is not None and pair.mentee_id is not None:
        forbid(
            db_session,
            program_id=pair.program_id,
            team_id=team_id,
            mentor_id=pair.mentor_id,
            mentee_id=pair.mentee_id,
        )
    db_session.delete(pair)


def forbid(
    db_session: Session, *, program_id: int, team_id: str, mentor_id: int, mentee_id: int
) -> None:
    """Never pair these two in this program."""
    exists = db_session.scalar(
        select(ForbiddenPairing.id).where(
            ForbiddenPairing.mentor_id == mentor_id, ForbiddenPairing.mentee_id == mentee_id
        )
    )
    if exists is None:
        db_session.add(
            ForbiddenPairing(
                team_id=team_id, program_id=program_id, mentor_id=mentor_id, mentee_id=mentee_id
            )
        )


def forbid_people(db_session: Session, *, program: Program, user_ids: tuple[str, str]) -> None:
    """Never pair these two people in the program, whichever side each takes."""
    found = {
        p.slack_user_id: p
        for p in db_session.scalars(
            select(Participant).where(
                Participant.program_id == program.id, Participant.slack_user_id.in_(user_ids)
            )
        )
    }
    missing = [u for u in user_ids if u not in found]
    if missing:
        raise DomainError(f"<@{missing[0]}> has not joined {program.name}.")
    a, b = found[user_ids[0]], found[user_ids[1]]
    for mentor, mentee in ((a, b), (b, a)):
        forbid(
            db_session,
            program_id=program.id,
            team_id=program.team_id,
            mentor_id=mentor.id,
            mentee_id=mentee.id,
        )


def set_pinned(db_session: Session, *, team_id: str, pair_id: int, pinned: bool) -> None:
    """A pinned pair stays in the proposal when it is re-run."""
    _proposed_pair(db_session, team_id=team_id, pair_id=pair_id).pinned = pinned


def publish(db_session: Session, *, program: Program, now: datetime) -> int:
    """Make every proposed pair active; returns how many. Running it again changes nothing."""
    result = db_session.execute(
        update(Pair)
        .where(Pair.program_id == program.id, Pair.status == PairStatus.PROPOSED)
        .values(status=PairStatus.ACTIVE, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0))


def intros_awaiting(db_session: Session, *, program_id: int) -> list[tuple[int, str, str]]:
    """(pair id, mentor's user id, mentee's user id) of the published pairs not introduced
    yet; a pair missing a person (forgotten) has nobody to introduce and is left out."""
    mentor, mentee = aliased(Participant), aliased(Participant)
    return [
        (pair_id, mentor_user, mentee_user)
        for pair_id, mentor_user, mentee_user in db_session.execute(
            select(Pair.id, mentor.slack_user_id, mentee.slack_user_id)
            .join(mentor, mentor.id == Pair.mentor_id)
            .join(mentee, mentee.id == Pair.mentee_id)
            .where(
                Pair.program_id == program_id,
                Pair.status == PairStatus.ACTIVE,
                Pair.intro_sent_at.is_(None),
            )
            .order_by(Pair.id)
        )
    ]


def unmatched_awaiting_note(
    db_session: Session, *, program_id: int
) -> list[tuple[int, int, str, str]]:
    """(row id, participant id, user id, reason) of the people the published proposal left
    unmatched who have not been told yet."""
    return [
        (row_id, participant_id, user_id, reason)
        for row_id, participant_id, user_id, reason in db_session.execute(
            select(
                Unmatched.id, Unmatched.participant_id, Participant.slack_user_id, Unmatched.reason
            )
            .join(Participant, Participant.id == Unmatched.participant_id)
            .where(Unmatched.program_id == program_id, Unmatched.notified_at.is_(None))
            .order_by(Unmatched.id)
        )
    ]
