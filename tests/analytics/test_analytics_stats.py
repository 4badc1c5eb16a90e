"""Estimators checked against independent computations (explicit loops and statsmodels)."""

from __future__ import annotations

import math
import random
from collections import defaultdict

import numpy as np
import polars as pl
import pytest
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.weightstats import DescrStatsW

from thuocdo.analytics.domain.stats import (
    Z95,
    domain_estimates,
    effective_n,
    poststratify,
    quality,
    run_sums,
    wilson,
)


def _resp(rows: list[tuple[str, str, str, str]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "province": [r[0] for r in rows],
            "commune": [r[1] for r in rows],
            "entity_type": [r[2] for r in rows],
            "size": [r[3] for r in rows],
        }
    )


def _pop(rows: list[tuple[str, str, str, str, int]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "province": [r[0] for r in rows],
            "commune": [r[1] for r in rows],
            "entity_type": [r[2] for r in rows],
            "size": [r[3] for r in rows],
            "population": [r[4] for r in rows],
        }
    )


def test_weights_are_population_over_respondents_per_cell() -> None:
    resp = _resp([("01", "c1", "e", "micro")] * 2 + [("01", "c2", "e", "micro")] * 5)
    pop = _pop([("01", "c1", "e", "micro", 30), ("01", "c2", "e", "micro", 20)])
    out, summary = poststratify(resp, pop)
    weights = sorted(out["weight"].to_list())
    assert weights == [4.0] * 5 + [15.0] * 2
    assert summary.weighted
    assert summary.cells == 2
    assert math.isclose(sum(weights), 50.0)


def test_empty_cell_is_spread_over_its_province_type_size() -> None:
    # c3 has population but no respondents: its 10 units are carried by c1 and c2, the cells
    # of (01, e, micro) that answered, in proportion to their population (30 and 20).
    resp = _resp([("01", "c1", "e", "micro")] * 2 + [("01", "c2", "e", "micro")] * 3)
    pop = _pop(
        [
            ("01", "c1", "e", "micro", 30),
            ("01", "c2", "e", "micro", 20),
            ("01", "c3", "e", "micro", 10),
        ]
    )
    out, summary = poststratify(resp, pop)
    by_commune = dict(out.group_by("commune").agg(pl.col("weight").first()).iter_rows())
    assert by_commune["c1"] == pytest.approx(30 / 2 * 60 / 50)  # 18
    assert by_commune["c2"] == pytest.approx(20 / 3 * 60 / 50)  # 8
    assert summary.collapsed == {1: 5}
    assert summary.cells == 2  # c1 and c2 stay strata of their own
    assert summary.unrepresented == 0
    assert math.isclose(float(out["weight"].sum()), 60.0)


def test_a_province_nobody_answered_leaves_the_other_weights_alone() -> None:
    # Province 03 has 500 units and no respondent. The represented cells keep N / n, their
    # own strata, and 03's population is reported, not spread over the other provinces.
    resp = _resp(
        [("01", "c1", "e", "micro")] * 4
        + [("01", "c2", "h", "small")] * 2
        + [("02", "c5", "e", "micro")] * 5
    )
    pop = _pop(
        [
            ("01", "c1", "e", "micro", 40),
            ("01", "c2", "h", "small", 10),
            ("02", "c5", "e", "micro", 50),
            ("03", "c8", "e", "micro", 300),
            ("03", "c9", "h", "micro", 200),
        ]
    )
    out, summary = poststratify(resp, pop)
    got = {
        (r["commune"], r["weight"], r["stratum"], r["collapse"]) for r in out.iter_rows(named=True)
    }
    assert got == {
        ("c1", 10.0, "01|c1|e|micro", 0),
        ("c2", 5.0, "01|c2|h|small", 0),
        ("c5", 10.0, "02|c5|e|micro", 0),
    }
    assert summary.cells == 3
    assert summary.collapsed == {}
    assert summary.population == 600.0
    assert summary.unrepresented == 500.0
    assert math.isclose(float(out["weight"].sum()), 100.0)


def test_an_empty_cell_changes_only_its_own_group() -> None:
    # c3's micro enterprises (12) are carried by c1's micro enterprises, the only micro 'e'
    # respondents of province 01; the small enterprises and the households keep N / n.
    resp = _resp(
        [("01", "c1", "e", "micro")] * 3
        + [("01", "c1", "e", "small")] * 2
        + [("01", "c3", "h", "micro")] * 4
    )
    pop = _pop(
        [
            ("01", "c1", "e", "micro", 24),
            ("01", "c3", "e", "micro", 12),
            ("01", "c1", "e", "small", 6),
            ("01", "c3", "h", "micro", 20),
        ]
    )
    out, summary = poststratify(resp, pop)
    got = {(r["size"], r["entity_type"], r["weight"]) for r in out.iter_rows(named=True)}
    assert got == {("micro", "e", 12.0), ("small", "e", 3.0), ("micro", "h", 5.0)}
    assert summary.cells == 3
    assert summary.collapsed == {1: 3}


