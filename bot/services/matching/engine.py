"""The matching engine: vectorised scores under hard rules, then an optimal assignment.

Works on a `Pool` of numpy arrays (one row per person), so it is the same code for the app,
the benchmarks and the property tests. Rows are people; a person may be able to mentor, to be
mentored, or both.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray
from ortools.graph.python import min_cost_flow

from bot.services.matching import weights as W

F32 = np.float32
ROW_CHUNK = 512
# Personality complement: introvert(0) / ambivert(1) / extrovert(2).
COMPLEMENT = np.array([[0.0, 0.5, 1.0], [0.5, 0.5, 0.5], [1.0, 0.5, 0.0]], dtype=F32)


@dataclass
class Pool:
    """People who may be matched now, as parallel arrays (index = person)."""

    can_mentor: NDArray[np.bool_]
    can_mentee: NDArray[np.bool_]
    stage: NDArray[np.int8]  # career band, 0 = earliest
    tz_offset: NDArray[np.float32]  # hours from UTC now; NaN when unknown
    department: NDArray[np.int32]  # codes
    region: NDArray[np.int32]
    personality: NDArray[np.int8]
    cadence: NDArray[np.int8]
    capacity: NDArray[np.int8]  # mentee slots still free as a mentor
    teach: NDArray[np.bool_]  # (people, topics)
    need: NDArray[np.float32]  # (people, topics): need to learn, 0 = not wanted
    topic_weight: NDArray[np.float32]  # (topics,): 1 + DEMAND * poll share
    # Pairings never allowed, as (mentor index, mentee index): do-not-match lists, past
    # partners, coordinators' "forbid".
    forbidden: set[tuple[int, int]] = field(default_factory=set)
    strict_department: bool = False

    @property
    def size(self) -> int:
        return int(self.stage.shape[0])


@dataclass(frozen=True)
class Assignment:
    pairs: list[tuple[int, int, float]]  # (mentor index, mentee index, score)
    method: str  # "exact" or "pruned"
    # No pairing under the rules totals more than this (an LP dual bound; see _dual_bound).
    bound: float = 0.0

    @property
    def total(self) -> float:
        return float(sum(score for _, _, score in self.pairs))

    @property
    def gap(self) -> float:
        """How far the total may be below the best possible: 1 - total / bound."""
        return max(0.0, 1.0 - self.total / self.bound) if self.bound > 0 else 0.0


def tz_overlap_hours(a: NDArray[np.float32], b: NDArray[np.float32]) -> NDArray[np.float32]:
    """Hours two people's working days overlap (same hours locally, different offsets)."""
    diff = np.abs(a - b) % 24
    diff = np.minimum(diff, 24 - diff)
    overlap = np.maximum(W.WORKDAY_HOURS - diff, 0).astype(F32)
    return np.where(np.isnan(overlap), F32(W.WORKDAY_HOURS), overlap)


QUARTERS_PER_DAY = 96  # time zones as quarter hours: every real UTC offset is one
MAX_SHIFT = 4 * (W.WORKDAY_HOURS - W.MIN_OVERLAP_HOURS)  # quarters apart, still overlapping


@dataclass(frozen=True)
class Features:
    """Per-person vectors such that a pair's soft score is one dot product (mentee . mentor),
    plus the codes the hard rules compare. Built once per solve."""

    as_mentee: NDArray[np.float32]
    as_mentor: NDArray[np.float32]
    wants: NDArray[np.float32]
    teaches: NDArray[np.float32]
    tz_quarter: NDArray[np.int16]  # -1 when unknown

    @classmethod
    def of(cls, pool: Pool) -> Features:
        def one_hot(codes: NDArray[Any]) -> NDArray[np.float32]:
            _, dense = np.unique(codes, return_inverse=True)
            out = np.zeros((len(codes), int(dense.max(initial=0)) + 1), dtype=F32)
            out[np.arange(len(codes)), dense] = 1
            return out

        teach = pool.teach.astype(F32)
        department, region = one_hot(pool.department), one_hot(pool.region)
        personality = np.eye(3, dtype=F32)[pool.personality]
        cadence = np.eye(3, dtype=F32)[pool.cadence]
        ones = np.ones((pool.size, 1), dtype=F32)
        # Different department/region = constant minus "same"; personality via the
        # complement table; every term a column pair.
        as_mentee = np.hstack(
            [
                W.TOPIC * pool.need * pool.topic_weight,
                W.REVERSE * teach * pool.topic_weight,
                -W.DEPARTMENT * department,
                -W.REGION * region,
                W.PERSONALITY * personality @ COMPLEMENT,
                W.CADENCE * cadence,
                ones,
            ]
        ).astype(F32)
        as_mentor = np.hstack(
            [
                teach,
                pool.need,
                department,
                region,
                personality,
                cadence,
                (W.DEPARTMENT + W.REGION) * ones,
            ]
        ).astype(F32)
        quarter = np.round(np.nan_to_num(pool.tz_offset, nan=0.0) * 4) % QUARTERS_PER_DAY
        codes = np.where(np.isnan(pool.tz_offset), -1, quarter).astype(np.int16)
        return cls(as_mentee, as_mentor, (pool.need > 0).astype(F32), teach, codes)


