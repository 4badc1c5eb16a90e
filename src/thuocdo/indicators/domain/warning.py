"""Early-warning rules on top of the forecast (no Django).

The forecast (``forecast.py``) projects a series to a target year. Before its verdict is
shown as a warning three rules apply, in this order:

1. **Target already met.** When the latest complete year already meets a target that lies
   ahead, the verdict is ``target_met`` ("propose raising the target", seed 001 principle 3)
   whatever the length of the history: it is an observation, not a forecast.
2. **Too little history.** With fewer than ``MIN_POINTS_FOR_VERDICT`` complete years no
   verdict is given (``too_little_history``): a trend through one or two points says nothing
   about the target year.
3. Otherwise the forecast's verdict (on track, at risk, off track, far ahead).

``far_ahead`` and ``target_met`` both propose raising the target.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from thuocdo.indicators.domain.forecast import (
    VERDICT_LABELS,
    Forecast,
    Target,
    VerdictRules,
    forecast_to_target,
    history_arrays,
)

MIN_POINTS_FOR_VERDICT = 3
DEFAULT_RULES = VerdictRules()
TARGET_MET = "target_met"
TOO_LITTLE_HISTORY = "too_little_history"
PROPOSE_RAISING = frozenset({"far_ahead", TARGET_MET})

LABELS: dict[str, dict[str, str]] = {
    **{str(k): v for k, v in VERDICT_LABELS.items()},
    TARGET_MET: {
        "vi": "Đã đạt chỉ tiêu — đề xuất điều chỉnh tăng chỉ tiêu",
        "en": "Target already met — propose raising the target",
    },
    TOO_LITTLE_HISTORY: {
        "vi": "Chưa đủ số liệu để đánh giá (cần ít nhất 3 năm)",
        "en": "Too little history to judge (at least 3 years needed)",
    },
}


@dataclass(frozen=True)
class Assessment:
    """A verdict and, when one was made, the forecast behind it."""

    verdict: str
    target: Target
    forecast: Forecast | None
    latest: tuple[int, float]
    n_points: int

    @property
    def proposes_raising(self) -> bool:
        return self.verdict in PROPOSE_RAISING

    def label(self, lang: str = "vi") -> str:
        return LABELS[self.verdict][lang]

    def to_dict(self) -> dict[str, Any]:
        fc = self.forecast
        return {
            "verdict": self.verdict,
            "target_year": self.target.year,
            "target": self.target.value,
            "comparator": self.target.comparator,
            "forecast": None if fc is None else fc.value,
            "interval": None if fc is None else [fc.lower, fc.upper],
            "p_meet": None if fc is None else fc.p_meet,
            "latest": list(self.latest),
            "n_points": self.n_points,
        }


def meets(value: float, target: Target, rules: VerdictRules = DEFAULT_RULES) -> bool:
    """Whether ``value`` meets ``target`` (with the forecast's numerical tolerance)."""
    tol = max(rules.tolerance_abs, rules.tolerance_rel * abs(target.value))
    if target.sense == "at_least":
        return value >= target.value - tol
    return value <= target.value + tol


def assess(
    history: Sequence[tuple[int, float]],
    target: Target,
    *,
    bounds: tuple[float | None, float | None] | None = None,
    rules: VerdictRules = DEFAULT_RULES,
    min_points: int = MIN_POINTS_FOR_VERDICT,
) -> Assessment:
    """The verdict of ``history`` against ``target`` under the three rules above.

    A target year already observed is decided by the observed value (as in the forecast);
    raises ``ForecastError`` on an empty or invalid history.
    """
    years, y = history_arrays(history)
    latest = (int(years[-1]), float(y[-1]))
    n = len(y)
    if target.year <= latest[0]:
        observed = forecast_to_target(history, target, bounds=bounds, rules=rules)
        return Assessment(str(observed.verdict), target, observed, latest, n)
    fc = (
        forecast_to_target(history, target, bounds=bounds, rules=rules) if n >= min_points else None
    )
    if meets(latest[1], target, rules):
        return Assessment(TARGET_MET, target, fc, latest, n)
    if fc is None:
        return Assessment(TOO_LITTLE_HISTORY, target, None, latest, n)
    return Assessment(str(fc.verdict), target, fc, latest, n)
