"""Trend models for indicator forecasts: fitting, prediction distributions, Student-t.

Pure numpy and standard library; :mod:`thuocdo.indicators.domain.forecast` documents the
methods and formulas and is the public entry point.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from statistics import NormalDist

import numpy as np

FALLBACK_CV = 0.10
_SIGMA_FLOOR_REL = 1e-9


class ForecastError(ValueError):
    """Bad forecast input; carries Vietnamese and English messages."""

    def __init__(self, message_vi: str, message_en: str) -> None:
        super().__init__(f"{message_vi} / {message_en}")
        self.message_vi = message_vi
        self.message_en = message_en


# --------------------------------------------------------------------------- distributions


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction for the regularised incomplete beta (modified Lentz)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 400):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-15:
            break
    return h


def _betainc(a: float, b: float, x: float) -> float:
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    front = math.exp(log_front)
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def student_t_cdf(t: float, dof: float) -> float:
    """CDF of Student's t; ``dof = inf`` gives the standard normal."""
    if math.isinf(dof) or dof > 1e7:
        return NormalDist().cdf(t)
    if math.isinf(t):
        return 1.0 if t > 0 else 0.0
    x = dof / (dof + t * t)
    tail = 0.5 * _betainc(dof / 2.0, 0.5, x)
    return 1.0 - tail if t >= 0 else tail


def student_t_ppf(p: float, dof: float) -> float:
    """Quantile of Student's t (bisection on the CDF)."""
    if not 0.0 < p < 1.0:
        raise ForecastError("Xác suất phải nằm trong (0, 1)", "Probability must be in (0, 1)")
    if math.isinf(dof) or dof > 1e7:
        return NormalDist().inv_cdf(p)
    if p < 0.5:
        return -student_t_ppf(1.0 - p, dof)
    lo, hi = 0.0, 1.0
    while student_t_cdf(hi, dof) < p:
        hi *= 2.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if student_t_cdf(mid, dof) < p:
            lo = mid
        else:
            hi = mid
        if hi - lo < 1e-12 * max(1.0, hi):
            break
    return 0.5 * (lo + hi)


# --------------------------------------------------------------------------- models


@dataclass(frozen=True)
class Prediction:
    """Forecast distribution for one year: ``center ± scale`` on the model scale."""

    method: str
    year: int
    horizon: int
    center: float
    scale: float
    dof: float
    log_scale: bool
    level: float = 0.95

    def _to_value(self, z: float) -> float:
        return math.exp(z) if self.log_scale else z

    @property
    def value(self) -> float:
        return self._to_value(self.center)

    @property
    def interval(self) -> tuple[float, float]:
        q = student_t_ppf(0.5 + self.level / 2.0, self.dof)
        return self._to_value(self.center - q * self.scale), self._to_value(
            self.center + q * self.scale
        )

    def prob_at_least(self, threshold: float) -> float:
        if self.log_scale:
            if threshold <= 0:
                return 1.0
            threshold = math.log(threshold)
        if self.scale <= 0:
            return 1.0 if self.center >= threshold else 0.0
        return 1.0 - student_t_cdf((threshold - self.center) / self.scale, self.dof)


@dataclass(frozen=True)
class FittedModel:
    method: str
    years: tuple[int, ...]
    values: tuple[float, ...]
    sigma: float
    dof: float
    params: dict[str, float]
    log_scale: bool
    notes: tuple[str, ...]
    _center_se: Callable[[int], tuple[float, float]] = field(repr=False, compare=False)

    def predict(self, year: int, *, level: float = 0.95) -> Prediction:
        center, se = self._center_se(year)
        return Prediction(
            method=self.method,
            year=year,
            horizon=year - self.years[-1],
            center=center,
            scale=se,
            dof=self.dof,
            log_scale=self.log_scale,
            level=level,
        )

    def point(self, year: int) -> float:
        center, _ = self._center_se(year)
        return math.exp(center) if self.log_scale else center


def _floor(sigma: float, y: np.ndarray) -> float:
    scale = float(np.max(np.abs(y))) if y.size else 1.0
    return max(sigma, _SIGMA_FLOOR_REL * max(scale, 1.0))


