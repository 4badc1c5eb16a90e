"""Benchmark: national aggregation from the columnar store vs a straightforward pandas version.

Needs the data of ``bench/gen.py`` (5,000,000 scored responses of the 50-criterion set).
Measures, in one run:

1. full aggregation for all provinces × sectors × entity types × levels with 95 % intervals
   (weighted overall and pillar means with Taylor-linearised variances, level shares with
   Wilson intervals on the effective sample size), from the Parquet file (read included) and
   from the frame in memory;
2. warm dashboard slice queries (a province by commune, a province × sector by size, the
   nation by province for one entity type, …) computed from the frame in memory, p50/p95;
3. the same full aggregation written plainly in pandas (means merged back onto rows,
   linearised values per row, then group sums), and checks both give the same numbers.

Run: .venv/bin/python bench/aggregate.py [--data var/bench] [--runs 5] [--slices 200]
     [--pandas-runs 2]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from thuocdo.analytics.domain.columnar import Layout, aggregate_rows, cube_of, estimate_slice
from thuocdo.analytics.domain.stats import Z95
from thuocdo.frameworks.engine import framework_from_dict

ROOT = Path(__file__).resolve().parent.parent

BY = ["province", "sector", "entity_type"]


def _maxrss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _timed(fn: Callable[[], Any], runs: int) -> tuple[list[float], Any]:
    times = []
    out = None
    for _ in range(runs):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return times, out


def _stats(times: list[float]) -> dict[str, Any]:
    return {
        "median": round(statistics.median(times), 4),
        "min": round(min(times), 4),
        "runs": [round(x, 4) for x in times],
    }


def pandas_aggregate(df: Any, by: list[str], values: list[str], levels: list[int]) -> Any:
    """The same estimates, written the plain way in pandas."""
    import pandas as pd

    df = df.copy()
    for k in levels:
        df[f"L{k}"] = (df["level"] == k).astype("float64")
    n_h = df.groupby("stratum", observed=True).size().rename("n_h")
    keys = df[by]
    result = df.groupby(by, observed=True).size().rename("n").to_frame()
    result["population"] = df.groupby(by, observed=True)["weight"].sum()
    for v in [*values, *[f"L{k}" for k in levels]]:
        y = df[v].astype("float64")
        m = y.notna()
        w = df["weight"].where(m, 0.0)
        yf = y.fillna(0.0)
        part = pd.DataFrame({"w": w, "wy": w * yf})
        for b in by:
            part[b] = keys[b]
        g = part.groupby(by, observed=True)[["w", "wy"]].sum()
        g["mean"] = g["wy"] / g["w"]
        back = keys.merge(g[["w", "mean"]].reset_index(), on=by, how="left")
        z = np.where(
            m.to_numpy(),
            w.to_numpy() * (yf.to_numpy() - back["mean"].to_numpy()) / back["w"].to_numpy(),
            0.0,
        )
        zz = pd.DataFrame({"z": z, "z2": z * z, "stratum": df["stratum"].to_numpy()})
        for b in by:
            zz[b] = keys[b].to_numpy()
        s = zz.groupby([*by, "stratum"], observed=True)[["z", "z2"]].sum().reset_index()
        s = s.merge(n_h.reset_index(), on="stratum", how="left")
        nh = s["n_h"].astype("float64")
        s["c"] = np.where(
            nh > 1, nh / (nh - 1).clip(lower=1) * (s["z2"] - s["z"] ** 2 / nh), s["z2"]
        )
        s["c"] = s["c"].clip(lower=0.0)
        var = s.groupby(by, observed=True)["c"].sum()
        result[v] = g["mean"]
        result[f"{v}__se"] = np.sqrt(var)
    for k in levels:
        p = result[f"L{k}"]
        var = result[f"L{k}__se"] ** 2
        n = result["n"].astype("float64")
        neff = np.where(
            (var > 0) & (p > 0) & (p < 1), np.minimum(n, p * (1 - p) / var.where(var > 0, 1)), n
        )
        z2 = Z95 * Z95
        denom = 1 + z2 / neff
        centre = (p + z2 / (2 * neff)) / denom
        half = Z95 * np.sqrt(np.clip(p * (1 - p) / neff + z2 / (4 * neff * neff), 0, None)) / denom
        result[f"L{k}__lo"] = np.clip(centre - half, 0, None)
        result[f"L{k}__hi"] = np.clip(centre + half, None, 1)
    return result.reset_index()


def compare(rows: list[dict[str, Any]], pdf: Any, layout: Layout) -> dict[str, Any]:
    """Largest differences between the two implementations over every group."""
    index = {tuple(str(r[b]) for b in BY): r for r in rows}
    worst_mean = worst_ci = worst_share = 0.0
    matched = 0
    for rec in pdf.to_dict("records"):
        key = tuple(str(rec[b]) for b in BY)
        row = index.get(key)
        if row is None:
            continue
        matched += 1
        assert row["n"] == rec["n"], key
        worst_mean = max(worst_mean, abs(row["mean"] - rec["overall"]))
        lo = max(0.0, rec["overall"] - Z95 * rec["overall__se"])
        worst_ci = max(worst_ci, abs(row["ci_low"] - lo))
        for p in layout.pillars:
            val = rec[f"p_{p}"]
            if row["pillars"][p] is not None and not math.isnan(val):
                worst_mean = max(worst_mean, abs(row["pillars"][p] - val))
        for k in layout.levels:
            worst_share = max(worst_share, abs((row["levels"][str(k)] or 0) - rec[f"L{k}"]))
            worst_share = max(
                worst_share, abs((row["levels_ci"][str(k)][1] or 0) - rec[f"L{k}__hi"])
            )
    return {
        "groups": len(rows),
        "groups_matched": matched,
        "groups_pandas": len(pdf),
        # rows are rounded to 0.01 (means) and 0.0001 (shares) for display
        "max_abs_diff_mean": round(worst_mean, 6),
        "max_abs_diff_ci_low": round(worst_ci, 6),
        "max_abs_diff_share": round(worst_share, 6),
        "same_numbers": matched == len(rows) == len(pdf)
        and worst_mean <= 0.0051
        and worst_ci <= 0.0051
        and worst_share <= 0.00006,
    }


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--data", default=str(ROOT / "var" / "bench"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--slices", type=int, default=200)
    ap.add_argument("--pandas-runs", type=int, default=2)
    args = ap.parse_args()
    data = Path(args.data)
    fw = framework_from_dict(json.loads((data / "framework.json").read_text()), "bench")
    criteria = fw.criteria()
    layout = Layout(
        pillars=tuple(p.code for p in fw.pillars),
        criteria=tuple(c.code for c in criteria),
        levels=tuple(lv.code for lv in fw.levels),
        targets={c.code: c.target for c in criteria},
    )
    path = data / "responses.parquet"
    needed = ["province", "commune", "sector", "entity_type", "size", "level", "overall",
              *[f"p_{p}" for p in layout.pillars], "weight", "stratum"]  # fmt: skip

    def from_store() -> list[dict[str, Any]]:
        frame = pl.read_parquet(path, columns=needed)
        return aggregate_rows(cube_of(frame, layout), BY, layout)

    load_start = [round(x, 2) for x in os.getloadavg()]
    from_store()  # warm-up (page cache, thread pool)
    store_times, rows = _timed(from_store, args.runs)
    frame = pl.read_parquet(path, columns=needed)
    mem_times, rows_mem = _timed(
        lambda: aggregate_rows(cube_of(frame, layout), BY, layout), args.runs
    )
    assert rows_mem == rows
    cube = cube_of(frame, layout)  # what a warm dashboard process holds

    # warm dashboard slices
    rnd = random.Random(5)
    provinces = frame["province"].unique().cast(pl.Utf8).to_list()
    sectors = frame["sector"].unique().cast(pl.Utf8).to_list()
    shapes: list[tuple[list[str], Callable[[], dict[str, list[str]]]]] = [
        (["commune"], lambda: {"province": [rnd.choice(provinces)]}),
        (["size"], lambda: {"province": [rnd.choice(provinces)], "sector": [rnd.choice(sectors)]}),
        (["province"], lambda: {"entity_type": ["enterprise"]}),
        (["sector"], lambda: {"province": [rnd.choice(provinces)]}),
        ([], lambda: {"province": [rnd.choice(provinces)], "size": ["micro"]}),
        (["entity_type", "size"], lambda: {"province": [rnd.choice(provinces)]}),
    ]
    for by, make in shapes:  # warm-up
        estimate_slice(cube, by, make(), layout)
    slice_times: list[float] = []
    per_shape: dict[str, list[float]] = {}
    for i in range(args.slices):
        by, make = shapes[i % len(shapes)]
        filters = make()
        t = time.perf_counter()
        estimate_slice(cube, by, filters, layout)
        dt = time.perf_counter() - t
        slice_times.append(dt)
        per_shape.setdefault(f"by={','.join(by) or '-'} filters={','.join(filters)}", []).append(dt)
    rss_polars = _maxrss_mb()
    print(
        json.dumps(
            {
                "store_s": store_times,
                "memory_s": mem_times,
                "slice_p95_ms": 1000 * sorted(slice_times)[int(0.95 * (len(slice_times) - 1))],
            }
        ),
        file=sys.stderr,
    )

    # pandas baseline
    pdf_in = frame.to_pandas()
    values = ["overall", *[f"p_{p}" for p in layout.pillars]]
    pandas_times, pdf = _timed(
        lambda: pandas_aggregate(pdf_in, BY, values, list(layout.levels)), args.pandas_runs
    )
    check = compare(rows, pdf, layout)
    mem_median = statistics.median(mem_times)
    pandas_median = statistics.median(pandas_times)
    slice_sorted = sorted(slice_times)
    summary = {
        "load_average_1_5_15_at_start": load_start,
        "responses": frame.height,
        "criteria": len(layout.criteria),
        "pillars": len(layout.pillars),
        "levels": len(layout.levels),
        "groups": len(rows),
        "cube_cells": cube.height,
        "grouping": "province × sector × entity_type, with level shares",
        "full_aggregation_from_parquet_s": _stats(store_times),
        "full_aggregation_in_memory_s": _stats(mem_times),
        "pandas_full_aggregation_in_memory_s": _stats(pandas_times),
        "speedup_in_memory_vs_pandas": round(pandas_median / mem_median, 1),
        "speedup_from_parquet_vs_pandas_in_memory": round(
            pandas_median / statistics.median(store_times), 1
        ),
        "slice_queries": {
            "count": len(slice_times),
            "p50_ms": round(1000 * statistics.median(slice_times), 2),
            "p95_ms": round(1000 * slice_sorted[int(0.95 * (len(slice_sorted) - 1))], 2),
            "max_ms": round(1000 * slice_sorted[-1], 2),
            "median_ms_by_shape": {
                k: round(1000 * statistics.median(v), 2) for k, v in per_shape.items()
            },
        },
        "check_against_pandas": check,
        "maxrss_mb_after_polars": rss_polars,
        "maxrss_mb_after_pandas": _maxrss_mb(),
        "polars": pl.__version__,
        "load_average_1_5_15_at_end": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
    }
    print(json.dumps(summary, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
