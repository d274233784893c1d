"""An auction solver for the matching's flows past the in-memory limit.

Why our own: OR-Tools' min-cost flow cannot start from the last solve's prices, and at
100,000 people each of the solve's eight flows took it 10-25 s. Here mentees bid for
mentors' slots (Bertsekas' forward auction, each slot priced on its own), and slots
left empty at a price bid for mentees (the reverse auction for unequal sides), with the
bid increment eps brought down in phases. It ends with every pair within eps of its
dual constraint, so the total is within eps per pair of the optimum; the next solve, on
more pairs or other charges, starts from its prices. tests/unit/test_matching_auction.py
holds it against OR-Tools.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numba
import numpy as np
from numpy.typing import NDArray

FREE, UNMATCHED = -1, -2  # a mentee's slot before they bid, and once no mentor pays off
PHASE_DROP = 8  # eps falls by this factor from phase to phase
WARM_PHASES = 2  # from the last solve's prices: two phases, eps x 8 then eps


@numba.njit(cache=True)
def _cheapest(price: Any, first: int, end: int) -> tuple[int, int]:
    """A mentor's cheapest slot and the next cheapest (-1 with one slot)."""
    low, next_low = first, -1
    for slot in range(first + 1, end):
        if price[slot] < price[low]:
            low, next_low = slot, low
        elif next_low < 0 or price[slot] < price[next_low]:
            next_low = slot
    return low, next_low


@numba.njit(inline="always", cache=True)
def _two_best(first: int, end: int, value: Any, other: Any, paid: Any) -> tuple[int, int, int]:
    """Over arcs first..end-1, the largest and second largest gain, value[arc] minus what
    its other end is paid (paid[other[arc]]), and the arc of the largest; at least 0 (the
    gain of staying as one is), and -1 for the arc when no gain is above 0."""
    best, second, best_arc = 0, 0, -1
    for arc in range(first, end):
        gain = value[arc] - paid[other[arc]]
        if gain > best:
            best, second, best_arc = gain, best, arc
        elif gain > second:
            second = gain
    return best, second, best_arc


@numba.njit(cache=True)
def _forward(arcs: Any, slots: Any, state: Any, eps: int, queue: Any) -> None:
    """Each mentee without a slot bids for the slot that pays them most, raising its price
    by the margin over their next best and eps; the slot's holder bids again."""
    start, col, value = arcs
    slot_start, _ = slots
    price, low, holder, owner, profit = state
    size, head, tail = 0, 0, 0
    for i in range(owner.shape[0]):
        if owner[i] == FREE:
            queue[tail] = i
            tail += 1
            size += 1
    while size > 0:
        i = queue[head]
        head = (head + 1) % queue.shape[0]
        size -= 1
        _, second, best_arc = _two_best(start[i], start[i + 1], value, col, low)
        if best_arc < 0:
            owner[i], profit[i] = UNMATCHED, 0
            continue
        j = col[best_arc]
        slot, next_slot = _cheapest(price, slot_start[j], slot_start[j + 1])
        if next_slot >= 0:
            second = max(second, value[best_arc] - price[next_slot])
        price[slot] = min(value[best_arc] - second + eps, value[best_arc])
        low[j] = price[_cheapest(price, slot_start[j], slot_start[j + 1])[0]]
        profit[i] = value[best_arc] - price[slot]
        outbid = holder[slot]
        holder[slot], owner[i] = i, slot
        if outbid >= 0:
            owner[outbid] = FREE
            queue[tail] = outbid
            tail = (tail + 1) % queue.shape[0]
            size += 1


@numba.njit(cache=True)
def _reverse(arcs_by_mentor: Any, slots: Any, state: Any, eps: int, stack: Any) -> None:
    """Each empty slot with a price bids for the mentee it pays most (lowering its price to
    their next best's level), or drops its price to 0 when no one gains by it; a mentee
    taken from another slot leaves that one empty."""
    start, row, value = arcs_by_mentor
    _, slot_mentor = slots
    price, low, holder, owner, profit = state
    top = 0
    for slot in range(price.shape[0]):
        if holder[slot] < 0 and price[slot] > 0:
            stack[top] = slot
            top += 1
    while top > 0:
        top -= 1
        slot = stack[top]
        j = slot_mentor[slot]
        best, second, best_arc = _two_best(start[j], start[j + 1], value, row, profit)
        if best_arc < 0 or best <= eps:
            price[slot] = 0
            low[j] = 0
            continue
        price[slot] = max(0, second - eps)
        low[j] = min(low[j], price[slot])
        i = row[best_arc]
        left = owner[i]
        owner[i], holder[slot], profit[i] = slot, i, value[best_arc] - price[slot]
        if left >= 0:
            holder[left] = -1
            if price[left] > 0:
                stack[top] = left
                top += 1


