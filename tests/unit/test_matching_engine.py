"""The matching engine: hard rules never broken, optimal totals, capacities respected."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from bench.population import synthetic_pool
from bot.services.matching import weights as W
from bot.services.matching.engine import Pool, assign, score_block
from bot.services.matching.reasons import unmatched_reason
from tests.pools import brute_force_optimum, check_hard_rules, pools, reference_score


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools(max_size=40))
def test_hard_rules_are_never_broken(pool: Pool) -> None:
    for exact in (True, False):
        check_hard_rules(pool, assign(pool, exact=exact, top_k=3).pairs)


@settings(max_examples=60, deadline=None)
@given(pools(max_size=9, roles=(0, 1)))
def test_small_pools_reach_the_brute_force_optimum(pool: Pool) -> None:
    assert abs(assign(pool).total - brute_force_optimum(pool)) < 1e-2


def test_capacity_lets_one_mentor_take_several_mentees() -> None:
    pool = synthetic_pool(6, seed=3)
    pool.can_mentor = np.array([True, False, False, False, False, False])
    pool.can_mentee = ~pool.can_mentor
    pool.stage = np.array([0, 4, 4, 4, 4, 4], dtype=np.int8)
    pool.tz_offset = np.zeros(6, dtype=np.float32)
    pool.teach[:] = False
    pool.teach[0, :] = True
    pool.need[:] = 0
    pool.need[1:, 0] = 1.0
    pool.forbidden = set()
    for capacity, expected in ((1, 1), (2, 2), (3, 3)):
        pool.capacity = np.array([capacity, 0, 0, 0, 0, 0], dtype=np.int8)
        pairs = assign(pool).pairs
        assert len(pairs) == expected
        check_hard_rules(pool, pairs)


def test_nobody_is_paired_across_time_zones_without_an_hour_in_common() -> None:
    pool = synthetic_pool(2, seed=1)
    pool.can_mentor, pool.can_mentee = np.array([True, False]), np.array([False, True])
    pool.capacity = np.array([1, 0], dtype=np.int8)
    pool.stage = np.array([0, 4], dtype=np.int8)
    pool.teach[:] = True
    pool.need[1, :] = 1.0
    pool.forbidden = set()
    for offset, paired in ((7.0, True), (7.5, False), (-8.0, False), (17.0, True)):
        pool.tz_offset = np.array([0.0, offset], dtype=np.float32)
        assert bool(assign(pool).pairs) == paired, offset


@pytest.mark.parametrize("price_first_above", [W.PRICE_FIRST_ABOVE, 0])
def test_pruned_solving_stays_close_to_the_exact_optimum(
    price_first_above: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Large pools price the pairs left out before choosing sides: here, small ones too.
    monkeypatch.setattr(W, "PRICE_FIRST_ABOVE", price_first_above)
    pool = synthetic_pool(800, seed=5)
    exact, pruned = assign(pool, exact=True), assign(pool, exact=False, top_k=20)
    check_hard_rules(pool, pruned.pairs)
    assert exact.method == "exact" and pruned.method == "pruned"
    # People who may take either side may choose differently in the two: each total is
    # held by the other's bound, and they end up within a percent of each other.
    assert pruned.total <= exact.bound and exact.total <= pruned.bound
    assert pruned.total >= 0.99 * exact.total


def two_people() -> Pool:
    pool = synthetic_pool(3, seed=1)
    pool.can_mentor = np.array([True, False, True])
    pool.can_mentee = np.array([False, True, False])
    pool.capacity = np.array([1, 0, 0], dtype=np.int8)
    pool.stage = np.array([0, 4, 0], dtype=np.int8)
    pool.teach[:] = False
    pool.teach[0, 1] = True  # Generative AI
    pool.need[:] = 0
    pool.need[1, 1] = 1.0
    pool.tz_offset = np.zeros(3, dtype=np.float32)
    pool.department = np.array([1, 2, 3], dtype=np.int32)
    pool.forbidden = set()
    pool.strict_department = True
    return pool


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (
            lambda p: p.teach.__setitem__((0, 1), False),
            "no reverse mentor in the pool teaches Generative AI yet",
        ),
        (
            lambda p: p.tz_offset.__setitem__(1, 9.0),
            "no reverse mentor teaches Generative AI within your working hours",
        ),
        (
            lambda p: p.stage.__setitem__(0, 4),
            "the reverse mentors who fit are not earlier in their careers than you",
        ),
        (
            lambda p: p.department.__setitem__(0, 2),
            "every reverse mentor who fits works in your department",
        ),
        (
            lambda p: p.forbidden.add((0, 1)),
            "the reverse mentors who fit are past partners or people either of you asked not",
        ),
    ],
)
def test_unmatched_people_are_told_which_rule_kept_them_apart(change, reason: str) -> None:
    pool = two_people()
    change(pool)
    assert assign(pool).pairs == []
    assert unmatched_reason(pool, 1).startswith(reason)


def test_someone_outcompeted_is_told_they_stay_in_the_pool() -> None:
    pool = two_people()
    pool.can_mentee[2] = True  # a second mentee wanting the same, with a higher need
    pool.can_mentor[2] = False
    pool.stage[2] = 4
    pool.need[2, 1], pool.need[1, 1] = 1.0, 0.2
    [(mentor, mentee, _)] = assign(pool).pairs
    assert (mentor, mentee) == (0, 2)
    assert "you stay in the pool" in unmatched_reason(pool, 1)


@settings(max_examples=40, deadline=None)
@given(pools(max_size=30))
def test_vectorised_scores_match_the_plain_definition(pool: Pool) -> None:
    pool.tz_offset[: pool.size // 4] = np.nan  # some time zones unknown
    mentees = np.arange(pool.size, dtype=np.intp)
    mentors = np.arange(pool.size, dtype=np.intp)
    block = score_block(pool, mentees, mentors)
    for e in range(pool.size):
        for m in range(pool.size):
            assert block[e, m] == pytest.approx(reference_score(pool, m, e), abs=1e-3), (m, e)


def test_a_large_pool_prices_the_pairs_left_out_before_choosing_sides() -> None:
    # With one candidate each, the first solve's prices say which pairs left out could raise
    # its total: the price-first step brings them in (each once, each allowed).
    from bot.services.matching.engine import _role_prices, _Scores

    pool = synthetic_pool(600, seed=9)
    mentors = np.flatnonzero(pool.can_mentor & (pool.capacity > 0)).astype(np.intp)
    mentees = np.flatnonzero(pool.can_mentee).astype(np.intp)
    scores = _Scores.of(pool, mentees, mentors, dense=False)
    candidates = scores.candidates(1)
    capacity = pool.capacity[scores.mentors].astype(np.int64)
    _, kept, _, _ = _role_prices(pool, scores, candidates, capacity, 6, False)
    _, grown, _, _ = _role_prices(pool, scores, candidates, capacity, 6, True)
    assert len(kept[0]) == len(candidates[0])
    assert len(grown[0]) > 2 * len(candidates[0])
    keys = grown[0].astype(np.int64) * len(mentors) + grown[1]
    assert len(np.unique(keys)) == len(keys)
    want = score_block(pool, scores.mentees, scores.mentors)[grown[0], grown[1]]
    assert (want > 0).all() and np.allclose(grown[2], want, atol=1e-4)
