"""Compiled passes over every mentee x mentor pair, for pools too large to score in memory.

Past a few thousand people each pass over every pair (the candidates, then each pricing and
bound pass) reads billions of pairs. Scored block by block with numpy, each pass builds
several full-size temporaries per block; here one loop scores a pair from each side's codes,
checks the hard rules and keeps what the pass needs, in parallel over mentees. Same scores
and rules as `engine.score_block` (tests/unit/test_matching_kernels.py holds them equal).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numba
import numpy as np
from numpy.typing import NDArray

from bot.services.matching import weights as W

if TYPE_CHECKING:
    from bot.services.matching.engine import Features, Pool

F32 = np.float32
QUARTERS_PER_DAY = 96
# Two solves (two programs' rounds, or a solve and the warm-up) take turns in a parallel
# pass: numba's fallback threading layer (workqueue) cannot run two at once.
_ONE_PASS_AT_A_TIME = threading.Lock()
# Columns of the per-person codes; TOPICS is a bit per topic: wanted (mentees), taught (mentors).
PERSON, STAGE, ZONE, DEPARTMENT, REGION, PERSONALITY, CADENCE, TOPICS = range(8)


@dataclass(frozen=True)
class Packed:
    """One solve's people as the kernels read them: codes per person, each mentee's
    topic terms as (index into the mentor's vector, weight), forbidden pairs per mentee."""

    mentee_codes: NDArray[np.integer[Any]]  # int32 while topics fit its bits (one cache line)
    mentor_codes: NDArray[np.integer[Any]]
    terms: NDArray[np.int32]  # (mentees, most terms): index into mentor_vector, -1 = none
    weights: NDArray[np.float32]
    mentor_vector: NDArray[np.float32]  # (mentors, 2 x topics): teaches, then needs
    mentor_end: NDArray[np.int64]  # per mentee: mentors [0, end) are earlier in career
    forbidden_at: NDArray[np.int64]  # CSR over mentees: forbidden mentor positions
    forbidden: NDArray[np.int32]
    complement: NDArray[np.float32]
    strict_department: bool
    max_shift: int


def pack(
    pool: Pool,
    f: Features,
    mentees: NDArray[np.intp],
    mentors: NDArray[np.intp],
    *,
    complement: NDArray[np.float32],
    max_shift: int,
) -> Packed:
    """`mentors` must be sorted by career stage (mentor_end relies on it)."""
    topics = pool.teach.shape[1]

    bits = np.int64(1) << np.arange(topics, dtype=np.int64)
    code_type = np.int32 if topics < 31 else np.int64

    def codes(people: NDArray[np.intp], topic_bits: NDArray[np.int64]) -> NDArray[Any]:
        return np.stack(
            [
                people,
                pool.stage[people],
                f.tz_quarter[people],
                pool.department[people],
                pool.region[people],
                pool.personality[people],
                pool.cadence[people],
                topic_bits,
            ],
            axis=1,
        ).astype(code_type)

    # A mentee's terms: wanted topics against what the mentor teaches, business topics the
    # mentee teaches against what the mentor wants to learn (the score's first two parts).
    mentee_weights = np.hstack(
        [
            W.TOPIC * pool.need[mentees] * pool.topic_weight,
            W.REVERSE * pool.teach[mentees] * pool.topic_weight,
        ]
    ).astype(F32)
    present = mentee_weights != 0
    width = max(1, int(present.sum(axis=1).max(initial=0)))
    order = np.argsort(~present, axis=1, kind="stable")[:, :width]
    terms = np.where(np.take_along_axis(present, order, axis=1), order, -1).astype(np.int32)
    weights = np.take_along_axis(mentee_weights, order, axis=1) * (terms >= 0)
    stages = pool.stage[mentors]
    forbidden_at, forbidden = _forbidden(pool, mentees, mentors)
    return Packed(
        mentee_codes=codes(mentees, (pool.need[mentees] > 0) @ bits),
        mentor_codes=codes(mentors, pool.teach[mentors] @ bits),
        terms=terms,
        weights=weights.astype(F32),
        mentor_vector=np.hstack([pool.teach[mentors], pool.need[mentors]]).astype(F32),
        mentor_end=np.searchsorted(stages, pool.stage[mentees], side="left").astype(np.int64),
        forbidden_at=forbidden_at,
        forbidden=forbidden,
        complement=(W.PERSONALITY * complement).astype(F32),
        strict_department=bool(pool.strict_department),
        max_shift=max_shift,
    )


def _forbidden(
    pool: Pool, mentees: NDArray[np.intp], mentors: NDArray[np.intp]
) -> tuple[NDArray[np.int64], NDArray[np.int32]]:
    mentee_at = np.full(pool.size, -1, dtype=np.int64)
    mentee_at[mentees] = np.arange(len(mentees))
    mentor_at = np.full(pool.size, -1, dtype=np.int64)
    mentor_at[mentors] = np.arange(len(mentors))
    pairs = np.array(sorted(pool.forbidden), dtype=np.int64).reshape(-1, 2)
    rows, cols = mentee_at[pairs[:, 1]], mentor_at[pairs[:, 0]]
    keep = (rows >= 0) & (cols >= 0)
    rows, cols = rows[keep], cols[keep]
    order = np.lexsort((cols, rows))
    starts = np.searchsorted(rows[order], np.arange(len(mentees) + 1))
    return starts.astype(np.int64), cols[order].astype(np.int32)


def _people(p: Packed) -> tuple[Any, ...]:
    """The arrays `_score` reads, as one argument."""
    return (
        p.mentee_codes,
        p.mentor_codes,
        p.terms,
        p.weights,
        p.mentor_vector,
        p.forbidden_at,
        p.forbidden,
        p.complement,
        p.strict_department,
        p.max_shift,
    )


@numba.njit(inline="always", cache=True)
def _allowed(
    i: int,
    j: int,
    e: Any,
    m: Any,
    forbidden_at: Any,
    forbidden: Any,
    strict: bool,
    max_shift: int,
) -> bool:
    """The hard rules between mentee i and mentor j, but career order: the callers read
    only the mentors earlier in the mentee's career (Packed.mentor_end)."""
    if e[i, TOPICS] & m[j, TOPICS] == 0 or e[i, PERSON] == m[j, PERSON]:
        return False
    a, b = e[i, ZONE], m[j, ZONE]
    if a >= 0 and b >= 0:
        shift = (a - b + QUARTERS_PER_DAY) % QUARTERS_PER_DAY
        if max_shift < shift < QUARTERS_PER_DAY - max_shift:
            return False
    if strict and e[i, DEPARTMENT] == m[j, DEPARTMENT]:
        return False
    for at in range(forbidden_at[i], forbidden_at[i + 1]):  # noqa: SIM110 (numba: no generators)
        if forbidden[at] == j:
            return False
    return True


@numba.njit(inline="always", cache=True)
def _score(
    i: int,
    j: int,
    e: Any,
    m: Any,
    terms: Any,
    weights: Any,
    mentor_vector: Any,
    forbidden_at: Any,
    forbidden: Any,
    complement: Any,
    strict: bool,
    max_shift: int,
) -> Any:
    """Mentee i with mentor j: their score, or 0 where a hard rule forbids the pair."""
    if not _allowed(i, j, e, m, forbidden_at, forbidden, strict, max_shift):
        return np.float32(0.0)
    score = np.float32(0.0)
    for t in range(terms.shape[1]):
        if terms[i, t] < 0:
            break
        score += weights[i, t] * mentor_vector[j, terms[i, t]]
    if e[i, DEPARTMENT] != m[j, DEPARTMENT]:
        score += np.float32(W.DEPARTMENT)
    if e[i, REGION] != m[j, REGION]:
        score += np.float32(W.REGION)
    score += complement[e[i, PERSONALITY], m[j, PERSONALITY]]
    if e[i, CADENCE] == m[j, CADENCE]:
        score += np.float32(W.CADENCE)
    return score


@numba.njit(inline="always", cache=True)
def _lowest(values: Any) -> int:
    low = 0
    for slot in range(1, values.shape[0]):
        if values[slot] < values[low]:
            low = slot
    return low


@numba.njit(parallel=True, cache=True)
def _best_pairs(people: Any, mentor_end: Any, top_k: int, threads: int) -> Any:
    e, m, terms, weights, vector, at, banned, comp, strict, shift = people
    n_mentees, n_mentors = e.shape[0], m.shape[0]
    row_value = np.zeros((n_mentees, top_k), dtype=np.float32)
    row_index = np.full((n_mentees, top_k), -1, dtype=np.int32)
    # Each thread keeps each mentor's best among its own share of mentees (and the lowest
    # of them, to compare against); merged below.
    col_value = np.zeros((threads, n_mentors, top_k), dtype=np.float32)
    col_index = np.full((threads, n_mentors, top_k), -1, dtype=np.int32)
    col_low = np.zeros((threads, n_mentors), dtype=np.float32)
    col_slot = np.zeros((threads, n_mentors), dtype=np.int64)
    share = (n_mentees + threads - 1) // threads
    for t in numba.prange(threads):
        for i in range(t * share, min(n_mentees, (t + 1) * share)):
            low, slot = np.float32(0.0), 0
            for j in range(mentor_end[i]):
                s = _score(i, j, e, m, terms, weights, vector, at, banned, comp, strict, shift)
                if s > low:
                    row_value[i, slot], row_index[i, slot] = s, j
                    slot = _lowest(row_value[i])
                    low = row_value[i, slot]
                if s > col_low[t, j]:
                    col_value[t, j, col_slot[t, j]] = s
                    col_index[t, j, col_slot[t, j]] = i
                    col_slot[t, j] = _lowest(col_value[t, j])
                    col_low[t, j] = col_value[t, j, col_slot[t, j]]
    best_value = np.zeros((n_mentors, top_k), dtype=np.float32)
    best_index = np.full((n_mentors, top_k), -1, dtype=np.int32)
    for j in numba.prange(n_mentors):
        worst = 0
        for t in range(threads):
            for slot in range(top_k):
                if col_value[t, j, slot] > best_value[j, worst]:
                    best_value[j, worst] = col_value[t, j, slot]
                    best_index[j, worst] = col_index[t, j, slot]
                    worst = _lowest(best_value[j])
    return row_value, row_index, best_value, best_index


def best_pairs(
    p: Packed, top_k: int
) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.float32]]:
    """Each mentee's best `top_k` mentors and each mentor's best `top_k` mentees, as
    (mentee position, mentor position, score); a pair may be listed twice."""
    threads = numba.get_num_threads()
    with _ONE_PASS_AT_A_TIME:
        row_value, row_index, col_value, col_index = _best_pairs(
            _people(p), p.mentor_end, top_k, threads
        )
    by_row, by_col = row_index >= 0, col_index >= 0
    rows = np.concatenate([np.nonzero(by_row)[0], col_index[by_col]]).astype(np.intp)
    cols = np.concatenate([row_index[by_row], np.nonzero(by_col)[0]]).astype(np.intp)
    values = np.concatenate([row_value[by_row], col_value[by_col]]).astype(F32)
    return rows, cols, values


