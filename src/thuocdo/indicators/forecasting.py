"""Forecast and early warning from stored data (``domain/forecast.py`` does the statistics).

For an indicator and a unit: the stored values are turned into annual points
(``annualise`` with the indicator's aggregation), the target is the unit's own or else the
national one, and ``forecast_to_target`` gives the projection, interval, probability of
meeting the target and the verdict.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from thuocdo.geo.models import Unit
from thuocdo.indicators.domain.forecast import (
    ForecastError,
    Target,
    annualise,
    partial_years,
)
from thuocdo.indicators.domain.periods import period_for
from thuocdo.indicators.domain.warning import (
    MIN_POINTS_FOR_VERDICT,
    TOO_LITTLE_HISTORY,
    assess,
)
from thuocdo.indicators.models import Indicator
from thuocdo.indicators.reporting import dual, today, unit_code
from thuocdo.indicators.selectors import history_points, target_for


def _domain_target(indicator: Indicator, target: Any) -> Target:
    return Target(
        year=target.year,
        value=target.value,
        direction="lower" if indicator.direction == "lower" else "higher",
        comparator=target.comparator,
    )


def _plan_verdicts(
    indicator: Indicator, unit: Unit | None, history: list[tuple[int, float]], year_now: int
) -> list[dict[str, Any]]:
    """Each yearly plan value (the unit's own, else the national one) judged like a target:
    a past plan year by its observed value, the year in progress by the forecast rules."""
    from thuocdo.indicators.models import Target as TargetRow

    rows = TargetRow.objects.filter(indicator=indicator, kind="plan")
    own = {t.year: t for t in rows.filter(unit=unit)} if unit is not None else {}
    national = {t.year: t for t in rows.filter(unit__isnull=True)}
    out: list[dict[str, Any]] = []
    observed = dict(history)
    for year in sorted(set(own) | set(national)):
        row = own.get(year) or national[year]
        entry: dict[str, Any] = {
            "year": year,
            "value": row.value,
            "comparator": row.comparator,
            "unit": unit_code(row.unit),
            "current": year == year_now,
        }
        if year < year_now and year not in observed:
            entry.update(verdict=None, verdict_label=_("No value for the plan year"))
        else:
            try:
                a = assess(history, _domain_target(indicator, row), bounds=indicator.bounds)
            except ForecastError as exc:
                entry.update(verdict=None, verdict_label=dual(exc.message_vi, exc.message_en))
            else:
                entry.update(
                    verdict=a.verdict,
                    verdict_label=dual(a.label("vi"), a.label("en")),
                    observed=observed.get(year),
                )
        out.append(entry)
    return out


def forecast_for(
    indicator: Indicator,
    unit: Unit | None,
    *,
    target_year: int | None = None,
    on_day: date | None = None,
) -> dict[str, Any]:
    """The verdict against the next target year still ahead (or ``target_year``, a target or
    else a yearly plan value), with the forecast when there is enough history, and the
    verdicts against the yearly plan values, as a dict; ValidationError when none can be made.
    """
    day = on_day or today()
    year_now = period_for(day).year
    points = history_points(indicator, unit)
    if not points:
        raise ValidationError(
            {
                "history": _("No values are recorded for %(code)s in %(unit)s yet.")
                % {"code": indicator.code, "unit": unit_code(unit)}
            }
        )
    target = target_for(indicator, unit, target_year, on_day=day)
    if target is None and target_year is not None:
        target = target_for(indicator, unit, target_year, kinds=("plan",))
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
        a = assess(history, _domain_target(indicator, target), bounds=indicator.bounds)
    except ForecastError as exc:
        raise ValidationError({"history": dual(exc.message_vi, exc.message_en)}) from exc
    fc = a.forecast
    notes = [] if fc is None else list(fc.notes)
    if target.year < year_now:
        notes.append(f"every target year is over; {target.year} is the latest")
    if a.verdict == TOO_LITTLE_HISTORY:
        notes.append(
            f"{a.n_points} complete year(s): at least {MIN_POINTS_FOR_VERDICT} are needed "
            "for a verdict"
        )
    return {
        "target": target.value,
        "target_year": target.year,
        "target_kind": target.kind,
        "forecast": None if fc is None else fc.value,
        "interval": None if fc is None else [fc.lower, fc.upper],
        "p_meet": None if fc is None else fc.p_meet,
        "verdict": a.verdict,
        "verdict_label": dual(a.label("vi"), a.label("en")),
        "propose_raising": a.proposes_raising,
        "latest": list(a.latest),
        "comparator": target.comparator,
        "target_unit": unit_code(target.unit),
        "method": None if fc is None else fc.method,
        "selection": None if fc is None else fc.selection,
        "level": None if fc is None else fc.level,
        "history": [list(p) for p in history],
        "notes": notes + [_partial_note(year, qs) for year, qs in partial.items()],
        "plans": _plan_verdicts(indicator, unit, list(history), year_now),
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
    rows = (
        Submission.objects.filter(sector="")
        .select_related("indicator", "unit")
        .order_by("period_end")
    )
    for s in rows:
        key = (s.indicator.code, unit_code(s.unit))
        grouped.setdefault(key, {})[s.period] = s.value
        aggregation[s.indicator.code] = s.indicator.aggregation
    series = {
        f"{code}@{unit}": annualise(points, how=aggregation[code])  # type: ignore[arg-type]
        for (code, unit), points in sorted(grouped.items())
    }
    return backtest(series, notes=dict.fromkeys(series, "stored values"))


def backtest_by_indicator(report: Any) -> list[dict[str, Any]]:
    """The backtest pooled per indicator (over its units): series, one-step forecasts, MAE of
    the chosen method and of the naive forecast (weighted by forecasts), their ratio; and the
    series skipped for being shorter than three years."""
    groups: dict[str, list[Any]] = {}
    for row in report.rows:
        groups.setdefault(row.code.split("@")[0], []).append(row)
    skipped: dict[str, int] = {}
    for code in report.skipped:
        skipped[code.split("@")[0]] = skipped.get(code.split("@")[0], 0) + 1
    out: list[dict[str, Any]] = []
    for code in sorted(set(groups) | set(skipped)):
        rows = groups.get(code, [])
        n = sum(r.n_forecasts for r in rows)
        chosen = sum(r.mae_chosen * r.n_forecasts for r in rows) / n if n else None
        naive = sum(r.mae_naive * r.n_forecasts for r in rows) / n if n else None
        out.append(
            {
                "indicator": code,
                "series": len(rows),
                "skipped_series": skipped.get(code, 0),
                "forecasts": n,
                "mae_chosen": chosen,
                "mae_naive": naive,
                "ratio": chosen / naive if chosen is not None and naive else None,
            }
        )
    return out


def backtest_text(report: Any) -> str:
    """The backtest report followed by one line per indicator."""
    lines = [report.to_text(), "", "per indicator:"]
    for r in backtest_by_indicator(report):
        if r["forecasts"]:
            lines.append(
                f"{r['indicator']:44} series {r['series']:>3} fc {r['forecasts']:>4} "
                f"MAE chosen {r['mae_chosen']:.3f} naive {r['mae_naive']:.3f}"
                + ("" if r["ratio"] is None else f" ratio {r['ratio']:.3f}")
            )
        else:
            lines.append(
                f"{r['indicator']:44} too little history ({r['skipped_series']} series "
                "with fewer than 3 years)"
            )
    return "\n".join(lines)


def early_warnings(*, scope: Any, unit_code: str | None = "all") -> list[dict[str, Any]]:
    """Indicator × unit pairs in the viewer's scope whose forecast is not on track: off track
    and at risk (act early), far ahead (propose raising the target). Worst first."""
    from thuocdo.indicators.models import Submission
    from thuocdo.indicators.reporting import resolve_unit
    from thuocdo.indicators.selectors import require_read_unit, submission_list

    if unit_code != "all":
        unit = resolve_unit(unit_code)
        require_read_unit(scope, unit)
        pairs = set(
            Submission.objects.filter(unit=unit, sector="").values_list("indicator_id", "unit_id")
        )
    else:
        pairs = set(submission_list(scope=scope).values_list("indicator_id", "unit_id"))
    indicators = {i.pk: i for i in Indicator.objects.filter(pk__in={p[0] for p in pairs})}
    units = {u.pk: u for u in Unit.objects.filter(pk__in={p[1] for p in pairs if p[1]})}
    order = {"off_track": 0, "at_risk": 1, "far_ahead": 2, "target_met": 2}
    open_proposals = _open_proposals()
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
                "propose_raising": fc["propose_raising"],
                "suggested_target": suggested_target(fc) if fc["propose_raising"] else None,
                "proposal": open_proposals.get((fc["indicator"], fc["unit"], fc["target_year"])),
            }
        )
    out.sort(
        key=lambda r: (
            order[r["verdict"]],
            -1.0 if r["p_meet"] is None else r["p_meet"],
            r["indicator"],
            r["unit"],
        )
    )
    return out


def suggested_target(fc: dict[str, Any]) -> float:
    """A raised target to propose: the conservative end of the forecast interval when there
    is one (lower end for "at least" targets), else the latest observed value; one decimal."""
    at_most = fc["comparator"] in ("<=", "<")
    if fc["interval"] is not None:
        value = fc["interval"][1] if at_most else fc["interval"][0]
    else:
        value = fc["latest"][1]
    return round(float(value), 1)


def _open_proposals() -> dict[tuple[str, str, int], int]:
    from thuocdo.indicators.models import TargetProposal

    rows = TargetProposal.objects.filter(status="pending").select_related("indicator", "unit")
    return {(p.indicator.code, unit_code(p.unit), p.year): p.pk for p in rows}