def score_block(
    pool: Pool,
    mentees: NDArray[np.intp],
    mentors: NDArray[np.intp],
    features: Features | None = None,
) -> NDArray[np.float32]:
    """Scores of every (mentee, mentor) pair in the block; 0 where a hard rule forbids it."""
    f = features or Features.of(pool)
    score = f.as_mentee[mentees] @ f.as_mentor[mentors].T
    allowed = (f.wants[mentees] @ f.teaches[mentors].T) > 0
    allowed &= pool.stage[mentors][None, :] < pool.stage[mentees][:, None]
    tz_e, tz_m = f.tz_quarter[mentees][:, None], f.tz_quarter[mentors][None, :]
    shift = (tz_e - tz_m) % QUARTERS_PER_DAY
    allowed &= (
        (shift <= MAX_SHIFT) | (shift >= QUARTERS_PER_DAY - MAX_SHIFT) | (tz_e < 0) | (tz_m < 0)
    )
    allowed &= mentees[:, None] != mentors[None, :]
    if pool.strict_department:
        allowed &= pool.department[mentees][:, None] != pool.department[mentors][None, :]
    if pool.forbidden:
        row_of = {int(p): i for i, p in enumerate(mentees)}
        col_of = {int(p): j for j, p in enumerate(mentors)}
        for mentor, mentee in pool.forbidden:
            i, j = row_of.get(mentee), col_of.get(mentor)
            if i is not None and j is not None:
                allowed[i, j] = False
    np.multiply(score, allowed, out=score)
    return score


def _chunks(rows: NDArray[np.intp]) -> Iterator[tuple[int, NDArray[np.intp]]]:
    for start in range(0, len(rows), ROW_CHUNK):
        yield start, rows[start : start + ROW_CHUNK]


Edges = tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.float32]]


def _all_edges(pool: Pool, mentees: NDArray[np.intp], mentors: NDArray[np.intp]) -> Edges:
    features = Features.of(pool)
    """Every allowed (mentee position, mentor position, score), block by block."""
    rows, cols, scores = [], [], []
    for start, chunk in _chunks(mentees):
        block = score_block(pool, chunk, mentors, features)
        r, c = np.nonzero(block)
        rows.append(r + start)
        cols.append(c)
        scores.append(block[r, c])
    return _join(rows, cols, scores)


def _top_edges(
    pool: Pool, mentees: NDArray[np.intp], mentors: NDArray[np.intp], top_k: int
) -> Edges:
    """The allowed edges among each mentee's best `top_k` mentors and each mentor's best
    `top_k` mentees (kept per block, so memory stays linear in the pool)."""
    rows, cols, scores = [], [], []
    features = Features.of(pool)
    k = min(top_k, len(mentors))
    # Each mentor's best mentees so far: (score, mentee position) kept across blocks.
    col_best = np.zeros((0, len(mentors)), dtype=F32)
    col_rows = np.zeros((0, len(mentors)), dtype=np.intp)
    for start, chunk in _chunks(mentees):
        block = score_block(pool, chunk, mentors, features)
        best = np.argpartition(-block, k - 1, axis=1)[:, :k]
        values = np.take_along_axis(block, best, axis=1)
        keep = values > 0
        rows.append(np.nonzero(keep)[0] + start)
        cols.append(best[keep])
        scores.append(values[keep])
        merged = np.vstack([col_best, block])
        merged_rows = np.vstack(
            [col_rows, np.broadcast_to((np.arange(len(chunk)) + start)[:, None], block.shape)]
        )
        kk = min(top_k, merged.shape[0])
        pick = np.argpartition(-merged, kk - 1, axis=0)[:kk]
        col_best = np.take_along_axis(merged, pick, axis=0)
        col_rows = np.take_along_axis(merged_rows, pick, axis=0)
    keep = col_best > 0
    rows.append(col_rows[keep])
    cols.append(np.nonzero(keep)[1])
    scores.append(col_best[keep])
    r, c, s = _join(rows, cols, scores)
    key = r.astype(np.int64) * len(mentors) + c
    _, first = np.unique(key, return_index=True)
    return r[first], c[first], s[first]


