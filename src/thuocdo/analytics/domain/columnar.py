"""The wide columnar copy of scored responses and the aggregations over it (no Django here).

One row per counted response; columns:

- ``response_id`` (Int64), ``updated_at`` (Datetime, UTC);
- ``province``, ``commune`` (current unit codes), ``sector``, ``entity_type``, ``size``
  (Categorical strings);
- ``level`` (Int8), ``overall`` (Float32), ``p_<pillar>`` (Float32, null = no applicable
  criterion), ``c_<criterion>`` (UInt8: the criterion score rounded down, null = not
  applicable; rounding down keeps ``score < target`` exact for whole-number targets);
- ``weight`` (Float64) and ``stratum`` (Categorical), written by post-stratification.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from thuocdo.analytics.domain.stats import Z95, Cube, build_cube, estimates_from_cube, quality

GROUP_KEYS: tuple[str, ...] = ("province", "commune", "sector", "entity_type", "size")
CELL_COLUMNS: tuple[str, ...] = ("province", "commune", "entity_type", "size")


@dataclass(frozen=True)
class Layout:
    """Column layout of one criteria-set version."""

    pillars: tuple[str, ...]
    criteria: tuple[str, ...]
    levels: tuple[int, ...]
    targets: Mapping[str, float]

    def pillar_col(self, code: str) -> str:
        return f"p_{code}"

    def criterion_col(self, code: str) -> str:
        return f"c_{code}"

    def schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {
            "response_id": pl.Int64,
            "updated_at": pl.Datetime("us", "UTC"),
            "province": pl.Utf8,
            "commune": pl.Utf8,
            "sector": pl.Utf8,
            "entity_type": pl.Utf8,
            "size": pl.Utf8,
            "level": pl.Int8,
            "overall": pl.Float32,
        }
        for p in self.pillars:
            schema[self.pillar_col(p)] = pl.Float32
        for c in self.criteria:
            schema[self.criterion_col(c)] = pl.UInt8
        return schema


RAW_SCHEMA: dict[str, Any] = {
    "response_id": pl.Int64,
    "status": pl.Utf8,
    "updated_at": pl.Datetime("us", "UTC"),
    "unit": pl.Int64,
    "sector": pl.Utf8,
    "entity_type": pl.Utf8,
    "size": pl.Utf8,
    "level": pl.Int64,
    "overall": pl.Float64,
    "pillar_scores": pl.Utf8,
    "criterion_scores": pl.Utf8,
}
"""Rows as the database's bulk read gives them: the JSON columns still text, ``unit`` the
response's commune id (legacy or current)."""

PLACES_SCHEMA: dict[str, Any] = {"unit": pl.Int64, "province": pl.Utf8, "commune": pl.Utf8}


def _json_fields(column: str, names: Sequence[str]) -> list[pl.Expr]:
    """One Float64 expression per key of the JSON object in ``column`` (null when absent)."""
    if not names:
        return []
    dtype = pl.Struct([pl.Field(n, pl.Float64) for n in names])
    decoded = pl.col(column).str.json_decode(dtype)
    return [decoded.struct.field(n) for n in names]


def raw_to_frame(raw: pl.DataFrame, layout: Layout, counted: Sequence[str]) -> pl.DataFrame:
    """Wide rows from raw rows (:data:`RAW_SCHEMA`), vectorised, still keyed by ``unit``
    (:func:`place` turns that into the current province and commune).

    Keeps the rows whose status is ``counted`` and that have an overall score; criterion
    scores are rounded down and clamped to 0–100."""
    rows = raw.filter(pl.col("status").is_in(list(counted)) & pl.col("overall").is_not_null())
    pillars = _json_fields("pillar_scores", layout.pillars)
    criteria = _json_fields("criterion_scores", layout.criteria)
    schema = layout.schema()
    exprs: list[pl.Expr] = [
        pl.col("response_id"),
        pl.col("updated_at"),
        pl.col("unit"),
        pl.col("sector").fill_null(""),
        pl.col("entity_type"),
        pl.col("size").fill_null(""),
        pl.col("level").fill_null(0),
        pl.col("overall"),
        *[e.alias(layout.pillar_col(p)) for p, e in zip(layout.pillars, pillars, strict=True)],
        *[
            e.floor().clip(0, 100).alias(layout.criterion_col(c))
            for c, e in zip(layout.criteria, criteria, strict=True)
        ],
    ]
    unplaced = pl.Schema(
        {k: v for k, v in schema.items() if k not in ("province", "commune")} | {"unit": pl.Int64}
    )
    return rows.select(exprs).cast(unplaced)


