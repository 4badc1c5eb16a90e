"""Benchmark: batch vs scalar scoring of 1M synthetic responses × 50 criteria.

Run: .venv/bin/python bench/score.py [--rows 1000000] [--sample 20000] [--runs 5]

Both scorers are timed the same two ways, and every figure comes from this one run:

- ``batch_score_s`` / ``scalar.no_check``: scoring only (``score(..., validate=False)`` on the
  scalar side); ``speedup_batch_vs_scalar`` is their ratio.
- ``batch_total_with_checking_s`` (``from_columns_validate_s`` + the median ``batch_score_s``)
  / ``scalar.with_check``: answers checked, then scored; ``speedup_with_checking``.
- ``unmet_order_all_rows_s``: the per-row unmet ordering of every row at once
  (``BatchResult.unmet_orders``, an argsort per row). The scalar scorer always sorts its unmet
  list, the batch scorer only on request, so this is reported apart and
  ``speedup_with_checking_and_unmet_order`` adds it to the batch side.
- ``peak_traced_mb_during_batch_score`` (tracemalloc during one ``score``) and ``maxrss_mb``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _synth import columns, framework_dict
from thuocdo.frameworks.engine import BatchScorer, framework_from_dict, score


def _timed(fn: Callable[[], object], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--sample", type=int, default=20_000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()

    d = framework_dict()
    fw = framework_from_dict(d, "bench")
    n_crit = len(fw.criteria())
    t = time.perf_counter()
    cols, answered = columns(d, args.rows)
    t_gen = time.perf_counter() - t

    scorer = BatchScorer(fw)
    single = BatchScorer(fw, threads=1)
    t = time.perf_counter()
    enc = scorer.from_columns(cols, answered, validate=True)
    t_encode = time.perf_counter() - t

    scorer.score(enc)  # warm-up
    batch_times = _timed(lambda: scorer.score(enc), args.runs)
    single.score(enc)
    single_times = _timed(lambda: single.score(enc), max(3, args.runs // 2))
    result = scorer.score(enc)

    # unmet ordering of every row, in chunks on the scorer's threads
    step = scorer.chunk_size
    starts = range(0, args.rows, step)
    stops = [min(a + step, args.rows) for a in starts]
    with ThreadPoolExecutor(scorer.threads) as pool:
        t = time.perf_counter()
        orders = list(pool.map(result.unmet_orders, starts, stops))
        t_unmet = time.perf_counter() - t

    # scalar scorer on a sample of the same responses, with and without answer checking
    rows = [scorer.decode(enc, i) for i in range(args.sample)]
    for r in rows[:200]:
        score(fw, r)
    t = time.perf_counter()
    scalar = [score(fw, r) for r in rows]
    t_scalar_check = time.perf_counter() - t
    t = time.perf_counter()
    unchecked = [score(fw, r, validate=False) for r in rows]
    t_scalar = time.perf_counter() - t
    per_row = t_scalar / args.sample
    per_row_check = t_scalar_check / args.sample
    scalar_1m = per_row * args.rows
    scalar_check_1m = per_row_check * args.rows

    mismatches = 0
    first_order, first_count = orders[0]
    codes = result.criterion_codes
    for i, s in enumerate(scalar):
        in_first = i < len(first_count)
        ordered = [codes[k] for k in first_order[i, : first_count[i]]] if in_first else s.unmet
        if s.to_json_dict() != result.to_json_dict(i) or unchecked[i] != s or ordered != s.unmet:
            mismatches += 1
    del orders, first_order

    del result
    tracemalloc.start()
    scorer.score(enc)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    maxrss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    batch_median = statistics.median(batch_times)
    batch_checked = t_encode + batch_median
    summary = {
        "rows": args.rows,
        "criteria": n_crit,
        "pillars": len(fw.pillars),
        "levels": len(fw.levels),
        "cpus": os.cpu_count(),
        "threads": scorer.threads,
        "chunk_size": scorer.chunk_size,
        "generate_columns_s": round(t_gen, 3),
        "from_columns_validate_s": round(t_encode, 3),
        "batch_score_s": {
            "median": round(batch_median, 4),
            "min": round(min(batch_times), 4),
            "runs": [round(x, 4) for x in batch_times],
        },
        "batch_score_1_thread_s": {
            "median": round(statistics.median(single_times), 4),
            "min": round(min(single_times), 4),
        },
        "batch_rows_per_s": round(args.rows / batch_median),
        "batch_total_with_checking_s": round(batch_checked, 3),
        "unmet_order_all_rows_s": round(t_unmet, 3),
        "scalar": {
            "sample_rows": args.sample,
            "note": "measured on the sample, extrapolated linearly to rows",
            "no_check": {
                "sample_s": round(t_scalar, 3),
                "rows_per_s": round(1 / per_row),
                "extrapolated_s_for_rows": round(scalar_1m, 2),
            },
            "with_check": {
                "sample_s": round(t_scalar_check, 3),
                "rows_per_s": round(1 / per_row_check),
                "extrapolated_s_for_rows": round(scalar_check_1m, 2),
            },
        },
        "speedup_batch_vs_scalar": round(scalar_1m / batch_median, 1),
        "speedup_with_checking": round(scalar_check_1m / batch_checked, 1),
        "speedup_with_checking_and_unmet_order": round(
            scalar_check_1m / (batch_checked + t_unmet), 1
        ),
        "scalar_batch_mismatches_in_sample": mismatches,
        "peak_traced_mb_during_batch_score": round(traced_peak / 2**20, 1),
        "maxrss_mb": round(maxrss_kb / 1024, 1),
        "numpy": np.__version__,
    }
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
