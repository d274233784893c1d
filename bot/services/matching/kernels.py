"""Compiled passes over every mentee x mentor pair, for pools too large to score in memory.

Past a few thousand people each pass over every pair (the candidates, then each pricing and
bound pass) reads billions of pairs. Scored block by block with numpy, each pass builds
several full-size temporaries per block; here, in parallel over mentees, a mentee's scores
with a block of mentors are worked out from each side's codes one part at a time (vector
instructions over the mentors side by side), the hard rules zero those they forbid, and
the pass keeps only what it needs. Same scores and rules as `engine.score_block`
(tests/unit/test_matching_kernels.py holds them equal).
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
    # The mentors' side by column (code, mentor): a pass reads mentors side by side.
    mentor_codes: NDArray[np.integer[Any]]
    terms: NDArray[np.int32]  # (mentees, most terms): index into mentor_vector, -1 = none
    weights: NDArray[np.float32]
    mentor_vector: NDArray[np.float32]  # (2 x topics, mentors): teaches, then needs
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
    if complement.shape != (3, 3):
        raise ValueError("the passes know three personalities: complement must be 3 x 3")
    forbidden_at, forbidden = _forbidden(pool, mentees, mentors)
    return Packed(
        mentee_codes=codes(mentees, (pool.need[mentees] > 0) @ bits),
        mentor_codes=np.ascontiguousarray(codes(mentors, pool.teach[mentors] @ bits).T),
        terms=terms,
        weights=weights.astype(F32),
        mentor_vector=np.ascontiguousarray(
            np.hstack([pool.teach[mentors], pool.need[mentors]]).astype(F32).T
        ),
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
    """The arrays `_score_block` reads, as one argument."""
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


# A pass reads BLOCK mentors (their codes in the first cache levels) for MENTEES_AT_ONCE
# mentees, then the next BLOCK: each mentee's scores with them are worked out one part at a
# time, over the mentors side by side.
BLOCK = 1024
MENTEES_AT_ONCE = 64
# The score's parts in single precision, as the scores are.
_DEPARTMENT, _REGION, _CADENCE = F32(W.DEPARTMENT), F32(W.REGION), F32(W.CADENCE)
_NOTHING = F32(0.0)


@numba.njit(inline="always", cache=True)
def _score_block(i: int, first: int, end: int, people: Any, out: Any) -> None:
    """Mentee i with mentors first..end-1: their scores into out[:end - first], or 0 where a
    hard rule forbids the pair, but career order (the callers read only the mentors earlier
    in the mentee's career, Packed.mentor_end). Each part of the score is one loop over
    the mentors, without branches: the compiler makes vector instructions of it."""
    e, m, terms, weights, mentor_vector, _, _, complement, _, _ = people
    # (Slices indexed from 0: numba then knows no index is negative, and vectorizes.)
    n = end - first
    for k in range(n):
        out[k] = np.float32(0.0)
    for t in range(terms.shape[1]):
        if terms[i, t] < 0:
            break
        weight, taught = weights[i, t], mentor_vector[terms[i, t], first:end]
        for k in range(n):
            out[k] += weight * taught[k]
    # Three personalities (COMPLEMENT is 3 x 3): chosen, not looked up, which vectorizes.
    fit = complement[e[i, PERSONALITY]]
    fit0, fit1, fit2 = fit[0], fit[1], fit[2]
    department, region, cadence = e[i, DEPARTMENT], e[i, REGION], e[i, CADENCE]
    departments, regions = m[DEPARTMENT, first:end], m[REGION, first:end]
    personalities, cadences = m[PERSONALITY, first:end], m[CADENCE, first:end]
    for k in range(n):
        score = out[k]
        score += _DEPARTMENT if departments[k] != department else _NOTHING
        score += _REGION if regions[k] != region else _NOTHING
        score += fit0 if personalities[k] == 0 else (fit1 if personalities[k] == 1 else fit2)
        score += _CADENCE if cadences[k] == cadence else _NOTHING
        out[k] = score
    _rule_out(i, first, end, people, out)


@numba.njit(inline="always", cache=True)
def _rule_out(i: int, first: int, end: int, people: Any, out: Any) -> None:
    """Zero the pairs of mentee i with mentors first..end-1 that break a hard rule."""
    e, m, _, _, _, forbidden_at, forbidden, _, strict, max_shift = people
    topics, people_, zones = m[TOPICS, first:end], m[PERSON, first:end], m[ZONE, first:end]
    departments = m[DEPARTMENT, first:end]
    zone, wanted, person, department = e[i, ZONE], e[i, TOPICS], e[i, PERSON], e[i, DEPARTMENT]
    for k in range(end - first):
        shift = zone - zones[k]
        shift += QUARTERS_PER_DAY if shift < 0 else 0
        overlap = (zone < 0) | (zones[k] < 0)
        overlap |= (shift <= max_shift) | (shift >= QUARTERS_PER_DAY - max_shift)
        allowed = overlap & ((wanted & topics[k]) != 0) & (people_[k] != person)
        if strict:
            allowed &= departments[k] != department
        out[k] = out[k] if allowed else _NOTHING
    for at in range(forbidden_at[i], forbidden_at[i + 1]):
        if first <= forbidden[at] < end:
            out[forbidden[at] - first] = np.float32(0.0)


@numba.njit(inline="always", cache=True)
def _lowest(values: Any) -> int:
    low = 0
    for slot in range(1, values.shape[0]):
        if values[slot] < values[low]:
            low = slot
    return low


@numba.njit(parallel=True, cache=True)
def _best_pairs(people: Any, mentor_end: Any, top_k: int, threads: int) -> Any:
    e, m = people[0], people[1]
    n_mentees, n_mentors = e.shape[0], m.shape[1]
    row_value = np.zeros((n_mentees, top_k), dtype=np.float32)
    row_index = np.full((n_mentees, top_k), -1, dtype=np.int32)
    row_slot = np.zeros(n_mentees, dtype=np.int64)  # where each row's lowest is
    # Each thread keeps each mentor's best among its own share of mentees (and the lowest
    # of them, to compare against); merged below.
    col_value = np.zeros((threads, n_mentors, top_k), dtype=np.float32)
    col_index = np.full((threads, n_mentors, top_k), -1, dtype=np.int32)
    col_slot = np.zeros((threads, n_mentors), dtype=np.int64)
    col_low = np.zeros((threads, n_mentors), dtype=np.float32)
    columns = col_value, col_index, col_slot, col_low
    share = (n_mentees + threads - 1) // threads
    for t in numba.prange(threads):
        out = np.empty(BLOCK, dtype=np.float32)
        for start in range(t * share, min(n_mentees, (t + 1) * share), MENTEES_AT_ONCE):
            stop = min(start + MENTEES_AT_ONCE, (t + 1) * share, n_mentees)
            for first in range(0, mentor_end[start:stop].max(), BLOCK):
                for i in range(start, stop):
                    end = min(first + BLOCK, mentor_end[i])
                    if end <= first:
                        continue
                    _score_block(i, first, end, people, out)
                    _keep_best(i, first, end, out, (row_value, row_index, row_slot), t, columns)
    return (row_value, row_index, *_merge_columns(col_value, col_index))


@numba.njit(inline="always", cache=True)
def _keep_best(i: int, first: int, end: int, out: Any, rows: Any, t: int, columns: Any) -> None:
    """Mentee i's scores with mentors first..end-1 into their best and (thread t's share
    of) the mentors' best; most blocks, once the best have filled, have no better pair:
    one test over the block, side by side, says so."""
    row_value, row_index, row_slot = rows
    col_value, col_index, col_slot, col_low = columns
    lows, low = col_low[t, first:end], row_value[i, row_slot[i]]
    better = 0
    for k in range(end - first):
        better += (out[k] > low) | (out[k] > lows[k])
    if better == 0:
        return
    for j in range(first, end):
        s = out[j - first]
        if s > row_value[i, row_slot[i]]:
            row_value[i, row_slot[i]], row_index[i, row_slot[i]] = s, j
            row_slot[i] = _lowest(row_value[i])
        if s > col_low[t, j]:
            slot = col_slot[t, j]
            col_value[t, j, slot], col_index[t, j, slot] = s, i
            col_slot[t, j] = _lowest(col_value[t, j])
            col_low[t, j] = col_value[t, j, col_slot[t, j]]


@numba.njit(parallel=True, cache=True)
def _merge_columns(col_value: Any, col_index: Any) -> Any:
    """Each mentor's best over the threads' shares."""
    threads, n_mentors, top_k = col_value.shape
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
    return best_value, best_index


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


@numba.njit(inline="always", cache=True)
def _price_block(
    i: int, first: int, end: int, out: Any, charges: Any, price: Any, margin: Any
) -> None:
    """Mentee i's best margin over mentors first..end-1: score - charges - price."""
    mentee_charge, mentor_charge = charges
    charge, prices = mentor_charge[first:end], price[first:end]
    best = margin[i]
    for k in range(end - first):
        left = out[k] - mentee_charge[i] - charge[k]
        worth = (out[k] > 0) & (left > 0)
        best = max(best, left - prices[k] if worth else np.float32(0.0))
    margin[i] = best


