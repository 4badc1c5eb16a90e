"""Reads of the indicators app, filtered by the viewer's scope.

The registry and targets are public. Submitted values are for officers: national values and
the values of units inside the viewer's scope.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from thuocdo.accounts.scopes import Scope
from thuocdo.accounts.selectors import require_officer
from thuocdo.geo.models import Level, Structure, Unit
from thuocdo.indicators.domain.periods import Period, period_for
from thuocdo.indicators.models import (
    Indicator,
    IndicatorKind,
    Submission,
    SubmissionRevision,
    Target,
)
from thuocdo.indicators.reporting import (
    latest_due_quarter,
    plan_of,
    plan_period,
    resolve_unit,
    today,
    unit_code,
    unit_label,
)


def indicator_list() -> QuerySet[Indicator]:
    return Indicator.objects.select_related("parent").prefetch_related("targets__unit")


def indicator_get(code: str) -> Indicator:
    ind = Indicator.objects.filter(code=code).select_related("parent", "plan").first()
    if ind is None:
        raise Http404(_("Unknown indicator code: %(code)s.") % {"code": code})
    return ind


def target_list(*, indicator: Indicator, unit: Unit | str | None = "all") -> QuerySet[Target]:
    qs = Target.objects.filter(indicator=indicator).select_related("unit")
    if not isinstance(unit, str):
        qs = qs.filter(unit=unit)
    return qs.order_by("year", "unit__code")


def target_for(
    indicator: Indicator,
    unit: Unit | None,
    year: int | None = None,
    *,
    kinds: tuple[str, ...] = ("target",),
    on_day: date | None = None,
) -> Target | None:
    """The target of ``year`` (the unit's own, else the national one); without a year, the
    next target year still ahead (the earliest not before the reporting year in progress on
    ``on_day``, default today), else the latest one."""
    qs = Target.objects.filter(indicator=indicator, kind__in=kinds)
    own = qs.filter(unit=unit) if unit is not None else qs.none()
    national = qs.filter(unit__isnull=True)
    if year is not None:
        return own.filter(year=year).first() or national.filter(year=year).first()
    ahead_from = period_for(on_day or today()).year
    years = sorted(
        set(own.values_list("year", flat=True)) | set(national.values_list("year", flat=True))
    )
    if not years:
        return None
    chosen = next((y for y in years if y >= ahead_from), years[-1])
    return own.filter(year=chosen).first() or national.filter(year=chosen).first()


def can_read_unit(scope: Scope, unit: Unit | None) -> bool:
    if not scope.is_officer:
        return False
    return unit is None or scope.covers_path(unit.path)


def require_read_unit(scope: Scope, unit: Unit | None) -> None:
    require_officer(scope)
    if not can_read_unit(scope, unit):
        raise PermissionDenied(_("This lies outside your administrative area."))


def submission_list(
    *,
    scope: Scope,
    indicator: Indicator | None = None,
    unit: Unit | str | None = "all",
    period: str | None = None,
) -> QuerySet[Submission]:
    require_officer(scope)
    qs = Submission.objects.select_related("indicator", "unit")
    if scope.unit_path is not None:
        qs = qs.filter(Q(unit__isnull=True) | Q(unit_path__startswith=scope.unit_path))
    if indicator is not None:
        qs = qs.filter(indicator=indicator)
    if not isinstance(unit, str):
        if unit is not None:
            require_read_unit(scope, unit)
        qs = qs.filter(unit=unit)
    if period:
        qs = qs.filter(period=period)
    return qs.order_by("indicator__position", "unit__code", "period_end", "quarter")


def submission_get(*, scope: Scope, submission_id: int) -> Submission:
    sub = Submission.objects.select_related("indicator", "unit").filter(pk=submission_id).first()
    if sub is None:
        raise Http404(_("No submission with id %(id)s.") % {"id": submission_id})
    require_read_unit(scope, sub.unit)
    return sub


def submission_history(*, scope: Scope, submission: Submission) -> QuerySet[SubmissionRevision]:
    require_read_unit(scope, submission.unit)
    return submission.revisions.order_by("replaced_at", "id")


def history_points(indicator: Indicator, unit: Unit | None) -> dict[str, float]:
    """Every stored value of an indicator for a unit, by period label, oldest first."""
    rows = (
        Submission.objects.filter(indicator=indicator, unit=unit, sector="")
        .order_by("period_end", "quarter")
        .values_list("period", "value")
    )
    return dict(rows)


def _sort_key(sub: Submission) -> tuple[date, int]:
    # the annual value of a year wins over its last quarter (same end date)
    return (sub.period_end, 1 if sub.quarter is None else 0)


def latest_submission(indicator: Indicator, unit: Unit | None) -> Submission | None:
    subs = list(
        Submission.objects.filter(indicator=indicator, unit=unit, sector="").order_by(
            "-period_end"
        )[:2]
    )
    return max(subs, key=_sort_key) if subs else None


def indicator_latest(*, code: str, unit_code: str | None = None) -> dict[str, Any] | None:
    """The latest value of an indicator for a unit (``None``/``VN`` = national) with the
    forecast verdict: ``{"value", "period", "provisional", "verdict"}``; ``None`` when the code
    or unit is unknown or nothing was reported. Used by other apps (no viewer scope)."""
    from django.core.exceptions import ValidationError

    from thuocdo.indicators.forecasting import forecast_or_none

    ind = Indicator.objects.filter(code=code).first()
    if ind is None:
        return None
    try:
        unit = resolve_unit(unit_code)
    except ValidationError:
        return None
    sub = latest_submission(ind, unit)
    if sub is None:
        return None
    fc = forecast_or_none(ind, unit)
    return {
        "value": sub.value,
        "period": sub.period,
        "provisional": sub.provisional,
        "verdict": None if fc is None else fc["verdict"],
    }


def plan_deadlines(*, plan_code: str | None = None) -> dict[str, Any]:
    """A reporting plan's deadline days and the indicators that follow it (default: the
    built-in plan, which also covers indicators without a plan of their own)."""
    from django.core.exceptions import ValidationError

    from thuocdo.indicators.models import ReportingPlan

    default = plan_of(Indicator())
    plan = ReportingPlan.objects.filter(code=plan_code).first() if plan_code else default
    if plan is None:
        raise ValidationError(
            {"plan": _("Unknown reporting plan: %(code)s.") % {"code": plan_code}}
        )
    follows = Q(plan=plan) | Q(plan__isnull=True) if plan == default else Q(plan=plan)
    return {
        "plan": plan.code,
        "name": plan.name,
        "deadline_day": plan.deadline_day,
        "consolidation_day": plan.consolidation_day,
        "close_after_days": plan.close_after_days,
        "indicators": list(
            Indicator.objects.filter(follows)
            .order_by("position", "code")
            .values_list("code", flat=True)
        ),
    }


def expected_units(
    indicator: Indicator, *, provinces: list[Unit] | None = None
) -> list[Unit | None]:
    """Who reports an indicator: the nation (national/ministry scope) and every province; a
    province's own indicator (``owner_unit``) only that province."""
    if indicator.owner_unit_id is not None:
        return [u for u in provinces or [] if u.pk == indicator.owner_unit_id] or [
            Unit.objects.get(pk=indicator.owner_unit_id)
        ]
    scope = set(indicator.scope or [])
    out: list[Unit | None] = []
    if scope & {"national", "ministry"} or not scope:
        out.append(None)
    if "province" in scope:
        if provinces is None:
            provinces = list(
                Unit.objects.filter(structure=Structure.CURRENT, level=Level.PROVINCE).order_by(
                    "code"
                )
            )
        out.extend(provinces)
    return out