def test_collapse_goes_further_when_the_coarser_cell_is_empty() -> None:
    # Only small firms answered; micro firms (40) must join at province × entity type.
    resp = _resp([("01", "c1", "e", "small")] * 4 + [("02", "c9", "h", "micro")] * 2)
    pop = _pop(
        [
            ("01", "c1", "e", "small", 20),
            ("01", "c1", "e", "micro", 40),
            ("02", "c9", "h", "micro", 7),
            ("02", "c9", "e", "micro", 3),  # no enterprise respondent in province 02
        ]
    )
    out, summary = poststratify(resp, pop)
    by_prov = dict(out.group_by("province").agg(pl.col("weight").first()).iter_rows())
    assert by_prov["01"] == pytest.approx(60 / 4)
    # province 02: no 'e' respondent at all → collapses to the province: (7 + 3) / 2
    assert by_prov["02"] == pytest.approx(10 / 2)
    assert math.isclose(float(out["weight"].sum()), 70.0)
    assert summary.collapsed == {2: 4, 3: 2}


def test_respondent_outside_every_population_cell_still_gets_a_weight() -> None:
    resp = _resp([("01", "c1", "e", "micro")] * 3 + [("01", "c7", "e", "micro")])
    pop = _pop([("01", "c1", "e", "micro", 12)])
    out, _ = poststratify(resp, pop)
    assert set(out["weight"].to_list()) == {3.0}


def test_no_population_means_unweighted() -> None:
    resp = _resp([("01", "c1", "e", "micro")] * 3)
    out, summary = poststratify(resp, _pop([]).cast({"population": pl.Int64}))
    assert out["weight"].to_list() == [1.0, 1.0, 1.0]
    assert not summary.weighted


def _taylor_by_loop(rows: list[dict[str, object]], domain: object, var: str) -> tuple[float, float]:
    """Stratified linearised variance of a domain ratio mean, unit by unit."""
    in_d = [r for r in rows if r["d"] == domain and r[var] is not None]
    big_w = sum(float(r["w"]) for r in in_d)  # type: ignore[arg-type]
    ybar = sum(float(r["w"]) * float(r[var]) for r in in_d) / big_w  # type: ignore[arg-type]
    strata: dict[object, list[float]] = defaultdict(list)
    for r in rows:
        z = 0.0
        if r["d"] == domain and r[var] is not None:
            z = float(r["w"]) * (float(r[var]) - ybar) / big_w  # type: ignore[arg-type]
        strata[r["h"]].append(z)
    v = 0.0
    for zs in strata.values():
        nh = len(zs)
        if nh == 1:
            v += zs[0] ** 2
            continue
        zbar = sum(zs) / nh
        v += nh / (nh - 1) * sum((z - zbar) ** 2 for z in zs)
    return ybar, v


def test_weighted_mean_and_taylor_variance_match_an_explicit_loop() -> None:
    rnd = random.Random(7)
    rows: list[dict[str, object]] = []
    for h in range(6):
        nh = 1 if h == 5 else rnd.randint(2, 9)
        w = rnd.uniform(1, 30)
        for _ in range(nh):
            rows.append(
                {
                    "h": f"s{h}",
                    "w": w,
                    "d": rnd.choice(["A", "B"]),
                    "y": rnd.uniform(0, 100),
                    "p": None if rnd.random() < 0.2 else rnd.uniform(0, 100),
                    "level": rnd.randint(0, 3),
                }
            )
    frame = pl.DataFrame(
        {
            "stratum": [r["h"] for r in rows],
            "weight": [r["w"] for r in rows],
            "d": [r["d"] for r in rows],
            "y": [r["y"] for r in rows],
            "p": [r["p"] for r in rows],
            "level": [r["level"] for r in rows],
        }
    )
    est = domain_estimates(frame, ["d"], ["y", "p"], [0, 1, 2, 3])
    for rec in est.iter_rows(named=True):
        for var in ("y", "p"):
            mean, v = _taylor_by_loop(rows, rec["d"], var)
            assert rec[var] == pytest.approx(mean, rel=1e-12)
            assert rec[f"{var}__se"] == pytest.approx(math.sqrt(v), rel=1e-9)
            assert rec[f"{var}__lo"] == pytest.approx(max(0.0, mean - Z95 * math.sqrt(v)))
        for k in range(4):
            for r in rows:
                r[f"L{k}"] = 1.0 if r["level"] == k else 0.0
            share, v = _taylor_by_loop(rows, rec["d"], f"L{k}")
            assert rec[f"L{k}"] == pytest.approx(share, rel=1e-12)
            assert rec[f"L{k}__se"] == pytest.approx(math.sqrt(v), rel=1e-9, abs=1e-15)
        assert rec["n"] == sum(1 for r in rows if r["d"] == rec["d"])


