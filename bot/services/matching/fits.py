"""Who one person may be paired with now, for a coordinator's hand-made change: the same
hard rules and scores as a round of matching, for one row or one pair of the pool."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bot.services.matching.engine import Pool, score_block


@dataclass(frozen=True)
class Fit:
    other: int  # the other person's index in the pool
    other_mentors: bool  # True: the other person would be the reverse mentor
    score: float


def _one(index: int) -> np.ndarray:
    return np.array([index], dtype=np.intp)


def fits_for(pool: Pool, person: int) -> list[Fit]:
    """Everyone who may be paired with `person` now, best first: as their reverse mentor
    (when the person is free to be mentored) and as their mentee (when the person has a
    free place as a mentor). Nobody a hard rule or a full capacity rules out is listed."""
    found: list[Fit] = []
    if pool.can_mentee[person]:
        mentors = np.flatnonzero(pool.can_mentor & (pool.capacity > 0)).astype(np.intp)
        scores = score_block(pool, _one(person), mentors)[0]
        found += [
            Fit(int(m), True, float(s)) for m, s in zip(mentors, scores, strict=True) if s > 0
        ]
    if pool.can_mentor[person] and pool.capacity[person] > 0:
        mentees = np.flatnonzero(pool.can_mentee).astype(np.intp)
        scores = score_block(pool, mentees, _one(person))[:, 0]
        found += [
            Fit(int(e), False, float(s)) for e, s in zip(mentees, scores, strict=True) if s > 0
        ]
    return sorted(found, key=lambda fit: (-fit.score, fit.other, fit.other_mentors))


def pair_score(pool: Pool, mentor: int, mentee: int) -> float:
    """The pair's score, 0 when a hard rule forbids it (capacity aside: a swap keeps every
    mentor's load as it was)."""
    return float(score_block(pool, _one(mentee), _one(mentor))[0, 0])