def _fallback_sigma(y: np.ndarray) -> float:
    return max(FALLBACK_CV * float(np.mean(np.abs(y))), _SIGMA_FLOOR_REL)


def _fit_regression(method: str, years: np.ndarray, z: np.ndarray, y: np.ndarray) -> FittedModel:
    n = len(z)
    x = years.astype(float)
    xbar = float(x.mean())
    sxx = float(((x - xbar) ** 2).sum())
    zbar = float(z.mean())
    slope = float(((x - xbar) * (z - zbar)).sum() / sxx)
    intercept = zbar - slope * xbar
    resid = z - (zbar + slope * (x - xbar))
    notes: list[str] = []
    if n > 2:
        dof: float = n - 2
        sigma = _floor(math.sqrt(float((resid**2).sum()) / (n - 2)), z)
    else:
        dof = math.inf
        sigma = _fallback_sigma(z)
        notes.append("fallback-sigma: two points leave no residual to estimate the spread")

    def center_se(year: int) -> tuple[float, float]:
        x0 = float(year)
        center = zbar + slope * (x0 - xbar)
        se = sigma * math.sqrt(1.0 + 1.0 / n + (x0 - xbar) ** 2 / sxx)
        return center, se

    return FittedModel(
        method=method,
        years=tuple(int(v) for v in years),
        values=tuple(float(v) for v in y),
        sigma=sigma,
        dof=dof,
        params={"intercept": intercept, "slope": slope, "mean_year": xbar, "mean_value": zbar},
        log_scale=method == "loglinear",
        notes=tuple(notes),
        _center_se=center_se,
    )


def fit_linear(years: np.ndarray, y: np.ndarray) -> FittedModel:
    if len(y) < 2:
        raise ForecastError("Xu hướng tuyến tính cần ít nhất 2 điểm", "Linear trend needs 2 points")
    return _fit_regression("linear", years, y, y)


def fit_loglinear(years: np.ndarray, y: np.ndarray) -> FittedModel:
    if len(y) < 2:
        raise ForecastError(
            "Xu hướng tăng trưởng mũ cần ít nhất 2 điểm", "Log-linear trend needs 2 points"
        )
    if np.any(y <= 0):
        raise ForecastError(
            "Xu hướng tăng trưởng mũ chỉ dùng cho chuỗi số dương",
            "Log-linear trend needs a strictly positive series",
        )
    return _fit_regression("loglinear", years, np.log(y), y)


def fit_naive(years: np.ndarray, y: np.ndarray) -> FittedModel:
    n = len(y)
    last_year, last = int(years[-1]), float(y[-1])
    notes: list[str] = []
    if n >= 2:
        gaps = np.diff(years).astype(float)
        steps = np.diff(y) / np.sqrt(gaps)
        sigma = _floor(math.sqrt(float((steps**2).mean())), y)
        dof: float = n - 1
    else:
        sigma = _fallback_sigma(y)
        dof = math.inf
        notes.append("fallback-sigma: one point leaves no change to estimate the spread")

    def center_se(year: int) -> tuple[float, float]:
        h = max(year - last_year, 1)
        return last, sigma * math.sqrt(h)

    return FittedModel(
        method="naive",
        years=tuple(int(v) for v in years),
        values=tuple(float(v) for v in y),
        sigma=sigma,
        dof=dof,
        params={"last": last},
        log_scale=False,
        notes=tuple(notes),
        _center_se=center_se,
    )


_ALPHAS = np.linspace(0.05, 1.0, 20)
_BETA_STARS = np.linspace(0.0, 1.0, 21)
_PHIS_DAMPED = np.array([0.8, 0.85, 0.9, 0.95, 0.98])


