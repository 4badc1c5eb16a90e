"""Consolidation ("chốt số liệu", Decision 466 §II.2: by the 10th of the month after the
quarter): the responsible unit locks an indicator's figures of a period, nationally or for a
province; while locked, no value of it is submitted or corrected. Locking after the
consolidation date is recorded as late; the status list shows, per indicator, whether it is
locked, when it was due and whether it is overdue. Lock and unlock are audited.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from thuocdo.accounts.models import User
from thuocdo.accounts.scopes import MINISTRY, Scope
from thuocdo.accounts.selectors import require_officer
from thuocdo.accounts.services import audit_record
from thuocdo.core.text import clean
from thuocdo.geo.models import Unit
from thuocdo.indicators.domain.responsibility import may_lock_national
from thuocdo.indicators.models import Consolidation, Indicator, IndicatorKind, Submission
from thuocdo.indicators.reporting import plan_of, plan_period, resolve_unit, today, unit_code
from thuocdo.indicators.selectors import require_read_unit
from thuocdo.indicators.services import indicator_by_code, require_unit_writer


def require_consolidator(scope: Scope, ind: Indicator, unit: Unit | None) -> None:
    """A province's figures: its officers. National figures: the responsible unit's officers
    (the reporting unit's where the responsible unit is collective or unnamed)."""
    require_unit_writer(scope, unit)
    if unit is not None or scope.is_admin:
        return
    if scope.role == MINISTRY and may_lock_national(
        department=scope.department,
        responsible_unit=ind.responsible_unit,
        reporting_unit=ind.reporting_unit,
    ):
        return
    raise PermissionDenied(
        _(
            "The figures of %(code)s are consolidated by its responsible unit (%(unit)s), not "
            "by your department (%(department)s)."
        )
        % {
            "code": ind.code,
            "unit": ind.responsible_unit or ind.reporting_unit or "—",
            "department": scope.department or "—",
        }
    )


def _lock_dict(lock: Consolidation) -> dict[str, Any]:
    return {
        "indicator": lock.indicator.code,
        "unit": unit_code(lock.unit),
        "period": lock.period,
        "due": lock.due.isoformat(),
        "late": lock.late,
        "values": lock.values,
        "locked_by": lock.locked_by.username if lock.locked_by else None,
        "locked_at": lock.locked_at.isoformat() if lock.locked_at else None,
    }


def consolidation_dict(lock: Consolidation) -> dict[str, Any]:
    return _lock_dict(lock)


@transaction.atomic
def consolidation_lock(
    *,
    scope: Scope,
    actor: User | None,
    indicator_code: str,
    unit_code_: str | None,
    period: str,
    on_day: date | None = None,
) -> Consolidation:
    """Lock the figures of one indicator, unit and period (all its sector values too)."""
    ind = indicator_by_code(indicator_code)
    unit = resolve_unit(unit_code_)
    require_consolidator(scope, ind, unit)
    per = plan_period(plan_of(ind), period).period
    day = on_day or today()
    if Consolidation.objects.filter(indicator=ind, unit=unit, period=per.label).exists():
        raise ValidationError(
            {
                "period": _("The figures of %(code)s for %(period)s are already locked.")
                % {"code": ind.code, "period": per.label}
            }
        )
    subs = Submission.objects.filter(indicator=ind, unit=unit, period=per.label)
    values = {s.sector: s.value for s in subs}
    if not values:
        raise ValidationError(
            {
                "period": _("%(code)s has no value for %(period)s to lock (%(unit)s).")
                % {"code": ind.code, "period": per.label, "unit": unit_code(unit)}
            }
        )
    lock = Consolidation.objects.create(
        indicator=ind,
        unit=unit,
        period=per.label,
        due=per.consolidation_due,
        late=day > per.consolidation_due,
        values=values,
        locked_by=actor,
    )
    audit_record(
        actor=actor,
        action="consolidation.lock",
        object_type="indicators.consolidation",
        object_id=f"{ind.code}:{unit_code(unit)}:{per.label}",
        after=_lock_dict(lock),
        unit_path=unit.path if unit else "",
    )
    return lock


@transaction.atomic
def consolidation_unlock(
    *,
    scope: Scope,
    actor: User | None,
    indicator_code: str,
    unit_code_: str | None,
    period: str,
    reason: str,
) -> None:
    """Unlock figures for a correction; the reason is kept in the audit log."""
    ind = indicator_by_code(indicator_code)
    unit = resolve_unit(unit_code_)
    require_consolidator(scope, ind, unit)
    per = plan_period(plan_of(ind), period).period
    text = clean(reason or "")
    if not text:
        raise ValidationError({"reason": _("Say why the figures are unlocked.")})
    lock = (
        Consolidation.objects.select_for_update()
        .filter(indicator=ind, unit=unit, period=per.label)
        .first()
    )
    if lock is None:
        raise ValidationError(
            {
                "period": _("The figures of %(code)s for %(period)s are not locked.")
                % {"code": ind.code, "period": per.label}
            }
        )
    before = _lock_dict(lock)
    lock.delete()
    audit_record(
        actor=actor,
        action="consolidation.unlock",
        object_type="indicators.consolidation",
        object_id=f"{ind.code}:{unit_code(unit)}:{per.label}",
        before=before,
        after={"reason": text},
        unit_path=unit.path if unit else "",
    )


def consolidation_status(
    *, scope: Scope, period: str, unit_code_: str | None = None, on_day: date | None = None
) -> list[dict[str, Any]]:
    """Per reported indicator of the unit: the consolidation date, whether its figures are
    locked (when, by whom, late or not) and whether the lock is overdue."""
    require_officer(scope)
    unit = resolve_unit(unit_code_)
    require_read_unit(scope, unit)
    day = on_day or today()
    label = plan_period(None, period).period.label
    locks = {
        c.indicator_id: c
        for c in Consolidation.objects.filter(unit=unit, period=label).select_related("locked_by")
    }
    valued = set(
        Submission.objects.filter(unit=unit, period=label).values_list("indicator_id", flat=True)
    )
    wanted = "province" if unit is not None else None
    rows: list[dict[str, Any]] = []
    for ind in Indicator.objects.select_related("plan").order_by("position", "code"):
        scopes = set(ind.scope or [])
        if wanted and scopes and wanted not in scopes:
            continue
        if not wanted and scopes and not scopes & {"national", "ministry"}:
            continue
        per = plan_period(plan_of(ind), period).period
        lock = locks.get(ind.pk)
        rows.append(
            {
                "indicator": ind.code,
                "name": ind.name_vi,
                "unit": unit_code(unit),
                "period": per.label,
                "responsible_unit": ind.responsible_unit,
                "computed": ind.kind != IndicatorKind.INPUT,
                "has_value": ind.pk in valued,
                "due": per.consolidation_due.isoformat(),
                "locked": lock is not None,
                "locked_by": lock.locked_by.username if lock and lock.locked_by else None,
                "locked_at": timezone.localtime(lock.locked_at).isoformat() if lock else None,
                "late": bool(lock and lock.late),
                "overdue": lock is None and day > per.consolidation_due,
            }
        )
    return rows
