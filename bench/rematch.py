"""How long a coordinator waits for the list of new partners (`/mentoring rematch`): the
matching rules and scores for one person against a whole synthetic program.

    python bench/rematch.py                 # 1,000 / 10,000 / 100,000 participants
    python bench/rematch.py --quick         # 1,000 / 10,000
    python bench/rematch.py --sizes 1000

Prints, per size: milliseconds per person (median and worst of `--people` people), and how many
partners fit on average. The form itself shows the best ten.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.population import synthetic_pool  # noqa: E402
from bot.services.matching.fits import fits_for  # noqa: E402


def measure(size: int, people: int, seed: int) -> dict[str, float | int]:
    pool = synthetic_pool(size, seed)
    times, fits = [], []
    for person in range(people):
        started = time.perf_counter()
        fits.append(len(fits_for(pool, person)))
        times.append((time.perf_counter() - started) * 1000)
    return {
        "participants": size,
        "ms_median": round(statistics.median(times), 1),
        "ms_max": round(max(times), 1),
        "fits_mean": round(statistics.mean(fits)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--quick", action="store_true", help="1,000 and 10,000 only")
    parser.add_argument("--people", type=int, default=25)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    sizes = [1000, 10000] if args.quick else [int(s) for s in args.sizes.split(",")]
    rows = [measure(size, args.people, args.seed) for size in sizes]
    print(f"{'participants':>12}  {'ms median':>9}  {'ms max':>7}  {'fits':>6}")
    for row in rows:
        print(
            f"{row['participants']:>12,}  {row['ms_median']:>9}  {row['ms_max']:>7}  "
            f"{row['fits_mean']:>6,}"
        )
    for row in rows:
        print(json.dumps(row))


if __name__ == "__main__":
    main()
