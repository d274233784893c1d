"""The auction solver against OR-Tools' min-cost flow: the same best total within eps per
pair (exactly, when values are scaled so that the eps add up to less than one), with dual
prices that prove it, and from an earlier solve's prices as well as from none."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.matching import auction
from bot.services.matching.engine import _min_cost_flow


@dataclass
class Instance:
    rows: np.ndarray
    cols: np.ndarray
    values: np.ndarray
    capacity: np.ndarray
    n_mentees: int


@st.composite
def instances(draw: st.DrawFn, max_side: int = 9, top: int = 60) -> Instance:
    """Random sparse pairs, each once, with many equal values (as real scores have)."""
    n_mentees = draw(st.integers(1, max_side))
    n_mentors = draw(st.integers(1, max_side))
    capacity = np.array(draw(st.lists(st.integers(1, 3), min_size=n_mentors, max_size=n_mentors)))
    cells = draw(
        st.lists(
            st.tuples(st.integers(0, n_mentees - 1), st.integers(0, n_mentors - 1)),
            unique=True,
            max_size=n_mentees * n_mentors,
        )
    )
    values = draw(st.lists(st.integers(-5, top), min_size=len(cells), max_size=len(cells)))
    return Instance(
        np.array([r for r, _ in cells], dtype=np.intp),
        np.array([c for _, c in cells], dtype=np.intp),
        np.array(values, dtype=np.int64),
        capacity.astype(np.int64),
        n_mentees,
    )


def _optimum(case: Instance, values: np.ndarray | None = None) -> int:
    values = case.values if values is None else values
    edges = (case.rows, case.cols, values.astype(np.float64))
    used, _ = _min_cost_flow(edges, case.n_mentees, case.capacity, priced=False, scale=1)
    return int(values[used].sum())


def _assert_feasible(case: Instance, solved: auction.Solved) -> None:
    assert np.bincount(case.rows[solved.used], minlength=case.n_mentees).max(initial=0) <= 1
    load = np.bincount(case.cols[solved.used], minlength=len(case.capacity))
    assert (load <= case.capacity).all()
    assert (case.values[solved.used] > 0).all(), "a pair worth nothing is never taken"


def _assert_proven(case: Instance, solved: auction.Solved, eps: int) -> None:
    """The prices prove the total within eps per pair: no pair pays off by more than eps
    at them, and a mentor with a slot to spare is priced 0, a mentee left out at 0."""
    profit, price = solved.profit, solved.price
    assert (profit >= 0).all() and (price >= 0).all()
    assert (profit[case.rows] + price[case.cols] >= case.values - eps).all()
    load = np.bincount(case.cols[solved.used], minlength=len(case.capacity))
    assert (price[load < case.capacity] == 0).all()
    matched = np.bincount(case.rows[solved.used], minlength=case.n_mentees)
    assert (profit[matched == 0] == 0).all()
    dual = int(profit.sum() + case.capacity @ price)
    total = int(case.values[solved.used].sum())
    assert total >= dual - eps * int(matched.sum())


@settings(max_examples=300, deadline=None)
@given(instances())
def test_the_total_is_within_eps_per_pair_of_the_best(case: Instance) -> None:
    solved = auction.solve(case.rows, case.cols, case.values, case.capacity, case.n_mentees)
    _assert_feasible(case, solved)
    _assert_proven(case, solved, eps=1)
    best = _optimum(case)
    total = int(case.values[solved.used].sum())
    assert best - case.n_mentees <= total <= best


@settings(max_examples=300, deadline=None)
@given(instances())
def test_values_scaled_past_the_eps_give_the_best_total_exactly(case: Instance) -> None:
    # eps = 1 per pair is then below one unit of the values over all pairs together.
    scaled = case.values * (case.n_mentees + 1)
    solved = auction.solve(case.rows, case.cols, scaled, case.capacity, case.n_mentees)
    assert int(case.values[solved.used].sum()) == _optimum(case)


@settings(max_examples=200, deadline=None)
@given(instances(), st.integers(0, 2**32 - 1))
def test_a_solve_started_from_other_prices_is_as_good(case: Instance, seed: int) -> None:
    """The next solve of a pricing pass or a role step starts from the last one's slot
    prices, with other values: what it finds is as good as a solve from none."""
    first = auction.solve(case.rows, case.cols, case.values, case.capacity, case.n_mentees)
    rng = np.random.default_rng(seed)
    changed = Instance(
        case.rows,
        case.cols,
        case.values + rng.integers(-20, 21, len(case.values)),
        case.capacity,
        case.n_mentees,
    )
    solved = auction.solve(
        changed.rows,
        changed.cols,
        changed.values,
        changed.capacity,
        changed.n_mentees,
        start=first.slot_prices + rng.integers(0, 30, len(first.slot_prices)),
    )
    _assert_feasible(changed, solved)
    _assert_proven(changed, solved, eps=1)
    best = _optimum(changed)
    assert best - changed.n_mentees <= int(changed.values[solved.used].sum()) <= best


def test_a_larger_pool_matches_or_tools_to_within_a_thousandth() -> None:
    rng = np.random.default_rng(7)
    n_mentees, n_mentors, per = 3000, 2500, 30
    rows = np.repeat(np.arange(n_mentees), per)
    cols = np.concatenate([rng.choice(n_mentors, per, replace=False) for _ in range(n_mentees)])
    case = Instance(
        rows.astype(np.intp),
        cols.astype(np.intp),
        rng.integers(500, 3000, len(rows)) // 50 * 50,  # scores in steps: many ties
        rng.integers(1, 4, n_mentors).astype(np.int64),
        n_mentees,
    )
    solved = auction.solve(case.rows, case.cols, case.values, case.capacity, case.n_mentees)
    _assert_feasible(case, solved)
    _assert_proven(case, solved, eps=1)
    best = _optimum(case)
    assert int(case.values[solved.used].sum()) >= best * (1 - 1e-3)


def test_prices_for_other_slots_are_refused() -> None:
    case = Instance(np.array([0]), np.array([0]), np.array([5]), np.array([2], dtype=np.int64), 1)
    with pytest.raises(ValueError, match="3 slot prices to start from: 2 slots"):
        auction.solve(
            case.rows, case.cols, case.values, case.capacity, 1, start=np.zeros(3, np.int64)
        )
