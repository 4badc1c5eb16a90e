"""Survey estimators used for published results (no Django here).

- :func:`poststratify`: post-stratification weights ``w = N_h / n_h`` on population cells
  (commune × entity type × size); a cell that has no respondents (or no population) is
  resolved in a coarser group of its province (province × entity type × size, then province ×
  entity type, then province) without touching the other groups; a province where nobody
  answered is left out and reported.
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
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
from scipy import sparse

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
    collapsed: dict[int, int]  # collapse level → respondents whose weight was formed there
    population: float  # population counted in the campaign's cells
    unrepresented: float = 0.0  # population of provinces where nobody answered (not weighted)


def _level_key(keys: Sequence[str], cell: Sequence[str]) -> str:
    return "|".join(cell[CELL_KEYS.index(k)] for k in keys)


@dataclass
class _Cell:
    n: int
    N: float
    weight: float = 0.0
    stratum: str = ""
    collapse: int = 0
    pending: bool = False


def _weight_cells(cells: dict[tuple[str, ...], _Cell]) -> float:
    """Form the weight of every cell in place; return the population left unrepresented.

    A usable cell (``n ≥ 1`` and ``N > 0``) is its own stratum with ``w = N / n``. A cell
    that is not usable is *pending*; level by level (province × entity type × size, province ×
    entity type, province) each group holding pending cells is resolved:

    - pending cells with respondents (no population count) are merged with the whole group,
      which becomes one stratum ``w = ΣN / Σn``;
    - otherwise the pending cells' population is spread over the group's represented cells
      in proportion to the population they already carry (their strata stay as they were).

    A group with neither represented cells nor both respondents and population stays
    pending. Nothing is merged across provinces: population still pending after the province
    level is left out (returned as unrepresented), and respondents still pending (a province
    without population counts) get the mean weight of the represented respondents, as one
    stratum per province.
    """
    for key, c in cells.items():
        if c.n > 0 and c.N > 0:
            c.weight, c.stratum = c.N / c.n, _level_key(CELL_KEYS, key)
        else:
            c.pending = True
    for level, keys in enumerate(COLLAPSE_LEVELS[1:-1], start=1):
        groups: dict[str, list[tuple[tuple[str, ...], _Cell]]] = {}
        for key, c in cells.items():
            groups.setdefault(_level_key(keys, key), []).append((key, c))
        for label, members in groups.items():
            pending = [c for _k, c in members if c.pending]
            if not pending:
                continue
            represented = [c for _k, c in members if not c.pending and c.n > 0]
            pn = sum(c.n for c in pending)
            p_pop = sum(c.N for c in pending)
            if not represented and not (pn > 0 and p_pop > 0):
                continue
            if pn > 0:
                gn = sum(c.n for _k, c in members)
                g_pop = sum(c.N for _k, c in members)
                for _k, c in members:
                    c.weight, c.stratum, c.pending = g_pop / gn, label, False
                    c.collapse = level
                continue
            carried = sum(c.weight * c.n for c in represented)
            factor = (carried + p_pop) / carried
            for c in represented:
                c.weight *= factor
                c.collapse = level
            for c in pending:
                c.pending = False
    unrepresented = sum(c.N for c in cells.values() if c.pending and c.n == 0)
    left = [(k, c) for k, c in cells.items() if c.pending and c.n > 0]
    if left:
        done = [c for c in cells.values() if not c.pending and c.n > 0]
        rn = sum(c.n for c in done)
        mean_w = sum(c.weight * c.n for c in done) / rn if rn else 1.0
        for key, c in left:
            c.weight, c.stratum = mean_w, _level_key(COLLAPSE_LEVELS[-2], key)
            c.collapse, c.pending = len(COLLAPSE_LEVELS) - 1, False
    return unrepresented


def poststratify(
    respondents: pl.DataFrame, population: pl.DataFrame
) -> tuple[pl.DataFrame, WeightSummary]:
    """Add ``weight``, ``stratum`` (final cell, a string) and ``collapse`` (level 0–4).

    ``respondents`` and ``population`` carry the cell keys ``province``, ``commune``,
    ``entity_type`` and ``size`` (strings; blank size is its own value); ``population`` also
    ``population`` (the count N of the cell). Cells without respondents or without a
    population count are resolved inside their province as :func:`_weight_cells` describes.
    """
    if population.height == 0 or float(population["population"].sum()) <= 0:
        n = respondents.height
        out = respondents.with_columns(
            pl.lit(1.0).alias("weight"), pl.lit("*").alias("stratum"), pl.lit(0).alias("collapse")
        )
        return out, WeightSummary(False, 1 if n else 0, {}, float(n))
    text = [pl.col(k).cast(pl.Utf8).fill_null("") for k in CELL_KEYS]
    pop_cells = (
        population.select([*CELL_KEYS, "population"])
        .with_columns(text)
        .group_by(list(CELL_KEYS))
        .agg(pl.col("population").sum().cast(pl.Float64).alias("N"))
    )
    keyed = respondents.with_columns(text)
    resp_cells = keyed.group_by(list(CELL_KEYS)).agg(pl.len().alias("n"))
    cells: dict[tuple[str, ...], _Cell] = {}
    for row in pop_cells.iter_rows():
        cells[tuple(row[:-1])] = _Cell(0, float(row[-1]))
    for row in resp_cells.iter_rows():
        key = tuple(row[:-1])
        cells.setdefault(key, _Cell(0, 0.0)).n = int(row[-1])
    unrepresented = _weight_cells(cells)
    used = [(k, c) for k, c in cells.items() if c.n > 0]
    table = pl.DataFrame(
        {
            **{name: [k[i] for k, _c in used] for i, name in enumerate(CELL_KEYS)},
            "weight": [c.weight for _k, c in used],
            "stratum": [c.stratum for _k, c in used],
            "collapse": [c.collapse for _k, c in used],
        },
        schema={
            **dict.fromkeys(CELL_KEYS, pl.Utf8),
            "weight": pl.Float64,
            "stratum": pl.Utf8,
            "collapse": pl.Int32,
        },
    )
    out = keyed.join(table, on=list(CELL_KEYS), how="left")
    collapsed: dict[int, int] = {}
    for _k, c in used:
        if c.collapse:
            collapsed[c.collapse] = collapsed.get(c.collapse, 0) + c.n
    summary = WeightSummary(
        True,
        len({c.stratum for _k, c in used}),
        dict(sorted(collapsed.items())),
        float(pop_cells["N"].sum()),
        unrepresented,
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


@dataclass
class Cube:
    """Per-cell sums as NumPy arrays: integer codes per key (into sorted ``labels``), the
    stratum index ``h``, the weight ``w``, the respondent count ``n`` and the sums."""

    keys: tuple[str, ...]
    labels: dict[str, list[Any]]
    codes: dict[str, np.ndarray]
    h: np.ndarray
    w: np.ndarray
    n: np.ndarray
    sums: dict[str, np.ndarray]
    _matrices: dict[Any, tuple[np.ndarray, dict[str, int]]] = field(default_factory=dict)

    @property
    def height(self) -> int:
        return int(self.n.shape[0])

    def take(self, mask: np.ndarray) -> Cube:
        return Cube(
            self.keys,
            self.labels,
            {k: v[mask] for k, v in self.codes.items()},
            self.h[mask],
            self.w[mask],
            self.n[mask],
            {k: v[mask] for k, v in self.sums.items()},
            {k: (m[mask], idx) for k, (m, idx) in self._matrices.items()},
        )

    def matrix(
        self, values: Sequence[str], levels: Sequence[int]
    ) -> tuple[np.ndarray, dict[str, int]]:
        """Row-level weighted sums as one matrix (computed once per cube), and its columns."""
        key = (tuple(values), tuple(levels))
        cached = self._matrices.get(key)
        if cached is not None:
            return cached
        w, w2, n = self.w, self.w * self.w, self.n
        cols: dict[str, np.ndarray] = {"n": n, "wn": w * n, "w2n": w2 * n}
        for v in values:
            c, sv, ss = self.sums[f"{v}__c"], self.sums[f"{v}__s"], self.sums[f"{v}__ss"]
            cols.update(
                {
                    f"{v}:c": c,
                    f"{v}:wc": w * c,
                    f"{v}:ws": w * sv,
                    f"{v}:w2c": w2 * c,
                    f"{v}:w2s": w2 * sv,
                    f"{v}:w2ss": w2 * ss,
                }
            )
        for k in levels:
            lc = self.sums[f"L{k}__c"]
            cols.update({f"L{k}:w": w * lc, f"L{k}:w2": w2 * lc})
        index = {name: i for i, name in enumerate(cols)}
        result = (np.column_stack(list(cols.values())), index)
        self._matrices[key] = result
        return result

    def mask_in(self, key: str, values: Sequence[Any]) -> np.ndarray:
        """Rows whose ``key`` is one of ``values`` (compared as text)."""
        wanted = {str(v) for v in values}
        allowed = [i for i, label in enumerate(self.labels[key]) if str(label) in wanted]
        return np.isin(self.codes[key], np.array(allowed, dtype=np.int64))

    @classmethod
    def from_frame(cls, agg: pl.DataFrame, keys: Sequence[str]) -> Cube:
        labels: dict[str, list[Any]] = {}
        codes: dict[str, np.ndarray] = {}
        for k in keys:
            raw = agg.get_column(k).to_list()
            uniq = sorted(set(raw), key=lambda x: (x is None, x))
            index = {v: i for i, v in enumerate(uniq)}
            labels[k] = uniq
            codes[k] = np.fromiter((index[v] for v in raw), dtype=np.int64, count=len(raw))
        strata = agg.get_column("stratum").cast(pl.Utf8).to_list()
        s_index = {v: i for i, v in enumerate(sorted(set(strata), key=lambda x: (x is None, x)))}
        h = np.fromiter((s_index[v] for v in strata), dtype=np.int64, count=len(strata))
        skip = {*keys, "stratum", "weight", "_n"}
        sums = {
            c: agg.get_column(c).to_numpy().astype(np.float64) for c in agg.columns if c not in skip
        }
        return cls(
            tuple(keys),
            labels,
            codes,
            h,
            agg.get_column("weight").to_numpy().astype(np.float64),
            agg.get_column("_n").to_numpy().astype(np.float64),
            sums,
        )


def _grain_key(frame: pl.DataFrame, grain: Sequence[str]) -> pl.Series:
    key: pl.Series | None = None
    for g in grain:
        col = frame.get_column(g)
        phys = col.to_physical() if isinstance(col.dtype, pl.Categorical) else col.rank("dense")
        phys = phys.cast(pl.UInt64)
        span = int(phys.max() or 0) + 1  # type: ignore[arg-type]
        key = phys if key is None else key * span + phys
    assert key is not None
    return key


def _runs(frame: pl.DataFrame, grain: Sequence[str]) -> tuple[pl.DataFrame, pl.Series, np.ndarray]:
    """Run ids of consecutive rows with the same grain (sorting first when a cell's rows are
    not contiguous; the store keeps its rows in grain order so this is one pass)."""
    for attempt in range(2):
        key = _grain_key(frame, grain)
        change = (key != key.shift(1)).fill_null(True)
        heads = np.flatnonzero(change.to_numpy())
        head_keys = key.to_numpy()[heads]
        if attempt == 1 or len(np.unique(head_keys)) == len(heads):
            return frame, change.cast(pl.UInt32).cum_sum(), heads
        frame = frame.sort(list(grain))
    raise AssertionError("unreachable")


def aggs_inputs(values: Sequence[str]) -> list[str]:
    return [*values, "level"]


def build_cube(
    frame: pl.DataFrame,
    keys: Sequence[str],
    values: Sequence[str],
    levels: Sequence[int],
    *,
    grain: Sequence[str] | None = None,
) -> Cube:
    """Per (keys, stratum, weight) cell: respondent count ``_n``; for each value ``v`` its
    count ``v__c``, sum ``v__s`` and sum of squares ``v__ss``; for each level ``k`` the count
    ``L{k}__c``. Every estimate below is a function of these sums, so a slice never has to go
    back to the rows. (Weights are constant within a weighting cell, so adding ``weight`` to
    the keys adds no rows; it keeps the sums exact for any weights.)

    ``grain``: columns that determine every other key, the stratum and the weight (commune ×
    sector × entity type × size in the store); grouping then runs on one integer key.
    """
    gkeys = [*keys, "stratum", "weight"]
    aggs: list[pl.Expr] = [pl.len().alias("_n")]
    for v in values:
        y = pl.col(v).cast(pl.Float64)
        aggs += [
            pl.col(v).count().alias(f"{v}__c"),
            y.sum().alias(f"{v}__s"),
            (y * y).sum().alias(f"{v}__ss"),
        ]
    for k in levels:
        aggs.append((pl.col("level") == k).sum().alias(f"L{k}__c"))
    if grain:
        frame, runs, heads = _runs(frame, grain)
        work = frame.select(aggs_inputs(values)).with_columns(runs.set_sorted().alias("_run"))
        agg = work.lazy().group_by("_run", maintain_order=True).agg(aggs).collect().drop("_run")
        # every cell's keys, stratum and weight are those of its first row
        agg = pl.concat([frame.select(gkeys)[heads], agg], how="horizontal")
    else:
        agg = frame.lazy().group_by(gkeys).agg(aggs).collect()
    return Cube.from_frame(agg, keys)


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


def run_sums(
    values: np.ndarray, starts: np.ndarray, *, rows: np.ndarray | None = None
) -> np.ndarray:
    """Column sums of consecutive runs of rows: run ``i`` is ``rows[starts[i]:starts[i+1]]``
    (the last run goes to the end; ``rows`` defaults to every row in order, and ``starts``
    begins at 0), i.e. ``np.add.reduceat(values[rows], starts, axis=0)``.

    Computed as the product of a sparse run-membership matrix with ``values``, which reads
    each row once with no gathered copy and is several times faster than ``reduceat`` along
    the first axis when there are many short runs (thousands of strata per slice)."""
    picked = np.arange(values.shape[0]) if rows is None else rows
    indptr = np.r_[starts, len(picked)].astype(np.int64)
    member = sparse.csr_matrix(
        (np.ones(len(picked)), picked, indptr), shape=(len(starts), values.shape[0])
    )
    return np.asarray(member @ values)


def estimates_from_cube(
    cube: Cube,
    by: Sequence[str],
    values: Sequence[str],
    levels: Sequence[int],
    z: float = Z95,
    *,
    domain: np.ndarray | None = None,
) -> pl.DataFrame:
    """:func:`domain_estimates` from the sums of :func:`build_cube` (any coarser ``by``).

    ``domain`` (a boolean mask over the cube's rows) restricts the estimates to a
    subpopulation while every row still counts in its stratum's size ``n_h``. The sums and
    the linearised variances run in NumPy (bincount over domain, stratum and cell indices).
    """
    by = list(by)
    if cube.height == 0:
        return pl.DataFrame()
    inside = np.ones(cube.height, dtype=bool) if domain is None else domain
    if not inside.any():
        return pl.DataFrame()
    combined = np.zeros(cube.height, dtype=np.int64)
    for key in by:
        combined = combined * (len(cube.labels[key]) + 1) + cube.codes[key]
    uniq, first, inverse = np.unique(combined[inside], return_index=True, return_inverse=True)
    n_d = len(uniq)
    rows_in = np.flatnonzero(inside)
    key_cols = {b: [cube.labels[b][c] for c in cube.codes[b][rows_in[first]]] for b in by}
    # rows outside the domain get the extra domain index n_d, dropped at the end
    d = np.full(cube.height, n_d, dtype=np.int64)
    d[rows_in] = inverse.reshape(-1)
    n_d += 1
    h = cube.h
    n_h_all = np.bincount(h, weights=cube.n)
    span = int(h.max()) + 1
    # only rows inside the domain are summed; every row counted in n_h above
    pair = d[rows_in] * span + h[rows_in]
    order = rows_in[np.argsort(pair, kind="stable")]
    sorted_pair = d[order] * span + h[order]
    starts = np.flatnonzero(np.r_[True, sorted_pair[1:] != sorted_pair[:-1]])
    cells = sorted_pair[starts]
    cell_d = cells // span
    nh = n_h_all[cells % span]
    factor = np.where(nh > 1, nh / np.maximum(nh - 1, 1), 1.0)
    matrix, col = cube.matrix(values, levels)
    # one pass over the rows: sums per cell, then per domain (cells are sorted by domain)
    per_cell = run_sums(matrix, starts, rows=order)
    dom_starts = np.flatnonzero(np.r_[True, np.diff(cell_d) != 0])
    per_dom = np.zeros((n_d, matrix.shape[1]))
    per_dom[cell_d[dom_starts]] = run_sums(per_cell, dom_starts)

    def cs(name: str) -> np.ndarray:
        return per_cell[:, col[name]]

    def ds(name: str) -> np.ndarray:
        return per_dom[:, col[name]]

    contribs: list[np.ndarray] = []

    def contribution(
        sw: np.ndarray,
        swy: np.ndarray,
        sw2: np.ndarray,
        sw2y: np.ndarray,
        sw2y2: np.ndarray,
        ybar_d: np.ndarray,
        big_w_d: np.ndarray,
    ) -> None:
        ybar = ybar_d[cell_d]
        big_w = big_w_d[cell_d]
        with np.errstate(invalid="ignore", divide="ignore"):
            b = (swy - ybar * sw) / big_w
            a = (sw2y2 - 2.0 * ybar * sw2y + ybar * ybar * sw2) / (big_w * big_w)
            c = np.where(nh > 1, factor * (a - b * b / nh), a)
        c = np.nan_to_num(c, nan=0.0, posinf=0.0, neginf=0.0)
        contribs.append(np.clip(c, 0.0, None))

    n_dom = ds("n")
    big_w_all = ds("wn")
    means: dict[str, np.ndarray] = {}
    for v in values:
        big_w = ds(f"{v}:wc")
        with np.errstate(invalid="ignore", divide="ignore"):
            means[v] = np.where(big_w > 0, ds(f"{v}:ws") / np.where(big_w > 0, big_w, 1.0), np.nan)
        contribution(
            cs(f"{v}:wc"),
            cs(f"{v}:ws"),
            cs(f"{v}:w2c"),
            cs(f"{v}:w2s"),
            cs(f"{v}:w2ss"),
            means[v],
            big_w,
        )
    for k in levels:
        with np.errstate(invalid="ignore", divide="ignore"):
            means[f"L{k}"] = np.where(
                big_w_all > 0, ds(f"L{k}:w") / np.where(big_w_all > 0, big_w_all, 1.0), np.nan
            )
        contribution(
            cs("wn"),
            cs(f"L{k}:w"),
            cs("w2n"),
            cs(f"L{k}:w2"),
            cs(f"L{k}:w2"),
            means[f"L{k}"],
            big_w_all,
        )
    var_dom = np.zeros((n_d, len(contribs)))
    var_dom[cell_d[dom_starts]] = run_sums(np.column_stack(contribs), dom_starts)
    out: dict[str, Any] = {"n": n_dom.astype(np.int64), "population": big_w_all}
    for i, v in enumerate(values):
        ybar = means[v]
        se = np.sqrt(var_dom[:, i])
        out[v] = ybar
        out[f"{v}__se"] = se
        out[f"{v}__lo"] = np.clip(ybar - z * se, 0.0, None)
        out[f"{v}__hi"] = np.clip(ybar + z * se, None, 100.0)
        out[f"{v}__n"] = ds(f"{v}:c").astype(np.int64)
    z2 = z * z
    for j, k in enumerate(levels):
        p = means[f"L{k}"]
        var = var_dom[:, len(values) + j]
        with np.errstate(invalid="ignore", divide="ignore"):
            neff = np.where(
                (var > 0) & (p > 0) & (p < 1),
                np.minimum(n_dom, p * (1.0 - p) / np.where(var > 0, var, 1.0)),
                n_dom,
            )
            denom = 1.0 + z2 / neff
            centre = (p + z2 / (2.0 * neff)) / denom
            half = (
                z
                * np.sqrt(np.clip(p * (1.0 - p) / neff + z2 / (4.0 * neff * neff), 0.0, None))
                / denom
            )
        out[f"L{k}"] = p
        out[f"L{k}__se"] = np.sqrt(var)
        out[f"L{k}__lo"] = np.clip(centre - half, 0.0, None)
        out[f"L{k}__hi"] = np.clip(centre + half, None, 1.0)
    body = {k: v[: len(uniq)] for k, v in out.items()}
    result = pl.DataFrame(body, nan_to_null=True)
    if by:
        result = pl.concat([pl.DataFrame(key_cols), result], how="horizontal")
    return result
