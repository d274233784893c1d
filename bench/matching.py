"""Matching benchmark: wall time, peak memory and solution quality on synthetic populations.

    python bench/matching.py            # 1,000 / 10,000 / 100,000 participants
    python bench/matching.py --quick    # 1,000 / 3,000
    python bench/matching.py --sizes 1000,10000

Each measurement runs in its own process so that peak memory (max RSS) is its own. Quality is
the total score relative to the exact optimum where that is computed; random and greedy
pairings (under the same hard rules) are shown as baselines.
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
from bot.services.matching.engine import _all_edges, _top_edges, assign  # noqa: E402


def _baselines(size: int, seed: int) -> dict[str, float]:
    """Totals of a random and a greedy pairing that respect the same hard rules."""
    pool = synthetic_pool(size, seed)
    mentors = np.flatnonzero(pool.can_mentor & (pool.capacity > 0)).astype(np.intp)
    mentees = np.flatnonzero(pool.can_mentee).astype(np.intp)
    cells = len(mentors) * len(mentees)
    rows, cols, scores = (
        _all_edges(pool, mentees, mentors)
        if cells <= W.DENSE_LIMIT
        else _top_edges(pool, mentees, mentors, W.TOP_K)
    )
    rng = np.random.default_rng(seed)
    totals = {}
    for name, order in (("random", rng.permutation(len(rows))), ("greedy", np.argsort(-scores))):
        load = np.zeros(len(mentors), dtype=np.int64)
        taken_mentee: set[int] = set()
        side = {}  # person -> "mentor"/"mentee": a "both" person takes one side
        total = 0.0
        for e in order:
            r, c = int(rows[e]), int(cols[e])
            mentee, mentor = int(mentees[r]), int(mentors[c])
            if r in taken_mentee or load[c] >= pool.capacity[mentor]:
                continue
            if side.get(mentee, "mentee") != "mentee" or side.get(mentor, "mentor") != "mentor":
                continue
            taken_mentee.add(r)
            load[c] += 1
            side[mentee], side[mentor] = "mentee", "mentor"
            total += float(scores[e])
        totals[name] = total
    return totals


def measure(size: int, method: str, seed: int) -> dict[str, object]:
    pool = synthetic_pool(size, seed)
    started = time.perf_counter()
    if method == "baselines":
        totals = _baselines(size, seed)
        return {"size": size, "method": method, **totals}
    result = assign(pool, exact=method == "exact")
    seconds = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "size": size,
        "method": result.method,
        "seconds": round(seconds, 3),
        "peak_mib": round(peak_mib),
        "pairs": len(result.pairs),
        "total": round(result.total, 3),
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
        f"{'size':>8} {'method':>8} {'seconds':>8} {'peak MiB':>9} {'pairs':>7} "
        f"{'quality':>8} {'random':>7} {'greedy':>7}"
    )
    for size in sizes:
        exact = run_child(size, "exact", args.seed, args.timeout) if size <= 10_000 else None
        pruned = run_child(size, "pruned", args.seed, args.timeout)
        base = run_child(size, "baselines", args.seed, args.timeout)
        reference = exact.get("total") if exact else None
        for result in (r for r in (exact, pruned) if r):
            total = result.get("total")
            quality = round(total / reference, 5) if reference and total is not None else None
            rnd = round(base["random"] / reference, 4) if reference and base else None
            grd = round(base["greedy"] / reference, 4) if reference and base else None
            row = {
                "bench": "matching",
                **result,
                "quality": quality,
                "random_quality": rnd,
                "greedy_quality": grd,
            }
            rows.append(row)
            print(
                f"{size:>8} {result.get('method', '?'):>8} {result.get('seconds', 'timeout'):>8} "
                f"{result.get('peak_mib', '-'):>9} {result.get('pairs', '-'):>7} "
                f"{quality if quality is not None else 'n/a':>8} {rnd or 'n/a':>7} "
                f"{grd or 'n/a':>7}"
            )
    for row in rows:
        print(json.dumps(row))


if __name__ == "__main__":
    main()
