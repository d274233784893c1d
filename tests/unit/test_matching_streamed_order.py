"""Without every score in memory, the streamed solve reads mentees and mentors in an order of
its own (by time zone, career stage and wanted topics): its pairs still name the right people.
(That its candidates are each side's true best is in test_matching_kernels.py.)"""

from __future__ import annotations

import numpy as np
import pytest

from bench.population import synthetic_pool
from bot.services.matching.engine import Pool, assign, score_block


def test_the_streamed_solve_pairs_mentees_in_block_order_back_to_the_right_people() -> None:
    pool: Pool = synthetic_pool(900, seed=11)
    streamed = assign(pool, exact=False)
    scores = {(m, e): s for m, e, s in streamed.pairs}
    for (mentor, mentee), score in scores.items():
        assert score == pytest.approx(
            float(score_block(pool, np.array([mentee]), np.array([mentor]))[0, 0]), abs=1e-4
        )
    assert streamed.total >= 0.99 * assign(pool, exact=True).total
