"""Digital-economy measurement per province (or the nation) and period, stored.

``de_declare`` records the declared inputs and computes the shares with
``domain/digital_economy.py``; every result keeps the method version and a copy of the inputs
and points to its declaration, so a published figure can always be recomputed. A new
declaration for the same area and period supersedes the previous result (kept, not current).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from thuocdo.accounts.models import User
from thuocdo.accounts.scopes import Scope
from thuocdo.accounts.selectors import require_officer
from thuocdo.accounts.services import audit_record
from thuocdo.core.text import clean
from thuocdo.geo.models import Unit
from thuocdo.indicators.domain.digital_economy import (
    DigitalEconomyError,
    DigitalEconomyInputs,
    SectorDigitalisation,
    ValueAddedItem,
    measure,
    missing_reason,
)
from thuocdo.indicators.models import DigitalEconomyDeclaration, DigitalEconomyResult
from thuocdo.indicators.reporting import dual, plan_period, resolve_unit, unit_code, unit_label


def _items(raw: Sequence[Mapping[str, Any]] | None, name: str) -> tuple[ValueAddedItem, ...] | None:
    if raw is None:
        return None
    out = []
    for i, item in enumerate(raw):
        if not isinstance(item, Mapping):
            raise ValidationError({f"{name}[{i}]": _("Expected an object.")})
        try:
            value = float(item.get("value"))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise ValidationError(
                {
                    f"{name}[{i}].value": _("Expected a number, got %(v)s.")
                    % {"v": item.get("value")}
                }
            ) from None
        out.append(
            ValueAddedItem(
                label=clean(str(item.get("label", ""))),
                value=value,
                source=clean(str(item.get("source", ""))),
                vsic_codes=tuple(str(c).strip() for c in item.get("vsic_codes") or ()),
                note=clean(str(item.get("note", ""))),
            )
        )
    return tuple(out)


def _num(value: Any, field: str) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValidationError({field: _("Expected a number, got %(v)s.") % {"v": value}}) from None


def _sectoral(raw: Sequence[Mapping[str, Any]] | None) -> tuple[SectorDigitalisation, ...] | None:
    if raw is None:
        return None
    out = []
    for i, item in enumerate(raw):
        if not isinstance(item, Mapping):
            raise ValidationError({f"sectoral[{i}]": _("Expected an object.")})
        out.append(
            SectorDigitalisation(
                sector=clean(str(item.get("sector", ""))),
                source=clean(str(item.get("source", ""))),
                digital_value_added=_num(
                    item.get("digital_value_added"), f"sectoral[{i}].digital_value_added"
                ),
                sector_value_added=_num(
                    item.get("sector_value_added"), f"sectoral[{i}].sector_value_added"
                ),
                digital_share_pct=_num(
                    item.get("digital_share_pct"), f"sectoral[{i}].digital_share_pct"
                ),
                vsic_codes=tuple(str(c).strip() for c in item.get("vsic_codes") or ()),
            )
        )
    return tuple(out)


def _jsonable(data: Any) -> Any:
    """The form a value takes once stored in a JSON field (tuples become lists)."""
    import json

    return json.loads(json.dumps(data))


@transaction.atomic
def de_declare(
    *,
    scope: Scope,
    actor: User | None,
    unit_code_: str | None,
    period: str,
    grdp: Any,
    grdp_source: str,
    core: Sequence[Mapping[str, Any]],
    platform: Sequence[Mapping[str, Any]] | None = None,
    sectoral: Sequence[Mapping[str, Any]] | None = None,
    currency_unit: str = "tỷ đồng",
) -> DigitalEconomyResult:
    """Declare the inputs for an area and period and store the computed measurement."""
    from thuocdo.indicators.services import require_unit_writer

    unit = resolve_unit(unit_code_)
    require_unit_writer(scope, unit)
    per = plan_period(None, period).period
    grdp_value = _num(grdp, "grdp")
    inputs = DigitalEconomyInputs(
        area_code=unit_code(unit),
        area_name=unit_label(unit),
        period=per.label,
        grdp=grdp_value if grdp_value is not None else float("nan"),
        grdp_source=clean(grdp_source or ""),
        core=_items(core, "core") or (),
        platform=_items(platform, "platform"),
        sectoral=_sectoral(sectoral),
        currency_unit=clean(currency_unit) or "tỷ đồng",
    )
    try:
        result = measure(inputs)
    except DigitalEconomyError as exc:
        raise ValidationError(
            {exc.field or "inputs": dual(exc.message_vi, exc.message_en)}
        ) from exc
    snapshot = asdict(inputs)
    previous = (
        DigitalEconomyResult.objects.filter(
            unit=unit, period=per.label, current=True, method_version=result.method_version
        )
        .order_by("-id")
        .first()
    )
    if previous is not None and previous.inputs == _jsonable(snapshot):
        return previous  # the same declaration again: nothing changes
    decl, created = DigitalEconomyDeclaration.objects.update_or_create(
        unit=unit,
        period=per.label,
        defaults={
            "unit_path": unit.path if unit else "",
            "grdp": inputs.grdp,
            "grdp_source": inputs.grdp_source,
            "currency_unit": inputs.currency_unit,
            "core": snapshot["core"],
            "platform": snapshot["platform"],
            "sectoral": snapshot["sectoral"],
            "declared_by": actor,
        },
    )
    DigitalEconomyResult.objects.filter(declaration=decl, current=True).update(current=False)
    notes = list(result.notes)
    if result.missing:
        notes.append(dual(missing_reason(result, "vi"), missing_reason(result, "en")))
    stored = DigitalEconomyResult.objects.create(
        declaration=decl,
        unit=unit,
        unit_path=unit.path if unit else "",
        period=per.label,
        method_version=result.method_version,
        de_share_pct=result.de_share_pct,
        ict_share_pct=result.ict_share_pct,
        platform_share_pct=result.platform_share_pct,
        digitalisation_share_pct=result.digitalisation_share_pct,
        core_fraction_of_de_pct=result.core_fraction_of_de_pct,
        missing=list(result.missing),
        notes=notes,
        inputs=snapshot,
    )
    audit_record(
        actor=actor,
        action="de.declare" if created else "de.redeclare",
        object_type="indicators.digitaleconomyresult",
        object_id=stored.pk,
        after={
            "unit": unit_code(unit),
            "period": per.label,
            "method": result.method_version,
            "de_share_pct": result.de_share_pct,
            "ict_share_pct": result.ict_share_pct,
            "declaration": decl.pk,
        },
        unit_path=unit.path if unit else "",
    )
    _feed_share_indicator(stored, unit)
    return stored


DE_SHARE_CODE = "de-share-gdp"
ICT_SHARE_CODE = "de-ict-share-grdp"


def _feed_share_indicator(result: DigitalEconomyResult, unit: Unit | None) -> None:
    """The measured share becomes the unit's ``de-share-gdp`` value for the period (a computed
    submission linked to the result), so it feeds the dashboard, forecasts and the Annex. A
    measurement without a DE share (the usual quarter: ICT part only) clears an earlier
    measured value; a value a reporting unit entered itself is left alone."""
    from thuocdo.indicators.models import Indicator
    from thuocdo.indicators.services import computed_value_store

    source = _("Digital-economy measurement %(method)s from declared inputs (result %(id)s)") % {
        "method": result.method_version,
        "id": result.pk,
    }
    if Indicator.objects.filter(code=ICT_SHARE_CODE).exists():
        # the ICT digital economy (core VSIC value added) share: every measurement has it
        computed_value_store(
            indicator_code=ICT_SHARE_CODE,
            unit=unit,
            period=result.period,
            value=result.ict_share_pct,
            inputs={
                "digital_economy_result": result.pk,
                "declaration": result.declaration_id,
                "method_version": result.method_version,
            },
            source=source,
        )
    if not Indicator.objects.filter(code=DE_SHARE_CODE).exists():
        return
    computed_value_store(
        indicator_code=DE_SHARE_CODE,
        unit=unit,
        period=result.period,
        value=result.de_share_pct,
        inputs={
            "digital_economy_result": result.pk,
            "declaration": result.declaration_id,
            "method_version": result.method_version,
            **({"reason": "missing: " + ", ".join(result.missing)} if result.missing else {}),
        },
        source=source,
    )


def de_result_list(
    *, scope: Scope, unit_code_: str | None = "all", current: bool = True
) -> QuerySet[DigitalEconomyResult]:
    """Measurements the viewer may see (national and inside the scope)."""
    require_officer(scope)
    qs = DigitalEconomyResult.objects.select_related("declaration", "unit")
    if scope.unit_path is not None:
        qs = qs.filter(Q(unit__isnull=True) | Q(unit_path__startswith=scope.unit_path))
    if unit_code_ != "all":
        qs = qs.filter(unit=resolve_unit(unit_code_))
    if current:
        qs = qs.filter(current=True)
    return qs.order_by("unit__code", "period")