def _join(rows: list[NDArray[Any]], cols: list[NDArray[Any]], scores: list[NDArray[Any]]) -> Edges:
    if not rows:
        return np.empty(0, np.intp), np.empty(0, np.intp), np.empty(0, F32)
    return (
        np.concatenate(rows).astype(np.intp),
        np.concatenate(cols).astype(np.intp),
        np.concatenate(scores).astype(F32),
    )


SCORE_SCALE = 1000  # min-cost flow works in integers: scores kept to 1/1000


def _solve_flow(
    edges: Edges, n_mentees: int, capacity: NDArray[np.int64], *, priced: bool = True
) -> tuple[NDArray[np.bool_], NDArray[np.int64]]:
    """Which edges an optimal matching uses: each mentee once, each mentor up to capacity.

    A min-cost flow (OR-Tools): source -> mentee -> mentor -> sink, plus a source -> sink
    bypass so that leaving someone unmatched is always possible.
    """
    rows, cols, scores = edges
    n_mentors = len(capacity)
    source, sink = n_mentees + n_mentors, n_mentees + n_mentors + 1
    flow = min_cost_flow.SimpleMinCostFlow()
    starts = np.concatenate(
        [np.full(n_mentees, source), rows, n_mentees + np.arange(n_mentors), [source]]
    )
    ends = np.concatenate(
        [np.arange(n_mentees), n_mentees + cols, np.full(n_mentors, sink), [sink]]
    )
    caps = np.concatenate([np.ones(n_mentees), np.ones(len(rows)), capacity, [n_mentees]]).astype(
        np.int64
    )
    costs = np.concatenate(
        [
            np.zeros(n_mentees),
            -np.round(scores.astype(np.float64) * SCORE_SCALE),
            np.zeros(n_mentors + 1),
        ]
    ).astype(np.int64)
    flow.add_arcs_with_capacity_and_unit_cost(
        starts.astype(np.int32), ends.astype(np.int32), caps, costs
    )
    supplies = np.zeros(sink + 1, dtype=np.int64)
    supplies[source], supplies[sink] = n_mentees, -n_mentees
    flow.set_nodes_supplies(np.arange(sink + 1, dtype=np.int32), supplies)
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"matching solver stopped with status {status}")
    flows = flow.flows(np.arange(len(starts)))
    used: NDArray[np.bool_] = flows[n_mentees : n_mentees + len(rows)] > 0
    if not priced:
        return used, np.zeros(sink + 1, dtype=np.int64)
    return used, _potentials(starts, ends, caps, costs, flows, sink + 1)


def _potentials(
    starts: NDArray[Any],
    ends: NDArray[Any],
    caps: NDArray[np.int64],
    costs: NDArray[np.int64],
    flows: NDArray[np.int64],
    nodes: int,
) -> NDArray[np.int64]:
    """Node potentials proving the flow optimal: shortest distances in the residual network
    (Bellman-Ford, vectorised; the optimum has no negative cycle, so it settles)."""
    forward, backward = flows < caps, flows > 0
    tail = np.concatenate([starts[forward], ends[backward]]).astype(np.intp)
    head = np.concatenate([ends[forward], starts[backward]]).astype(np.intp)
    cost = np.concatenate([costs[forward], -costs[backward]])
    distance = np.zeros(nodes, dtype=np.int64)
    for _ in range(nodes):
        relaxed = distance.copy()
        np.minimum.at(relaxed, head, distance[tail] + cost)
        if np.array_equal(relaxed, distance):
            return distance
        distance = relaxed
    raise RuntimeError("the residual network has a negative cycle: the flow is not optimal")


def _mentor_prices(potential: NDArray[np.int64], n_mentees: int, n_mentors: int) -> NDArray[Any]:
    """Each mentor's dual price from the flow's node potentials: what one more of their
    slots would be worth (0 for a mentor with slots to spare)."""
    sink = potential[n_mentees + n_mentors + 1]
    mentor = potential[n_mentees : n_mentees + n_mentors]
    price: NDArray[np.float64] = np.maximum(sink - mentor, 0).astype(np.float64) / SCORE_SCALE
    return price


