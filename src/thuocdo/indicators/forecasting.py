"""Forecast and early warning from stored data (``domain/forecast.py`` does the statistics).

For an indicator and a unit: the stored values are turned into annual points
(``annualise`` with the indicator's aggregation), the target is the unit's own or else the
national one, and ``forecast_to_target`` gives the projection, interval, probability of
meeting the target and the verdict.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from thuocdo.geo.models import Unit
from thuocdo.indicators.domain.forecast import (
    VERDICT_LABELS,
    ForecastError,
    Target,
    Verdict,
    annualise,
    forecast_to_target,
    partial_years,
)
from thuocdo.indicators.models import Indicator
from thuocdo.indicators.reporting import dual, unit_code
from thuocdo.indicators.selectors import history_points, target_for


def forecast_for(
    indicator: Indicator, unit: Unit | None, *, target_year: int | None = None
) -> dict[str, Any]:
    """The forecast against the target, as a dict; ValidationError when it cannot be made."""
    points = history_points(indicator, unit)
    if not points:
        raise ValidationError(
            {
                "history": _("No values are recorded for %(code)s in %(unit)s yet.")
                % {"code": indicator.code, "unit": unit_code(unit)}
            }
        )
    target = target_for(indicator, unit, target_year)
    if target is None:
        raise ValidationError(
            {
                "target": _("No target is set for %(code)s%(year)s.")
                % {
                    "code": indicator.code,
                    "year": "" if target_year is None else f" ({target_year})",
                }
            }
        )
    try:
        history = annualise(points, how=indicator.aggregation)  # type: ignore[arg-type]
        partial = partial_years(points, how=indicator.aggregation)  # type: ignore[arg-type]
        if not history:
            raise ValidationError(
                {
                    "history": _(
                        "No complete year is recorded for %(code)s in %(unit)s yet: a year "
                        "counts once its fourth quarter or its annual value is in."
                    )
                    % {"code": indicator.code, "unit": unit_code(unit)}
                }
            )
        fc = forecast_to_target(
            history,
            Target(
                year=target.year,
                value=target.value,
                direction="lower" if indicator.direction == "lower" else "higher",
                comparator=target.comparator,
            ),
            bounds=indicator.bounds,
        )
    except ForecastError as exc:
        raise ValidationError({"history": dual(exc.message_vi, exc.message_en)}) from exc
    verdict = Verdict(fc.verdict)
    return {
        "target": target.value,
        "target_year": target.year,
        "forecast": fc.value,
        "interval": [fc.lower, fc.upper],
        "p_meet": fc.p_meet,
        "verdict": str(verdict),
        "verdict_label": dual(VERDICT_LABELS[verdict]["vi"], VERDICT_LABELS[verdict]["en"]),
        "comparator": target.comparator,
        "target_unit": unit_code(target.unit),
        "method": fc.method,
        "selection": fc.selection,
        "level": fc.level,
        "history": [list(p) for p in fc.history],
        "notes": list(fc.notes) + [_partial_note(year, qs) for year, qs in partial.items()],
        "indicator": indicator.code,
        "unit": unit_code(unit),
    }


def _partial_note(year: int, quarters: dict[int, float]) -> str:
    reported = ", ".join(f"Q{q} = {v:g}" for q, v in quarters.items())
    return (
        f"{year} is incomplete ({reported}): not used as a year-end value until its fourth "
        "quarter or annual value is in"
    )


CONTRACT_KEYS = ("target", "target_year", "forecast", "interval", "p_meet", "verdict")


def contract(fc: dict[str, Any]) -> dict[str, Any]:
    """The CLI contract: ``{"target", "target_year", "forecast", "interval", "p_meet",
    "verdict"}``."""
    return {k: fc[k] for k in CONTRACT_KEYS}


def forecast_or_none(indicator: Indicator, unit: Unit | None) -> dict[str, Any] | None:
    try:
        return forecast_for(indicator, unit)
    except ValidationError:
        return None


def forecast_get(
    *, scope: Any, code: str, unit_code: str | None = None, target_year: int | None = None
) -> dict[str, Any]:
    """The forecast of an indicator for a unit the viewer may read (selector entry point)."""
    from thuocdo.indicators.reporting import resolve_unit
    from thuocdo.indicators.selectors import require_read_unit
    from thuocdo.indicators.services import indicator_by_code

    indicator = indicator_by_code(code)
    unit = resolve_unit(unit_code)
    require_read_unit(scope, unit)
    return forecast_for(indicator, unit, target_year=target_year)


def stored_backtest() -> Any:
    """The backtest of ``domain/forecast.py`` over every stored indicator × unit series
    (annualised as for the forecasts, complete years only); series shorter than three years
    are skipped."""
    from thuocdo.indicators.domain.forecast import backtest
    from thuocdo.indicators.models import Submission

    grouped: dict[tuple[str, str], dict[str, float]] = {}
    aggregation: dict[str, str] = {}
    rows = Submission.objects.select_related("indicator", "unit").order_by("period_end")
    for s in rows:
        key = (s.indicator.code, unit_code(s.unit))
        grouped.setdefault(key, {})[s.period] = s.value
        aggregation[s.indicator.code] = s.indicator.aggregation
    series = {
        f"{code}@{unit}": annualise(points, how=aggregation[code])  # type: ignore[arg-type]
        for (code, unit), points in sorted(grouped.items())
    }
    return backtest(series, notes=dict.fromkeys(series, "stored values"))


def early_warnings(*, scope: Any, unit_code: str | None = "all") -> list[dict[str, Any]]:
    """Indicator × unit pairs in the viewer's scope whose forecast is not on track: off track
    and at risk (act early), far ahead (propose raising the target). Worst first."""
    from thuocdo.indicators.models import Submission
    from thuocdo.indicators.reporting import resolve_unit
    from thuocdo.indicators.selectors import require_read_unit, submission_list

    if unit_code != "all":
        unit = resolve_unit(unit_code)
        require_read_unit(scope, unit)
        pairs = set(Submission.objects.filter(unit=unit).values_list("indicator_id", "unit_id"))
    else:
        pairs = set(submission_list(scope=scope).values_list("indicator_id", "unit_id"))
    indicators = {i.pk: i for i in Indicator.objects.filter(pk__in={p[0] for p in pairs})}
    units = {u.pk: u for u in Unit.objects.filter(pk__in={p[1] for p in pairs if p[1]})}
    order = {"off_track": 0, "at_risk": 1, "far_ahead": 2}
    out: list[dict[str, Any]] = []
    for ind_id, unit_id in pairs:
        fc = forecast_or_none(indicators[ind_id], units.get(unit_id) if unit_id else None)
        if fc is None or fc["verdict"] not in order:
            continue
        out.append(
            {
                **contract(fc),
                "indicator": fc["indicator"],
                "name": indicators[ind_id].name_vi,
                "unit": fc["unit"],
                "verdict_label": fc["verdict_label"],
            }
        )
    out.sort(key=lambda r: (order[r["verdict"]], r["p_meet"], r["indicator"], r["unit"]))
    return out
