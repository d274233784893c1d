"""Loading a program's matching pool from the database into the engine's arrays."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services.matching import weights as W
from bot.services.matching.engine import Pool
from bot.services.pairs import PUBLISHED
from bot.services.participation import eligible_participants
from bot.services.polls import topic_demand
from bot.services.topics import CATALOG
from models import ForbiddenPairing, Pair, Participant, Program
from models.enums import (
    Cadence,
    CareerStage,
    PairStatus,
    Personality,
    Role,
    TopicDirection,
)

STAGES = list(CareerStage)
PERSONALITIES = list(Personality)
CADENCES = list(Cadence)
TOPIC_INDEX = {t.key: i for i, t in enumerate(CATALOG)}


@dataclass
class LoadedPool:
    pool: Pool
    people: list[Participant]  # index in the pool -> participant

    def index_of(self, participant_id: int) -> int | None:
        return self._index.get(participant_id)

    def __post_init__(self) -> None:
        self._index = {p.id: i for i, p in enumerate(self.people)}


def utc_offset_hours(timezone: str | None, now: datetime) -> float:
    """The zone's offset from UTC at `now`, in hours; NaN when unknown."""
    if not timezone:
        return float("nan")
    try:
        offset = now.astimezone(ZoneInfo(timezone)).utcoffset()
    except (ZoneInfoNotFoundError, ValueError):
        return float("nan")
    return offset.total_seconds() / 3600 if offset is not None else float("nan")


def _codes(values: list[str]) -> np.ndarray:
    seen: dict[str, int] = {}
    return np.array([seen.setdefault(v.strip().casefold(), len(seen)) for v in values], np.int32)


def load_pool(db_session: Session, *, program: Program, now: datetime) -> LoadedPool:
    """Everyone who may be matched in the program now, with what binds and what scores."""
    people = eligible_participants(db_session, program_id=program.id, now=now)
    ids = [p.id for p in people]
    taken_mentees, mentor_load = set(), dict.fromkeys(ids, 0)
    for mentor_id, mentee_id in db_session.execute(
        select(Pair.mentor_id, Pair.mentee_id).where(
            Pair.program_id == program.id,
            (Pair.status.in_(PUBLISHED))
            | (Pair.pinned.is_(True) & (Pair.status == PairStatus.PROPOSED)),
        )
    ):
        taken_mentees.add(mentee_id)
        if mentor_id in mentor_load:
            mentor_load[mentor_id] += 1
    size, topics = len(people), len(CATALOG)
    teach = np.zeros((size, topics), dtype=bool)
    need = np.zeros((size, topics), dtype=np.float32)
    for i, person in enumerate(people):
        for topic in person.topics:
            t = TOPIC_INDEX.get(topic.topic)
            if t is None:
                continue
            if topic.direction == TopicDirection.TEACH:
                teach[i, t] = True
            else:
                rating = topic.self_rating
                need[i, t] = (6 - rating) / 5 if rating else W.UNRATED_NEED
    demand = topic_demand(db_session, team_id=program.team_id)
    voters = max(demand.values(), default=0)
    topic_weight = np.array(
        [1 + W.DEMAND * (demand.get(t.key, 0) / voters if voters else 0) for t in CATALOG],
        dtype=np.float32,
    )
    role = [p.role for p in people]
    can_mentor = np.array([r in (Role.MENTOR, Role.BOTH) for r in role], dtype=bool)
    can_mentee = np.array(
        [
            r in (Role.MENTEE, Role.BOTH) and p.id not in taken_mentees
            for r, p in zip(role, people, strict=True)
        ],
        dtype=bool,
    )
    capacity = np.array(
        [
            max(p.mentee_capacity - mentor_load[p.id], 0) if can_mentor[i] else 0
            for i, p in enumerate(people)
        ],
        dtype=np.int8,
    )
    pool = Pool(
        can_mentor=can_mentor,
        can_mentee=can_mentee,
        stage=np.array([STAGES.index(p.career_stage) for p in people], dtype=np.int8),
        tz_offset=np.array([utc_offset_hours(p.timezone, now) for p in people], np.float32),
        department=_codes([p.department for p in people]),
        region=_codes([p.location for p in people]),
        personality=np.array([PERSONALITIES.index(p.personality) for p in people], np.int8),
        cadence=np.array([CADENCES.index(p.cadence) for p in people], np.int8),
        capacity=capacity,
        teach=teach,
        need=need,
        topic_weight=topic_weight,
        forbidden=_forbidden(db_session, program=program, people=people),
        strict_department=program.separate_departments,
    )
    return LoadedPool(pool=pool, people=people)


def _forbidden(
    db_session: Session, *, program: Program, people: list[Participant]
) -> set[tuple[int, int]]:
    """(mentor, mentee) index pairs never allowed: do-not-match either way, past partners,
    coordinators' forbids."""
    by_user: dict[str, list[int]] = {}
    for i, p in enumerate(people):
        by_user.setdefault(p.slack_user_id, []).append(i)
    never_together = [
        (i, j)
        for i, person in enumerate(people)
        for exclusion in person.exclusions
        for j in by_user.get(exclusion.excluded_user_id, [])
    ]
    never_together += [
        (i, j)
        for mentor_user, mentee_user in _past_partners(db_session, team_id=program.team_id)
        for i in by_user.get(mentor_user or "", [])
        for j in by_user.get(mentee_user or "", [])
    ]
    forbidden = {(i, j) for i, j in never_together} | {(j, i) for i, j in never_together}
    index = {p.id: i for i, p in enumerate(people)}
    for mentor_id, mentee_id in db_session.execute(
        select(ForbiddenPairing.mentor_id, ForbiddenPairing.mentee_id).where(
            ForbiddenPairing.program_id == program.id
        )
    ):
        if mentor_id in index and mentee_id in index:
            forbidden.add((index[mentor_id], index[mentee_id]))
    return forbidden


def _past_partners(db_session: Session, *, team_id: str) -> list[tuple[str | None, str | None]]:
    """Never twice the same partners, in any program of the workspace."""
    mentor = select(Participant.slack_user_id).where(Participant.id == Pair.mentor_id)
    mentee = select(Participant.slack_user_id).where(Participant.id == Pair.mentee_id)
    rows = db_session.execute(
        select(mentor.scalar_subquery(), mentee.scalar_subquery()).where(
            Pair.team_id == team_id, Pair.status != PairStatus.PROPOSED
        )
    )
    return [(mentor_user, mentee_user) for mentor_user, mentee_user in rows]