def place(rows: pl.DataFrame, places: pl.DataFrame, layout: Layout) -> pl.DataFrame:
    """The frame of ``layout.schema()``: rows of :func:`raw_to_frame` whose unit is in
    ``places`` (unit id → current province and commune codes), the others dropped."""
    schema = pl.Schema(layout.schema())
    placed = rows.join(places.select(list(PLACES_SCHEMA)), on="unit", how="inner")
    return placed.cast(schema).select(list(schema))


def upsert(
    base: pl.DataFrame | None, changed_ids: Sequence[int], rows: pl.DataFrame
) -> pl.DataFrame:
    """Replace every row whose id is in ``changed_ids`` by ``rows`` (which may drop some)."""
    if base is None or base.height == 0:
        return rows
    kept = base.select(rows.columns).filter(~pl.col("response_id").is_in(list(changed_ids)))
    return pl.concat([kept, rows.cast(kept.schema)], how="vertical")


def _opt(x: Any, digits: int = 2) -> float | None:
    if x is None:
        return None
    f = float(x)
    if math.isnan(f):
        return None
    return round(f, digits)


def value_columns(layout: Layout) -> list[str]:
    return ["overall", *[layout.pillar_col(p) for p in layout.pillars]]


def cube_of(frame: pl.DataFrame, layout: Layout) -> Cube:
    """The per-cell sums every aggregate is computed from (see ``stats.build_cube``)."""
    keys = [k for k in GROUP_KEYS if k in frame.columns]
    grain = [k for k in ("commune", "sector", "entity_type", "size") if k in keys]
    return build_cube(frame, keys, value_columns(layout), layout.levels, grain=grain)


def aggregate_rows(
    cube: Cube,
    by: Sequence[str],
    layout: Layout,
    z: float = Z95,
    *,
    domain: np.ndarray | None = None,
) -> list[dict[str, Any]]:
    """Rows of estimates per group: keys, ``n``, ``population``, ``response_rate``, ``mean``,
    ``ci_low``, ``ci_high``, ``cv``, ``quality``, ``levels`` (code → share),
    ``levels_ci`` (code → [low, high]), ``pillars`` (code → mean), ``pillars_ci``."""
    est = estimates_from_cube(cube, by, value_columns(layout), layout.levels, z=z, domain=domain)
    out: list[dict[str, Any]] = []
    if est.height == 0:
        return out
    for rec in est.iter_rows(named=True):
        row: dict[str, Any] = {k: rec[k] for k in by}
        n = int(rec["n"])
        mean = rec["overall"]
        se = rec["overall__se"]
        cv = (se / mean) if mean else None
        pop = float(rec["population"])
        row.update(
            n=n,
            population=round(pop, 1),
            response_rate=_opt(n / pop, 4) if pop > 0 else None,
            mean=_opt(mean),
            ci_low=_opt(rec["overall__lo"]),
            ci_high=_opt(rec["overall__hi"]),
            cv=_opt(cv, 4),
            quality=quality(n, cv),
            levels={str(k): _opt(rec[f"L{k}"], 4) for k in layout.levels},
            levels_ci={
                str(k): [_opt(rec[f"L{k}__lo"], 4), _opt(rec[f"L{k}__hi"], 4)]
                for k in layout.levels
            },
            pillars={p: _opt(rec[layout.pillar_col(p)]) for p in layout.pillars},
            pillars_ci={
                p: [
                    _opt(rec[f"{layout.pillar_col(p)}__lo"]),
                    _opt(rec[f"{layout.pillar_col(p)}__hi"]),
                ]
                for p in layout.pillars
            },
        )
        out.append(row)
    return out