def test_single_stratum_equal_weights_match_statsmodels_standard_error() -> None:
    ys = [12.0, 40.0, 55.5, 61.0, 70.0, 88.0, 90.0, 33.0]
    frame = pl.DataFrame(
        {"stratum": ["s"] * len(ys), "weight": [2.5] * len(ys), "y": ys, "level": [0] * len(ys)}
    )
    est = domain_estimates(frame, [], ["y"], [0]).row(0, named=True)
    ref = DescrStatsW(ys)
    assert est["y"] == pytest.approx(ref.mean)
    # with one stratum and equal weights the linearised SE is s / sqrt(n)
    assert est["y__se"] == pytest.approx(ref.std_mean)
    lo, hi = ref.zconfint_mean(alpha=0.05)
    assert est["y__lo"] == pytest.approx(lo)
    assert est["y__hi"] == pytest.approx(hi)


def test_weighted_mean_matches_statsmodels() -> None:
    ys = [10.0, 20.0, 90.0, 35.0]
    ws = [1.0, 3.0, 0.5, 2.0]
    frame = pl.DataFrame({"stratum": ["a", "a", "b", "b"], "weight": ws, "y": ys, "level": [0] * 4})
    est = domain_estimates(frame, [], ["y"], [0]).row(0, named=True)
    assert est["y"] == pytest.approx(DescrStatsW(ys, weights=ws).mean)
    assert est["population"] == pytest.approx(sum(ws))


@pytest.mark.parametrize(("count", "n"), [(0, 10), (1, 10), (5, 10), (10, 10), (3, 47)])
def test_wilson_matches_statsmodels(count: int, n: int) -> None:
    lo, hi = wilson(count / n, n)
    ref_lo, ref_hi = proportion_confint(count, n, alpha=0.05, method="wilson")
    assert lo == pytest.approx(ref_lo, abs=1e-12)
    assert hi == pytest.approx(ref_hi, abs=1e-12)


def test_level_share_interval_uses_effective_sample_size() -> None:
    # Two strata with very different weights: deff > 1, so n* < n and the interval is wider.
    levels = [1, 0, 0, 0, 1, 1, 0, 1, 0, 0]
    ws = [1.0] * 5 + [9.0] * 5
    frame = pl.DataFrame(
        {
            "stratum": ["a"] * 5 + ["b"] * 5,
            "weight": ws,
            "level": levels,
            "y": [0.0] * 10,
        }
    )
    est = domain_estimates(frame, [], ["y"], [0, 1]).row(0, named=True)
    p = sum(w for w, lv in zip(ws, levels, strict=True) if lv == 1) / sum(ws)
    assert est["L1"] == pytest.approx(p)
    n_eff = effective_n(p, est["L1__se"] ** 2, 10)
    assert n_eff < 10
    ref_lo, ref_hi = proportion_confint(p * n_eff, n_eff, alpha=0.05, method="wilson")
    assert est["L1__lo"] == pytest.approx(ref_lo)
    assert est["L1__hi"] == pytest.approx(ref_hi)


@pytest.mark.parametrize(
    ("n", "cv", "flag"),
    [
        (50, 0.05, "ok"),
        (50, 0.165, "ok"),
        (50, 0.2, "caution"),
        (50, 0.34, "unreliable"),
        (9, 0.01, "unreliable"),
        (50, None, "unreliable"),
    ],
)
def test_quality_flags(n: int, cv: float | None, flag: str) -> None:
    assert quality(n, cv) == flag


def test_run_sums_are_the_sums_of_each_run_of_rows() -> None:
    rng = np.random.default_rng(7)
    values = rng.random((50, 4))
    rows = rng.permutation(50)
    starts = np.array([0, 1, 2, 10, 11, 30, 49])  # runs of 1, 1, 8, 1, 19, 19 and 1 rows
    expected = np.array(
        [values[rows[a:b]].sum(axis=0) for a, b in zip(starts, [*starts[1:], 50], strict=True)]
    )
    assert np.allclose(run_sums(values, starts, rows=rows), expected)
    assert np.allclose(run_sums(values, starts), np.add.reduceat(values, starts, axis=0))