def _dual_bound(
    capacity: NDArray[Any], price: NDArray[Any], best_margins: Iterator[NDArray[Any]]
) -> float:
    """An upper bound on every pairing's total: sum of capacity x price over mentors, plus
    each mentee's best margin over all their allowed mentors, max(0, score - price).

    Any prices give a valid bound (a feasible point of the assignment LP's dual: mentee
    values u, mentor prices v >= 0, u + v >= score on every allowed pair), and the LP has
    integral optima, so prices from an optimal flow make it tight. `best_margins` yields
    the mentees' best margins block by block, so no pass holds every pair.
    """
    return float(capacity.astype(np.float64) @ price) + sum(
        float(np.maximum(m, 0).sum()) for m in best_margins
    )


def _margins(block: NDArray[Any], price: NDArray[Any]) -> NDArray[np.float64]:
    """Each mentee's best margin, max over mentors of score - price, and never below 0."""
    best: NDArray[np.float64] = (block.astype(np.float64) - price[None, :]).max(axis=1, initial=0.0)
    return best


def _streamed_bound(
    pool: Pool,
    mentees: NDArray[np.intp],
    mentors: NDArray[np.intp],
    price: NDArray[Any],
    features: Features,
) -> float:
    margins = (
        _margins(score_block(pool, chunk, mentors, features), price)
        for _, chunk in _chunks(mentees)
    )
    return _dual_bound(pool.capacity[mentors], price, margins)


def _solve_certified(
    pool: Pool, mentees: NDArray[np.intp], mentors: NDArray[np.intp], top_k: int
) -> tuple[Edges, float]:
    """Exact optimum without giving the solver every pair.

    All scores are computed once; the solver starts from each side's best `top_k` partners.
    Node potentials of the optimal flow then price every pair left out: any that could raise
    the total joins the candidates and the flow is solved again, until none can. The result
    is optimal for the whole pool (to the solver's 1/1000 score precision).
    """
    scores = np.empty((len(mentees), len(mentors)), dtype=F32)
    features = Features.of(pool)
    for start, chunk in _chunks(mentees):
        scores[start : start + len(chunk)] = score_block(pool, chunk, mentors, features)
    k = min(top_k, len(mentors))
    by_mentee = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    kk = min(top_k, len(mentees))
    by_mentor = np.argpartition(-scores, kk - 1, axis=0)[:kk, :]
    key = np.concatenate(
        [
            np.repeat(np.arange(len(mentees)), k) * len(mentors) + by_mentee.ravel(),
            by_mentor.ravel() * len(mentors) + np.tile(np.arange(len(mentors)), kk),
        ]
    )
    candidate = np.zeros(scores.shape, dtype=bool)
    candidate.ravel()[key] = True
    candidate &= scores > 0
    capacity = pool.capacity[mentors].astype(np.int64)
    while True:
        rows, cols = np.nonzero(candidate)
        edges = (rows.astype(np.intp), cols.astype(np.intp), scores[rows, cols])
        used, potential = _solve_flow(edges, len(mentees), capacity)
        mentee_p = potential[: len(mentees)]
        mentor_p = potential[len(mentees) : len(mentees) + len(mentors)]
        improvable = False
        for start in range(0, len(mentees), ROW_CHUNK):
            stop = start + ROW_CHUNK
            block = scores[start:stop]
            # Reduced cost of mentee -> mentor: -score + p(mentee) - p(mentor), in the
            # solver's integer units; below zero, the pair could raise the total.
            integer = np.round(block.astype(np.float64) * SCORE_SCALE).astype(np.int64)
            better = (block > 0) & ~candidate[start:stop]
            better &= integer > mentee_p[start:stop, None] - mentor_p[None, :]
            if better.any():
                candidate[start:stop] |= better
                improvable = True
        if not improvable:
            price = _mentor_prices(potential, len(mentees), len(mentors))
            margins = (
                _margins(scores[start : start + ROW_CHUNK], price)
                for start in range(0, len(mentees), ROW_CHUNK)
            )
            bound = _dual_bound(capacity, price, margins)
            return (edges[0][used], edges[1][used], edges[2][used]), bound


