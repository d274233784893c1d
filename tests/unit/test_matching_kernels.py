"""The compiled passes score, rule and rank pairs exactly as the numpy engine does: every
allowed pair with its score, each side's true best, and the pairs a pricing pass adds."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from bench.population import synthetic_pool
from bot.services.matching import kernels
from bot.services.matching.engine import (
    ADDED_PER_MENTEE,
    COMPLEMENT,
    MAX_SHIFT,
    Features,
    Pool,
    _tie_breaks,
    _unique,
    score_block,
)
from tests.pools import pools


def _packed(pool: Pool) -> tuple[kernels.Packed, np.ndarray, np.ndarray]:
    features = Features.of(pool)
    mentees = np.flatnonzero(pool.can_mentee).astype(np.intp)
    mentors = np.flatnonzero(pool.can_mentor & (pool.capacity > 0)).astype(np.intp)
    mentors = mentors[np.argsort(pool.stage[mentors], kind="stable")]
    packed = kernels.pack(
        pool, features, mentees, mentors, complement=COMPLEMENT, max_shift=MAX_SHIFT
    )
    return packed, mentees, mentors


def _every_pair(packed: kernels.Packed, n_mentees: int, n_mentors: int) -> np.ndarray:
    """The kernel's scores as a matrix: each mentee's best n_mentors lists every pair."""
    rows, cols, values = kernels.best_pairs(packed, max(n_mentors, n_mentees, 1))
    matrix = np.zeros((n_mentees, n_mentors), dtype=np.float32)
    matrix[rows, cols] = values
    return matrix


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pools(max_size=40))
def test_every_pair_scores_as_the_engine_scores_it(pool: Pool) -> None:
    pool.tz_offset[: len(pool.tz_offset) // 5] = np.nan  # some with no time zone from Slack
    packed, mentees, mentors = _packed(pool)
    want = score_block(pool, mentees, mentors)
    got = _every_pair(packed, len(mentees), len(mentors))
    assert np.array_equal(got > 0, want > 0), "a hard rule is read differently"
    assert np.allclose(got, want, atol=1e-4)


def _kth_best(matrix: np.ndarray, top_k: int) -> list[np.ndarray]:
    ranked = -np.sort(-matrix, axis=1)[:, :top_k]
    return [row[row > 0] for row in ranked]


@pytest.mark.parametrize(("size", "top_k"), [(1500, 10), (1200, 3)])
def test_best_pairs_are_each_side_s_true_best(size: int, top_k: int) -> None:
    pool = synthetic_pool(size, seed=7)
    pool.tz_offset[:40] = np.nan
    pool.strict_department = True
    packed, mentees, mentors = _packed(pool)
    scores = score_block(pool, mentees, mentors)
    rows, cols, values = _unique(kernels.best_pairs(packed, top_k), len(mentors))
    assert np.allclose(scores[rows, cols], values, atol=1e-4) and (values > 0).all()
    for matrix, keys in ((scores, rows), (scores.T, cols)):
        for key, want in enumerate(_kth_best(matrix, top_k)):
            got = np.sort(values[keys == key])[::-1][: len(want)]
            assert len(got) >= len(want) and np.allclose(got, want, atol=1e-4), key


def test_a_pricing_pass_finds_each_mentee_s_largest_gains_and_best_margin() -> None:
    pool = synthetic_pool(900, seed=3)
    packed, mentees, mentors = _packed(pool)
    scores = score_block(pool, mentees, mentors)
    rng = np.random.default_rng(5)
    mentee_charge = rng.random(len(mentees)) * 3
    mentor_charge = rng.random(len(mentors)) * 3
    price = rng.random(len(mentors)) * 10
    potential = rng.integers(0, 2500, len(mentees) + len(mentors)).astype(np.int64)
    margin, (rows, cols, values) = kernels.scan(
        packed, mentee_charge, mentor_charge, price, potential, 100, ADDED_PER_MENTEE
    )
    left = scores - mentee_charge[:, None].astype(np.float32)
    left -= mentor_charge[None, :].astype(np.float32)
    left = np.where((scores > 0) & (left > 0), left, 0)
    best = np.maximum((left - price[None, :].astype(np.float32)).max(axis=1), 0)
    assert np.allclose(margin, best, atol=1e-4)
    gain = np.rint(left * 100) - (potential[: len(mentees), None] - potential[None, len(mentees) :])
    gain = np.where((left > 0) & (gain > 0), gain, 0)
    assert np.allclose(values, left[rows, cols], atol=1e-5)
    for i in range(len(mentees)):
        positive = np.flatnonzero(gain[i] > 0)
        mine = cols[rows == i]
        assert len(mine) == min(len(positive), ADDED_PER_MENTEE), i
        keys = gain[i] + _tie_breaks(np.full(len(mentors), i), np.arange(len(mentors)))
        want = np.sort(keys[positive])[::-1][: len(mine)]
        assert np.allclose(np.sort(keys[mine])[::-1], want), i


TWO_AT_ONCE = """
import sys
from concurrent.futures import ThreadPoolExecutor
from bench.population import synthetic_pool
from bot.services.matching.engine import assign
pools = [synthetic_pool(1500, seed) for seed in (1, 2)]
alone = [assign(pool, exact=False).total for pool in pools]
with ThreadPoolExecutor(2) as both:
    together = list(both.map(lambda pool: assign(pool, exact=False).total, pools))
print(alone == together)
"""


def test_two_solves_at_once_take_turns_on_any_threading_layer() -> None:
    # Two programs' rounds may solve at the same time. numba's fallback threading layer
    # (where no OpenMP or TBB is installed, as in a slim image) aborts the process when two
    # threads launch parallel passes at once; the passes take turns instead.
    env = {**os.environ, "NUMBA_THREADING_LAYER": "workqueue"}
    done = subprocess.run(
        [sys.executable, "-c", TWO_AT_ONCE],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "True"
