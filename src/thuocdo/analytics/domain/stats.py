"""Survey estimators used for published results (no Django here).

- :func:`poststratify`: post-stratification weights ``w = N_h / n_h`` on population cells
  (commune × entity type × size), collapsing a cell that has no respondents (or no
  population) into a coarser one: province × entity type × size, then province × entity type,
  then province, then the whole area.
- :func:`domain_estimates`: weighted means of score columns for every domain (group) with the
  variance by Taylor linearisation under a stratified design (the final weighting cells are
  the strata), and weighted level shares with Wilson intervals on the design-effect effective
  sample size.
- :func:`wilson`, :func:`quality`: interval and precision flag helpers.

``docs/statistics.md`` writes the formulas down.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

Z95 = 1.959963984540054
CV_OK = 0.165
CV_CAUTION = 0.333
MIN_QUALITY_N = 10

# Collapse order of the weighting cells: each level lists the key columns of a cell.
COLLAPSE_LEVELS: tuple[tuple[str, ...], ...] = (
    ("province", "commune", "entity_type", "size"),
    ("province", "entity_type", "size"),
    ("province", "entity_type"),
    ("province",),
    (),
)
CELL_KEYS = COLLAPSE_LEVELS[0]


@dataclass(frozen=True)
class WeightSummary:
    """How the weights were formed."""

    weighted: bool  # False when the campaign has no population counts (all weights 1)
    cells: int  # final weighting cells (strata)
    collapsed: dict[int, int]  # collapse level → respondents whose cell was collapsed there
    population: float


def _level_key(keys: Sequence[str]) -> pl.Expr:
    if not keys:
        return pl.lit("*")
    return pl.concat_str([pl.col(k).cast(pl.Utf8).fill_null("") for k in keys], separator="|")


def poststratify(
    respondents: pl.DataFrame, population: pl.DataFrame
) -> tuple[pl.DataFrame, WeightSummary]:
    """Add ``weight``, ``stratum`` (final cell, a string) and ``collapse`` (level 0–4).

    ``respondents`` and ``population`` carry the cell keys ``province``, ``commune``,
    ``entity_type`` and ``size`` (strings; blank size is its own value); ``population`` also
    ``population`` (the count N of the cell). A cell is usable when it has at least one
    respondent and a positive population; an unusable cell is merged with every cell of its
    coarser group, level by level, until the merged group is usable.
    """
    resp_cells = respondents.group_by(list(CELL_KEYS)).agg(pl.len().alias("n"))
    if population.height == 0 or float(population["population"].sum()) <= 0:
        n = respondents.height
        out = respondents.with_columns(
            pl.lit(1.0).alias("weight"), pl.lit("*").alias("stratum"), pl.lit(0).alias("collapse")
        )
        return out, WeightSummary(False, 1 if n else 0, {}, float(n))
    pop_cells = (
        population.select([*CELL_KEYS, "population"])
        .with_columns(pl.col(k).cast(pl.Utf8).fill_null("") for k in CELL_KEYS)
        .group_by(list(CELL_KEYS))
        .agg(pl.col("population").sum().cast(pl.Float64).alias("N"))
    )
    resp_cells = resp_cells.with_columns(pl.col(k).cast(pl.Utf8).fill_null("") for k in CELL_KEYS)
    cells = pop_cells.join(resp_cells, on=list(CELL_KEYS), how="full", coalesce=True).with_columns(
        pl.col("N").fill_null(0.0), pl.col("n").fill_null(0).cast(pl.Int64)
    )
    cells = cells.with_columns(
        _level_key(COLLAPSE_LEVELS[0]).alias("final"),
        pl.lit(0).alias("collapse"),
        ((pl.col("n") > 0) & (pl.col("N") > 0)).alias("ok"),
    )
    # ``pending`` marks cells whose current group is still unusable.
    cells = cells.with_columns((~pl.col("ok")).alias("pending"))
    for level, keys in enumerate(COLLAPSE_LEVELS[1:], start=1):
        gkey = _level_key(keys).alias("g")
        cells = cells.with_columns(gkey)
        groups = cells.group_by("g").agg(
            pl.col("pending").any().alias("merge"),
            pl.col("n").sum().alias("gn"),
            pl.col("N").sum().alias("gN"),
        )
        cells = cells.join(groups, on="g", how="left")
        cells = cells.with_columns(
            pl.when(pl.col("merge")).then(pl.col("g")).otherwise(pl.col("final")).alias("final"),
            pl.when(pl.col("merge"))
            .then(pl.lit(level))
            .otherwise(pl.col("collapse"))
            .alias("collapse"),
            pl.when(pl.col("merge"))
            .then(~((pl.col("gn") > 0) & (pl.col("gN") > 0)))
            .otherwise(pl.lit(False))
            .alias("pending"),
        ).drop("g", "merge", "gn", "gN")
    finals = cells.group_by("final").agg(
        pl.col("n").sum().alias("fn"), pl.col("N").sum().alias("fN")
    )
    cells = cells.join(finals, on="final", how="left").with_columns(
        pl.when(pl.col("fn") > 0)
        .then(pl.col("fN") / pl.col("fn"))
        .otherwise(pl.lit(0.0))
        .alias("weight")
    )
    keyed = respondents.with_columns(pl.col(k).cast(pl.Utf8).fill_null("") for k in CELL_KEYS)
    out = keyed.join(
        cells.select([*CELL_KEYS, "weight", "final", "collapse"]),
        on=list(CELL_KEYS),
        how="left",
    ).rename({"final": "stratum"})
    collapsed_counts = (
        out.filter(pl.col("collapse") > 0)
        .group_by("collapse")
        .agg(pl.len().alias("k"))
        .sort("collapse")
    )
    summary = WeightSummary(
        True,
        int(out["stratum"].n_unique()) if out.height else 0,
        {int(r["collapse"]): int(r["k"]) for r in collapsed_counts.iter_rows(named=True)},
        float(pop_cells["N"].sum()),
    )
    return out, summary


def wilson(p: float, n_eff: float, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a proportion ``p`` observed on ``n_eff`` (effective) cases."""
    if n_eff <= 0:
        return (0.0, 1.0)
    z2 = z * z
    denom = 1.0 + z2 / n_eff
    centre = (p + z2 / (2.0 * n_eff)) / denom
    half = z * math.sqrt(max(p * (1.0 - p) / n_eff + z2 / (4.0 * n_eff * n_eff), 0.0)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def effective_n(p: float, variance: float, n: int) -> float:
    """Design-effect effective sample size ``p(1-p)/V``, at most ``n`` (Korn–Graubard)."""
    if variance <= 0 or p <= 0 or p >= 1:
        return float(n)
    return min(float(n), p * (1.0 - p) / variance)


def quality(n: int, cv: float | None) -> str:
    """Precision flag: ``ok`` (CV ≤ 16.5 %), ``caution`` (≤ 33.3 %), ``unreliable``."""
    if n < MIN_QUALITY_N or cv is None or math.isnan(cv) or cv > CV_CAUTION:
        return "unreliable"
    if cv > CV_OK:
        return "caution"
    return "ok"


def response_rate(n: int, population: float) -> float | None:
    return None if population <= 0 else min(1.0, n / population)


def build_cube(
    frame: pl.DataFrame, keys: Sequence[str], values: Sequence[str], levels: Sequence[int]
) -> pl.DataFrame:
    """Per (keys, stratum, weight) cell: respondent count ``_n``; for each value ``v`` its
    count ``v__c``, sum ``v__s`` and sum of squares ``v__ss``; for each level ``k`` the count
    ``L{k}__c``. Every estimate below is a function of these sums, so a slice never has to go
    back to the rows. (Weights are constant within a weighting cell, so adding ``weight`` to
    the keys adds no rows; it keeps the sums exact for any weights.)"""
    gkeys = [*keys, "stratum", "weight"]
    lf = frame.lazy().with_columns(
        [
            (pl.col(v).cast(pl.Float64) * pl.col(v).cast(pl.Float64)).alias(f"{v}__sq")
            for v in values
        ]
    )
    aggs: list[pl.Expr] = [pl.len().alias("_n")]
    for v in values:
        aggs += [
            pl.col(v).count().alias(f"{v}__c"),
            pl.col(v).cast(pl.Float64).sum().alias(f"{v}__s"),
            pl.col(f"{v}__sq").sum().alias(f"{v}__ss"),
        ]
    for k in levels:
        aggs.append((pl.col("level") == k).sum().alias(f"L{k}__c"))
    return lf.group_by(gkeys).agg(aggs).collect()


def _cell_sums(
    cube: pl.DataFrame, by: list[str], values: Sequence[str], levels: Sequence[int]
) -> pl.DataFrame:
    """Per (domain, stratum) weighted sums needed by the linearised variance."""
    w = pl.col("weight")
    w2 = w * w
    derived: list[pl.Expr] = [
        pl.col("_n"),
        (w * pl.col("_n")).alias("__w"),
        (w2 * pl.col("_n")).alias("__w2"),
    ]
    for v in values:
        c, s_, ss = pl.col(f"{v}__c"), pl.col(f"{v}__s"), pl.col(f"{v}__ss")
        derived += [
            (w * c).alias(f"{v}__w"),
            (w * s_).alias(f"{v}__wy"),
            (w2 * c).alias(f"{v}__w2"),
            (w2 * s_).alias(f"{v}__w2y"),
            (w2 * ss).alias(f"{v}__w2y2"),
            c.alias(f"{v}__n"),
        ]
    for k in levels:
        lc = pl.col(f"L{k}__c")
        derived += [(w * lc).alias(f"L{k}__wy"), (w2 * lc).alias(f"L{k}__w2y")]
    cols = [e.meta.output_name() for e in derived]
    return (
        cube.select([*by, "stratum", *derived])
        .group_by([*by, "stratum"])
        .agg([pl.col(c).sum() for c in cols])
    )


def domain_estimates(
    frame: pl.DataFrame,
    by: Sequence[str],
    values: Sequence[str],
    levels: Sequence[int],
    z: float = Z95,
) -> pl.DataFrame:
    """Weighted estimates for every domain of ``by`` (all rows when ``by`` is empty).

    ``frame`` has ``weight``, ``stratum``, ``level`` and the ``values`` columns (nulls are
    outside that variable's domain). Result columns per domain: ``n``, ``population`` (Σw),
    for each value ``v``: ``v`` (mean), ``v__se``, ``v__lo``, ``v__hi``, ``v__n``; for each
    level ``k``: ``L{k}`` (share), ``L{k}__se``, ``L{k}__lo``, ``L{k}__hi`` (Wilson on the
    effective sample size).
    """
    by = list(by)
    if frame.height == 0:
        return pl.DataFrame()
    return estimates_from_cube(build_cube(frame, by, values, levels), by, values, levels, z=z)


def estimates_from_cube(
    cube: pl.DataFrame,
    by: Sequence[str],
    values: Sequence[str],
    levels: Sequence[int],
    z: float = Z95,
) -> pl.DataFrame:
    """:func:`domain_estimates` from the sums of :func:`build_cube` (any coarser ``by``)."""
    by = list(by)
    if cube.height == 0:
        return pl.DataFrame()
    sums = _cell_sums(cube, by, values, levels)
    nh = cube.group_by("stratum").agg(pl.col("_n").sum().alias("_nh"))
    sums = sums.join(nh, on="stratum", how="left")
    totals_exprs: list[pl.Expr] = [pl.col("_n").sum().alias("n"), pl.col("__w").sum().alias("_W")]
    for v in values:
        totals_exprs += [
            pl.col(f"{v}__w").sum().alias(f"{v}__W"),
            pl.col(f"{v}__wy").sum().alias(f"{v}__WY"),
            pl.col(f"{v}__n").sum().alias(f"{v}__n"),
        ]
    for k in levels:
        totals_exprs.append(pl.col(f"L{k}__wy").sum().alias(f"L{k}__WY"))
    totals = sums.group_by(by).agg(totals_exprs) if by else sums.select(totals_exprs)
    means: list[pl.Expr] = []
    for v in values:
        means.append(
            pl.when(pl.col(f"{v}__W") > 0)
            .then(pl.col(f"{v}__WY") / pl.col(f"{v}__W"))
            .otherwise(None)
            .alias(v)
        )
    for k in levels:
        means.append(
            pl.when(pl.col("_W") > 0)
            .then(pl.col(f"L{k}__WY") / pl.col("_W"))
            .otherwise(None)
            .alias(f"L{k}")
        )
    totals = totals.with_columns(means)
    mean_cols = [*values, *[f"L{k}" for k in levels]]
    denom_cols = [*[f"{v}__W" for v in values], *["_W" for _ in levels]]
    if by:
        joined = sums.join(
            totals.select([*by, *mean_cols, *set(denom_cols)]), on=by, how="left", suffix="_d"
        )
    else:
        joined = sums.join(totals.select([*mean_cols, *set(denom_cols)]), how="cross", suffix="_d")
    factor = (
        pl.when(pl.col("_nh") > 1).then(pl.col("_nh") / (pl.col("_nh") - 1)).otherwise(pl.lit(1.0))
    )
    var_exprs: list[pl.Expr] = []
    for v in values:
        ybar = pl.col(f"{v}_d") if f"{v}_d" in joined.columns else pl.col(v)
        big_w = pl.col(f"{v}__W_d") if f"{v}__W_d" in joined.columns else pl.col(f"{v}__W")
        b = (pl.col(f"{v}__wy") - ybar * pl.col(f"{v}__w")) / big_w
        a = (
            pl.col(f"{v}__w2y2")
            - 2.0 * ybar * pl.col(f"{v}__w2y")
            + ybar * ybar * pl.col(f"{v}__w2")
        ) / (big_w * big_w)
        contrib = pl.when(pl.col("_nh") > 1).then(factor * (a - b * b / pl.col("_nh"))).otherwise(a)
        var_exprs.append(
            contrib.fill_nan(0.0).fill_null(0.0).clip(lower_bound=0.0).alias(f"{v}__v")
        )
    for k in levels:
        pcol = f"L{k}_d" if f"L{k}_d" in joined.columns else f"L{k}"
        wcol = "_W_d" if "_W_d" in joined.columns else "_W"
        p = pl.col(pcol)
        big_w = pl.col(wcol)
        b = (pl.col(f"L{k}__wy") - p * pl.col("__w")) / big_w
        a = (pl.col(f"L{k}__w2y") * (1.0 - 2.0 * p) + p * p * pl.col("__w2")) / (big_w * big_w)
        contrib = pl.when(pl.col("_nh") > 1).then(factor * (a - b * b / pl.col("_nh"))).otherwise(a)
        var_exprs.append(
            contrib.fill_nan(0.0).fill_null(0.0).clip(lower_bound=0.0).alias(f"L{k}__v")
        )
    variances = joined.with_columns(var_exprs)
    vcols = [*[f"{v}__v" for v in values], *[f"L{k}__v" for k in levels]]
    if by:
        var_tot = variances.group_by(by).agg([pl.col(c).sum() for c in vcols])
        out = totals.join(var_tot, on=by, how="left")
    else:
        var_tot = variances.select([pl.col(c).sum() for c in vcols])
        out = pl.concat([totals, var_tot], how="horizontal")
    finals: list[pl.Expr] = [pl.col("_W").alias("population")]
    for v in values:
        se = pl.col(f"{v}__v").sqrt()
        finals += [
            se.alias(f"{v}__se"),
            (pl.col(v) - z * se).clip(lower_bound=0.0).alias(f"{v}__lo"),
            (pl.col(v) + z * se).clip(upper_bound=100.0).alias(f"{v}__hi"),
        ]
    # Wilson on the effective sample size n* = min(n, p(1-p)/V).
    for k in levels:
        p = pl.col(f"L{k}")
        var = pl.col(f"L{k}__v")
        n_all = pl.col("n").cast(pl.Float64)
        neff = (
            pl.when((var > 0) & (p > 0) & (p < 1))
            .then(pl.min_horizontal(n_all, p * (1.0 - p) / var))
            .otherwise(n_all)
        )
        z2 = z * z
        denom = 1.0 + z2 / neff
        centre = (p + z2 / (2.0 * neff)) / denom
        half = (
            z
            * (p * (1.0 - p) / neff + z2 / (4.0 * neff * neff)).clip(lower_bound=0.0).sqrt()
            / denom
        )
        finals += [
            var.sqrt().alias(f"L{k}__se"),
            (centre - half).clip(lower_bound=0.0).alias(f"L{k}__lo"),
            (centre + half).clip(upper_bound=1.0).alias(f"L{k}__hi"),
        ]
    out = out.with_columns(finals)
    keep = [*by, "n", "population"]
    for v in values:
        keep += [v, f"{v}__se", f"{v}__lo", f"{v}__hi", f"{v}__n"]
    for k in levels:
        keep += [f"L{k}", f"L{k}__se", f"L{k}__lo", f"L{k}__hi"]
    out = out.select(keep)
    return out.sort(by) if by else out
