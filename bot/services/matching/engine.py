"""The matching engine: vectorised scores under hard rules, then an optimal assignment.

Works on a `Pool` of numpy arrays (one row per person), so it is the same code for the app,
the benchmarks and the property tests. Rows are people; a person may be able to mentor, to be
mentored, or both.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray
from ortools.graph.python import min_cost_flow

from bot.services.matching import auction, kernels
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
    method: str  # "exact" (priced until nothing can be added) or "pruned" (two passes)
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


def _join(rows: list[NDArray[Any]], cols: list[NDArray[Any]], scores: list[NDArray[Any]]) -> Edges:
    if not rows:
        return np.empty(0, np.intp), np.empty(0, np.intp), np.empty(0, F32)
    return (
        np.concatenate(rows).astype(np.intp),
        np.concatenate(cols).astype(np.intp),
        np.concatenate(scores).astype(F32),
    )


SCORE_SCALE = 1000  # min-cost flow works in integers: scores kept to 1/1000
# Without every score in memory, to 1/100: a solve is faster, and the bound stays a bound
# (it is taken over the true scores); it only loosens by about 1/200 per pair.
STREAMED_SCALE = 100


@dataclass(frozen=True)
class _Flow:
    used: NDArray[np.bool_]  # per edge: in the matching
    # Node potentials proving it optimal (mentees, mentors, source, sink; see _reduced);
    # zeros when not asked for.
    potential: NDArray[np.int64]
    slot_prices: NDArray[np.float64] | None = None  # the auction's: the next one's start


def _solve_flow(
    edges: Edges,
    n_mentees: int,
    capacity: NDArray[np.int64],
    *,
    priced: bool = True,
    scale: int = SCORE_SCALE,
    streamed: bool = False,
    start: NDArray[np.float64] | None = None,
) -> _Flow:
    """Which edges an optimal matching uses: each mentee once, each mentor up to capacity.

    In memory, a min-cost flow (OR-Tools): source -> mentee -> mentor -> sink, plus a
    source -> sink bypass so that leaving someone unmatched is always possible. Streamed,
    an auction (auction.py), within 1/scale per pair of the best and started from the
    slot prices `start` of an earlier solve, if any.
    """
    if streamed:
        return _auction_flow(edges, n_mentees, capacity, priced=priced, scale=scale, start=start)
    used, potential = _min_cost_flow(edges, n_mentees, capacity, priced=priced, scale=scale)
    return _Flow(used, potential)


def _auction_flow(
    edges: Edges,
    n_mentees: int,
    capacity: NDArray[np.int64],
    *,
    priced: bool,
    scale: int,
    start: NDArray[np.float64] | None,
) -> _Flow:
    rows, cols, scores = edges
    solved = auction.solve(
        rows,
        cols,
        np.round(scores.astype(np.float64) * scale).astype(np.int64),  # as _network rounds
        capacity,
        n_mentees,
        start=None if start is None else np.rint(start * scale).astype(np.int64),
    )
    slot_prices = solved.slot_prices / scale
    if not priced:
        nodes = n_mentees + len(capacity) + 2
        return _Flow(solved.used, np.zeros(nodes, dtype=np.int64), slot_prices)
    network = _network(edges, n_mentees, capacity, scale)
    matched = np.bincount(rows[solved.used], minlength=n_mentees)
    load = np.bincount(cols[solved.used], minlength=len(capacity))
    flows = np.concatenate([matched, solved.used, load, [n_mentees - matched.sum()]])
    # The auction's own prices would do for the bound, but the potentials of the exact
    # solve (shortest distances) price the pairs left out better: at 100,000 people the
    # gap is 0.51% with these, 1.5% with the auction's. Its flow is optimal within eps = 1
    # per pair: with each pair left out charged 1 more, the residual network has no
    # negative cycle.
    costs = network.costs.copy()
    costs[n_mentees : n_mentees + len(rows)] += ~solved.used
    potential = _potentials(network._replace(costs=costs), flows.astype(np.int64))
    return _Flow(solved.used, potential, slot_prices)


class _Network(NamedTuple):
    """source -> mentee -> mentor -> sink, plus a source -> sink bypass so that leaving
    someone unmatched is always possible; arcs in that order, costs in integer units."""

    starts: NDArray[np.int64]
    ends: NDArray[np.int64]
    caps: NDArray[np.int64]
    costs: NDArray[np.int64]
    nodes: int


def _network(edges: Edges, n_mentees: int, capacity: NDArray[np.int64], scale: int) -> _Network:
    rows, cols, scores = edges
    n_mentors = len(capacity)
    source, sink = n_mentees + n_mentors, n_mentees + n_mentors + 1
    starts = np.concatenate(
        [np.full(n_mentees, source), rows, n_mentees + np.arange(n_mentors), [source]]
    )
    ends = np.concatenate(
        [np.arange(n_mentees), n_mentees + cols, np.full(n_mentors, sink), [sink]]
    )
    caps = np.concatenate([np.ones(n_mentees), np.ones(len(rows)), capacity, [n_mentees]])
    costs = np.concatenate(
        [
            np.zeros(n_mentees),
            -np.round(scores.astype(np.float64) * scale),
            np.zeros(n_mentors + 1),
        ]
    )
    return _Network(
        starts.astype(np.int64),
        ends.astype(np.int64),
        caps.astype(np.int64),
        costs.astype(np.int64),
        sink + 1,
    )


def _min_cost_flow(
    edges: Edges,
    n_mentees: int,
    capacity: NDArray[np.int64],
    *,
    priced: bool,
    scale: int,
) -> tuple[NDArray[np.bool_], NDArray[np.int64]]:
    network = _network(edges, n_mentees, capacity, scale)
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        network.starts.astype(np.int32), network.ends.astype(np.int32), network.caps, network.costs
    )
    supplies = np.zeros(network.nodes, dtype=np.int64)
    supplies[-2], supplies[-1] = n_mentees, -n_mentees  # the source's and the sink's
    flow.set_nodes_supplies(np.arange(network.nodes, dtype=np.int32), supplies)
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"matching solver stopped with status {status}")
    flows = flow.flows(np.arange(len(network.starts)))
    used: NDArray[np.bool_] = flows[n_mentees : n_mentees + len(edges[0])] > 0
    if not priced:
        return used, np.zeros(network.nodes, dtype=np.int64)
    return used, _potentials(network, flows)


def _potentials(network: _Network, flows: NDArray[np.int64]) -> NDArray[np.int64]:
    """Node potentials proving the flow optimal: shortest distances in the residual network
    (the optimum has no negative cycle, so they settle)."""
    starts, ends, caps, costs, nodes = network
    forward, backward = flows < caps, flows > 0
    tail = np.concatenate([starts[forward], ends[backward]]).astype(np.intp)
    head = np.concatenate([ends[forward], starts[backward]]).astype(np.intp)
    cost = np.concatenate([costs[forward], -costs[backward]]).astype(np.int64)
    distance = kernels.shortest_distances(tail, head, cost, nodes)
    if distance is None:
        raise RuntimeError("the residual network has a negative cycle: the flow is not optimal")
    return distance


def _mentor_prices(
    potential: NDArray[np.int64], n_mentees: int, n_mentors: int, scale: int
) -> NDArray[Any]:
    """Each mentor's dual price from the flow's node potentials: what one more of their
    slots would be worth (0 for a mentor with slots to spare)."""
    sink = potential[n_mentees + n_mentors + 1]
    mentor = potential[n_mentees : n_mentees + n_mentors]
    price: NDArray[np.float64] = np.maximum(sink - mentor, 0).astype(np.float64) / scale
    return price


def _dual_bound(capacity: NDArray[np.int64], price: NDArray[Any], margins: float) -> float:
    """An upper bound on every pairing's total: sum of capacity x price over mentors, plus
    each mentee's best margin over all their allowed mentors, max(0, score - price).

    Any prices give a valid bound (a feasible point of the assignment LP's dual: mentee
    values u, mentor prices v >= 0, u + v >= score on every allowed pair), and the LP has
    integral optima, so prices from an optimal flow over every pair make it tight.
    """
    return float(capacity @ price) + margins


ROUNDING = 1e-5  # per mentee: more than single precision can lose on a margin


def _margins(block: NDArray[Any], price: NDArray[Any]) -> NDArray[np.float64]:
    """Each mentee's best margin, max over mentors of score - price, and never below 0
    (in single precision, as the scores are, rounded up)."""
    best = (block - price.astype(block.dtype)[None, :]).max(axis=1, initial=0.0)
    rounded: NDArray[np.float64] = best.astype(np.float64) + ROUNDING * (best > 0)
    return rounded


PRICING_PASSES = 8  # rounds of adding left-out pairs that could raise the total
STREAMED_PASSES = 2  # without every score in memory, each pass scores every pair again
SETTLED = 2e-4  # a bound this close to the total ends the pricing early
SHUT = 1e9  # a charge that takes a person out of a solve


@dataclass
class _Scores:
    """Every mentee x mentor score of one solve, read block by block: from memory when they
    fit (DENSE_LIMIT), else scored afresh. Charges per mentee and per mentor are taken off
    every allowed pair, and a pair worth nothing after them is left out."""

    pool: Pool
    mentees: NDArray[np.intp]
    mentors: NDArray[np.intp]
    features: Features
    dense: NDArray[np.float32] | None
    packed: kernels.Packed | None = None  # without the matrix: the compiled passes' input
    scale: int = SCORE_SCALE
    mentee_charge: NDArray[np.float64] | None = None
    mentor_charge: NDArray[np.float64] | None = None

    @classmethod
    def of(
        cls, pool: Pool, mentees: NDArray[np.intp], mentors: NDArray[np.intp], *, dense: bool
    ) -> _Scores:
        features = Features.of(pool)
        if dense:
            matrix = np.empty((len(mentees), len(mentors)), dtype=F32)
            for start, chunk in _chunks(mentees):
                matrix[start : start + len(chunk)] = score_block(pool, chunk, mentors, features)
            return cls(pool, mentees, mentors, features, matrix)
        # Mentees side by side with those of their time zone, career stage and wanted
        # topics; mentors by career stage, so that each mentee reads only the mentors
        # earlier in their career, and then by time zone.
        wanted = (features.wants[mentees] > 0) @ (1 << np.arange(features.wants.shape[1]))
        zone, stage = features.tz_quarter[mentees], pool.stage[mentees]
        mentees = mentees[np.lexsort((wanted, stage, zone))]
        mentors = mentors[np.lexsort((features.tz_quarter[mentors], pool.stage[mentors]))]
        packed = kernels.pack(
            pool, features, mentees, mentors, complement=COMPLEMENT, max_shift=MAX_SHIFT
        )
        return cls(pool, mentees, mentors, features, None, packed, STREAMED_SCALE)

    def charged(self, mentee: NDArray[np.float64], mentor: NDArray[np.float64]) -> _Scores:
        return replace(self, mentee_charge=mentee, mentor_charge=mentor)

    def blocks(self) -> Iterator[tuple[int, NDArray[np.float32]]]:
        """(first mentee position, scores against every mentor) block by block, from the
        matrix in memory (without it, the compiled passes read the pairs)."""
        assert self.dense is not None
        for start, chunk in _chunks(self.mentees):
            raw = self.dense[start : start + len(chunk)]
            if self.mentee_charge is None or self.mentor_charge is None:
                yield start, raw
                continue
            # In single precision, as the scores are: a block is the largest thing held.
            left = raw - self.mentee_charge[start : start + len(chunk), None].astype(F32)
            left -= self.mentor_charge.astype(F32)[None, :]
            np.maximum(left, 0, out=left)
            left[raw <= 0] = 0
            yield start, left

    def candidates(self, top_k: int) -> Edges:
        """Each mentee's best `top_k` mentors and each mentor's best `top_k` mentees."""
        if self.packed is not None:
            return _unique(kernels.best_pairs(self.packed, top_k), len(self.mentors))
        assert self.dense is not None
        rows, cols = _dense_top(self.dense, top_k)
        return rows, cols, self.dense[rows, cols]

    def left(self, edges: Edges) -> NDArray[Any]:
        """Each pair's value after the charges (below 0: not worth them)."""
        rows, cols, raw = edges
        if self.mentee_charge is None or self.mentor_charge is None:
            return raw
        left: NDArray[Any] = raw - self.mentee_charge[rows] - self.mentor_charge[cols]
        return left

    def priced(self, edges: Edges) -> Edges:
        """The candidates' values after the charges; those worth nothing left out."""
        if self.mentee_charge is None or self.mentor_charge is None:
            return edges
        rows, cols, raw = edges
        left = self.left(edges)
        keep = (raw > 0) & (left > 0)
        return rows[keep], cols[keep], left[keep].astype(F32)


