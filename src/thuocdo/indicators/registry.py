"""Defining and editing indicators in the product (pages, API), versioned and audited.

``indicator_define`` adds an indicator, ``indicator_edit`` changes one; both take the
definition (names, unit, direction, scope, responsible and reporting units, method: entered,
a formula over other indicators, or published survey results) and optionally its targets per
year and unit. Every change stores an ``IndicatorVersion`` (number 1: as created) with the
whole definition and its targets, so earlier versions stay readable, and is audited.

Rights: the national registry (``owner_unit`` empty) is defined and edited by ministry
officers and administrators; a province officer defines indicators of its own province
(``owner_unit``) and edits only those. A refusal names the field, in Vietnamese by default.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from thuocdo.accounts.models import User
from thuocdo.accounts.scopes import ADMIN, MINISTRY, PROVINCE, Scope
from thuocdo.accounts.selectors import require_officer
from thuocdo.accounts.services import audit_record
from thuocdo.core.text import clean
from thuocdo.geo.models import Unit
from thuocdo.indicators.domain.validation import UnitSpec
from thuocdo.indicators.models import (
    Aggregation,
    Direction,
    Indicator,
    IndicatorKind,
    IndicatorVersion,
    UnitKind,
)
from thuocdo.indicators.reporting import plan_of, resolve_unit
from thuocdo.indicators.reporting import unit_code as code_of_unit

SCOPES = ("national", "ministry", "province")
# the definition fields a version records and an edit may change
FIELDS = (
    "name_vi",
    "name_en",
    "unit_symbol",
    "unit_kind",
    "unit_min",
    "unit_max",
    "direction",
    "scope",
    "responsible_unit",
    "reporting_unit",
    "data_source",
    "definition_vi",
    "definition_en",
    "kind",
    "formula",
    "survey_source",
    "aggregation",
)


def indicator_snapshot(ind: Indicator) -> dict[str, Any]:
    """The whole definition of an indicator with its targets, as a version stores it."""
    data: dict[str, Any] = {"code": ind.code, "owner_unit": code_of_unit(ind.owner_unit)}
    data.update({name: getattr(ind, name) for name in FIELDS})
    data["scope"] = list(ind.scope or [])
    data["targets"] = [
        {
            "year": t.year,
            "unit": code_of_unit(t.unit),
            "value": t.value,
            "comparator": t.comparator,
            "kind": t.kind,
        }
        for t in ind.targets.select_related("unit").order_by("year", "unit__code")
    ]
    return data


def record_version(
    ind: Indicator,
    *,
    actor: User | None,
    change: str,
    fields: Sequence[str] = (),
    before: dict[str, Any] | None = None,
) -> IndicatorVersion:
    """Store the indicator as it now is as its next version. An indicator without versions
    (built-in, or older than versioning) first gets version 1 from ``before``, the
    definition as it was until this change."""
    last = ind.versions.order_by("-number").values_list("number", flat=True).first()
    if last is None and before is not None and change != "create":
        IndicatorVersion.objects.create(
            indicator=ind, number=1, change="baseline", snapshot=before, changed_by=None
        )
        last = 1
    number = (last or 0) + 1
    version = IndicatorVersion.objects.create(
        indicator=ind,
        number=number,
        change=change,
        fields=list(fields),
        snapshot=indicator_snapshot(ind),
        changed_by=actor,
    )
    if ind.version != number:
        ind.version = number
        ind.save(update_fields=["version"])
    return version


def may_define(scope: Scope, owner: Unit | None) -> bool:
    try:
        require_definer(scope, owner)
    except PermissionDenied:
        return False
    return True


def require_definer(scope: Scope, owner: Unit | None) -> None:
    """National indicators: ministry officers and administrators; a province's own
    indicators: its officers and administrators."""
    require_officer(scope)
    if scope.role == ADMIN:
        return
    if owner is None:
        if scope.role != MINISTRY:
            raise PermissionDenied(
                _(
                    "Only ministry officers and administrators may define or change national "
                    "indicators."
                )
            )
        return
    if scope.role != PROVINCE or not scope.covers_path(owner.path):
        raise PermissionDenied(
            _("The indicator belongs to %(unit)s; only its officers may change it.")
            % {"unit": owner.name}
        )


def _owner_for(scope: Scope, owner_code: str | None) -> Unit | None:
    if scope.role == PROVINCE:
        unit = resolve_unit(scope.unit_code)
        if owner_code and owner_code not in ("VN", scope.unit_code):
            raise ValidationError(
                {"owner_unit": _("A province officer defines indicators of its own province.")}
            )
        return unit
    if owner_code in (None, "", "VN"):
        return None
    try:
        return resolve_unit(owner_code)
    except ValidationError as exc:
        raise ValidationError({"owner_unit": exc.messages}) from exc


def _float_or_none(value: Any, name: str) -> float | None:
    from thuocdo.indicators.services import _number

    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return _number(value, name)


def _scopes(value: Any) -> list[str]:
    if isinstance(value, str):
        items = [s.strip() for s in value.split(",") if s.strip()]
    else:
        items = [str(s).strip() for s in value or () if str(s).strip()]
    unknown = [s for s in items if s not in SCOPES]
    if unknown or not items:
        raise ValidationError(
            {
                "scope": _("The scope is one or more of %(list)s; got %(got)s.")
                % {"list": ", ".join(SCOPES), "got": ", ".join(unknown) or "—"}
            }
        )
    return list(dict.fromkeys(items))


def _check_survey_source(name: str) -> str:
    from thuocdo.indicators.sources import survey_source, survey_source_names

    text = (name or "").strip()
    if not text:
        raise ValidationError({"survey_source": _("Name the published results to read.")})
    if survey_source(text) is None:
        raise ValidationError(
            {
                "survey_source": _("Unknown source of published results: %(v)s (known: %(list)s).")
                % {"v": text, "list": ", ".join(survey_source_names()) or "—"}
            }
        )
    base = text.split(":", 1)[0]
    if base == "assessments.criterion-met":
        from thuocdo.analytics.survey_sources import _parameters

        _parameters(text)
    return text


def _definition(data: Mapping[str, Any], current: Indicator) -> dict[str, Any]:
    """The checked definition fields: ``current``'s values where ``data`` leaves them out."""
    from thuocdo.indicators.services import check_formula

    def get(name: str) -> Any:
        return data[name] if name in data else getattr(current, name)

    out: dict[str, Any] = {}
    for name in (
        "name_vi",
        "name_en",
        "unit_symbol",
        "responsible_unit",
        "reporting_unit",
        "data_source",
        "definition_vi",
        "definition_en",
    ):
        text = clean(str(get(name) or ""))
        limit = getattr(current._meta.get_field(name), "max_length", None) or 10_000
        if len(text) > limit:
            raise ValidationError(
                {name: _("At most %(n)s characters, got %(got)s.") % {"n": limit, "got": len(text)}}
            )
        out[name] = text
    if not out["name_vi"]:
        raise ValidationError({"name_vi": _("A Vietnamese name is required.")})
    if not out["unit_symbol"]:
        raise ValidationError({"unit_symbol": _("Give the measuring unit (e.g. %, người).")})
    unit_kind = str(get("unit_kind") or "")
    if unit_kind not in UnitKind.values:
        raise ValidationError({"unit_kind": _("Unknown unit kind: %(v)s.") % {"v": unit_kind}})
    direction = str(get("direction") or "")
    if direction not in Direction.values:
        raise ValidationError({"direction": _("The direction is higher or lower.")})
    aggregation = str(get("aggregation") or "last")
    if aggregation not in Aggregation.values:
        raise ValidationError(
            {
                "aggregation": _("How quarters make a year is one of %(list)s.")
                % {"list": ", ".join(Aggregation.values)}
            }
        )
    lo = _float_or_none(get("unit_min"), "unit_min")
    hi = _float_or_none(get("unit_max"), "unit_max")
    if lo is not None and hi is not None and lo > hi:
        raise ValidationError({"unit_max": _("The largest possible value is below the smallest.")})
    try:
        spec = UnitSpec.from_mapping({"kind": unit_kind, "min": lo, "max": hi})
    except (ValueError, TypeError) as exc:
        raise ValidationError({"unit_kind": str(exc)}) from exc
    kind = str(get("kind") or "")
    if kind not in IndicatorKind.values:
        raise ValidationError(
            {"kind": _("The method is input, formula or survey; got %(v)s.") % {"v": kind or "—"}}
        )
    formula = str(get("formula") or "").strip() if kind == IndicatorKind.FORMULA else ""
    survey = str(get("survey_source") or "").strip() if kind == IndicatorKind.SURVEY else ""
    if kind == IndicatorKind.FORMULA:
        if not formula:
            raise ValidationError({"formula": _("A computed indicator needs a formula.")})
        check_formula(current.code, formula)
    if kind == IndicatorKind.SURVEY:
        survey = _check_survey_source(survey)
    out.update(
        unit_kind=unit_kind,
        unit_min=spec.min,
        unit_max=spec.max,
        direction=direction,
        aggregation=aggregation,
        scope=_scopes(get("scope")),
        kind=kind,
        formula=formula,
        survey_source=survey,
    )
    return out


