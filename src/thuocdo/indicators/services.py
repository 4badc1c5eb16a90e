"""Writes of the indicators app: indicators and formulas, targets, submissions, periods,
recomputation of computed indicators and reminders.

Every write is keyword-only, atomic and audited. A province officer writes for its own
province; ministry officers and administrators write national values (administrators
anything). Side effects (recomputation, e-mail) run after commit.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from thuocdo.accounts.models import User
from thuocdo.accounts.scopes import ADMIN, MINISTRY, Scope
from thuocdo.accounts.selectors import require_officer
from thuocdo.accounts.services import audit_record
from thuocdo.core.text import clean
from thuocdo.geo.models import Unit
from thuocdo.indicators.domain import formula as fm
from thuocdo.indicators.domain.responsibility import may_report_national
from thuocdo.indicators.domain.validation import UnitKind as DomainUnitKind
from thuocdo.indicators.domain.validation import UnitSpec, has_errors, validate_value
from thuocdo.indicators.models import (
    Indicator,
    IndicatorKind,
    PeriodSetting,
    ReportingPlan,
    Status,
    Submission,
    SubmissionRevision,
    Target,
    UnitKind,
)
from thuocdo.indicators.reporting import (
    dual,
    plan_of,
    plan_period,
    resolve_unit,
    today,
)
from thuocdo.indicators.reporting import unit_code as code_of_unit

logger = logging.getLogger(__name__)
CODE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,79}$")
COMPARATORS = (">=", ">", "<=", "<", "~")
MAX_TEXT = 10_000


# --------------------------------------------------------------------------- helpers


def indicator_by_code(code: str, *, field: str = "indicator") -> Indicator:
    ind = Indicator.objects.filter(code=(code or "").strip()).first()
    if ind is None:
        raise ValidationError({field: _("Unknown indicator code: %(code)s.") % {"code": code}})
    return ind


def unit_spec(ind: Indicator) -> UnitSpec:
    return UnitSpec(
        symbol=ind.unit_symbol,
        kind=DomainUnitKind(ind.unit_kind),
        min=ind.unit_min,
        max=ind.unit_max,
    )


def require_national_writer(scope: Scope) -> None:
    require_officer(scope)
    if scope.role not in (ADMIN, MINISTRY):
        raise PermissionDenied(
            _("Only ministry officers and administrators may change national values.")
        )


def require_unit_writer(scope: Scope, unit: Unit | None) -> None:
    """National: ministry or admin. A province: admin, or an officer whose scope is it."""
    require_officer(scope)
    if unit is None:
        require_national_writer(scope)
        return
    if scope.is_admin:
        return
    if scope.role == MINISTRY or not scope.covers_path(unit.path):
        raise PermissionDenied(
            _("You may only report for your own province (%(unit)s is outside your scope).")
            % {"unit": unit.name}
        )


SECTOR_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,49}$")


def require_reporter(scope: Scope, ind: Indicator, unit: Unit | None, sector: str = "") -> None:
    """Who submits a value: for a province, its officers (or an administrator); nationally,
    the officers of the indicator's reporting unit, and of its responsible unit, which
    approves the figure (``domain/responsibility.py``); each ministry for its own sector
    where the responsible unit is collective."""
    require_unit_writer(scope, unit)
    if unit is not None or scope.is_admin:
        return
    decision = may_report_national(
        department=scope.department,
        sectors=scope.sectors,
        reporting_unit=ind.reporting_unit,
        responsible_unit=ind.responsible_unit,
        by_sector=ind.by_sector,
        sector=sector,
    )
    if decision.allowed:
        return
    names = {
        "code": ind.code,
        "reporting": ind.reporting_unit or "—",
        "responsible": ind.responsible_unit or "—",
        "department": scope.department or "—",
        "sector": sector,
    }
    if decision.reason == "no-department":
        message = _(
            "%(code)s is reported by %(reporting)s (responsible unit: %(responsible)s); your "
            "account names no department. Ask an administrator to set it."
        )
    elif decision.reason == "headline":
        message = _(
            "The headline value of %(code)s is reported by %(reporting)s; a ministry reports "
            "the value of its own sector (give the sector)."
        )
    elif decision.reason == "other-sector":
        message = _(
            "The value of %(code)s for the sector %(sector)s is reported by the ministry in "
            "charge of that sector or by %(reporting)s; your account does not cover it."
        )
    else:
        message = _(
            "%(code)s is reported by %(reporting)s (responsible unit: %(responsible)s), not by "
            "your department (%(department)s)."
        )
    raise PermissionDenied(message % names)


def check_sector(ind: Indicator, sector: str | None) -> str:
    code = (sector or "").strip()
    if not code:
        return ""
    if not ind.by_sector:
        raise ValidationError(
            {"sector": _("%(code)s is not broken down by sector.") % {"code": ind.code}}
        )
    if not SECTOR_RE.match(code):
        raise ValidationError(
            {"sector": _("A sector code has 1–50 lower-case letters, digits and hyphens.")}
        )
    return code


def require_unlocked(ind: Indicator, unit: Unit | None, period: str) -> None:
    from thuocdo.indicators.models import Consolidation

    lock = (
        Consolidation.objects.filter(indicator=ind, unit=unit, period=period)
        .select_related("locked_by")
        .first()
    )
    if lock is None:
        return
    raise ValidationError(
        {
            "period": _(
                "The figures of %(code)s for %(period)s were locked (chốt số liệu) by %(who)s "
                "on %(day)s; the responsible unit must unlock them before a change."
            )
            % {
                "code": ind.code,
                "period": period,
                "who": lock.locked_by or "—",
                "day": timezone.localtime(lock.locked_at).strftime("%d/%m/%Y"),
            }
        }
    )


def _check_indicator_scope(ind: Indicator, unit: Unit | None) -> None:
    scope = set(ind.scope or [])
    if unit is None and scope and not scope & {"national", "ministry"}:
        raise ValidationError({"unit": _("This indicator has no national value.")})
    if unit is not None and scope and "province" not in scope:
        raise ValidationError(
            {"unit": _("The indicator %(code)s is not reported by provinces.") % {"code": ind.code}}
        )


def _text(value: str | None, name: str) -> str:
    text = clean(value or "")
    if len(text) > MAX_TEXT:
        raise ValidationError(
            {name: _("At most %(n)s characters, got %(got)s.") % {"n": MAX_TEXT, "got": len(text)}}
        )
    return text


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool):
        raise ValidationError({name: _("Expected a number, got %(v)s.") % {"v": value}})
    if isinstance(value, str):
        text = value.strip().replace(" ", "")
        if "," in text and "." not in text:
            text = text.replace(",", ".")
        try:
            value = float(text)
        except ValueError:
            raise ValidationError(
                {name: _("Expected a number, got %(v)s.") % {"v": value}}
            ) from None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValidationError({name: _("Expected a number, got %(v)s.") % {"v": value}}) from None
    if not math.isfinite(number):
        raise ValidationError({name: _("The value must be a finite number.")})
    return number


def submission_snapshot(sub: Submission) -> dict[str, Any]:
    return {
        "indicator": sub.indicator.code,
        "unit": code_of_unit(sub.unit),
        "period": sub.period,
        "sector": sub.sector,
        "value": sub.value,
        "status": sub.status,
        "source": sub.source,
        "international_value": sub.international_value,
        "international_reference": sub.international_reference,
        "trend_assessment": sub.trend_assessment,
        "international_comparison": sub.international_comparison,
        "difficulties": sub.difficulties,
        "proposals": sub.proposals,
        "computed": sub.computed,
        "inputs": sub.inputs,
    }


# --------------------------------------------------------------------------- indicators


def _formula_map(exclude: str | None = None) -> dict[str, str]:
    rows = Indicator.objects.filter(kind=IndicatorKind.FORMULA).exclude(formula="")
    return {i.code: i.formula for i in rows if i.code != exclude}


def check_formula(code: str, text: str) -> fm.Formula:
    """Parse ``text`` as the formula of ``code``: known codes only, no cycle through it."""
    known = set(Indicator.objects.values_list("code", flat=True)) | {code}
    try:
        parsed = fm.parse(text, known_codes=known)
        formulas: dict[str, fm.Formula | str] = {**_formula_map(exclude=code), code: parsed}
        fm.check_cycles(formulas)
    except fm.FormulaError as exc:
        word = _("position")  # outside the f-string, where makemessages can find it
        where = "" if exc.position is None else f" ({word} {exc.position})"
        raise ValidationError({"formula": dual(exc.message_vi, exc.message_en) + where}) from exc
    return parsed


@transaction.atomic
def indicator_create(
    *,
    scope: Scope,
    actor: User | None,
    code: str,
    name_vi: str,
    name_en: str = "",
    unit_symbol: str = "%",
    unit_kind: str = "percent",
    unit_min: float | None = None,
    unit_max: float | None = None,
    direction: str = "higher",
    scopes: list[str] | None = None,
    kind: str = "input",
    formula: str = "",
    survey_source: str = "",
    aggregation: str = "last",
    responsible_unit: str = "",
    reporting_unit: str = "",
    data_source: str = "",
    definition_vi: str = "",
    international_comparator: str = "",
) -> Indicator:
    """Add an indicator to the registry (ministry or admin)."""
    require_national_writer(scope)
    code = (code or "").strip()
    if not CODE_RE.match(code):
        raise ValidationError(
            {"code": _("An indicator code has 2–80 lower-case letters, digits and hyphens.")}
        )
    if Indicator.objects.filter(code=code).exists():
        raise ValidationError({"code": _("The indicator code %(code)s exists.") % {"code": code}})
    if not clean(name_vi):
        raise ValidationError({"name_vi": _("A Vietnamese name is required.")})
    if unit_kind not in UnitKind.values:
        raise ValidationError({"unit_kind": _("Unknown unit kind: %(v)s.") % {"v": unit_kind}})
    if direction not in ("higher", "lower"):
        raise ValidationError({"direction": _("The direction is higher or lower.")})
    if kind not in IndicatorKind.values:
        raise ValidationError({"kind": _("Unknown indicator kind: %(v)s.") % {"v": kind}})
    spec = UnitSpec.from_mapping({"kind": unit_kind, "min": unit_min, "max": unit_max})
    if kind == IndicatorKind.FORMULA:
        if not formula.strip():
            raise ValidationError({"formula": _("A computed indicator needs a formula.")})
        check_formula(code, formula)
    if kind == IndicatorKind.SURVEY and not survey_source.strip():
        raise ValidationError({"survey_source": _("Name the published results to read.")})
    plan = plan_of(Indicator())
    ind = Indicator.objects.create(
        code=code,
        name_vi=clean(name_vi),
        name_en=clean(name_en),
        unit_symbol=clean(unit_symbol),
        unit_kind=unit_kind,
        unit_min=spec.min,
        unit_max=spec.max,
        direction=direction,
        scope=list(scopes or ["national", "province"]),
        kind=kind,
        formula=formula.strip() if kind == IndicatorKind.FORMULA else "",
        survey_source=survey_source.strip(),
        aggregation=aggregation,
        responsible_unit=clean(responsible_unit),
        reporting_unit=clean(reporting_unit),
        data_source=clean(data_source),
        definition_vi=clean(definition_vi),
        international_comparator=clean(international_comparator),
        plan=plan,
        position=1000 + Indicator.objects.count(),
    )
    audit_record(
        actor=actor,
        action="indicator.create",
        object_type="indicators.indicator",
        object_id=ind.code,
        after={"code": ind.code, "kind": ind.kind, "formula": ind.formula},
    )
    from thuocdo.indicators.registry import record_version

    record_version(ind, actor=actor, change="create", fields=["*"])
    if ind.kind == IndicatorKind.FORMULA:
        _after_formula_change(ind.code)
    return ind


@transaction.atomic
def indicator_set_formula(
    *, scope: Scope, actor: User | None, code: str, formula: str
) -> Indicator:
    """Change the formula of a computed indicator, refusing unknown codes and cycles."""
    require_national_writer(scope)
    ind = indicator_by_code(code, field="code")
    check_formula(ind.code, formula)
    from thuocdo.indicators.registry import indicator_snapshot, record_version

    snapshot = indicator_snapshot(ind)
    before = {"kind": ind.kind, "formula": ind.formula}
    ind.kind = IndicatorKind.FORMULA
    ind.formula = formula.strip()
    ind.save(update_fields=["kind", "formula"])
    record_version(ind, actor=actor, change="formula", fields=["formula"], before=snapshot)
    audit_record(
        actor=actor,
        action="indicator.formula",
        object_type="indicators.indicator",
        object_id=ind.code,
        before=before,
        after={"kind": ind.kind, "formula": ind.formula},
    )
    _after_formula_change(ind.code)
    return ind


@transaction.atomic
def indicator_set_international_value(
    *,
    scope: Scope,
    actor: User | None,
    code: str,
    value: Any,
    source: str,
    year: int | None = None,
) -> Indicator:
    """Set (or, with ``value=None``, clear) the international comparison value of an
    indicator with its source; shown in the "So sánh quốc tế" column of Annex 01."""
    require_national_writer(scope)
    ind = indicator_by_code(code, field="code")
    before = {
        "value": ind.international_value,
        "source": ind.international_value_source,
        "year": ind.international_value_year,
    }
    if value is None or value == "":
        ind.international_value = None
        ind.international_value_source = ""
        ind.international_value_year = None
    else:
        number = _number(value, "value")
        text = _text(source, "source")
        if not text:
            raise ValidationError(
                {
                    "source": _(
                        "Say where the international comparison value of %(code)s comes from."
                    )
                    % {"code": ind.code}
                }
            )
        if year is not None and not 2000 <= int(year) <= 2100:
            raise ValidationError({"year": _("The year must be between 2000 and 2100.")})
        ind.international_value = number
        ind.international_value_source = text[:300]
        ind.international_value_year = None if year is None else int(year)
    ind.save(
        update_fields=[
            "international_value",
            "international_value_source",
            "international_value_year",
        ]
    )
    audit_record(
        actor=actor,
        action="indicator.international_value",
        object_type="indicators.indicator",
        object_id=ind.code,
        before=before,
        after={
            "value": ind.international_value,
            "source": ind.international_value_source,
            "year": ind.international_value_year,
        },
    )
    return ind


# --------------------------------------------------------------------------- targets


@transaction.atomic
def target_inputs(
    *, scope: Scope, indicator_code: str, unit_code: str | None, year: Any, value: Any
) -> tuple[Indicator, Unit | None, float]:
    """The indicator, unit and value of a target (set or proposed), checked: the writer's
    scope, the indicator's scope, the year and the value against the indicator's unit."""
    ind = indicator_by_code(indicator_code)
    unit = resolve_unit(unit_code)
    require_unit_writer(scope, unit)
    _check_indicator_scope(ind, unit)
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ValidationError({"year": _("The year must be between 2000 and 2100.")})
    number = _number(value, "value")
    issues = validate_value(number, unit_spec(ind))
    if has_errors(issues):
        raise ValidationError(
            {"value": [dual(i.message_vi, i.message_en) for i in issues if i.severity == "error"]}
        )
    return ind, unit, number


def target_set(
    *,
    scope: Scope,
    actor: User | None,
    indicator_code: str,
    unit_code: str | None,
    year: int,
    value: Any,
    comparator: str | None = None,
    kind: str = "target",
    text: str = "",
) -> Target:
    """Set the target of an indicator for a year, nationally or for one province."""
    ind, unit, number = target_inputs(
        scope=scope, indicator_code=indicator_code, unit_code=unit_code, year=year, value=value
    )
    comp = comparator or (">=" if ind.direction == "higher" else "<=")
    if comp not in COMPARATORS:
        raise ValidationError(
            {
                "comparator": _("The comparator is one of %(list)s.")
                % {"list": ", ".join(COMPARATORS)}
            }
        )
    if kind not in ("target", "plan"):
        raise ValidationError({"kind": _("A target is of kind target or plan.")})
    existing = Target.objects.filter(indicator=ind, unit=unit, year=year).first()
    before = None
    if existing is not None:
        before = {"value": existing.value, "comparator": existing.comparator, "kind": existing.kind}
        target = existing
    else:
        target = Target(indicator=ind, unit=unit, year=year)
    target.value = number
    target.comparator = comp
    target.kind = kind
    target.text = clean(text) or f"{comp} {number:g}{ind.unit_symbol}"
    target.set_by = actor
    target.save()
    audit_record(
        actor=actor,
        action="target.set",
        object_type="indicators.target",
        object_id=target.pk,
        before=before,
        after={
            "indicator": ind.code,
            "unit": code_of_unit(unit),
            "year": year,
            "value": number,
            "comparator": comp,
            "kind": kind,
        },
        unit_path=unit.path if unit else "",
    )
    return target


# --------------------------------------------------------------------------- submissions


@dataclass
class SubmitResult:
    submission: Submission
    created: bool
    changed: bool
    replaced: SubmissionRevision | None = None
    warnings: list[str] = field(default_factory=list)


NARRATIVE_FIELDS = ("trend_assessment", "international_comparison", "difficulties", "proposals")


@transaction.atomic
def submission_submit(
    *,
    scope: Scope,
    actor: User | None,
    indicator_code: str,
    unit_code: str | None,
    period: str,
    value: Any,
    provisional: bool = False,
    source: str = "",
    unit_symbol: str | None = None,
    international_value: Any = None,
    international_reference: str = "",
    trend_assessment: str = "",
    international_comparison: str = "",
    difficulties: str = "",
    proposals: str = "",
    on_day: date | None = None,
    sector: str = "",
) -> SubmitResult:
    """Record a value of an indicator for a unit and period.

    A provisional value is replaced by the official one when it arrives (the old value goes
    to the history); an official value may be corrected by another official value (history
    kept) but never replaced by a provisional one. Re-sending the same value changes nothing.
    Only the indicator's reporting (or responsible) unit submits a national value; an
    indicator broken down by sector takes one value per ``sector`` besides the headline
    (``sector`` empty); figures locked by the responsible unit do not change.
    """
    ind = indicator_by_code(indicator_code)
    unit = resolve_unit(unit_code)
    sector = check_sector(ind, sector)
    require_reporter(scope, ind, unit, sector)
    if ind.kind != IndicatorKind.INPUT:
        raise ValidationError(
            {
                "indicator": _(
                    "%(code)s is computed (%(kind)s); its value cannot be entered directly."
                )
                % {"code": ind.code, "kind": ind.get_kind_display()}
            }
        )
    _check_indicator_scope(ind, unit)
    state = plan_period(plan_of(ind), period)
    per = state.period
    day = on_day or today()
    require_unlocked(ind, unit, per.label)
    if state.closed:
        raise ValidationError(
            {"period": _("The period %(period)s is closed to submissions.") % {"period": per.label}}
        )
    if per.start > day:
        raise ValidationError(
            {
                "period": _("The period %(period)s has not started yet (it starts on %(start)s).")
                % {"period": per.label, "start": per.start.strftime("%d/%m/%Y")}
            }
        )
    number = _number(value, "value")
    existing = (
        Submission.objects.select_for_update()
        .filter(indicator=ind, unit=unit, period=per.label, sector=sector)
        .first()
    )
    previous = (
        Submission.objects.filter(indicator=ind, unit=unit, sector=sector, period_end__lt=per.end)
        .order_by("-period_end")
        .values_list("value", flat=True)
        .first()
    )
    issues = validate_value(number, unit_spec(ind), unit=unit_symbol, previous=previous)
    errors = [dual(i.message_vi, i.message_en) for i in issues if i.severity == "error"]
    if errors:
        key = "unit" if all(i.field == "unit" for i in issues if i.severity == "error") else "value"
        raise ValidationError({key: errors})
    warnings = [dual(i.message_vi, i.message_en) for i in issues if i.severity == "warning"]
    if per.trend_assessment and not clean(trend_assessment or ""):
        warnings.append(
            _(
                "%(period)s is due with the six-month trend assessment (Annex 01 §III): add it "
                "in the trend_assessment field."
            )
            % {"period": per.label}
        )
    intl = (
        None
        if international_value in (None, "")
        else _number(international_value, "international_value")
    )
    status = Status.PROVISIONAL if provisional else Status.OFFICIAL
    fields: dict[str, Any] = {
        "value": number,
        "status": status,
        "source": _text(source, "source"),
        "international_value": intl,
        "international_reference": _text(international_reference, "international_reference"),
        "trend_assessment": _text(trend_assessment, "trend_assessment"),
        "international_comparison": _text(international_comparison, "international_comparison"),
        "difficulties": _text(difficulties, "difficulties"),
        "proposals": _text(proposals, "proposals"),
        "warnings": warnings,
    }
    revision = None
    if existing is not None:
        if existing.status == Status.OFFICIAL and status == Status.PROVISIONAL:
            raise ValidationError(
                {
                    "provisional": _(
                        "An official value (%(value)s) is already recorded for %(period)s; it "
                        "cannot be replaced by a provisional estimate."
                    )
                    % {"value": f"{existing.value:g}", "period": per.label}
                }
            )
        same = all(getattr(existing, k) == v for k, v in fields.items() if k != "warnings")
        if same:
            return SubmitResult(existing, created=False, changed=False, warnings=warnings)
        before = submission_snapshot(existing)
        value_changed = existing.value != number or existing.status != status
        if value_changed:
            reason = (
                "official"
                if existing.status == Status.PROVISIONAL and status == Status.OFFICIAL
                else "correction"
            )
            revision = SubmissionRevision.objects.create(
                submission=existing,
                value=existing.value,
                status=existing.status,
                source=existing.source,
                reason=reason,
                snapshot=before,
                recorded_by=existing.submitted_by,
                valid_from=existing.updated_at,
            )
        for k, v in fields.items():
            setattr(existing, k, v)
        existing.submitted_by = actor
        existing.late = existing.late or day > per.due
        existing.save()
        sub, created = existing, False
        action = "submission.replace" if value_changed else "submission.update"
    else:
        before = None
        sub = Submission.objects.create(
            indicator=ind,
            unit=unit,
            unit_path=unit.path if unit else "",
            period=per.label,
            sector=sector,
            year=per.year,
            quarter=per.quarter,
            period_start=per.start,
            period_end=per.end,
            submitted_by=actor,
            late=day > per.due,
            **fields,
        )
        created, action, value_changed = True, "submission.create", True
    audit_record(
        actor=actor,
        action=action,
        object_type="indicators.submission",
        object_id=sub.pk,
        before=before,
        after=submission_snapshot(sub),
        unit_path=unit.path if unit else "",
    )
    if value_changed and not sector:
        _after_value_change(ind.code, unit.pk if unit else None, per.label)
    return SubmitResult(sub, created=created, changed=True, replaced=revision, warnings=warnings)


def _after_formula_change(code: str) -> None:
    def enqueue() -> None:
        from thuocdo.indicators.tasks import recompute_indicator_task

        recompute_indicator_task(code)

    transaction.on_commit(enqueue)


def _after_value_change(code: str, unit_id: int | None, period: str) -> None:
    if not any(code in fm.parse(f).dependencies() for f in _formula_map().values()):
        return

    def enqueue() -> None:
        from thuocdo.indicators.tasks import recompute_dependents_task

        recompute_dependents_task(code, unit_id, period)

    transaction.on_commit(enqueue)


# --------------------------------------------------------------------------- computed values


def _store_computed(
    ind: Indicator,
    unit: Unit | None,
    period_label: str,
    value: float | None,
    *,
    provisional: bool,
    inputs: dict[str, Any],
    source: str,
) -> bool:
    state = plan_period(plan_of(ind), period_label)
    per = state.period
    existing = Submission.objects.filter(
        indicator=ind, unit=unit, period=per.label, sector=""
    ).first()
    status = Status.PROVISIONAL if provisional else Status.OFFICIAL
    warnings: list[str] = []
    if value is not None:
        # a result outside the possible range (a share of 110%) means inconsistent inputs:
        # it is not stored, and a value computed earlier no longer stands either
        issues = validate_value(
            value, unit_spec(ind), previous=existing.value if existing is not None else None
        )
        if has_errors(issues):
            reason = " ".join(
                dual(i.message_vi, i.message_en) for i in issues if i.severity == "error"
            )
            logger.warning(
                "computed %s for %s %s refused: %s", ind.code, code_of_unit(unit), per.label, reason
            )
            inputs = {**inputs, "reason": reason}
            audit_record(
                actor=None,
                action="submission.compute-refused",
                object_type="indicators.indicator",
                object_id=ind.code,
                after={"unit": code_of_unit(unit), "period": per.label, "value": value, **inputs},
                unit_path=unit.path if unit else "",
            )
            value = None
        else:
            warnings = [dual(i.message_vi, i.message_en) for i in issues]
    if value is None:
        if existing is None:
            return False
        audit_record(
            actor=None,
            action="submission.compute-clear",
            object_type="indicators.submission",
            object_id=existing.pk,
            before=submission_snapshot(existing),
            after={"reason": inputs.get("reason", "")},
            unit_path=unit.path if unit else "",
        )
        existing.revisions.all().delete()
        existing.delete()
        return True
    if existing is not None:
        if (
            existing.value == value
            and existing.status == status
            and existing.inputs == inputs
            and existing.warnings == warnings
        ):
            return False
        before = submission_snapshot(existing)
        if existing.value != value or existing.status != status:
            SubmissionRevision.objects.create(
                submission=existing,
                value=existing.value,
                status=existing.status,
                source=existing.source,
                reason="recomputed",
                snapshot=before,
                valid_from=existing.updated_at,
            )
        existing.value, existing.status, existing.inputs = value, status, inputs
        existing.source, existing.computed, existing.warnings = source, True, warnings
        existing.save()
        sub = existing
    else:
        before = None
        sub = Submission.objects.create(
            indicator=ind,
            unit=unit,
            unit_path=unit.path if unit else "",
            period=per.label,
            year=per.year,
            quarter=per.quarter,
            period_start=per.start,
            period_end=per.end,
            value=value,
            status=status,
            source=source,
            computed=True,
            inputs=inputs,
            warnings=warnings,
        )
    audit_record(
        actor=None,
        action="submission.compute",
        object_type="indicators.submission",
        object_id=sub.pk,
        before=before,
        after=submission_snapshot(sub),
        unit_path=unit.path if unit else "",
    )
    return True


@transaction.atomic
def computed_value_store(
    *,
    indicator_code: str,
    unit: Unit | None,
    period: str,
    value: float | None,
    inputs: dict[str, Any],
    source: str,
    provisional: bool = False,
) -> bool:
    """Store (or clear, with ``None``) a value computed by another part of the app, e.g. the
    digital-economy share measured from declared inputs. A value entered by a reporting unit
    for the same unit and period wins and is left alone. Checked, audited, and what depends
    on it is recomputed after commit. Returns whether anything changed."""
    ind = indicator_by_code(indicator_code)
    existing = Submission.objects.filter(indicator=ind, unit=unit, period=period, sector="").first()
    if existing is not None and not existing.computed:
        return False
    changed = _store_computed(
        ind, unit, period, value, provisional=provisional, inputs=inputs, source=source
    )
    if changed:
        _after_value_change(ind.code, unit.pk if unit else None, period)
    return changed


@transaction.atomic
def recompute_dependents(*, code: str, unit_id: int | None, period: str) -> int:
    """Recompute every formula indicator that depends (directly or not) on ``code`` for one
    unit and period; returns how many stored values changed."""
    formulas = {c: fm.parse(t) for c, t in _formula_map().items()}
    affected: set[str] = set()
    frontier = {code}
    while frontier:
        nxt = {c for c, f in formulas.items() if f.dependencies() & frontier} - affected
        affected |= nxt
        frontier = nxt
    if not affected:
        return 0
    order = [c for c in fm.evaluation_order(formulas) if c in affected]
    unit = Unit.objects.filter(pk=unit_id).first() if unit_id is not None else None
    needed = set().union(*(formulas[c].dependencies() for c in order))
    rows = Submission.objects.filter(
        indicator__code__in=needed, unit=unit, period=period, sector=""
    ).select_related("indicator")
    values: dict[str, float | None] = {}
    meta: dict[str, dict[str, Any]] = {}
    for s in rows:
        values[s.indicator.code] = s.value
        meta[s.indicator.code] = {"submission": s.pk, "value": s.value, "status": s.status}
    changed = 0
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=order)}
    for c in order:
        result = formulas[c].evaluate(values)
        deps = sorted(formulas[c].dependencies())
        provisional = any(meta.get(d, {}).get("status") == Status.PROVISIONAL for d in deps)
        inputs = {"formula": formulas[c].text, "inputs": {d: meta.get(d) for d in deps}}
        if not result.ok:
            inputs["reason"] = dual(result.reason_vi, result.reason_en)
        changed += _store_computed(
            indicators[c],
            unit,
            period,
            result.value,
            provisional=provisional,
            inputs=inputs,
            source=_("Computed: %(formula)s") % {"formula": formulas[c].text},
        )
        values[c] = result.value
        meta[c] = {
            "computed": True,
            "value": result.value,
            "status": "provisional" if provisional else "official",
        }
    return changed


@transaction.atomic
def recompute_indicator(*, code: str) -> int:
    """Compute a formula indicator (and what depends on it) for every unit and period where
    any of its inputs has a value; used when a formula is created or changed."""
    ind = indicator_by_code(code)
    if ind.kind != IndicatorKind.FORMULA or not ind.formula:
        return 0
    deps = sorted(fm.parse(ind.formula).dependencies())
    if not deps:
        return 0
    pairs = set(
        Submission.objects.filter(indicator__code__in=deps, sector="").values_list(
            "unit_id", "period"
        )
    )
    changed = 0
    for unit_id, period in sorted(pairs, key=lambda p: (p[0] or 0, p[1])):
        changed += recompute_dependents(code=deps[0], unit_id=unit_id, period=period)
    return changed


@transaction.atomic
def survey_refresh(*, code: str, unit_code: str | None, year: int) -> float | None:
    """Read a survey-kind indicator from its registered source and store the annual value."""
    from thuocdo.indicators.sources import survey_source

    ind = indicator_by_code(code)
    if ind.kind != IndicatorKind.SURVEY:
        raise ValidationError(
            {"indicator": _("%(code)s is not computed from assessment results.") % {"code": code}}
        )
    func = survey_source(ind.survey_source)
    if func is None:
        raise ValidationError(
            {
                "survey_source": _("No source named %(name)s is registered.")
                % {"name": ind.survey_source}
            }
        )
    unit = resolve_unit(unit_code)
    value = func(ind, None if unit is None else unit.code, year)
    if value is not None:
        value = float(value)
        issues = validate_value(value, unit_spec(ind))
        if has_errors(issues):
            raise ValidationError(
                {
                    "value": [
                        dual(i.message_vi, i.message_en) for i in issues if i.severity == "error"
                    ]
                }
            )
    _store_computed(
        ind,
        unit,
        str(year),
        value,
        provisional=False,
        inputs={"survey_source": ind.survey_source, "year": year},
        source=_("Published assessment results: %(name)s") % {"name": ind.survey_source},
    )
    return value


@transaction.atomic
def survey_refresh_for_campaign(*, campaign_id: int) -> dict[str, int]:
    """Recompute, for the campaign's year, every survey indicator whose source reads the
    campaign's criteria set: nationally and for each province the campaign covers. Returns
    ``{"indicators", "values", "errors"}``; an indicator that cannot be read for a unit (e.g.
    a criterion the set lacks) is logged and skipped (its savepoint rolled back), the others
    still run. One transaction; running it twice changes nothing."""
    from thuocdo.assessments.models import Campaign
    from thuocdo.geo.models import Level, Structure
    from thuocdo.indicators.sources import survey_source_criteria_set

    campaign = Campaign.objects.select_related("framework").filter(pk=campaign_id).first()
    if campaign is None:
        return {"indicators": 0, "values": 0, "errors": 0}
    codes = [
        ind.code
        for ind in Indicator.objects.filter(kind=IndicatorKind.SURVEY).order_by("code")
        if survey_source_criteria_set(ind.survey_source) == campaign.framework.code
    ]
    provinces = [
        p.code
        for p in Unit.objects.filter(structure=Structure.CURRENT, level=Level.PROVINCE)
        .order_by("sort_key")
        .only("code", "path")
        if p.path.startswith(campaign.unit_path) or campaign.unit_path.startswith(p.path)
    ]
    values = errors = 0
    for code in codes:
        for unit in [None, *provinces]:
            try:
                if survey_refresh(code=code, unit_code=unit, year=campaign.year) is not None:
                    values += 1
            except ValidationError as exc:
                errors += 1
                logger.warning("survey indicator %s for %s: %s", code, unit or "VN", exc)
    return {"indicators": len(codes), "values": values, "errors": errors}


# --------------------------------------------------------------------------- periods


def _period_setting(
    *, scope: Scope, actor: User | None, period: str, plan_code: str | None, closed: bool
) -> PeriodSetting:
    require_national_writer(scope)
    plan = (
        ReportingPlan.objects.filter(code=plan_code).first() if plan_code else plan_of(Indicator())
    )
    if plan is None:
        raise ValidationError(
            {"plan": _("Unknown reporting plan: %(code)s.") % {"code": plan_code}}
        )
    per = plan_period(plan, period).period
    setting, _created = PeriodSetting.objects.get_or_create(plan=plan, period=per.label)
    before = {"closed": setting.closed}
    setting.closed = closed
    setting.save()
    audit_record(
        actor=actor,
        action="period.close" if closed else "period.reopen",
        object_type="indicators.periodsetting",
        object_id=setting.pk,
        before=before,
        after={"plan": plan.code, "period": per.label, "closed": closed},
    )
    return setting


@transaction.atomic
def period_close(
    *, scope: Scope, actor: User | None, period: str, plan_code: str | None = None
) -> PeriodSetting:
    """Close a period of a reporting plan to further submissions."""
    return _period_setting(
        scope=scope, actor=actor, period=period, plan_code=plan_code, closed=True
    )


@transaction.atomic
def period_reopen(
    *, scope: Scope, actor: User | None, period: str, plan_code: str | None = None
) -> PeriodSetting:
    return _period_setting(
        scope=scope, actor=actor, period=period, plan_code=plan_code, closed=False
    )


@transaction.atomic
def plan_set_deadlines(
    *,
    scope: Scope,
    actor: User | None,
    plan_code: str,
    deadline_day: int,
    consolidation_day: int,
    close_after_days: int | None = None,
) -> ReportingPlan:
    """Change a plan's deadline days (1–28) and automatic closing."""
    require_national_writer(scope)
    plan = ReportingPlan.objects.filter(code=plan_code).first()
    if plan is None:
        raise ValidationError(
            {"plan": _("Unknown reporting plan: %(code)s.") % {"code": plan_code}}
        )
    for name, day in (("deadline_day", deadline_day), ("consolidation_day", consolidation_day)):
        if not 1 <= int(day) <= 28:
            raise ValidationError({name: _("A deadline day is between 1 and 28.")})
    if deadline_day > consolidation_day:
        raise ValidationError(
            {"consolidation_day": _("Consolidation cannot be due before the data.")}
        )
    before = {
        "deadline_day": plan.deadline_day,
        "consolidation_day": plan.consolidation_day,
        "close_after_days": plan.close_after_days,
    }
    plan.deadline_day, plan.consolidation_day = deadline_day, consolidation_day
    plan.close_after_days = close_after_days
    plan.save()
    audit_record(
        actor=actor,
        action="plan.deadlines",
        object_type="indicators.reportingplan",
        object_id=plan.code,
        before=before,
        after={
            "deadline_day": deadline_day,
            "consolidation_day": consolidation_day,
            "close_after_days": close_after_days,
        },
    )
    return plan


