"""A coordinator's hand-made pairs: a new partner for one person, or two pairs' mentors
swapped. Offered from the matching engine's own rules and scores; nothing changes, and
nobody hears of it, until the coordinator confirms, and then every message goes through
the outbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.services import outbox
from bot.services.errors import DomainError, NamingError
from bot.services.matching.fits import fits_for, pair_score
from bot.services.matching.pool import LoadedPool, load_pool
from bot.services.matching.reasons import broken_rule, pair_reasons, unmatched_reason
from bot.services.matching.rounds import INTRO, NOTE
from bot.services.pair_fixes import pair_of
from bot.services.pairs import PUBLISHED, create_pair, end_pair, pair_with_people
from models import Pair, Participant, Program, Unmatched
from models.enums import PairStatus, ParticipantStatus, ProgramStatus

OPTIONS_SHOWN = 10  # a radio-button group holds at most ten options
PARTNER_CHANGED = "partner_changed"
SWAPPED = "mentors swapped by a coordinator"


@dataclass(frozen=True)
class Option:
    """Someone the person may be paired with now."""

    participant_id: int
    user_id: str
    mentors: bool  # True: this option would be the person's reverse mentor
    score: float
    reasons: list[str]


@dataclass(frozen=True)
class RematchChoice:
    program_name: str
    person_id: int
    user_id: str
    options: list[Option]  # best first, at most OPTIONS_SHOWN
    eligible: int  # how many fit in all


@dataclass(frozen=True)
class NewPair:
    pair_id: int
    mentor_user: str
    mentee_user: str
    score: float
    reasons: list[str]


@dataclass(frozen=True)
class SwapPlan:
    program_name: str
    pair_ids: tuple[int, int]
    before: tuple[tuple[str, str], tuple[str, str]]  # (mentor, mentee) Slack ids, each pair
    after: tuple[NewPair, NewPair]  # pair_id 0: not made yet


def _running_participant(
    db_session: Session, *, team_id: str, user_id: str
) -> tuple[Participant, Program]:
    """The person's place in the newest program of the workspace that has not finished."""
    found = db_session.execute(
        select(Participant, Program)
        .join(Program, Program.id == Participant.program_id)
        .where(
            Participant.team_id == team_id,
            Participant.slack_user_id == user_id,
            Participant.status == ParticipantStatus.ACTIVE,
            Program.status != ProgramStatus.FINISHED,
        )
        .order_by(Program.id.desc())
    ).first()
    if found is None:
        raise NamingError(f"<@{user_id}> is not taking part in a running program.")
    return found[0], found[1]


def _index(loaded: LoadedPool, person: Participant) -> int:
    index = loaded.index_of(person.id)
    if index is None:
        raise NamingError(f"<@{person.slack_user_id}> is on a pause, so cannot be matched now.")
    return index


def rematch_options(
    db_session: Session, *, team_id: str, user_id: str, now: datetime
) -> RematchChoice:
    """The people `user_id` may be paired with now, best first, with scores and reasons."""
    person, program = _running_participant(db_session, team_id=team_id, user_id=user_id)
    loaded = load_pool(db_session, program=program, now=now)
    pool, index = loaded.pool, _index(loaded, person)
    if not pool.can_mentee[index] and not (pool.can_mentor[index] and pool.capacity[index] > 0):
        raise NamingError(
            f"<@{user_id}> already has a partner and no room for another. To give them a new "
            "one, end their pair first with `/mentoring end-pair`."
        )
    fits = fits_for(pool, index)
    if not fits:
        raise NamingError(
            f"Nobody in the program can be paired with <@{user_id}> now. As they would "
            f"read it: _{unmatched_reason(pool, index)}_."
        )
    options = []
    for fit in fits[:OPTIONS_SHOWN]:
        mentor, mentee = (fit.other, index) if fit.other_mentors else (index, fit.other)
        other = loaded.people[fit.other]
        options.append(
            Option(
                participant_id=other.id,
                user_id=other.slack_user_id,
                mentors=fit.other_mentors,
                score=round(fit.score, 1),
                reasons=pair_reasons(pool, loaded.people, mentor, mentee),
            )
        )
    return RematchChoice(program.name, person.id, user_id, options, eligible=len(fits))


def rematch(
    db_session: Session,
    *,
    team_id: str,
    person_id: int,
    partner_id: int,
    partner_mentors: bool,
    now: datetime,
) -> NewPair:
    """Pair the two, checked again against the rules and who is free now (the form may have
    been open a while), and queue their introduction."""
    person = db_session.get(Participant, person_id)
    program = db_session.get(Program, person.program_id) if person else None
    if person is None or program is None or person.team_id != team_id:
        raise DomainError("That person is no longer taking part.")
    loaded = load_pool(db_session, program=program, now=now)
    index, other = _index(loaded, person), loaded.index_of(partner_id)
    fit = next(
        (
            f
            for f in fits_for(loaded.pool, index)
            if f.other == other and f.other_mentors == partner_mentors
        ),
        None,
    )
    if other is None or fit is None:
        raise DomainError(
            "That partner can no longer be paired with them: they were paired, paused or "
            "left meanwhile. Run `/mentoring rematch` again for a fresh list."
        )
    mentor, mentee = (other, index) if partner_mentors else (index, other)
    made = _make_pair(db_session, loaded, mentor, mentee, fit.score, now)
    _queue_intro(db_session, team_id=team_id, made=made, now=now)
    return made


