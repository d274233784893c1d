"""Every solve reports a bound on the best possible total, so a coordinator knows how close
the proposal is without an exact solve: never below the true optimum (brute force on small
pools, people who may take either side included), tight when the solve is exact."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from bot.services.matching.engine import Pool, assign
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