def unmet_shares(frame: pl.DataFrame, layout: Layout, limit: int = 10) -> list[dict[str, Any]]:
    """Criteria most often unmet: weighted share of respondents, among those to whom the
    criterion applies, whose score is below its target; largest first."""
    if frame.height == 0 or not layout.criteria:
        return []
    exprs: list[pl.Expr] = []
    for c in layout.criteria:
        col = pl.col(layout.criterion_col(c))
        w = pl.col("weight")
        applies = col.is_not_null()
        exprs += [
            pl.when(applies).then(w).otherwise(0.0).sum().alias(f"{c}__a"),
            pl.when(applies & (col.cast(pl.Float64) < layout.targets.get(c, 100.0)))
            .then(w)
            .otherwise(0.0)
            .sum()
            .alias(f"{c}__u"),
            applies.sum().alias(f"{c}__n"),
        ]
    sums = frame.select(exprs).row(0, named=True)
    rows: list[dict[str, Any]] = []
    for order, c in enumerate(layout.criteria):
        a = float(sums[f"{c}__a"])
        if a <= 0:
            continue
        rows.append(
            {
                "criterion": c,
                "share": round(float(sums[f"{c}__u"]) / a, 4),
                "n": int(sums[f"{c}__n"]),
                "_order": order,
            }
        )
    rows.sort(key=lambda r: (-r["share"], r["_order"]))
    for r in rows:
        del r["_order"]
    return rows[:limit]


def rank(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows ordered by mean score (largest first) with a ``rank`` (ties share the rank);
    rows without a mean (suppressed) come last, unranked."""
    with_mean = [dict(r) for r in rows if r.get("mean") is not None]
    without = [dict(r, rank=None) for r in rows if r.get("mean") is None]
    with_mean.sort(key=lambda r: -float(r["mean"]))
    prev: float | None = None
    position = 0
    for i, r in enumerate(with_mean, start=1):
        if r["mean"] != prev:
            position = i
            prev = r["mean"]
        r["rank"] = position
    return with_mean + without


def apply_filters(frame: pl.DataFrame, filters: Mapping[str, Sequence[str]]) -> pl.DataFrame:
    """Keep rows whose column value is one of the given values (per column)."""
    exprs = [pl.col(col).cast(pl.Utf8).is_in(list(vals)) for col, vals in filters.items() if vals]
    if not exprs:
        return frame
    return frame.filter(pl.all_horizontal(exprs))


def estimate_slice(
    cube: Cube,
    by: Sequence[str],
    filters: Mapping[str, Sequence[str]],
    layout: Layout,
) -> list[dict[str, Any]]:
    """Estimates grouped by ``by`` inside ``filters``, from the cube of :func:`cube_of`.

    Provinces contain whole weighting cells (the weights never merge cells across provinces,
    see :func:`~thuocdo.analytics.domain.stats.poststratify`), so a province filter drops
    cells first. Every other filter defines a domain instead, so the variance still sees
    every respondent of each stratum.
    """
    if filters.get("province"):
        cube = cube.take(cube.mask_in("province", filters["province"]))
    rest = {k: v for k, v in filters.items() if k != "province" and v}
    if not rest:
        return aggregate_rows(cube, list(by), layout)
    mask = np.ones(cube.height, dtype=bool)
    for k, v in rest.items():
        mask &= cube.mask_in(k, v)
    return aggregate_rows(cube, list(by), layout, domain=mask)
