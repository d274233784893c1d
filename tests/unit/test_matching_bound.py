"""Every solve reports a bound on the best possible total, so a coordinator knows how close
the proposal is without an exact solve: never below the true optimum (brute force on small
pools, people who may take either side included), tight when the solve is exact."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings

from bench.population import synthetic_pool
from bot.services.matching.engine import SETTLED, Pool, assign
from bot.views.matching import gap_words
from tests.pools import brute_force_optimum, check_hard_rules, pools

SLACK = 1e-3  # scores are solved to 1/1000


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
    """With each person on one side the solve is exact, and the bound proves it, even when
    it starts from each person's single best partner: the pairs left out are priced, and
    those that could raise the total join the solve."""
    optimum = brute_force_optimum(pool)
    for top_k in (None, 1):
        result = assign(pool, exact=True, top_k=top_k)
        assert result.total >= optimum * (1 - SETTLED) - SLACK, top_k
        assert result.bound - result.total <= SETTLED * result.bound + SLACK * len(result.pairs)
        assert result.gap <= SETTLED


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


def test_pricing_adds_the_pairs_the_candidates_left_out() -> None:
    """From each person's single best partner, 300 people are still solved to within
    SETTLED of the solve that starts from forty."""
    pool = synthetic_pool(300, seed=5)
    pool.can_mentee &= ~pool.can_mentor  # each person on one side: the solve is exact
    full, narrow = assign(pool, exact=True), assign(pool, exact=True, top_k=1)
    assert narrow.total >= full.total * (1 - SETTLED)
    assert narrow.gap <= SETTLED
    assert full.bound >= narrow.total and narrow.bound >= full.total


def test_equal_scores_everywhere_still_pair_everyone() -> None:
    """200 mentors and 200 mentees who all score alike: every mentee would list the same
    best mentors, so the pairs priced in must differ from mentee to mentee."""
    n, topics = 200, 5
    one_side = np.array([True] * n + [False] * n)
    first_topic = np.zeros((2 * n, topics), dtype=bool)
    first_topic[:, 0] = True
    pool = Pool(
        can_mentor=one_side,
        can_mentee=~one_side,
        stage=np.where(one_side, 0, 3).astype(np.int8),
        tz_offset=np.zeros(2 * n, np.float32),
        department=np.arange(2 * n, dtype=np.int32),
        region=np.zeros(2 * n, np.int32),
        personality=np.zeros(2 * n, np.int8),
        cadence=np.zeros(2 * n, np.int8),
        capacity=one_side.astype(np.int8),
        teach=first_topic & one_side[:, None],
        need=(first_topic & ~one_side[:, None]).astype(np.float32),
        topic_weight=np.ones(topics, np.float32),
    )
    result = assign(pool)
    assert len(result.pairs) == n
    assert result.gap == 0