@numba.njit(inline="always", cache=True)
def _gains_block(
    i: int,
    first: int,
    end: int,
    out: Any,
    charges: Any,
    potentials: Any,
    scale: int,
    found: Any,
    slots: Any,
) -> None:
    """The pairs of mentee i with mentors first..end-1 with the largest gains, kept in
    `found`. A gain is the pair's reduced cost in the solver's integer units: a pair with
    one could raise the total."""
    mentee_charge, mentor_charge = charges
    mentee_potential, mentor_potential = potentials
    found_key, found_index, found_value = found
    charge, potential = mentor_charge[first:end], mentor_potential[first:end]
    n, floor = end - first, max(found_key[i, slots[i]] - 1, 0.0)
    gain = np.empty(n, dtype=np.int64)
    count = 0
    for k in range(n):
        left = out[k] - mentee_charge[i] - charge[k]
        value = np.int64(np.rint(left * np.float32(scale))) - mentee_potential[i] + potential[k]
        gain[k] = value if (out[k] > 0) & (left > 0) else np.int64(-1)
        count += gain[k] > floor
    if count == 0:
        return
    for k in range(n):
        if gain[k] <= 0:
            continue
        key = gain[k] + _tie_break(i, first + k)
        if key > found_key[i, slots[i]]:
            slot = slots[i]
            found_key[i, slot], found_index[i, slot] = key, first + k
            found_value[i, slot] = out[k] - mentee_charge[i] - charge[k]
            slots[i] = _lowest(found_key[i])


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
    n_mentees = people[0].shape[0]
    width = max(added, 1)
    margin = np.zeros(n_mentees, dtype=np.float32)
    found_key = np.zeros((n_mentees, width), dtype=np.float64)
    found_index = np.full((n_mentees, width), -1, dtype=np.int32)
    found_value = np.zeros((n_mentees, width), dtype=np.float32)
    found = found_key, found_index, found_value
    slots = np.zeros(n_mentees, dtype=np.int64)  # where each mentee's lowest gain kept is
    for chunk in numba.prange((n_mentees + MENTEES_AT_ONCE - 1) // MENTEES_AT_ONCE):
        start = chunk * MENTEES_AT_ONCE
        stop = min(start + MENTEES_AT_ONCE, n_mentees)
        out = np.empty(BLOCK, dtype=np.float32)
        for first in range(0, mentor_end[start:stop].max(), BLOCK):
            for i in range(start, stop):
                end = min(first + BLOCK, mentor_end[i])
                if end <= first:
                    continue
                _score_block(i, first, end, people, out)
                _price_block(i, first, end, out, charges, price, margin)
                if added > 0:
                    _gains_block(i, first, end, out, charges, potentials, scale, found, slots)
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
    n_mentees, n_mentors = p.mentee_codes.shape[0], p.mentor_codes.shape[1]
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