def _apply_targets(
    *,
    scope: Scope,
    actor: User | None,
    ind: Indicator,
    targets: Sequence[Mapping[str, Any]],
) -> list[str]:
    from thuocdo.indicators.services import target_set

    changed = []
    for i, row in enumerate(targets):
        if not isinstance(row, Mapping):
            raise ValidationError({f"targets[{i}]": _("Expected an object.")})
        year_raw = row.get("year")
        try:
            year = int(str(year_raw).strip())
        except (TypeError, ValueError):
            raise ValidationError(
                {f"targets[{i}].year": _("The year must be between 2000 and 2100.")}
            ) from None
        unit = row.get("unit") or None
        if unit is None and ind.owner_unit is not None:
            unit = ind.owner_unit.code
        try:
            target_set(
                scope=scope,
                actor=actor,
                indicator_code=ind.code,
                unit_code=None if unit == "VN" else unit,
                year=year,
                value=row.get("value"),
                comparator=row.get("comparator") or None,
                kind=str(row.get("kind") or "target"),
            )
        except ValidationError as exc:
            messages = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            raise ValidationError(
                {f"targets[{i}].{k}" if k else f"targets[{i}]": v for k, v in messages.items()}
            ) from exc
        changed.append(f"{year}:{unit or 'VN'}")
    return changed


