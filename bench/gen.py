"""National-scale synthetic data in the wide columnar layout of the analytics store.

Population: 1,000,000 enterprises and 5,000,000 household businesses across the 3,321 communes
of the current structure, skewed by province (a few large cities hold most firms), by commune
(log-normal within each province) and by sector (province-specific mixes). Responses: a
sample of the population (default 5,000,000) with response propensity varying by province,
answered at random for the 50-criterion benchmark set and scored with the real batch scorer.
Post-stratification weights are computed by the product's own code.

Writes ``<out>/population.parquet`` (commune × entity type × size counts) and
``<out>/responses.parquet`` (one row per response: unit codes, sector, entity type, size,
level, overall, one Float32 column per pillar, one UInt8 column per criterion, weight,
stratum).

Run: .venv/bin/python bench/gen.py [--out var/bench] [--enterprises 1000000]
     [--households 5000000] [--responses 5000000] [--seed 2025]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _synth import columns, framework_dict
from thuocdo.analytics.domain.stats import poststratify
from thuocdo.frameworks.engine import BatchScorer, framework_from_dict
from thuocdo.geo.sources import current_units

ROOT = Path(__file__).resolve().parent.parent

SECTORS = ["retail", "manufacturing", "agriculture", "tourism", "logistics", "general"]
SECTOR_BASE = np.array([0.34, 0.12, 0.16, 0.08, 0.05, 0.25])
ENTERPRISE_SIZES = (["micro", "small", "medium", "large"], np.array([0.68, 0.24, 0.05, 0.03]))
HOUSEHOLD_SIZES = (["micro", "small"], np.array([0.97, 0.03]))
# Hà Nội (01) and TP Hồ Chí Minh (79) hold a large share of enterprises.
BIG = {"79": 9.0, "01": 7.0, "48": 2.0, "31": 2.0, "92": 1.8}


def population(
    rng: np.random.Generator, n_ent: int, n_hh: int
) -> tuple[pl.DataFrame, pl.DataFrame]:
    units = current_units()
    provinces = [u.code for u in units if u.level == "province"]
    communes = [(u.code, u.parent_code) for u in units if u.level == "commune"]
    c_code = np.array([c for c, _ in communes])
    c_prov = np.array([p for _, p in communes])
    prov_weight = {p: BIG.get(p, 1.0) * rng.lognormal(0, 0.35) for p in provinces}
    commune_w = rng.lognormal(0, 1.0, len(communes)) * np.array([prov_weight[p] for p in c_prov])
    sector_mix = {p: rng.dirichlet(SECTOR_BASE * 40) for p in provinces}
    frames = []
    for etype, n, (sizes, size_p), skew in (
        ("enterprise", n_ent, ENTERPRISE_SIZES, 1.6),
        ("household_business", n_hh, HOUSEHOLD_SIZES, 1.0),
    ):
        w = commune_w**skew
        idx = rng.choice(len(communes), size=n, p=w / w.sum())
        size = rng.choice(len(sizes), size=n, p=size_p)
        sector = np.empty(n, dtype=np.int8)
        prov_of = c_prov[idx]
        for p in provinces:
            m = prov_of == p
            sector[m] = rng.choice(len(SECTORS), size=int(m.sum()), p=sector_mix[p])
        frames.append(
            pl.DataFrame(
                {
                    "province": prov_of,
                    "commune": c_code[idx],
                    "entity_type": np.full(n, etype),
                    "size": np.array(sizes)[size],
                    "sector": np.array(SECTORS)[sector],
                }
            )
        )
    orgs = pl.concat(frames)
    counts = orgs.group_by(["province", "commune", "entity_type", "size"]).agg(
        pl.len().cast(pl.Int64).alias("population")
    )
    return orgs, counts


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--out", default=str(ROOT / "var" / "bench"))
    ap.add_argument("--enterprises", type=int, default=1_000_000)
    ap.add_argument("--households", type=int, default=5_000_000)
    ap.add_argument("--responses", type=int, default=5_000_000)
    ap.add_argument("--seed", type=int, default=2025)
    ap.add_argument("--chunk", type=int, default=500_000)
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(args.seed)
    t0 = time.perf_counter()
    orgs, counts = population(rng, args.enterprises, args.households)
    t_pop = time.perf_counter() - t0

    # Responding organisations: propensity varies by province (0.5×–1.5×).
    n_resp = min(args.responses, orgs.height)
    provs = orgs["province"].unique().sort().to_list()
    propensity = dict(zip(provs, rng.uniform(0.5, 1.5, len(provs)), strict=True))
    p = orgs["province"].replace_strict(propensity, return_dtype=pl.Float64).to_numpy()
    chosen = rng.choice(orgs.height, size=n_resp, replace=False, p=p / p.sum())
    chosen.sort()
    resp = orgs[chosen]

    d = framework_dict()
    fw = framework_from_dict(d, "bench")
    scorer = BatchScorer(fw)
    pillar_codes = [pl_.code for pl_ in fw.pillars]
    crit_codes = [c.code for c in fw.criteria()]
    t1 = time.perf_counter()
    parts = []
    for start in range(0, n_resp, args.chunk):
        n = min(args.chunk, n_resp - start)
        cols, answered = columns(d, n, seed=args.seed + start)
        enc = scorer.from_columns(cols, answered, validate=False)
        res = scorer.score(enc)
        data: dict[str, object] = {
            "response_id": np.arange(start, start + n, dtype=np.int64),
            "level": res.level.astype(np.int8),
            "overall": res.overall.astype(np.float32),
        }
        for j, code in enumerate(pillar_codes):
            col = res.pillars[:, j].astype(np.float32)
            data[f"p_{code}"] = pl.Series(col, nan_to_null=True)
        for j, code in enumerate(crit_codes):
            raw = res.criteria[:, j]
            data[f"c_{code}"] = pl.Series(
                np.where(np.isnan(raw), np.nan, np.floor(raw)), nan_to_null=True
            ).cast(pl.UInt8)
        parts.append(pl.DataFrame(data))
    scores = pl.concat(parts)
    t_score = time.perf_counter() - t1
    frame = pl.concat([resp, scores], how="horizontal")
    t2 = time.perf_counter()
    weighted, summary = poststratify(frame, counts)
    t_weights = time.perf_counter() - t2
    # rows in grain order, as the store keeps them (cube cells are contiguous)
    weighted = weighted.sort(["commune", "sector", "entity_type", "size", "response_id"])
    weighted = weighted.drop("collapse").with_columns(
        [
            pl.col(k).cast(pl.Categorical)
            for k in ("province", "commune", "sector", "entity_type", "size", "stratum")
        ]
    )
    t3 = time.perf_counter()
    weighted.write_parquet(out / "responses.parquet", compression="zstd", statistics=True)
    counts.write_parquet(out / "population.parquet")
    (out / "framework.json").write_text(json.dumps(d, ensure_ascii=False))
    t_write = time.perf_counter() - t3
    print(
        json.dumps(
            {
                "population": orgs.height,
                "enterprises": args.enterprises,
                "household_businesses": args.households,
                "responses": weighted.height,
                "communes_with_responses": int(weighted["commune"].n_unique()),
                "population_cells": counts.height,
                "weighting_cells": summary.cells,
                "collapsed_respondents": summary.collapsed,
                "columns": weighted.width,
                "parquet_mb": round((out / "responses.parquet").stat().st_size / 2**20, 1),
                "seconds": {
                    "population": round(t_pop, 2),
                    "scoring": round(t_score, 2),
                    "weights": round(t_weights, 2),
                    "write": round(t_write, 2),
                },
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