@numba.njit(cache=True)
def _auction(arcs: Any, arcs_by_mentor: Any, slots: Any, price: Any, eps: int, final: int) -> Any:
    slot_start = slots[0]
    n_mentees, n_mentors = arcs[0].shape[0] - 1, slot_start.shape[0] - 1
    low = np.zeros(n_mentors, dtype=np.int64)
    holder = np.full(price.shape[0], -1, dtype=np.int64)
    owner = np.full(n_mentees, FREE, dtype=np.int64)
    profit = np.zeros(n_mentees, dtype=np.int64)
    queue = np.empty(n_mentees + 1, dtype=np.int64)
    stack = np.empty(price.shape[0] + 1, dtype=np.int64)
    state = (price, low, holder, owner, profit)
    while True:
        holder[:] = -1
        owner[:] = FREE
        for j in range(n_mentors):
            low[j] = price[_cheapest(price, slot_start[j], slot_start[j + 1])[0]]
        _forward(arcs, slots, state, eps, queue)
        _reverse(arcs_by_mentor, slots, state, eps, stack)
        if eps <= final:
            return owner, profit, low
        eps = max(final, eps // PHASE_DROP)


@dataclass(frozen=True)
class Solved:
    used: NDArray[np.bool_]  # per arc: in the matching
    profit: NDArray[np.int64]  # per mentee: their dual value (what their pair leaves them)
    price: NDArray[np.int64]  # per mentor: their cheapest slot's price (0 with one empty)
    slot_prices: NDArray[np.int64]  # per slot: where the next solve starts


def solve(
    rows: NDArray[np.intp],
    cols: NDArray[np.intp],
    values: NDArray[np.int64],
    capacity: NDArray[np.int64],
    n_mentees: int,
    *,
    start: NDArray[np.int64] | None = None,
    eps: int = 1,
) -> Solved:
    """A matching of most total value on the arcs (mentee row, mentor col, integer value),
    each mentee at most once and each mentor up to capacity, within eps per pair of the
    best; with its dual prices. Each pair has one arc. `start`: the slot prices of an
    earlier solve to begin from."""
    n_mentors = len(capacity)
    slot_start = np.concatenate([[0], np.cumsum(capacity)]).astype(np.int64)
    slot_mentor = np.repeat(np.arange(n_mentors), capacity).astype(np.int64)
    by_mentee = np.argsort(rows, kind="stable")
    by_mentor = np.argsort(cols, kind="stable")
    arcs = (
        np.searchsorted(rows[by_mentee], np.arange(n_mentees + 1)).astype(np.int64),
        cols[by_mentee].astype(np.int64),
        values[by_mentee].astype(np.int64),
    )
    arcs_by_mentor = (
        np.searchsorted(cols[by_mentor], np.arange(n_mentors + 1)).astype(np.int64),
        rows[by_mentor].astype(np.int64),
        values[by_mentor].astype(np.int64),
    )
    if start is None:
        price = np.zeros(int(slot_start[-1]), dtype=np.int64)
        first = max(eps, int(values.max(initial=0)) // PHASE_DROP)
    else:
        if len(start) != len(slot_mentor):
            raise ValueError(f"{len(start)} slot prices to start from: {len(slot_mentor)} slots")
        price = start.astype(np.int64).copy()
        first = eps * PHASE_DROP ** (WARM_PHASES - 1)
    owner, profit, low = _auction(
        arcs, arcs_by_mentor, (slot_start, slot_mentor), price, first, eps
    )
    used = np.zeros(len(rows), dtype=bool)
    used[by_mentee[_matched_arcs(arcs, slot_mentor, owner)]] = True
    return Solved(used, profit, low, price)


@numba.njit(cache=True)
def _matched_arcs(arcs: Any, slot_mentor: Any, owner: Any) -> Any:
    """The arc of each matched mentee (each pair has one arc)."""
    start, col, _ = arcs
    found = np.empty(owner.shape[0], dtype=np.int64)
    n = 0
    for i in range(owner.shape[0]):
        if owner[i] < 0:
            continue
        for arc in range(start[i], start[i + 1]):
            if col[arc] == slot_mentor[owner[i]]:
                found[n] = arc
                n += 1
                break
    return found[:n]