@transaction.atomic
def indicator_define(
    *,
    scope: Scope,
    actor: User | None,
    code: str,
    data: Mapping[str, Any],
    targets: Sequence[Mapping[str, Any]] = (),
    owner_unit: str | None = None,
) -> Indicator:
    """Add an indicator (version 1) with its targets."""
    from thuocdo.indicators.services import CODE_RE, _after_formula_change

    require_officer(scope)
    owner = _owner_for(scope, owner_unit)
    require_definer(scope, owner)
    code = (code or "").strip()
    if not CODE_RE.match(code):
        raise ValidationError(
            {"code": _("An indicator code has 2–80 lower-case letters, digits and hyphens.")}
        )
    if Indicator.objects.filter(code=code).exists():
        raise ValidationError({"code": _("The indicator code %(code)s exists.") % {"code": code}})
    defaults = {
        "unit_symbol": "%",
        "unit_kind": "percent",
        "direction": "higher",
        "kind": "input",
        "scope": ["province"] if owner is not None else ["national", "province"],
    }
    fields = _definition({**defaults, **data}, Indicator(code=code))
    if owner is not None and fields["scope"] != ["province"]:
        raise ValidationError(
            {"scope": _("An indicator of a province is reported by provinces only (province).")}
        )
    ind = Indicator.objects.create(
        code=code,
        owner_unit=owner,
        plan=plan_of(Indicator()),
        position=1000 + Indicator.objects.count(),
        **fields,
    )
    targets_changed = _apply_targets(scope=scope, actor=actor, ind=ind, targets=targets)
    version = record_version(ind, actor=actor, change="create", fields=["*", *targets_changed])
    audit_record(
        actor=actor,
        action="indicator.create",
        object_type="indicators.indicator",
        object_id=ind.code,
        after={**version.snapshot, "version": version.number},
        unit_path=owner.path if owner else "",
    )
    if ind.kind == IndicatorKind.FORMULA:
        _after_formula_change(ind.code)
    return ind


@transaction.atomic
def indicator_edit(
    *,
    scope: Scope,
    actor: User | None,
    code: str,
    data: Mapping[str, Any],
    targets: Sequence[Mapping[str, Any]] = (),
) -> Indicator:
    """Change an indicator's definition and targets; a change adds a version (the previous
    ones are kept), an edit that changes nothing adds none."""
    from thuocdo.indicators.services import _after_formula_change, indicator_by_code

    ind = indicator_by_code(code, field="code")
    ind = (
        Indicator.objects.select_for_update(of=("self",))
        .select_related("owner_unit")
        .get(pk=ind.pk)
    )
    require_definer(scope, ind.owner_unit)
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise ValidationError(
            {unknown[0]: _("This field cannot be changed: %(v)s.") % {"v": unknown[0]}}
        )
    before = indicator_snapshot(ind)
    fields = _definition(data, ind)
    if ind.owner_unit is not None and fields["scope"] != ["province"]:
        raise ValidationError(
            {"scope": _("An indicator of a province is reported by provinces only (province).")}
        )
    changed = [k for k, v in fields.items() if getattr(ind, k) != v]
    for k in changed:
        setattr(ind, k, fields[k])
    if changed:
        ind.save(update_fields=changed)
    _apply_targets(scope=scope, actor=actor, ind=ind, targets=targets)
    after = indicator_snapshot(ind)
    if after["targets"] != before["targets"]:
        changed.append("targets")
    if not changed:
        return ind
    version = record_version(ind, actor=actor, change="edit", fields=changed, before=before)
    audit_record(
        actor=actor,
        action="indicator.edit",
        object_type="indicators.indicator",
        object_id=ind.code,
        before={k: before[k] for k in changed},
        after={**{k: after[k] for k in changed}, "version": version.number},
        unit_path=ind.owner_unit.path if ind.owner_unit else "",
    )
    if {"kind", "formula"} & set(changed) and ind.kind == IndicatorKind.FORMULA:
        _after_formula_change(ind.code)
    return ind


def indicator_versions(*, code: str) -> list[IndicatorVersion]:
    from thuocdo.indicators.services import indicator_by_code

    ind = indicator_by_code(code, field="code")
    return list(ind.versions.select_related("changed_by").order_by("number"))