def _holt_grid(damped: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    phis = _PHIS_DAMPED if damped else np.array([1.0])
    a, bs, p = np.meshgrid(_ALPHAS, _BETA_STARS, phis, indexing="ij")
    alpha = a.ravel()
    return alpha, alpha * bs.ravel(), p.ravel()


def fit_holt(years: np.ndarray, y: np.ndarray, *, damped: bool = False) -> FittedModel:
    """Holt's linear method in innovations form, parameters chosen on a grid by SSE.

    ``ŷ_t = l + φb``; ``e = y_t − ŷ_t``; ``l ← l + φb + αe``; ``b ← φb + βe`` with
    ``l₀ = y₀``, ``b₀ = y₁ − y₀``. The error at t = 1 is zero by construction, so the SSE and σ
    use the ``n − 2`` errors from t = 2 on.
    """
    n = len(y)
    method = "holt_damped" if damped else "holt"
    if n < 3:
        raise ForecastError(
            "Phương pháp Holt cần ít nhất 3 điểm", "Holt's method needs at least 3 points"
        )
    if np.any(np.diff(years) != 1):
        raise ForecastError(
            "Phương pháp Holt cần các năm liên tiếp", "Holt's method needs consecutive years"
        )
    alpha, beta, phi = _holt_grid(damped)
    level = np.full(alpha.shape, float(y[0]))
    trend = np.full(alpha.shape, float(y[1] - y[0]))
    sse = np.zeros(alpha.shape)
    for t in range(1, n):
        err = float(y[t]) - (level + phi * trend)
        if t >= 2:
            sse += err**2
        level = level + phi * trend + alpha * err
        trend = phi * trend + beta * err
    best = int(np.argmin(sse))
    a, b, p = float(alpha[best]), float(beta[best]), float(phi[best])
    l_n, b_n = float(level[best]), float(trend[best])
    m = n - 2
    sigma = _floor(math.sqrt(float(sse[best]) / m), y)
    dof = float(max(m - 2, 1))
    last_year = int(years[-1])

    def center_se(year: int) -> tuple[float, float]:
        h = max(year - last_year, 1)
        phi_sum = sum(p**j for j in range(1, h + 1))
        center = l_n + phi_sum * b_n
        var = 1.0
        for j in range(1, h):
            c_j = a + b * sum(p**i for i in range(1, j + 1))
            var += c_j * c_j
        return center, sigma * math.sqrt(var)

    return FittedModel(
        method=method,
        years=tuple(int(v) for v in years),
        values=tuple(float(v) for v in y),
        sigma=sigma,
        dof=dof,
        params={"alpha": a, "beta": b, "phi": p, "level": l_n, "trend": b_n},
        log_scale=False,
        notes=(),
        _center_se=center_se,
    )


def fit(method: str, history: Sequence[tuple[int, float]]) -> FittedModel:
    """Fit one named method to ``history``."""
    years, y = history_arrays(history)
    if method == "linear":
        return fit_linear(years, y)
    if method == "loglinear":
        return fit_loglinear(years, y)
    if method == "holt":
        return fit_holt(years, y)
    if method == "holt_damped":
        return fit_holt(years, y, damped=True)
    if method == "naive":
        return fit_naive(years, y)
    raise ForecastError(f"Phương pháp không xác định: '{method}'", f"Unknown method: '{method}'")


def method_applies(method: str, years: np.ndarray, y: np.ndarray) -> bool:
    if method == "loglinear":
        return bool(np.all(y > 0)) and len(y) >= 2
    if method in ("holt", "holt_damped"):
        return len(y) >= 3 and bool(np.all(np.diff(years) == 1))
    if method == "linear":
        return len(y) >= 2
    return len(y) >= 1


# --------------------------------------------------------------------------- history helpers


def history_arrays(history: Iterable[tuple[int, float]]) -> tuple[np.ndarray, np.ndarray]:
    pairs = list(history)
    if not pairs:
        raise ForecastError("Chuỗi số liệu trống", "Empty history")
    seen: set[int] = set()
    clean: list[tuple[int, float]] = []
    for year, value in pairs:
        if isinstance(value, bool) or value is None:
            raise ForecastError(
                f"Giá trị năm {year} không phải là số", f"The value for {year} is not a number"
            )
        v = float(value)
        if not math.isfinite(v):
            raise ForecastError(
                f"Giá trị năm {year} không hữu hạn", f"The value for {year} is not finite"
            )
        if int(year) in seen:
            raise ForecastError(f"Năm {year} bị lặp", f"Year {year} appears twice")
        seen.add(int(year))
        clean.append((int(year), v))
    clean.sort()
    return np.array([c[0] for c in clean], dtype=np.int64), np.array([c[1] for c in clean])