@numba.njit(inline="always", cache=True)
def _tie_break(i: int, j: int) -> float:
    """As engine._tie_breaks: equal gains told apart differently from mentee to mentee."""
    return ((i * 7919 + j * 104729) % 1021) / 2048


@numba.njit(parallel=True, cache=True)
def _scan(
    people: Any,
    mentor_end: Any,
    charges: Any,
    price: Any,
    potentials: Any,
    scale: int,
    added: int,
) -> Any:
    mentee_charge, mentor_charge = charges
    mentee_potential, mentor_potential = potentials
    n_mentees = people[0].shape[0]
    width = max(added, 1)
    margin = np.zeros(n_mentees, dtype=np.float32)
    found_key = np.zeros((n_mentees, width), dtype=np.float64)
    found_index = np.full((n_mentees, width), -1, dtype=np.int32)
    found_value = np.zeros((n_mentees, width), dtype=np.float32)
    e, m, terms, weights, vector, at, banned, comp, strict, shift = people
    for i in numba.prange(n_mentees):
        best, slot = np.float32(0.0), 0
        for j in range(mentor_end[i]):
            left = _score(i, j, e, m, terms, weights, vector, at, banned, comp, strict, shift)
            if left <= 0:
                continue
            left = left - mentee_charge[i] - mentor_charge[j]
            if left <= 0:
                continue
            best = max(best, left - price[j])
            if added == 0:
                continue
            # Reduced cost in the solver's integer units: a pair with a gain could raise
            # the total; the largest `added` gains are kept.
            gain = np.int64(np.rint(left * np.float32(scale)))
            gain -= mentee_potential[i] - mentor_potential[j]
            key = gain + _tie_break(i, j)
            if gain > 0 and key > found_key[i, slot]:
                found_key[i, slot], found_index[i, slot], found_value[i, slot] = key, j, left
                slot = _lowest(found_key[i])
        margin[i] = best
    return margin, found_index, found_value


