"""Reporting periods of a plan (deadlines from ``domain/periods.py`` plus per-period settings),
unit resolution and the small helpers shared by services and selectors."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from thuocdo.geo.models import Level, Structure, Unit
from thuocdo.indicators.domain.periods import Period, PeriodError, parse_period, period_for
from thuocdo.indicators.models import NATIONAL_CODE, Indicator, PeriodSetting, ReportingPlan


def dual(message_vi: str, message_en: str) -> str:
    """Pick the Vietnamese or English message of a domain error for the active language."""
    return message_en if (get_language() or "vi").startswith("en") else message_vi


def today() -> date:
    return timezone.localdate()


def default_plan() -> ReportingPlan | None:
    from thuocdo.indicators.builtins import PLAN_CODE

    return ReportingPlan.objects.filter(code=PLAN_CODE).first() or ReportingPlan.objects.first()


def plan_of(indicator: Indicator) -> ReportingPlan | None:
    return indicator.plan if indicator.plan_id else default_plan()


@dataclass(frozen=True)
class PeriodState:
    period: Period
    closed: bool


def plan_period(plan: ReportingPlan | None, label: str, *, field: str = "period") -> PeriodState:
    """The period with the plan's deadlines and overrides; ValidationError on a bad label."""
    kwargs = {}
    if plan is not None:
        kwargs = {"deadline_day": plan.deadline_day, "consolidation_day": plan.consolidation_day}
    try:
        period = parse_period(label, **kwargs)
    except PeriodError as exc:
        raise ValidationError({field: dual(exc.message_vi, exc.message_en)}) from exc
    closed = False
    if plan is not None:
        setting = PeriodSetting.objects.filter(plan=plan, period=period.label).first()
        if setting is not None:
            period = replace(
                period,
                due=setting.due or period.due,
                consolidation_due=setting.consolidation_due or period.consolidation_due,
            )
            closed = setting.closed
        if (
            not closed
            and plan.close_after_days is not None
            and today() > period.consolidation_due + timedelta(days=plan.close_after_days)
        ):
            closed = True
    return PeriodState(period=period, closed=closed)


def latest_due_quarter(plan: ReportingPlan | None, day: date | None = None) -> Period:
    """The most recent quarter whose data deadline has passed on ``day``."""
    day = day or today()
    current = period_for(day)
    assert current.quarter is not None
    year, quarter = current.year, current.quarter
    for _step in range(6):  # a deadline falls at most two quarters after the period starts
        period = plan_period(plan, f"{year}Q{quarter}").period
        if period.due < day:
            return period
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    return period


def resolve_unit(code: str | None, *, field: str = "unit") -> Unit | None:
    """``None``, ``""`` or ``VN`` is the nation; otherwise a province of the current structure."""
    if code is None or code.strip() == "" or code.strip().upper() == NATIONAL_CODE:
        return None
    unit = Unit.objects.filter(structure=Structure.CURRENT, code=code.strip()).first()
    if unit is None:
        raise ValidationError(
            {
                field: _(
                    "Unknown unit code %(code)s: use a province code of the current structure "
                    "(e.g. 01 for Hà Nội) or VN for the nation."
                )
                % {"code": code}
            }
        )
    if unit.level != Level.PROVINCE:
        raise ValidationError(
            {
                field: _(
                    "%(name)s is not a province: strategy indicators are reported by provinces "
                    "and nationally."
                )
                % {"name": unit.name}
            }
        )
    return unit


def unit_code(unit: Unit | None) -> str:
    return NATIONAL_CODE if unit is None else unit.code


def unit_label(unit: Unit | None) -> str:
    return _("Vietnam (national)") if unit is None else unit.name