def overdue_list(
    *, scope: Scope, period: str | None = None, on_day: date | None = None
) -> list[dict[str, Any]]:
    """Indicator × unit pairs whose data for ``period`` (default: the latest quarter whose
    deadline has passed) are missing after the deadline, within the viewer's scope
    (``missing``: ``value``, or ``trend_assessment`` for a Q2 value sent without the six-month
    trend assessment). Each
    indicator is judged by its own reporting plan's deadlines; a period its plan has closed
    (no more submissions) is left out, since nobody can still report it."""
    require_officer(scope)
    day = on_day or today()
    inputs = list(
        Indicator.objects.filter(kind=IndicatorKind.INPUT)
        .select_related("plan")
        .order_by("position")
    )
    if not inputs:
        return []
    default = plan_of(Indicator())
    periods: dict[int | None, Period | None] = {}

    def open_period_of(ind: Indicator) -> Period | None:
        plan = ind.plan if ind.plan_id else default
        key = plan.pk if plan is not None else None
        if key not in periods:
            if period:
                state = plan_period(plan, period)
                per, closed = state.period, state.closed
            else:
                per = latest_due_quarter(plan, day)
                closed = plan_period(plan, per.label).closed
            periods[key] = None if closed or per.due >= day else per
        return periods[key]

    due_inputs = [(ind, per) for ind in inputs if (per := open_period_of(ind)) is not None]
    labels = {per.label for _ind, per in due_inputs}
    submitted = Submission.objects.filter(period__in=labels, sector="").values_list(
        "indicator_id", "unit_id", "period", "trend_assessment"
    )
    done = {(i, u, p) for i, u, p, _t in submitted}
    # Q2 is due with the six-month trend assessment (Annex 01 §I): a value without it is listed
    no_trend = {(i, u, p) for i, u, p, t in submitted if not (t or "").strip()}
    rows: list[dict[str, Any]] = []
    provinces = list(
        Unit.objects.filter(structure=Structure.CURRENT, level=Level.PROVINCE).order_by("code")
    )
    for ind, per in due_inputs:
        for unit in expected_units(ind, provinces=provinces):
            key = (ind.pk, unit.pk if unit else None, per.label)
            missing = "value"
            if key in done:
                if not (per.trend_assessment and key in no_trend):
                    continue
                missing = "trend_assessment"
            if unit is None:
                if scope.unit_path is not None:
                    continue
            elif not scope.covers_path(unit.path):
                continue
            rows.append(
                {
                    "code": ind.code,
                    "name": ind.name_vi,
                    "unit_id": unit.pk if unit else None,
                    "unit_code": unit_code(unit),
                    "unit_name": unit_label(unit),
                    "unit_path": unit.path if unit else "",
                    "period": per.label,
                    "due": per.due.isoformat(),
                    "days_late": (day - per.due).days,
                    "missing": missing,
                }
            )
    return rows
