"""Every solve reports a bound on the best possible total, so a coordinator knows how close
the proposal is without an exact solve: never below the true optimum (brute force on small
pools, people who may take either side included), tight when the solve is exact."""

from __future__ import annotations

from itertools import combinations

import numpy as np
from hypothesis import HealthCheck, given, settings

from bot.services.matching.engine import Pool, assign, score_block
from bot.views.matching import gap_words
from tests.pools import check_hard_rules, pools

SLACK = 1e-3  # scores are solved to 1/1000


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


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools(max_size=8))
def test_the_bound_is_never_below_the_best_possible_total(pool: Pool) -> None:
    optimum = brute_force_optimum(pool)
    for exact, top_k in ((True, None), (False, 1), (False, 3)):
        # top_k=1 leaves most pairs out of the solve: the bound must still count them.
        result = assign(pool, exact=exact, top_k=top_k)
        check_hard_rules(pool, result.pairs)
        assert result.total <= optimum + SLACK
        assert result.bound >= optimum - SLACK, (exact, top_k)
        # The gap reported is never smaller than the true one.
        if optimum > 0:
            assert result.gap >= 1 - result.total / optimum - SLACK


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools(max_size=9, roles=(0, 1)))
def test_an_exact_solve_reports_no_gap(pool: Pool) -> None:
    """With each person on one side the solve is exact, and the bound proves it."""
    result = assign(pool, exact=True)
    assert abs(result.total - brute_force_optimum(pool)) < SLACK
    assert result.bound - result.total < SLACK * max(1, len(result.pairs))
    assert result.gap < 1e-4


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools(max_size=40))
def test_the_gap_of_a_pruned_solve_matches_the_exact_one_where_both_run(pool: Pool) -> None:
    exact, pruned = assign(pool, exact=True), assign(pool, exact=False, top_k=5)
    # Both bounds hold for the same best possible total: each is above both totals.
    for bound in (exact.bound, pruned.bound):
        assert bound >= max(exact.total, pruned.total) - SLACK


def test_the_review_says_how_close_in_words() -> None:
    assert gap_words(0.0) == "These pairs are *the best possible* under the rules."
    assert gap_words(0.0004) == "These pairs are *the best possible* under the rules."
    assert (
        gap_words(0.0012) == "These pairs are within *0.1%* of the best possible under the rules."
    )
    assert (
        gap_words(0.0437) == "These pairs are within *4.4%* of the best possible under the rules."
    )
