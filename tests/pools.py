"""Random matching pools and the hard rules written out plainly, for the property tests of
the engine and of coordinators' hand-made changes."""

from __future__ import annotations

from itertools import combinations

import numpy as np
from hypothesis import strategies as st

from bench.population import synthetic_pool
from bot.services.matching import weights as W
from bot.services.matching.engine import Pool, score_block, tz_overlap_hours


def check_hard_rules(pool: Pool, pairs: list[tuple[int, int, float]]) -> None:
    as_mentor: dict[int, int] = {}
    as_mentee: set[int] = set()
    for mentor, mentee, score in pairs:
        assert mentor != mentee
        assert pool.can_mentor[mentor] and pool.can_mentee[mentee]
        assert pool.stage[mentor] < pool.stage[mentee], "mentor must be earlier in career"
        overlap = tz_overlap_hours(pool.tz_offset[[mentor]], pool.tz_offset[[mentee]])[0]
        assert overlap >= W.MIN_OVERLAP_HOURS
        assert (mentor, mentee) not in pool.forbidden
        assert (pool.need[mentee] > 0)[pool.teach[mentor]].any(), "no wanted topic taught"
        if pool.strict_department:
            assert pool.department[mentor] != pool.department[mentee]
        assert mentee not in as_mentee, "a mentee has two mentors"
        as_mentee.add(mentee)
        as_mentor[mentor] = as_mentor.get(mentor, 0) + 1
        assert score > 0
    for mentor, count in as_mentor.items():
        assert count <= pool.capacity[mentor], "capacity exceeded"
        assert mentor not in as_mentee, "someone took both sides"


@st.composite
def pools(draw: st.DrawFn, max_size: int = 14, roles: tuple[int, ...] = (0, 1, 2)) -> Pool:
    size = draw(st.integers(2, max_size))
    seed = draw(st.integers(0, 2**31))
    pool = synthetic_pool(size, seed=seed)
    rng = np.random.default_rng(seed)
    role = rng.choice(roles, size=size)
    pool.can_mentor, pool.can_mentee = role != 1, role != 0
    pool.capacity = np.where(pool.can_mentor, rng.integers(1, 3, size=size), 0).astype(np.int8)
    pool.stage = rng.integers(0, 5, size=size).astype(np.int8)
    pool.strict_department = draw(st.booleans())
    pool.forbidden = {(int(a), int(b)) for a, b in rng.integers(0, size, size=(size // 3, 2))}
    teach = rng.random(pool.teach.shape) < 0.35
    need = np.where(rng.random(pool.need.shape) < 0.3, rng.integers(1, 6, pool.need.shape), 0)
    pool.teach = teach & pool.can_mentor[:, None] | (teach & pool.can_mentee[:, None])
    pool.need = np.where(need > 0, (6 - need) / 5, 0).astype(np.float32)
    return pool


def reference_score(pool: Pool, mentor: int, mentee: int) -> float:
    """One pair's score and eligibility, written out plainly (weights.py's definition)."""
    teach, wants = pool.teach[mentor], pool.need[mentee] > 0
    if not (teach & wants).any() or pool.stage[mentor] >= pool.stage[mentee] or mentor == mentee:
        return 0.0
    a, b = pool.tz_offset[mentor], pool.tz_offset[mentee]
    if not (np.isnan(a) or np.isnan(b)):
        diff = abs(float(a) - float(b)) % 24
        if W.WORKDAY_HOURS - min(diff, 24 - diff) < W.MIN_OVERLAP_HOURS:
            return 0.0
    if pool.strict_department and pool.department[mentor] == pool.department[mentee]:
        return 0.0
    if (mentor, mentee) in pool.forbidden:
        return 0.0
    w = pool.topic_weight
    score = W.TOPIC * float((pool.need[mentee] * w * teach).sum())
    score += W.REVERSE * float((pool.need[mentor] * w * pool.teach[mentee]).sum())
    score += W.DEPARTMENT * (pool.department[mentor] != pool.department[mentee])
    score += W.REGION * (pool.region[mentor] != pool.region[mentee])
    pm, pe = int(pool.personality[mentor]), int(pool.personality[mentee])
    score += W.PERSONALITY * (0.5 if 1 in (pm, pe) else float(pm != pe))
    score += W.CADENCE * (pool.cadence[mentor] == pool.cadence[mentee])
    return score


def brute_force_optimum(pool: Pool) -> float:
    """The best total over every valid set of pairs, each person on one side (tiny pools)."""
    people = np.arange(pool.size, dtype=np.intp)
    scores = score_block(pool, people, people)
    edges = [
        (mentee, mentor, float(scores[mentee, mentor]))
        for mentee in range(pool.size)
        for mentor in range(pool.size)
        if pool.can_mentee[mentee] and pool.can_mentor[mentor] and scores[mentee, mentor] > 0
    ]
    best = 0.0
    for size in range(1, min(pool.size, len(edges)) + 1):
        for chosen in combinations(edges, size):
            mentees = [e[0] for e in chosen]
            load: dict[int, int] = {}
            for _, mentor, _ in chosen:
                load[mentor] = load.get(mentor, 0) + 1
            if len(set(mentees)) < size or set(mentees) & set(load):
                continue
            if any(count > pool.capacity[mentor] for mentor, count in load.items()):
                continue
            best = max(best, sum(e[2] for e in chosen))
    return best