# --------------------------------------------------------------------------- reminders


@transaction.atomic
def reminders_send(*, period: str | None = None, on_day: date | None = None) -> dict[str, Any]:
    """E-mail the officers of every unit with overdue submissions (once a day per unit)."""
    from django.conf import settings
    from django.core.mail import send_mail

    from thuocdo.accounts.models import Role
    from thuocdo.accounts.scopes import Scope as _Scope
    from thuocdo.indicators.models import ReminderLog
    from thuocdo.indicators.selectors import overdue_list

    day = on_day or today()
    rows = overdue_list(scope=_Scope(role=ADMIN), period=period, on_day=day)
    by_unit: dict[int | None, list[dict[str, Any]]] = {}
    for row in rows:
        by_unit.setdefault(row["unit_id"], []).append(row)
    sent: list[dict[str, Any]] = []
    outbox: list[tuple[str, str, list[str]]] = []
    for unit_id, items in by_unit.items():
        period_label = items[0]["period"]
        unit_q = Q(unit__isnull=True) if unit_id is None else Q(unit_id=unit_id)
        if ReminderLog.objects.filter(unit_q, period=period_label, day=day).exists():
            continue
        if unit_id is None:
            users = User.objects.filter(role__in=[Role.MINISTRY, Role.ADMIN], is_active=True)
        else:
            users = User.objects.filter(role=Role.PROVINCE, unit_id=unit_id, is_active=True)
        emails = sorted({u.email for u in users if u.email})
        if not emails:
            continue
        names = [
            f"- {i['code']}: {i['name']} ({i['period']}, {i['due']})"
            + (
                " — " + _("six-month trend assessment missing")
                if i.get("missing") == "trend_assessment"
                else ""
            )
            for i in items
        ]
        subject = _("Overdue indicator data for %(period)s: %(unit)s") % {
            "period": period_label,
            "unit": items[0]["unit_name"],
        }
        body = (
            _("The following indicators were due on %(due)s and have not been reported:")
            % {"due": items[0]["due"]}
            + "\n"
            + "\n".join(names)
            + "\n"
        )
        ReminderLog.objects.create(
            unit_id=unit_id,
            period=period_label,
            day=day,
            recipients=emails,
            indicators=[i["code"] for i in items],
        )
        audit_record(
            actor=None,
            action="reminder.send",
            object_type="indicators.reminder",
            object_id=f"{items[0]['unit_code']}:{period_label}",
            after={"recipients": emails, "indicators": [i["code"] for i in items]},
            unit_path=items[0]["unit_path"],
        )
        outbox.append((subject, body, emails))
        sent.append({"unit": items[0]["unit_code"], "recipients": emails, "count": len(items)})

    def deliver() -> None:
        for subject, body, emails in outbox:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL or None, emails)

    transaction.on_commit(deliver)
    return {
        "overdue": len(rows),
        "reminders": sent,
        "day": day.isoformat(),
        "at": timezone.now().isoformat(),
    }
