"""Vectorised batch scorer (NumPy), bit-identical to the scalar scorer.

Answers are held column-wise, one column per criterion: single → int16 option index (-1
missing); multi → uint64 bit mask (bit i = option i) plus a bool "answered" column; boolean →
int8 (-1 missing, 0 no, 1 yes); number and scale → float64 (NaN missing). Rows are scored in
chunks so the working set stays in cache; chunks may run on several threads (NumPy releases
the GIL). Sums are accumulated criterion by criterion in file order, exactly like
:func:`thuocdo.frameworks.engine.scoring.score`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from . import expr
from .messages import AnswerProblem, AnswersInvalid
from .model import Framework
from .scoring import TOLERANCE, answer_problems

FArray = npt.NDArray[np.float64]
BArray = npt.NDArray[np.bool_]

DTYPES: dict[str, type[np.generic]] = {
    "single": np.int16,
    "multi": np.uint64,
    "boolean": np.int8,
    "number": np.float64,
    "scale": np.float64,
}
MAX_REPORTED = 200


@dataclass
class EncodedAnswers:
    """Column-wise answers of ``n`` responses."""

    n: int
    columns: dict[str, np.ndarray]
    answered: dict[str, BArray]  # multi criteria only


@dataclass
class BatchResult:
    """Scores of ``n`` responses; criteria and pillars follow file order (``codes``)."""

    overall: FArray
    level: npt.NDArray[np.int16]
    pillars: FArray  # [n, P], NaN = null pillar
    criteria: FArray  # [n, C], NaN = not applicable (or unanswered)
    complete: BArray
    unmet_mask: BArray  # [n, C]
    pillar_codes: tuple[str, ...]
    criterion_codes: tuple[str, ...]
    unmet_weight: FArray  # w·W per criterion
    target: FArray
    pillar_levels: npt.NDArray[np.int16]  # [n, P], -1 = null pillar

    def __len__(self) -> int:
        return int(self.overall.shape[0])

    def unmet(self, i: int) -> list[str]:
        """Unmet criteria of row ``i``, ordered by w·W·(target − s), ties in file order."""
        cols = np.flatnonzero(self.unmet_mask[i])
        if cols.size == 0:
            return []
        keys = _unmet_keys(self.unmet_weight[cols], self.target[cols] - self.criteria[i, cols])
        order = np.argsort(keys, kind="stable")
        return [self.criterion_codes[c] for c in cols[order]]

    def unmet_orders(
        self, start: int, stop: int
    ) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
        """Unmet order of rows ``start:stop`` at once: ``(order, count)`` where the first
        ``count[i]`` entries of ``order[i]`` are the criterion indexes :meth:`unmet` lists."""
        mask = np.ascontiguousarray(self.unmet_mask[start:stop])  # row-major: sorted by row
        gap = self.target - np.ascontiguousarray(self.criteria[start:stop])
        with np.errstate(invalid="ignore"):
            keys = np.where(mask, _unmet_keys(self.unmet_weight, gap), np.inf)
        return np.argsort(keys, axis=1, kind="stable"), mask.sum(axis=1)

    def pillar_levels_of(self, i: int) -> dict[str, int | None]:
        """Pillar levels of row ``i`` (None for a null pillar)."""
        row = self.pillar_levels[i]
        return {c: (None if row[k] < 0 else int(row[k])) for k, c in enumerate(self.pillar_codes)}

    def to_json_dict(self, i: int) -> dict[str, Any]:
        """Row ``i`` in the §4 JSON shape (same as ScoreResult.to_json_dict)."""

        def opt(x: float) -> float | None:
            return None if np.isnan(x) else float(x)

        return {
            "overall": float(self.overall[i]),
            "level": int(self.level[i]),
            "pillars": {c: opt(self.pillars[i, k]) for k, c in enumerate(self.pillar_codes)},
            "pillar_levels": self.pillar_levels_of(i),
            "criteria": {c: opt(self.criteria[i, k]) for k, c in enumerate(self.criterion_codes)},
            "unmet": self.unmet(i),
        }


@dataclass(frozen=True)
class _Crit:
    index: int
    code: str
    qtype: str
    weight: float
    ww: float
    target: float
    gate: int | None
    required: bool
    relevant: expr.Node | None
    table: FArray  # single/boolean: score by code (last entry = missing → 0); number: by bucket
    mins: FArray  # number thresholds
    bits: tuple[tuple[int, float], ...]  # multi: (bit, score)
    lo: float
    span: float
    option_index: Mapping[str, int]
    exclusive_bits: tuple[int, ...]
    as_zero: bool = False  # unanswered_as_zero


@dataclass(frozen=True)
class _Pillar:
    weight: float
    criteria: tuple[_Crit, ...]


_Ctx = dict[str, tuple[np.ndarray, BArray, _Crit]]


class BatchScorer:
    """Scores many responses at once. Build once per framework and reuse."""

    def __init__(
        self, fw: Framework, *, chunk_size: int = 32768, threads: int | None = None
    ) -> None:
        self.fw = fw
        self.chunk_size = chunk_size
        self.threads = threads if threads is not None else min(4, os.cpu_count() or 1)
        pillars: list[_Pillar] = []
        crits: list[_Crit] = []
        for p in fw.pillars:
            plist: list[_Crit] = []
            for c in p.criteria:
                q = c.question
                table = np.zeros(1)
                mins = np.zeros(0)
                if q.type == "single":
                    table = np.array([o.score for o in q.options] + [0.0])
                elif q.type == "boolean":
                    table = np.array([q.no_score, q.yes_score, 0.0])
                elif q.type == "number":
                    mins = np.array([t.min for t in q.thresholds])
                    table = np.array([0.0] + [t.score for t in q.thresholds])
                lo = q.min if q.type == "scale" and q.min is not None else 0.0
                span = (
                    q.max - q.min
                    if q.type == "scale" and q.max is not None and q.min is not None
                    else 1.0
                )
                crit = _Crit(
                    index=len(crits),
                    code=c.code,
                    qtype=q.type,
                    weight=c.weight,
                    ww=c.weight * p.weight,
                    target=c.target,
                    gate=c.required_for_level,
                    required=c.required,
                    as_zero=c.unanswered_as_zero,
                    relevant=c.relevant.root if c.relevant is not None else None,
                    table=table,
                    mins=mins,
                    bits=tuple((i, o.score) for i, o in enumerate(q.options))
                    if q.type == "multi"
                    else (),
                    lo=lo,
                    span=span,
                    option_index=q.option_index,
                    exclusive_bits=tuple(i for i, o in enumerate(q.options) if o.exclusive),
                )
                plist.append(crit)
                crits.append(crit)
            pillars.append(_Pillar(p.weight, tuple(plist)))
        self._pillars = tuple(pillars)
        self._crits = tuple(crits)
        self.criterion_codes = tuple(c.code for c in crits)
        self.pillar_codes = tuple(p.code for p in fw.pillars)
        self._by_code = {c.code: c for c in crits}
        self._ww = np.array([c.ww for c in crits])
        self._target = np.array([c.target for c in crits])

    # ------------------------------------------------------------ encoding

    def encode(self, rows: Sequence[Mapping[str, Any]]) -> EncodedAnswers:
        """Validate answer dicts and store them column-wise; raises AnswersInvalid (with rows)."""
        n = len(rows)
        problems: list[AnswerProblem] = []
        columns: dict[str, np.ndarray] = {}
        answered: dict[str, BArray] = {}
        for c in self._crits:
            columns[c.code] = _missing_column(c.qtype, n)
            if c.qtype == "multi":
                answered[c.code] = np.zeros(n, dtype=bool)
        for r, row in enumerate(rows):
            bad, ignored = answer_problems(self.fw, row)
            if bad:
                problems.extend(
                    AnswerProblem(p.criterion, p.code, p.value, p.params, row=r) for p in bad
                )
                continue
            for code, value in row.items():
                if value is None or code in ignored:  # not applicable: left unanswered
                    continue
                c = self._by_code[code]
                col = columns[code]
                if c.qtype == "single":
                    col[r] = c.option_index[value]
                elif c.qtype == "multi":
                    mask = 0
                    for v in value:
                        mask |= 1 << c.option_index[v]
                    col[r] = mask
                    answered[code][r] = True
                elif c.qtype == "boolean":
                    col[r] = 1 if value else 0
                else:
                    col[r] = float(value)
        if problems:
            raise AnswersInvalid(problems[:MAX_REPORTED])
        return EncodedAnswers(n, columns, answered)

    def from_columns(
        self,
        columns: Mapping[str, npt.ArrayLike],
        answered: Mapping[str, npt.ArrayLike] | None = None,
        *,
        n: int | None = None,
        validate: bool = True,
    ) -> EncodedAnswers:
        """Build EncodedAnswers from NumPy columns (importer, benchmarks). Absent criteria are
        unanswered; a multi column without an ``answered`` column counts a zero mask as
        unanswered. With ``validate`` every value is range-checked (raises AnswersInvalid)."""
        answered = answered or {}
        unknown = [k for k in list(columns) + list(answered) if k not in self.criterion_codes]
        if unknown:
            raise AnswersInvalid([AnswerProblem(k, "answer.unknown_criterion") for k in unknown])
        arrays = {k: np.asarray(v) for k, v in columns.items()}
        if n is None:
            n = len(next(iter(arrays.values()))) if arrays else 0
        cols: dict[str, np.ndarray] = {}
        ans: dict[str, BArray] = {}
        problems: list[AnswerProblem] = []
        ctx: _Ctx = {}  # good, applicable answers, for the conditions of later criteria
        for c in self._crits:
            arr = arrays.get(c.code)
            if arr is None:
                cols[c.code] = _missing_column(c.qtype, n)
            else:
                if arr.shape != (n,):
                    raise ValueError(f"column {c.code} has shape {arr.shape}, expected ({n},)")
                if arr.dtype.kind not in _KINDS[c.qtype]:
                    # e.g. an object column of Python ints too large for a float: never
                    # converted, so it cannot overflow or be silently rounded
                    problems += _rows(c, arr, np.ones(n, bool), "answer.wrong_type",
                                      expected=_EXPECTED[c.qtype])  # fmt: skip
                    arr = None
                    cols[c.code] = _missing_column(c.qtype, n)
                else:
                    cols[c.code] = np.ascontiguousarray(arr, dtype=DTYPES[c.qtype])
            if c.qtype == "multi":
                given = answered.get(c.code)
                ans[c.code] = (
                    np.ascontiguousarray(given, dtype=bool)
                    if given is not None
                    else cols[c.code] != 0
                )
            if not validate:
                continue
            col = cols[c.code]
            present = ans[c.code] if c.qtype == "multi" else _present(c.qtype, col)
            rel = _eval(c.relevant, ctx, n) if c.relevant is not None else None
            if arr is not None:
                wrong = np.zeros(n, bool)
                for bad, _kind, _params in self._check_column(c, arr, col):
                    wrong |= bad
                if rel is not None:
                    # a bad answer to a criterion that does not apply is ignored: cleared
                    # (in a copy: the caller's column stays as given) and not reported
                    ignored = wrong & ~rel
                    if ignored.any():
                        col = col.copy()
                        col[ignored] = _missing_column(c.qtype, 1)[0]
                        cols[c.code] = col
                        if c.qtype == "multi":
                            ans[c.code] = ans[c.code] & ~ignored
                    wrong &= rel
                if wrong.any():
                    for bad, kind, params in self._check_column(c, arr, col):
                        problems += _rows(c, arr, bad & wrong, kind, **params)
                present = present & ~wrong
            ctx[c.code] = (col, present if rel is None else present & rel, c)
        if problems:
            raise AnswersInvalid(problems[:MAX_REPORTED])
        return EncodedAnswers(n, cols, ans)

    def _check_column(
        self, c: _Crit, raw: np.ndarray, col: np.ndarray
    ) -> list[tuple[BArray, str, dict[str, Any]]]:
        """Value checks of a column whose dtype kind is already right (see ``_KINDS``): the
        bad rows of each kind of problem, with the message parameters."""
        if c.qtype in ("single", "boolean"):
            if raw.size and raw.min() < -1:
                return [(raw < -1, "answer.wrong_type", {"expected": "integer"})]
            limit = len(c.option_index) if c.qtype == "single" else 2
            return [(raw >= limit, "answer.unknown_option", {})]
        if c.qtype == "multi":
            out: list[tuple[BArray, str, dict[str, Any]]] = []
            k = len(c.bits)
            if k < 64:
                out.append((col >= np.uint64(1 << k), "answer.unknown_option", {}))
            for b in c.exclusive_bits:
                bit = np.uint64(1 << b)
                both = ((col & bit) != 0) & ((col & ~bit) != 0)
                out.append((both, "answer.exclusive_combined", {}))
            return out
        q = self.fw.criterion(c.code).question
        lo = q.min if q.min is not None else -np.inf
        hi = q.max if q.max is not None else np.inf
        with np.errstate(invalid="ignore"):
            bad = np.isinf(col) | (~np.isnan(col) & ((col < lo) | (col > hi)))
        return [(bad, "answer.out_of_range", {"min": f"{lo:g}", "max": f"{hi:g}"})]

    def decode(self, enc: EncodedAnswers, i: int) -> dict[str, Any]:
        """Row ``i`` back as an answers dict (unanswered criteria left out)."""
        out: dict[str, Any] = {}
        for c in self._crits:
            v = enc.columns[c.code][i]
            options = list(c.option_index)
            if c.qtype == "single":
                if v >= 0:
                    out[c.code] = options[int(v)]
            elif c.qtype == "multi":
                if enc.answered[c.code][i]:
                    out[c.code] = [o for b, o in enumerate(options) if int(v) >> b & 1]
            elif c.qtype == "boolean":
                if v >= 0:
                    out[c.code] = bool(v)
            elif not np.isnan(v):
                out[c.code] = float(v)
        return out

    # ------------------------------------------------------------ scoring

    def score(self, enc: EncodedAnswers) -> BatchResult:
        """Score every row of ``enc``."""
        n = enc.n
        n_crit, n_pillar = len(self._crits), len(self._pillars)
        res = BatchResult(
            overall=np.empty(n),
            level=np.empty(n, dtype=np.int16),
            pillars=np.empty((n, n_pillar), order="F"),
            criteria=np.empty((n, n_crit), order="F"),
            complete=np.empty(n, dtype=bool),
            unmet_mask=np.empty((n, n_crit), dtype=bool, order="F"),
            pillar_codes=self.pillar_codes,
            criterion_codes=self.criterion_codes,
            unmet_weight=self._ww,
            target=self._target,
            pillar_levels=np.empty((n, n_pillar), dtype=np.int16, order="F"),
        )
        bounds = [(a, min(a + self.chunk_size, n)) for a in range(0, n, self.chunk_size)]
        if self.threads > 1 and len(bounds) > 1:
            with ThreadPoolExecutor(self.threads) as pool:
                list(pool.map(lambda b: self._chunk(enc, res, b[0], b[1]), bounds))
        else:
            for a, b in bounds:
                self._chunk(enc, res, a, b)
        return res

    def _chunk(self, enc: EncodedAnswers, res: BatchResult, a: int, b: int) -> None:
        m = b - a
        ctx: _Ctx = {}
        onum = np.zeros(m)
        oden = np.zeros(m)
        incomplete = np.zeros(m, dtype=bool)
        level_cap = np.full(m, np.iinfo(np.int16).max, dtype=np.int16)  # lowered by gates
        pillar_cols: list[FArray] = []
        for k, p in enumerate(self._pillars):
            num = np.zeros(m)
            den = np.zeros(m)
            for c in p.criteria:
                col = enc.columns[c.code][a:b]
                s, answered = self._criterion_scores(c, col, enc, a, b)
                if c.relevant is not None:
                    rel = _eval(c.relevant, ctx, m)
                    scored = answered & rel
                    unanswered = rel & ~answered
                else:
                    scored = answered
                    unanswered = ~answered
                if c.required:
                    incomplete |= unanswered
                if c.as_zero:  # unanswered counts as 0 and stays in the denominator
                    scored = scored | unanswered
                s = np.where(scored & answered, s, 0.0)
                ctx[c.code] = (col, scored & answered, c)
                num += c.weight * s
                den += scored * c.weight
                res.criteria[a:b, c.index] = np.where(scored, s, np.nan)
                unmet = scored & (s < c.target)
                res.unmet_mask[a:b, c.index] = unmet
                if c.gate is not None:  # applicable and not met, or required and unanswered
                    failed = unmet | unanswered if c.required and not c.as_zero else unmet
                    np.minimum(level_cap, c.gate - 1, out=level_cap, where=failed)
            nonnull = den > 0
            pv = np.full(m, np.nan)
            np.divide(num, den, out=pv, where=nonnull)
            np.minimum(pv, 100.0, out=pv)  # guards against rounding just above 100
            res.pillars[a:b, k] = pv
            plevel = np.where(nonnull, 0, -1).astype(np.int16)
            for lv in self.fw.levels[1:]:
                plevel[nonnull & _reaches(pv, lv.effective_pillar_min, lv.pillar_strict)] = lv.code
            res.pillar_levels[a:b, k] = plevel
            pillar_cols.append(pv)
            onum += np.where(nonnull, p.weight * pv, 0.0)
            oden += nonnull * p.weight
        overall = np.zeros(m)
        np.divide(onum, oden, out=overall, where=oden > 0)
        np.minimum(overall, 100.0, out=overall)
        level = np.zeros(m, dtype=np.int16)
        for lv in self.fw.levels[1:]:
            holds = _reaches(overall, lv.min, lv.strict)
            if lv.min_pillars is not None:
                count = np.zeros(m, dtype=np.int16)
                for pv in pillar_cols:
                    count += _reaches(pv, lv.effective_pillar_min, lv.pillar_strict)
                holds &= count >= lv.min_pillars
            level[holds] = lv.code
        np.minimum(level, level_cap, out=level)
        res.overall[a:b] = overall
        res.level[a:b] = level
        res.complete[a:b] = ~incomplete

    def _criterion_scores(
        self, c: _Crit, col: np.ndarray, enc: EncodedAnswers, a: int, b: int
    ) -> tuple[FArray, BArray]:
        if c.qtype == "single" or c.qtype == "boolean":
            return c.table[col], col >= 0
        if c.qtype == "multi":
            s = np.zeros(b - a)
            for bit, sc in c.bits:
                if sc != 0.0:
                    s += ((col & np.uint64(1 << bit)) != 0) * sc
            np.minimum(s, 100.0, out=s)
            return s, enc.answered[c.code][a:b]
        answered = ~np.isnan(col)
        if c.qtype == "number":
            return c.table[np.searchsorted(c.mins, col, side="right")], answered
        return (col - c.lo) / c.span * 100.0, answered


# dtype kinds a column may have, by question type, and the wrong_type message's "expected"
_KINDS = {"single": "iub", "multi": "iu", "boolean": "iub", "number": "iuf", "scale": "iuf"}
_EXPECTED = {
    "single": "integer", "multi": "integer", "boolean": "integer", "number": "number",
    "scale": "number",
}  # fmt: skip


def _rows(c: _Crit, raw: np.ndarray, bad: BArray, kind: str, **params: Any) -> list[AnswerProblem]:
    """One problem per bad row (the first MAX_REPORTED), naming the value given."""
    idx = np.flatnonzero(bad)[:MAX_REPORTED]
    return [AnswerProblem(c.code, kind, _item(raw[i]), params, row=int(i)) for i in idx]


def _item(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _reaches(values: FArray, threshold: float, strict: bool) -> BArray:
    """:func:`thuocdo.frameworks.engine.model.reaches`, element-wise (NaN never reaches)."""
    with np.errstate(invalid="ignore"):
        if strict:
            return values > threshold + TOLERANCE
        return values >= threshold - TOLERANCE


def _unmet_keys(weight: FArray, gap: FArray) -> FArray:
    """:func:`thuocdo.frameworks.engine.scoring.unmet_key`, element-wise (same operations)."""
    return np.floor(-(weight * gap) / TOLERANCE + 0.5)


def _present(qtype: str, col: np.ndarray) -> BArray:
    """Rows with an answer in a single, boolean, number or scale column."""
    return ~np.isnan(col) if qtype in ("number", "scale") else col >= 0


def _missing_column(qtype: str, n: int) -> np.ndarray:
    if qtype in ("number", "scale"):
        return np.full(n, np.nan)
    if qtype == "multi":
        return np.zeros(n, dtype=np.uint64)
    return np.full(n, -1, dtype=DTYPES[qtype])


# ---------------------------------------------------------------- vectorised conditions

_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "==": np.equal,
    "!=": np.not_equal,
    "<": np.less,
    "<=": np.less_equal,
    ">": np.greater,
    ">=": np.greater_equal,
}


def _operand(atom: expr.Atom, ctx: _Ctx, other: expr.Atom) -> tuple[Any, BArray | None]:
    if isinstance(atom, expr.Ref):
        col, present, _ = ctx[atom.code]
        return col, present
    value = atom.value
    if isinstance(other, expr.Ref) and isinstance(value, str):
        return ctx[other.code][2].option_index[value], None
    if isinstance(value, bool):
        return int(value), None
    return value, None


def _eval(node: expr.Node, ctx: _Ctx, m: int) -> BArray:
    if isinstance(node, expr.Compare):
        if isinstance(node.left, expr.Lit) and isinstance(node.right, expr.Lit):
            return np.full(m, expr.evaluate(node, {}))
        a, pa = _operand(node.left, ctx, node.right)
        b, pb = _operand(node.right, ctx, node.left)
        with np.errstate(invalid="ignore"):
            result = np.asarray(_OPS[node.op](a, b))
        for present in (pa, pb):
            if present is not None:
                result = (result | ~present) if node.op == "!=" else (result & present)
        return result
    if isinstance(node, expr.Member):
        assert isinstance(node.item, expr.Lit)
        assert isinstance(node.container, expr.Ref)
        col, present, crit = ctx[node.container.code]
        bit = np.uint64(1 << crit.option_index[str(node.item.value)])
        return ((col & bit) != 0) & present
    if isinstance(node, expr.Truth):
        if isinstance(node.atom, expr.Lit):
            return np.full(m, node.atom.value is True)
        col, present, _ = ctx[node.atom.code]
        return (col == 1) & present
    if isinstance(node, expr.Not):
        return ~_eval(node.operand, ctx, m)
    results = [_eval(o, ctx, m) for o in node.operands]
    out = results[0].copy()
    for r in results[1:]:
        if node.op == "and":
            out &= r
        else:
            out |= r
    return out
