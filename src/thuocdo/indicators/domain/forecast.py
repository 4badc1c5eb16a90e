"""Trend forecasts of strategy indicators against their targets.

Given an annual history ``[(year, value), ...]`` and a :class:`Target`, :func:`forecast_to_target`
fits candidate trend models, picks one by out-of-sample error, projects the target year and
says whether the indicator is on track. The methods, formulas and thresholds are written up
in ``docs/forecasting.md``; the short version:

Methods
    ``linear``       ordinary least squares ``y = a + b·year``.
    ``loglinear``    least squares on ``log y`` (constant growth rate); positive series only.
    ``holt``         Holt's linear exponential smoothing (additive trend, ETS(A,A,N)).
    ``holt_damped``  the damped-trend variant ETS(A,Ad,N) (opt-in via ``methods``).
    ``naive``        the last value (random walk).

Selection
    With at least :data:`MIN_POINTS_FOR_SELECTION` points every candidate is scored by
    rolling-origin one-step-ahead MAE: for each origin ``k = 3 … n-1`` it is fitted on the first
    ``k`` points and forecasts point ``k``. The lowest MAE wins; near-ties go to the simpler
    method (order: linear, loglinear, holt, holt_damped, naive). With 2–4 points the method is
    ``linear``; with one point it is ``naive``.

Prediction intervals (level 95% by default; ``q`` is the Student-t quantile with the model's
residual degrees of freedom, which tends to the normal 1.96 for long series)
    linear / loglinear  ``ŷ ± q·s·√(1 + 1/n + (x₀ − x̄)²/Sxx)``, on the log scale for
                        loglinear and exponentiated (the point value is the median ``exp(ŷ)``).
    holt                ``ŷ ± q·σ·√(1 + Σ_{j=1}^{h-1} c_j²)``, ``c_j = α + β(φ + … + φ^j)``.
    naive               ``y_n ± q·σ·√h``, σ the root mean square of year-on-year changes.
    All widen with the horizon ``h``. When the history has too few points to estimate the
    spread (one point; two points for linear) a fallback σ of :data:`FALLBACK_CV` × level is
    used with normal quantiles and a note says so.

Probability of meeting the target
    ``p_meet = P(Y ≥ target − tol)`` for "at least" targets and ``P(Y ≤ target + tol)`` for
    "at most" ones, Y following the forecast distribution above (normal / Student-t, on the log
    scale for loglinear). ``tol`` is a numerical tolerance (0.1% of the target), so a series
    that lands exactly on its target counts as meeting it. Strict and non-strict comparators
    are treated alike (the distribution is continuous).

Verdict (:class:`VerdictRules`, all adjustable)
    ``far_ahead``  the conservative end of the interval beats the target by the margin
                   (10% of the target, capped at half the headroom to a bound such as 100%):
                   propose raising the target.
    ``on_track``   ``p_meet ≥ 0.7``.
    ``at_risk``    ``0.3 ≤ p_meet < 0.7``.
    ``off_track``  ``p_meet < 0.3``.

This module is pure (numpy and the standard library only).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

import numpy as np

from thuocdo.indicators.domain.forecast_models import (
    FALLBACK_CV,
    FittedModel,
    ForecastError,
    Prediction,
    fit,
    fit_holt,
    fit_linear,
    fit_loglinear,
    fit_naive,
    history_arrays,
    method_applies,
    student_t_cdf,
    student_t_ppf,
)
from thuocdo.indicators.domain.periods import PeriodKind, parse_period

__all__ = [
    "DEFAULT_METHODS",
    "FALLBACK_CV",
    "METHOD_ORDER",
    "BacktestReport",
    "BacktestRow",
    "FittedModel",
    "Forecast",
    "ForecastError",
    "Prediction",
    "Target",
    "Verdict",
    "VerdictRules",
    "annualise",
    "backtest",
    "decide",
    "fit",
    "fit_holt",
    "fit_linear",
    "fit_loglinear",
    "fit_naive",
    "forecast_to_target",
    "partial_years",
    "rolling_origin_mae",
    "select_method",
    "student_t_cdf",
    "student_t_ppf",
]

Direction = Literal["higher", "lower"]
Sense = Literal["at_least", "at_most"]

METHOD_ORDER: tuple[str, ...] = ("linear", "loglinear", "holt", "holt_damped", "naive")
DEFAULT_METHODS: tuple[str, ...] = ("linear", "loglinear", "holt", "naive")
MIN_POINTS_FOR_SELECTION = 5
MIN_TRAIN = 3
_TIE_REL = 1e-9

_COMPARATORS_AT_LEAST = {">=", ">", "≥"}
_COMPARATORS_AT_MOST = {"<=", "<", "≤"}
_COMPARATORS_NEUTRAL = {"=", "~", "≈"}


class Verdict(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    FAR_AHEAD = "far_ahead"


VERDICT_LABELS: dict[Verdict, dict[str, str]] = {
    Verdict.ON_TRACK: {"vi": "Đúng hướng", "en": "On track"},
    Verdict.AT_RISK: {"vi": "Có nguy cơ không đạt", "en": "At risk"},
    Verdict.OFF_TRACK: {"vi": "Không đạt theo xu hướng", "en": "Off track"},
    Verdict.FAR_AHEAD: {
        "vi": "Vượt xa chỉ tiêu — đề xuất điều chỉnh tăng chỉ tiêu",
        "en": "Far ahead — propose raising the target",
    },
}


@dataclass(frozen=True)
class Target:
    """A target value for a year. ``comparator`` wins over ``direction`` when it has a sense."""

    year: int
    value: float
    direction: Direction = "higher"
    comparator: str | None = None

    @property
    def sense(self) -> Sense:
        comp = (self.comparator or "").strip()
        if comp in _COMPARATORS_AT_LEAST:
            return "at_least"
        if comp in _COMPARATORS_AT_MOST:
            return "at_most"
        if comp and comp not in _COMPARATORS_NEUTRAL:
            raise ForecastError(
                f"Phép so sánh chỉ tiêu không hợp lệ: '{comp}'",
                f"Invalid target comparator: '{comp}'",
            )
        if self.direction not in ("higher", "lower"):
            raise ForecastError(
                f"Chiều chỉ tiêu phải là 'higher' hoặc 'lower', nhận được '{self.direction}'",
                f"Direction must be 'higher' or 'lower', got '{self.direction}'",
            )
        return "at_least" if self.direction == "higher" else "at_most"


@dataclass(frozen=True)
class VerdictRules:
    on_track_p: float = 0.7
    off_track_p: float = 0.3
    far_ahead_margin_rel: float = 0.10
    far_ahead_margin_abs: float = 0.0
    tolerance_rel: float = 1e-3
    tolerance_abs: float = 1e-9


# --------------------------------------------------------------------------- history helpers


def _split_periods(
    points: Mapping[str, float],
) -> tuple[dict[int, float], dict[int, dict[int, float]]]:
    annual: dict[int, float] = {}
    quarterly: dict[int, dict[int, float]] = {}
    for label, value in points.items():
        period = parse_period(label)
        if period.kind is PeriodKind.ANNUAL:
            annual[period.year] = float(value)
        else:
            assert period.quarter is not None
            quarterly.setdefault(period.year, {})[period.quarter] = float(value)
    return annual, quarterly


def _year_complete(quarters: Mapping[int, float], how: str) -> bool:
    if how in ("last", "mean"):
        return 4 in quarters
    if how == "sum":
        return len(quarters) == 4
    raise ForecastError(f"Cách gộp không hợp lệ: '{how}'", f"Invalid aggregation: '{how}'")


def annualise(
    points: Mapping[str, float], how: Literal["last", "mean", "sum"] = "last"
) -> list[tuple[int, float]]:
    """Aggregate period-labelled values (``"2025Q1"``, ``"2025"``…) to annual points.

    Only complete years become points: a year with an annual value (which wins over its
    quarters), or with its fourth quarter (``last``, ``mean``) or all four quarters (``sum``).
    ``last`` takes the fourth quarter (stock indicators such as shares), ``mean`` the mean of
    the quarters present, ``sum`` the total of the four. A year still in progress (say only
    2025Q1) is not a year-end value: :func:`partial_years` lists it.
    """
    annual, quarterly = _split_periods(points)
    out = dict(annual)
    for year, quarters in quarterly.items():
        if year in out or not _year_complete(quarters, how):
            continue
        if how == "last":
            out[year] = quarters[4]
        elif how == "mean":
            out[year] = sum(quarters.values()) / len(quarters)
        else:
            out[year] = sum(quarters.values())
    return sorted(out.items())


def partial_years(
    points: Mapping[str, float], how: Literal["last", "mean", "sum"] = "last"
) -> dict[int, dict[int, float]]:
    """The years :func:`annualise` leaves out because they are incomplete: year → quarters."""
    annual, quarterly = _split_periods(points)
    return {
        year: dict(sorted(quarters.items()))
        for year, quarters in sorted(quarterly.items())
        if year not in annual and not _year_complete(quarters, how)
    }


# --------------------------------------------------------------------------- selection


def rolling_origin_mae(
    history: Sequence[tuple[int, float]],
    methods: Sequence[str] = DEFAULT_METHODS,
    *,
    min_train: int = MIN_TRAIN,
) -> dict[str, float]:
    """One-step-ahead MAE of each applicable method over origins ``min_train … n-1``."""
    years, y = history_arrays(history)
    n = len(y)
    out: dict[str, float] = {}
    for method in methods:
        if not method_applies(method, years, y):
            continue
        errors: list[float] = []
        for k in range(min_train, n):
            model = fit(method, list(zip(years[:k].tolist(), y[:k].tolist(), strict=True)))
            errors.append(abs(model.point(int(years[k])) - float(y[k])))
        if errors:
            out[method] = float(np.mean(errors))
    return out


def select_method(
    history: Sequence[tuple[int, float]], methods: Sequence[str] = DEFAULT_METHODS
) -> tuple[str, dict[str, float], str]:
    """Return ``(method, cv_mae, rule)``; ``rule`` says how the choice was made."""
    unknown = [m for m in methods if m not in METHOD_ORDER]
    if unknown:
        raise ForecastError(
            f"Phương pháp không xác định: {', '.join(unknown)}",
            f"Unknown method(s): {', '.join(unknown)}",
        )
    _years, y = history_arrays(history)
    n = len(y)
    if n == 1:
        return "naive", {}, "single-point"
    if n < MIN_POINTS_FOR_SELECTION:
        return "linear", {}, "short-history"
    scores = rolling_origin_mae(history, methods)
    if not scores:
        return "linear", {}, "short-history"
    best = min(scores.values())
    tol = _TIE_REL * max(1.0, float(np.max(np.abs(y)))) + 1e-12
    for method in METHOD_ORDER:
        if method in scores and scores[method] <= best + tol:
            return method, scores, "rolling-origin"
    raise AssertionError("unreachable")  # pragma: no cover


# --------------------------------------------------------------------------- forecast


@dataclass(frozen=True)
class Forecast:
    method: str
    target: Target
    target_year: int
    horizon: int
    value: float
    lower: float
    upper: float
    level: float
    p_meet: float
    verdict: Verdict
    selection: str
    cv_mae: dict[str, float]
    history: tuple[tuple[int, float], ...]
    params: dict[str, float]
    notes: tuple[str, ...]

    def label(self, lang: str = "vi") -> str:
        return VERDICT_LABELS[self.verdict][lang]

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "target": {
                "year": self.target.year,
                "value": self.target.value,
                "direction": self.target.direction,
                "comparator": self.target.comparator,
            },
            "target_year": self.target_year,
            "horizon": self.horizon,
            "value": self.value,
            "interval": [self.lower, self.upper],
            "level": self.level,
            "p_meet": self.p_meet,
            "verdict": str(self.verdict),
            "selection": self.selection,
            "cv_mae": dict(self.cv_mae),
            "history": [list(p) for p in self.history],
            "params": dict(self.params),
            "notes": list(self.notes),
        }


def _tolerance(target: Target, rules: VerdictRules) -> float:
    return max(rules.tolerance_abs, rules.tolerance_rel * abs(target.value))


def _p_meet(pred: Prediction, target: Target, rules: VerdictRules) -> float:
    tol = _tolerance(target, rules)
    if target.sense == "at_least":
        return pred.prob_at_least(target.value - tol)
    return 1.0 - pred.prob_at_least(target.value + tol)


def _far_ahead(
    lower: float,
    upper: float,
    target: Target,
    rules: VerdictRules,
    bounds: tuple[float | None, float | None] | None,
) -> bool:
    margin = max(rules.far_ahead_margin_rel * abs(target.value), rules.far_ahead_margin_abs)
    lo_bound, hi_bound = bounds if bounds is not None else (None, None)
    if target.sense == "at_least":
        if hi_bound is not None:
            headroom = hi_bound - target.value
            if headroom <= 0:
                return False
            margin = min(margin, headroom / 2.0)
        return margin > 0 and lower >= target.value + margin
    if lo_bound is not None:
        headroom = target.value - lo_bound
        if headroom <= 0:
            return False
        margin = min(margin, headroom / 2.0)
    return margin > 0 and upper <= target.value - margin


def decide(
    p_meet: float,
    lower: float,
    upper: float,
    target: Target,
    rules: VerdictRules = VerdictRules(),
    bounds: tuple[float | None, float | None] | None = None,
) -> Verdict:
    if _far_ahead(lower, upper, target, rules, bounds):
        return Verdict.FAR_AHEAD
    if p_meet >= rules.on_track_p:
        return Verdict.ON_TRACK
    if p_meet >= rules.off_track_p:
        return Verdict.AT_RISK
    return Verdict.OFF_TRACK


def _clip(v: float, bounds: tuple[float | None, float | None] | None) -> float:
    if bounds is None:
        return v
    lo, hi = bounds
    if lo is not None:
        v = max(v, lo)
    if hi is not None:
        v = min(v, hi)
    return v


def forecast_to_target(
    history: Sequence[tuple[int, float]],
    target: Target,
    *,
    methods: Sequence[str] = DEFAULT_METHODS,
    method: str | None = None,
    level: float = 0.95,
    bounds: tuple[float | None, float | None] | None = None,
    rules: VerdictRules = VerdictRules(),
) -> Forecast:
    """Project ``history`` to ``target.year`` and judge it against the target.

    ``method`` forces a method (no selection); ``bounds`` clips the point value and interval
    to the possible range (e.g. ``(0, 100)`` for a percentage) and caps the far-ahead margin.
    """
    if not 0.5 < level < 1.0:
        raise ForecastError("Mức tin cậy phải nằm trong (0,5; 1)", "Level must be in (0.5, 1)")
    years, y = history_arrays(history)
    pairs = tuple(zip(years.tolist(), y.tolist(), strict=True))
    _ = target.sense  # validates the comparator and direction early
    if not math.isfinite(float(target.value)):
        raise ForecastError("Giá trị chỉ tiêu không hữu hạn", "Target value is not finite")
    last_year = int(years[-1])
    if target.year <= last_year:
        if target.year not in years.tolist():
            raise ForecastError(
                f"Năm chỉ tiêu {target.year} đã qua nhưng không có số liệu",
                f"Target year {target.year} is in the past and has no value",
            )
        observed = float(y[years.tolist().index(target.year)])
        tol = _tolerance(target, rules)
        met = (
            observed >= target.value - tol
            if target.sense == "at_least"
            else (observed <= target.value + tol)
        )
        p = 1.0 if met else 0.0
        return Forecast(
            method="observed",
            target=target,
            target_year=target.year,
            horizon=0,
            value=observed,
            lower=observed,
            upper=observed,
            level=level,
            p_meet=p,
            verdict=decide(p, observed, observed, target, rules, bounds),
            selection="observed",
            cv_mae={},
            history=pairs,
            params={},
            notes=("the target year is already observed",),
        )

    cv: dict[str, float] = {}
    if method is None:
        chosen, cv, rule = select_method(pairs, methods)
    else:
        chosen, rule = method, "forced"
        if not method_applies(method, years, y):
            raise ForecastError(
                f"Phương pháp '{method}' không áp dụng được cho chuỗi này",
                f"Method '{method}' does not apply to this series",
            )
    model = fit(chosen, pairs)
    pred = model.predict(target.year, level=level)
    lower, upper = pred.interval
    value = pred.value
    p = _p_meet(pred, target, rules)
    lower_c, upper_c, value_c = _clip(lower, bounds), _clip(upper, bounds), _clip(value, bounds)
    notes = list(model.notes)
    if value_c != value:
        notes.append("point forecast clipped to the possible range")
    return Forecast(
        method=chosen,
        target=target,
        target_year=target.year,
        horizon=target.year - last_year,
        value=value_c,
        lower=lower_c,
        upper=upper_c,
        level=level,
        p_meet=p,
        verdict=decide(p, lower_c, upper_c, target, rules, bounds),
        selection=rule,
        cv_mae=cv,
        history=pairs,
        params=dict(model.params),
        notes=tuple(notes),
    )


# --------------------------------------------------------------------------- backtest


@dataclass(frozen=True)
class BacktestRow:
    code: str
    n_points: int
    n_forecasts: int
    mae_chosen: float
    mae_naive: float
    methods_used: tuple[str, ...]
    history_note: str = ""


@dataclass(frozen=True)
class BacktestReport:
    rows: tuple[BacktestRow, ...]
    skipped: tuple[str, ...]
    n_forecasts: int
    mae_chosen: float
    mae_naive: float
    wins: int
    ties: int
    losses: int

    @property
    def relative_mae(self) -> float:
        """Pooled MAE of the chosen method divided by that of the naive forecast."""
        return self.mae_chosen / self.mae_naive if self.mae_naive > 0 else math.nan

    def to_text(self) -> str:
        lines = [
            f"{'series':44} {'n':>2} {'fc':>3} {'MAE chosen':>11} {'MAE naive':>10}  methods",
        ]
        for r in self.rows:
            lines.append(
                f"{r.code:44} {r.n_points:>2} {r.n_forecasts:>3} {r.mae_chosen:>11.3f} "
                f"{r.mae_naive:>10.3f}  {','.join(r.methods_used)}"
                + (f"  [{r.history_note}]" if r.history_note else "")
            )
        lines.append(
            f"pooled over {self.n_forecasts} one-step forecasts: MAE chosen = "
            f"{self.mae_chosen:.3f}, MAE naive = {self.mae_naive:.3f}, ratio = "
            f"{self.relative_mae:.3f}; chosen better/tied/worse in "
            f"{self.wins}/{self.ties}/{self.losses} series"
        )
        if self.skipped:
            lines.append("skipped (fewer than 3 points): " + ", ".join(self.skipped))
        return "\n".join(lines)


def backtest(
    series: Mapping[str, Sequence[tuple[int, float]]],
    *,
    min_train: int = 2,
    methods: Sequence[str] = DEFAULT_METHODS,
    notes: Mapping[str, str] | None = None,
) -> BacktestReport:
    """Rolling-origin backtest of the full procedure (selection + fit) against the naive forecast.

    For every series and every origin ``k ≥ min_train`` the procedure sees the first ``k``
    points and forecasts point ``k`` one step ahead; the naive forecast is point ``k − 1``.
    Series with fewer than ``min_train + 1`` points are skipped.
    """
    rows: list[BacktestRow] = []
    skipped: list[str] = []
    all_chosen: list[float] = []
    all_naive: list[float] = []
    wins = ties = losses = 0
    for code, history in series.items():
        years, y = history_arrays(history)
        if len(y) < min_train + 1:
            skipped.append(code)
            continue
        err_c: list[float] = []
        err_n: list[float] = []
        used: list[str] = []
        for k in range(min_train, len(y)):
            train = list(zip(years[:k].tolist(), y[:k].tolist(), strict=True))
            chosen, _, _ = select_method(train, methods)
            model = fit(chosen, train)
            err_c.append(abs(model.point(int(years[k])) - float(y[k])))
            err_n.append(abs(float(y[k - 1]) - float(y[k])))
            used.append(chosen)
        mc, mn = float(np.mean(err_c)), float(np.mean(err_n))
        tol = 1e-9 * max(1.0, mn)
        if mc < mn - tol:
            wins += 1
        elif mc > mn + tol:
            losses += 1
        else:
            ties += 1
        all_chosen.extend(err_c)
        all_naive.extend(err_n)
        rows.append(
            BacktestRow(
                code=code,
                n_points=len(y),
                n_forecasts=len(err_c),
                mae_chosen=mc,
                mae_naive=mn,
                methods_used=tuple(dict.fromkeys(used)),
                history_note=(notes or {}).get(code, ""),
            )
        )
    return BacktestReport(
        rows=tuple(rows),
        skipped=tuple(skipped),
        n_forecasts=len(all_chosen),
        mae_chosen=float(np.mean(all_chosen)) if all_chosen else math.nan,
        mae_naive=float(np.mean(all_naive)) if all_naive else math.nan,
        wins=wins,
        ties=ties,
        losses=losses,
    )