def scan(
    p: Packed,
    mentee_charge: NDArray[Any],
    mentor_charge: NDArray[Any],
    price: NDArray[Any],
    potential: NDArray[np.int64] | None,
    scale: int,
    added: int,
) -> tuple[NDArray[np.float32], tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.float32]]]:
    """One pass over every pair, charged: each mentee's best margin over the mentors'
    prices, and (with `added` > 0 and the flow's node potentials) up to `added` left-out
    pairs per mentee that could raise the total, most first."""
    n_mentees, n_mentors = len(p.mentee_codes), len(p.mentor_codes)
    if potential is None:
        potential = np.zeros(n_mentees + n_mentors, dtype=np.int64)
    with _ONE_PASS_AT_A_TIME:
        margin, index, value = _scan(
            _people(p),
            p.mentor_end,
            (mentee_charge.astype(F32), mentor_charge.astype(F32)),
            price.astype(F32),
            (
                potential[:n_mentees].astype(np.int64),
                potential[n_mentees : n_mentees + n_mentors].astype(np.int64),
            ),
            scale,
            added,
        )
    hit = index >= 0
    found = (np.nonzero(hit)[0].astype(np.intp), index[hit].astype(np.intp), value[hit])
    return margin, found


@numba.njit(cache=True)
def _shortest(tail: Any, head: Any, cost: Any, nodes: int) -> Any:
    distance = np.zeros(nodes, dtype=np.int64)
    for _ in range(nodes):
        changed = False
        for arc in range(tail.shape[0]):
            reach = distance[tail[arc]] + cost[arc]
            if reach < distance[head[arc]]:
                distance[head[arc]] = reach
                changed = True
        if not changed:
            return distance, True
    return distance, False


def shortest_distances(
    tail: NDArray[np.intp], head: NDArray[np.intp], cost: NDArray[np.int64], nodes: int
) -> NDArray[np.int64] | None:
    """Shortest distances to every node from a root joined to each at no cost (Bellman-Ford,
    updating in place); None when a negative cycle keeps them from settling."""
    distance, settled = _shortest(tail, head, cost, nodes)
    return distance if settled else None
