"""A matching proposal for coordinators to review, then publish."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, joinedload, selectinload

from bot.services.errors import DomainError
from bot.services.matching.engine import assign
from bot.services.matching.pool import load_pool
from bot.services.matching.reasons import pair_reasons, unmatched_reason
from models import ForbiddenPairing, Pair, Participant, Program, Unmatched
from models.enums import PairStatus, Role, TopicDirection


@dataclass(frozen=True)
class Proposal:
    program: Program
    pairs: list[Pair]  # proposed, with mentor and mentee loaded
    unmatched: list[tuple[Participant, str]]
    top_topic_covered: float | None  # share of mentees whose most-needed topic is covered
    cross_department: float | None  # share of proposed pairs across departments


def _top_topic(participant: Participant) -> str | None:
    learn = [t for t in participant.topics if t.direction == TopicDirection.LEARN]
    if not learn:
        return None
    return min(learn, key=lambda t: (t.self_rating or 3, t.id)).topic


def propose(db_session: Session, *, program: Program, now: datetime) -> Proposal:
    """Compute a fresh proposal for the program's unpaired people (pinned pairs are kept)."""
    db_session.execute(
        delete(Pair).where(
            Pair.program_id == program.id,
            Pair.status == PairStatus.PROPOSED,
            Pair.pinned.is_(False),
        )
    )
    db_session.execute(delete(Unmatched).where(Unmatched.program_id == program.id))
    db_session.flush()
    loaded = load_pool(db_session, program=program, now=now)
    pool, people = loaded.pool, loaded.people
    result = assign(pool)
    for mentor, mentee, score in result.pairs:
        db_session.add(
            Pair(
                team_id=program.team_id,
                program_id=program.id,
                mentor_id=people[mentor].id,
                mentee_id=people[mentee].id,
                status=PairStatus.PROPOSED,
                score=round(score, 2),
                reasons=pair_reasons(pool, people, mentor, mentee),
                created_at=now,
                updated_at=now,
            )
        )
    matched = {m for m, _, _ in result.pairs} | {e for _, e, _ in result.pairs}
    run = uuid.uuid4().hex
    for i, person in enumerate(people):
        waiting = pool.can_mentee[i] or (pool.can_mentor[i] and pool.capacity[i] > 0)
        if waiting and i not in matched:
            db_session.add(
                Unmatched(
                    team_id=program.team_id,
                    program_id=program.id,
                    participant_id=person.id,
                    reason=unmatched_reason(pool, i),
                    run=run,
                )
            )
    db_session.flush()
    return current_proposal(db_session, program=program)


def current_proposal(db_session: Session, *, program: Program) -> Proposal:
    """The proposal as it stands (after removals and pins), with its summary figures."""
    pairs = list(
        db_session.scalars(
            select(Pair)
            .where(Pair.program_id == program.id, Pair.status == PairStatus.PROPOSED)
            # Topics feed the coverage figure: load them with the pairs, not per pair.
            .options(
                joinedload(Pair.mentor).selectinload(Participant.topics),
                joinedload(Pair.mentee).selectinload(Participant.topics),
            )
            .order_by(Pair.score.desc(), Pair.id)
        ).unique()
    )
    unmatched = [
        (participant, reason)
        for participant, reason in db_session.execute(
            select(Participant, Unmatched.reason)
            .join(Unmatched, Unmatched.participant_id == Participant.id)
            .where(Unmatched.program_id == program.id)
            .options(selectinload(Participant.topics))
            .order_by(Participant.id)
        ).all()
    ]
    covered = []
    for pair in pairs:
        if pair.mentee is None or pair.mentor is None:
            continue
        top = _top_topic(pair.mentee)
        covered.append(top is not None and top in pair.mentor.topic_keys(TopicDirection.TEACH))
    for participant, _ in unmatched:
        if _top_topic(participant) is not None and participant.role != Role.MENTOR:
            covered.append(False)
    cross = [
        pair.mentor.department.casefold() != pair.mentee.department.casefold()
        for pair in pairs
        if pair.mentor and pair.mentee
    ]
    return Proposal(
        program=program,
        pairs=pairs,
        unmatched=unmatched,
        top_topic_covered=float(np.mean(covered)) if covered else None,
        cross_department=float(np.mean(cross)) if cross else None,
    )


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
    pairs = db_session.scalars(
        select(Pair)
        .where(Pair.program_id == program.id, Pair.status == PairStatus.PROPOSED)
        .with_for_update()
    ).all()
    for pair in pairs:
        pair.status, pair.updated_at = PairStatus.ACTIVE, now
    return len(pairs)


def pairs_awaiting_intro(db_session: Session, *, program_id: int) -> list[Pair]:
    """Published pairs not yet introduced, locked so that two publishers introduce once."""
    return list(
        db_session.scalars(
            select(Pair)
            .where(
                Pair.program_id == program_id,
                Pair.status == PairStatus.ACTIVE,
                Pair.intro_sent_at.is_(None),
            )
            .with_for_update(of=Pair)  # the joined participants may be NULL (forgotten)
            .options(joinedload(Pair.mentor), joinedload(Pair.mentee))
        ).unique()
    )


def unmatched_awaiting_note(db_session: Session, *, program_id: int) -> list[tuple[Unmatched, str]]:
    """People the published proposal left unmatched who have not been told yet."""
    return [
        (row, user)
        for row, user in db_session.execute(
            select(Unmatched, Participant.slack_user_id)
            .join(Participant, Participant.id == Unmatched.participant_id)
            .where(Unmatched.program_id == program_id, Unmatched.notified_at.is_(None))
            .with_for_update(of=Unmatched)
        ).all()
    ]