def _dense_top(
    scores: NDArray[np.float32], top_k: int
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Each mentee's best `top_k` mentors and each mentor's best `top_k` mentees, as
    (mentee, mentor) positions of allowed pairs."""
    n_mentees, n_mentors = scores.shape
    k, kk = min(top_k, n_mentors), min(top_k, n_mentees)
    # The largest k at the end of each row: no negated copy of the matrix.
    by_mentee = np.argpartition(scores, n_mentors - k, axis=1)[:, n_mentors - k :]
    by_mentor = np.argpartition(np.ascontiguousarray(scores.T), n_mentees - kk, axis=1)
    by_mentor = by_mentor[:, n_mentees - kk :]
    key = np.unique(
        np.concatenate(
            [
                np.repeat(np.arange(n_mentees), k) * n_mentors + by_mentee.ravel(),
                by_mentor.ravel() * n_mentors + np.repeat(np.arange(n_mentors), kk),
            ]
        )
    )
    rows, cols = key // n_mentors, key % n_mentors
    keep = scores[rows, cols] > 0
    return rows[keep].astype(np.intp), cols[keep].astype(np.intp)


@dataclass(frozen=True)
class _Priced:
    edges: Edges  # the candidates the last solve was given
    used: NDArray[np.bool_]  # which of them it chose
    bound: float  # no pairing of these scores totals more
    # The bound's parts (see _dual_bound): each mentee's margin and each mentor's price.
    margins: NDArray[np.float64] | None = None
    prices: NDArray[np.float64] | None = None
    potential: NDArray[np.int64] | None = None  # the last solve's node potentials
    slot_prices: NDArray[np.float64] | None = None  # and the auction's, where one solved


def _price_out(
    scores: _Scores,
    edges: Edges,
    capacity: NDArray[np.int64],
    passes: int,
    *,
    bounded: bool = True,
    rest: Edges | None = None,
    start: NDArray[np.float64] | None = None,
) -> _Priced:
    """Solve on the candidates, then price every pair left out with the flow's node
    potentials: a pair that could raise the total joins the candidates and the flow is
    solved again, until none can, the bound has settled, or the passes run out. Each pass
    also gives a bound over every pair (see _dual_bound), so the result is proven optimal
    when nothing is left to add, and its gap is known when something is. Without
    `bounded`, the last solve is not followed by a pass over every pair (bound 0). An
    auction (streamed) starts from the slot prices `start`, then from its last solve's."""
    n_mentees, n_mentors = len(scores.mentees), len(scores.mentors)
    for pass_ in range(passes):
        rows, cols, values = edges
        last = pass_ == passes - 1
        flow = _solve_flow(
            edges,
            n_mentees,
            capacity,
            priced=bounded or not last,
            scale=scores.scale,
            streamed=scores.dense is None,
            start=start,
        )
        used, potential, start = flow.used, flow.potential, flow.slot_prices
        if last and not bounded:
            return _Priced(edges, used, 0.0, slot_prices=start)
        price = _mentor_prices(potential, n_mentees, n_mentors, scores.scale)
        margins, found = _scan(scores, potential, price, find=not last)
        bound = _dual_bound(capacity, price, float(margins.sum()))
        total = float(values[used].astype(np.float64).sum())
        new = _new_edges(edges, found, n_mentors)
        if last or len(new[0]) == 0 or bound - total <= SETTLED * bound:
            return _Priced(edges, used, bound, margins, price, potential, start)
        if rest is not None:  # a pair found may be among the rest: each once
            new = _unique(_new_edges(edges, [rest, new], n_mentors), n_mentors)
            rest = None
        edges = _join([rows, new[0]], [cols, new[1]], [values, new[2]])
    raise AssertionError("unreachable: the last pass returns")


ADDED_PER_MENTEE = 20  # per pass: the pairs that could raise the total most


def _scan(
    scores: _Scores, potential: NDArray[np.int64], price: NDArray[Any], *, find: bool
) -> tuple[NDArray[np.float64], list[Edges]]:
    """One pass over every pair: the mentees' best margins at the flow's prices, and (with
    `find`) the left-out pairs that could raise the total."""
    n_mentees, n_mentors = len(scores.mentees), len(scores.mentors)
    if scores.packed is not None:
        none = np.zeros(n_mentees), np.zeros(n_mentors)
        best, new = kernels.scan(
            scores.packed,
            none[0] if scores.mentee_charge is None else scores.mentee_charge,
            none[1] if scores.mentor_charge is None else scores.mentor_charge,
            price,
            potential,
            scores.scale,
            ADDED_PER_MENTEE if find else 0,
        )
        rounded: NDArray[np.float64] = best.astype(np.float64) + ROUNDING * (best > 0)
        return rounded, [new]
    # In the solver's integer units, which fit 32 bits: scores are below 10^6 / scale.
    mentee_p = potential[:n_mentees].astype(np.int32)
    mentor_p = potential[n_mentees : n_mentees + n_mentors].astype(np.int32)
    margins, found = np.zeros(n_mentees), []
    for start, block in scores.blocks():
        margins[start : start + len(block)] = _margins(block, price)
        if not find:
            continue
        # Reduced cost of mentee -> mentor, -score + p(mentee) - p(mentor), in the solver's
        # integer units: below zero, the pair could raise the total.
        gain = np.rint(block * block.dtype.type(scores.scale)).astype(np.int32)
        gain -= mentee_p[start : start + len(block), None] - mentor_p[None, :]
        r, c = np.nonzero((gain > 0) & (block > 0))
        if len(r) > ADDED_PER_MENTEE * len(block):
            r, c = _best_per_row(r, c, gain[r, c] + _tie_breaks(r + start, c))
        found.append((r + start, c, block[r, c]))
    return margins, found


def _rank_within(keys: NDArray[Any], values: NDArray[Any]) -> NDArray[np.intp]:
    """Each entry's rank among those with the same key, by value, largest first (0)."""
    order = np.lexsort((-values, keys))
    ordered = keys[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    rank = np.empty(len(keys), dtype=np.intp)
    rank[order] = np.arange(len(keys)) - np.repeat(starts, np.diff(np.r_[starts, len(keys)]))
    return rank


def _best_per_row(
    rows: NDArray[np.intp], cols: NDArray[np.intp], gain: NDArray[np.float64]
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Of each row's entries, the ADDED_PER_MENTEE with the largest gain."""
    keep = _rank_within(rows, gain) < ADDED_PER_MENTEE
    return rows[keep], cols[keep]


def _tie_breaks(rows: NDArray[np.intp], cols: NDArray[np.intp]) -> NDArray[np.float64]:
    """A fraction below 1/2 per (mentee, mentor), so that equal gains, in whole units, are
    told apart differently from mentee to mentee: else every mentee adds the same mentors."""
    spread: NDArray[np.float64] = ((rows.astype(np.int64) * 7919 + cols * 104729) % 1021) / 2048
    return spread


def _new_edges(edges: Edges, found: list[Edges], n_mentors: int) -> Edges:
    """The pairs found that are not candidates yet (a used pair may price below zero too)."""
    rows, cols, values = _join([f[0] for f in found], [f[1] for f in found], [f[2] for f in found])
    known = np.sort(edges[0].astype(np.int64) * n_mentors + edges[1])
    keys = rows.astype(np.int64) * n_mentors + cols
    at = np.searchsorted(known, keys).clip(max=max(len(known) - 1, 0))
    fresh = known[at] != keys if len(known) else np.ones(len(keys), dtype=bool)
    return rows[fresh], cols[fresh], values[fresh]


def _pairs(scores: _Scores, priced: _Priced) -> list[tuple[int, int, float]]:
    rows, cols, values = priced.edges
    used = priced.used
    return [
        (int(scores.mentors[c]), int(scores.mentees[r]), float(v))
        for r, c, v in zip(rows[used], cols[used], values[used], strict=True)
    ]


def assign(pool: Pool, *, top_k: int | None = None, exact: bool | None = None) -> Assignment:
    """Maximum total score under the hard rules and capacities, with a bound on the best
    possible total (`Assignment.bound`, `.gap`).

    The solve starts from each side's best `top_k` partners and prices every pair left
    out (see _price_out). While mentees x mentors fits DENSE_LIMIT ("exact"), every score
    stays in memory and pairs that could raise the total are added until none can; beyond
    it ("pruned"), pairs are scored afresh on each pass over them by the compiled passes
    (kernels.py), and there are two (three past W.PRICE_FIRST_ABOVE, see _role_prices);
    each flow is then an auction (auction.py) started from the last one's prices.

    People who may take either side take one: the side the role prices (_role_prices)
    found best for each; the bound then holds for every choice of sides.
    """
    top_k = top_k or W.TOP_K
    mentors = np.flatnonzero(pool.can_mentor & (pool.capacity > 0)).astype(np.intp)
    mentees = np.flatnonzero(pool.can_mentee).astype(np.intp)
    if len(mentors) == 0 or len(mentees) == 0:
        return Assignment([], "exact")
    dense = exact if exact is not None else len(mentees) * len(mentors) <= W.DENSE_LIMIT
    method, passes = ("exact", PRICING_PASSES) if dense else ("pruned", STREAMED_PASSES)
    scores = _Scores.of(pool, mentees, mentors, dense=dense)
    mentees, mentors = scores.mentees, scores.mentors  # in the order they are read
    candidates = scores.candidates(top_k)
    capacity = pool.capacity[mentors].astype(np.int64)
    both = pool.can_mentor & pool.can_mentee
    if not both.any():
        priced = _price_out(scores, candidates, capacity, passes)
        return Assignment(_pairs(scores, priced), method, priced.bound)
    # Each person who may take either side is charged a price for every role they take,
    # as a mentee in full and as a mentor per slot: the priced problem bounds every choice
    # of sides, and its solution says which side each should take.
    price_first = not dense and len(mentees) * len(mentors) > W.PRICE_FIRST_ABOVE
    rounds = ROLE_ROUNDS if not dense else ROLE_ROUNDS_IN_MEMORY
    price, candidates, near, slot_prices = _role_prices(
        pool, scores, candidates, capacity, rounds, price_first
    )
    slots = pool.capacity.astype(np.float64).clip(min=1)
    role = _role_charged(scores, price, slots)
    if price_first:
        relaxed = _price_out(role, role.priced(candidates), capacity, passes, start=slot_prices)
    else:
        # Starting from the pairs the steps read, with the other candidates taken in after
        # the first pass, makes a smaller first solve and the same bound. Not on a large
        # pool: there the pairs that pass adds are needed in full.
        relaxed = _price_out(
            role,
            role.priced(near),
            capacity,
            passes,
            rest=role.priced(candidates),
            start=slot_prices,
        )
    rows, cols, _ = relaxed.edges
    as_mentee = np.zeros(pool.size)
    as_mentee[mentees[rows[relaxed.used]]] = 1.0
    load = np.bincount(mentors[cols[relaxed.used]], minlength=pool.size) / slots
    mentoring = both & (load > as_mentee)
    # The sides chosen, as charges: a person on the other side is shut out of this one.
    sides = scores.charged(
        np.where(mentoring[mentees], SHUT, 0.0),
        np.where(both[mentors] & ~mentoring[mentors], SHUT, 0.0),
    )
    # The sides' solve starts from the candidates and the pairs the role solve added.
    raw = _pair_scores(scores, rows, cols)
    start = _unique(
        _join([rows, candidates[0]], [cols, candidates[1]], [raw, candidates[2]]), len(mentors)
    )
    if relaxed.potential is not None and not dense:
        # Only pairs close to paying off in the role solve, and every pair of someone who
        # may take either side: the sides chosen move few others from what it found.
        reduced = _reduced(
            relaxed.potential, len(mentees), (start[0], start[1], role.left(start)), scores.scale
        )
        keep = (reduced <= SIDES_SLACK * scores.scale) | _touches(both, scores, start)
        start = start[0][keep], start[1][keep], start[2][keep]
    # Pricing the sides' solve only sharpens its own total: worth a pass over every pair
    # only when the scores are in memory.
    solved = _price_out(
        sides,
        sides.priced(start),
        capacity,
        passes if dense else 1,
        bounded=False,
        start=relaxed.slot_prices,
    )
    bound = float(price.sum()) + relaxed.bound - _transferable(scores, relaxed, capacity)
    return Assignment(_pairs(sides, solved), method, bound)


def _transferable(scores: _Scores, relaxed: _Priced, capacity: NDArray[np.int64]) -> float:
    """How much the role-priced bound falls for free: a person on both sides is paid twice
    in it, a margin as a mentee (u) and a price per slot as a mentor (v). Moving t = min(u,
    capacity x v) of it into their role price (u - t, v - t / capacity, price + t) leaves
    every pair's dual constraint as it was and lowers the bound by t."""
    if relaxed.margins is None or relaxed.prices is None:
        return 0.0
    mentor_at = np.full(int(max(scores.mentees.max(), scores.mentors.max())) + 1, -1)
    mentor_at[scores.mentors] = np.arange(len(scores.mentors))
    column = mentor_at[scores.mentees]
    on_both = column >= 0
    slots = capacity[column[on_both]] * relaxed.prices[column[on_both]]
    return float(np.minimum(relaxed.margins[on_both], slots).sum())


PAIRS_AT_ONCE = 65_536


def _pair_scores(scores: _Scores, rows: NDArray[np.intp], cols: NDArray[np.intp]) -> NDArray[Any]:
    """Uncharged scores of allowed pairs, given as (mentee position, mentor position)."""
    if scores.dense is not None:
        return scores.dense[rows, cols]
    f = scores.features
    paired = np.empty(len(rows), dtype=F32)
    for start in range(0, len(rows), PAIRS_AT_ONCE):  # each pair's features, a slice at a time
        at = slice(start, start + PAIRS_AT_ONCE)
        mentee = f.as_mentee[scores.mentees[rows[at]]]
        paired[at] = np.einsum("ij,ij->i", mentee, f.as_mentor[scores.mentors[cols[at]]])
    return paired


def _unique(edges: Edges, n_mentors: int) -> Edges:
    """Each (mentee, mentor) pair once, as first listed."""
    rows, cols, values = edges
    _, first = np.unique(rows.astype(np.int64) * n_mentors + cols, return_index=True)
    return rows[first], cols[first], values[first]


ROLE_ROUNDS = 6  # subgradient steps on the role prices
ROLE_ROUNDS_IN_MEMORY = 8  # two more where the pool is small enough to keep every score
ROLE_STEP, ROLE_DECAY = 0.6, 0.6  # the first step, as a share of the mean score; then each
ROLE_SLACK = 1.0  # score points: after the first step, only pairs this close to paying off
ROLE_SCALE = 10  # and scores to 1/10: the steps only need each person's side
SIDES_SLACK = 2.0  # score points: the sides' solve reads pairs this close to paying off


def _role_prices(
    pool: Pool,
    scores: _Scores,
    candidates: Edges,
    capacity: NDArray[np.int64],
    rounds: int,
    price_first: bool,
) -> tuple[NDArray[np.float64], Edges, Edges, NDArray[np.float64] | None]:
    """Prices for people who may take either side (Lagrangian relaxation).

    Offered on both sides at once, they relax the problem into one the flow solves
    exactly, but loosely (someone mentoring and being mentored). Each of them also keeps
    "mentee + load / capacity <= 1", priced in: any prices >= 0 give a bound (sum of
    prices + the priced problem's bound), and a few subgradient steps on the candidate
    pairs find good ones. The steps after the first read only the pairs near paying off
    at the first solve's prices, and every pair of a person who may take either side:
    the pairs whose worth the steps change.

    With `price_first`, the first solve's prices also bring in the pairs left out that
    could raise its total (one pass over every pair, as in _price_out): the candidates,
    each side's best by score, fall further from the optimum as the pool grows.
    Returns the prices, the candidates (with those pairs), the pairs the steps read and
    the last step's slot prices (where an auction solved; see _solve_flow).
    """
    both = pool.can_mentor & pool.can_mentee
    mentees, mentors = scores.mentees, scores.mentors
    streamed = scores.dense is None
    flow = _solve_flow(candidates, len(mentees), capacity, scale=scores.scale, streamed=streamed)
    used, potential, slot_prices = flow.used, flow.potential, flow.slot_prices
    if price_first:
        price = _mentor_prices(potential, len(mentees), len(mentors), scores.scale)
        _, found = _scan(scores, potential, price, find=True)
        new = _new_edges(candidates, found, len(mentors))
        candidates = _join(
            [candidates[0], new[0]], [candidates[1], new[1]], [candidates[2], new[2]]
        )
        used = np.concatenate([used, np.zeros(len(new[0]), dtype=bool)])
    rows, cols, values = candidates
    reduced = _reduced(potential, len(mentees), candidates, scores.scale)
    near = (reduced <= ROLE_SLACK * scores.scale) | _touches(both, scores, candidates)
    slots = pool.capacity.astype(np.float64).clip(min=1)
    price = np.zeros(pool.size)  # per person; stays 0 for those with one side
    step = ROLE_STEP * float(np.mean(values)) if len(values) else 0.0
    for round_ in range(rounds - 1):
        if round_ > 0:
            charged = _role_charged(scores, price, slots).left((rows, cols, values))
            step_flow = _solve_flow(
                (rows, cols, charged),
                len(mentees),
                capacity,
                priced=False,
                scale=ROLE_SCALE,
                streamed=streamed,
                start=slot_prices,
            )
            used, slot_prices = step_flow.used, step_flow.slot_prices
        as_mentee = np.zeros(pool.size)
        as_mentee[mentees[rows[used]]] = 1.0
        load = np.bincount(mentors[cols[used]], minlength=pool.size) / slots
        price[both] = np.maximum(price[both] + step * (as_mentee[both] + load[both] - 1.0), 0)
        step *= ROLE_DECAY
        if round_ == 0:
            rows, cols, values = rows[near], cols[near], values[near]
    return price, candidates, (rows, cols, values), slot_prices


def _role_charged(
    scores: _Scores, price: NDArray[np.float64], slots: NDArray[np.float64]
) -> _Scores:
    """The scores with each person's role price charged: in full as a mentee, per slot as a
    mentor."""
    return scores.charged(price[scores.mentees], price[scores.mentors] / slots[scores.mentors])


def _touches(both: NDArray[np.bool_], scores: _Scores, edges: Edges) -> NDArray[np.bool_]:
    """Pairs with someone who may take either side."""
    touches: NDArray[np.bool_] = both[scores.mentees[edges[0]]] | both[scores.mentors[edges[1]]]
    return touches


def _reduced(
    potential: NDArray[np.int64], n_mentees: int, edges: Edges, scale: int
) -> NDArray[Any]:
    """Each pair's reduced cost at the flow's node potentials, in its integer units: how far
    the pair is from paying off (below zero, it could raise the total)."""
    rows, cols, values = edges
    cost: NDArray[Any] = potential[rows] - potential[n_mentees + cols] - np.rint(values * scale)
    return cost


def warm_up() -> None:
    """Load the compiled passes of the streamed solve (compiled the first time, then read
    from numba's cache) on a pool of two. The app does it in the background when it starts,
    so that the first large solve does not wait for it."""
    pool = Pool(
        can_mentor=np.array([True, False]),
        can_mentee=np.array([False, True]),
        stage=np.array([0, 1], dtype=np.int8),
        tz_offset=np.zeros(2, dtype=F32),
        department=np.arange(2, dtype=np.int32),
        region=np.zeros(2, dtype=np.int32),
        personality=np.zeros(2, dtype=np.int8),
        cadence=np.zeros(2, dtype=np.int8),
        capacity=np.array([1, 0], dtype=np.int8),
        teach=np.array([[True], [False]]),
        need=np.array([[0.0], [1.0]], dtype=F32),
        topic_weight=np.ones(1, dtype=F32),
    )
    assign(pool, exact=False)