def _make_pair(
    db_session: Session, loaded: LoadedPool, mentor: int, mentee: int, score: float, now: datetime
) -> NewPair:
    """An active pair, as publishing a round would make it; a proposal of a round under
    review that gave the mentee someone else gives way, and neither stays unmatched (nor is
    told they are, by a note still waiting to go)."""
    m, e = loaded.people[mentor], loaded.people[mentee]
    db_session.execute(
        delete(Pair).where(Pair.mentee_id == e.id, Pair.status == PairStatus.PROPOSED)
    )
    db_session.execute(delete(Unmatched).where(Unmatched.participant_id.in_((m.id, e.id))))
    outbox.cancel_pending_of_kind(
        db_session, kind=NOTE, channels=[m.slack_user_id, e.slack_user_id], now=now
    )
    pair = create_pair(db_session, mentor=m, mentee=e, status=PairStatus.ACTIVE, now=now)
    reasons = pair_reasons(loaded.pool, loaded.people, mentor, mentee)
    pair.score, pair.reasons = round(score, 2), reasons
    return NewPair(pair.id, m.slack_user_id, e.slack_user_id, round(score, 1), reasons)


def _queue_intro(db_session: Session, *, team_id: str, made: NewPair, now: datetime) -> None:
    outbox.enqueue(
        db_session,
        team_id=team_id,
        dedupe_key=f"intro:{made.pair_id}",
        kind=INTRO,
        channel=f"{made.mentor_user},{made.mentee_user}",
        payload={"pair_id": made.pair_id},
        due_at=now,
        now=now,
        pair_id=made.pair_id,
    )


# -- swapping two pairs' mentors ------------------------------------------------------------------


def swap_plan(db_session: Session, *, team_id: str, users: list[str], now: datetime) -> SwapPlan:
    """The two pairs of the people named, and the pairs a swap of mentors would make;
    refused, with the rule, when either new pair would break one."""
    if len(users) != 2:
        raise DomainError(
            "Name one person from each of the two pairs: `/mentoring swap @someone @someone-else`."
        )
    first = pair_of(db_session, team_id=team_id, users=[users[0]])
    second = pair_of(db_session, team_id=team_id, users=[users[1]])
    if first.id == second.id:
        raise NamingError(
            f"<@{users[0]}> and <@{users[1]}> are in the same pair: name one person from each."
        )
    if first.program_id != second.program_id:
        raise DomainError("Those two pairs are in different programs; only pairs of one swap.")
    return _plan(db_session, first, second, now)[0]


Indices = tuple[int, int, int, int]  # first mentor, first mentee, second mentor, second mentee


def _plan(
    db_session: Session, first: Pair, second: Pair, now: datetime
) -> tuple[SwapPlan, LoadedPool, Indices]:
    """The swap, checked against the rules on the pool as it is now."""
    program = db_session.get(Program, first.program_id)
    assert program is not None
    loaded = load_pool(db_session, program=program, now=now)
    people = [first.mentor, first.mentee, second.mentor, second.mentee]
    if any(p is None for p in people):
        raise DomainError("Someone in those pairs has left the program; end that pair instead.")
    m1, e1, m2, e2 = (_index(loaded, p) for p in people if p is not None)
    after = []
    for mentor, mentee in ((m2, e1), (m1, e2)):
        rule = broken_rule(loaded.pool, mentor, mentee)
        mentor_user, mentee_user = (loaded.people[i].slack_user_id for i in (mentor, mentee))
        if rule is not None:
            raise NamingError(f"<@{mentor_user}> cannot mentor <@{mentee_user}>: {rule}.")
        after.append(
            NewPair(
                0,
                mentor_user,
                mentee_user,
                round(pair_score(loaded.pool, mentor, mentee), 1),
                pair_reasons(loaded.pool, loaded.people, mentor, mentee),
            )
        )
    users = [loaded.people[i].slack_user_id for i in (m1, e1, m2, e2)]
    plan = SwapPlan(
        program.name,
        (first.id, second.id),
        ((users[0], users[1]), (users[2], users[3])),
        (after[0], after[1]),
    )
    return plan, loaded, (m1, e1, m2, e2)


def swap_mentors(
    db_session: Session, *, team_id: str, pair_ids: tuple[int, int], now: datetime
) -> tuple[NewPair, NewPair]:
    """End both pairs and make the swapped ones, checked again; each of the four is told
    who their new partner is, and each new pair is introduced."""
    pairs = [pair_with_people(db_session, pair_id=pair_id) for pair_id in pair_ids]
    first, second = pairs
    if any(p is None or p.team_id != team_id or p.status not in PUBLISHED for p in pairs):
        raise DomainError("One of those pairs has changed since. Run `/mentoring swap` again.")
    assert first is not None and second is not None
    plan, loaded, (m1_at, e1_at, m2_at, e2_at) = _plan(db_session, first, second, now)
    for old in (first, second):
        end_pair(old, reason=SWAPPED, now=now)
        outbox.cancel_pending_for_pair(db_session, pair_id=old.id, now=now)
    made = [
        _make_pair(db_session, loaded, mentor, mentee, pair_score(loaded.pool, mentor, mentee), now)
        for mentor, mentee in ((m2_at, e1_at), (m1_at, e2_at))
    ]
    (m1, e1), (m2, e2) = plan.before
    changes = ((m1, e1, e2), (e1, m1, m2), (m2, e2, e1), (e2, m2, m1))  # person, old, new
    for person, old_partner, new_partner in changes:
        outbox.enqueue(
            db_session,
            team_id=team_id,
            dedupe_key=f"{PARTNER_CHANGED}:{pair_ids[0]}:{pair_ids[1]}:{person}",
            kind=PARTNER_CHANGED,
            channel=person,
            payload={"old_partner": old_partner, "new_partner": new_partner},
            due_at=now,
            now=now,
        )
    for new in made:
        _queue_intro(db_session, team_id=team_id, made=new, now=now)
    return made[0], made[1]
