"""Without every score in memory, the candidates come block by block, each block of mentees
scored only against the mentors the hard rules let it meet: they are still each mentee's and
each mentor's true best, as a full score matrix has them."""

from __future__ import annotations

import numpy as np
import pytest

from bench.population import synthetic_pool
from bot.services.matching.engine import Pool, _top_edges, assign, score_block


def _true_best(scores: np.ndarray, top_k: int, axis: int) -> list[np.ndarray]:
    ranked = -np.sort(-scores, axis=axis)
    best = ranked[:, :top_k] if axis == 1 else ranked[:top_k, :].T
    return [row[row > 0] for row in best]


@pytest.mark.parametrize(("size", "top_k", "unknown_zones"), [(1500, 10, 0), (1200, 3, 40)])
def test_blocked_candidates_are_each_side_s_true_best(
    size: int, top_k: int, unknown_zones: int
) -> None:
    pool = synthetic_pool(size, seed=7)
    pool.tz_offset[:unknown_zones] = np.nan  # no zone from Slack: may meet anyone
    pool.strict_department = True
    mentors = np.flatnonzero(pool.can_mentor & (pool.capacity > 0)).astype(np.intp)
    mentees = np.flatnonzero(pool.can_mentee).astype(np.intp)
    scores = score_block(pool, mentees, mentors)
    rows, cols, values = _top_edges(pool, mentees, mentors, top_k)
    assert np.allclose(scores[rows, cols], values) and (values > 0).all()
    for axis, keys in ((1, rows), (0, cols)):
        for key, want in enumerate(_true_best(scores, top_k, axis)):
            got = np.sort(values[keys == key])[::-1][: len(want)]
            assert len(got) == len(want) and np.allclose(got, want), (axis, key)


def test_the_streamed_solve_pairs_mentees_in_block_order_back_to_the_right_people() -> None:
    pool: Pool = synthetic_pool(900, seed=11)
    streamed = assign(pool, exact=False)
    scores = {(m, e): s for m, e, s in streamed.pairs}
    for (mentor, mentee), score in scores.items():
        assert score == pytest.approx(
            float(score_block(pool, np.array([mentee]), np.array([mentor]))[0, 0]), abs=1e-4
        )
    assert streamed.total >= 0.99 * assign(pool, exact=True).total
