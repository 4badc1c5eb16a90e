"""Built-in data of the indicators capability, loaded by `thuocdo load-builtins`.

Loads, idempotently, from ``builtin/indicators.yaml``: the reporting plan of Decision 466
(deadlines on the 5th, consolidation on the 10th), every indicator with its 2023/2024 plans
(as ``plan`` targets) and its 2025/2030 targets (national), and the 2022 estimates as
provisional national values. For the digital-economy share the whole ministry/PTIT series
(2021–2024, the series the 2022 estimate belongs to) is loaded; the GSO series uses another
method and stays in the data file only, so the two are never mixed in one history.

Values already in the database are never overwritten: a built-in estimate that was since
replaced by an official figure stays replaced.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from thuocdo.accounts.services import audit_record
from thuocdo.indicators.domain.catalog import Catalog, IndicatorSpec, load_builtin
from thuocdo.indicators.domain.periods import annual_period
from thuocdo.indicators.models import Indicator, ReportingPlan, Submission, Target

PLAN_CODE = "qd-466-2023"
SERIES_LOADED = {"de-share-gdp": "ptit-de-series"}


def _plan(catalog: Catalog) -> tuple[ReportingPlan, bool]:
    reporting = catalog.reporting
    docs = {d["id"]: d["ref"] for d in catalog.source.get("documents", [])}
    return ReportingPlan.objects.update_or_create(
        code=PLAN_CODE,
        defaults={
            "name": "Kỳ báo cáo quý theo Quyết định 466/QĐ-BTTTT (mục II.2, Phụ lục 01)",
            "deadline_day": int(reporting.get("data_due_day", 5)),
            "consolidation_day": int(reporting.get("consolidation_due_day", 10)),
            "receiving_unit": str(reporting.get("receiving_unit", "")),
            "source": " ".join(str(docs.get(PLAN_CODE, "")).split()),
        },
    )


def _indicator_fields(spec: IndicatorSpec, position: int, plan: ReportingPlan) -> dict[str, Any]:
    raw = spec.raw
    definition = raw.get("definition") or {}
    return {
        "name_vi": spec.name_vi,
        "name_en": spec.name_en,
        "unit_symbol": spec.unit.symbol,
        "unit_kind": str(spec.unit.kind),
        "unit_min": spec.unit.min,
        "unit_max": spec.unit.max,
        "direction": spec.direction,
        "scope": list(spec.scope),
        "responsible_unit": spec.responsible_unit or "",
        "reporting_unit": spec.reporting_unit or "",
        "data_source": " ".join(str(raw.get("data_source") or "").split()),
        "definition_vi": str(definition.get("vi", "")),
        "definition_en": str(definition.get("en", "")),
        # the comparator a document names, else the catalogue's editable suggestion
        "international_comparator": str(
            raw.get("international_comparator") or raw.get("comparator_suggestion") or ""
        ),
        "group": str(raw.get("group") or ""),
        "seed001_row": spec.seed001_row or "",
        "origin": list(spec.origin),
        "position": position,
        "plan": plan,
        "builtin": True,
        "by_sector": bool(raw.get("by_sector")),
    }


def _estimate(
    indicator: Indicator, year: int, value: float, source: str, counts: dict[str, int]
) -> None:
    period = annual_period(year)
    _, created = Submission.objects.get_or_create(
        indicator=indicator,
        unit=None,
        period=period.label,
        defaults={
            "year": year,
            "quarter": None,
            "period_start": period.start,
            "period_end": period.end,
            "value": value,
            "status": "provisional",
            "source": source,
        },
    )
    counts["estimates"] += int(created)


# The quarterly ICT digital-economy share, fed by the digital-economy form (core VSIC value
# added over GRDP, ``digital_economy.py``). No document sets its own target: the built-in
# targets are derived from the digital-economy targets (20% in 2025, 30% in 2030) times the
# ICT fraction of the digital economy in the ministry/PTIT series (63.25% in 2022), and say so.
ICT_SHARE = {
    "code": "de-ict-share-grdp",
    "name_vi": "Tỷ trọng kinh tế số ICT trong GRDP (theo quý)",
    "name_en": "ICT digital economy share of GRDP (quarterly)",
    "unit_symbol": "%",
    "unit_kind": "percent",
    "unit_min": 0.0,
    "unit_max": 100.0,
    "direction": "higher",
    "scope": ["national", "province"],
    "responsible_unit": "Bộ Kế hoạch và Đầu tư (Tổng cục Thống kê)",
    "reporting_unit": "Vụ KTS và XHS",
    "data_source": "Biểu mẫu kinh tế số (/indicators/digital-economy/new/): giá trị tăng thêm "
    "ICT (các mã VSIC lõi) chia cho GRDP, theo phương pháp có phiên bản.",
    "definition_vi": "Giá trị tăng thêm của kinh tế số ICT (công nghiệp CNTT và viễn thông, mã "
    "VSIC lõi) chia cho GRDP (GDP đối với cả nước), nhân 100.",
    "definition_en": "ICT digital-economy value added (IT industry and telecoms, core VSIC "
    "codes) divided by GRDP (GDP for the nation), times 100.",
    "group": "digital-economy",
    "aggregation": "mean",
    "origin": ["derived from seed-001 §II.1 row 1.1 and the PTIT ICT fraction (2022)"],
}
ICT_TARGETS = (
    (2025, 12.65, "≥ 12,65% (suy ra: 20% × 63,25% phần ICT năm 2022)"),
    (2030, 18.98, "≥ 18,98% (suy ra: 30% × 63,25% phần ICT năm 2022)"),
)


def _ict_share(plan: ReportingPlan, counts: dict[str, int]) -> None:
    fields = {k: v for k, v in ICT_SHARE.items() if k != "code"}
    ind, created = Indicator.objects.get_or_create(
        code=str(ICT_SHARE["code"]),
        defaults={**fields, "plan": plan, "position": 900, "builtin": True},
    )
    counts["indicators"] += 1
    counts["new_indicators"] += int(created)
    for year, value, text in ICT_TARGETS:
        _, made = Target.objects.get_or_create(
            indicator=ind,
            unit=None,
            year=year,
            defaults={
                "value": value,
                "comparator": ">=",
                "kind": "target",
                "text": text,
                "origin": list(ICT_SHARE["origin"]),  # type: ignore[call-overload]
            },
        )
        counts["targets"] += int(made)


@transaction.atomic
def load() -> dict[str, Any]:
    """Load (idempotently) this capability's built-in data; returns counts for the report."""
    catalog = load_builtin()
    plan, _ = _plan(catalog)
    counts = {"indicators": 0, "new_indicators": 0, "targets": 0, "estimates": 0}
    by_code: dict[str, Indicator] = {}
    for position, spec in enumerate(catalog.indicators, start=1):
        fields = _indicator_fields(spec, position, plan)
        existing = Indicator.objects.filter(code=spec.code).first()
        if existing is None:
            ind = Indicator.objects.create(code=spec.code, **fields)
            counts["new_indicators"] += 1
        else:
            ind = existing
            changed = [k for k, v in fields.items() if getattr(ind, k) != v]
            if changed:
                for k in changed:
                    setattr(ind, k, fields[k])
                ind.save(update_fields=changed)
        by_code[spec.code] = ind
        counts["indicators"] += 1
    for spec in catalog.indicators:
        ind = by_code[spec.code]
        if spec.parent and ind.parent_id != by_code[spec.parent].pk:
            ind.parent = by_code[spec.parent]
            ind.save(update_fields=["parent"])
        rows: list[tuple[int, float, str, str, str, list[str]]] = []
        for year, pv in spec.plans.items():
            if pv.value is not None:
                rows.append((year, pv.value, pv.comparator or "~", "plan", pv.text, []))
        for year, ts in spec.targets.items():
            rows.append((year, ts.value, ts.comparator, "target", ts.text, list(ts.origin)))
        for year, value, comparator, kind, text, origin in rows:
            _, created = Target.objects.get_or_create(
                indicator=ind,
                unit=None,
                year=year,
                defaults={
                    "value": value,
                    "comparator": comparator,
                    "kind": kind,
                    "text": text,
                    "origin": origin,
                },
            )
            counts["targets"] += int(created)
        series_name = SERIES_LOADED.get(spec.code)
        published = (spec.raw.get("published_series") or {}).get(series_name or "")
        if published:
            source = f"{published.get('method', series_name)} (dữ liệu dựng sẵn)"
            for year, value in sorted(published["values"].items()):
                _estimate(ind, int(year), float(value), source, counts)
        else:
            for year, yv in spec.values.items():
                if yv.value is not None:
                    source = f"Ước tính năm {year}, Quyết định 466/QĐ-BTTTT mục II.1"
                    _estimate(ind, year, yv.value, source, counts)
    _ict_share(plan, counts)
    if counts["new_indicators"] or counts["targets"] or counts["estimates"]:
        audit_record(
            actor=None,
            action="indicators.builtins",
            object_type="indicators.indicator",
            object_id="builtin",
            after=dict(counts),
        )
    return counts
