"""A coordinator's hand-made changes obey the same hard rules as a round of matching:
property tests over random pools against the rules written out plainly."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.services.matching.engine import Pool, assign
from bot.services.matching.fits import fits_for, pair_score
from bot.services.matching.reasons import broken_rule
from tests.pools import check_hard_rules, pools, reference_score

SLOW = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def taken(pool: Pool, pairs: list[tuple[int, int, float]]) -> Pool:
    """The pool as it stands once `pairs` are published: their mentees are no longer free and
    their mentors have that much less room (as load_pool builds it)."""
    for mentor, mentee, _ in pairs:
        pool.can_mentee[mentee] = False
        pool.capacity[mentor] -= 1
    return pool


@SLOW
@given(pools(max_size=30), st.data())
def test_a_re_match_lists_exactly_the_people_the_rules_allow_best_first(
    pool: Pool, data: st.DataObject
) -> None:
    pool = taken(pool, assign(pool, top_k=3).pairs[::2])  # half the pairs published
    person = data.draw(st.integers(0, pool.size - 1))
    fits = fits_for(pool, person)

    free_mentor = pool.can_mentor & (pool.capacity > 0)
    expected = {
        (other, True)
        for other in range(pool.size)
        if pool.can_mentee[person]
        and free_mentor[other]
        and reference_score(pool, other, person) > 0
    } | {
        (other, False)
        for other in range(pool.size)
        if free_mentor[person]
        and pool.can_mentee[other]
        and reference_score(pool, person, other) > 0
    }
    assert {(f.other, f.other_mentors) for f in fits} == expected
    for fit in fits:
        mentor, mentee = (fit.other, person) if fit.other_mentors else (person, fit.other)
        assert fit.score == pytest.approx(reference_score(pool, mentor, mentee), abs=1e-3)
        assert broken_rule(pool, mentor, mentee) is None
        check_hard_rules(pool, [(mentor, mentee, fit.score)])
    assert [f.score for f in fits] == sorted((f.score for f in fits), reverse=True)


@SLOW
@given(pools(max_size=30), st.data())
def test_a_swap_of_mentors_is_allowed_only_when_both_new_pairs_keep_every_rule(
    pool: Pool, data: st.DataObject
) -> None:
    pairs = assign(pool, top_k=3).pairs
    if len(pairs) < 2:
        return
    first, second = data.draw(st.lists(st.sampled_from(pairs), min_size=2, max_size=2, unique=True))
    (m1, e1, _), (m2, e2, _) = first, second
    scores = pair_score(pool, m2, e1), pair_score(pool, m1, e2)
    allowed = all(s > 0 for s in scores)
    assert allowed == (reference_score(pool, m2, e1) > 0 and reference_score(pool, m1, e2) > 0)
    assert allowed == (broken_rule(pool, m2, e1) is None and broken_rule(pool, m1, e2) is None)
    if allowed:
        rest = [p for p in pairs if p not in (first, second)]
        check_hard_rules(pool, [*rest, (m2, e1, scores[0]), (m1, e2, scores[1])])


@settings(max_examples=60, deadline=None)
@given(pools(max_size=20))
def test_the_rule_named_is_the_one_that_forbids_the_pair(pool: Pool) -> None:
    for mentor in range(pool.size):
        for mentee in range(pool.size):
            rule = broken_rule(pool, mentor, mentee)
            assert (rule is None) == (reference_score(pool, mentor, mentee) > 0), rule
