"""Benchmark: batch vs scalar scoring of 1M synthetic responses × 50 criteria.

Run: .venv/bin/python bench/score.py [--rows 1000000] [--sample 20000] [--runs 5]
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

    # scalar scorer on a sample of the same responses
    rows = [scorer.decode(enc, i) for i in range(args.sample)]
    for r in rows[:200]:
        score(fw, r)
    t = time.perf_counter()
    scalar = [score(fw, r) for r in rows]
    t_scalar = time.perf_counter() - t
    per_row = t_scalar / args.sample
    scalar_1m = per_row * args.rows

    mismatches = 0
    for i, s in enumerate(scalar):
        if s.to_json_dict() != result.to_json_dict(i):
            mismatches += 1

    del result
    tracemalloc.start()
    scorer.score(enc)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    maxrss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    batch_median = statistics.median(batch_times)
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
        "scalar": {
            "sample_rows": args.sample,
            "sample_s": round(t_scalar, 3),
            "rows_per_s": round(1 / per_row),
            "extrapolated_s_for_rows": round(scalar_1m, 2),
            "note": "measured on the sample, extrapolated linearly to rows",
        },
        "speedup_batch_vs_scalar": round(scalar_1m / batch_median, 1),
        "scalar_batch_mismatches_in_sample": mismatches,
        "peak_traced_mb_during_batch_score": round(traced_peak / 2**20, 1),
        "maxrss_mb": round(maxrss_kb / 1024, 1),
        "numpy": np.__version__,
    }
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