def _solve(
    pool: Pool,
    can_mentor: NDArray[np.bool_],
    can_mentee: NDArray[np.bool_],
    top_k: int,
    exact: bool | None,
    *,
    bounded: bool = True,
) -> Assignment:
    """The best pairs for these sides; with `bounded`, the bound that proves how close."""
    mentors = np.flatnonzero(can_mentor & (pool.capacity > 0)).astype(np.intp)
    mentees = np.flatnonzero(can_mentee).astype(np.intp)
    if len(mentors) == 0 or len(mentees) == 0:
        return Assignment([], "exact")
    use_exact = exact if exact is not None else len(mentees) * len(mentors) <= W.DENSE_LIMIT
    chosen: Edges
    bound = 0.0
    if use_exact:
        chosen, bound = _solve_certified(pool, mentees, mentors, top_k)
    else:
        edges = _top_edges(pool, mentees, mentors, top_k)
        capacity = pool.capacity[mentors].astype(np.int64)
        used, potential = _solve_flow(edges, len(mentees), capacity)
        chosen = (edges[0][used], edges[1][used], edges[2][used])
        if bounded:
            price = _mentor_prices(potential, len(mentees), len(mentors))
            bound = _streamed_bound(pool, mentees, mentors, price, Features.of(pool))
    rows, cols, scores = chosen
    pairs = [
        (int(mentors[c]), int(mentees[r]), float(s))
        for r, c, s in zip(rows, cols, scores, strict=True)
    ]
    return Assignment(pairs, "exact" if use_exact else "pruned", bound)


def assign(pool: Pool, *, top_k: int | None = None, exact: bool | None = None) -> Assignment:
    """Maximum total score under the hard rules and capacities, with a bound on the best
    possible total (`Assignment.bound`, `.gap`).

    Exact, with a proof of optimality (see _solve_certified), while mentees x mentors fits
    DENSE_LIMIT; beyond it, pruned to each mentee's and each mentor's best `top_k` partners.

    People who may take either side take one: the side _role_bound, which also gives the
    bound, found best for each. The solve is optimal for the sides it is given.
    """
    top_k = top_k or W.TOP_K
    both = pool.can_mentor & pool.can_mentee
    if not both.any():
        return _solve(pool, pool.can_mentor, pool.can_mentee, top_k, exact)
    bound, mentors_hint = _role_bound(pool, top_k)
    sides = _solve(
        pool,
        pool.can_mentor & (~both | mentors_hint),
        pool.can_mentee & ~mentors_hint,
        top_k,
        exact,
        bounded=False,
    )
    return replace(sides, bound=bound)


ROLE_ROUNDS = 8  # subgradient steps on the one-side-each prices


def _role_bound(pool: Pool, top_k: int) -> tuple[float, NDArray[np.bool_]]:
    """A bound for pools where some people may take either side, and which side each
    should take.

    Offered on both sides at once, they relax the problem into one the flow solves
    exactly, but loosely (someone mentoring and being mentored). Each of them also keeps
    "mentee + load / capacity <= 1", priced in (Lagrangian relaxation): any prices >= 0
    give a bound, sum of prices + the priced problem's dual bound, and a few subgradient
    steps on the candidate pairs find good ones. The side each took in the last priced
    solve is the hint returned.
    """
    both = pool.can_mentor & pool.can_mentee
    mentors = np.flatnonzero(pool.can_mentor & (pool.capacity > 0)).astype(np.intp)
    mentees = np.flatnonzero(pool.can_mentee).astype(np.intp)
    hint = np.zeros(pool.size, dtype=bool)
    if len(mentors) == 0 or len(mentees) == 0:
        return 0.0, hint
    # The steps only choose prices, and each side's best partners are enough for that: the
    # bound itself is then taken over every pair.
    rows, cols, scores = _top_edges(pool, mentees, mentors, top_k)
    slots = pool.capacity.astype(np.float64).clip(min=1)
    capacity = pool.capacity[mentors].astype(np.int64)
    price = np.zeros(pool.size)  # per person; stays 0 for those with one side
    step = float(np.mean(scores)) if len(scores) else 0.0
    mentor_price = np.zeros(len(mentors))
    for round_ in range(ROLE_ROUNDS):
        charged = scores - price[mentees[rows]] - price[mentors[cols]] / slots[mentors[cols]]
        last = round_ == ROLE_ROUNDS - 1
        used, potential = _solve_flow((rows, cols, charged), len(mentees), capacity, priced=last)
        as_mentee = np.zeros(pool.size)
        as_mentee[mentees[rows[used]]] = 1.0
        load = np.bincount(mentors[cols[used]], minlength=pool.size) / slots
        hint = both & (load > as_mentee)
        stepped = np.maximum(price[both] + step * (as_mentee[both] + load[both] - 1.0), 0)
        if last:
            mentor_price = _mentor_prices(potential, len(mentees), len(mentors))
        else:
            price[both] = stepped
            step *= 0.6
    features = Features.of(pool)
    margins = (
        _margins(
            score_block(pool, chunk, mentors, features)
            - price[chunk][:, None]
            - (price[mentors] / slots[mentors])[None, :],
            mentor_price,
        )
        for _, chunk in _chunks(mentees)
    )
    return float(price.sum()) + _dual_bound(pool.capacity[mentors], mentor_price, margins), hint
