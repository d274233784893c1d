"""Matching benchmark: wall time, peak memory and solution quality on synthetic populations.

    python bench/matching.py            # 1,000 / 10,000 / 100,000 participants
    python bench/matching.py --quick    # 1,000 / 3,000
    python bench/matching.py --sizes 1000,10000

Each measurement runs in its own process so that peak memory (max RSS) is its own. Every
solve reports its total and a bound on the best possible total, and so its gap
(1 - total / bound), with no exact reference needed; where the exact solve runs, its total
is shown too. Baselines: random and greedy pairings under the same hard rules, and
"meetups" (anyone with anyone, rules ignored, as a coffee-roulette app pairs people: a pair
that breaks a rule counts 0). The row of the method the app itself uses at that size has
"app": true. "seconds" is the solve; "load_s" the one-time loading of the compiled passes
in a new process, which the app does when it starts.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from bench.population import synthetic_pool  # noqa: E402
from bot.services.matching import weights as W  # noqa: E402
from bot.services.matching.engine import (  # noqa: E402
    Pool,
    _Scores,
    assign,
    score_block,
    warm_up,
)


def _baselines(size: int, seed: int) -> dict[str, float]:
    """Totals of a random and a greedy pairing that respect the same hard rules, and of
    pairing anyone with anyone (rules ignored; a rule-breaking pair scores 0)."""
    pool = synthetic_pool(size, seed)
    mentors = np.flatnonzero(pool.can_mentor & (pool.capacity > 0)).astype(np.intp)
    mentees = np.flatnonzero(pool.can_mentee).astype(np.intp)
    streamed = _Scores.of(pool, mentees, mentors, dense=False)
    mentees, mentors = streamed.mentees, streamed.mentors
    rows, cols, scores = streamed.candidates(W.TOP_K)
    rng = np.random.default_rng(seed)
    totals = {}
    for name, order in (("random", rng.permutation(len(rows))), ("greedy", np.argsort(-scores))):
        totals[name] = _pair_in_order(pool, mentees, mentors, (rows, cols, scores), order)
    # Meetups: everyone in a random order, each mentee with the next mentor who has room.
    seats = np.repeat(mentors, pool.capacity[mentors])
    rng.shuffle(seats)
    anyone = rng.permutation(mentees)[: len(seats)]
    seats = seats[: len(anyone)]
    pair_scores = np.concatenate(
        [
            np.diagonal(score_block(pool, anyone[i : i + 512], seats[i : i + 512]))
            for i in range(0, len(anyone), 512)
        ]
        or [np.zeros(0)]
    )
    totals["meetups"] = float(pair_scores.sum())
    totals["meetups_broken"] = round(float((pair_scores == 0).mean()), 4) if len(anyone) else 0.0
    return totals


def _pair_in_order(
    pool: Pool,
    mentees: np.ndarray,
    mentors: np.ndarray,
    edges: tuple[np.ndarray, np.ndarray, np.ndarray],
    order: np.ndarray,
) -> float:
    """Take candidate pairs in this order while both people are free (a "both" person
    takes one side); returns the total."""
    rows, cols, scores = edges
    load = np.zeros(pool.size, dtype=np.int64)
    side: dict[int, str] = {}
    total = 0.0
    for e in order:
        mentee, mentor = int(mentees[rows[e]]), int(mentors[cols[e]])
        if side.get(mentee) is not None or load[mentor] >= pool.capacity[mentor]:
            continue
        if side.get(mentor, "mentor") != "mentor":
            continue
        side[mentee], side[mentor] = "mentee", "mentor"
        load[mentor] += 1
        total += float(scores[e])
    return total


def measure(size: int, method: str, seed: int) -> dict[str, object]:
    pool = synthetic_pool(size, seed)
    if method == "baselines":
        return {"size": size, "method": method, **_baselines(size, seed)}
    # The app loads the compiled passes when it starts (bot/cli.py); so does this process,
    # and the time it takes is shown on its own.
    started = time.perf_counter()
    warm_up()
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    result = assign(pool, exact={"exact": True, "pruned": False}.get(method))
    seconds = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "size": size,
        "method": result.method,
        "seconds": round(seconds, 3),
        "load_s": round(load_s, 3),
        "peak_mib": round(peak_mib),
        "pairs": len(result.pairs),
        "total": round(result.total, 3),
        "bound": round(result.bound, 3),
        "gap": round(result.gap, 6),
    }


def run_child(size: int, method: str, seed: int, timeout: float) -> dict[str, object] | None:
    command = [
        sys.executable,
        __file__,
        "--one",
        str(size),
        "--method",
        method,
        "--seed",
        str(seed),
    ]
    try:
        out = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=True,
            cwd=ROOT,
            env=os.environ.copy(),
        )
    except subprocess.TimeoutExpired:
        return {"size": size, "method": method, "timeout_s": timeout}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--one", type=int)
    parser.add_argument("--method", default="auto")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--sizes", help="comma-separated population sizes to run")
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, args.method, args.seed)))
        return
    sizes = [1000, 3000] if args.quick else [1000, 10_000, 100_000]
    if args.sizes:
        sizes = [int(size) for size in args.sizes.split(",")]
    rows = []
    print(
        f"{'size':>8} {'method':>7} {'app':>4} {'seconds':>8} {'peak MiB':>9} {'total':>11} "
        f"{'bound':>11} {'gap':>8} {'/exact':>8} {'random':>7} {'greedy':>7} {'meetups':>8}"
    )
    for size in sizes:
        app = run_child(size, "auto", args.seed, args.timeout)
        exact = (
            run_child(size, "exact", args.seed, args.timeout)
            if size <= EXACT_UP_TO and (app or {}).get("method") != "exact"
            else None
        )
        pruned = (
            run_child(size, "pruned", args.seed, args.timeout)
            if (app or {}).get("method") != "pruned"
            else None
        )
        base = run_child(size, "baselines", args.seed, args.timeout) or {}
        results = [r for r in (app, exact, pruned) if r]
        reference = next((r.get("total") for r in results if r.get("method") == "exact"), None)
        for result in results:
            row = _row(result, base, reference, app=result is app)
            rows.append(row)
            print(_line(row))
    for row in rows:
        print(json.dumps(row))


EXACT_UP_TO = 10_000  # the exact solve is shown beside the app's up to this size


def _ratio(value: object, reference: object) -> float | None:
    if isinstance(value, int | float) and isinstance(reference, int | float) and reference:
        return round(value / reference, 5)
    return None


def _row(
    result: dict[str, object], base: dict[str, object], reference: object, *, app: bool
) -> dict[str, object]:
    bound = result.get("bound")
    return {
        "bench": "matching",
        **result,
        "app": app,
        "of_exact": _ratio(result.get("total"), reference),
        # Baselines as shares of the bound: of the best possible, wherever it is known.
        "random_of_bound": _ratio(base.get("random"), bound),
        "greedy_of_bound": _ratio(base.get("greedy"), bound),
        "meetups_of_bound": _ratio(base.get("meetups"), bound),
        "meetups_broken": base.get("meetups_broken"),
    }


def _line(row: dict[str, object]) -> str:
    def cell(key: str, width: int, form: str = "") -> str:
        value = row.get(key)
        text = "-" if value is None else format(value, form) if form else str(value)
        return f"{text:>{width}}"

    return (
        f"{row['size']:>8} {row.get('method', '?'):>7} {'yes' if row['app'] else '':>4} "
        f"{cell('seconds', 8)}{' (timeout)' if 'timeout_s' in row else ''} "
        f"{cell('peak_mib', 9)} {cell('total', 11)} {cell('bound', 11)} "
        f"{cell('gap', 8, '.3%')} {cell('of_exact', 8)} {cell('random_of_bound', 7)} "
        f"{cell('greedy_of_bound', 7)} {cell('meetups_of_bound', 8)}"
    )


if __name__ == "__main__":
    main()
